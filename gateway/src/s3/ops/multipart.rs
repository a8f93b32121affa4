//! Multipart uploads: create, upload part, complete, abort, list parts and uploads.

use super::acl::object_access_for_write;
use super::lock_headers::{lock_for_write, require_part_digest};
use http::HeaderMap;
use strata_volume::{
    CompletedPart, ListUploadsOptions, PromisedVersion, UploadInfo, UploadOptions,
    WritePrecondition,
};

use super::common::{
    checksum_headers, checksum_of, meta_from_headers, query_number, tags_from_header,
    write_precondition, Ctx, Request,
};
use super::multipart_checksums::{announce, check_completion, require_part_checksum};
use super::object_checksum::{announced, announcement, checksum_type, reported_checksums};
use super::slow_answer::{answer_slow_work, EarlyHead, SlowWork};
use super::write::{seal_new, stage_body, Destination};
use crate::s3::error::{Code, S3Error};
use crate::s3::http::{iso8601, quote_etag};
use crate::s3::query::param;
use crate::s3::response::Response;
use crate::s3::xml::{
    from_xml, CommonPrefix, CompleteMultipartUpload, CompleteMultipartUploadResult,
    InitiateMultipartUploadResult, ListMultipartUploadsResult, ListPartsResult, PartEntry,
    UploadEntry, MAX_XML_BODY, S3_NS,
};

/// Most parts in one upload, and in one page of ListParts.
const MAX_PARTS: usize = 10_000;
const MAX_PARTS_PAGE: usize = 1000;

/// `?uploadId=` and `?partNumber=` of a part operation.
pub fn part_target(req: &Request<'_>) -> Result<(String, u32), S3Error> {
    let upload_id = upload_id(req)?;
    let part_number = req
        .query
        .get(param::PART_NUMBER)
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| (1..=MAX_PARTS as u32).contains(n))
        .ok_or_else(|| {
            Code::InvalidArgument.with("part number must be an integer between 1 and 10000")
        })?;
    Ok((upload_id, part_number))
}

/// The remote tier an upload's parts and completed object go to, if it names one.
pub fn upload_tier<'a>(ctx: &Ctx, upload: &'a UploadInfo) -> Option<&'a str> {
    Some(upload.storage_class.as_str()).filter(|c| ctx.class_names.is_tier(c))
}

fn upload_id(req: &Request<'_>) -> Result<String, S3Error> {
    req.query
        .get(param::UPLOAD_ID)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| Code::NoSuchUpload.with("the specified upload does not exist"))
}

/// CreateMultipartUpload; `x-amz-checksum-algorithm` is remembered for the parts, and the
/// transform seals the object now (its parts are encoded under that sealing: plaintext
/// bound for a remote tier under the tier's seal, so that the parts leave as they are).
pub async fn create(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?, req.key()?);
    let access = object_access_for_write(ctx, bucket, req.headers, req.caller)?;
    let mut opts = UploadOptions {
        access,
        lock: lock_for_write(ctx, bucket, req.headers, false).await?,
        meta: meta_from_headers(req.headers)?,
        storage_class: ctx.class_from_client(req.header("x-amz-storage-class"))?,
        tags: tags_from_header(req.header("x-amz-tagging"))?,
        ..UploadOptions::default()
    };
    let declared = announce(req.headers)?;
    opts.checksums
        .extend(declared.map(|(alg, kind)| announcement(alg, kind)));
    let class = opts.storage_class.as_deref();
    opts.internal = seal_new(ctx, bucket, key, class, req.headers).await?;
    let described = ctx.transform.describe(&opts.internal);
    let upload_id = ctx.store.create_multipart_upload(bucket, key, opts).await?;
    let mut resp = Response::xml(&InitiateMultipartUploadResult {
        xmlns: S3_NS,
        Bucket: bucket.to_string(),
        Key: key.to_string(),
        UploadId: upload_id,
    })?;
    if let Some((alg, kind)) = declared {
        resp = resp
            .with("x-amz-checksum-algorithm", alg.as_str())
            .with("x-amz-checksum-type", kind.as_str());
    }
    resp.headers.extend(described);
    resp.headers.extend(ctx.abort_headers(bucket, key));
    Ok(resp)
}

/// UploadPart: streams like PutObject, encoded under the upload's sealing (to the upload's
/// remote tier when it names one).
pub async fn upload_part(ctx: &Ctx, mut req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?, req.key()?);
    let (upload_id, part_number) = part_target(&req)?;
    let upload = ctx.store.upload(bucket, key, &upload_id).await?;
    require_part_digest(upload.lock.as_ref(), req.headers)?;
    require_part_checksum(&upload, &mut req.body)?;
    let to = Destination::Part {
        bucket,
        key,
        upload_id: &upload_id,
    };
    let tier = upload_tier(ctx, &upload);
    let staged = stage_body(
        ctx,
        to,
        &mut req.body,
        &upload.internal,
        part_number,
        req.headers,
    )
    .await
    .map_err(|e| e.at_tier(tier))?;
    let checksums = checksum_headers(&staged.checksums);
    let part = staged
        .commit_part(ctx, bucket, key, &upload_id, part_number)
        .await?;
    let mut resp = Response::ok().with("etag", quote_etag(&part.etag));
    resp.tier = tier.map(str::to_string);
    resp.headers.extend(checksums);
    resp.headers
        .extend(ctx.transform.describe(&upload.internal));
    Ok(resp)
}

/// CompleteMultipartUpload, with `If-None-Match: *` / `If-Match` checked at commit. A retry
/// of a completion that succeeded (same upload id and parts, its object still the key's
/// current version) gets the same answer, as SDKs retrying a lost response expect.
pub async fn complete(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (bucket, key) = (req.bucket()?, req.key()?);
    let upload_id = upload_id(&req)?;
    let precondition = write_precondition(req.headers)?;
    let body = req.body.collect_document(MAX_XML_BODY).await?;
    let doc: CompleteMultipartUpload = from_xml(&body)?;
    if doc.Part.is_empty() {
        return Err(Code::MalformedXML.with("the upload names no parts"));
    }
    if doc.Part.len() > MAX_PARTS {
        return Err(Code::MalformedXML.with("at most 10000 parts"));
    }
    // The answer reports the parts' checksums: a key that cannot open them (an SSE-C
    // upload's) is refused before the commit, not after. No upload may be a completion
    // retried after it succeeded: the store answers it as before, or NoSuchUpload.
    let upload = match ctx.store.upload(bucket, key, &upload_id).await {
        Ok(upload) => Some(upload),
        Err(strata_volume::Error::Refused(strata_volume::Refusal::NoSuchUpload)) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(upload) = &upload {
        if !upload.checksums.is_empty() {
            ctx.transform
                .admit_checksum_reader(bucket, key, &upload.internal, req.headers)
                .await?;
        }
        check_completion(ctx, bucket, key, upload, &doc.Part, req.headers).await?;
    }
    let parts = doc
        .Part
        .into_iter()
        .map(|p| CompletedPart {
            part_number: p.PartNumber,
            etag: p.ETag,
        })
        .collect();
    let mut completing = Completing {
        bucket: bucket.to_string(),
        key: key.to_string(),
        upload_id,
        parts,
        precondition,
        headers: req.headers.clone(),
        tier: None,
        promised: None,
        upload,
    };
    let Some(upload) = &completing.upload else {
        return completing.finish(ctx).await;
    };
    let Some(tier) = upload_tier(ctx, upload) else {
        return completing.finish(ctx).await;
    };
    // An upload to a remote tier's class streams its parts there now, which may take
    // minutes: the answer's head may go out before (`slow_answer`), with the version id
    // promised to the commit.
    let promised = ctx.store.promise_version(bucket)?;
    let mut early = ctx.transform.describe(&upload.internal);
    if promised.text() != "null" {
        early.push(("x-amz-version-id".to_string(), promised.text()));
    }
    let head = EarlyHead {
        headers: early,
        resource: format!("/{bucket}/{key}"),
        request_id: req.request_id.to_string(),
    };
    completing.tier = Some(tier.to_string());
    completing.promised = Some(promised);
    answer_slow_work(ctx, head, completing).await
}

/// A completion checked and ready to commit.
struct Completing {
    bucket: String,
    key: String,
    upload_id: String,
    parts: Vec<CompletedPart>,
    precondition: Option<WritePrecondition>,
    headers: HeaderMap,
    /// The upload as it was before (none for a completion retried after it succeeded).
    upload: Option<UploadInfo>,
    /// The remote tier the parts stream to.
    tier: Option<String>,
    /// The version id the answer's head may have named already.
    promised: Option<PromisedVersion>,
}

impl SlowWork for Completing {
    async fn finish(self, ctx: &Ctx) -> Result<Response, S3Error> {
        let (bucket, key, tier) = (&self.bucket, &self.key, self.tier.as_deref());
        let info = ctx
            .store
            .complete_multipart_upload_as(
                bucket,
                key,
                &self.upload_id,
                self.parts,
                self.precondition,
                self.promised,
            )
            .await
            .map_err(|e| S3Error::from(e).at_tier(tier))?;
        // The checksum made from the parts when the upload named an algorithm
        // (`object_checksum`), of the parts' checksums opened where the store keeps them
        // sealed.
        let named_algorithm = match &self.upload {
            Some(upload) => !upload.checksums.is_empty(),
            None => !info.checksums.is_empty(),
        };
        let opened = match named_algorithm {
            false => None,
            true => ctx.transform.opened_checksums(&info, &self.headers).await?,
        };
        let reported = reported_checksums(opened.as_ref().unwrap_or(&info));
        let cs = |n: &str| checksum_of(&reported, n);
        let resp = Response::xml(&CompleteMultipartUploadResult {
            xmlns: S3_NS,
            Location: format!("/{bucket}/{key}"),
            Bucket: bucket.to_string(),
            Key: key.to_string(),
            ETag: quote_etag(&info.etag),
            ChecksumCRC32: cs("CRC32"),
            ChecksumCRC32C: cs("CRC32C"),
            ChecksumCRC64NVME: cs("CRC64NVME"),
            ChecksumSHA1: cs("SHA1"),
            ChecksumSHA256: cs("SHA256"),
            ChecksumType: checksum_type(&reported).map(str::to_string),
        })?;
        let mut resp = resp.with_opt(
            "x-amz-version-id",
            (info.version_id != "null").then_some(info.version_id.clone()),
        );
        resp.headers.extend(ctx.transform.describe(&info.internal));
        resp.headers.extend(ctx.expiration_header(&info));
        resp.tier = self.tier;
        resp.written = Some((&info).into());
        Ok(resp)
    }
}

/// AbortMultipartUpload.
pub async fn abort(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let upload_id = upload_id(&req)?;
    ctx.store
        .abort_multipart_upload(req.bucket()?, req.key()?, &upload_id)
        .await?;
    Ok(Response::no_content())
}

/// ListParts.
pub async fn list_parts(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let upload_id = upload_id(&req)?;
    let owner = ctx.owner(req.bucket()?)?;
    let max_parts = query_number(&req, param::MAX_PARTS, MAX_PARTS_PAGE, MAX_PARTS_PAGE)?;
    let marker = query_number(&req, param::PART_NUMBER_MARKER, 0, MAX_PARTS)? as u32;
    let (bucket, key) = (req.bucket()?, req.key()?);
    let mut page = ctx
        .store
        .list_parts(bucket, key, &upload_id, marker, max_parts)
        .await?;
    // Sealed checksums (an SSE-C upload's) need the upload's key, as on AWS.
    let internal = &page.upload.internal;
    for part in &mut page.parts {
        let stored = std::mem::take(&mut part.checksums);
        part.checksums = ctx
            .transform
            .open_checksums(bucket, key, internal, req.headers, stored)
            .await?;
    }
    let parts = page
        .parts
        .iter()
        .map(|p| PartEntry {
            PartNumber: p.part_number,
            LastModified: iso8601(p.last_modified),
            ETag: quote_etag(&p.etag),
            Size: p.size,
            ChecksumCRC32: checksum_of(&p.checksums, "CRC32"),
            ChecksumCRC32C: checksum_of(&p.checksums, "CRC32C"),
            ChecksumCRC64NVME: checksum_of(&p.checksums, "CRC64NVME"),
            ChecksumSHA1: checksum_of(&p.checksums, "SHA1"),
            ChecksumSHA256: checksum_of(&p.checksums, "SHA256"),
        })
        .collect();
    let announced = announced(&page.upload.checksums);
    Response::xml(&ListPartsResult {
        xmlns: S3_NS,
        Bucket: req.bucket()?.to_string(),
        Key: req.key()?.to_string(),
        UploadId: upload_id,
        ChecksumAlgorithm: announced.map(|(alg, _)| alg.as_str().to_string()),
        ChecksumType: announced.map(|(_, kind)| kind.as_str().to_string()),
        Initiator: owner.clone(),
        Owner: owner,
        StorageClass: ctx.class_for_client(&page.upload.storage_class),
        PartNumberMarker: marker,
        NextPartNumberMarker: page.next_part_number_marker,
        MaxParts: max_parts,
        IsTruncated: page.is_truncated,
        Part: parts,
    })
}

/// ListMultipartUploads.
pub async fn list_uploads(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let prefix = req.query.get(param::PREFIX).unwrap_or("").to_string();
    let delimiter = req
        .query
        .get(param::DELIMITER)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let key_marker = req.query.get(param::KEY_MARKER).unwrap_or("").to_string();
    let upload_marker = req
        .query
        .get(param::UPLOAD_ID_MARKER)
        .unwrap_or("")
        .to_string();
    let max_uploads = query_number(&req, param::MAX_UPLOADS, MAX_PARTS_PAGE, MAX_PARTS_PAGE)?;
    let owner = ctx.owner(req.bucket()?)?;
    let page = ctx
        .store
        .list_multipart_uploads(
            req.bucket()?,
            ListUploadsOptions {
                prefix: prefix.clone(),
                delimiter: delimiter.clone(),
                key_marker: (!key_marker.is_empty()).then(|| key_marker.clone()),
                upload_id_marker: (!upload_marker.is_empty()).then(|| upload_marker.clone()),
                max_uploads,
            },
        )
        .await?;
    Response::xml(&ListMultipartUploadsResult {
        xmlns: S3_NS,
        Bucket: req.bucket()?.to_string(),
        KeyMarker: key_marker,
        UploadIdMarker: upload_marker,
        NextKeyMarker: page.next_key_marker,
        NextUploadIdMarker: page.next_upload_id_marker,
        Prefix: prefix,
        Delimiter: delimiter,
        MaxUploads: max_uploads,
        IsTruncated: page.is_truncated,
        EncodingType: None,
        Upload: page
            .uploads
            .iter()
            .map(|u| UploadEntry {
                ChecksumAlgorithm: announced(&u.checksums).map(|(a, _)| a.as_str().to_string()),
                ChecksumType: announced(&u.checksums).map(|(_, k)| k.as_str().to_string()),
                Key: u.key.clone(),
                UploadId: u.upload_id.clone(),
                Initiator: owner.clone(),
                Owner: owner.clone(),
                StorageClass: ctx.class_for_client(&u.storage_class),
                Initiated: iso8601(u.initiated),
            })
            .collect(),
        CommonPrefixes: page
            .common_prefixes
            .into_iter()
            .map(|p| CommonPrefix { Prefix: p })
            .collect(),
    })
}
