//! Request headers of features strata does not provide yet, refused rather than ignored: a
//! client asking for object lock must not get a 200 and an object without it. The answers
//! are AWS's for a bucket that has no object lock configuration, so they stay right once the
//! feature lands for buckets that do not use it. ACL and ownership headers are the ACL
//! handlers' to check (`ops/acl.rs`: they depend on the bucket's settings); encryption
//! headers are the body transform's (`crate::transform`).

use http::HeaderMap;

use super::error::{Code, S3Error};
use super::operation::Operation;

/// Refuses `op` when it carries a header strata would otherwise ignore.
pub fn refuse_unhonoured(op: Operation, headers: &HeaderMap) -> Result<(), S3Error> {
    match op {
        Operation::PutObject | Operation::CopyObject | Operation::CreateMultipartUpload => {
            object_lock(headers)
        }
        Operation::CreateBucket => bucket_lock(headers),
        _ => Ok(()),
    }
}

/// `x-amz-object-lock-mode`, `-retain-until-date`, `-legal-hold` on a write.
fn object_lock(headers: &HeaderMap) -> Result<(), S3Error> {
    if headers
        .keys()
        .any(|name| name.as_str().starts_with("x-amz-object-lock-"))
    {
        return Err(Code::InvalidRequest.with("Bucket is missing Object Lock Configuration"));
    }
    Ok(())
}

/// `x-amz-bucket-object-lock-enabled` on CreateBucket: `false` changes nothing.
fn bucket_lock(headers: &HeaderMap) -> Result<(), S3Error> {
    let Some(value) = headers.get("x-amz-bucket-object-lock-enabled") else {
        return Ok(());
    };
    match value.to_str().map(str::trim) {
        Ok(v) if v.eq_ignore_ascii_case("false") => Ok(()),
        Ok(v) if v.eq_ignore_ascii_case("true") => {
            Err(Code::NotImplemented.with("object lock is not implemented by strata"))
        }
        _ => {
            Err(Code::InvalidArgument
                .with("x-amz-bucket-object-lock-enabled must be true or false"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, http::HeaderValue::from_static(value));
        }
        h
    }

    fn code(op: Operation, pairs: &[(&'static str, &'static str)]) -> Option<&'static str> {
        refuse_unhonoured(op, &headers(pairs))
            .err()
            .map(|e| e.code.as_str())
    }

    #[test]
    fn object_lock_headers_on_writes_get_invalid_request() {
        for op in [
            Operation::PutObject,
            Operation::CopyObject,
            Operation::CreateMultipartUpload,
        ] {
            for name in [
                "x-amz-object-lock-mode",
                "x-amz-object-lock-retain-until-date",
                "x-amz-object-lock-legal-hold",
            ] {
                assert_eq!(code(op, &[(name, "GOVERNANCE")]), Some("InvalidRequest"));
            }
        }
        let err = refuse_unhonoured(
            Operation::PutObject,
            &headers(&[("x-amz-object-lock-legal-hold", "ON")]),
        )
        .unwrap_err();
        assert_eq!(err.message, "Bucket is missing Object Lock Configuration");
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn bucket_lock_on_create_bucket() {
        let create = |pairs: &[(&'static str, &'static str)]| code(Operation::CreateBucket, pairs);
        assert_eq!(
            create(&[("x-amz-bucket-object-lock-enabled", "false")]),
            None
        );
        assert_eq!(
            create(&[("x-amz-bucket-object-lock-enabled", "true")]),
            Some("NotImplemented")
        );
        assert_eq!(
            create(&[("x-amz-bucket-object-lock-enabled", "maybe")]),
            Some("InvalidArgument")
        );
    }

    #[test]
    fn reads_are_not_concerned() {
        let h = [
            ("x-amz-acl", "public-read"),
            ("x-amz-object-lock-mode", "x"),
        ];
        assert_eq!(code(Operation::GetObject, &h), None);
    }
}
