//! Shard files of replaced and deleted versions are removed while no write stages, not on
//! the path of the write that replaced them; at once when more bytes wait than the store
//! defers.

mod common;

use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use futures::{stream, StreamExt};
use strata_volume::*;

const SIZE: usize = 2 << 20;

/// A store with bucket `bkt` holding `k`, and its first namespace volume.
async fn with_one_object(cfg: &StoreConfig) -> (Store, PathBuf) {
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    put(&store, "bkt", "k", &content(1, SIZE)).await;
    let vol = cfg.classes[0].volumes[0].clone();
    assert!(files_become(&vol, 1).await);
    (store, vol)
}

/// Starts an upload that sends one block and then waits until `go` is sent: a write that
/// stays in flight.
fn slow_upload(
    store: &Store,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<StagedData, Error>>,
) {
    let (go, wait) = tokio::sync::oneshot::channel::<()>();
    let first = stream::once(async { Ok::<_, Infallible>(Bytes::from(content(9, 1 << 20))) });
    let rest = stream::once(async move {
        let _ = wait.await;
        Ok::<_, Infallible>(Bytes::from_static(b"the end"))
    });
    let body = Box::pin(first.chain(rest));
    let s = store.clone();
    let task = tokio::spawn(async move {
        s.stage_object("bkt", "slow", None, body, None, EtagBy::Store)
            .await
            .map_err(store_error)
    });
    (go, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaced_files_wait_for_a_pause_in_writes() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let (store, vol) = with_one_object(&cfg).await;
    let (go, slow) = slow_upload(&store);
    // The slow upload's first block is on disk: a write is in flight.
    assert!(files_become(&vol, 2).await);
    put(&store, "bkt", "k", &content(2, SIZE)).await;
    // Both versions' files and the upload's: the old one waits while the upload goes on.
    // Nothing signals "the reclaimer looked and held back", so the test gives it 300 ms
    // (15 of its 20 ms looks) to remove the file wrongly; removal on the put's path (as
    // before) or without the wait for quiet makes this fail.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(shard_files(&vol), 3);
    assert_eq!(store.reclaim_queue(), (1, SIZE as u64));
    go.send(()).unwrap();
    let staged = slow.await.unwrap().unwrap();
    // Once writes pause, the old version's file goes (the staged upload's stays).
    assert!(files_become(&vol, 2).await);
    assert_eq!(store.reclaim_queue(), (0, 0));
    drop(staged);
    assert!(files_become(&vol, 1).await);
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), content(2, SIZE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_the_deferred_bytes_are_removed_at_once() {
    let d = Dirs::new();
    let mut cfg = d.two_classes();
    cfg.reclaim_defer_bytes = 1 << 20;
    let (store, vol) = with_one_object(&cfg).await;
    let (go, slow) = slow_upload(&store);
    assert!(files_become(&vol, 2).await);
    // Deleted while the upload goes on: 2 MiB is over the 1 MiB deferred, so it goes now.
    store.delete_object("bkt", "k", None).await.unwrap();
    assert!(files_become(&vol, 1).await);
    assert_eq!(store.reclaim_queue(), (0, 0));
    go.send(()).unwrap();
    drop(slow.await.unwrap().unwrap());
    assert!(files_become(&vol, 0).await);
}
