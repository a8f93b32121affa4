//! The keyring's JSON shapes and the checked in-memory keys they load into.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::key::Kek;

pub(super) const FORMAT: &str = "strata-keyring";
pub(super) const VERSION: u32 = 1;
const MAX_ID_LEN: usize = 64;

/// The whole keyring in one file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KeyringFile {
    pub(super) format: String,
    pub(super) version: u32,
    pub(super) keys: BTreeMap<String, KeyRecord>,
}

/// One key's versions (a file of its own in directory mode).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KeyRecord {
    pub(super) versions: Vec<VersionRecord>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VersionRecord {
    pub(super) version: u32,
    pub(super) material: String,
    pub(super) created: u64,
}

impl Drop for VersionRecord {
    fn drop(&mut self) {
        self.material.zeroize();
    }
}

/// One master key version in memory.
#[derive(Clone)]
pub(super) struct KeyVersion {
    pub(super) material: Kek,
    pub(super) created: u64,
}

/// A master key: its versions by number; the highest is current.
#[derive(Clone, Default)]
pub(super) struct MasterKey {
    pub(super) versions: BTreeMap<u32, KeyVersion>,
}

impl MasterKey {
    pub(super) fn current(&self) -> Option<(u32, &KeyVersion)> {
        self.versions.iter().next_back().map(|(v, k)| (*v, k))
    }

    pub(super) fn from_record(record: &KeyRecord) -> Result<Self, String> {
        let mut key = MasterKey::default();
        for version in &record.versions {
            if version.version == 0 {
                return Err("key version 0".into());
            }
            let mut bytes = STANDARD
                .decode(version.material.as_bytes())
                .map_err(|_| format!("version {}: material is not base64", version.version))?;
            let material = Kek::from_slice(&bytes);
            bytes.zeroize();
            let material = material
                .ok_or_else(|| format!("version {}: material is not 32 bytes", version.version))?;
            let previous = key.versions.insert(
                version.version,
                KeyVersion {
                    material,
                    created: version.created,
                },
            );
            if previous.is_some() {
                return Err(format!("duplicate version {}", version.version));
            }
        }
        if key.versions.is_empty() {
            return Err("a key without versions".into());
        }
        Ok(key)
    }

    pub(super) fn to_record(&self) -> KeyRecord {
        KeyRecord {
            versions: self
                .versions
                .iter()
                .map(|(version, key)| VersionRecord {
                    version: *version,
                    material: STANDARD.encode(key.material.expose()),
                    created: key.created,
                })
                .collect(),
        }
    }
}

/// Whether `id` is an allowed key id (`/` only where the keyring is one file).
pub(super) fn valid_id(id: &str, allow_slash: bool) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && !id.starts_with('.')
        && id.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'_' | b'.')
                || (allow_slash && b == b'/')
        })
}
