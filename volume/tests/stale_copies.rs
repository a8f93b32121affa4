//! Copies of metadata that one volume missed: it was restored to its index from before some
//! acknowledged commits (as a volume that was briefly out, or a power cut on it, leaves it),
//! with plain directories. Reads must not show what it still holds, and a scan must bring it
//! up to date: a version's tags changed in place, the parts of an upload in progress, and
//! the records of an aborted upload's parts that only it kept.

mod common;

use std::path::Path;

use common::*;
use strata_volume::*;

const KEYS: usize = 16;

fn key(i: usize) -> String {
    format!("obj-{i}")
}

fn tags(value: &str) -> Vec<(String, String)> {
    vec![("state".to_string(), value.to_string())]
}

/// Moves volumes aside so that only the others serve.
fn set_aside(volumes: &[&Path]) {
    for v in volumes {
        std::fs::rename(v, v.with_extension("aside")).unwrap();
    }
}

fn put_back(volumes: &[&Path]) {
    for v in volumes {
        std::fs::rename(v.with_extension("aside"), v).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_a_volume_missed_are_never_read_and_a_scan_brings_them() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let fast = cfg.classes[0].volumes.clone();
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    for i in 0..KEYS {
        // Inline and shard-file objects both.
        let len = if i % 2 == 0 { 100 } else { 300_000 };
        put(&store, "bkt", &key(i), &content(i as u64, len)).await;
        store
            .set_object_tags("bkt", &key(i), None, tags("old"))
            .await
            .unwrap();
    }
    drop(store);
    // Volume 2 is the first one asked for some of the keys (obj-0, obj-3, ...).
    save_index(&fast[2]);
    let store = Store::open(cfg.clone()).await.unwrap();
    for i in 0..KEYS {
        store
            .set_object_tags("bkt", &key(i), None, tags("new"))
            .await
            .unwrap();
    }
    drop(store);
    restore_index(&fast[2]);

    let store = Store::open(cfg.clone()).await.unwrap();
    // Whichever volume a key's reads start at, the acknowledged tags are what is read.
    for i in 0..KEYS {
        let got = store.object_tags_now("bkt", &key(i), None).unwrap();
        assert_eq!(got, tags("new"), "{}", key(i));
        let info = store.object_info("bkt", &key(i), None).unwrap();
        assert_eq!(info.tags, tags("new"), "{}", key(i));
    }
    let report = settle(&store).await;
    assert_eq!(report.heal.records_written, KEYS as u64, "{report:?}");
    assert_eq!(settle(&store).await.heal.records_written, 0, "settled");
    drop(store);

    // Left with the repaired volume and one that always had the new tags: they agree.
    set_aside(&[&fast[0], &fast[1]]);
    let store = Store::open(cfg.clone()).await.unwrap();
    for i in 0..KEYS {
        let got = store.object_tags_now("bkt", &key(i), None).unwrap();
        assert_eq!(got, tags("new"), "{}", key(i));
        let len = if i % 2 == 0 { 100 } else { 300_000 };
        assert_eq!(
            get(&store, "bkt", &key(i)).await.unwrap(),
            content(i as u64, len)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_copies_of_each_content_on_two_volumes_are_not_guessed_between() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let fast = cfg.classes[0].volumes.clone();
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    put(&store, "bkt", "k", &content(1, 100)).await;
    drop(store);
    save_index(&fast[1]);
    let store = Store::open(cfg.clone()).await.unwrap();
    store
        .set_object_tags("bkt", "k", None, tags("new"))
        .await
        .unwrap();
    drop(store);
    restore_index(&fast[1]);
    // Only one volume with the new tags and one without answer: either could be the
    // acknowledged state, so the read says it cannot tell rather than guess.
    set_aside(&[&fast[0], &fast[2]]);
    let store = Store::open(cfg.clone()).await.unwrap();
    let err = store.object_tags_now("bkt", "k", None).unwrap_err();
    assert!(
        matches!(err, Error::Unavailable(Unavailable::Undecided { .. })),
        "{err:?}"
    );
    drop(store);
    put_back(&[&fast[0], &fast[2]]);
    let store = Store::open(cfg.clone()).await.unwrap();
    assert_eq!(
        store.object_tags_now("bkt", "k", None).unwrap(),
        tags("new")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parts_a_volume_missed_are_healed_and_an_aborted_uploads_parts_go() {
    let d = Dirs::new();
    let mut cfg = d.two_classes();
    cfg.min_part_size = 1024;
    let fast = cfg.classes[0].volumes.clone();
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let kept = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    let (p1, p2) = (content(1, 300_000), content(2, 200_000));
    let e1 = upload_part(&store, "bkt", "mp", &kept, 1, &p1, 65_536)
        .await
        .unwrap()
        .etag;
    drop(store);
    // Volume 1 will miss part 2; volume 2 will miss the abort of the other upload.
    save_index(&fast[1]);
    let store = Store::open(cfg.clone()).await.unwrap();
    let e2 = upload_part(&store, "bkt", "mp", &kept, 2, &p2, 65_536)
        .await
        .unwrap()
        .etag;
    let dropped = store
        .create_multipart_upload("bkt", "gone", UploadOptions::default())
        .await
        .unwrap();
    upload_part(
        &store,
        "bkt",
        "gone",
        &dropped,
        1,
        &content(3, 100_000),
        65_536,
    )
    .await
    .unwrap();
    drop(store);
    save_index(&fast[2]);
    let store = Store::open(cfg.clone()).await.unwrap();
    store
        .abort_multipart_upload("bkt", "gone", &dropped)
        .await
        .unwrap();
    drop(store);
    restore_index(&fast[1]);
    restore_index(&fast[2]);
    let root = d.tmp.path().to_path_buf();
    let files_of_kept = 2 * 4;

    let store = Store::open(cfg.clone()).await.unwrap();
    let first = settle(&store).await;
    assert_eq!(
        first.parts.records_written, 1,
        "part 2 to volume 1: {first:?}"
    );
    assert_eq!(
        first.parts.records_removed, 1,
        "the aborted upload's part from volume 2: {first:?}"
    );
    let second = settle(&store).await;
    assert_eq!(
        second.parts.records_written + second.parts.records_removed,
        0
    );
    // Nothing refers to the aborted upload's shard files any more: the sweep took them.
    assert_eq!(shard_files(&root), files_of_kept, "{second:?}");
    drop(store);

    // Volume 1 (which missed part 2) and volume 2 (which missed the abort) alone now hold
    // the whole upload and nothing else.
    let others = [fast[0].as_path(), fast[3].as_path()];
    set_aside(&others);
    let store = Store::open(cfg.clone()).await.unwrap();
    let page = store.list_parts("bkt", "mp", &kept, 0, 100).await.unwrap();
    let numbers: Vec<u32> = page.parts.iter().map(|p| p.part_number).collect();
    assert_eq!(numbers, vec![1, 2]);
    assert!(store
        .list_parts("bkt", "gone", &dropped, 0, 100)
        .await
        .is_err());
    drop(store);
    put_back(&others);
    let parts = vec![
        CompletedPart {
            part_number: 1,
            etag: e1,
        },
        CompletedPart {
            part_number: 2,
            etag: e2,
        },
    ];
    let store = Store::open(cfg.clone()).await.unwrap();
    store
        .complete_multipart_upload("bkt", "mp", &kept, parts, None)
        .await
        .unwrap();
    drop(store);
    set_aside(&others);
    let store = Store::open(cfg.clone()).await.unwrap();
    assert_eq!(get(&store, "bkt", "mp").await.unwrap(), [p1, p2].concat());
}
