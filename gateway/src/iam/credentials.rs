//! The credentials requests sign with: each configured account's root keys, and the IAM
//! users' access keys of the identity store's current snapshot.

use std::collections::HashMap;
use std::sync::Arc;

use super::store::IamStore;
use crate::auth::{Credential, CredentialProvider};
use crate::identity::{Account, Identity};

/// Root keys from the config, then the store's active user keys.
pub struct IamCredentials {
    roots: HashMap<String, Credential>,
    iam: IamStore,
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
        IamCredentials { roots, iam }
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
}
