//! The checksum rules of a multipart upload, as S3 applies them: the algorithm and type an
//! upload is created with (`x-amz-checksum-algorithm`, `x-amz-checksum-type`), the checksum
//! each part must then carry, and the checks of a completion (each listed part's checksums
//! against the uploaded part's, and the object's checksum when the client sends one).

use std::collections::BTreeMap;

use http::HeaderMap;
use strata_volume::{PartSummary, UploadInfo};

use super::common::{declared_algorithm, Ctx};
use super::object_checksum::{announced, object_checksum};
use crate::checksum::{ChecksumAlgorithm, ChecksumType, ChecksumValue};
use crate::s3::body::Body;
use crate::s3::error::{Code, S3Error};
use crate::s3::http::header;
use crate::s3::xml::CompletedPartXml;

/// Parts listed per page while reading an upload's parts.
const PAGE: usize = 1000;

/// The algorithm and type a CreateMultipartUpload announces: the type defaults to S3's for
/// the algorithm, and must be one the algorithm has.
pub fn announce(headers: &HeaderMap) -> Result<Option<(ChecksumAlgorithm, ChecksumType)>, S3Error> {
    let kind = type_header(headers)?;
    let Some(alg) = declared_algorithm(headers)? else {
        return match kind {
            None => Ok(None),
            Some(_) => Err(Code::InvalidRequest
                .with("x-amz-checksum-type can only be given with x-amz-checksum-algorithm")),
        };
    };
    let kind = kind.unwrap_or_else(|| ChecksumType::default_for(alg));
    if !kind.allows(alg) {
        return Err(Code::InvalidRequest.with(format!(
            "the {} checksum type cannot be used with the {} checksum algorithm",
            kind.as_str(),
            lower(alg)
        )));
    }
    Ok(Some((alg, kind)))
}

/// Checks that a part's body carries the checksum its upload was created with. A COMPOSITE
/// upload needs the client's value (the composite is made of them); a FULL_OBJECT upload's
/// part without one has it computed here, since the object's CRC is combined from them.
pub fn require_part_checksum(upload: &UploadInfo, body: &mut Body<'_>) -> Result<(), S3Error> {
    let Some((alg, kind)) = announced(&upload.checksums) else {
        return Ok(());
    };
    match body.client_checksum() {
        Some(sent) if sent == alg => Ok(()),
        None if kind == ChecksumType::FullObject => {
            body.with_checksum(alg);
            Ok(())
        }
        sent => Err(Code::InvalidRequest.with(format!(
            "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
            lower(alg),
            sent.map_or_else(|| "null".to_string(), lower)
        ))),
    }
}

/// Checks a completion before it commits: each listed part's checksums against the
/// uploaded part's (InvalidPart when one differs), a COMPOSITE upload's parts each listed
/// with theirs, the object's checksum header (`x-amz-checksum-*`, with
/// `x-amz-checksum-type`) against the one made from the parts (BadDigest when it differs),
/// and `x-amz-mp-object-size` against the parts' sum. Parts that are missing or out of order
/// are left to the store to refuse.
pub async fn check_completion(
    ctx: &Ctx,
    bucket: &str,
    key: &str,
    upload: &UploadInfo,
    listed: &[CompletedPartXml],
    headers: &HeaderMap,
) -> Result<(), S3Error> {
    let announced = announced(&upload.checksums);
    if let Some(kind) = type_header(headers)? {
        if announced.map(|(_, k)| k) != Some(kind) {
            return Err(Code::InvalidRequest.with(format!(
                "the upload was not created with the {} checksum type",
                kind.as_str()
            )));
        }
    }
    let whole = whole_object_header(headers)?;
    let size = object_size_header(headers)?;
    let lists_checksums = listed.iter().any(|p| !given(p).is_empty());
    if announced.is_none() && whole.is_none() && size.is_none() && !lists_checksums {
        return Ok(());
    }
    let uploaded = uploaded_parts(ctx, bucket, key, upload, headers).await?;
    let mut chosen = Vec::with_capacity(listed.len());
    for part in listed {
        let n = part.PartNumber;
        let Some(stored) = uploaded.get(&n) else {
            continue;
        };
        for (alg, value) in given(part) {
            let matches = stored
                .checksums
                .get(alg.as_str())
                .is_some_and(|s| same_value(alg, s, value));
            if !matches {
                return Err(Code::InvalidPart.with(format!(
                    "part {n}: its {} checksum is not the uploaded part's",
                    alg.as_str()
                )));
            }
        }
        if let Some((alg, ChecksumType::Composite)) = announced {
            if !given(part).iter().any(|(a, _)| *a == alg) {
                return Err(Code::InvalidRequest.with(format!(
                    "The upload was created using a {} checksum. The complete request must \
                     include the checksum for each part. It was missing for part {n} in the \
                     request.",
                    lower(alg)
                )));
            }
        }
        chosen.push(stored.clone());
    }
    let in_order = listed.windows(2).all(|w| w[0].PartNumber < w[1].PartNumber);
    if !in_order || chosen.len() != listed.len() {
        return Ok(());
    }
    if let Some(want) = size {
        let made: u64 = chosen.iter().map(|p| p.size).sum();
        if made != want {
            return Err(Code::InvalidRequest.with(format!(
                "The provided 'x-amz-mp-object-size' header value {want} does not match what \
                 was computed: {made}"
            )));
        }
    }
    match whole {
        Some((alg, value)) => check_whole(alg, &value, announced, &chosen),
        None => Ok(()),
    }
}

/// `x-amz-mp-object-size`: the size the client expects the completed object to have.
fn object_size_header(headers: &HeaderMap) -> Result<Option<u64>, S3Error> {
    header(headers, "x-amz-mp-object-size")
        .map(|v| {
            v.trim().parse::<u64>().map_err(|_| {
                Code::InvalidRequest.with(format!(
                    "x-amz-mp-object-size {v:?} is not a non-negative integer"
                ))
            })
        })
        .transpose()
}

/// The object's checksum sent with a completion against the one its parts make.
fn check_whole(
    alg: ChecksumAlgorithm,
    value: &str,
    announced: Option<(ChecksumAlgorithm, ChecksumType)>,
    parts: &[PartSummary],
) -> Result<(), S3Error> {
    let kind = match announced {
        Some((a, kind)) if a == alg => kind,
        _ => {
            return Err(Code::InvalidRequest.with(format!(
                "the upload was not created with the {} checksum algorithm",
                lower(alg)
            )))
        }
    };
    let made = object_checksum(alg, kind, parts).ok_or_else(|| {
        Code::InvalidRequest.with(format!(
            "a part of the upload has no {} checksum to make the object's from",
            lower(alg)
        ))
    })?;
    // A composite may be sent with or without its `-N`.
    let matches = value == made || made.split_once('-').is_some_and(|(d, _)| d == value);
    if !matches {
        return Err(Code::BadDigest.with(format!(
            "The {} you specified did not match the calculated checksum.",
            lower(alg)
        )));
    }
    Ok(())
}

/// The upload's parts by number, their checksums opened (an SSE-C upload's need its key).
async fn uploaded_parts(
    ctx: &Ctx,
    bucket: &str,
    key: &str,
    upload: &UploadInfo,
    headers: &HeaderMap,
) -> Result<BTreeMap<u32, PartSummary>, S3Error> {
    let mut parts = BTreeMap::new();
    let mut marker = 0;
    loop {
        let page = ctx
            .store
            .list_parts(bucket, key, &upload.upload_id, marker, PAGE)
            .await?;
        for part in page.parts {
            let checksums = ctx
                .transform
                .open_checksums(bucket, key, &upload.internal, headers, part.checksums)
                .await?;
            let summary = PartSummary {
                part_number: part.part_number,
                size: part.size,
                stored_size: part.size,
                etag: part.etag,
                checksums,
            };
            parts.insert(part.part_number, summary);
        }
        match page.next_part_number_marker {
            Some(next) if page.is_truncated => marker = next,
            _ => return Ok(parts),
        }
    }
}

/// `x-amz-checksum-type`, if sent.
fn type_header(headers: &HeaderMap) -> Result<Option<ChecksumType>, S3Error> {
    header(headers, "x-amz-checksum-type")
        .map(|v| {
            ChecksumType::parse(v).ok_or_else(|| {
                Code::InvalidRequest.with(format!(
                    "x-amz-checksum-type {v:?} is neither COMPOSITE nor FULL_OBJECT"
                ))
            })
        })
        .transpose()
}

/// The object checksum a completion sends (`x-amz-checksum-<algorithm>`), at most one.
fn whole_object_header(
    headers: &HeaderMap,
) -> Result<Option<(ChecksumAlgorithm, String)>, S3Error> {
    let mut sent = ChecksumAlgorithm::ALL
        .into_iter()
        .filter_map(|alg| header(headers, alg.header_name()).map(|v| (alg, v.trim().to_string())));
    let first = sent.next();
    if sent.next().is_some() {
        return Err(Code::InvalidRequest.with("expecting a single x-amz-checksum- header"));
    }
    Ok(first)
}

/// The checksums a listed part names.
fn given(part: &CompletedPartXml) -> Vec<(ChecksumAlgorithm, &str)> {
    use ChecksumAlgorithm::*;
    [
        (Crc32, &part.ChecksumCRC32),
        (Crc32c, &part.ChecksumCRC32C),
        (Crc64Nvme, &part.ChecksumCRC64NVME),
        (Sha1, &part.ChecksumSHA1),
        (Sha256, &part.ChecksumSHA256),
    ]
    .into_iter()
    .filter_map(|(alg, v)| v.as_deref().map(|v| (alg, v.trim())))
    .collect()
}

/// Whether two base64 values are the same digest of `alg`.
fn same_value(alg: ChecksumAlgorithm, a: &str, b: &str) -> bool {
    match (
        ChecksumValue::from_base64(alg, a),
        ChecksumValue::from_base64(alg, b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// An algorithm's name as S3's messages put it (`crc32`, `sha256`).
fn lower(alg: ChecksumAlgorithm) -> String {
    alg.as_str().to_ascii_lowercase()
}
