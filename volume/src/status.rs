//! What operators watch: each volume's state and space, and what reads had to work around.

use std::path::{Path, PathBuf};

/// One configured volume, online or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeStatus {
    /// Storage class.
    pub class: String,
    /// The directory as configured.
    pub path: PathBuf,
    /// Serving; `false` when missing, refused at start or failed.
    pub online: bool,
    /// Why it is not online.
    pub reason: Option<String>,
    /// When it went out of service while the store ran (none when online, or when it was
    /// not found at start).
    pub down_since: Option<std::time::SystemTime>,
    /// The filesystem's space; `None` when offline or when it cannot be read.
    pub space: Option<Space>,
}

/// A filesystem's size and use, as `statvfs` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Space {
    /// Size in bytes.
    pub capacity_bytes: u64,
    /// Bytes an unprivileged writer (strata) can still use.
    pub free_bytes: u64,
    /// Bytes in use (size minus all free blocks, reserved ones included).
    pub used_bytes: u64,
    /// Inodes in all.
    pub capacity_inodes: u64,
    /// Inodes an unprivileged writer can still use.
    pub free_inodes: u64,
    /// Inodes in use.
    pub used_inodes: u64,
}

impl Space {
    /// The filesystem holding `path`.
    pub fn of(path: &Path) -> Option<Space> {
        let s = rustix::fs::statvfs(path).ok()?;
        let unit = s.f_frsize.max(1);
        Some(Space {
            capacity_bytes: s.f_blocks.saturating_mul(unit),
            free_bytes: s.f_bavail.saturating_mul(unit),
            used_bytes: s.f_blocks.saturating_sub(s.f_bfree).saturating_mul(unit),
            capacity_inodes: s.f_files,
            free_inodes: s.f_favail,
            used_inodes: s.f_files.saturating_sub(s.f_ffree),
        })
    }
}

/// Counts of what reads worked around, since start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadHealth {
    /// Heal events waiting.
    pub queue_depth: usize,
    /// The queue's bound.
    pub queue_limit: usize,
    /// Events dropped at the bound.
    pub queue_dropped: u64,
    /// Per class: shards found missing, shards found corrupt, object reads that read around
    /// at least one of them.
    pub classes: Vec<ClassReadHealth>,
}

/// One class's share of [`ReadHealth`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassReadHealth {
    /// Storage class.
    pub class: String,
    /// Shards a read found missing.
    pub missing_shards: u64,
    /// Shards a read found corrupt.
    pub corrupt_shards: u64,
    /// Object reads that reconstructed around at least one bad shard.
    pub degraded_reads: u64,
}

/// Aligned write buffers kept for reuse now, and their bound (bytes each: one erasure block
/// plus alignment).
pub fn spare_write_buffers() -> (usize, usize) {
    (
        crate::disk::shard_writer::spare_stages(),
        crate::disk::shard_writer::MAX_SPARES,
    )
}
