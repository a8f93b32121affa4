//! Multipart uploads: parts stored as they arrive, validated and stitched at completion.

mod common;

use common::*;
use strata_volume::*;

async fn small_parts_store(d: &Dirs) -> Store {
    let mut cfg = d.two_classes();
    cfg.min_part_size = 1024;
    let store = Store::open(cfg).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completed_uploads_read_back_whole_and_by_part() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let opts = UploadOptions {
        storage_class: Some("bulk".into()),
        meta: ObjectMeta {
            content_type: Some("a/b".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let id = store
        .create_multipart_upload("bkt", "mp", opts)
        .await
        .unwrap();
    let parts_data = [content(1, (1 << 20) + 5), content(2, 3000), content(3, 100)];
    let mut done = Vec::new();
    // Upload out of order, and part 2 twice (the second replaces the first).
    for n in [3u32, 2, 1, 2] {
        let data = &parts_data[n as usize - 1];
        let info = upload_part(&store, "bkt", "mp", &id, n, data, 4096)
            .await
            .unwrap();
        assert_eq!(info.size, data.len() as u64);
        done.retain(|p: &CompletedPart| p.part_number != n);
        done.push(CompletedPart {
            part_number: n,
            etag: format!("\"{}\"", info.etag),
        });
    }
    done.sort_by_key(|p| p.part_number);
    let listed = store.list_parts("bkt", "mp", &id, 0, 2).await.unwrap();
    assert_eq!(
        listed
            .parts
            .iter()
            .map(|p| p.part_number)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(listed.is_truncated);
    assert_eq!(listed.next_part_number_marker, Some(2));
    let uploads = store
        .list_multipart_uploads(
            "bkt",
            ListUploadsOptions {
                max_uploads: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(uploads.uploads.len(), 1);

    let info = store
        .complete_multipart_upload("bkt", "mp", &id, done, None)
        .await
        .unwrap();
    assert!(info.etag.ends_with("-3"), "{}", info.etag);
    assert_eq!(info.storage_class, "bulk");
    let whole: Vec<u8> = parts_data.concat();
    assert_eq!(get(&store, "bkt", "mp").await.unwrap(), whole);
    let (span, part2) = get_part(&store, "bkt", "mp", 2).await.unwrap();
    assert_eq!(span, (1 << 20) + 5..(1 << 20) + 5 + 3000);
    assert_eq!(part2, parts_data[1]);
    let across = get_range(
        &store,
        "bkt",
        "mp",
        ByteRange::Bounded {
            first: (1 << 20),
            last: (1 << 20) + 10,
        },
    )
    .await
    .unwrap();
    assert_eq!(across, &whole[1 << 20..(1 << 20) + 11]);
    let head = head(&store, "bkt", "mp", None).await.unwrap();
    assert_eq!(head.parts.len(), 3);
    assert_eq!(head.meta.content_type.as_deref(), Some("a/b"));
    assert_eq!(head.size, whole.len() as u64);
    assert_eq!(head.stored_size, whole.len() as u64);
    for (p, data) in head.parts.iter().zip(&parts_data) {
        assert_eq!(
            (p.size, p.stored_size),
            (data.len() as u64, data.len() as u64)
        );
    }
    assert!(matches!(
        store.list_parts("bkt", "mp", &id, 0, 10).await,
        Err(Error::Refused(Refusal::NoSuchUpload))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_number_past_the_last_part_is_refused_with_the_part_count() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    let mut done = Vec::new();
    for n in 1..=3u32 {
        let p = upload_part(&store, "bkt", "mp", &id, n, &content(n.into(), 2000), 512)
            .await
            .unwrap();
        done.push(CompletedPart {
            part_number: n,
            etag: p.etag,
        });
    }
    store
        .complete_multipart_upload("bkt", "mp", &id, done, None)
        .await
        .unwrap();
    let obj = store.open_object("bkt", "mp", None).await.unwrap();
    assert_eq!(obj.select(None, Some(3)).unwrap(), Some(4000..6000));
    assert!(matches!(
        obj.select(None, Some(4)),
        Err(Error::Refused(Refusal::InvalidPartNumber {
            part: 4,
            parts: 3
        }))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_completions_are_refused_and_change_nothing() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    let p1 = upload_part(&store, "bkt", "mp", &id, 1, &content(1, 10), 4)
        .await
        .unwrap();
    let p2 = upload_part(&store, "bkt", "mp", &id, 2, &content(2, 5000), 999)
        .await
        .unwrap();
    let part = |n: u32, etag: &str| CompletedPart {
        part_number: n,
        etag: etag.to_string(),
    };
    let cases = [
        (vec![part(2, &p2.etag), part(1, &p1.etag)], "order"),
        (vec![part(1, &p1.etag), part(2, "deadbeef")], "etag"),
        (vec![part(1, &p1.etag), part(3, &p2.etag)], "missing"),
        (vec![part(1, &p1.etag), part(2, &p2.etag)], "too small"),
        (vec![], "empty"),
    ];
    for (parts, why) in cases {
        let err = store
            .complete_multipart_upload("bkt", "mp", &id, parts, None)
            .await
            .unwrap_err();
        let ok = match why {
            "order" => matches!(err, Error::Refused(Refusal::InvalidPartOrder)),
            "too small" => matches!(err, Error::Refused(Refusal::EntityTooSmall)),
            "empty" => matches!(err, Error::Invalid(Invalid::Argument(_))),
            _ => matches!(err, Error::Refused(Refusal::InvalidPart(_))),
        };
        assert!(ok, "{why}: {err:?}");
    }
    let staged = store
        .stage_part("bkt", "mp", &id, body(b"x", 1), None, EtagBy::Store)
        .await
        .map_err(store_error)
        .unwrap();
    assert!(matches!(
        store
            .upload_part("bkt", "mp", &id, 0, staged, PartOptions::default())
            .await,
        Err(Error::Invalid(Invalid::Argument(_)))
    ));
    assert!(matches!(
        get(&store, "bkt", "mp").await,
        Err(Error::Refused(Refusal::NoSuchKey { .. }))
    ));
    // The last part may be small: completing with part 2 alone works.
    store
        .complete_multipart_upload("bkt", "mp", &id, vec![part(2, &p2.etag)], None)
        .await
        .unwrap();
    assert_eq!(get(&store, "bkt", "mp").await.unwrap(), content(2, 5000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_is_committed_only_from_data_staged_for_its_key_and_class() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    let data = content(1, 200_000);
    let other_key = stage(&store, "bkt", "other", None, &data, None)
        .await
        .unwrap();
    assert!(matches!(
        store
            .upload_part("bkt", "mp", &id, 1, other_key, PartOptions::default())
            .await,
        Err(Error::Invalid(Invalid::Argument(_)))
    ));
    let other_class = stage(&store, "bkt", "mp", Some("bulk"), &data, None)
        .await
        .unwrap();
    assert!(matches!(
        store
            .upload_part("bkt", "mp", &id, 1, other_class, PartOptions::default())
            .await,
        Err(Error::Invalid(Invalid::Argument(_)))
    ));
    // Small data staged for an object is kept inline; a part has no room for it, so it is
    // refused rather than committed without its bytes.
    let inline = stage(&store, "bkt", "mp", None, b"tiny", None)
        .await
        .unwrap();
    assert!(inline.is_inline());
    assert!(matches!(
        store
            .upload_part("bkt", "mp", &id, 1, inline, PartOptions::default())
            .await,
        Err(Error::Invalid(Invalid::Argument(_)))
    ));
    let listed = store.list_parts("bkt", "mp", &id, 0, 10).await.unwrap();
    assert!(listed.parts.is_empty());
    assert!(
        files_become(d.tmp.path(), 0).await,
        "refused staged data left shard files behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborting_removes_the_upload_and_its_shards() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    upload_part(&store, "bkt", "mp", &id, 1, &content(1, 4000), 512)
        .await
        .unwrap();
    // A part whose bytes arrived before the abort, but whose commit comes after it.
    let late = store
        .stage_part(
            "bkt",
            "mp",
            &id,
            body(&content(2, 4000), 512),
            None,
            EtagBy::Store,
        )
        .await
        .map_err(store_error)
        .unwrap();
    assert_eq!(shard_files(d.tmp.path()), 8);
    store
        .abort_multipart_upload("bkt", "mp", &id)
        .await
        .unwrap();
    assert!(matches!(
        store.abort_multipart_upload("bkt", "mp", &id).await,
        Err(Error::Refused(Refusal::NoSuchUpload))
    ));
    assert!(matches!(
        store
            .upload_part("bkt", "mp", &id, 2, late, PartOptions::default())
            .await,
        Err(Error::Refused(Refusal::NoSuchUpload))
    ));
    assert!(matches!(
        upload_part(&store, "bkt", "mp", &id, 2, b"x", 1).await,
        Err(Error::Refused(Refusal::NoSuchUpload))
    ));
    assert!(
        files_become(d.tmp.path(), 0).await,
        "the aborted upload's shards are removed"
    );
    store.delete_bucket("bkt").await.unwrap();
}

/// A part whose stored bytes are not the client's: the stored bytes, and the client's size.
struct ClientPart {
    stored: Vec<u8>,
    client_size: u64,
    client_etag: String,
}

fn client_part(seed: u64, stored: usize, client_size: u64) -> ClientPart {
    ClientPart {
        stored: content(seed, stored),
        client_size,
        client_etag: md5_of(&content(seed + 1000, client_size as usize)),
    }
}

async fn upload_client_part(
    store: &Store,
    upload_id: &str,
    n: u32,
    p: &ClientPart,
) -> Result<PartInfo, Error> {
    let staged = store
        .stage_part(
            "bkt",
            "mp",
            upload_id,
            body(&p.stored, 4096),
            None,
            EtagBy::Store,
        )
        .await
        .map_err(store_error)?;
    let opts = PartOptions {
        client: Some(ClientView {
            size: p.client_size,
            etag: p.client_etag.clone(),
        }),
        ..Default::default()
    };
    store
        .upload_part("bkt", "mp", upload_id, n, staged, opts)
        .await
}

/// A completion naming `parts` by number, with the client ETags their uploads were given.
fn completed(parts: &[(u32, &ClientPart)]) -> Vec<CompletedPart> {
    parts
        .iter()
        .map(|(n, p)| CompletedPart {
            part_number: *n,
            etag: format!("\"{}\"", p.client_etag),
        })
        .collect()
}

/// Parts 1, 2, 3... of a completion.
fn numbered<'a>(parts: &[&'a ClientPart]) -> Vec<(u32, &'a ClientPart)> {
    (1..).zip(parts.iter().copied()).collect()
}

/// The completion ETag S3 gives: MD5 of the parts' binary MD5s, then the part count.
fn multipart_etag(parts: &[&ClientPart]) -> String {
    use md5::{Digest, Md5};
    let mut all = Md5::new();
    for p in parts {
        let bin: Vec<u8> = (0..p.client_etag.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&p.client_etag[i..i + 2], 16).unwrap())
            .collect();
        all.update(bin);
    }
    format!("{}-{}", hex(&all.finalize()), parts.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_minimum_part_size_applies_to_client_sizes() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    // Stored bytes below the minimum, client bytes above it; then the other way round.
    let big_client = client_part(1, 900, 1500);
    let small_client = client_part(2, 3000, 1000);
    let last = client_part(3, 50, 40);
    for (n, p) in [(1, &big_client), (2, &small_client), (3, &last)] {
        upload_client_part(&store, &id, n, p).await.unwrap();
    }
    let parts = [(1, &big_client), (2, &small_client), (3, &last)];
    assert!(matches!(
        store
            .complete_multipart_upload("bkt", "mp", &id, completed(&parts), None)
            .await,
        Err(Error::Refused(Refusal::EntityTooSmall))
    ));
    let parts = [(1, &big_client), (3, &last)];
    store
        .complete_multipart_upload("bkt", "mp", &id, completed(&parts), None)
        .await
        .unwrap();
    assert_eq!(head(&store, "bkt", "mp", None).await.unwrap().size, 1540);
}

/// Parts whose stored bytes are longer, longer across blocks, and shorter than the client's.
fn client_parts() -> [ClientPart; 3] {
    [
        client_part(1, (1 << 20) + 100, (1 << 20) + 72),
        client_part(2, 3000, 5000),
        client_part(3, 77, 60),
    ]
}

/// What the completed object of [`client_parts`] shows, and how it reads.
async fn assert_client_parts_object(store: &Store, parts: &[ClientPart; 3]) {
    let refs: Vec<&ClientPart> = parts.iter().collect();
    let client: u64 = parts.iter().map(|p| p.client_size).sum();
    let stored: Vec<u8> = parts.iter().flat_map(|p| p.stored.clone()).collect();
    let info = head(store, "bkt", "mp", None).await.unwrap();
    assert_eq!(info.size, client);
    assert_eq!(info.stored_size, stored.len() as u64);
    assert_eq!(info.etag, multipart_etag(&refs));
    let summary: Vec<_> = info
        .parts
        .iter()
        .map(|s| (s.part_number, s.size, s.stored_size, s.etag.clone()))
        .collect();
    let want: Vec<_> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = i as u32 + 1;
            (
                n,
                p.client_size,
                p.stored.len() as u64,
                p.client_etag.clone(),
            )
        })
        .collect();
    assert_eq!(summary, want);
    let objects = store
        .list_objects(
            "bkt",
            ListOptions {
                max_keys: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .objects;
    assert_eq!(
        objects
            .iter()
            .map(|o| (o.key.as_str(), o.size))
            .collect::<Vec<_>>(),
        [("mp", client)]
    );
    let versions = store
        .list_object_versions(
            "bkt",
            ListVersionsOptions {
                max_keys: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .versions;
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.key.as_str(), v.size))
            .collect::<Vec<_>>(),
        [("mp", client)]
    );

    // Parts and ranges select client bytes; reads take the stored span of each part.
    let (mut client_at, mut stored_at) = (0u64, 0u64);
    for (i, p) in parts.iter().enumerate() {
        let n = i as u32 + 1;
        let obj = store.open_object("bkt", "mp", None).await.unwrap();
        assert_eq!(
            obj.select(None, Some(n)).unwrap(),
            Some(client_at..client_at + p.client_size),
            "part {n}"
        );
        let span = stored_at..stored_at + p.stored.len() as u64;
        assert_eq!(
            read_all(obj.read(Some(span)).unwrap()).await.unwrap(),
            p.stored,
            "part {n}"
        );
        client_at += p.client_size;
        stored_at += p.stored.len() as u64;
    }
    let obj = store.open_object("bkt", "mp", None).await.unwrap();
    assert!(matches!(
        obj.select(None, Some(4)),
        Err(Error::Refused(Refusal::InvalidPartNumber {
            part: 4,
            parts: 3
        }))
    ));
    let tail = ByteRange::From { first: client - 1 };
    assert_eq!(
        obj.select(Some(&tail), None).unwrap(),
        Some(client - 1..client)
    );
    let past = ByteRange::From { first: client };
    assert!(matches!(
        obj.select(Some(&past), None),
        Err(Error::Refused(Refusal::InvalidRange { size })) if size == client
    ));
    assert_eq!(read_all(obj.read(None).unwrap()).await.unwrap(), stored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parts_with_client_views_complete_into_an_object_of_client_sizes() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    let parts = client_parts();
    for (i, p) in parts.iter().enumerate() {
        let info = upload_client_part(&store, &id, i as u32 + 1, p)
            .await
            .unwrap();
        assert_eq!(
            (info.size, info.etag.as_str()),
            (p.client_size, p.client_etag.as_str())
        );
    }
    let listed = store.list_parts("bkt", "mp", &id, 0, 10).await.unwrap();
    let sizes: Vec<_> = listed
        .parts
        .iter()
        .map(|p| (p.size, p.etag.clone()))
        .collect();
    let want: Vec<_> = parts
        .iter()
        .map(|p| (p.client_size, p.client_etag.clone()))
        .collect();
    assert_eq!(sizes, want);
    let refs: Vec<&ClientPart> = parts.iter().collect();
    let info = store
        .complete_multipart_upload("bkt", "mp", &id, completed(&numbered(&refs)), None)
        .await
        .unwrap();
    assert_eq!(info.etag, multipart_etag(&refs));
    assert_eq!(info.size, parts.iter().map(|p| p.client_size).sum::<u64>());
    assert_client_parts_object(&store, &parts).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_with_client_views_survives_a_reopen_before_and_after_completion() {
    let d = Dirs::new();
    let mut cfg = d.two_classes();
    cfg.min_part_size = 1024;
    let parts = client_parts();
    let id = {
        let store = Store::open(cfg.clone()).await.unwrap();
        store.create_bucket("bkt", None).await.unwrap();
        let id = store
            .create_multipart_upload("bkt", "mp", UploadOptions::default())
            .await
            .unwrap();
        for (i, p) in parts.iter().enumerate() {
            upload_client_part(&store, &id, i as u32 + 1, p)
                .await
                .unwrap();
        }
        id
    };
    // Part records with a client size (record format version 2) decode after a restart.
    let store = Store::open(cfg.clone()).await.unwrap();
    let listed = store.list_parts("bkt", "mp", &id, 0, 10).await.unwrap();
    let sizes: Vec<_> = listed
        .parts
        .iter()
        .map(|p| (p.size, p.etag.clone()))
        .collect();
    let want: Vec<_> = parts
        .iter()
        .map(|p| (p.client_size, p.client_etag.clone()))
        .collect();
    assert_eq!(sizes, want);
    let refs: Vec<&ClientPart> = parts.iter().collect();
    store
        .complete_multipart_upload("bkt", "mp", &id, completed(&numbered(&refs)), None)
        .await
        .unwrap();
    drop(store);
    let store = Store::open(cfg).await.unwrap();
    assert_client_parts_object(&store, &parts).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploads_internal_entries_change_only_where_the_expected_ones_hold() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let opts = UploadOptions {
        internal: [("blob".to_string(), "old".to_string())].into(),
        ..Default::default()
    };
    let id = store
        .create_multipart_upload("bkt", "mp", opts)
        .await
        .unwrap();
    let pair = |v: &str| vec![("blob".to_string(), v.to_string())];
    // Not what is there: nothing changes.
    let changed = store
        .set_upload_internal("bkt", "mp", &id, pair("other"), pair("x"))
        .await
        .unwrap();
    assert!(!changed);
    let changed = store
        .set_upload_internal("bkt", "mp", &id, pair("old"), pair("new"))
        .await
        .unwrap();
    assert!(changed);
    let upload = store.upload("bkt", "mp", &id).await.unwrap();
    assert_eq!(upload.internal.get("blob").map(String::as_str), Some("new"));
    // The completed object keeps the new entry; a completed upload is gone: no change.
    upload_part(&store, "bkt", "mp", &id, 1, &content(1, 3000), 512)
        .await
        .unwrap();
    let parts = vec![CompletedPart {
        part_number: 1,
        etag: store
            .list_parts("bkt", "mp", &id, 0, 10)
            .await
            .unwrap()
            .parts[0]
            .etag
            .clone(),
    }];
    store
        .complete_multipart_upload("bkt", "mp", &id, parts, None)
        .await
        .unwrap();
    let info = head(&store, "bkt", "mp", None).await.unwrap();
    assert_eq!(info.internal.get("blob").map(String::as_str), Some("new"));
    let changed = store
        .set_upload_internal("bkt", "mp", &id, pair("new"), pair("x"))
        .await
        .unwrap();
    assert!(!changed);
}

/// Uploads in progress do not keep a bucket: deleting it aborts them (their shards go), as
/// AWS does, and a bucket made again under the name lists none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_bucket_takes_its_uploads_in_progress_with_it() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    for key in ["a", "b/c"] {
        let id = store
            .create_multipart_upload("bkt", key, UploadOptions::default())
            .await
            .unwrap();
        upload_part(&store, "bkt", key, &id, 1, &content(9, 4000), 512)
            .await
            .unwrap();
    }
    assert!(shard_files(d.tmp.path()) > 0);
    store.delete_bucket("bkt").await.unwrap();
    assert!(
        files_become(d.tmp.path(), 0).await,
        "the uploads' shards are removed with the bucket"
    );
    store.create_bucket("bkt", None).await.unwrap();
    let page = store
        .list_multipart_uploads(
            "bkt",
            ListUploadsOptions {
                max_uploads: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.uploads.is_empty(), "{page:?}");
}

/// A completion retried after it succeeded (its answer lost) gets the same answer while its
/// object is the key's current version; another part list, or a newer version, is
/// `NoSuchUpload`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_retried_after_it_succeeded_gets_the_same_answer() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    let mut parts = Vec::new();
    for n in 1..=2u32 {
        let info = upload_part(&store, "bkt", "mp", &id, n, &content(n as u64, 5000), 512)
            .await
            .unwrap();
        parts.push(CompletedPart {
            part_number: n,
            etag: format!("\"{}\"", info.etag),
        });
    }
    let done = store
        .complete_multipart_upload("bkt", "mp", &id, parts.clone(), None)
        .await
        .unwrap();
    let again = store
        .complete_multipart_upload("bkt", "mp", &id, parts.clone(), None)
        .await
        .unwrap();
    assert_eq!(
        (&again.etag, &again.version_id, again.size),
        (&done.etag, &done.version_id, done.size)
    );
    let fewer = store
        .complete_multipart_upload("bkt", "mp", &id, parts[..1].to_vec(), None)
        .await;
    assert!(
        matches!(fewer, Err(Error::Refused(Refusal::NoSuchUpload))),
        "{fewer:?}"
    );
    put(&store, "bkt", "mp", b"newer").await;
    let stale = store
        .complete_multipart_upload("bkt", "mp", &id, parts, None)
        .await;
    assert!(
        matches!(stale, Err(Error::Refused(Refusal::NoSuchUpload))),
        "{stale:?}"
    );
}
