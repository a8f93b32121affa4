//! GetObjectAttributes: only the attributes asked for in `x-amz-object-attributes`.

use super::common::{checksum_of, query_number, Ctx, Request};
use super::object_checksum::{checksum_type, reported_checksums};
use crate::s3::error::{Code, S3Error};
use crate::s3::http::http_date;
use crate::s3::query::param;
use crate::s3::response::Response;
use crate::s3::xml::{AttributesPart, Checksum, GetObjectAttributesResponse, ObjectParts, S3_NS};

/// GetObjectAttributes.
pub async fn get_object_attributes(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let wanted: Vec<String> = req
        .header("x-amz-object-attributes")
        .ok_or_else(|| Code::InvalidArgument.with("x-amz-object-attributes is required"))?
        .split(',')
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    const KNOWN: [&str; 5] = [
        "ETag",
        "Checksum",
        "ObjectParts",
        "StorageClass",
        "ObjectSize",
    ];
    if let Some(bad) = wanted.iter().find(|a| !KNOWN.contains(&a.as_str())) {
        return Err(Code::InvalidArgument.with(format!("invalid attribute name {bad:?}")));
    }
    let want = |name: &str| wanted.iter().any(|a| a == name);
    let info = ctx
        .store
        .open_object(req.bucket()?, req.key()?, req.version_id().as_deref())
        .await?
        .info()
        .clone();
    // Sealed checksums (an SSE-C object's) need the object's key, asked only when wanted.
    // A multipart object reports the checksum made from its parts (`object_checksum`).
    let opened = match want("Checksum") || want("ObjectParts") {
        true => ctx.transform.opened_checksums(&info, req.headers).await?,
        false => None,
    };
    let info = opened.as_ref().unwrap_or(&info);
    let reported = reported_checksums(info);
    // Unlike HEAD and CompleteMultipartUpload, attributes give a composite without its `-N`
    // (the part count is in ObjectParts), as S3 does.
    let cs = |n: &str| {
        checksum_of(&reported, n).map(|v| match v.split_once('-') {
            Some((digest, _)) => digest.to_string(),
            None => v,
        })
    };
    let checksum = Checksum {
        ChecksumCRC32: cs("CRC32"),
        ChecksumCRC32C: cs("CRC32C"),
        ChecksumCRC64NVME: cs("CRC64NVME"),
        ChecksumSHA1: cs("SHA1"),
        ChecksumSHA256: cs("SHA256"),
        ChecksumType: checksum_type(&reported).map(str::to_string),
    };
    let has_checksum = checksum != Checksum::default();
    let parts = if want("ObjectParts") && !info.parts.is_empty() {
        let max = query_number(&req, param::MAX_PARTS, 1000, 1000)?;
        let marker = query_number(&req, param::PART_NUMBER_MARKER, 0, 10_000)? as u32;
        let after: Vec<_> = info
            .parts
            .iter()
            .filter(|p| p.part_number > marker)
            .collect();
        let page: Vec<AttributesPart> = after
            .iter()
            .take(max)
            .map(|p| AttributesPart {
                PartNumber: p.part_number,
                Size: p.size,
                ChecksumCRC32: checksum_of(&p.checksums, "CRC32"),
                ChecksumCRC32C: checksum_of(&p.checksums, "CRC32C"),
                ChecksumCRC64NVME: checksum_of(&p.checksums, "CRC64NVME"),
                ChecksumSHA1: checksum_of(&p.checksums, "SHA1"),
                ChecksumSHA256: checksum_of(&p.checksums, "SHA256"),
            })
            .collect();
        let truncated = after.len() > page.len();
        Some(ObjectParts {
            TotalPartsCount: info.parts.len(),
            PartNumberMarker: marker,
            NextPartNumberMarker: page.last().map(|p| p.PartNumber).filter(|_| truncated),
            MaxParts: max,
            IsTruncated: truncated,
            Part: page,
        })
    } else {
        None
    };
    let doc = GetObjectAttributesResponse {
        xmlns: S3_NS,
        // Attributes carry the ETag unquoted, unlike headers.
        ETag: want("ETag").then(|| info.etag.clone()),
        Checksum: (want("Checksum") && has_checksum).then_some(checksum),
        ObjectParts: parts,
        StorageClass: want("StorageClass").then(|| ctx.class_for_client(&info.storage_class)),
        ObjectSize: want("ObjectSize").then_some(info.size),
    };
    let resp = Response::xml(&doc)?.with("last-modified", http_date(info.last_modified));
    Ok(if info.version_id != "null" {
        resp.with("x-amz-version-id", info.version_id.clone())
    } else {
        resp
    })
}
