//! `x-amz-copy-source`: the object a copy reads. One parser, shared by the copy handlers and
//! by authorization, so the object that is authorized is the object that is read.

use std::borrow::Cow;

use super::error::{Code, S3Error};
use super::names::{validate_bucket_name, validate_key};

/// A parsed `x-amz-copy-source`: `[/]bucket/key[?versionId=id]`, URL-encoded. Borrows the
/// header when nothing in it is percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySource<'a> {
    /// Source bucket, validated.
    pub bucket: Cow<'a, str>,
    /// Source key, decoded and validated.
    pub key: Cow<'a, str>,
    /// The source version, when one is named.
    pub version_id: Option<&'a str>,
}

/// Parses the header's value. Access-point and Outposts ARNs are refused: strata has neither.
pub fn parse_copy_source(value: &str) -> Result<CopySource<'_>, S3Error> {
    let bad =
        || Code::InvalidArgument.with("copy source must be of the form bucket/key[?versionId=id]");
    let (path, query) = match value.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (value, None),
    };
    let path = path.trim_start_matches('/');
    if path.starts_with("arn:") || path.starts_with("arn%3A") || path.starts_with("arn%3a") {
        return Err(Code::InvalidArgument.with("strata has no access points to copy from"));
    }
    let (bucket, key) = split_decoded(path).ok_or_else(bad)?;
    if key.is_empty() {
        return Err(bad());
    }
    validate_bucket_name(&bucket, false)?;
    validate_key(&key)?;
    let version_id = match query {
        None => None,
        Some(q) => Some(
            q.strip_prefix("versionId=")
                .filter(|v| !v.is_empty())
                .ok_or_else(bad)?,
        ),
    };
    Ok(CopySource {
        bucket,
        key,
        version_id,
    })
}

/// Decodes `bucket/key` (a `+` stays a plus, as in a path) and splits it at the first `/`.
/// `None` when there is no `/` or the decoded bytes are not UTF-8.
fn split_decoded(path: &str) -> Option<(Cow<'_, str>, Cow<'_, str>)> {
    if !path.contains('%') {
        let (bucket, key) = path.split_once('/')?;
        return Some((Cow::Borrowed(bucket), Cow::Borrowed(key)));
    }
    let decoded = String::from_utf8(crate::percent::decode(path.as_bytes(), false)).ok()?;
    let (bucket, key) = decoded.split_once('/')?;
    Some((Cow::Owned(bucket.to_string()), Cow::Owned(key.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_source_borrows_the_header() {
        let src = parse_copy_source("/bucket/photos/a.jpg").unwrap();
        assert!(matches!(src.bucket, Cow::Borrowed("bucket")));
        assert!(matches!(src.key, Cow::Borrowed("photos/a.jpg")));
        assert_eq!(src.version_id, None);
    }

    #[test]
    fn an_encoded_source_is_decoded_and_keeps_its_version() {
        let src = parse_copy_source("bucket/a%20b%2Fc+d?versionId=v%2B1").unwrap();
        assert_eq!((&*src.bucket, &*src.key), ("bucket", "a b/c+d"));
        // The version id is taken as sent, as the handler always has.
        assert_eq!(src.version_id, Some("v%2B1"));
    }

    #[test]
    fn malformed_sources_are_invalid_arguments() {
        for value in [
            "bucket",
            "/bucket/",
            "bucket/key?versionId=",
            "bucket/key?other=1",
        ] {
            let err = parse_copy_source(value).unwrap_err();
            assert_eq!(err.code, Code::InvalidArgument, "{value}");
        }
    }

    #[test]
    fn access_point_arns_are_refused() {
        for value in [
            "arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/key",
            "/arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint%2Fap/object/key",
        ] {
            let err = parse_copy_source(value).unwrap_err();
            assert_eq!(err.code, Code::InvalidArgument, "{value}");
            assert!(err.message.contains("access point"), "{}", err.message);
        }
    }
}
