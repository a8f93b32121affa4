//! Objects: what is put reads back byte-exact, whole and in ranges, with its metadata.

mod common;

use common::*;
use strata_volume::*;

/// Sizes around every boundary: empty, inline limit, one block, several blocks.
const SIZES: &[usize] = &[
    0,
    1,
    2,
    3,
    4095,
    131_072,
    131_073,
    1 << 20,
    (1 << 20) + 1,
    3 * (1 << 20) + 12_345,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_size_reads_back_byte_exact_in_every_class() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    for class in ["fast", "bulk"] {
        for (i, &size) in SIZES.iter().enumerate() {
            let data = content(i as u64, size);
            let key = format!("{class}/obj-{size}");
            let opts = PutOptions {
                storage_class: Some(class.into()),
                ..Default::default()
            };
            let info = store
                .put_object("bkt", &key, opts, body(&data, 7_777))
                .await
                .unwrap();
            assert_eq!(info.size, size as u64);
            assert_eq!(info.storage_class, class);
            assert_eq!(info.etag, md5_of(&data));
            assert_eq!(get(&store, "bkt", &key).await.unwrap(), data, "{key}");
        }
    }
}

fn md5_of(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranges_return_exactly_the_asked_bytes() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let data = content(9, 2 * (1 << 20) + 777);
    put(&store, "bkt", "big", &data).await;
    put(&store, "bkt", "small", &data[..1000]).await;
    let n = data.len() as u64;
    let cases = [
        (0, 0),
        (0, 99),
        (1 << 20, (1 << 20) + 5),
        ((1 << 20) - 3, (1 << 20) + 3),
        (n - 1, n - 1),
        (5, n + 100),
    ];
    for (first, last) in cases {
        let got = get_range(&store, "bkt", "big", ByteRange::Bounded { first, last })
            .await
            .unwrap();
        let end = (last + 1).min(n) as usize;
        assert_eq!(got, &data[first as usize..end], "{first}-{last}");
    }
    assert_eq!(
        get_range(&store, "bkt", "big", ByteRange::Suffix { len: 10 })
            .await
            .unwrap(),
        &data[data.len() - 10..]
    );
    assert_eq!(
        get_range(&store, "bkt", "small", ByteRange::From { first: 990 })
            .await
            .unwrap(),
        &data[990..1000]
    );
    let err = get_range(&store, "bkt", "small", ByteRange::From { first: 1000 })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRange { size: 1000 }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_tags_and_checksums_are_kept() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let mut meta = ObjectMeta {
        content_type: Some("text/plain".into()),
        cache_control: Some("no-cache".into()),
        ..Default::default()
    };
    meta.user.insert("color".into(), "blue".into());
    let mut checksums = Checksums::new();
    checksums.insert("CRC32".into(), "AAAAAA==".into());
    let opts = PutOptions {
        meta: meta.clone(),
        tags: vec![("a".into(), "1".into())],
        checksums: checksums.clone(),
        internal: [("sse".to_string(), "x".to_string())].into(),
        body_check: Some(Box::new(|s: &BodySummary| {
            assert_eq!(s.size, 5);
            Ok([("SHA256".to_string(), "trailer-value".to_string())].into())
        })),
        ..Default::default()
    };
    store
        .put_object("bkt", "k", opts, body(b"hello", 2))
        .await
        .unwrap();
    let info = store
        .head_object("bkt", "k", GetOptions::default())
        .await
        .unwrap()
        .info;
    assert_eq!(info.meta, meta);
    assert_eq!(info.tags, vec![("a".to_string(), "1".to_string())]);
    assert_eq!(
        info.checksums.get("CRC32").map(String::as_str),
        Some("AAAAAA==")
    );
    assert_eq!(
        info.checksums.get("SHA256").map(String::as_str),
        Some("trailer-value")
    );
    assert_eq!(info.internal.get("sse").map(String::as_str), Some("x"));
    store
        .set_object_tags("bkt", "k", None, vec![("b".into(), "2".into())])
        .await
        .unwrap();
    let info = store
        .head_object("bkt", "k", GetOptions::default())
        .await
        .unwrap()
        .info;
    assert_eq!(info.tags, vec![("b".to_string(), "2".to_string())]);
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), b"hello");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_body_leaves_no_object_and_no_shard_files() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    put(&store, "bkt", "keep", b"old").await;
    let data = content(1, 3 << 20);
    // The client stops mid-upload.
    let mut chunks: Vec<Result<bytes::Bytes, std::io::Error>> = data
        .chunks(1 << 16)
        .take(20)
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect();
    chunks.push(Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "client went away",
    )));
    let err = store
        .put_object(
            "bkt",
            "keep",
            PutOptions::default(),
            futures::stream::iter(chunks),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Body(_)), "{err:?}");
    // Wrong length, wrong MD5, and a body check that refuses.
    let short = PutOptions {
        expected_size: Some(10),
        ..Default::default()
    };
    assert!(matches!(
        store
            .put_object("bkt", "keep", short, body(b"12345", 2))
            .await,
        Err(Error::IncompleteBody {
            expected: 10,
            got: 5
        })
    ));
    let long = PutOptions {
        expected_size: Some(3),
        ..Default::default()
    };
    assert!(matches!(
        store
            .put_object("bkt", "keep", long, body(&data, 1 << 16))
            .await,
        Err(Error::IncompleteBody { .. })
    ));
    let md5 = PutOptions {
        expected_md5: Some([0; 16]),
        ..Default::default()
    };
    assert!(matches!(
        store
            .put_object("bkt", "keep", md5, body(&data, 1 << 16))
            .await,
        Err(Error::BadDigest)
    ));
    let refuse = PutOptions {
        body_check: Some(Box::new(
            |_: &BodySummary| Err("bad chunk signature".into()),
        )),
        ..Default::default()
    };
    assert!(matches!(
        store
            .put_object("bkt", "keep", refuse, body(&data, 1 << 16))
            .await,
        Err(Error::BodyRejected(_))
    ));

    assert_eq!(get(&store, "bkt", "keep").await.unwrap(), b"old");
    assert!(
        files_become(d.tmp.path(), 0).await,
        "failed puts left shard files behind"
    );
}

/// Old shard files are removed in the background: wait (bounded) for the count to settle.
async fn files_become(root: &std::path::Path, want: usize) -> bool {
    for _ in 0..200 {
        if shard_files(root) == want {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// Shard files under every volume of the test.
pub fn shard_files(root: &std::path::Path) -> usize {
    fn walk(p: &std::path::Path, n: &mut usize) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overwrite_and_delete_remove_old_shard_files() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let big = content(3, 2 << 20);
    put(&store, "bkt", "k", &big).await;
    assert_eq!(shard_files(d.tmp.path()), 4);
    put(&store, "bkt", "k", &content(4, 2 << 20)).await;
    assert!(
        files_become(d.tmp.path(), 4).await,
        "the replaced version's shards are removed"
    );
    let out = store.delete_object("bkt", "k", None).await.unwrap();
    assert_eq!(
        out,
        DeleteOutcome {
            version_id: None,
            delete_marker: false
        }
    );
    assert!(
        files_become(d.tmp.path(), 0).await,
        "the deleted object's shards are removed"
    );
    assert!(matches!(
        get(&store, "bkt", "k").await,
        Err(Error::NoSuchKey {
            delete_marker_version: None
        })
    ));
    // Deleting what is not there is not an error (S3 answers 204).
    store.delete_object("bkt", "k", None).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_preconditions_hold_at_commit() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let once = || PutOptions {
        precondition: Some(WritePrecondition::IfNoneMatchAny),
        ..Default::default()
    };
    let first = store
        .put_object("bkt", "k", once(), body(b"1", 1))
        .await
        .unwrap();
    assert!(matches!(
        store.put_object("bkt", "k", once(), body(b"2", 1)).await,
        Err(Error::PreconditionFailed)
    ));
    let if_match = |etag: &str| PutOptions {
        precondition: Some(WritePrecondition::IfMatch(etag.into())),
        ..Default::default()
    };
    assert!(matches!(
        store
            .put_object("bkt", "k", if_match("nope"), body(b"3", 1))
            .await,
        Err(Error::PreconditionFailed)
    ));
    store
        .put_object(
            "bkt",
            "k",
            if_match(&format!("\"{}\"", first.etag)),
            body(b"4", 1),
        )
        .await
        .unwrap();
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), b"4");
    assert!(matches!(
        store
            .put_object("bkt", "absent", if_match("x"), body(b"5", 1))
            .await,
        Err(Error::PreconditionFailed)
    ));

    // Concurrent If-None-Match writers: exactly one wins.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let s = store.clone();
            tokio::spawn(async move {
                s.put_object("bkt", "race", once(), body(&[i as u8], 1))
                    .await
                    .is_ok()
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += t.await.unwrap() as usize;
    }
    assert_eq!(wins, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_names_and_classes_are_refused_precisely() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    assert!(matches!(
        store.create_bucket("Bad_Name", None).await,
        Err(Error::InvalidBucketName(_))
    ));
    store.create_bucket("bkt", None).await.unwrap();
    assert!(matches!(
        store.create_bucket("bkt", None).await,
        Err(Error::BucketAlreadyOwnedByYou)
    ));
    assert!(matches!(
        store
            .put_object("nope", "k", PutOptions::default(), body(b"x", 1))
            .await,
        Err(Error::NoSuchBucket)
    ));
    assert!(matches!(
        store
            .put_object(
                "bkt",
                &"k".repeat(1025),
                PutOptions::default(),
                body(b"x", 1)
            )
            .await,
        Err(Error::KeyTooLong)
    ));
    assert!(matches!(
        store
            .put_object("bkt", "a\0b", PutOptions::default(), body(b"x", 1))
            .await,
        Err(Error::InvalidKey(_))
    ));
    let opts = PutOptions {
        storage_class: Some("GLACIER".into()),
        ..Default::default()
    };
    assert!(matches!(
        store.put_object("bkt", "k", opts, body(b"x", 1)).await,
        Err(Error::InvalidStorageClass(_))
    ));
    assert!(store.has_class("STANDARD") && store.has_class("Bulk"));
    // Keys that would be dangerous as paths are just keys: they never become file names.
    for key in ["../../etc/passwd", "a//b", "./.", "\u{202e}rtl"] {
        put(&store, "bkt", key, key.as_bytes()).await;
        assert_eq!(get(&store, "bkt", key).await.unwrap(), key.as_bytes());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buckets_keep_config_and_delete_only_when_empty() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    {
        let store = Store::open(cfg.clone()).await.unwrap();
        store.create_bucket("bkt", Some("eu-west-1")).await.unwrap();
        store
            .put_bucket_config("bkt", "policy", b"{\"Version\":\"2012-10-17\"}".to_vec())
            .await
            .unwrap();
        put(&store, "bkt", "k", b"x").await;
        assert!(matches!(
            store.delete_bucket("bkt").await,
            Err(Error::BucketNotEmpty)
        ));
    }
    // Everything survives a restart.
    let store = Store::open(cfg).await.unwrap();
    let b = store.bucket_info("bkt").await.unwrap();
    assert_eq!(b.location.as_deref(), Some("eu-west-1"));
    assert_eq!(
        store
            .get_bucket_config("bkt", "policy")
            .await
            .unwrap()
            .as_deref(),
        Some(&b"{\"Version\":\"2012-10-17\"}"[..])
    );
    assert_eq!(store.get_bucket_config("bkt", "cors").await.unwrap(), None);
    store.delete_object("bkt", "k", None).await.unwrap();
    store.delete_bucket("bkt").await.unwrap();
    assert!(store.list_buckets().await.unwrap().is_empty());
    assert!(matches!(
        store.bucket_info("bkt").await,
        Err(Error::NoSuchBucket)
    ));
}
