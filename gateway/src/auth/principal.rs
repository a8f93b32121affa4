//! Who a request acts as, once authenticated.

use super::verify::AuthOutcome;

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
        name: String,
    },
}

impl AuthOutcome {
    /// The principal the request acts as.
    pub fn principal(&self) -> Principal {
        match self {
            AuthOutcome::Anonymous => Principal::Anonymous,
            AuthOutcome::Authenticated(auth) => Principal::Key {
                access_key: auth.access_key.clone(),
                name: auth.principal.clone(),
            },
        }
    }
}
