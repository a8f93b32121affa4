//! Where secrets come from: a narrow lookup trait, so root credentials from config, IAM users
//! and STS sessions can all stand behind it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use super::error::AuthError;
use crate::identity::Identity;

/// A secret that can sign requests, and who it belongs to.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The access key id (`AKIA...`).
    pub access_key: String,
    /// The secret access key. Never logged: `Debug` redacts it.
    pub secret_key: String,
    /// For temporary credentials: the token requests must carry in `x-amz-security-token`.
    pub session_token: Option<String>,
    /// When a temporary credential stops working; `None` for long-term keys.
    pub expires_at: Option<SystemTime>,
    /// The identity the credential authenticates as (user, role session, root).
    pub identity: Arc<Identity>,
}

impl Credential {
    /// A long-term credential without session token or expiry.
    pub fn new(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        identity: Arc<Identity>,
    ) -> Self {
        Self {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            session_token: None,
            expires_at: None,
            identity,
        }
    }

    /// The same credential, bound to a session token (as STS issues them).
    pub fn with_session_token(mut self, token: impl Into<String>, expires_at: SystemTime) -> Self {
        self.session_token = Some(token.into());
        self.expires_at = Some(expires_at);
        self
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("identity", &self.identity.arn)
            .finish()
    }
}

/// Finds the credential for an access key. Implementations must not block for long: the
/// verifier calls this once per signed request.
pub trait CredentialProvider {
    /// The credential for `access_key`, or `None` if it is unknown.
    fn lookup(&self, access_key: &str) -> Option<Credential>;

    /// The credential for `access_key` of a request that carries the session token
    /// `token`. Temporary keys are not stored: a provider that issues them opens the token
    /// here (`ExpiredToken`, `InvalidToken`, `InvalidAccessKeyId` when it cannot). The
    /// verifier still compares the token with the credential's. Default: [`Self::lookup`].
    fn lookup_session(&self, access_key: &str, token: &str) -> Result<Credential, AuthError> {
        let _ = token;
        self.lookup(access_key).ok_or(AuthError::InvalidAccessKeyId)
    }
}

impl<T: CredentialProvider + ?Sized> CredentialProvider for &T {
    fn lookup(&self, access_key: &str) -> Option<Credential> {
        (**self).lookup(access_key)
    }

    fn lookup_session(&self, access_key: &str, token: &str) -> Result<Credential, AuthError> {
        (**self).lookup_session(access_key, token)
    }
}

impl<T: CredentialProvider + ?Sized> CredentialProvider for std::sync::Arc<T> {
    fn lookup(&self, access_key: &str) -> Option<Credential> {
        (**self).lookup(access_key)
    }

    fn lookup_session(&self, access_key: &str, token: &str) -> Result<Credential, AuthError> {
        (**self).lookup_session(access_key, token)
    }
}

/// A fixed set of credentials, e.g. the root credential from config.
#[derive(Clone, Default)]
pub struct StaticCredentials {
    by_key: HashMap<String, Credential>,
}

impl StaticCredentials {
    /// A provider that knows the given credentials.
    pub fn new(credentials: impl IntoIterator<Item = Credential>) -> Self {
        let mut provider = Self::default();
        for credential in credentials {
            provider.insert(credential);
        }
        provider
    }

    /// Adds or replaces the credential for its access key.
    pub fn insert(&mut self, credential: Credential) {
        self.by_key
            .insert(credential.access_key.clone(), credential);
    }
}

impl CredentialProvider for StaticCredentials {
    fn lookup(&self, access_key: &str) -> Option<Credential> {
        self.by_key.get(access_key).cloned()
    }
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.by_key.keys()).finish()
    }
}
