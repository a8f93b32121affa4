//! Durable copies of the encryption key files kept under `--data` (`ssekey` records,
//! docs/IAM-STORE.md). In a pod, `--data` is an emptyDir: without these copies a restarted
//! pod would make a new SSE-S3 key, and every object sealed with the old one would be lost.
//! At start, [`KeyFiles::restore`] writes a missing file back from its copy before the keys
//! load; [`KeyFiles::save`] copies each file that has none after they load (and are made);
//! [`KeyFiles::replace`] changes a file and its copy together (a re-seal), copy first, so
//! that a crash between the two leaves a file that [`KeyFiles::restore`] recognises as the
//! copy's `previous` and brings up to date.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use strata_volume::{IamWrite, Store};

use super::codec::{decode, encode};
use super::error::IamError;
use super::keys::Kind;
use crate::secret_file::{replace_private, write_new_private};

/// The stored copy of one key file.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SseKeyFileRecord {
    /// The file's bytes, base64.
    content: String,
    /// When it was saved, ns.
    saved_ns: u64,
    /// The file's bytes before its last replacement, base64 (absent before any): a file
    /// that still holds them was cut off in the middle of the replacement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous: Option<String>,
}

/// A stored copy, decoded.
struct StoredCopy {
    content: Vec<u8>,
    previous: Option<Vec<u8>>,
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

    async fn copy_of(&self, name: &str) -> Result<Option<StoredCopy>, KeyFileError> {
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
        let base64 = |text: &str| {
            STANDARD
                .decode(text)
                .map_err(|e| failed(IamError::Corrupt(format!("ssekey/{name}: {e}"))))
        };
        Ok(Some(StoredCopy {
            content: base64(&record.content)?,
            previous: record.previous.as_deref().map(base64).transpose()?,
        }))
    }

    async fn put_copy(
        &self,
        name: &str,
        content: &[u8],
        previous: Option<&[u8]>,
    ) -> Result<(), KeyFileError> {
        let record = SseKeyFileRecord {
            content: STANDARD.encode(content),
            saved_ns: super::now_ns(),
            previous: previous.map(|p| STANDARD.encode(p)),
        };
        let write = IamWrite::Put {
            key: Kind::SseKeyFile.key(&[name]),
            value: encode(&record),
        };
        self.store
            .iam_write(vec![write])
            .await
            .map_err(|e| KeyFileError::Store {
                file: name.to_string(),
                source: e.into(),
            })
    }

    /// Replaces `path` (one of this start's files), which holds `old`, with `new`: its copy
    /// first (remembering `old`), then the file. Refuses a file that holds something else.
    pub async fn replace(&self, path: &Path, old: &[u8], new: &[u8]) -> Result<(), KeyFileError> {
        let file_error = |source| KeyFileError::File {
            path: path.to_path_buf(),
            source,
        };
        let name = name_of(path);
        if std::fs::read(path).map_err(file_error)? != old {
            return Err(KeyFileError::Differs {
                path: path.to_path_buf(),
            });
        }
        self.put_copy(&name, new, Some(old)).await?;
        replace_private(path, new).map_err(file_error)?;
        tracing::info!(file = %path.display(), "encryption key file replaced, and its copy in the store");
        Ok(())
    }

    /// Writes back each file that is missing and has a copy; refuses a file that differs
    /// from its copy.
    pub async fn restore(&self) -> Result<(), KeyFileError> {
        for path in &self.files {
            let Some(copy) = self.copy_of(&name_of(path)).await? else {
                continue;
            };
            match std::fs::read(path) {
                Ok(bytes) if bytes == copy.content => {}
                Ok(bytes) if copy.previous.as_ref() == Some(&bytes) => {
                    replace_private(path, &copy.content).map_err(|source| KeyFileError::File {
                        path: path.clone(),
                        source,
                    })?;
                    tracing::info!(file = %path.display(), "encryption key file brought up to date from the store (a replacement was cut off)");
                }
                Ok(_) => return Err(KeyFileError::Differs { path: path.clone() }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    write_new_private(path, &copy.content).map_err(|source| {
                        KeyFileError::File {
                            path: path.clone(),
                            source,
                        }
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
                Some(copy) if copy.content == bytes => continue,
                Some(_) => return Err(KeyFileError::Differs { path: path.clone() }),
                None => {}
            }
            self.put_copy(&name, &bytes, None).await?;
            tracing::info!(file = %path.display(), "encryption key file saved in the store");
        }
        Ok(())
    }
}
