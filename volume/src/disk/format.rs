//! The format record at `<volume>/.strata/format.json`: who a volume is and which set it
//! belongs to, so that swapped, foreign, stale and blank volumes are told apart at start.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Name of the directory strata owns inside a volume.
pub const STRATA_DIR: &str = ".strata";
/// Format record file name.
pub const FORMAT_FILE: &str = "format.json";
/// Value of the `format` field.
pub const FORMAT_NAME: &str = "strata-volume";
/// Version of the volume format this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The format record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VolumeFormat {
    /// Always `strata-volume`.
    pub format: String,
    /// Format version.
    pub version: u32,
    /// The deployment (all classes of one store share it).
    pub deployment: Uuid,
    /// Storage class name.
    pub class: String,
    /// Erasure scheme of the class, e.g. `2+2`.
    pub scheme: String,
    /// This volume's id.
    pub this: Uuid,
    /// Ids of all volumes of the set, by slot.
    pub set: Vec<Uuid>,
}

impl VolumeFormat {
    /// The record of volume `this` of a class, in the set `set`.
    pub fn member(deployment: Uuid, class: &str, scheme: &str, this: Uuid, set: Vec<Uuid>) -> Self {
        VolumeFormat {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            deployment,
            class: class.into(),
            scheme: scheme.into(),
            this,
            set,
        }
    }

    /// The slot this volume holds in its own view of the set.
    pub fn slot(&self) -> Option<usize> {
        self.set.iter().position(|u| *u == self.this)
    }
}

/// What a configured volume directory turned out to be.
#[derive(Debug, Clone)]
pub enum Found {
    /// The directory does not exist (an unmounted PV).
    Missing,
    /// No format record: a new or wiped volume.
    Blank,
    /// A formatted volume.
    Formatted(VolumeFormat),
    /// A record that cannot be read or parsed.
    Unreadable(String),
}

/// Path of the format record of a volume.
pub fn format_path(root: &Path) -> PathBuf {
    root.join(STRATA_DIR).join(FORMAT_FILE)
}

/// Reads what is at `root`.
pub fn inspect(root: &Path) -> Found {
    match std::fs::metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Found::Missing,
        Err(e) => return Found::Unreadable(format!("the directory cannot be read: {e}")),
        Ok(m) if !m.is_dir() => return Found::Unreadable("not a directory".into()),
        Ok(_) => {}
    }
    let bytes = match std::fs::read(format_path(root)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Found::Blank,
        Err(e) => return Found::Unreadable(format!("the format record cannot be read: {e}")),
    };
    match serde_json::from_slice::<VolumeFormat>(&bytes) {
        Ok(f) if f.format != FORMAT_NAME => {
            Found::Unreadable(format!("format {:?} is not {FORMAT_NAME}", f.format))
        }
        Ok(f) if f.version != FORMAT_VERSION => Found::Unreadable(format!(
            "format version {} is not supported (this build reads {FORMAT_VERSION})",
            f.version
        )),
        Ok(f) if f.slot().is_none() => {
            Found::Unreadable("the volume is not in its own set list".into())
        }
        Ok(f) => Found::Formatted(f),
        Err(e) => Found::Unreadable(format!("format record: {e}")),
    }
}

/// Writes the record atomically: temp file, fsync, rename, directory fsync.
pub fn write(root: &Path, format: &VolumeFormat) -> Result<()> {
    write_json(root, FORMAT_FILE, format)?;
    sync_dir(root)
}

/// Writes `value` as `<root>/.strata/<name>` atomically: a temp file, fsynced, renamed over
/// the old one, and the directory fsynced.
pub fn write_json<T: Serialize>(root: &Path, name: &str, value: &T) -> Result<()> {
    let dir = root.join(STRATA_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let tmp = dir.join(format!("{name}.tmp"));
    let body = serde_json::to_vec_pretty(value).map_err(|e| Error::internal(e.to_string()))?;
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(&body).map_err(|e| Error::io(&tmp, e))?;
    f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    let dst = dir.join(name);
    std::fs::rename(&tmp, &dst).map_err(|e| Error::io(&dst, e))?;
    sync_dir(&dir)
}

/// fsyncs a directory so that entries created in it survive a crash.
pub fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}
