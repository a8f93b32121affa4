//! Loading the keyring from its file or directory, and persisting changes atomically.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroize;

use super::model::{valid_id, KeyRecord, KeyringFile, MasterKey, FORMAT, VERSION};
use crate::kms::error::KmsError;

/// Where the keyring lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyringLocation {
    /// One JSON file holding every key; created on the first `create_key` if missing.
    File(PathBuf),
    /// A directory (e.g. a mounted Secret) with one JSON file per key id; must exist.
    Directory(PathBuf),
}

pub(super) type Keys = BTreeMap<String, MasterKey>;

impl KeyringLocation {
    pub(super) fn allows_slash(&self) -> bool {
        matches!(self, KeyringLocation::File(_))
    }

    /// Reads every key; any malformed content is refused.
    pub(super) fn load(&self) -> Result<Keys, KmsError> {
        match self {
            KeyringLocation::File(path) => load_file(path),
            KeyringLocation::Directory(dir) => load_directory(dir),
        }
    }

    /// Writes `keys` after key `changed` was created or rotated (blocking I/O).
    pub(super) fn persist(&self, keys: &Keys, changed: &str) -> Result<(), KmsError> {
        let (target, mut bytes) = match self {
            KeyringLocation::File(path) => {
                let file = KeyringFile {
                    format: FORMAT.into(),
                    version: VERSION,
                    keys: keys
                        .iter()
                        .map(|(id, key)| (id.clone(), key.to_record()))
                        .collect(),
                };
                (path.clone(), to_json(&file, path)?)
            }
            KeyringLocation::Directory(dir) => {
                let record = keys
                    .get(changed)
                    .ok_or_else(|| KmsError::NoSuchKey(changed.into()))?
                    .to_record();
                let path = dir.join(changed);
                (path.clone(), to_json(&record, &path)?)
            }
        };
        let written = write_atomically(&target, &bytes).map_err(|source| KmsError::Io {
            path: target.display().to_string(),
            source,
        });
        bytes.zeroize();
        written
    }
}

fn corrupt(path: &Path, reason: impl Into<String>) -> KmsError {
    KmsError::CorruptKeyring {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> KmsError + '_ {
    move |source| KmsError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn to_json<T: serde::Serialize>(value: &T, path: &Path) -> Result<Vec<u8>, KmsError> {
    serde_json::to_vec_pretty(value).map_err(|e| corrupt(path, e.to_string()))
}

fn read_text(path: &Path) -> Result<Option<Vec<u8>>, KmsError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path)(e)),
    }
}

fn load_file(path: &Path) -> Result<Keys, KmsError> {
    let Some(mut bytes) = read_text(path)? else {
        return Ok(Keys::new());
    };
    let parsed: Result<KeyringFile, _> = serde_json::from_slice(&bytes);
    bytes.zeroize();
    let file = parsed.map_err(|e| corrupt(path, e.to_string()))?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(corrupt(
            path,
            format!("not a {FORMAT} version {VERSION} file"),
        ));
    }
    let mut keys = Keys::new();
    for (id, record) in &file.keys {
        if !valid_id(id, true) {
            return Err(corrupt(path, format!("invalid key id {id:?}")));
        }
        let key = MasterKey::from_record(record)
            .map_err(|e| corrupt(path, format!("key {id:?}: {e}")))?;
        keys.insert(id.clone(), key);
    }
    Ok(keys)
}

fn load_directory(dir: &Path) -> Result<Keys, KmsError> {
    let mut keys = Keys::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let Some(id) = name.to_str() else {
            return Err(corrupt(dir, "a file name that is not UTF-8"));
        };
        // Kubernetes Secret volumes hold `..data` and `..<timestamp>` entries; temporary
        // files of an interrupted write also start with a dot.
        if id.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        if !valid_id(id, false) {
            return Err(corrupt(&path, "file name is not a valid key id"));
        }
        let Some(mut bytes) = read_text(&path)? else {
            continue; // removed while listing
        };
        let parsed: Result<KeyRecord, _> = serde_json::from_slice(&bytes);
        bytes.zeroize();
        let record = parsed.map_err(|e| corrupt(&path, e.to_string()))?;
        let key = MasterKey::from_record(&record).map_err(|e| corrupt(&path, e))?;
        keys.insert(id.to_string(), key);
    }
    Ok(keys)
}

/// Temp file beside `target`, fsync, rename over `target`, fsync the directory.
fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut suffix = [0u8; 8];
    SystemRandom::new()
        .fill(&mut suffix)
        .map_err(|_| io::Error::other("random generator failed"))?;
    let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let temp = dir.join(format!(".{name}.tmp-{suffix}"));
    let result = (|| {
        let mut file = File::options().write(true).create_new(true).open(&temp)?;
        set_owner_only(&file)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, target)?;
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(unix)]
fn set_owner_only(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_owner_only(_file: &File) -> io::Result<()> {
    Ok(())
}
