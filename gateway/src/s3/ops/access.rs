//! Object Ownership and Block Public Access: Get/Put/DeleteBucketOwnershipControls and
//! Get/Put/DeletePublicAccessBlock. The authorizer reads them (`bucket_access`); a change is
//! seen by the next request.

use super::common::{Ctx, Request};
use crate::bucket_access::{
    configuration_xml, controls_xml, not_configured, parse_configuration, parse_controls,
    Ownership, OwnershipSetting, PublicBlockSetting, OWNERSHIP_CONFIG, PUBLIC_BLOCK_CONFIG,
};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;
use crate::s3::xml::MAX_XML_BODY;

/// GetBucketOwnershipControls.
pub async fn get_ownership(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store.bucket_info(bucket).await?;
    match ctx.bucket_access.get(bucket)?.ownership.0 {
        Some(ownership) => Ok(Response::bytes("application/xml", controls_xml(ownership)?)),
        None => Err(Code::OwnershipControlsNotFoundError
            .with("The bucket ownership controls were not found")),
    }
}

/// PutBucketOwnershipControls. Enforcing ownership needs a bucket ACL that grants nothing
/// beyond the owner, as on AWS.
pub async fn put_ownership(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let ownership = parse_controls(&body)?;
    let controls = ctx.bucket_access.get(&bucket)?;
    if ownership == Ownership::BucketOwnerEnforced
        && controls.acl.as_ref().is_some_and(|acl| !acl.owner_only())
    {
        return Err(Code::InvalidBucketAclWithObjectOwnership.with(
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        ));
    }
    let doc = OwnershipSetting(Some(ownership)).encode();
    ctx.store
        .put_bucket_config(&bucket, OWNERSHIP_CONFIG, doc)
        .await?;
    ctx.bucket_access.forget(&bucket);
    Ok(Response::ok())
}

/// DeleteBucketOwnershipControls: the bucket behaves as `ObjectWriter`, as on AWS.
pub async fn delete_ownership(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store
        .put_bucket_config(bucket, OWNERSHIP_CONFIG, OwnershipSetting(None).encode())
        .await?;
    ctx.bucket_access.forget(bucket);
    Ok(Response::no_content())
}

/// GetPublicAccessBlock.
pub async fn get_public_block(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store.bucket_info(bucket).await?;
    let setting = ctx.bucket_access.get(bucket)?.public_block;
    if !setting.configured {
        return Err(not_configured());
    }
    Ok(Response::bytes(
        "application/xml",
        configuration_xml(setting.block)?,
    ))
}

/// PutPublicAccessBlock.
pub async fn put_public_block(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?.to_string();
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let block = parse_configuration(&body)?;
    ctx.store
        .put_bucket_config(
            &bucket,
            PUBLIC_BLOCK_CONFIG,
            PublicBlockSetting::configured(block).encode(),
        )
        .await?;
    ctx.bucket_access.forget(&bucket);
    Ok(Response::ok())
}

/// DeletePublicAccessBlock: nothing is blocked any more.
pub async fn delete_public_block(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let bucket = req.bucket()?;
    ctx.store
        .put_bucket_config(
            bucket,
            PUBLIC_BLOCK_CONFIG,
            PublicBlockSetting::NONE.encode(),
        )
        .await?;
    ctx.bucket_access.forget(bucket);
    Ok(Response::no_content())
}
