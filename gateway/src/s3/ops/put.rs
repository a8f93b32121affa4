//! PutObject: the body streams from the verifier through the transform into the store.

use super::acl::object_access_for_write;
use super::common::{
    checksum_headers, meta_from_headers, tags_from_header, write_precondition, Ctx, Request,
};
use super::lock_headers::lock_for_write;
use super::object_checksum::checksum_type;
use super::write::{seal_new, stage_body, Destination, NewVersion};
use crate::s3::error::S3Error;
use crate::s3::http::quote_etag;
use crate::s3::response::Response;

/// PutObject.
pub async fn put_object(ctx: &Ctx, mut req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?, req.key()?);
    // Everything the headers say is checked before the body is read.
    let meta = meta_from_headers(req.headers)?;
    let class = ctx.class_from_client(req.header("x-amz-storage-class"))?;
    let tags = tags_from_header(req.header("x-amz-tagging"))?;
    let precondition = write_precondition(req.headers)?;
    let access = object_access_for_write(ctx, bucket, req.headers, req.caller)?;
    let lock = lock_for_write(ctx, bucket, req.headers, true).await?;
    let internal = seal_new(ctx, bucket, key, class.as_deref(), req.headers).await?;
    let to = Destination::Object {
        bucket,
        key,
        class: class.as_deref(),
    };
    let tier = class.as_deref().filter(|c| ctx.class_names.is_tier(c));
    let staged = stage_body(ctx, to, &mut req.body, &internal, 1, req.headers)
        .await
        .map_err(|e| e.at_tier(tier))?;
    let described = ctx.transform.describe(&internal);
    // The client's checksums, as verified (the store may keep them sealed); a PutObject's
    // are always of the full object.
    let mut checksums = checksum_headers(&staged.checksums);
    if let Some(kind) = checksum_type(&staged.checksums) {
        checksums.push(("x-amz-checksum-type".into(), kind.into()));
    }
    let new = NewVersion {
        meta,
        tags,
        precondition,
        internal,
        access,
        lock,
        promised: None,
    };
    let info = staged.commit_object(ctx, bucket, key, new).await?;
    let mut resp = Response::ok().with("etag", quote_etag(&info.etag));
    resp.tier = tier.map(str::to_string);
    resp.written = Some((&info).into());
    if info.version_id != "null" {
        resp = resp.with("x-amz-version-id", info.version_id.clone());
    }
    resp.headers.extend(checksums);
    resp.headers.extend(described);
    resp.headers.extend(ctx.expiration_header(&info));
    Ok(resp)
}
