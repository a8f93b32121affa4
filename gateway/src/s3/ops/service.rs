//! `POST /` with a form: the IAM and STS query APIs, on the same endpoint as S3.

use super::common::{Ctx, Request};
use crate::query_api::{Form, QueryRequest, Service};
use crate::s3::condition_keys::GlobalKeys;
use crate::s3::error::S3Error;
use crate::s3::response::Response;

/// The most form bytes a query API request may carry (its body was read to authenticate
/// it, under the stack's own bound; this one is the same).
const MAX_FORM: usize = 64 * 1024;

/// Reads the form and hands it to the API its signature names.
pub async fn service_post(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let body = req.body.collect(MAX_FORM).await?;
    let form = Form::parse(&body)?;
    let query = QueryRequest {
        caller: req.caller,
        request_id: req.request_id,
        form: &form,
        service: Service::of(req.signed_service)?,
        global_keys: &GlobalKeys(req.authorize.context),
    };
    match query.service {
        Service::Iam => crate::iam_api::handle(ctx, &query).await,
        Service::Sts => crate::sts_api::handle(ctx, &query).await,
    }
}
