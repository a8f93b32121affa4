//! What `GetSessionToken` and `GetFederationToken` share: the caller must sign with
//! long-term keys (an IAM user's or an account root's), and the session lasts 900 s to 36 h,
//! 12 h unless asked, at most an hour for an account root (a longer ask is cut to the
//! hour, as AWS does).

use std::sync::Arc;

use crate::auth::Principal;
use crate::identity::Identity;
use crate::query_api::{Form, QueryRequest};
use crate::s3::error::{Code, S3Error};

const MIN_DURATION: u64 = 900;
const MAX_DURATION: u64 = crate::iam::LONGEST_SESSION_SECS;
const DEFAULT_DURATION: u64 = 43_200;
const ROOT_MAX_DURATION: u64 = 3600;

/// The caller of `action`, which must have signed with long-term keys.
pub fn long_term_caller<'a>(
    req: &'a QueryRequest<'_>,
    action: &str,
) -> Result<&'a Arc<Identity>, S3Error> {
    match req.caller {
        Principal::Key { identity, .. } if identity.temporary.is_none() => Ok(identity),
        Principal::Key { .. } => Err(Code::AccessDenied.with(format!(
            "{action} must be called with long-term credentials (an IAM user's or an account root's access key), not temporary ones"
        ))),
        Principal::Anonymous => Err(Code::AccessDenied.with(format!("{action} must be signed"))),
    }
}

/// The session's length for `caller`, from `DurationSeconds`.
pub fn duration(form: &Form, caller: &Identity) -> Result<u64, S3Error> {
    let asked = form
        .number("DurationSeconds", MIN_DURATION..=MAX_DURATION)?
        .unwrap_or(DEFAULT_DURATION);
    Ok(if caller.is_root() {
        asked.min(ROOT_MAX_DURATION)
    } else {
        asked
    })
}
