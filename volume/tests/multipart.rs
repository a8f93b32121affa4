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
    let opts = PutOptions {
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
        let info = store
            .upload_part(
                "bkt",
                "mp",
                &id,
                n,
                PartOptions::default(),
                body(data, 4096),
            )
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
    let part2 = store
        .get_object(
            "bkt",
            "mp",
            GetOptions {
                part_number: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(part2.range, Some(((1 << 20) + 5, 3000)));
    assert_eq!(read_all(part2.body).await.unwrap(), parts_data[1]);
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
    let head = store
        .head_object("bkt", "mp", GetOptions::default())
        .await
        .unwrap()
        .info;
    assert_eq!(head.parts.len(), 3);
    assert_eq!(head.meta.content_type.as_deref(), Some("a/b"));
    assert!(matches!(
        store.list_parts("bkt", "mp", &id, 0, 10).await,
        Err(Error::NoSuchUpload)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_completions_are_refused_and_change_nothing() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", PutOptions::default())
        .await
        .unwrap();
    let p1 = store
        .upload_part(
            "bkt",
            "mp",
            &id,
            1,
            PartOptions::default(),
            body(&content(1, 10), 4),
        )
        .await
        .unwrap();
    let p2 = store
        .upload_part(
            "bkt",
            "mp",
            &id,
            2,
            PartOptions::default(),
            body(&content(2, 5000), 999),
        )
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
            "order" => matches!(err, Error::InvalidPartOrder),
            "too small" => matches!(err, Error::EntityTooSmall),
            "empty" => matches!(err, Error::InvalidArgument(_)),
            _ => matches!(err, Error::InvalidPart(_)),
        };
        assert!(ok, "{why}: {err:?}");
    }
    assert!(matches!(
        store
            .upload_part("bkt", "mp", &id, 0, PartOptions::default(), body(b"x", 1))
            .await,
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        get(&store, "bkt", "mp").await,
        Err(Error::NoSuchKey { .. })
    ));
    // The last part may be small: completing with part 2 alone works.
    store
        .complete_multipart_upload("bkt", "mp", &id, vec![part(2, &p2.etag)], None)
        .await
        .unwrap();
    assert_eq!(get(&store, "bkt", "mp").await.unwrap(), content(2, 5000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborting_removes_the_upload_and_its_shards() {
    let d = Dirs::new();
    let store = small_parts_store(&d).await;
    let id = store
        .create_multipart_upload("bkt", "mp", PutOptions::default())
        .await
        .unwrap();
    store
        .upload_part(
            "bkt",
            "mp",
            &id,
            1,
            PartOptions::default(),
            body(&content(1, 4000), 512),
        )
        .await
        .unwrap();
    assert!(matches!(
        store.delete_bucket("bkt").await,
        Err(Error::BucketNotEmpty)
    ));
    store
        .abort_multipart_upload("bkt", "mp", &id)
        .await
        .unwrap();
    assert!(matches!(
        store.abort_multipart_upload("bkt", "mp", &id).await,
        Err(Error::NoSuchUpload)
    ));
    assert!(matches!(
        store
            .upload_part("bkt", "mp", &id, 2, PartOptions::default(), body(b"x", 1))
            .await,
        Err(Error::NoSuchUpload)
    ));
    store.delete_bucket("bkt").await.unwrap();
}
