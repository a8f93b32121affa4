//! CopyObject and UploadPartCopy: the source's body streams into the destination's write.

use futures::StreamExt;
use percent_encoding::percent_decode_str;
use strata_volume::{GetOptions, ObjectRead, PartOptions, PutOptions};

use super::common::{
    meta_from_headers, tags_from_header, write_precondition, Ctx, Request, Response,
};
use crate::s3::error::{Code, S3Error};
use crate::s3::http::{evaluate_conditions, iso8601, parse_copy_range, quote_etag, Precondition};
use crate::s3::names::{validate_bucket_name, validate_key};
use crate::s3::xml::{CopyObjectResult, CopyPartResult, S3_NS};

/// `x-amz-copy-source`: `[/]bucket/key[?versionId=id]`, URL-encoded.
struct CopySource {
    bucket: String,
    key: String,
    version_id: Option<String>,
}

fn parse_copy_source(value: &str) -> Result<CopySource, S3Error> {
    let bad =
        || Code::InvalidArgument.with("copy source must be of the form bucket/key[?versionId=id]");
    let (path, query) = match value.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (value, None),
    };
    let path = percent_decode_str(path.trim_start_matches('/'))
        .decode_utf8()
        .map_err(|_| bad())?;
    let (bucket, key) = path.split_once('/').ok_or_else(bad)?;
    if key.is_empty() {
        return Err(bad());
    }
    validate_bucket_name(bucket, false)?;
    validate_key(key)?;
    let version_id = match query {
        None => None,
        Some(q) => Some(
            q.strip_prefix("versionId=")
                .filter(|v| !v.is_empty())
                .ok_or_else(bad)?
                .to_string(),
        ),
    };
    Ok(CopySource {
        bucket: bucket.to_string(),
        key: key.to_string(),
        version_id,
    })
}

/// Opens the source (with an optional range) and applies `x-amz-copy-source-if-*`.
async fn open_source(
    ctx: &Ctx,
    headers: &http::HeaderMap,
    range: Option<strata_volume::ByteRange>,
) -> Result<(CopySource, ObjectRead), S3Error> {
    let value = crate::s3::http::header(headers, "x-amz-copy-source")
        .ok_or_else(|| Code::InvalidArgument.with("x-amz-copy-source is required"))?;
    let src = parse_copy_source(value)?;
    let opts = GetOptions {
        version_id: src.version_id.clone(),
        range,
        part_number: None,
    };
    let read = ctx.store.get_object(&src.bucket, &src.key, opts).await?;
    let info = &read.info;
    // A copy answers 412 for both kinds of failed condition.
    match evaluate_conditions(
        headers,
        "x-amz-copy-source-if-",
        &info.etag,
        info.last_modified,
    ) {
        Precondition::Proceed => Ok((src, read)),
        _ => Err(Code::PreconditionFailed
            .with("at least one of the pre-conditions you specified did not hold")),
    }
}

/// The source body as the store's writes want it.
fn source_body(
    read: ObjectRead,
) -> impl futures::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + Unpin {
    read.body.map(|r| r.map_err(std::io::Error::other))
}

/// CopyObject (metadata and tagging directives COPY / REPLACE).
pub async fn copy_object(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?.to_string(), req.key()?.to_string());
    let (src, read) = open_source(ctx, req.headers, None).await?;
    let info = read.info.clone();
    let replace_meta = match req.header("x-amz-metadata-directive") {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(_) => return Err(Code::InvalidArgument.with("unknown metadata directive")),
    };
    let tags = match req.header("x-amz-tagging-directive") {
        None | Some("COPY") => info.tags.clone(),
        Some("REPLACE") => tags_from_header(req.header("x-amz-tagging"))?,
        Some(_) => return Err(Code::InvalidArgument.with("unknown tagging directive")),
    };
    let storage_class = ctx.class_from_client(req.header("x-amz-storage-class"))?;
    let same_object = src.bucket == bucket && src.key == key && src.version_id.is_none();
    if same_object && !replace_meta && storage_class.is_none() {
        return Err(Code::InvalidRequest.with(
            "this copy request is illegal because it is trying to copy an object to itself \
             without changing the object's metadata, storage class, website redirect location \
             or encryption attributes",
        ));
    }
    let opts = PutOptions {
        meta: if replace_meta {
            meta_from_headers(req.headers)?
        } else {
            info.meta.clone()
        },
        storage_class: storage_class.or_else(|| Some(info.storage_class.clone())),
        tags,
        checksums: info.checksums.clone(),
        expected_size: Some(info.size),
        precondition: write_precondition(req.headers)?,
        ..PutOptions::default()
    };
    let written = ctx
        .store
        .put_object(&bucket, &key, opts, source_body(read))
        .await?;
    let cs = |n: &str| written.checksums.get(n).filter(|v| !v.is_empty()).cloned();
    let mut resp = Response::xml(&CopyObjectResult {
        xmlns: S3_NS,
        ETag: quote_etag(&written.etag),
        LastModified: iso8601(written.last_modified),
        ChecksumCRC32: cs("CRC32"),
        ChecksumCRC32C: cs("CRC32C"),
        ChecksumCRC64NVME: cs("CRC64NVME"),
        ChecksumSHA1: cs("SHA1"),
        ChecksumSHA256: cs("SHA256"),
    })?;
    if info.version_id != "null" {
        resp = resp.with("x-amz-copy-source-version-id", info.version_id.clone());
    }
    if written.version_id != "null" {
        resp = resp.with("x-amz-version-id", written.version_id.clone());
    }
    Ok(resp)
}

/// UploadPartCopy, optionally of a byte range of the source.
pub async fn upload_part_copy(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?.to_string(), req.key()?.to_string());
    let (upload_id, part_number) = super::multipart::part_target(&req)?;
    let range = req
        .header("x-amz-copy-source-range")
        .map(parse_copy_range)
        .transpose()?;
    let (_, read) = open_source(ctx, req.headers, range).await?;
    let source_version = read.info.version_id.clone();
    let len = read.range.map_or(read.info.size, |(_, len)| len);
    let opts = PartOptions {
        expected_size: Some(len),
        ..PartOptions::default()
    };
    let part = ctx
        .store
        .upload_part(
            &bucket,
            &key,
            &upload_id,
            part_number,
            opts,
            source_body(read),
        )
        .await?;
    let resp = Response::xml(&CopyPartResult {
        xmlns: S3_NS,
        ETag: quote_etag(&part.etag),
        LastModified: iso8601(part.last_modified),
    })?;
    Ok(if source_version != "null" {
        resp.with("x-amz-copy-source-version-id", source_version)
    } else {
        resp
    })
}
