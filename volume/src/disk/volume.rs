//! One volume in use: its directory, identity, metadata index (namespace class only) and
//! shard files.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::format::{sync_dir, STRATA_DIR};
use super::meta_db::MetaDb;
use crate::erasure::codec::{shard_hash, ShardBlock};
use crate::erasure::layout::HASH_LEN;
use crate::error::{Error, Result};

/// A volume that passed its format checks.
pub struct Volume {
    /// Volume directory.
    pub root: PathBuf,
    /// The metadata index (namespace class volumes only).
    pub meta: Option<MetaDb>,
}

impl Volume {
    /// Opens a formatted volume; `with_meta` opens its metadata index.
    pub fn open(root: &Path, with_meta: bool) -> Result<Volume> {
        let data = root.join(STRATA_DIR).join("data");
        if !data.join("ff").is_dir() {
            // 256 fan-out directories, made once, so that a new shard file only needs its
            // parent directory fsynced.
            for i in 0..=255u8 {
                let d = data.join(format!("{i:02x}"));
                std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
            }
            sync_dir(&data)?;
            sync_dir(&root.join(STRATA_DIR))?;
        }
        let meta = if with_meta {
            Some(MetaDb::open(&root.join(STRATA_DIR).join("meta.redb"))?)
        } else {
            None
        };
        Ok(Volume {
            root: root.to_path_buf(),
            meta,
        })
    }

    /// Path of the shard file of one part.
    pub fn shard_path(&self, data_id: &[u8; 16]) -> PathBuf {
        let name = uuid::Uuid::from_bytes(*data_id).simple().to_string();
        self.root
            .join(STRATA_DIR)
            .join("data")
            .join(&name[..2])
            .join(name)
    }

    /// The metadata index, or an error for volumes of other classes.
    pub fn meta(&self) -> Result<&MetaDb> {
        self.meta.as_ref().ok_or_else(|| {
            Error::Internal(format!("{} has no metadata index", self.root.display()))
        })
    }

    /// Removes a shard file; a missing one is fine.
    pub fn remove_shard(&self, data_id: &[u8; 16]) {
        let p = self.shard_path(data_id);
        if let Err(e) = std::fs::remove_file(&p) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %p.display(), error = %e, "could not remove shard file");
            }
        }
    }
}

/// Bytes written to a shard file between two write-back kicks.
const WRITEBACK_EVERY: u64 = 8 << 20;

/// Writes one shard file block by block; `finish` makes it durable.
///
/// Every `WRITEBACK_EVERY` bytes it asks the kernel to start writing the new pages out
/// (`POSIX_FADV_DONTNEED` starts asynchronous write-back of dirty pages on Linux), so the
/// disk works while the next blocks are encoded instead of receiving the whole object at the
/// final fsync.
pub struct ShardWriter {
    path: PathBuf,
    file: File,
    written: u64,
    kicked: u64,
}

impl ShardWriter {
    /// Creates the file (it must not exist: data ids are fresh).
    pub fn create(path: PathBuf) -> Result<ShardWriter> {
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        Ok(ShardWriter {
            path,
            file,
            written: 0,
            kicked: 0,
        })
    }

    /// Appends one hashed shard block.
    pub fn write(&mut self, block: &ShardBlock) -> Result<()> {
        self.file
            .write_all(&block.hash)
            .and_then(|_| self.file.write_all(&block.data))
            .map_err(|e| Error::io(&self.path, e))?;
        self.written += (block.hash.len() + block.data.len()) as u64;
        if self.written - self.kicked >= WRITEBACK_EVERY {
            let len = std::num::NonZeroU64::new(self.written - self.kicked);
            // Only a hint: if it fails, the final fsync still writes everything.
            let _ = rustix::fs::fadvise(&self.file, self.kicked, len, rustix::fs::Advice::DontNeed);
            self.kicked = self.written;
        }
        Ok(())
    }

    /// fsyncs the file and its directory.
    pub fn finish(self) -> Result<()> {
        self.file.sync_all().map_err(|e| Error::io(&self.path, e))?;
        match self.path.parent() {
            Some(dir) => sync_dir(dir),
            None => Ok(()),
        }
    }
}

/// Why a shard block could not be used.
#[derive(Debug)]
pub enum ShardReadError {
    /// Not there (file missing, short).
    Missing,
    /// Failed its hash.
    Corrupt,
}

/// Reads and checks one shard block of `shard_len` bytes at `offset`.
pub fn read_shard_block(
    file: &File,
    offset: u64,
    shard_len: usize,
) -> std::result::Result<Bytes, ShardReadError> {
    let mut buf = vec![0u8; HASH_LEN + shard_len];
    match file.read_exact_at(&mut buf, offset) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(ShardReadError::Missing)
        }
        Err(_) => return Err(ShardReadError::Missing),
    }
    check_shard_block(Bytes::from(buf))
}

/// Splits `hash || data` and checks the hash.
pub fn check_shard_block(buf: Bytes) -> std::result::Result<Bytes, ShardReadError> {
    if buf.len() < HASH_LEN {
        return Err(ShardReadError::Missing);
    }
    let data = buf.slice(HASH_LEN..);
    if shard_hash(&data)[..] != buf[..HASH_LEN] {
        return Err(ShardReadError::Corrupt);
    }
    Ok(data)
}
