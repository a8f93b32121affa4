//! The one harness: a temp dir holding a backing directory and a mountpoint, a mount that
//! fails loudly when FUSE is missing, and small file helpers that fsync the way strata does.
#![allow(dead_code)]

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use strata_faultfs::{FaultFs, MountOptions};

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub backing: PathBuf,
    pub mnt: PathBuf,
}

impl Fixture {
    /// Panics (never skips) when the machine cannot mount FUSE.
    pub fn new() -> Fixture {
        if let Err(e) = FaultFs::check_available() {
            panic!("strata-faultfs tests need FUSE: {e}");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let backing = dir.path().join("backing");
        let mnt = dir.path().join("mnt");
        fs::create_dir(&backing).expect("backing dir");
        fs::create_dir(&mnt).expect("mountpoint");
        Fixture {
            _dir: dir,
            backing,
            mnt,
        }
    }

    pub fn mount(&self) -> FaultFs {
        FaultFs::mount(&self.backing, &self.mnt, MountOptions::default()).expect("mount")
    }

    /// A path under the mountpoint.
    pub fn at(&self, rel: &str) -> PathBuf {
        self.mnt.join(rel)
    }

    /// A path under the backing directory (to check what a restore left).
    pub fn backing_at(&self, rel: &str) -> PathBuf {
        self.backing.join(rel)
    }
}

/// Writes a whole file without syncing anything.
pub fn write(path: &Path, data: &[u8]) {
    let mut f = File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
    f.write_all(data).expect("write");
}

/// Writes a whole file and fsyncs it (not its directory).
pub fn write_synced(path: &Path, data: &[u8]) {
    let mut f = File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
    f.write_all(data).expect("write");
    f.sync_all().expect("fsync");
}

/// fsync on a directory: the kernel sends FSYNCDIR.
pub fn sync_dir(path: &Path) {
    File::open(path)
        .expect("open dir")
        .sync_all()
        .expect("fsyncdir");
}

/// The strata pattern: write tmp, fsync it, rename over the final name, fsync the dir.
pub fn atomic_replace(dir: &Path, name: &str, data: &[u8]) {
    let tmp = dir.join(format!("{name}.tmp"));
    write_synced(&tmp, data);
    fs::rename(&tmp, dir.join(name)).expect("rename");
    sync_dir(dir);
}

pub fn read(path: &Path) -> Option<Vec<u8>> {
    fs::read(path).ok()
}

pub fn append(path: &Path, data: &[u8]) {
    let mut f = OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(data).expect("append");
}

/// Deterministic bytes that differ at every offset (catches shifted or dropped blocks).
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u32)
                .wrapping_mul(2_654_435_761)
                .rotate_left(seed as u32 % 31) as u8
                ^ seed
        })
        .collect()
}

/// Every relative path under `root`, sorted, directories marked with a trailing slash.
pub fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).expect("read_dir") {
            let p = e.expect("entry").path();
            let rel = p
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            if p.is_dir() {
                out.push(format!("{rel}/"));
                stack.push(p);
            } else {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}
