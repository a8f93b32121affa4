//! `GetFederationToken`: temporary credentials of a federated user named by the caller,
//! with the caller's permissions capped by the session policies given (none without one,
//! as on AWS). The caller's policies must allow `sts:GetFederationToken` on the federated
//! user's ARN; the credentials may not call the IAM API, nor STS beyond
//! `GetCallerIdentity` (`handle`).

use strata_sts::session::SessionSource;

use super::grant::{name_ok, seal, validation, Carried, Session};
use super::long_term::{duration, long_term_caller};
use super::session_policies::SessionPolicies;
use super::session_tags::session_tags;
use super::xml::{FederatedUser, GetFederationTokenResult};
use crate::iam_api::authorize;
use crate::query_api::{respond, QueryRequest};
use crate::s3::error::S3Error;
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// Checks the parameters and the caller's permission, then issues.
pub fn get_federation_token(ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let form = req.form;
    let caller = long_term_caller(req, "GetFederationToken")?;
    let name = form.required("Name")?;
    if !name_ok(name, 32) {
        return Err(validation(
            "Name",
            "must be 2 to 32 characters of [\\w+=,.@-]",
        ));
    }
    let policies = SessionPolicies::read(form)?;
    let tags = session_tags(form)?;
    let duration = duration(form, caller)?;
    let account_id = &caller.account.id;
    let arn = format!("arn:aws:sts::{account_id}:federated-user/{name}");
    authorize(
        caller,
        "sts:GetFederationToken",
        &arn,
        req.global_keys,
        &ctx.sts.metrics,
    )?;
    policies.check_managed(&ctx.owners.store().snapshot(), account_id)?;
    let sealed = seal(
        &ctx.sts.sealer,
        Session {
            account_id,
            role: None,
            name,
            source: SessionSource::Federation {
                parent_arn: caller.arn.clone(),
                parent_id: caller.user_id.clone(),
            },
            policies: &policies,
            carried: Carried {
                tags,
                ..Carried::default()
            },
            duration,
        },
    )?;
    tracing::info!(caller = %caller.arn, federated_user = name, duration, "federation token issued");
    let result = GetFederationTokenResult {
        credentials: sealed.credentials,
        federated_user: FederatedUser {
            federated_user_id: format!("{account_id}:{name}"),
            arn,
        },
        packed_policy_size: sealed.packed_policy_size,
    };
    respond(
        req.service,
        "GetFederationToken",
        req.request_id,
        Some(&result),
    )
}
