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
