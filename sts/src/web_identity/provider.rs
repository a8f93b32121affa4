//! One configured provider at run time: its identity and its key store.

use std::sync::Arc;

use super::config::{KeySource, ProviderConfig, VerifierSettings};
use super::file::FileKeys;
use super::identity::condition_key_prefix;
use super::jwks::KeySet;
use super::remote::{RemoteKeys, RemoteSource};
use super::WebIdentityError;

/// A provider ready to verify tokens.
pub(super) struct Provider {
    pub issuer: String,
    pub condition_key_prefix: String,
    pub audiences: Vec<String>,
    keys: KeyStore,
}

enum KeyStore {
    Remote(RemoteKeys),
    File(FileKeys),
}

impl Provider {
    pub fn new(
        config: ProviderConfig,
        client: reqwest::Client,
        settings: &VerifierSettings,
    ) -> Self {
        let issuer = config.issuer;
        let keys = match config.keys {
            KeySource::JwksFile(path) => KeyStore::File(FileKeys::new(
                issuer.clone(),
                path,
                settings.max_document_bytes,
            )),
            KeySource::Discovery => KeyStore::Remote(RemoteKeys::new(
                issuer.clone(),
                RemoteSource::Discovery,
                client,
                settings.clone(),
            )),
            KeySource::JwksUrl(url) => KeyStore::Remote(RemoteKeys::new(
                issuer.clone(),
                RemoteSource::JwksUrl(url),
                client,
                settings.clone(),
            )),
        };
        Provider {
            condition_key_prefix: condition_key_prefix(&issuer),
            issuer,
            audiences: config.audiences,
            keys,
        }
    }

    /// The keys to verify with now.
    pub async fn keys(&self) -> Result<Arc<KeySet>, WebIdentityError> {
        match &self.keys {
            KeyStore::Remote(remote) => remote.keys().await,
            KeyStore::File(file) => file.keys().await,
        }
    }

    /// The keys after a refresh (rate-limited; a file is re-read only if it changed).
    pub async fn refreshed_keys(&self) -> Result<Arc<KeySet>, WebIdentityError> {
        match &self.keys {
            KeyStore::Remote(remote) => remote.refreshed_keys().await,
            KeyStore::File(file) => file.keys().await,
        }
    }
}
