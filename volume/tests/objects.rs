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
            let info = put_in(
                &store,
                "bkt",
                &key,
                Some(class),
                &data,
                7_777,
                PutOptions::default(),
            )
            .await
            .unwrap();
            assert_eq!(info.size, size as u64);
            assert_eq!(info.stored_size, size as u64);
            assert_eq!(info.storage_class, class);
            assert_eq!(info.etag, md5_of(&data));
            assert_eq!(get(&store, "bkt", &key).await.unwrap(), data, "{key}");
        }
    }
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
    assert!(
        matches!(err, Error::Refused(Refusal::InvalidRange { size: 1000 })),
        "{err:?}"
    );
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
    let staged = store
        .stage_object("bkt", "k", None, body(b"hello", 2), None, EtagBy::Store)
        .await
        .map_err(store_error)
        .unwrap();
    // What the caller checks its body against before it commits.
    assert_eq!(staged.len(), 5);
    assert_eq!(hex(&staged.md5().expect("hashed")), md5_of(b"hello"));
    assert_eq!(staged.class(), "fast");
    // A checksum given up front and one a trailer carried, both verified by the caller.
    let mut checksums = Checksums::new();
    checksums.insert("CRC32".into(), "AAAAAA==".into());
    checksums.insert("SHA256".into(), "trailer-value".into());
    let opts = PutOptions {
        meta: meta.clone(),
        tags: vec![("a".into(), "1".into())],
        checksums: checksums.clone(),
        internal: [("sse".to_string(), "x".to_string())].into(),
        ..Default::default()
    };
    store.put_object("bkt", "k", staged, opts).await.unwrap();
    let info = head(&store, "bkt", "k", None).await.unwrap();
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
    let info = head(&store, "bkt", "k", None).await.unwrap();
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
    // The client stops mid-upload: the stream's own error comes back unchanged.
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
        .stage_object(
            "bkt",
            "keep",
            None,
            futures::stream::iter(chunks),
            None,
            EtagBy::Store,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, WriteError::Body(ref e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "{err:?}"
    );
    // Wrong length, short and long.
    assert!(matches!(
        stage(&store, "bkt", "keep", None, b"12345", Some(10)).await,
        Err(Error::Invalid(Invalid::BodyLength {
            expected: 10,
            got: 5
        }))
    ));
    assert!(matches!(
        stage(&store, "bkt", "keep", None, &data, Some(3)).await,
        Err(Error::Invalid(Invalid::BodyLength { expected: 3, .. }))
    ));

    // Staged data dropped without a commit (the caller's own check of the body failed).
    let staged = stage(&store, "bkt", "keep", None, &data, Some(data.len() as u64))
        .await
        .unwrap();
    assert_eq!(staged.len(), data.len() as u64);
    assert_eq!(
        shard_files(d.tmp.path()),
        4,
        "staged data is durable before its commit"
    );
    drop(staged);
    assert!(
        files_become(d.tmp.path(), 0).await,
        "dropped staged data left shard files behind"
    );
    assert_eq!(get(&store, "bkt", "keep").await.unwrap(), b"old");

    // Data staged for another key is not committed under this one.
    let staged = stage(&store, "bkt", "other", None, &data, None)
        .await
        .unwrap();
    assert_eq!(shard_files(d.tmp.path()), 4);
    assert!(matches!(
        store
            .put_object("bkt", "keep", staged, PutOptions::default())
            .await,
        Err(Error::Invalid(Invalid::Argument(_)))
    ));
    assert!(matches!(
        get(&store, "bkt", "other").await,
        Err(Error::Refused(Refusal::NoSuchKey { .. }))
    ));

    assert_eq!(get(&store, "bkt", "keep").await.unwrap(), b"old");
    assert!(
        files_become(d.tmp.path(), 0).await,
        "failed puts left shard files behind"
    );
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
        Err(Error::Refused(Refusal::NoSuchKey {
            delete_marker_version: None
        }))
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
    let put_with = |key: &'static str, data: &'static [u8], opts: PutOptions| {
        let store = store.clone();
        async move { put_in(&store, "bkt", key, None, data, 1, opts).await }
    };
    let first = put_with("k", b"1", once()).await.unwrap();
    assert!(matches!(
        put_with("k", b"2", once()).await,
        Err(Error::Refused(Refusal::PreconditionFailed))
    ));
    let if_match = |etag: &str| PutOptions {
        precondition: Some(WritePrecondition::IfMatch(etag.into())),
        ..Default::default()
    };
    assert!(matches!(
        put_with("k", b"3", if_match("nope")).await,
        Err(Error::Refused(Refusal::PreconditionFailed))
    ));
    put_with("k", b"4", if_match(&format!("\"{}\"", first.etag)))
        .await
        .unwrap();
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), b"4");
    // Nothing to match: NoSuchKey, as S3 answers it (not PreconditionFailed).
    assert!(matches!(
        put_with("absent", b"5", if_match("x")).await,
        Err(Error::Refused(Refusal::NoSuchKey { .. }))
    ));

    // Concurrent If-None-Match writers: exactly one wins.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let s = store.clone();
            tokio::spawn(async move {
                put_in(&s, "bkt", "race", None, &[i as u8], 1, once())
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
        Err(Error::Invalid(Invalid::BucketName(_)))
    ));
    store.create_bucket("bkt", None).await.unwrap();
    assert!(matches!(
        store.create_bucket("bkt", None).await,
        Err(Error::Refused(Refusal::BucketAlreadyOwnedByYou))
    ));
    let put_x = |bucket: &'static str, key: String, class: Option<&'static str>| {
        let store = store.clone();
        async move { put_in(&store, bucket, &key, class, b"x", 1, PutOptions::default()).await }
    };
    assert!(matches!(
        put_x("nope", "k".into(), None).await,
        Err(Error::Refused(Refusal::NoSuchBucket))
    ));
    assert!(matches!(
        put_x("bkt", "k".repeat(1025), None).await,
        Err(Error::Invalid(Invalid::KeyTooLong))
    ));
    assert!(matches!(
        put_x("bkt", "a\0b".into(), None).await,
        Err(Error::Invalid(Invalid::Key(_)))
    ));
    assert!(matches!(
        put_x("bkt", "k".into(), Some("GLACIER")).await,
        Err(Error::Invalid(Invalid::StorageClass(_)))
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
            Err(Error::Refused(Refusal::BucketNotEmpty))
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
        Err(Error::Refused(Refusal::NoSuchBucket))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn part_number_1_of_a_single_put_object_is_the_whole_object_and_2_is_refused() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    for (key, len) in [("inline", 1000), ("sharded", (1 << 20) + 7)] {
        let data = content(len as u64, len);
        put(&store, "bkt", key, &data).await;
        let (span, got) = get_part(&store, "bkt", key, 1).await.unwrap();
        assert_eq!(span, 0..len as u64, "{key}");
        assert_eq!(got, data, "{key}");
        let obj = store.open_object("bkt", key, None).await.unwrap();
        assert!(
            obj.info().parts.is_empty(),
            "{key}: a single put lists no parts"
        );
        assert!(matches!(
            obj.select(None, Some(2)),
            Err(Error::Refused(Refusal::InvalidPartNumber {
                part: 2,
                parts: 1
            }))
        ));
    }
}

/// Stored bytes of a transformed object, and what its client sees.
struct Transformed {
    key: &'static str,
    stored: Vec<u8>,
    client_size: u64,
    client_etag: String,
}

/// Objects whose stored bytes differ from the client's: smaller client (encryption adds
/// bytes), inline and sharded, and a larger client (compression takes bytes away).
fn transformed() -> Vec<Transformed> {
    [
        ("inline-smaller", 1000, 972),
        (
            "sharded-smaller",
            2 * (1 << 20) + 4128,
            2 * (1 << 20) + 4096 - 7,
        ),
        ("sharded-larger", 300_000, 1_000_000),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (key, stored, client))| Transformed {
        key,
        stored: content(50 + i as u64, stored),
        client_size: client as u64,
        client_etag: md5_of(&content(60 + i as u64, client)),
    })
    .collect()
}

async fn put_transformed(store: &Store, t: &Transformed) -> ObjectInfo {
    let staged = stage(
        store,
        "bkt",
        t.key,
        None,
        &t.stored,
        Some(t.stored.len() as u64),
    )
    .await
    .unwrap();
    let opts = PutOptions {
        client: Some(ClientView {
            size: t.client_size,
            etag: t.client_etag.clone(),
        }),
        ..Default::default()
    };
    store.put_object("bkt", t.key, staged, opts).await.unwrap()
}

/// HEAD and both listings show the client's size and ETag; `stored_size` the stored bytes.
async fn assert_client_view_shown(store: &Store, t: &Transformed) {
    let info = head(store, "bkt", t.key, None).await.unwrap();
    assert_eq!(info.size, t.client_size, "{}", t.key);
    assert_eq!(info.stored_size, t.stored.len() as u64, "{}", t.key);
    assert_eq!(info.etag, t.client_etag, "{}", t.key);
    assert!(info.parts.is_empty(), "{}", t.key);
    let page = store
        .list_objects(
            "bkt",
            ListOptions {
                prefix: t.key.into(),
                max_keys: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let listed: Vec<_> = page
        .objects
        .iter()
        .map(|o| (o.key.as_str(), o.size, o.etag.as_str()))
        .collect();
    assert_eq!(listed, [(t.key, t.client_size, t.client_etag.as_str())]);
    let versions = store
        .list_object_versions(
            "bkt",
            ListVersionsOptions {
                prefix: t.key.into(),
                max_keys: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let listed: Vec<_> = versions
        .versions
        .iter()
        .map(|v| (v.key.as_str(), v.size, v.etag.as_str()))
        .collect();
    assert_eq!(listed, [(t.key, t.client_size, t.client_etag.as_str())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_view_is_what_head_and_listings_report() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    for t in &transformed() {
        let info = put_transformed(&store, t).await;
        assert_eq!(info.size, t.client_size, "{}", t.key);
        assert_eq!(info.stored_size, t.stored.len() as u64, "{}", t.key);
        assert_eq!(info.etag, t.client_etag, "{}", t.key);
        assert_client_view_shown(&store, t).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selections_are_in_client_bytes_and_reads_in_stored_bytes() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    for t in &transformed() {
        put_transformed(&store, t).await;
        let (client, stored) = (t.client_size, t.stored.len() as u64);
        let obj = store.open_object("bkt", t.key, None).await.unwrap();
        assert_eq!(obj.select(None, None).unwrap(), None);
        let bounded = ByteRange::Bounded {
            first: 5,
            last: client + 100,
        };
        assert_eq!(obj.select(Some(&bounded), None).unwrap(), Some(5..client));
        let suffix = ByteRange::Suffix { len: 10 };
        assert_eq!(
            obj.select(Some(&suffix), None).unwrap(),
            Some(client - 10..client)
        );
        let half = ByteRange::From { first: client / 2 };
        assert_eq!(
            obj.select(Some(&half), None).unwrap(),
            Some(client / 2..client)
        );
        // Past the client's bytes, whatever the stored length.
        let past = ByteRange::From { first: client };
        assert!(
            matches!(
                obj.select(Some(&past), None),
                Err(Error::Refused(Refusal::InvalidRange { size })) if size == client
            ),
            "{}",
            t.key
        );
        assert_eq!(obj.select(None, Some(1)).unwrap(), Some(0..client));
        assert!(matches!(
            obj.select(None, Some(2)),
            Err(Error::Refused(Refusal::InvalidPartNumber {
                part: 2,
                parts: 1
            }))
        ));

        // Reads take stored coordinates and return exactly the stored bytes.
        let mut spans = vec![0..stored, 3..stored / 2, stored - 1..stored, 7..7];
        if stored > 1 << 20 {
            spans.push((1 << 20) - 3..(1 << 20) + 5);
        }
        for span in spans {
            let obj = store.open_object("bkt", t.key, None).await.unwrap();
            let got = read_all(obj.read(Some(span.clone())).unwrap())
                .await
                .unwrap();
            let want = &t.stored[span.start as usize..span.end as usize];
            assert_eq!(got, want, "{} {span:?}", t.key);
        }
        assert_eq!(get(&store, "bkt", t.key).await.unwrap(), t.stored);
        let obj = store.open_object("bkt", t.key, None).await.unwrap();
        assert!(matches!(
            obj.read(Some(0..stored + 1)),
            Err(Error::Invalid(Invalid::Argument(_)))
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_view_object_survives_a_reopen() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let all = transformed();
    {
        let store = Store::open(cfg.clone()).await.unwrap();
        store.create_bucket("bkt", None).await.unwrap();
        for t in &all {
            put_transformed(&store, t).await;
        }
    }
    // The records carry the client size (record format version 2) and decode after a restart.
    let store = Store::open(cfg).await.unwrap();
    for t in &all {
        assert_client_view_shown(&store, t).await;
        let obj = store.open_object("bkt", t.key, None).await.unwrap();
        assert_eq!(obj.select(None, Some(1)).unwrap(), Some(0..t.client_size));
        assert_eq!(read_all(obj.read(None).unwrap()).await.unwrap(), t.stored);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_document_is_kept_replaced_per_version_and_survives_a_reopen() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let first;
    {
        let store = Store::open(cfg.clone()).await.unwrap();
        store.create_bucket("bkt", None).await.unwrap();
        store
            .set_versioning("bkt", Versioning::Enabled)
            .await
            .unwrap();
        let opts = PutOptions {
            access: Some(b"first".to_vec()),
            ..Default::default()
        };
        first = put_in(&store, "bkt", "k", None, b"one", 64, opts)
            .await
            .unwrap();
        assert_eq!(first.access.as_deref(), Some(&b"first"[..]));
        // A later version without one has none; the first keeps its own.
        let second = put(&store, "bkt", "k", b"two").await;
        assert_eq!(second.access, None);
        assert_eq!(store.object_access_now("bkt", "k", None).unwrap(), None);
        let id = store
            .set_object_access("bkt", "k", None, b"second".to_vec())
            .await
            .unwrap();
        assert_eq!(id, second.version_id);
        assert!(matches!(
            store.object_access_now("bkt", "nope", None),
            Err(Error::Refused(Refusal::NoSuchKey { .. }))
        ));
    }
    let store = Store::open(cfg).await.unwrap();
    assert_eq!(
        store
            .object_access_now("bkt", "k", None)
            .unwrap()
            .as_deref(),
        Some(&b"second"[..])
    );
    assert_eq!(
        store
            .object_access_now("bkt", "k", Some(&first.version_id))
            .unwrap()
            .as_deref(),
        Some(&b"first"[..])
    );
}

/// Sets `blob` to `to` in version `version` of `bkt/k` where it is `from`; whether it did.
async fn swap_blob(store: &Store, version: &str, from: &str, to: &str) -> Result<bool, Error> {
    let pair = |v: &str| vec![("blob".to_string(), v.to_string())];
    store
        .set_object_internal("bkt", "k", version, pair(from), pair(to))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_entries_change_only_where_the_expected_ones_still_hold() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let with = |blob: &str| PutOptions {
        internal: [
            ("blob".to_string(), blob.to_string()),
            ("x".into(), "1".into()),
        ]
        .into(),
        ..PutOptions::default()
    };
    let blob = |info: &ObjectInfo| info.internal.get("blob").cloned().unwrap_or_default();
    let first = put_in(&store, "bkt", "k", None, b"one", 7, with("old"))
        .await
        .unwrap();
    // The expected entry holds: the entry changes, the rest stays, the data too.
    assert!(swap_blob(&store, &first.version_id, "old", "new")
        .await
        .unwrap());
    let info = head(&store, "bkt", "k", None).await.unwrap();
    assert_eq!(blob(&info), "new");
    assert_eq!(info.internal.get("x").map(String::as_str), Some("1"));
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), b"one");
    // The null version is replaced by another write under the same id: a change that
    // expects the first write's entry leaves the second alone.
    put_in(&store, "bkt", "k", None, b"two", 7, with("other"))
        .await
        .unwrap();
    assert!(!swap_blob(&store, "null", "new", "wrong").await.unwrap());
    assert_eq!(
        blob(&head(&store, "bkt", "k", None).await.unwrap()),
        "other"
    );
    // A version that is gone is no change and no error; a bad id is an error.
    store.delete_object("bkt", "k", None).await.unwrap();
    assert!(!swap_blob(&store, "null", "other", "x").await.unwrap());
    assert!(swap_blob(&store, "not-a-version", "a", "b").await.is_err());
}

/// A body staged with `EtagBy::Caller` is not hashed (small bodies and the pipeline of large
/// ones alike): it commits only with the caller's ETag, and a commit without one fails and
/// leaves no object. The store's MD5 stream hashes what the caller feeds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_the_caller_hashes_commits_only_with_its_etag() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    for size in [5usize, 3 * (1 << 20) + 7] {
        let data = content(size as u64, size);
        let unhashed = |key: &'static str| {
            store.stage_object(
                "bkt",
                key,
                None,
                body(&data, 64 * 1024),
                None,
                EtagBy::Caller,
            )
        };
        let staged = unhashed("no-view").await.map_err(store_error).unwrap();
        assert_eq!(staged.md5(), None, "size {size}");
        let refused = store
            .put_object("bkt", "no-view", staged, PutOptions::default())
            .await;
        assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
        assert!(head(&store, "bkt", "no-view", None).await.is_err());

        let mut md5 = store.md5_stream();
        for chunk in data.chunks(100_000) {
            md5.update(bytes::Bytes::copy_from_slice(chunk))
                .await
                .unwrap();
        }
        let etag = hex(&md5.finish().await.unwrap());
        assert_eq!(etag, md5_of(&data));
        let staged = unhashed("viewed").await.map_err(store_error).unwrap();
        let opts = PutOptions {
            client: Some(ClientView {
                size: size as u64,
                etag: etag.clone(),
            }),
            ..Default::default()
        };
        let info = store
            .put_object("bkt", "viewed", staged, opts)
            .await
            .unwrap();
        assert_eq!(info.etag, etag);
        assert_eq!(get(&store, "bkt", "viewed").await.unwrap(), data);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_deletes_check_the_current_version_under_the_keys_lock() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let first = put(&store, "bkt", "k", b"abc").await;
    let cond = |if_match: Option<&str>, size: Option<u64>| DeletePrecondition {
        if_match: if_match.map(str::to_string),
        size,
        last_modified_secs: None,
        bypass_governance: false,
    };
    for (c, why) in [
        (cond(Some("\"nope\""), None), "another ETag"),
        (cond(None, Some(4)), "another size"),
        (cond(Some(&first.etag), Some(4)), "one of two conditions"),
    ] {
        let r = store.delete_object_if("bkt", "k", None, &c).await;
        assert!(
            matches!(r, Err(Error::Refused(Refusal::PreconditionFailed))),
            "{why}: {r:?}"
        );
    }
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), b"abc");
    let quoted = format!("\"{}\"", first.etag);
    store
        .delete_object_if("bkt", "k", None, &cond(Some(&quoted), Some(3)))
        .await
        .unwrap();
    assert!(get(&store, "bkt", "k").await.is_err());
    // If-Match needs a current object; the size form does not.
    let r = store
        .delete_object_if("bkt", "k", None, &cond(Some("*"), None))
        .await;
    assert!(
        matches!(r, Err(Error::Refused(Refusal::NoSuchKey { .. }))),
        "{r:?}"
    );
    store
        .delete_object_if("bkt", "k", None, &cond(None, Some(3)))
        .await
        .unwrap();
}
