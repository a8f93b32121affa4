//! Appending a batch to the file: one `write`, then `fdatasync`, so an acknowledged batch
//! survives a crash of the machine too; rotation before a batch that would pass the size.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::config::FileConfig;
use super::encoder::encode_lines;
use crate::audit::sink::{Delivery, Record, SendError, SinkService};

/// The open file and its size.
#[derive(Debug)]
struct Current {
    file: File,
    size: u64,
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

    fn append(&self, bytes: &[u8]) -> io::Result<()> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if current.size > 0 && current.size + bytes.len() as u64 > self.config.max_file_size {
            rotate(&self.config.path, self.config.max_files)?;
            *current = open(&self.config.path)?;
        }
        current.file.write_all(bytes)?;
        current.file.sync_data()?;
        current.size += bytes.len() as u64;
        Ok(())
    }
}

#[async_trait::async_trait]
impl SinkService for FileService {
    async fn send(&self, batch: &[Record]) -> Result<Delivery, SendError> {
        let bytes = encode_lines(batch);
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.append(&bytes))
            .await
            .map_err(|e| SendError::Retryable(e.to_string()))?
            .map_err(|e| SendError::Retryable(format!("{}: {e}", self.config.path.display())))?;
        Ok(Delivery::All)
    }
}

fn open(path: &Path) -> io::Result<Current> {
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let size = file.metadata()?.len();
    Ok(Current { file, size })
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
