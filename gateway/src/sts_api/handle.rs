//! One STS action per form: the dispatch table, the parameters and callers each action
//! takes, and the count of each answer.

use super::parameters::{only, taken_by};
use super::{
    assume_role, caller_identity, federation_token, ldap_identity, session_token, web_identity,
};
use crate::auth::Principal;
use crate::identity::Temporary;
use crate::query_api::QueryRequest;
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// The actions that issue credentials (counted as issuances when they succeed).
const ISSUING: [&str; 5] = [
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithLDAPIdentity",
    "GetSessionToken",
    "GetFederationToken",
];

/// Runs one STS action.
pub async fn handle(ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let action = match req.form.action() {
        Ok(action) => action,
        Err(e) => {
            ctx.sts.metrics.sts_answered("", Err(&e));
            return Err(e);
        }
    };
    let result = run(ctx, req, action).await;
    ctx.sts
        .metrics
        .sts_answered(action, result.as_ref().map(|_| ISSUING.contains(&action)));
    result
}

async fn run(ctx: &Ctx, req: &QueryRequest<'_>, action: &str) -> Result<Response, S3Error> {
    let known = matches!(action, "GetCallerIdentity") || ISSUING.contains(&action);
    if !known {
        return Err(Code::InvalidAction.with(format!(
            "the STS action {action} is not implemented by strata"
        )));
    }
    callable_by(req.caller, action)?;
    only(req.form, action, taken_by(action))?;
    match action {
        "GetCallerIdentity" => caller_identity::get_caller_identity(req),
        "AssumeRole" => assume_role::assume_role(ctx, req),
        "AssumeRoleWithWebIdentity" => web_identity::assume_role_with_web_identity(ctx, req).await,
        "AssumeRoleWithLDAPIdentity" => {
            ldap_identity::assume_role_with_ldap_identity(ctx, req).await
        }
        "GetSessionToken" => session_token::get_session_token(ctx, req),
        // The one known action left: GetFederationToken.
        _ => federation_token::get_federation_token(ctx, req),
    }
}

/// The STS actions temporary credentials of the caller itself may call, as on AWS:
/// `GetSessionToken`'s only `AssumeRole` and `GetCallerIdentity`, `GetFederationToken`'s
/// only `GetCallerIdentity`.
fn callable_by(caller: &Principal, action: &str) -> Result<(), S3Error> {
    let Principal::Key { identity, .. } = caller else {
        return Ok(());
    };
    let allowed = match identity.temporary {
        Some(Temporary::SessionToken) => matches!(action, "AssumeRole" | "GetCallerIdentity"),
        Some(Temporary::FederationToken) => action == "GetCallerIdentity",
        Some(Temporary::RoleSession) | None => true,
    };
    if allowed {
        return Ok(());
    }
    Err(Code::AccessDenied.with(format!(
        "{action} cannot be called with the temporary credentials of GetSessionToken or GetFederationToken"
    )))
}
