//! One STS action per form: the dispatch table, and the count of each answer.

use super::{assume_role, caller_identity, ldap_identity, web_identity};
use crate::query_api::QueryRequest;
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// Runs one STS action.
pub async fn handle(ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let action = match req.form.action() {
        Ok(action) => action,
        Err(e) => {
            ctx.sts.metrics.sts_answered("", Err(&e));
            return Err(e);
        }
    };
    let result = match action {
        "GetCallerIdentity" => caller_identity::get_caller_identity(req),
        "AssumeRole" => assume_role::assume_role(ctx, req),
        "AssumeRoleWithWebIdentity" => web_identity::assume_role_with_web_identity(ctx, req).await,
        "AssumeRoleWithLDAPIdentity" => {
            ldap_identity::assume_role_with_ldap_identity(ctx, req).await
        }
        other => Err(Code::InvalidAction.with(format!(
            "the STS action {other} is not implemented by strata"
        ))),
    };
    let issues = matches!(
        action,
        "AssumeRole" | "AssumeRoleWithWebIdentity" | "AssumeRoleWithLDAPIdentity"
    );
    ctx.sts
        .metrics
        .sts_answered(action, result.as_ref().map(|_| issues));
    result
}
