//! Appending a batch to the file: one `write` per batch, and an `fdatasync` at most every
//! `sync_interval_ms` (a batch written since the last one is synced when the interval ends),
//! so a machine crash loses at most that interval of acknowledged events; rotation before a
//! batch that would pass the size.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::config::FileConfig;
use super::encoder::encode_lines;
use crate::audit::sink::{Delivery, Record, SendError, SinkService};

/// The open file, its size, and what is written but not yet synced.
#[derive(Debug)]
struct Current {
    file: File,
    size: u64,
    last_sync: Instant,
    /// Bytes written since the last `fdatasync`.
    dirty: bool,
    /// A delayed sync is on its way.
    sync_scheduled: bool,
}

impl Current {
    fn sync(&mut self) -> io::Result<()> {
        if self.dirty {
            self.file.sync_data()?;
            self.dirty = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }
}

impl Drop for Current {
    /// The last batch before a stop is synced too.
    fn drop(&mut self) {
        if let Err(e) = self.sync() {
            tracing::warn!(error = %e, "audit file sink: cannot sync at close");
        }
    }
}

/// Appends JSON lines; writes run on tokio's blocking pool.
#[derive(Debug, Clone)]
pub struct FileService {
    config: Arc<FileConfig>,
    current: Arc<Mutex<Current>>,
}

impl FileService {
    /// Opens the file for appending.
    pub fn open(config: FileConfig) -> io::Result<FileService> {
        if let Some(dir) = config.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let current = open(&config.path)?;
        Ok(FileService {
            config: Arc::new(config),
            current: Arc::new(Mutex::new(current)),
        })
    }

    fn interval(&self) -> Duration {
        Duration::from_millis(self.config.sync_interval_ms)
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `bytes`; syncs now if the interval has passed, else returns how long until a
    /// delayed sync is due (only to the first batch that needs one).
    fn append(&self, bytes: &[u8]) -> io::Result<Option<Duration>> {
        let mut current = self.lock();
        if current.size > 0 && current.size + bytes.len() as u64 > self.config.max_file_size {
            current.sync()?;
            rotate(&self.config.path, self.config.max_files)?;
            *current = open(&self.config.path)?;
        }
        current.file.write_all(bytes)?;
        current.size += bytes.len() as u64;
        current.dirty = true;
        let since = current.last_sync.elapsed();
        if since >= self.interval() {
            current.sync()?;
            return Ok(None);
        }
        if current.sync_scheduled {
            return Ok(None);
        }
        current.sync_scheduled = true;
        Ok(Some(self.interval() - since))
    }

    /// (written but not synced, delayed sync on its way): for tests.
    #[cfg(test)]
    pub(super) fn sync_state(&self) -> (bool, bool) {
        let current = self.lock();
        (current.dirty, current.sync_scheduled)
    }

    /// The delayed sync: what was written since the last one reaches the disk.
    fn sync_due(&self) {
        let mut current = self.lock();
        current.sync_scheduled = false;
        if let Err(e) = current.sync() {
            // The batches are acknowledged already: all that is left is to say so.
            tracing::warn!(error = %e, path = %self.config.path.display(), "audit file sink: fdatasync failed");
        }
    }
}

#[async_trait::async_trait]
impl SinkService for FileService {
    async fn send(&self, batch: &[Record]) -> Result<Delivery, SendError> {
        let bytes = encode_lines(batch);
        let this = self.clone();
        let sync_in = tokio::task::spawn_blocking(move || this.append(&bytes))
            .await
            .map_err(|e| SendError::Retryable(e.to_string()))?
            .map_err(|e| SendError::Retryable(format!("{}: {e}", self.config.path.display())))?;
        if let Some(delay) = sync_in {
            let this = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let _ = tokio::task::spawn_blocking(move || this.sync_due()).await;
            });
        }
        Ok(Delivery::All)
    }
}

fn open(path: &Path) -> io::Result<Current> {
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let size = file.metadata()?.len();
    Ok(Current {
        file,
        size,
        last_sync: Instant::now(),
        dirty: false,
        sync_scheduled: false,
    })
}
/// `PATH` becomes `PATH.1`, `PATH.1` becomes `PATH.2`, ...; past `max_files` is deleted.
fn rotate(path: &Path, max_files: u32) -> io::Result<()> {
    let numbered = |n: u32| -> PathBuf {
        let mut p = path.as_os_str().to_owned();
        p.push(format!(".{n}"));
        p.into()
    };
    if max_files == 0 {
        return fs::remove_file(path);
    }
    match fs::remove_file(numbered(max_files)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    for n in (1..max_files).rev() {
        match fs::rename(numbered(n), numbered(n + 1)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    fs::rename(path, numbered(1))
}
