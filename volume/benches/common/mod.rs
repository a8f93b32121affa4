//! Shared set-up of the volume benches: where the volumes live, the store, the bodies.
//!
//! Volumes go under `$STRATA_BENCH_DIR` (default `/root/.cache/strata-bench-tmp`), which must
//! be on the disk under test: not tmpfs, or the figures measure memory.

#![allow(dead_code)] // each bench uses a different part of this module

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::Stream;
use rand::RngCore;
use strata_volume::{ClassConfig, EtagBy, ObjectInfo, PutOptions, Scheme, Store, StoreConfig};

/// One MiB.
pub const MIB: usize = 1024 * 1024;

/// The bench directory (created if missing).
pub fn bench_dir() -> PathBuf {
    let dir = std::env::var_os("STRATA_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/strata-bench-tmp"));
    std::fs::create_dir_all(&dir).expect("create the bench directory");
    dir
}

/// A fresh temporary directory under the bench directory, removed when dropped.
pub fn temp_dir(label: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(label)
        .tempdir_in(bench_dir())
        .expect("create a temporary directory under the bench directory")
}

/// The four volume directories of a class under `root`.
pub fn volume_dirs(root: &Path) -> Vec<PathBuf> {
    (0..4).map(|i| root.join(format!("vol{i}"))).collect()
}

/// Opens a store with one class `fast` of 4 volumes under `root`, scheme 2+2.
pub async fn open_store(root: &Path) -> Store {
    let volumes = volume_dirs(root);
    for v in &volumes {
        std::fs::create_dir_all(v).expect("create a volume directory");
    }
    let class = ClassConfig {
        name: "fast".into(),
        volumes,
        scheme: Some(Scheme::parse("2+2").expect("scheme 2+2 parses")),
    };
    Store::open(StoreConfig::new(vec![class]))
        .await
        .expect("open the bench store")
}

/// A multi-thread tokio runtime with the default worker count (one per core).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("build the tokio runtime")
}

/// `len` random bytes, made once.
pub fn random_bytes(len: usize) -> Bytes {
    let mut buf = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut buf);
    Bytes::from(buf)
}

/// A body stream of `chunk`-sized slices of `buf` (no copy, no allocation of the bytes).
pub fn body_of(
    buf: &Bytes,
    chunk: usize,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + Unpin + 'static {
    let buf = buf.clone();
    let chunks = buf.len().div_ceil(chunk);
    futures::stream::iter((0..chunks).map(move |i| {
        let end = ((i + 1) * chunk).min(buf.len());
        Ok(buf.slice(i * chunk..end))
    }))
}

/// A whole put: stages `buf` in `chunk`-sized slices, announcing its length, then commits it.
pub async fn put(store: &Store, bucket: &str, key: &str, buf: &Bytes, chunk: usize) -> ObjectInfo {
    let staged = store
        .stage_object(
            bucket,
            key,
            None,
            body_of(buf, chunk),
            Some(buf.len() as u64),
            EtagBy::Store,
        )
        .await
        .expect("stage the body");
    store
        .put_object(bucket, key, staged, PutOptions::default())
        .await
        .expect("commit the object")
}

/// Drops every regular file under `dir` from the page cache (`posix_fadvise(DONTNEED)`),
/// so that the next read comes from the disk. Only our own files are touched.
pub fn evict(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            evict(&path);
        } else if ft.is_file() {
            if let Ok(f) = std::fs::File::open(&path) {
                // Best effort: a file that vanished or cannot be advised is simply skipped.
                let _ = rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::DontNeed);
            }
        }
    }
}

/// Notes the machine state next to the figures: the machine is shared, so say how loaded.
pub fn print_load(label: &str) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!("[{label}] loadavg: {}", load.trim());
}
