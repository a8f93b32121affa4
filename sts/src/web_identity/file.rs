//! Keys from a JWKS file (a cluster's keys mounted into the pod): re-read when the file
//! changes, last good keys kept while it is unreadable or invalid.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::error::WebIdentityError;
use super::jwks::KeySet;

/// What identifies one version of the file: a kubelet update swaps a symlink (new inode),
/// an editor rewrites it (new mtime or length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            inode,
        }
    }
}

/// A provider's keys read from a file.
pub(super) struct FileKeys {
    issuer: String,
    path: PathBuf,
    max_bytes: usize,
    state: Mutex<State>,
    /// One reader at a time; the others wait and then see its result.
    reading: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    /// The version last read, good or bad: an unchanged file is not read again.
    seen: Option<Stamp>,
    last_error: Option<String>,
}

impl FileKeys {
    pub fn new(issuer: String, path: PathBuf, max_bytes: usize) -> Self {
        FileKeys {
            issuer,
            path,
            max_bytes,
            state: Mutex::new(State::default()),
            reading: tokio::sync::Mutex::new(()),
        }
    }

    /// The keys of the file's current version (read again only when it changed).
    pub async fn keys(&self) -> Result<Arc<KeySet>, WebIdentityError> {
        match tokio::fs::metadata(&self.path).await {
            Ok(meta) => {
                let stamp = Stamp::of(&meta);
                if self.state().seen != Some(stamp) {
                    let _guard = self.reading.lock().await;
                    if self.state().seen != Some(stamp) {
                        self.read(stamp, meta.len()).await;
                    }
                }
            }
            Err(e) => {
                let error = format!("{}: {e}", self.path.display());
                let mut state = self.state();
                // Warn once per distinct failure, not on every request.
                if state.last_error.as_ref() != Some(&error) {
                    tracing::warn!(issuer = %self.issuer, %error, "JWKS file unreadable; keeping the last good keys");
                    state.last_error = Some(error);
                }
            }
        }
        let state = self.state();
        state
            .keys
            .clone()
            .ok_or_else(|| WebIdentityError::IdpCommunicationError {
                issuer: self.issuer.clone(),
                detail: match &state.last_error {
                    Some(error) => format!("no keys could be read: {error}"),
                    None => "no keys read yet".to_string(),
                },
            })
    }

    async fn read(&self, stamp: Stamp, len: u64) {
        let outcome = if len > self.max_bytes as u64 {
            Err(format!(
                "{}: over {} bytes",
                self.path.display(),
                self.max_bytes
            ))
        } else {
            match tokio::fs::read(&self.path).await {
                Ok(bytes) => {
                    KeySet::parse(&bytes).map_err(|e| format!("{}: {e}", self.path.display()))
                }
                Err(e) => Err(format!("{}: {e}", self.path.display())),
            }
        };
        let mut state = self.state();
        state.seen = Some(stamp);
        match outcome {
            Ok(keys) => {
                tracing::debug!(issuer = %self.issuer, keys = keys.len(), "read JWKS file");
                state.keys = Some(Arc::new(keys));
                state.last_error = None;
            }
            Err(error) => {
                tracing::warn!(issuer = %self.issuer, %error, "JWKS file invalid; keeping the last good keys");
                state.last_error = Some(error);
            }
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
