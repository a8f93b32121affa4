//! Shared harness for the volume tests: stores on temp directories, bodies, writing (stage then
//! commit) and reading back (open, select, read).
#![allow(dead_code)]

use std::convert::Infallible;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use futures::{stream, Stream, StreamExt};
use strata_volume::*;

/// A store's directories, kept until the test ends.
pub struct Dirs {
    pub tmp: tempfile::TempDir,
}

impl Dirs {
    pub fn new() -> Self {
        Dirs {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// `count` volume directories of class `class`, created.
    pub fn volumes(&self, class: &str, count: usize) -> Vec<PathBuf> {
        (0..count)
            .map(|i| {
                let p = self.tmp.path().join(class).join(i.to_string());
                std::fs::create_dir_all(&p).expect("mkdir");
                p
            })
            .collect()
    }

    /// A config with `fast` (4 volumes, 2+2) and `bulk` (2 volumes, mirror).
    pub fn two_classes(&self) -> StoreConfig {
        StoreConfig::new(vec![
            ClassConfig {
                name: "fast".into(),
                volumes: self.volumes("fast", 4),
                scheme: Some(Scheme::Erasure { data: 2, parity: 2 }),
            },
            ClassConfig {
                name: "bulk".into(),
                volumes: self.volumes("bulk", 2),
                scheme: Some(Scheme::Mirror),
            },
        ])
    }
}

/// Deterministic bytes: the same (seed, len) always gives the same content.
pub fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A body stream that delivers `data` in chunks of `chunk` bytes and never fails.
pub fn body(
    data: &[u8],
    chunk: usize,
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + Unpin + 'static {
    let chunks: Vec<Result<Bytes, Infallible>> = data
        .chunks(chunk.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(chunks)
}

/// The store's error of a write whose body cannot fail.
pub fn store_error(e: WriteError<Infallible>) -> Error {
    match e {
        WriteError::Store(e) => e,
        WriteError::Body(never) => match never {},
    }
}

/// Stages `data` (in chunks of `chunk`) for `key` in `class`, announcing `expected_len`.
pub async fn stage(
    store: &Store,
    bucket: &str,
    key: &str,
    class: Option<&str>,
    data: &[u8],
    expected_len: Option<u64>,
) -> Result<StagedData, Error> {
    store
        .stage_object(
            bucket,
            key,
            class,
            body(data, 64 * 1024),
            expected_len,
            EtagBy::Store,
        )
        .await
        .map_err(store_error)
}

/// A whole put: stages `data` into `class` in chunks of `chunk`, then commits it with `opts`.
pub async fn put_in(
    store: &Store,
    bucket: &str,
    key: &str,
    class: Option<&str>,
    data: &[u8],
    chunk: usize,
    opts: PutOptions,
) -> Result<ObjectInfo, Error> {
    let staged = store
        .stage_object(bucket, key, class, body(data, chunk), None, EtagBy::Store)
        .await
        .map_err(store_error)?;
    store.put_object(bucket, key, staged, opts).await
}

/// A put with default options into the namespace class, which must succeed.
pub async fn put(store: &Store, bucket: &str, key: &str, data: &[u8]) -> ObjectInfo {
    put_in(
        store,
        bucket,
        key,
        None,
        data,
        64 * 1024,
        PutOptions::default(),
    )
    .await
    .expect("put")
}

/// A whole upload-part: stages `data` for the upload, then commits it as part `n`.
pub async fn upload_part(
    store: &Store,
    bucket: &str,
    key: &str,
    upload_id: &str,
    n: u32,
    data: &[u8],
    chunk: usize,
) -> Result<PartInfo, Error> {
    let staged = store
        .stage_part(
            bucket,
            key,
            upload_id,
            body(data, chunk),
            None,
            EtagBy::Store,
        )
        .await
        .map_err(store_error)?;
    store
        .upload_part(bucket, key, upload_id, n, staged, PartOptions::default())
        .await
}

pub async fn read_all(mut body: ObjectBody) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// What a HEAD sees: the current version, or the named one.
pub async fn head(
    store: &Store,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> Result<ObjectInfo, Error> {
    Ok(store
        .open_object(bucket, key, version)
        .await?
        .info()
        .clone())
}

/// The whole current version.
pub async fn get(store: &Store, bucket: &str, key: &str) -> Result<Vec<u8>, Error> {
    get_version(store, bucket, key, None).await
}

/// The whole current version, or the named one.
pub async fn get_version(
    store: &Store,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> Result<Vec<u8>, Error> {
    let obj = store.open_object(bucket, key, version).await?;
    read_all(obj.read(None)?).await
}

/// The bytes a range selects of the current version (stored bytes are the client's here).
pub async fn get_range(
    store: &Store,
    bucket: &str,
    key: &str,
    range: ByteRange,
) -> Result<Vec<u8>, Error> {
    let obj = store.open_object(bucket, key, None).await?;
    let selected = obj.select(Some(&range), None)?;
    read_all(obj.read(selected)?).await
}

/// Part `n` of the current version: where it sits in the object, and its bytes.
pub async fn get_part(
    store: &Store,
    bucket: &str,
    key: &str,
    n: u32,
) -> Result<(Range<u64>, Vec<u8>), Error> {
    let obj = store.open_object(bucket, key, None).await?;
    let span = obj
        .select(None, Some(n))?
        .expect("a part number always selects a span");
    Ok((span.clone(), read_all(obj.read(Some(span))?).await?))
}

/// Every key of a bucket, by paging with `page` keys per call.
pub async fn list_all(
    store: &Store,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    page: usize,
) -> (Vec<String>, Vec<String>) {
    let (mut keys, mut prefixes) = (Vec::new(), Vec::new());
    let mut after = None;
    loop {
        let p = store
            .list_objects(
                bucket,
                ListOptions {
                    prefix: prefix.into(),
                    delimiter: delimiter.map(Into::into),
                    start_after: after.clone(),
                    max_keys: page,
                },
            )
            .await
            .expect("list");
        keys.extend(p.objects.into_iter().map(|o| o.key));
        prefixes.extend(p.common_prefixes);
        if !p.is_truncated {
            return (keys, prefixes);
        }
        after = p.next_marker;
        assert!(after.is_some(), "a truncated page names where to continue");
    }
}

/// `xx/<name>` of every file under a volume's `.strata/data` (none when it has no such
/// directory).
pub fn shard_names(volume: &Path) -> std::collections::BTreeSet<String> {
    let data = volume.join(format::STRATA_DIR).join("data");
    let mut out = std::collections::BTreeSet::new();
    for fan in std::fs::read_dir(data).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(fan.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            out.insert(format!(
                "{}/{}",
                fan.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            ));
        }
    }
    out
}

/// The pass the tests settle a store with: deep, at full speed, sweeping every unreferenced
/// file at once (no grace period), aborting no upload.
pub fn settling_scan() -> ScanOptions {
    ScanOptions {
        depth: ScanDepth::Deep,
        orphan_grace: Duration::ZERO,
        upload_max_age: None,
        work_share: 1.0,
    }
}

/// Runs a settling scan and checks that it met no error and no failed heal.
pub async fn settle(store: &Store) -> ScanReport {
    let r = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert!(r.errors.is_empty() && r.heal.failed == 0, "{r:?}");
    r
}

/// A volume's metadata index file.
pub fn index_file(volume: &Path) -> PathBuf {
    volume.join(format::STRATA_DIR).join("meta.redb")
}

/// Keeps a copy of a volume's index (the store closed), for [`restore_index`].
pub fn save_index(volume: &Path) {
    std::fs::copy(
        index_file(volume),
        index_file(volume).with_extension("saved"),
    )
    .unwrap();
}

/// Puts back the index [`save_index`] kept: the volume misses every commit made since, as
/// a volume that was out or lost power can.
pub fn restore_index(volume: &Path) {
    std::fs::rename(
        index_file(volume).with_extension("saved"),
        index_file(volume),
    )
    .unwrap();
}

/// Shard files under every volume of the test.
pub fn shard_files(root: &Path) -> usize {
    fn walk(p: &Path, n: &mut usize) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(&path, n);
            } else if path
                .parent()
                .and_then(|d| d.parent())
                .is_some_and(|d| d.ends_with("data"))
            {
                *n += 1;
            }
        }
    }
    let mut n = 0;
    walk(root, &mut n);
    n
}

/// Old shard files are removed in the background: wait (bounded) for the count to settle.
pub async fn files_become(root: &Path, want: usize) -> bool {
    for _ in 0..200 {
        if shard_files(root) == want {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// MD5 hex of `data`: the ETag of a single put.
pub fn md5_of(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    hex(&Md5::digest(data))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates `bkt` and puts one object of each size into each class of [`Dirs::two_classes`]
/// (keys `fast-<size>`, `bulk-<size>`), in chunks of `chunk`; returns keys and contents.
pub async fn seed_two_classes(
    store: &Store,
    sizes: &[usize],
    seed: u64,
    chunk: usize,
) -> Vec<(String, Vec<u8>)> {
    store.create_bucket("bkt", None).await.unwrap();
    let mut all = Vec::new();
    for (i, &s) in sizes.iter().enumerate() {
        for class in ["fast", "bulk"] {
            let key = format!("{class}-{s}");
            let data = content(i as u64 + seed, s);
            put_in(
                store,
                "bkt",
                &key,
                Some(class),
                &data,
                chunk,
                PutOptions::default(),
            )
            .await
            .unwrap();
            all.push((key, data));
        }
    }
    all
}

/// Every object of `all` reads back byte-exact from `bkt`.
pub async fn check_all(store: &Store, all: &[(String, Vec<u8>)]) {
    for (key, data) in all {
        let got = get(store, "bkt", key)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        assert!(got == *data, "{key}: the bytes differ");
    }
}

/// Polls `done` every 50 ms for up to 30 s; whether it came true.
pub async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..600 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Maintenance that scans only when asked (or to refill), at full speed, and checks volumes
/// every 200 ms.
pub fn on_demand() -> MaintenanceConfig {
    MaintenanceConfig {
        scan_interval: None,
        deep_interval: None,
        scan: ScanOptions {
            work_share: 1.0,
            ..ScanOptions::default()
        },
        volume_check: std::time::Duration::from_millis(200),
    }
}

/// Whether the store serves the volume at `path` now (`None`: not configured).
pub fn serves(store: &Store, path: &Path) -> Option<bool> {
    store
        .volumes()
        .into_iter()
        .find(|v| v.path == path)
        .map(|v| v.online)
}
