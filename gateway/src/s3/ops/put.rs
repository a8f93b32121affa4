//! PutObject: the body streams from the verifier straight into the store.

use strata_volume::PutOptions;

use super::common::{
    body_check, checksum_headers, content_md5, meta_from_headers, tags_from_header,
    write_precondition, Ctx, Request, Response,
};
use crate::s3::error::S3Error;
use crate::s3::http::quote_etag;

/// Put options from the request headers (metadata, class, tags, preconditions).
/// Checksums are not taken from headers here: the payload verifier checks them and the body
/// check hands the verified values to the store.
pub fn put_options(ctx: &Ctx, req: &Request<'_>) -> Result<PutOptions, S3Error> {
    Ok(PutOptions {
        meta: meta_from_headers(req.headers)?,
        storage_class: ctx.class_from_client(req.header("x-amz-storage-class"))?,
        tags: tags_from_header(req.header("x-amz-tagging"))?,
        expected_size: req.body.length,
        expected_md5: content_md5(req.headers)?,
        precondition: write_precondition(req.headers)?,
        ..PutOptions::default()
    })
}

/// PutObject.
pub async fn put_object(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?.to_string(), req.key()?.to_string());
    let mut opts = put_options(ctx, &req)?;
    opts.body_check = Some(body_check(req.payload.clone()));
    let info = ctx.store.put_object(&bucket, &key, opts, req.body).await?;
    let mut resp = Response::ok().with("etag", quote_etag(&info.etag));
    if info.version_id != "null" {
        resp = resp.with("x-amz-version-id", info.version_id.clone());
    }
    resp.headers.extend(checksum_headers(&info.checksums));
    Ok(resp)
}
