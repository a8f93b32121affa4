//! One volume in use: its directory, identity, metadata index (namespace class only) and
//! shard files.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;

use super::format::{sync_dir, STRATA_DIR};
use super::meta_db::{IndexSettings, MetaDb};
use crate::erasure::codec::shard_hash;
use crate::erasure::layout::HASH_LEN;
use crate::error::{Error, Result};
use crate::status::Space;

/// How long a free-space reading stands before the file system is asked again.
const ROOM_FRESH_MS: u64 = 250;

/// A volume that passed its format checks.
pub struct Volume {
    /// Volume directory.
    pub root: PathBuf,
    /// The metadata index (namespace class volumes only).
    pub meta: Option<MetaDb>,
    /// Bytes free at the last reading, and when it was taken (ms since `opened`).
    free: AtomicU64,
    read_at_ms: AtomicU64,
    opened: Instant,
}

impl Volume {
    /// Opens a formatted volume, and its metadata index when `index` is given.
    pub fn open(root: &Path, index: Option<IndexSettings>) -> Result<Volume> {
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
        let meta = match index {
            Some(settings) => {
                let db = MetaDb::open(&root.join(STRATA_DIR).join("meta.redb"), settings)?;
                // redb fsyncs the file, never its name: without this, a power cut after the
                // index was created loses it, with every commit it acknowledged.
                sync_dir(&root.join(STRATA_DIR))?;
                Some(db)
            }
            None => None,
        };
        Ok(Volume {
            root: root.to_path_buf(),
            meta,
            free: AtomicU64::new(0),
            read_at_ms: AtomicU64::new(0),
            opened: Instant::now(),
        })
    }

    /// Whether the file system has `bytes` free for strata's writes (`statvfs`, read at most
    /// every 250 ms while there is room, at every call while there is not, so that space
    /// coming back is seen at once; a file system that does not answer has no room).
    pub fn has_room(&self, bytes: u64) -> bool {
        // +1 so that the first call always reads.
        let now = self.opened.elapsed().as_millis() as u64 + 1;
        let at = self.read_at_ms.load(Ordering::Relaxed);
        let short = self.free.load(Ordering::Relaxed) < bytes;
        if at == 0 || short || now.saturating_sub(at) >= ROOM_FRESH_MS {
            let free = Space::of(&self.root).map_or(0, |s| s.free_bytes);
            self.free.store(free, Ordering::Relaxed);
            self.read_at_ms.store(now, Ordering::Relaxed);
        }
        self.free.load(Ordering::Relaxed) >= bytes
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
            Error::internal(format!("{} has no metadata index", self.root.display()))
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

/// Why a shard block could not be used.
#[derive(Debug)]
pub enum ShardReadError {
    /// Not there (file missing, short).
    Missing,
    /// Failed its hash.
    Corrupt,
    /// The disk failed to read it (an I/O error): a shard to heal, and a sign of a failing
    /// volume.
    Failed,
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
        Err(_) => return Err(ShardReadError::Failed),
    }
    check_shard_block(Bytes::from(buf))
}

/// Splits `hash || data` and checks the hash.
pub fn check_shard_block(buf: Bytes) -> std::result::Result<Bytes, ShardReadError> {
    if buf.len() < HASH_LEN {
        return Err(ShardReadError::Missing);
    }
    if !shard_block_intact(&buf) {
        return Err(ShardReadError::Corrupt);
    }
    Ok(buf.slice(HASH_LEN..))
}

/// Whether a stored shard block (hash, then bytes) matches its hash.
pub fn shard_block_intact(block: &[u8]) -> bool {
    block
        .split_at_checked(HASH_LEN)
        .is_some_and(|(hash, data)| shard_hash(data)[..] == hash[..])
}
