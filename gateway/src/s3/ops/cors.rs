//! Get/Put/DeleteBucketCors. The rules are enforced by the request path (`crate::cors`),
//! through the bucket's cached controls; a change is seen by the next request.

use super::common::{Ctx, Request};
use crate::cors::{CorsRules, CORS_CONFIG, MAX_CORS_BODY};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// GetBucketCors: the rules as stored.
pub async fn get_bucket_cors(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    match ctx
        .store
        .get_bucket_config(req.bucket()?, CORS_CONFIG)
        .await?
    {
        Some(doc) => Ok(Response::bytes("application/xml", doc.into())),
        None => Err(Code::NoSuchCORSConfiguration.with("The CORS configuration does not exist")),
    }
}

/// PutBucketCors: replaces the rules with a valid configuration.
pub async fn put_bucket_cors(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect_document(MAX_CORS_BODY).await?;
    let rules = CorsRules::parse_for_put(&body)?;
    ctx.store
        .put_bucket_config(&bucket, CORS_CONFIG, rules.encode()?)
        .await?;
    ctx.bucket_access.forget(&bucket);
    Ok(Response::ok())
}

/// DeleteBucketCors.
pub async fn delete_bucket_cors(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store.delete_bucket_config(bucket, CORS_CONFIG).await?;
    ctx.bucket_access.forget(bucket);
    Ok(Response::no_content())
}
