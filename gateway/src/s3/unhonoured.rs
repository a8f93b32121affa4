//! Request headers of features strata does not provide, refused rather than ignored: a
//! client asking for one must not get a 200 and an object without it. ACL and ownership
//! headers are the ACL handlers' to check (`ops/acl.rs`: they depend on the bucket's
//! settings); encryption headers are the body transform's (`crate::transform`); object lock
//! headers are `ops/lock_headers.rs`'s.

use http::HeaderMap;

use super::error::{Code, S3Error};
use super::operation::Operation;

/// Refuses `op` when it carries a header strata would otherwise ignore.
pub fn refuse_unhonoured(op: Operation, headers: &HeaderMap) -> Result<(), S3Error> {
    match op {
        Operation::PutObject | Operation::CopyObject | Operation::CreateMultipartUpload => {
            website_redirect(headers)
        }
        _ => Ok(()),
    }
}

/// `x-amz-website-redirect-location`: only static website hosting reads it, which strata
/// does not serve (`PutBucketWebsite` is NotImplemented).
fn website_redirect(headers: &HeaderMap) -> Result<(), S3Error> {
    if headers.contains_key("x-amz-website-redirect-location") {
        return Err(Code::NotImplemented.with(
            "x-amz-website-redirect-location: static website hosting is not implemented by strata",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(op: Operation, name: &'static str) -> Option<&'static str> {
        let mut h = HeaderMap::new();
        h.insert(name, http::HeaderValue::from_static("/elsewhere.html"));
        refuse_unhonoured(op, &h).err().map(|e| e.code.as_str())
    }

    #[test]
    fn a_website_redirect_on_a_write_is_not_implemented_and_reads_are_not_concerned() {
        for op in [
            Operation::PutObject,
            Operation::CopyObject,
            Operation::CreateMultipartUpload,
        ] {
            assert_eq!(
                code(op, "x-amz-website-redirect-location"),
                Some("NotImplemented")
            );
            assert_eq!(code(op, "x-amz-object-lock-mode"), None);
        }
        assert_eq!(
            code(Operation::GetObject, "x-amz-website-redirect-location"),
            None
        );
    }
}
