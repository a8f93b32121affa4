//! The file sink's keys.

use std::path::PathBuf;

use serde::Deserialize;

use super::service::FileService;
use crate::audit::sinks::error::BuildError;

/// Where the lines go and how much of them is kept.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The file appended to (its directory is made if missing).
    pub path: PathBuf,
    /// Size at which the file is rotated to `PATH.1` (older ones shift to `.2`, ...)
    /// [default: 100 MiB].
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
    /// Rotated files kept besides the current one; older ones are deleted [default: 5].
    #[serde(default = "default_max_files")]
    pub max_files: u32,
    /// Longest a written batch waits for its `fdatasync`, in milliseconds; 0 syncs every
    /// batch [default: 1000]. An `fdatasync` per batch cost a 4 KiB GET about 1 µs of CPU.
    #[serde(default = "default_sync_interval_ms")]
    pub sync_interval_ms: u64,
}

fn default_max_file_size() -> u64 {
    100 * 1024 * 1024
}

fn default_max_files() -> u32 {
    5
}

fn default_sync_interval_ms() -> u64 {
    1000
}

impl FileConfig {
    /// The service; opens (or makes) the file.
    pub fn build(&self) -> Result<FileService, BuildError> {
        FileService::open(self.clone()).map_err(|source| BuildError::File {
            setting: "path",
            path: self.path.clone(),
            source,
        })
    }
}
