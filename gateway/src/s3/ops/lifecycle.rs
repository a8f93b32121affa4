//! Get/Put/DeleteBucketLifecycleConfiguration. The rules are carried out by the scanner's
//! pass (`crate::lifecycle::LifecycleOnScan`) and shown in `x-amz-expiration`, both through
//! the bucket's cached controls; a change is seen by the next request and the next pass.

use super::common::{Ctx, Request};
use crate::config::STANDARD_CLASS;
use crate::lifecycle::{
    Lifecycle, MinSize, LIFECYCLE_CONFIG, MAX_LIFECYCLE_BODY, MIN_SIZE_CONFIG, MIN_SIZE_HEADER,
};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

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
    let min_size = match req.header(MIN_SIZE_HEADER) {
        None => MinSize::Unset,
        Some(v) => MinSize::parse(v)?,
    };
    let body = req.body.collect_document(MAX_LIFECYCLE_BODY).await?;
    let (_, doc) = Lifecycle::parse_for_put(&body, &|name| transition_target(ctx, name))?;
    ctx.store
        .put_bucket_config(&bucket, LIFECYCLE_CONFIG, doc)
        .await?;
    match min_size.name() {
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
    Ok(Response::ok().with_opt(MIN_SIZE_HEADER, min_size.name()))
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

/// A transition's `StorageClass` must name a class objects can move to: one of the
/// configured classes other than the one they are written to.
fn transition_target(ctx: &Ctx, name: &str) -> Result<(), S3Error> {
    if name == STANDARD_CLASS {
        return Err(Code::InvalidArgument
            .with("a transition cannot go to STANDARD, the class objects are written to"));
    }
    match ctx.class_names.from_client(name) {
        Some(_) => Ok(()),
        None => Err(Code::InvalidStorageClass.with(format!(
            "The storage class you specified is not valid: no class of this server is called {name}"
        ))),
    }
}
