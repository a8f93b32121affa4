//! Shared harness for the volume tests: stores on temp directories, bodies, reading back.
#![allow(dead_code)]

use std::path::PathBuf;

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

/// A body stream that delivers `data` in chunks of `chunk` bytes.
pub fn body(
    data: &[u8],
    chunk: usize,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + Unpin + 'static {
    let chunks: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(chunk.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(chunks)
}

pub async fn put(store: &Store, bucket: &str, key: &str, data: &[u8]) -> ObjectInfo {
    store
        .put_object(bucket, key, PutOptions::default(), body(data, 64 * 1024))
        .await
        .expect("put")
}

pub async fn read_all(mut body: ObjectBody) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

pub async fn get(store: &Store, bucket: &str, key: &str) -> Result<Vec<u8>, Error> {
    let r = store.get_object(bucket, key, GetOptions::default()).await?;
    read_all(r.body).await
}

pub async fn get_range(
    store: &Store,
    bucket: &str,
    key: &str,
    range: ByteRange,
) -> Result<Vec<u8>, Error> {
    let r = store
        .get_object(
            bucket,
            key,
            GetOptions {
                range: Some(range),
                ..Default::default()
            },
        )
        .await?;
    read_all(r.body).await
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
