//! Scanning a test server's volume directories for bytes: the proof that something (a
//! plaintext, a checksum) is or is not stored in clear, and for shard files (where a class's
//! data went). Shared by the encryption, storage-class and lifecycle tests.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use strata_tests::{Layout, Server};

/// Every file under the server's volume directories (not its state directory).
pub fn volume_files(server: &Server, layout: &Layout) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    for class in &layout.classes {
        for i in 0..class.volumes {
            walk(&server.dir().join(format!("{}{i}", class.name)), &mut files);
        }
    }
    files
}

fn walk(dir: &Path, files: &mut BTreeSet<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let entry = entry.unwrap();
        let p = entry.path();
        if entry.file_type().unwrap().is_dir() {
            walk(&p, files);
        } else {
            files.insert(p);
        }
    }
}

/// The volume files that hold `needle`.
pub fn files_holding(server: &Server, layout: &Layout, needle: &[u8]) -> Vec<PathBuf> {
    let files = volume_files(server, layout);
    assert!(!files.is_empty(), "no volume files to scan");
    files
        .into_iter()
        .filter(|f| {
            let bytes = std::fs::read(f).unwrap_or_default();
            bytes.windows(needle.len()).any(|w| w == needle)
        })
        .collect()
}

/// The sizes of the shard files of the volume directory `volume`
/// (`.strata/data/<xx>/<id>`, FORMAT.md); none when it has no data directory yet.
pub fn shard_file_sizes(volume: &Path) -> Vec<u64> {
    let Ok(fanout) = std::fs::read_dir(volume.join(".strata").join("data")) else {
        return Vec::new();
    };
    fanout
        .flatten()
        .filter_map(|d| std::fs::read_dir(d.path()).ok())
        .flat_map(|files| files.flatten())
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .collect()
}
