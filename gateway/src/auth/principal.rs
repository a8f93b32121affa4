//! Who a request acts as, once authenticated.

use std::sync::Arc;

use super::verify::AuthOutcome;
use crate::identity::Identity;

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
