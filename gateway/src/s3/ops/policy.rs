//! Bucket policies: stored and returned as given; enforcement arrives with IAM.

use super::common::{Ctx, Request};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// Config kind under which the policy is stored.
const POLICY: &str = "policy";
/// S3's limit on a bucket policy document.
const MAX_POLICY: usize = 20 * 1024;

/// GetBucketPolicy.
pub async fn get_bucket_policy(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    match ctx.store.get_bucket_config(req.bucket()?, POLICY).await? {
        Some(doc) => Ok(Response::bytes("application/json", doc.into())),
        None => Err(Code::NoSuchBucketPolicy.with("the bucket policy does not exist")),
    }
}

/// PutBucketPolicy: the document must be a JSON object with a `Statement`.
pub async fn put_bucket_policy(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect(MAX_POLICY).await?;
    let doc: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| Code::MalformedPolicy.with(format!("policies must be valid JSON: {e}")))?;
    if doc.get("Statement").is_none() {
        return Err(Code::MalformedPolicy.with("missing required field Statement"));
    }
    ctx.store
        .put_bucket_config(&bucket, POLICY, body.to_vec())
        .await?;
    Ok(Response::no_content())
}

/// DeleteBucketPolicy.
pub async fn delete_bucket_policy(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    ctx.store
        .delete_bucket_config(req.bucket()?, POLICY)
        .await?;
    Ok(Response::no_content())
}
