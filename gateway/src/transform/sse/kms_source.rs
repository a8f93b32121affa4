//! Where SSE-KMS's keys come from: the local keyring (the default; its default key is made
//! at first start) or a Vault-compatible transit engine, reached with a token from a file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use strata_crypt::kms::{KeyringLocation, Kms, KmsError, LocalKeyring, TransitConfig, TransitKms};

use super::s3_key::S3KeyError;

/// The KMS SSE-KMS uses.
#[derive(Debug, Clone)]
pub enum KmsSource {
    /// The local keyring at this path (a file, or a directory such as a mounted Secret); the
    /// default key is made there if missing.
    Keyring {
        /// The keyring.
        keyring: PathBuf,
        /// The key of `aws:kms` requests that name none.
        default_key: String,
    },
    /// A transit engine; its keys are made by its operators.
    Transit {
        /// Where it is.
        config: TransitConfig,
        /// The file holding strata's token.
        token_file: PathBuf,
    },
}

impl KmsSource {
    /// Opens the KMS (blocking file I/O: call at start).
    pub async fn open(&self) -> Result<Arc<dyn Kms>, S3KeyError> {
        match self {
            KmsSource::Keyring {
                keyring,
                default_key,
            } => {
                let keyring = open_keyring(keyring)?;
                ensure_key(&keyring, default_key).await?;
                Ok(Arc::new(keyring))
            }
            KmsSource::Transit { config, token_file } => {
                let kms =
                    TransitKms::with_token_file(config, token_file).map_err(S3KeyError::Transit)?;
                Ok(Arc::new(kms))
            }
        }
    }
}

/// The local keyring at `path`: a directory of key files, or one file (made if missing).
pub(super) fn open_keyring(path: &Path) -> Result<LocalKeyring, KmsError> {
    let location = if path.is_dir() {
        KeyringLocation::Directory(path.to_path_buf())
    } else {
        KeyringLocation::File(path.to_path_buf())
    };
    LocalKeyring::open(location)
}

/// Makes key `id` in `keyring` unless it is there.
pub(super) async fn ensure_key(keyring: &LocalKeyring, id: &str) -> Result<(), KmsError> {
    let known = keyring.list_keys().await?;
    if !known.iter().any(|k| k.id == id) {
        keyring.create_key(id).await?;
    }
    Ok(())
}
