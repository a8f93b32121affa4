//! Who a request acts as, once authenticated.

use std::sync::Arc;

use super::verify::AuthOutcome;
use crate::identity::Identity;
use crate::s3::condition_keys::{AuthType, Signature};

/// The identity a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Nothing was signed.
    Anonymous,
    /// The holder of an access key.
    Key {
        /// The access key that signed.
        access_key: String,
        /// Who the key belongs to.
        identity: Arc<Identity>,
    },
}

impl AuthOutcome {
    /// The SigV4 scope's region of a signed request.
    pub fn scope_region(&self) -> Option<&str> {
        match self {
            AuthOutcome::Anonymous => None,
            AuthOutcome::Authenticated(auth) => Some(&auth.region),
        }
    }

    /// How a signed request was signed, for the condition keys.
    pub fn signature(&self) -> Option<Signature> {
        match self {
            AuthOutcome::Anonymous => None,
            AuthOutcome::Authenticated(auth) => Some(Signature {
                auth_type: AuthType::of(auth.method),
                signed_at: auth.request_time,
            }),
        }
    }

    /// The SigV4 scope's service of a signed request (`s3`, `iam`, `sts`).
    pub fn scope_service(&self) -> Option<&str> {
        match self {
            AuthOutcome::Anonymous => None,
            AuthOutcome::Authenticated(auth) => Some(&auth.service),
        }
    }

    /// The principal the request acts as.
    pub fn principal(&self) -> Principal {
        match self {
            AuthOutcome::Anonymous => Principal::Anonymous,
            AuthOutcome::Authenticated(auth) => Principal::Key {
                access_key: auth.access_key.clone(),
                identity: auth.identity.clone(),
            },
        }
    }
}
