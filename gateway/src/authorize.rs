//! The request stack's authorization stage, as a narrow trait: who may do which operation on
//! what. Today's rule is [`RootOnly`]; identity and bucket policies will be other
//! implementations of the same trait.

use crate::auth::Principal;
use crate::s3::error::{Code, S3Error};
use crate::s3::operation::Operation;

/// One request's question to the authorizer.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// Who asks.
    pub principal: &'a Principal,
    /// For what.
    pub op: Operation,
    /// On which bucket, if any.
    pub bucket: Option<&'a str>,
    /// On which key, if any.
    pub key: Option<&'a str>,
}

/// Decides whether a request may proceed.
pub trait Authorize: Send + Sync {
    /// `Ok` to proceed; S3's `AccessDenied` (or another refusal) otherwise.
    fn authorize(&self, access: &Access<'_>) -> Result<(), S3Error>;
}

/// The one rule there is before IAM: a signed request is root's (root holds the only
/// credential) and may do everything; an anonymous one may do nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct RootOnly;

impl Authorize for RootOnly {
    fn authorize(&self, access: &Access<'_>) -> Result<(), S3Error> {
        match access.principal {
            Principal::Key { .. } => Ok(()),
            Principal::Anonymous => Err(Code::AccessDenied.with("anonymous access is denied")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_may_do_anything_and_anonymous_nothing() {
        let root = Principal::Key {
            access_key: "AK".into(),
            name: "root".into(),
        };
        for op in [
            Operation::PutObject,
            Operation::DeleteBucket,
            Operation::ListBuckets,
        ] {
            let mut access = Access {
                principal: &root,
                op,
                bucket: Some("b"),
                key: None,
            };
            assert!(RootOnly.authorize(&access).is_ok());
            access.principal = &Principal::Anonymous;
            let denied = RootOnly.authorize(&access).unwrap_err();
            assert_eq!((denied.code, denied.status()), (Code::AccessDenied, 403));
        }
    }
}
