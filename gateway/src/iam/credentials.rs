//! The credentials requests sign with: each configured account's root keys, the IAM
//! users' access keys of the identity store's current snapshot, and role sessions' temporary
//! keys, opened from their session tokens.

use std::collections::HashMap;
use std::sync::Arc;

use strata_sts::session::SessionSealer;

use super::sessions::SessionCredentials;
use super::store::IamStore;
use crate::auth::{AuthError, Credential, CredentialProvider};
use crate::identity::{Account, Identity};

/// Root keys from the config, then the store's active user keys, then sessions.
pub struct IamCredentials {
    roots: HashMap<String, Credential>,
    iam: IamStore,
    sessions: Option<SessionCredentials>,
}

impl IamCredentials {
    /// `roots`: each account with its root access key and secret.
    pub fn new(roots: Vec<(Account, String, String)>, iam: IamStore) -> IamCredentials {
        let roots = roots
            .into_iter()
            .map(|(account, access_key, secret)| {
                let credential = Credential::new(
                    access_key.clone(),
                    secret,
                    Arc::new(Identity::root(account)),
                );
                (access_key, credential)
            })
            .collect();
        IamCredentials {
            roots,
            iam,
            sessions: None,
        }
    }

    /// The same, also accepting the temporary keys of sessions `sealer` sealed.
    pub fn with_sessions(mut self, sealer: Arc<SessionSealer>) -> IamCredentials {
        self.sessions = Some(SessionCredentials::new(sealer));
        self
    }
}

impl CredentialProvider for IamCredentials {
    fn lookup(&self, access_key: &str) -> Option<Credential> {
        if let Some(root) = self.roots.get(access_key) {
            return Some(root.clone());
        }
        let snapshot = self.iam.snapshot();
        let (record, identity) = snapshot.identity_of_key(access_key)?;
        Some(Credential::new(
            access_key,
            record.secret.clone(),
            identity.clone(),
        ))
    }

    fn lookup_session(&self, access_key: &str, token: &str) -> Result<Credential, AuthError> {
        // A long-term key with a token: the verifier refuses the token (InvalidToken).
        if let Some(credential) = self.lookup(access_key) {
            return Ok(credential);
        }
        match &self.sessions {
            Some(sessions) => sessions.open(&self.iam.snapshot(), access_key, token),
            None => Err(AuthError::InvalidAccessKeyId),
        }
    }
}
