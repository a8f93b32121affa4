//! The conditions of a conditional delete: `If-Match` (an ETag, or `*`) and the
//! directory-bucket forms `x-amz-if-match-size` / `x-amz-if-match-last-modified-time` on
//! DeleteObject, and `ETag` / `Size` / `LastModifiedTime` on a DeleteObjects entry. The
//! store checks them against the key's current version under its lock.

use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use strata_volume::DeletePrecondition;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::s3::error::{Code, S3Error};
use crate::s3::http::header;

/// DeleteObject's conditional headers.
pub fn from_headers(headers: &HeaderMap) -> Result<DeletePrecondition, S3Error> {
    let header = |name: &str| header(headers, name);
    let if_match = header("if-match").map(|v| v.trim().to_string());
    if if_match.as_deref().is_some_and(|v| v.contains(',')) {
        return Err(Code::InvalidArgument.with("If-Match on a delete takes one ETag or *"));
    }
    let size = header("x-amz-if-match-size")
        .map(|v| parse_size(v, "x-amz-if-match-size"))
        .transpose()?;
    let last_modified_secs = header("x-amz-if-match-last-modified-time")
        .map(|v| {
            httpdate::parse_http_date(v.trim())
                .map(seconds)
                .map_err(|_| invalid("x-amz-if-match-last-modified-time", v))
        })
        .transpose()?;
    Ok(DeletePrecondition {
        if_match,
        size,
        last_modified_secs,
        bypass_governance: crate::s3::actions::bypasses_governance(headers),
    })
}

/// A DeleteObjects entry's `ETag`, `Size` and `LastModifiedTime` (ISO 8601).
pub fn from_entry(
    etag: Option<&str>,
    size: Option<&str>,
    last_modified: Option<&str>,
) -> Result<DeletePrecondition, S3Error> {
    let size = size.map(|v| parse_size(v, "Size")).transpose()?;
    let last_modified_secs = last_modified
        .map(|v| {
            OffsetDateTime::parse(v.trim(), &Rfc3339)
                .map(|t| t.unix_timestamp().max(0) as u64)
                .map_err(|_| invalid("LastModifiedTime", v))
        })
        .transpose()?;
    Ok(DeletePrecondition {
        if_match: etag.map(|v| v.trim().to_string()),
        size,
        last_modified_secs,
        bypass_governance: false,
    })
}

fn parse_size(v: &str, name: &str) -> Result<u64, S3Error> {
    v.trim().parse().map_err(|_| invalid(name, v))
}

fn seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn invalid(name: &str, value: &str) -> S3Error {
    Code::InvalidArgument.with(format!("{name} is not valid: {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_entries_parse_and_bad_values_are_refused() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        let cond = from_headers(&headers(&[
            ("if-match", "\"abc\""),
            ("x-amz-if-match-size", "5"),
            (
                "x-amz-if-match-last-modified-time",
                "Mon, 12 Oct 2009 17:50:00 GMT",
            ),
        ]))
        .unwrap();
        assert_eq!(cond.if_match.as_deref(), Some("\"abc\""));
        assert_eq!(cond.size, Some(5));
        assert_eq!(cond.last_modified_secs, Some(1_255_369_800));
        assert!(from_headers(&HeaderMap::new()).unwrap().is_empty());
        let entry = from_entry(Some("abc"), Some("7"), Some("2009-10-12T17:50:00.000Z")).unwrap();
        assert_eq!(entry.last_modified_secs, Some(1_255_369_800));
        assert_eq!(entry.size, Some(7));
        for bad in [
            from_headers(&headers(&[("x-amz-if-match-size", "-1")])),
            from_headers(&headers(&[(
                "x-amz-if-match-last-modified-time",
                "yesterday",
            )])),
            from_headers(&headers(&[("if-match", "\"a\", \"b\"")])),
            from_entry(None, Some("x"), None),
            from_entry(None, None, Some("12 Oct")),
        ] {
            assert_eq!(bad.unwrap_err().code, Code::InvalidArgument);
        }
    }
}
