//! The KMSes of one start: the local keyring (always opened: it holds the keys of stores
//! made without a transit engine) and a Vault-compatible transit engine when one is
//! configured (a token file, AppRole, or a JWT login such as the pod's service-account
//! token). New keys come from the transit engine when there is one.

use std::path::Path;
use std::sync::Arc;

use strata_crypt::kms::{
    KeyringLocation, Kms, KmsError, LocalKeyring, TransitAuth, TransitConfig, TransitKms,
};

use super::s3_key::S3KeyError;

/// The local keyring and, if configured, the transit engine.
pub struct KmsSet {
    keyring: Arc<LocalKeyring>,
    transit: Option<Arc<TransitKms>>,
}

impl KmsSet {
    /// Opens the keyring at `keyring` (a file, made if missing, or a directory such as a
    /// mounted Secret) and makes the transit client (blocking file I/O: call at start).
    pub fn open(
        keyring: &Path,
        transit: Option<(TransitConfig, TransitAuth)>,
    ) -> Result<KmsSet, S3KeyError> {
        let location = if keyring.is_dir() {
            KeyringLocation::Directory(keyring.to_path_buf())
        } else {
            KeyringLocation::File(keyring.to_path_buf())
        };
        let transit = match transit {
            Some((config, auth)) => Some(Arc::new(
                TransitKms::with_auth(&config, auth).map_err(S3KeyError::Transit)?,
            )),
            None => None,
        };
        Ok(KmsSet {
            keyring: Arc::new(LocalKeyring::open(location)?),
            transit,
        })
    }

    /// The local keyring.
    pub fn keyring(&self) -> &LocalKeyring {
        &self.keyring
    }

    /// The transit engine, if configured.
    pub fn transit(&self) -> Option<&TransitKms> {
        self.transit.as_deref()
    }

    /// The KMS that served SSE-KMS before the transit engine was configured (the keyring),
    /// whose data keys old objects still hold; `None` without a transit engine.
    pub fn earlier_for_sse_kms(&self) -> Option<Arc<dyn Kms>> {
        self.transit
            .as_ref()
            .map(|_| self.keyring.clone() as Arc<dyn Kms>)
    }

    /// The KMS of SSE-KMS: the transit engine (whose keys its operators make), else the
    /// keyring, where `default_key` is made if missing.
    pub async fn for_sse_kms(&self, default_key: &str) -> Result<Arc<dyn Kms>, S3KeyError> {
        if let Some(transit) = &self.transit {
            return Ok(transit.clone());
        }
        ensure_key(&self.keyring, default_key).await?;
        Ok(self.keyring.clone())
    }
}

/// Makes key `id` in `keyring` unless it is there.
pub(super) async fn ensure_key(keyring: &LocalKeyring, id: &str) -> Result<(), KmsError> {
    let known = keyring.list_keys().await?;
    if !known.iter().any(|k| k.id == id) {
        keyring.create_key(id).await?;
    }
    Ok(())
}
