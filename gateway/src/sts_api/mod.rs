//! The AWS STS query API: AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity.

use crate::query_api::QueryRequest;
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Ctx;
use crate::s3::response::Response;

/// Runs one STS action.
pub async fn handle(_ctx: &Ctx, req: &QueryRequest<'_>) -> Result<Response, S3Error> {
    let action = req.form.action()?;
    Err(Code::InvalidAction.with(format!(
        "the STS action {action} is not implemented by strata"
    )))
}
