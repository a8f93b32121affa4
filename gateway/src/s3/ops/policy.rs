//! Bucket policies: Get/Put/DeleteBucketPolicy and GetBucketPolicyStatus. The authorizer
//! enforces them (`bucket_access`); a change is seen by the next request.

use super::common::{Ctx, Request};
use crate::bucket_access::{parse_for_put, BucketPolicy, POLICY_CONFIG};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;
use crate::s3::xml::{PolicyStatus, S3_NS};

/// GetBucketPolicy: the document as it was put.
pub async fn get_bucket_policy(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    match ctx
        .store
        .get_bucket_config(req.bucket()?, POLICY_CONFIG)
        .await?
    {
        Some(doc) => Ok(Response::bytes("application/json", doc.into())),
        None => Err(no_policy()),
    }
}

/// PutBucketPolicy: a valid bucket policy (`MalformedPolicy` with the reason otherwise) that
/// grants nothing to the public while the bucket blocks public policies.
pub async fn put_bucket_policy(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect(strata_policy::limits::BUCKET).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| Code::MalformedPolicy.with("policies must be UTF-8 JSON"))?;
    let block = ctx.bucket_access.get(&bucket)?.public_block.block;
    parse_for_put(text, &bucket, block)?;
    ctx.store
        .put_bucket_config(&bucket, POLICY_CONFIG, body.to_vec())
        .await?;
    ctx.bucket_access.forget(&bucket);
    Ok(Response::no_content())
}

/// DeleteBucketPolicy.
pub async fn delete_bucket_policy(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store
        .delete_bucket_config(bucket, POLICY_CONFIG)
        .await?;
    ctx.bucket_access.forget(bucket);
    Ok(Response::no_content())
}

/// GetBucketPolicyStatus: whether the policy makes the bucket public.
pub async fn get_bucket_policy_status(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store.bucket_info(bucket).await?;
    let public = match ctx.bucket_access.policy(bucket)? {
        BucketPolicy::None => return Err(no_policy()),
        BucketPolicy::Some(policy) => policy.grants_public_access(),
        BucketPolicy::Unreadable(why) => {
            return Err(Code::MalformedPolicy
                .with(format!("the stored bucket policy does not compile: {why}")))
        }
    };
    Response::xml(&PolicyStatus {
        xmlns: S3_NS,
        is_public: public,
    })
}

fn no_policy() -> S3Error {
    Code::NoSuchBucketPolicy.with("The bucket policy does not exist")
}
