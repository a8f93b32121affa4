//! Object lock on the wire: the `x-amz-object-lock-*` headers of a write (and the bucket's
//! default retention when they name none), and the ones HEAD and GET answer with. The store
//! enforces the lock (`strata_volume`, FORMAT.md `ObjectLock`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use strata_volume::{LockMode, ObjectLock};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::common::Ctx;
use super::lock::default_retention;
use crate::checksum::ChecksumAlgorithm;
use crate::s3::error::{Code, S3Error};
use crate::s3::http::header;

const MODE: &str = "x-amz-object-lock-mode";
const UNTIL: &str = "x-amz-object-lock-retain-until-date";
const HOLD: &str = "x-amz-object-lock-legal-hold";

/// A mode as S3 names it.
pub fn parse_mode(text: &str) -> Result<LockMode, S3Error> {
    match text.trim() {
        "GOVERNANCE" => Ok(LockMode::Governance),
        "COMPLIANCE" => Ok(LockMode::Compliance),
        other => Err(Code::InvalidArgument.with(format!("Unknown wormMode directive: {other:?}"))),
    }
}

/// S3's name of a mode.
pub fn mode_name(mode: LockMode) -> &'static str {
    match mode {
        LockMode::Governance => "GOVERNANCE",
        LockMode::Compliance => "COMPLIANCE",
    }
}

/// An ISO 8601 date in the future, as nanoseconds since the epoch.
pub fn parse_until(text: &str) -> Result<u64, S3Error> {
    let at = OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map_err(|_| Code::InvalidArgument.with(format!("{text:?} is not an ISO 8601 date")))?;
    let ns = u64::try_from(at.unix_timestamp_nanos()).unwrap_or(0);
    if ns <= now_ns() {
        return Err(Code::InvalidArgument.with("The retain until date must be in the future!"));
    }
    Ok(ns)
}

/// A date as S3 writes it.
pub fn format_until(ns: u64) -> String {
    let at = OffsetDateTime::from(UNIX_EPOCH + Duration::from_nanos(ns));
    at.format(&Rfc3339).unwrap_or_default()
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// The lock a write to `bucket` gives its object: its headers' retention (else the bucket's
/// default retention) and legal hold. `body`: the write carries the object's bytes, which
/// must then come with `Content-MD5` or a checksum, as S3 requires.
pub async fn lock_for_write(
    ctx: &Ctx,
    bucket: &str,
    headers: &HeaderMap,
    body: bool,
) -> Result<Option<ObjectLock>, S3Error> {
    let asks = [MODE, UNTIL, HOLD].iter().any(|h| headers.contains_key(*h));
    if asks && !ctx.store.bucket_object_lock(bucket)? {
        return Err(Code::InvalidRequest.with("Bucket is missing Object Lock Configuration"));
    }
    let mode = header(headers, MODE).map(parse_mode).transpose()?;
    let until = header(headers, UNTIL).map(parse_until).transpose()?;
    let legal_hold = match header(headers, HOLD).map(str::trim) {
        None | Some("OFF") => false,
        Some("ON") => true,
        Some(other) => {
            return Err(Code::InvalidArgument.with(format!(
                "x-amz-object-lock-legal-hold must be ON or OFF, not {other:?}"
            )))
        }
    };
    let retention = match (mode, until) {
        (Some(mode), Some(until)) => Some((mode, until)),
        (None, None) => default_retention(ctx, bucket)
            .await?
            .map(|(mode, period)| (mode, now_ns().saturating_add(period.as_nanos() as u64))),
        _ => return Err(Code::InvalidArgument.with(
            "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
        )),
    };
    let lock = ObjectLock {
        mode: retention.map(|r| r.0),
        retain_until_ns: retention.map(|r| r.1),
        legal_hold,
    };
    if lock.is_empty() {
        return Ok(None);
    }
    if body {
        require_digest(headers, "Put Object")?;
    }
    Ok(Some(lock))
}

/// A part of an upload whose object gets a lock must come with `Content-MD5` or a
/// checksum, as S3 requires of UploadPart then.
pub fn require_part_digest(lock: Option<&ObjectLock>, headers: &HeaderMap) -> Result<(), S3Error> {
    match lock {
        Some(lock) if !lock.is_empty() => require_digest(headers, "Upload Part"),
        _ => Ok(()),
    }
}

/// Refuses a write of locked bytes that carries no digest of them.
fn require_digest(headers: &HeaderMap, request: &str) -> Result<(), S3Error> {
    let digest = headers.contains_key("content-md5")
        || headers.contains_key("x-amz-sdk-checksum-algorithm")
        || headers.contains_key("x-amz-trailer")
        || headers
            .keys()
            .any(|n| ChecksumAlgorithm::from_header_name(n.as_str()).is_some());
    if !digest {
        return Err(Code::InvalidRequest.with(format!(
            "Content-MD5 OR x-amz-checksum- HTTP header is required for {request} requests with Object Lock parameters"
        )));
    }
    Ok(())
}

/// The headers HEAD and GET answer with for a version's lock.
pub fn lock_headers(lock: Option<&ObjectLock>) -> Vec<(String, String)> {
    let Some(lock) = lock else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let (Some(mode), Some(until)) = (lock.mode, lock.retain_until_ns) {
        out.push((MODE.to_string(), mode_name(mode).to_string()));
        out.push((UNTIL.to_string(), format_until(until)));
    }
    let hold = if lock.legal_hold { "ON" } else { "OFF" };
    out.push((HOLD.to_string(), hold.to_string()));
    out
}
