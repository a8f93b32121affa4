//! Request headers of features strata does not provide yet, refused rather than ignored: a
//! client asking for object lock or an ACL must not get a 200 and an object without them.
//! The answers are AWS's for a bucket that has no object lock configuration and enforces
//! bucket ownership (ACLs disabled, AWS's default since 2023), so they stay right once those
//! features land for buckets that do not use them. Encryption headers are the body
//! transform's to refuse (`crate::transform`).

use http::HeaderMap;

use super::error::{Code, S3Error};
use super::operation::Operation;

/// Canned ACLs a bucket that enforces ownership still accepts on objects (rclone sends
/// `private` with every PUT).
const OBJECT_ACLS_ALLOWED: [&str; 2] = ["private", "bucket-owner-full-control"];

/// Refuses `op` when it carries a header strata would otherwise ignore.
pub fn refuse_unhonoured(op: Operation, headers: &HeaderMap) -> Result<(), S3Error> {
    match op {
        Operation::PutObject | Operation::CopyObject | Operation::CreateMultipartUpload => {
            object_lock(headers)?;
            acl(headers, &OBJECT_ACLS_ALLOWED, object_acl_refused)
        }
        Operation::CreateBucket => {
            bucket_lock(headers)?;
            ownership(headers)?;
            acl(headers, &["private"], bucket_acl_refused)
        }
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

/// `x-amz-object-ownership` on CreateBucket: only the default, BucketOwnerEnforced.
fn ownership(headers: &HeaderMap) -> Result<(), S3Error> {
    match headers.get("x-amz-object-ownership").map(|v| v.to_str()) {
        None => Ok(()),
        Some(Ok(v)) if v.trim() == "BucketOwnerEnforced" => Ok(()),
        Some(_) => Err(Code::NotImplemented
            .with("object ownership other than BucketOwnerEnforced is not implemented by strata")),
    }
}

/// `x-amz-acl` outside `allowed`, or any `x-amz-grant-*`.
fn acl(headers: &HeaderMap, allowed: &[&str], refused: fn() -> S3Error) -> Result<(), S3Error> {
    if headers
        .keys()
        .any(|name| name.as_str().starts_with("x-amz-grant-"))
    {
        return Err(refused());
    }
    match headers.get("x-amz-acl").map(|v| v.to_str()) {
        None => Ok(()),
        Some(Ok(v)) if allowed.contains(&v.trim()) => Ok(()),
        Some(_) => Err(refused()),
    }
}

fn object_acl_refused() -> S3Error {
    Code::AccessControlListNotSupported.with("The bucket does not allow ACLs")
}

fn bucket_acl_refused() -> S3Error {
    Code::InvalidBucketAclWithObjectOwnership
        .with("Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
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
    fn bucket_owner_enforced_acls_pass_and_others_are_refused() {
        for acl in OBJECT_ACLS_ALLOWED {
            let h = [("x-amz-acl", acl)];
            assert_eq!(code(Operation::PutObject, &h), None, "{acl}");
        }
        assert_eq!(code(Operation::PutObject, &[]), None);
        for acl in ["public-read", "public-read-write", "authenticated-read"] {
            assert_eq!(
                code(Operation::PutObject, &[("x-amz-acl", acl)]),
                Some("AccessControlListNotSupported"),
                "{acl}"
            );
        }
        assert_eq!(
            code(
                Operation::CopyObject,
                &[(
                    "x-amz-grant-read",
                    "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""
                )]
            ),
            Some("AccessControlListNotSupported")
        );
        assert_eq!(
            code(Operation::CreateBucket, &[("x-amz-acl", "private")]),
            None
        );
        assert_eq!(
            code(Operation::CreateBucket, &[("x-amz-acl", "public-read")]),
            Some("InvalidBucketAclWithObjectOwnership")
        );
        assert_eq!(
            code(
                Operation::CreateBucket,
                &[("x-amz-grant-full-control", "id=x")]
            ),
            Some("InvalidBucketAclWithObjectOwnership")
        );
    }

    #[test]
    fn bucket_lock_and_ownership_on_create_bucket() {
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
        assert_eq!(
            create(&[("x-amz-object-ownership", "BucketOwnerEnforced")]),
            None
        );
        assert_eq!(
            create(&[("x-amz-object-ownership", "ObjectWriter")]),
            Some("NotImplemented")
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
