//! `LocalKeyring`: the [`Kms`] over master keys held in a file or directory.

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use tokio::sync::Mutex;

use super::blob::{self, Blob};
use super::model::{valid_id, KeyVersion, MasterKey};
use super::store::{KeyringLocation, Keys};
use crate::key::Kek;
use crate::kms::context::EncryptionContext;
use crate::kms::error::KmsError;
use crate::kms::service::{DataKey, KeyInfo, Kms};

/// Master keys loaded from a [`KeyringLocation`]; creating and rotating keys writes back.
pub struct LocalKeyring {
    location: KeyringLocation,
    keys: RwLock<Arc<Keys>>,
    // Serialises create and rotate, so each persists on top of the other's result.
    writer: Mutex<()>,
}

impl std::fmt::Debug for LocalKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalKeyring")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl LocalKeyring {
    /// Loads the keyring (blocking I/O: call at start or from a blocking task).
    pub fn open(location: KeyringLocation) -> Result<Self, KmsError> {
        let keys = location.load()?;
        Ok(LocalKeyring {
            location,
            keys: RwLock::new(Arc::new(keys)),
            writer: Mutex::new(()),
        })
    }

    fn snapshot(&self) -> Arc<Keys> {
        match self.keys.read() {
            Ok(keys) => keys.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn install(&self, keys: Keys) {
        match self.keys.write() {
            Ok(mut slot) => *slot = Arc::new(keys),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(keys),
        }
    }

    /// Applies `change` to a copy of the keys, persists it, then makes it current.
    async fn update(
        &self,
        id: &str,
        change: impl FnOnce(&mut Keys) -> Result<(), KmsError>,
    ) -> Result<KeyInfo, KmsError> {
        if !valid_id(id, self.location.allows_slash()) {
            return Err(KmsError::InvalidKeyId(id.into()));
        }
        let _writing = self.writer.lock().await;
        let mut keys = (*self.snapshot()).clone();
        change(&mut keys)?;
        let location = self.location.clone();
        let changed = id.to_string();
        let keys =
            tokio::task::spawn_blocking(move || location.persist(&keys, &changed).map(|()| keys))
                .await
                .map_err(|e| KmsError::Unavailable(format!("keyring writer task: {e}")))??;
        let info = info(
            id,
            keys.get(id).ok_or_else(|| KmsError::NoSuchKey(id.into()))?,
        );
        self.install(keys);
        Ok(info)
    }

    fn key(&self, id: &str) -> Result<MasterKey, KmsError> {
        self.snapshot()
            .get(id)
            .cloned()
            .ok_or_else(|| KmsError::NoSuchKey(id.into()))
    }
}

fn info(id: &str, key: &MasterKey) -> KeyInfo {
    KeyInfo {
        id: id.to_string(),
        current_version: key.current().map_or(0, |(v, _)| v),
        versions: key.versions.keys().copied().collect(),
    }
}

fn new_version() -> Result<KeyVersion, KmsError> {
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(KeyVersion {
        material: Kek::generate().ok_or(KmsError::Random)?,
        created,
    })
}

/// Unseals `sealed` with key `id` (any version it still has).
fn unseal(
    key_id: &str,
    key: &MasterKey,
    sealed: &[u8],
    context: &EncryptionContext,
) -> Result<Kek, KmsError> {
    let blob = Blob::parse(sealed)?;
    if blob.key_id != key_id {
        return Err(KmsError::InvalidBlob);
    }
    let version = key
        .versions
        .get(&blob.key_version)
        .ok_or_else(|| KmsError::NoSuchVersion {
            id: key_id.into(),
            version: blob.key_version,
        })?;
    blob.open(&version.material, context)
}

fn seal_current(
    id: &str,
    key: &MasterKey,
    data_key: &Kek,
    context: &EncryptionContext,
) -> Result<(u32, Vec<u8>), KmsError> {
    let (version, master) = key
        .current()
        .ok_or_else(|| KmsError::NoSuchKey(id.into()))?;
    Ok((
        version,
        blob::seal(&master.material, id, version, data_key, context)?,
    ))
}

#[async_trait]
impl Kms for LocalKeyring {
    async fn create_key(&self, id: &str) -> Result<KeyInfo, KmsError> {
        let version = new_version()?;
        self.update(id, |keys| {
            if keys.contains_key(id) {
                return Err(KmsError::KeyExists(id.into()));
            }
            let mut key = MasterKey::default();
            key.versions.insert(1, version);
            keys.insert(id.to_string(), key);
            Ok(())
        })
        .await
    }

    async fn list_keys(&self) -> Result<Vec<KeyInfo>, KmsError> {
        Ok(self
            .snapshot()
            .iter()
            .map(|(id, key)| info(id, key))
            .collect())
    }

    async fn rotate_key(&self, id: &str) -> Result<KeyInfo, KmsError> {
        let version = new_version()?;
        self.update(id, |keys| {
            let key = keys
                .get_mut(id)
                .ok_or_else(|| KmsError::NoSuchKey(id.into()))?;
            let next = key
                .current()
                .map_or(Some(1), |(v, _)| v.checked_add(1))
                .ok_or_else(|| KmsError::CorruptKeyring {
                    path: id.into(),
                    reason: "no key version left".into(),
                })?;
            key.versions.insert(next, version);
            Ok(())
        })
        .await
    }

    async fn key_info(&self, id: &str) -> Result<KeyInfo, KmsError> {
        Ok(info(id, &self.key(id)?))
    }

    fn sealed_version(&self, sealed: &[u8]) -> Option<u32> {
        Blob::parse(sealed).ok().map(|b| b.key_version)
    }

    async fn generate_data_key(
        &self,
        id: &str,
        context: &EncryptionContext,
    ) -> Result<DataKey, KmsError> {
        let key = self.key(id)?;
        let plaintext = Kek::generate().ok_or(KmsError::Random)?;
        let (key_version, sealed) = seal_current(id, &key, &plaintext, context)?;
        Ok(DataKey {
            plaintext,
            sealed,
            key_version,
        })
    }

    async fn seal(
        &self,
        id: &str,
        data_key: &Kek,
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, KmsError> {
        let key = self.key(id)?;
        Ok(seal_current(id, &key, data_key, context)?.1)
    }

    async fn decrypt(
        &self,
        id: &str,
        sealed: &[u8],
        context: &EncryptionContext,
    ) -> Result<Kek, KmsError> {
        let key = self.key(id)?;
        unseal(id, &key, sealed, context)
    }

    async fn rewrap(
        &self,
        id: &str,
        sealed: &[u8],
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, KmsError> {
        let key = self.key(id)?;
        let data_key = unseal(id, &key, sealed, context)?;
        Ok(seal_current(id, &key, &data_key, context)?.1)
    }
}
