//! Scanning a test server's volume directories for bytes: the proof that something (a
//! plaintext, a checksum) is or is not stored in clear. Shared by the encryption tests.
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
