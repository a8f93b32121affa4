//! The SSE-S3 key-encryption key: a data key of the local keyring, generated once and kept
//! sealed in a file under the state directory, unsealed at start and held in memory (so
//! SSE-S3 never calls the KMS per object).

use std::io::Write;
use std::path::{Path, PathBuf};

use strata_crypt::kms::{EncryptionContext, Kms, KmsError};
use strata_crypt::Kek;

use super::kms_source::{ensure_key, open_keyring};

/// Why the SSE-S3 key could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum S3KeyError {
    /// The keyring refused (missing, corrupt, read-only and without the key, ...).
    #[error("SSE keyring: {0}")]
    Kms(#[from] KmsError),
    /// The transit KMS client could not be made (its token file, its CA bundle).
    #[error("transit KMS: {0}")]
    Transit(KmsError),
    /// The sealed key file could not be read or written.
    #[error("SSE-S3 key file {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Where the SSE-S3 key comes from.
#[derive(Debug, Clone)]
pub struct S3KeySource {
    /// The keyring: a file (created if missing) or a directory (a mounted Secret).
    pub keyring: PathBuf,
    /// The keyring key that seals the SSE-S3 key (created in a keyring file if missing).
    pub key_id: String,
    /// The file holding the SSE-S3 key sealed by the keyring (created at first start).
    pub sealed_file: PathBuf,
}

/// The encryption context the SSE-S3 key is sealed with: it unseals for nothing else.
fn context() -> EncryptionContext {
    EncryptionContext::new().with("strata", "sse-s3")
}

impl S3KeySource {
    /// Opens the keyring and unseals the SSE-S3 key, making the keyring key and the sealed
    /// SSE-S3 key at first start (blocking file I/O: call at start).
    pub async fn load(&self) -> Result<Kek, S3KeyError> {
        let keyring = open_keyring(&self.keyring)?;
        ensure_key(&keyring, &self.key_id).await?;
        match std::fs::read(&self.sealed_file) {
            Ok(sealed) => Ok(keyring.decrypt(&self.key_id, &sealed, &context()).await?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let data_key = keyring.generate_data_key(&self.key_id, &context()).await?;
                write_new(&self.sealed_file, &data_key.sealed).map_err(|source| {
                    S3KeyError::File {
                        path: self.sealed_file.clone(),
                        source,
                    }
                })?;
                Ok(data_key.plaintext)
            }
            Err(source) => Err(S3KeyError::File {
                path: self.sealed_file.clone(),
                source,
            }),
        }
    }
}

/// Writes a new file readable by its owner only, synced; refuses to replace one.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
