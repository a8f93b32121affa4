//! One IAM call as the handlers see it: the store, the form, who is calling and in which
//! account, and the success envelope.

use std::sync::Arc;

use serde::Serialize;
use strata_policy::Layered;

use super::authorize::authorize;
use super::conditions::IamKeys;
use crate::iam::IamStore;
use crate::identity::Identity;
use crate::metrics::IdentityMetrics;
use crate::query_api::{respond, Form, QueryRequest};
use crate::s3::error::S3Error;
use crate::s3::response::Response;

/// What an IAM action is about: the resource its authorization names.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// `user/NAME`.
    User(&'a str),
    /// `group/NAME`.
    Group(&'a str),
    /// `role/NAME`.
    Role(&'a str),
    /// `policy/NAME`.
    Policy(&'a str),
    /// `oidc-provider/HOST/PATH`.
    OidcProvider(&'a str),
    /// `*`: actions on no resource of their own (GetAccountAuthorizationDetails).
    Any,
}

impl Resource<'_> {
    /// The resource's ARN in `account`.
    pub fn arn(self, account: &str) -> String {
        let (kind, name) = match self {
            Resource::Any => return "*".to_string(),
            Resource::User(n) => ("user", n),
            Resource::Group(n) => ("group", n),
            Resource::Role(n) => ("role", n),
            Resource::Policy(n) => ("policy", n),
            Resource::OidcProvider(n) => ("oidc-provider", n),
        };
        format!("arn:aws:iam::{account}:{kind}/{name}")
    }
}

/// One authenticated IAM call.
pub struct Call<'a> {
    /// The identity store.
    pub store: &'a IamStore,
    /// The form.
    pub form: &'a Form,
    /// The action, as the form names it.
    pub action: &'a str,
    /// Who signed.
    pub caller: Arc<Identity>,
    /// The caller's account id: every action acts inside it.
    pub account: String,
    request: &'a QueryRequest<'a>,
    /// Where refusals are counted.
    metrics: &'a IdentityMetrics,
}

impl<'a> Call<'a> {
    /// The call of `req`, whose caller must be signed (anonymous callers are refused);
    /// refusals are counted into `metrics`.
    pub fn new(
        store: &'a IamStore,
        metrics: &'a IdentityMetrics,
        req: &'a QueryRequest<'a>,
        action: &'a str,
    ) -> Result<Call<'a>, S3Error> {
        let caller = super::authorize::signed(req.caller, metrics)?;
        Ok(Call {
            store,
            form: req.form,
            action,
            account: caller.account.id.clone(),
            caller,
            request: req,
            metrics,
        })
    }

    /// Refuses the call unless the caller may do its action on `resource`; conditions see
    /// the action's IAM keys (`conditions`) and the request's global ones.
    pub fn allow(&self, resource: Resource<'_>) -> Result<(), S3Error> {
        let keys = IamKeys::of(self.action, self.form, &self.account, resource, || {
            self.store.snapshot()
        });
        let context = Layered {
            first: &keys,
            then: self.request.global_keys,
        };
        authorize(
            &self.caller,
            &format!("iam:{}", self.action),
            &resource.arn(&self.account),
            &context,
            self.metrics,
        )
    }

    /// A required parameter.
    pub fn required(&self, name: &str) -> Result<&'a str, S3Error> {
        self.form.required(name)
    }

    /// The success document with `result` as its `<ActionResult>`.
    pub fn respond<T: Serialize>(&self, result: &T) -> Result<Response, S3Error> {
        respond(
            self.request.service,
            self.action,
            self.request.request_id,
            Some(result),
        )
    }

    /// The success document of an action that returns only metadata.
    pub fn done(&self) -> Result<Response, S3Error> {
        respond::<()>(
            self.request.service,
            self.action,
            self.request.request_id,
            None,
        )
    }
}
