//! `GetCallerIdentity`: who signed.

use super::xml::GetCallerIdentityResult;
use crate::auth::Principal;
use crate::query_api::{respond, QueryRequest};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// Answers the signer's ARN, user id and account (no permission is needed, as on AWS).
pub fn get_caller_identity(req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let Principal::Key { identity, .. } = req.caller else {
        return Err(Code::AccessDenied.with("GetCallerIdentity must be signed"));
    };
    let result = GetCallerIdentityResult {
        arn: identity.arn.clone(),
        user_id: identity.user_id.clone(),
        account: identity.account.id.clone(),
    };
    respond(
        req.service,
        "GetCallerIdentity",
        req.request_id,
        Some(&result),
    )
}
