//! Durable copies of the encryption key files kept under `--data` (`ssekey` records,
//! docs/IAM-STORE.md). In a pod, `--data` is an emptyDir: without these copies a restarted
//! pod would make a new SSE-S3 key, and every object sealed with the old one would be lost.
//! At start, [`KeyFiles::restore`] writes a missing file back from its copy before the keys
//! load; [`KeyFiles::save`] copies each file that has none after they load (and are made).

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use strata_volume::{IamWrite, Store};

use super::codec::{decode, encode};
use super::error::IamError;
use super::keys::Kind;
use crate::secret_file::write_new_private;

/// The stored copy of one key file.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SseKeyFileRecord {
    /// The file's bytes, base64.
    content: String,
    /// When it was saved, ns.
    saved_ns: u64,
}

/// The key files of one start, each by the name its copy is kept under.
pub struct KeyFiles {
    store: Store,
    files: Vec<PathBuf>,
}

/// Why the key files could not be kept.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The copy could not be read or written.
    #[error("the durable copy of {file}: {source}")]
    Store {
        /// The file's name.
        file: String,
        /// Why.
        source: IamError,
    },
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file and its copy hold different keys.
    #[error("{path} differs from its durable copy in the store: one of them is not the key the objects were sealed with; move the file away to use the copy")]
    Differs {
        /// The file.
        path: PathBuf,
    },
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl KeyFiles {
    /// The files `files` (named in the store by their file names) of `store`.
    pub fn new(store: Store, files: Vec<PathBuf>) -> Self {
        KeyFiles { store, files }
    }

    async fn copy_of(&self, name: &str) -> Result<Option<Vec<u8>>, KeyFileError> {
        let failed = |source| KeyFileError::Store {
            file: name.to_string(),
            source,
        };
        let key = Kind::SseKeyFile.key(&[name]);
        let Some(bytes) = self
            .store
            .iam_get(&key)
            .await
            .map_err(|e| failed(e.into()))?
        else {
            return Ok(None);
        };
        let record: SseKeyFileRecord = decode(&format!("ssekey/{name}"), &bytes).map_err(failed)?;
        let content = STANDARD
            .decode(record.content)
            .map_err(|e| failed(IamError::Corrupt(format!("ssekey/{name}: {e}"))))?;
        Ok(Some(content))
    }

    /// Writes back each file that is missing and has a copy; refuses a file that differs
    /// from its copy.
    pub async fn restore(&self) -> Result<(), KeyFileError> {
        for path in &self.files {
            let Some(copy) = self.copy_of(&name_of(path)).await? else {
                continue;
            };
            match std::fs::read(path) {
                Ok(bytes) if bytes == copy => {}
                Ok(_) => return Err(KeyFileError::Differs { path: path.clone() }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    write_new_private(path, &copy).map_err(|source| KeyFileError::File {
                        path: path.clone(),
                        source,
                    })?;
                    tracing::info!(file = %path.display(), "encryption key file restored from the store");
                }
                Err(source) => {
                    return Err(KeyFileError::File {
                        path: path.clone(),
                        source,
                    })
                }
            }
        }
        Ok(())
    }

    /// Copies each file that exists and has no copy yet into the store; refuses a file
    /// that differs from its copy.
    pub async fn save(&self) -> Result<(), KeyFileError> {
        for path in &self.files {
            let name = name_of(path);
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(KeyFileError::File {
                        path: path.clone(),
                        source,
                    })
                }
            };
            match self.copy_of(&name).await? {
                Some(copy) if copy == bytes => continue,
                Some(_) => return Err(KeyFileError::Differs { path: path.clone() }),
                None => {}
            }
            let record = SseKeyFileRecord {
                content: STANDARD.encode(&bytes),
                saved_ns: super::now_ns(),
            };
            let write = IamWrite::Put {
                key: Kind::SseKeyFile.key(&[&name]),
                value: encode(&record),
            };
            self.store
                .iam_write(vec![write])
                .await
                .map_err(|e| KeyFileError::Store {
                    file: name.clone(),
                    source: e.into(),
                })?;
            tracing::info!(file = %path.display(), "encryption key file saved in the store");
        }
        Ok(())
    }
}
