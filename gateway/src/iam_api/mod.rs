//! The AWS IAM query API (`aws iam --endpoint-url`): users, access keys, groups, policies,
//! roles and OpenID Connect providers of the caller's account.

use crate::query_api::QueryRequest;
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// Runs one IAM action.
pub async fn handle(_ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let action = req.form.action()?;
    Err(Code::InvalidAction.with(format!(
        "the IAM action {action} is not implemented by strata"
    )))
}
