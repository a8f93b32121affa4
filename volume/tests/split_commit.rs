//! A commit that reached exactly two of the four namespace volumes of a 2+2 class: a read
//! quorum (2) but not a write quorum (3). A power cut leaves this (power_loss.rs finds it a
//! few times in a hundred cuts); here it is made on purpose, with plain directories: two
//! volumes get back their index from before the commit. The write was never acknowledged,
//! so either outcome is right, but only whole: once a scan has settled it, the store shows
//! the commit done or not done, and what it lists can be used.

mod common;

use common::*;
use strata_volume::*;

async fn scan(store: &Store) -> ScanReport {
    store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_on_two_of_four_volumes_is_settled_whole() {
    let d = Dirs::new();
    let mut cfg = d.two_classes();
    cfg.min_part_size = 1024;
    let fast = cfg.classes[0].volumes.clone();
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    let (p1, p2) = (content(1, 300_000), content(2, 100_000));
    let e1 = upload_part(&store, "bkt", "mp", &id, 1, &p1, 65_536)
        .await
        .unwrap()
        .etag;
    let e2 = upload_part(&store, "bkt", "mp", &id, 2, &p2, 65_536)
        .await
        .unwrap()
        .etag;
    drop(store);
    for v in &fast[1..3] {
        save_index(v);
    }
    let store = Store::open(cfg.clone()).await.unwrap();
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
    store
        .complete_multipart_upload("bkt", "mp", &id, parts, None)
        .await
        .unwrap();
    drop(store);
    // Volumes 1 and 2 lose the completion, as a power cut in the middle of it can leave them.
    for v in &fast[1..3] {
        restore_index(v);
    }

    let store = Store::open(cfg.clone()).await.unwrap();
    let whole: Vec<u8> = [p1.clone(), p2.clone()].concat();
    // Before any heal, GET and the upload listing already agree: the completion is done.
    assert!(get(&store, "bkt", "mp").await.unwrap() == whole);
    let early = ListUploadsOptions {
        max_uploads: 10,
        ..ListUploadsOptions::default()
    };
    let early = store.list_multipart_uploads("bkt", early).await.unwrap();
    assert!(early.uploads.is_empty(), "{:?}", early.uploads);
    settle(&store).await;
    let object = get(&store, "bkt", "mp").await;
    let list = ListUploadsOptions {
        max_uploads: 10,
        ..ListUploadsOptions::default()
    };
    let uploads = store
        .list_multipart_uploads("bkt", list.clone())
        .await
        .unwrap()
        .uploads;
    let listed_parts = match uploads.first() {
        Some(u) => {
            let page = store.list_parts("bkt", "mp", &u.upload_id, 0, 10).await;
            page.map(|p| p.parts.len()).map_err(|e| e.to_string())
        }
        None => Ok(0),
    };
    eprintln!(
        "after a scan: object {:?}, uploads {}, parts listed {listed_parts:?}",
        object.as_ref().map(Vec::len).map_err(|e| e.to_string()),
        uploads.len()
    );
    let mut wrong = Vec::new();
    match &object {
        Ok(got) if *got != whole => wrong.push("the object reads other bytes".to_string()),
        Ok(_) if !uploads.is_empty() => wrong.push(format!(
            "completed, and its upload still listed ({listed_parts:?} parts)"
        )),
        Ok(_) => {}
        Err(_) if uploads.len() != 1 => wrong.push("neither the object nor its upload".into()),
        Err(_) if listed_parts != Ok(2) => wrong.push(format!("upload parts {listed_parts:?}")),
        Err(_) => {}
    }
    // What is listed can be used: aborting a listed upload never takes an object's data.
    for u in &uploads {
        if let Err(e) = store
            .abort_multipart_upload("bkt", "mp", &u.upload_id)
            .await
        {
            wrong.push(format!("aborting the listed upload fails: {e}"));
        }
    }
    let r = scan(&store).await;
    if !r.errors.is_empty() || r.heal.failed > 0 {
        wrong.push(format!(
            "after the abort, a scan: {:?} {:?}",
            r.errors, r.failures
        ));
    }
    if object.is_ok() {
        match get(&store, "bkt", "mp").await {
            Ok(got) if got == whole => {}
            Ok(_) => wrong.push("after the abort, the object reads other bytes".into()),
            Err(e) => wrong.push(format!("after the abort, the object does not read: {e}")),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
