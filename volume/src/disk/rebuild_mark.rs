//! The rebuild mark `<volume>/.strata/rebuild.json`: a volume formatted into the slot of a lost
//! one holds nothing yet, and one that was out of service missed the writes made meanwhile. The mark is written before its format record, so a volume that is
//! in the set but not refilled always says so, and it records how far the refill got, so that
//! a restart resumes there. The scanner's refill pass removes it when done.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::format::{sync_dir, write_json, STRATA_DIR};
use crate::error::{Error, Result};

/// File name inside `.strata`.
pub const REBUILD_FILE: &str = "rebuild.json";

/// The mark's content.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RebuildMark {
    /// When the volume was formatted as a replacement (ns since the epoch).
    pub since_ns: u64,
    /// Hex of the last `versions` index key the refill finished (none yet: from the start).
    #[serde(default)]
    pub after: Option<String>,
}

/// Writes (or updates) the mark atomically.
pub fn write(root: &Path, mark: &RebuildMark) -> Result<()> {
    write_json(root, REBUILD_FILE, mark)?;
    sync_dir(root)
}

/// The mark, when the volume has one; an unreadable mark counts as one from the start.
pub fn read(root: &Path) -> Option<RebuildMark> {
    let path = root.join(STRATA_DIR).join(REBUILD_FILE);
    let bytes = std::fs::read(&path).ok()?;
    Some(serde_json::from_slice(&bytes).unwrap_or_default())
}

/// Whether the volume still holds the mark `seen` was read from (a volume that went away
/// and came back while a refill ran is marked again, with a later `since_ns`, and that mark
/// must outlive the pass that did not see it).
pub fn unchanged(root: &Path, seen: &RebuildMark) -> bool {
    read(root).is_some_and(|m| m.since_ns == seen.since_ns)
}

/// Removes the mark: the volume is whole.
pub fn clear(root: &Path) -> Result<()> {
    let dir = root.join(STRATA_DIR);
    let path = dir.join(REBUILD_FILE);
    match std::fs::remove_file(&path) {
        Ok(()) => sync_dir(&dir),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&path, e)),
    }
}
