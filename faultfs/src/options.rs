//! How to mount and how to restore after a power cut.

use std::path::PathBuf;
use std::time::Duration;

use crate::power::PowerSupply;

/// Options of [`crate::FaultFs::mount`].
#[derive(Clone, Debug)]
pub struct MountOptions {
    /// Where durable file contents are kept while mounted. Default: a hidden sibling of the
    /// backing directory (`.<name>.faultfs-shadow`), so that moving files between the two is
    /// a rename. Removed on unmount.
    pub shadow_dir: Option<PathBuf>,
    /// How long the kernel may cache attributes and entries. Default zero: every lookup
    /// reaches the filesystem, so `vanish` and injected errors are seen at once.
    pub attr_ttl: Duration,
    /// The name shown in `/proc/mounts`.
    pub fs_name: String,
    /// Serve other users' processes too (FUSE's `allow_other`; needs root, or
    /// `user_allow_other` in /etc/fuse.conf). Default: only the mounting user's.
    pub allow_other: bool,
    /// The power this mount runs on. Mounts given clones of one [`PowerSupply`] share one
    /// count of mutating operations and lose power together (a machine with several disks).
    /// Default `None`: a supply of its own.
    pub power: Option<PowerSupply>,
}

impl Default for MountOptions {
    fn default() -> Self {
        MountOptions {
            shadow_dir: None,
            attr_ttl: Duration::ZERO,
            fs_name: "faultfs".to_string(),
            allow_other: false,
            power: None,
        }
    }
}

/// What [`crate::FaultFs::unmount_and_restore`] leaves in the backing directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestoreMode {
    /// Exactly the durable state: synced file contents under synced directory entries.
    Strict,
    /// The durable state plus a random part of what was not yet durable, reproducible from
    /// `seed`: a disk that wrote back some of its cache, out of order, before the cut.
    /// Unsynced data is applied per 4 KiB block (a file can mix old and new blocks, and its
    /// size may or may not follow); unsynced directory changes are applied per operation,
    /// all of an operation or none of it (a rename never leaves both names).
    Partial { seed: u64 },
}

/// What a restore did, for test logs and assertions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Files in the restored tree (hard links counted once per name).
    pub files: usize,
    /// Directories in the restored tree, the root excluded.
    pub dirs: usize,
    /// Directory operations that were not durable but were applied (Partial only).
    pub applied_dir_ops: usize,
    /// Unsynced 4 KiB blocks that were applied (Partial only).
    pub applied_blocks: usize,
}
