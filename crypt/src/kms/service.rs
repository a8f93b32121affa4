//! The `Kms` trait and the values it deals in.

use async_trait::async_trait;

use super::context::EncryptionContext;
use super::error::KmsError;
use crate::key::Kek;

/// A fresh data key: use `plaintext` now (it seals the object key), store `sealed`.
#[derive(Debug)]
pub struct DataKey {
    /// The 32-byte data key, zeroed on drop.
    pub plaintext: Kek,
    /// The data key sealed under the KMS key's current version (opaque; store it).
    pub sealed: Vec<u8>,
    /// The version of the KMS key that sealed it.
    pub key_version: u32,
}

/// A KMS key's id and versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key id.
    pub id: String,
    /// The current version (new data keys are sealed under it).
    pub current_version: u32,
    /// Every version still held, ascending (blobs of these still unseal).
    pub versions: Vec<u32>,
}

/// A key management service: local keyring or a Vault-compatible transit engine.
#[async_trait]
pub trait Kms: Send + Sync {
    /// Creates key `id` with version 1.
    async fn create_key(&self, id: &str) -> Result<KeyInfo, KmsError>;

    /// Every key, by ascending id.
    async fn list_keys(&self) -> Result<Vec<KeyInfo>, KmsError>;

    /// Key `id`'s versions (`NoSuchKey` if it has none).
    async fn key_info(&self, id: &str) -> Result<KeyInfo, KmsError>;

    /// The version of the key that sealed `sealed`, read from the blob without a call;
    /// `None` when the blob is not one of this KMS's.
    fn sealed_version(&self, sealed: &[u8]) -> Option<u32>;

    /// Adds a new version to key `id`, which becomes current; older versions still unseal.
    async fn rotate_key(&self, id: &str) -> Result<KeyInfo, KmsError>;

    /// A fresh random data key, and its blob sealed under `id`'s current version and bound
    /// to `context`.
    async fn generate_data_key(
        &self,
        id: &str,
        context: &EncryptionContext,
    ) -> Result<DataKey, KmsError>;

    /// `data_key` (one made elsewhere, e.g. by another KMS) sealed under `id`'s current
    /// version and bound to `context`: how a key moves from one KMS to another.
    async fn seal(
        &self,
        id: &str,
        data_key: &Kek,
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, KmsError>;

    /// The data key in `sealed`, which must have been sealed by key `id` with `context`.
    async fn decrypt(
        &self,
        id: &str,
        sealed: &[u8],
        context: &EncryptionContext,
    ) -> Result<Kek, KmsError>;

    /// `sealed` sealed again under `id`'s current version (same data key, same context).
    async fn rewrap(
        &self,
        id: &str,
        sealed: &[u8],
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, KmsError>;
}
