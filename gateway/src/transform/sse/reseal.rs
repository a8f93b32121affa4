//! Re-sealing after a KMS key rotates, one object at a time: an SSE-KMS object's data key
//! sealed again under its key's current version. The object key and the stored bytes stay
//! as they are (the data key does not change, only its seal). The walk over the store that
//! asks is `crate::reseal`; the SSE-S3 key file's re-seal is [`super::S3KeySource::reseal`].

use std::collections::HashMap;
use std::sync::Arc;

use super::kms_keys::{KmsKeys, Rewrapped, SealedBy};
use super::record::Record;
use crate::transform::{Internal, TransformError};

/// What one object needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectReseal {
    /// Not SSE-KMS (plaintext, SSE-S3, SSE-C): nothing the KMS sealed.
    NotKms,
    /// Its data key is sealed under its key's current version already.
    Current,
    /// Set `set` in its `internal` map where `expect` still holds.
    Change {
        /// Entries that must still hold (the old blob: a version replaced meanwhile is left).
        expect: Vec<(String, String)>,
        /// The new blob.
        set: Vec<(String, String)>,
    },
}

/// The re-seal of one walk: KMS keys' current versions and blobs sealed again, remembered
/// for the walk's length.
pub struct Resealer {
    keys: Arc<KmsKeys>,
    /// Current versions by the KMS that sealed the blob and key id.
    current: HashMap<(SealedBy, String), u32>,
    rewrapped: Rewrapped,
}

impl Resealer {
    /// A walk's re-seal over `keys`; S3 Bucket Keys made before it are forgotten, so that
    /// objects written while it runs are sealed under the current versions.
    pub fn new(keys: Arc<KmsKeys>) -> Self {
        keys.forget_bucket_keys();
        Resealer {
            keys,
            current: HashMap::new(),
            rewrapped: HashMap::new(),
        }
    }

    /// What object `bucket/object`, whose `internal` map is `internal`, needs.
    pub async fn object(
        &mut self,
        bucket: &str,
        object: &str,
        internal: &Internal,
    ) -> Result<ObjectReseal, TransformError> {
        let Some(kms) = Record::read(internal)?.and_then(|r| r.kms) else {
            return Ok(ObjectReseal::NotKms);
        };
        let slot = (self.keys.sealed_by(&kms.blob), kms.key_id.clone());
        let current = match self.current.get(&slot) {
            Some(&version) => version,
            None => {
                let version = self.keys.current_version(&kms.blob, &kms.key_id).await?;
                self.current.insert(slot, version);
                version
            }
        };
        if self
            .keys
            .sealed_version(&kms.blob)
            .is_some_and(|sealed| sealed >= current)
        {
            return Ok(ObjectReseal::Current);
        }
        let blob = self
            .keys
            .rewrap(bucket, object, &kms, &mut self.rewrapped)
            .await?;
        let (expect, set) = Record::blob_change(&kms.blob, &blob);
        Ok(ObjectReseal::Change { expect, set })
    }
}
