//! The request stack's authorization stage, as a narrow trait: who may do which operation on
//! what. [`PolicyAuthorizer`] decides with the identity's policies and the bucket's owner;
//! bucket policies and ACLs (the next issue) join the same decision.

use strata_policy::{decide, ContextMap, DecisionEffect, Evaluation, Request};
use strata_volume::{Refusal, Store};

use crate::auth::Principal;
use crate::s3::error::{Code, S3Error};
use crate::s3::operation::Operation;

/// One request's question to the authorizer.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// Who asks.
    pub principal: &'a Principal,
    /// For what.
    pub op: Operation,
    /// On which bucket, if any.
    pub bucket: Option<&'a str>,
    /// On which key, if any.
    pub key: Option<&'a str>,
}

/// Decides whether a request may proceed.
pub trait Authorize: Send + Sync {
    /// `Ok` to proceed; S3's `AccessDenied` (or another refusal) otherwise.
    fn authorize(&self, access: &Access<'_>) -> Result<(), S3Error>;
}

/// AWS's evaluation over what strata has so far: an account's root may do everything with
/// its own account's buckets; an IAM user or role session what its identity policies
/// allow there; nobody anything on another account's bucket (until bucket policies), and
/// anonymous callers nothing.
pub struct PolicyAuthorizer {
    store: Store,
    /// The owner of buckets made before accounts existed.
    root_account_id: String,
}

impl PolicyAuthorizer {
    /// An authorizer reading bucket owners from `store`.
    pub fn new(store: Store, root_account_id: String) -> PolicyAuthorizer {
        PolicyAuthorizer {
            store,
            root_account_id,
        }
    }
}

fn denied() -> S3Error {
    Code::AccessDenied.with("Access Denied")
}

impl Authorize for PolicyAuthorizer {
    fn authorize(&self, access: &Access<'_>) -> Result<(), S3Error> {
        // The IAM and STS query APIs decide per action in their handlers (one form POST
        // carries any action; some STS actions are unsigned by design).
        if access.op == Operation::ServicePost {
            return Ok(());
        }
        let Principal::Key { identity, .. } = access.principal else {
            return Err(denied());
        };
        // The bucket's owner; a missing bucket is the caller's own to create or to be told
        // `NoSuchBucket` about, once its policies allow the action.
        let owner = match access.bucket {
            // Creating asks the caller's own account; a name another account holds is the
            // handler's `BucketAlreadyExists`, as on AWS.
            None | Some(_) if access.op == Operation::CreateBucket => None,
            None => None,
            Some(bucket) => match self.store.bucket_owner(bucket) {
                Ok(owner) => Some(owner.unwrap_or_else(|| self.root_account_id.clone())),
                Err(strata_volume::Error::Refused(Refusal::NoSuchBucket)) => None,
                Err(e) => return Err(e.into()),
            },
        };
        let owner = owner.as_deref().unwrap_or(&identity.account.id);
        // An account's root over its own resources: allowed, with nothing to build. (A
        // bucket policy's explicit Deny will bind root too once bucket policies exist.)
        if identity.is_root() && owner == identity.account.id {
            return Ok(());
        }
        let resource = access.bucket.map(|bucket| match access.key {
            Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
            None => format!("arn:aws:s3:::{bucket}"),
        });
        let mut tags = Vec::new();
        let caller = identity.caller(&mut tags);
        let context = ContextMap::new();
        let request = Request {
            action: access.op.action(),
            resource: resource.as_deref(),
            caller: &caller,
            context: &context,
        };
        let policies: Vec<&strata_policy::Policy> =
            identity.policies.iter().map(|p| p.as_ref()).collect();
        let sessions: Vec<&strata_policy::Policy> =
            identity.session_policy.iter().map(|p| p.as_ref()).collect();
        let decision = decide(&Evaluation {
            request: &request,
            identity: &policies,
            resource_policy: None,
            resource_owner: Some(owner),
            session_policies: &sessions,
            boundary: identity.boundary.as_deref(),
            acl_grant: false,
        });
        match decision.effect {
            DecisionEffect::Allow => Ok(()),
            DecisionEffect::ExplicitDeny | DecisionEffect::ImplicitDeny => Err(denied()),
        }
    }
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
