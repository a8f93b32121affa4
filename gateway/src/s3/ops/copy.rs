//! CopyObject and UploadPartCopy: the source's bytes stream into the destination's write,
//! decoded and encoded by the body transform on the way.

use super::acl::object_access_for_write;
use super::lock_headers::lock_for_write;
use strata_volume::StoredObject;

use super::common::{
    declared_algorithm, meta_from_headers, tags_from_header, write_precondition, Ctx, Request,
};
use super::object_checksum::{announced, checksum_type};
use super::slow_answer::{answer_slow_work, EarlyHead, SlowWork};
use super::write::{seal_new, stage_copy, CopyChecksums, Destination, NewVersion};
use crate::s3::actions::source_tags_need;
use crate::s3::copy_source::{parse_copy_source, CopySource};
use crate::s3::error::{Code, S3Error};
use crate::s3::http::{evaluate_conditions, iso8601, parse_copy_range, quote_etag, Precondition};
use crate::s3::response::Response;
use crate::s3::xml::{CopyObjectResult, CopyPartResult, S3_NS};

/// Opens the source version and applies `x-amz-copy-source-if-*` before any of its shards is
/// read; an archived source that is not restored is refused.
async fn open_source<'h>(
    ctx: &Ctx,
    headers: &'h http::HeaderMap,
) -> Result<(CopySource<'h>, StoredObject), S3Error> {
    let value = crate::s3::http::header(headers, "x-amz-copy-source")
        .ok_or_else(|| Code::InvalidArgument.with("x-amz-copy-source is required"))?;
    let src = parse_copy_source(value)?;
    let obj = ctx
        .store
        .open_object(&src.bucket, &src.key, src.version_id)
        .await?;
    let info = obj.info();
    // An archived source is copied only once restored, as on AWS.
    ctx.check_readable(info)?;
    // A copy answers 412 for both kinds of failed condition.
    match evaluate_conditions(
        headers,
        "x-amz-copy-source-if-",
        &info.etag,
        info.last_modified,
    ) {
        Precondition::Proceed => Ok((src, obj)),
        _ => Err(Code::PreconditionFailed
            .with("at least one of the pre-conditions you specified did not hold")),
    }
}

/// A copy source larger than the copy may take.
fn too_large(size: u64, max: u64) -> S3Error {
    Code::InvalidRequest.with(format!(
        "the specified copy source is larger than the maximum allowable size for a copy source: {max} (it has {size} bytes)"
    ))
}

/// CopyObject (metadata and tagging directives COPY / REPLACE).
pub async fn copy_object(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?, req.key()?);
    let access = object_access_for_write(ctx, bucket, req.headers, req.caller)?;
    let (src, obj) = open_source(ctx, req.headers).await?;
    let info = obj.info().clone();
    if info.size > ctx.limits.max_put_size {
        return Err(too_large(info.size, ctx.limits.max_put_size));
    }
    let replace_meta = match req.header("x-amz-metadata-directive") {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(_) => return Err(Code::InvalidArgument.with("unknown metadata directive")),
    };
    let tags = match req.header("x-amz-tagging-directive") {
        None | Some("COPY") => {
            if !info.tags.is_empty() {
                req.authorize.need(req.caller, &source_tags_need(&src))?;
            }
            info.tags.clone()
        }
        Some("REPLACE") => tags_from_header(req.header("x-amz-tagging"))?,
        Some(_) => return Err(Code::InvalidArgument.with("unknown tagging directive")),
    };
    let class_header = req.header("x-amz-storage-class");
    let storage_class = ctx.class_from_client(class_header)?;
    let same_object = src.bucket == bucket && src.key == key && src.version_id.is_none();
    if same_object && !replace_meta && class_header.is_none() {
        return Err(Code::InvalidRequest.with(
            "this copy request is illegal because it is trying to copy an object to itself \
             without changing the object's metadata, storage class, website redirect location \
             or encryption attributes",
        ));
    }
    let meta = if replace_meta {
        meta_from_headers(req.headers)?
    } else {
        info.meta.clone()
    };
    let precondition = write_precondition(req.headers)?;
    // Without the header the copy is STANDARD (the namespace class), whatever the source's
    // class, as on AWS.
    let class = storage_class;
    let internal = seal_new(ctx, bucket, key, class.as_deref(), req.headers).await?;
    // A copy is one new object: a multipart source's checksum (made from its parts) is
    // computed again over the whole, and `x-amz-checksum-algorithm` chooses another.
    let sums = match (declared_algorithm(req.headers)?, announced(&info.checksums)) {
        (Some(alg), _) => CopyChecksums::Compute(alg),
        (None, Some((alg, _))) if !info.parts.is_empty() => CopyChecksums::Compute(alg),
        (None, _) => CopyChecksums::Source,
    };
    // The tier the copy writes to, else the one its source is read from.
    let tier = match class.as_deref().filter(|c| ctx.class_names.is_tier(c)) {
        Some(to) => Some(to.to_string()),
        None => obj.reads_from_tier().map(str::to_string),
    };
    // The bytes may stream for minutes: the answer's head may go out first (`slow_answer`),
    // with the version id promised to the commit.
    let promised = ctx.store.promise_version(bucket)?;
    let mut early = source_version_header(&info.version_id);
    early.extend(ctx.transform.describe(&internal));
    if promised.text() != "null" {
        early.push(("x-amz-version-id".to_string(), promised.text()));
    }
    let copying = CopyingObject {
        bucket: bucket.to_string(),
        key: key.to_string(),
        class,
        source: obj,
        source_version: info.version_id.clone(),
        headers: req.headers.clone(),
        sums,
        tier,
        new: NewVersion {
            meta,
            tags,
            precondition,
            internal,
            access,
            lock: lock_for_write(ctx, bucket, req.headers, false).await?,
            promised: Some(promised),
        },
    };
    let head = early_head(early, bucket, key, req.request_id);
    answer_slow_work(ctx, head, copying).await
}

/// A CopyObject checked and ready to stream.
struct CopyingObject {
    bucket: String,
    key: String,
    class: Option<String>,
    source: StoredObject,
    source_version: String,
    headers: http::HeaderMap,
    sums: CopyChecksums,
    tier: Option<String>,
    new: NewVersion,
}

impl SlowWork for CopyingObject {
    async fn finish(self, ctx: &Ctx) -> Result<Response, S3Error> {
        let CopyingObject {
            bucket,
            key,
            class,
            source,
            source_version,
            headers,
            sums,
            tier,
            new,
        } = self;
        let to = Destination::Object {
            bucket: &bucket,
            key: &key,
            class: class.as_deref(),
        };
        let staged = stage_copy(ctx, to, source, None, &new.internal, 1, &headers, sums)
            .await
            .map_err(|e| e.at_tier(tier.as_deref()))?;
        let described = ctx.transform.describe(&new.internal);
        // The source's checksums, opened (the store may keep the copy's sealed).
        let checksums = staged.checksums.clone();
        let written = staged.commit_object(ctx, &bucket, &key, new).await?;
        let cs = |n: &str| checksums.get(n).filter(|v| !v.is_empty()).cloned();
        let mut resp = Response::xml(&CopyObjectResult {
            xmlns: S3_NS,
            ETag: quote_etag(&written.etag),
            LastModified: iso8601(written.last_modified),
            ChecksumCRC32: cs("CRC32"),
            ChecksumCRC32C: cs("CRC32C"),
            ChecksumCRC64NVME: cs("CRC64NVME"),
            ChecksumSHA1: cs("SHA1"),
            ChecksumSHA256: cs("SHA256"),
            ChecksumType: checksum_type(&checksums).map(str::to_string),
        })?;
        resp.headers.extend(source_version_header(&source_version));
        if written.version_id != "null" {
            resp = resp.with("x-amz-version-id", written.version_id.clone());
        }
        resp.headers.extend(described);
        resp.headers.extend(ctx.expiration_header(&written));
        resp.tier = tier;
        resp.written = Some((&written).into());
        Ok(resp)
    }
}

/// `x-amz-copy-source-version-id`, for a source that has a version id.
fn source_version_header(version: &str) -> Vec<(String, String)> {
    match version {
        "null" => Vec::new(),
        v => vec![("x-amz-copy-source-version-id".to_string(), v.to_string())],
    }
}

/// The head a copy's answer may go out with before the copy ends.
fn early_head(headers: Vec<(String, String)>, bucket: &str, key: &str, id: &str) -> EarlyHead {
    EarlyHead {
        headers,
        resource: format!("/{bucket}/{key}"),
        request_id: id.to_string(),
    }
}

/// UploadPartCopy, optionally of a byte range of the source.
pub async fn upload_part_copy(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?, req.key()?);
    let (upload_id, part_number) = super::multipart::part_target(&req)?;
    let range = req
        .header("x-amz-copy-source-range")
        .map(parse_copy_range)
        .transpose()?;
    let upload = ctx.store.upload(bucket, key, &upload_id).await?;
    let (_, obj) = open_source(ctx, req.headers).await?;
    let source_version = obj.info().version_id.clone();
    let span = obj.select(range.as_ref(), None)?;
    let len = span.as_ref().map_or(obj.info().size, |s| s.end - s.start);
    if len > ctx.limits.max_part_size {
        return Err(too_large(len, ctx.limits.max_part_size));
    }
    // A part of an upload created with an algorithm has its value, as an uploaded part has.
    let sums = match announced(&upload.checksums) {
        Some((alg, _)) => CopyChecksums::Compute(alg),
        None => CopyChecksums::Source,
    };
    // The tier the part goes to, else the one its source is read from.
    let tier = super::multipart::upload_tier(ctx, &upload)
        .or_else(|| obj.reads_from_tier())
        .map(str::to_string);
    let early = source_version_header(&source_version);
    let copying = CopyingPart {
        source_version,
        bucket: bucket.to_string(),
        key: key.to_string(),
        upload_id,
        part_number,
        source: obj,
        span,
        internal: upload.internal,
        headers: req.headers.clone(),
        sums,
        tier,
    };
    let head = early_head(early, bucket, key, req.request_id);
    answer_slow_work(ctx, head, copying).await
}

/// An UploadPartCopy checked and ready to stream.
struct CopyingPart {
    bucket: String,
    key: String,
    upload_id: String,
    part_number: u32,
    source: StoredObject,
    source_version: String,
    span: Option<std::ops::Range<u64>>,
    internal: crate::transform::Internal,
    headers: http::HeaderMap,
    sums: CopyChecksums,
    tier: Option<String>,
}

impl SlowWork for CopyingPart {
    async fn finish(self, ctx: &Ctx) -> Result<Response, S3Error> {
        let (bucket, key, upload_id) = (&self.bucket, &self.key, &self.upload_id);
        let to = Destination::Part {
            bucket,
            key,
            upload_id,
        };
        let staged = stage_copy(
            ctx,
            to,
            self.source,
            self.span,
            &self.internal,
            self.part_number,
            &self.headers,
            self.sums,
        )
        .await
        .map_err(|e| e.at_tier(self.tier.as_deref()))?;
        let checksums = staged.checksums.clone();
        let part = staged
            .commit_part(ctx, bucket, key, upload_id, self.part_number)
            .await?;
        let cs = |n: &str| checksums.get(n).filter(|v| !v.is_empty()).cloned();
        let mut resp = Response::xml(&CopyPartResult {
            xmlns: S3_NS,
            ETag: quote_etag(&part.etag),
            LastModified: iso8601(part.last_modified),
            ChecksumCRC32: cs("CRC32"),
            ChecksumCRC32C: cs("CRC32C"),
            ChecksumCRC64NVME: cs("CRC64NVME"),
            ChecksumSHA1: cs("SHA1"),
            ChecksumSHA256: cs("SHA256"),
        })?;
        resp.headers
            .extend(source_version_header(&self.source_version));
        resp.tier = self.tier;
        Ok(resp)
    }
}
