//! Default encryption: Get/Put/DeleteBucketEncryption. Writes read it through the bucket's
//! cached controls (`bucket_access`); a change is seen by the next request.

use super::common::{Ctx, Request};
use crate::bucket_access::{
    encryption_not_configured, encryption_xml, parse_encryption, ENCRYPTION_CONFIG,
};
use crate::s3::error::S3Error;
use crate::s3::response::Response;
use crate::s3::xml::MAX_XML_BODY;

/// GetBucketEncryption: the bucket's own setting, else the server's default (SSE-S3 unless
/// `--sse-default none`, as every AWS bucket reports SSE-S3 since 2023).
pub async fn get_encryption(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store.bucket_info(bucket).await?;
    let setting = ctx
        .bucket_access
        .get(bucket)?
        .encryption
        .clone()
        .or_else(|| ctx.transform.default_encryption());
    match setting {
        Some(setting) => Ok(Response::bytes(
            "application/xml",
            encryption_xml(&setting)?,
        )),
        None => Err(encryption_not_configured()),
    }
}

/// PutBucketEncryption.
pub async fn put_encryption(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let setting = parse_encryption(&body)?;
    ctx.store
        .put_bucket_config(
            &bucket,
            ENCRYPTION_CONFIG,
            encryption_xml(&setting)?.to_vec(),
        )
        .await?;
    ctx.bucket_access.forget(&bucket);
    Ok(Response::ok())
}

/// DeleteBucketEncryption: the bucket goes back to the server's default.
pub async fn delete_encryption(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store
        .delete_bucket_config(bucket, ENCRYPTION_CONFIG)
        .await?;
    ctx.bucket_access.forget(bucket);
    Ok(Response::no_content())
}
