//! Small HTTP rules S3 follows: ranges, conditional requests, dates and ETags.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use strata_volume::ByteRange;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::error::{Code, S3Error};

/// A header as UTF-8 text, if present and readable.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Parses `Range: bytes=...`. Syntax S3 ignores (several ranges, other units, garbage) gives
/// `None`, meaning the whole object, as HTTP says.
pub fn parse_range(value: &str) -> Option<ByteRange> {
    let spec = value.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        (true, false) => Some(ByteRange::Suffix {
            len: last.parse().ok()?,
        }),
        (false, true) => Some(ByteRange::From {
            first: first.parse().ok()?,
        }),
        (false, false) => {
            let (first, last) = (first.parse().ok()?, last.parse().ok()?);
            (first <= last).then_some(ByteRange::Bounded { first, last })
        }
        (true, true) => None,
    }
}

/// `x-amz-copy-source-range: bytes=first-last` (only the bounded form is allowed there).
pub fn parse_copy_range(value: &str) -> Result<ByteRange, S3Error> {
    match parse_range(value) {
        Some(r @ ByteRange::Bounded { .. }) => Ok(r),
        _ => Err(Code::InvalidArgument
            .with("the x-amz-copy-source-range value must be of the form bytes=first-last")),
    }
}

/// Quotes an ETag for the wire.
pub fn quote_etag(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// Whether an `If-Match` / `If-None-Match` list matches `etag` (unquoted).
pub fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',').map(str::trim).any(|candidate| {
        let c = candidate.strip_prefix("W/").unwrap_or(candidate);
        c == "*" || c.trim_matches('"') == etag
    })
}

/// The outcome of evaluating a request's preconditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// Serve the request.
    Proceed,
    /// 304 Not Modified (GET/HEAD only).
    NotModified,
    /// 412 Precondition Failed.
    Failed,
}

/// The four conditional headers of a read, named by prefix (`if-` or
/// `x-amz-copy-source-if-`), evaluated in RFC 7232 order as S3 does.
pub fn evaluate_conditions(
    headers: &HeaderMap,
    prefix: &str,
    etag: &str,
    last_modified: SystemTime,
) -> Precondition {
    let get = |name: &str| header(headers, &format!("{prefix}{name}"));
    // HTTP dates have whole seconds; compare at that precision.
    let modified = truncate_to_seconds(last_modified);
    let if_match = get("match");
    if let Some(list) = if_match {
        if !etag_matches(list, etag) {
            return Precondition::Failed;
        }
    } else if let Some(since) = get("unmodified-since").and_then(parse_http_date) {
        if modified > since {
            return Precondition::Failed;
        }
    }
    if let Some(list) = get("none-match") {
        if etag_matches(list, etag) {
            return Precondition::NotModified;
        }
    } else if let Some(since) = get("modified-since").and_then(parse_http_date) {
        if modified <= since {
            return Precondition::NotModified;
        }
    }
    Precondition::Proceed
}

fn truncate_to_seconds(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn parse_http_date(v: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(v.trim()).ok()
}

/// `Last-Modified` form: `Wed, 12 Oct 2009 17:50:00 GMT`.
pub fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// XML form: `2009-10-12T17:50:30.000Z`.
pub fn iso8601(t: SystemTime) -> String {
    // Formatting a UTC date-time into a `String` cannot fail: it has every field `XML_DATE`
    // names, and its year has four digits.
    utc(t).format(XML_DATE).unwrap_or_default()
}

/// UTC, milliseconds (cut, not rounded), upper-case `T` and `Z`.
const XML_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// `t` in UTC. Before 1970 counts as the epoch and after 9999 as the end of 9999: the
/// four-digit form can say nothing truer about either.
fn utc(t: SystemTime) -> OffsetDateTime {
    let nanos = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
    i128::try_from(nanos)
        .ok()
        .and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
        .unwrap_or(PrimitiveDateTime::MAX.assume_utc())
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
