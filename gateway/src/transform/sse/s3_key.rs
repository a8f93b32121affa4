//! The SSE-S3 key-encryption key: a data key generated once by the KMS (the transit engine
//! when one is configured, else the local keyring) and kept sealed in a file under the state
//! directory, unsealed at start and held in memory (so SSE-S3 never calls the KMS per
//! object).

use std::path::PathBuf;

use strata_crypt::kms::{EncryptionContext, Kms, KmsError};
use strata_crypt::Kek;

use super::kms_source::{ensure_key, KmsSet};
use crate::secret_file::write_new_private;

/// Why the SSE-S3 key could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum S3KeyError {
    /// The keyring refused (missing, corrupt, read-only and without the key, ...).
    #[error("SSE keyring: {0}")]
    Kms(#[from] KmsError),
    /// The transit KMS refused, or its client could not be made (its token file, its CA
    /// bundle).
    #[error("transit KMS: {0}")]
    Transit(KmsError),
    /// The key file was sealed by a transit engine, and none is configured.
    #[error("{0} is sealed by a transit KMS: give --kms-address and its login")]
    NeedsTransit(PathBuf),
    /// The sealed key file could not be read or written.
    #[error("SSE-S3 key file {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The SSE-S3 key file's seal, before and after a re-seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resealed {
    /// The file's bytes before.
    pub old: Vec<u8>,
    /// The same key sealed under the KMS key's current version.
    pub new: Vec<u8>,
    /// Whether it moved from the local keyring to the transit engine.
    pub moved_to_transit: bool,
}

/// Where the SSE-S3 key comes from.
#[derive(Debug, Clone)]
pub struct S3KeySource {
    /// The KMS key that seals the SSE-S3 key (made in the local keyring if missing; a
    /// transit engine's operators make it there).
    pub key_id: String,
    /// The file holding the sealed SSE-S3 key (made at first start).
    pub sealed_file: PathBuf,
}

/// The encryption context the SSE-S3 key is sealed with: it unseals for nothing else.
fn context() -> EncryptionContext {
    EncryptionContext::new().with("strata", "sse-s3")
}

/// Whether `sealed` is a transit engine's ciphertext (`vault:vN:...`) rather than a keyring
/// blob (`volume/ENCRYPTION.md`).
fn sealed_by_transit(sealed: &[u8]) -> bool {
    sealed.starts_with(b"vault:v")
}

impl S3KeySource {
    /// The key file sealed again under its KMS key's current version, or `None` when it is
    /// sealed under it already; a key the local keyring sealed moves under the transit
    /// engine when one is configured (a store made before it was). Writes nothing: the
    /// caller replaces the file and its copy.
    pub async fn reseal(&self, kms: &KmsSet) -> Result<Option<Resealed>, S3KeyError> {
        let old = std::fs::read(&self.sealed_file).map_err(|source| S3KeyError::File {
            path: self.sealed_file.clone(),
            source,
        })?;
        if let (false, Some(transit)) = (sealed_by_transit(&old), kms.transit()) {
            let key = kms
                .keyring()
                .decrypt(&self.key_id, &old, &context())
                .await?;
            let new = transit
                .seal(&self.key_id, &key, &context())
                .await
                .map_err(S3KeyError::Transit)?;
            return Ok(Some(Resealed {
                old,
                new,
                moved_to_transit: true,
            }));
        }
        let (sealer, wrap): (&dyn Kms, fn(KmsError) -> S3KeyError) = if sealed_by_transit(&old) {
            let transit = kms
                .transit()
                .ok_or_else(|| S3KeyError::NeedsTransit(self.sealed_file.clone()))?;
            (transit, S3KeyError::Transit)
        } else {
            (kms.keyring(), S3KeyError::Kms)
        };
        let current = sealer.key_info(&self.key_id).await.map_err(wrap)?;
        if sealer
            .sealed_version(&old)
            .is_some_and(|v| v >= current.current_version)
        {
            return Ok(None);
        }
        let new = sealer
            .rewrap(&self.key_id, &old, &context())
            .await
            .map_err(wrap)?;
        Ok(Some(Resealed {
            old,
            new,
            moved_to_transit: false,
        }))
    }

    /// Unseals the SSE-S3 key, making it at first start (blocking file I/O: call at start).
    /// A new key is sealed by the transit engine when one is configured, else by the local
    /// keyring; a key file unseals with the KMS that sealed it, so a store made before a
    /// transit engine was configured keeps its keyring-sealed key.
    pub async fn load(&self, kms: &KmsSet) -> Result<Kek, S3KeyError> {
        let file_error = |source| S3KeyError::File {
            path: self.sealed_file.clone(),
            source,
        };
        match std::fs::read(&self.sealed_file) {
            Ok(sealed) if sealed_by_transit(&sealed) => {
                let transit = kms
                    .transit()
                    .ok_or_else(|| S3KeyError::NeedsTransit(self.sealed_file.clone()))?;
                transit
                    .decrypt(&self.key_id, &sealed, &context())
                    .await
                    .map_err(S3KeyError::Transit)
            }
            Ok(sealed) => Ok(kms
                .keyring()
                .decrypt(&self.key_id, &sealed, &context())
                .await?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let data_key = match kms.transit() {
                    Some(transit) => transit
                        .generate_data_key(&self.key_id, &context())
                        .await
                        .map_err(S3KeyError::Transit)?,
                    None => {
                        ensure_key(kms.keyring(), &self.key_id).await?;
                        kms.keyring()
                            .generate_data_key(&self.key_id, &context())
                            .await?
                    }
                };
                write_new_private(&self.sealed_file, &data_key.sealed).map_err(file_error)?;
                Ok(data_key.plaintext)
            }
            Err(source) => Err(file_error(source)),
        }
    }
}
