//! Get/Put/DeleteBucketLifecycleConfiguration. The rules are carried out by the scanner's
//! pass (`crate::lifecycle::LifecycleOnScan`) and shown in `x-amz-expiration`, both through
//! the bucket's cached controls; a change is seen by the next request and the next pass.

use super::common::{Ctx, Request};
use crate::lifecycle::{Lifecycle, LIFECYCLE_CONFIG, MAX_LIFECYCLE_BODY};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// `x-amz-transition-default-minimum-object-size`: kept with the rules and answered back.
const MIN_SIZE_HEADER: &str = "x-amz-transition-default-minimum-object-size";

/// Where the header's value is kept among the bucket's configuration documents.
const MIN_SIZE_CONFIG: &str = "lifecycle-transition-minimum";

/// The values AWS defines for it.
const MIN_SIZE_VALUES: [&str; 2] = ["all_storage_classes_128K", "varies_by_storage_class"];

/// GetBucketLifecycleConfiguration: the rules as stored (IDs given to those put without).
pub async fn get(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    let Some(doc) = ctx
        .store
        .get_bucket_config(bucket, LIFECYCLE_CONFIG)
        .await?
    else {
        return Err(
            Code::NoSuchLifecycleConfiguration.with("The lifecycle configuration does not exist")
        );
    };
    let min_size = ctx.store.get_bucket_config(bucket, MIN_SIZE_CONFIG).await?;
    Ok(Response::bytes("application/xml", doc.into()).with_opt(
        MIN_SIZE_HEADER,
        min_size.and_then(|v| String::from_utf8(v).ok()),
    ))
}

/// PutBucketLifecycleConfiguration: replaces the rules with a valid configuration.
pub async fn put(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let min_size = match req.header(MIN_SIZE_HEADER).map(str::trim) {
        None => None,
        Some(v) if MIN_SIZE_VALUES.contains(&v) => Some(v.to_string()),
        Some(v) => {
            return Err(Code::InvalidArgument.with(format!(
            "{MIN_SIZE_HEADER} is all_storage_classes_128K or varies_by_storage_class, not {v:?}"
        )))
        }
    };
    let body = req.body.collect_document(MAX_LIFECYCLE_BODY).await?;
    let (_, doc) = Lifecycle::parse_for_put(&body)?;
    ctx.store
        .put_bucket_config(&bucket, LIFECYCLE_CONFIG, doc)
        .await?;
    match &min_size {
        Some(v) => {
            ctx.store
                .put_bucket_config(&bucket, MIN_SIZE_CONFIG, v.as_bytes().to_vec())
                .await?
        }
        None => {
            ctx.store
                .delete_bucket_config(&bucket, MIN_SIZE_CONFIG)
                .await?
        }
    }
    ctx.bucket_access.forget(&bucket);
    Ok(Response::ok().with_opt(MIN_SIZE_HEADER, min_size))
}

/// DeleteBucketLifecycle.
pub async fn delete(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store
        .delete_bucket_config(bucket, LIFECYCLE_CONFIG)
        .await?;
    ctx.store
        .delete_bucket_config(bucket, MIN_SIZE_CONFIG)
        .await?;
    ctx.bucket_access.forget(bucket);
    Ok(Response::no_content())
}
