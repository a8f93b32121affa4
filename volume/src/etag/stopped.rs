//! The one way hashing fails once it has started.

use crate::error::Error;

/// The hasher is gone (its thread ended): a body cannot get its digest.
pub(super) fn stopped() -> Error {
    Error::internal("the md5 thread stopped")
}
