//! Remote tiers in the volume, over an in-memory `Remote` that can be taken down: a move
//! writes one object under an opaque name and switches the version to it; whole and ranged
//! reads come back byte-exact; a whole read of bytes the tier changed fails before its last
//! chunk; a tier that is down answers "unavailable" and a move to it leaves the version
//! where it was; a deleted version's remote object goes, and one a delete could not reach
//! goes in the next scanner pass. Multipart uploads to the tier write each part there (no
//! local copy; a replaced part's object goes) and complete into one remote object, or keep
//! the upload while the tier is down; an upload of an older strata, its parts staged in local
//! shard files (record version 9), completes the same way; a restored copy missing a shard
//! file is healed.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::*;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use strata_volume::*;

/// Objects in memory; `down` makes every call fail.
#[derive(Default)]
struct MemoryRemote {
    objects: Mutex<BTreeMap<String, Vec<u8>>>,
    down: AtomicBool,
}

impl MemoryRemote {
    fn check(&self) -> Result<(), RemoteError> {
        match self.down.load(Ordering::SeqCst) {
            true => Err(RemoteError("connection refused".into())),
            false => Ok(()),
        }
    }

    fn names(&self) -> Vec<String> {
        self.objects.lock().unwrap().keys().cloned().collect()
    }
}

impl Remote for MemoryRemote {
    fn put<'a>(
        &'a self,
        name: &'a str,
        mut body: RemoteStream<'a>,
    ) -> BoxFuture<'a, Result<(), RemoteError>> {
        async move {
            self.check()?;
            let mut all = Vec::new();
            while let Some(chunk) = body.next().await {
                all.extend_from_slice(&chunk?);
            }
            self.objects.lock().unwrap().insert(name.to_string(), all);
            Ok(())
        }
        .boxed()
    }

    fn read<'a>(
        &'a self,
        name: &'a str,
        range: std::ops::Range<u64>,
    ) -> BoxFuture<'a, Result<RemoteStream<'static>, RemoteError>> {
        async move {
            self.check()?;
            let objects = self.objects.lock().unwrap();
            let all = objects
                .get(name)
                .ok_or_else(|| RemoteError(format!("{name}: not found")))?;
            let bytes = all[range.start as usize..range.end as usize].to_vec();
            // In pieces, as a network read comes.
            let chunks: Vec<Result<Bytes, RemoteError>> = bytes
                .chunks(100_000)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            Ok(futures::stream::iter(chunks).boxed())
        }
        .boxed()
    }

    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(), RemoteError>> {
        async move {
            self.check()?;
            self.objects.lock().unwrap().remove(name);
            Ok(())
        }
        .boxed()
    }
}

fn store_config(dirs: &Dirs, remote: &Arc<MemoryRemote>) -> StoreConfig {
    StoreConfig {
        tiers: vec![RemoteTier {
            name: "cloud".into(),
            client: remote.clone(),
        }],
        min_part_size: 1 << 20,
        ..dirs.two_classes()
    }
}

async fn store_with_tier(dirs: &Dirs) -> (Store, Arc<MemoryRemote>) {
    let remote = Arc::new(MemoryRemote::default());
    let store = Store::open(store_config(dirs, &remote))
        .await
        .expect("open");
    store.create_bucket("bkt", None).await.unwrap();
    (store, remote)
}

/// Moves the current version of `key` to the tier with its stored bytes as they are.
/// [`store_with_tier`] with versioning enabled on `bkt`.
async fn versioned_store_with_tier(dirs: &Dirs) -> (Store, Arc<MemoryRemote>) {
    let (store, remote) = store_with_tier(dirs).await;
    store
        .set_versioning("bkt", Versioning::Enabled)
        .await
        .unwrap();
    (store, remote)
}

async fn move_to_tier(store: &Store, key: &str) -> Result<Transitioned, Error> {
    let obj = store.open_object("bkt", key, None).await?;
    let body = obj.read_span(0..obj.info().stored_size)?;
    store
        .transition_to_tier(&obj, "cloud", body, TierMove::default())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_version_reads_back_whole_and_by_range_from_one_opaque_object() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let data = content(7, 3 << 20);
    put(&store, "bkt", "k", &data).await;
    assert_eq!(
        move_to_tier(&store, "k").await.unwrap(),
        Transitioned::Moved
    );
    assert_eq!(
        move_to_tier(&store, "k").await.unwrap(),
        Transitioned::AlreadyThere
    );
    let names = remote.names();
    assert_eq!(names.len(), 1);
    assert!(names[0].len() == 32 && names[0].bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        head(&store, "bkt", "k", None).await.unwrap().storage_class,
        "cloud"
    );
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), data);
    let range = ByteRange::Bounded {
        first: 1_000_000,
        last: 2_500_000,
    };
    let range = get_range(&store, "bkt", "k", range).await.unwrap();
    assert_eq!(range, data[1_000_000..=2_500_000]);
    // The local shards are no longer referenced: a pass removes them.
    store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert!(files_become(dirs.tmp.path(), 0).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_the_tier_changed_fail_a_whole_read_before_its_last_chunk() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let data = content(8, 1 << 20);
    put(&store, "bkt", "k", &data).await;
    move_to_tier(&store, "k").await.unwrap();
    let name = remote.names().remove(0);
    remote.objects.lock().unwrap().get_mut(&name).unwrap()[500_000] ^= 1;
    let obj = store.open_object("bkt", "k", None).await.unwrap();
    let mut body = obj.read(None).unwrap();
    let mut sent = 0;
    let mut failed = false;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(c) => sent += c.len(),
            Err(e) => {
                failed = true;
                assert!(e.to_string().contains("digest"), "{e}");
            }
        }
    }
    assert!(failed && sent < data.len(), "sent {sent} of {}", data.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tier_that_is_down_is_unavailable_and_keeps_versions_where_they_are() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let data = content(9, 200_000);
    put(&store, "bkt", "local", &data).await;
    put(&store, "bkt", "moved", &data).await;
    move_to_tier(&store, "moved").await.unwrap();
    remote.down.store(true, Ordering::SeqCst);
    let unavailable = |e: &Error| matches!(e, Error::Unavailable(Unavailable::Tier { .. }));
    let e = move_to_tier(&store, "local").await.unwrap_err();
    assert!(unavailable(&e), "{e}");
    assert_eq!(
        head(&store, "bkt", "local", None)
            .await
            .unwrap()
            .storage_class,
        "fast"
    );
    assert_eq!(get(&store, "bkt", "local").await.unwrap(), data);
    // The read fails as it starts, before any byte.
    let obj = store.open_object("bkt", "moved", None).await.unwrap();
    let e = obj.read(None).unwrap().started().await.unwrap_err();
    assert!(unavailable(&e), "{e}");
    // A delete while it is down removes the version now and the remote object later.
    store.delete_object("bkt", "moved", None).await.unwrap();
    // Two failed deletes: what the failed move left, and the deleted version's object.
    assert!(eventually(|| store.tier_stats()[0].delete_errors >= 2).await);
    assert_eq!(remote.names().len(), 1);
    remote.down.store(false, Ordering::SeqCst);
    let report = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    // The deleted version's object, and the entry of the move that failed.
    assert_eq!(report.remote_orphans_removed, 2, "{report:?}");
    assert!(remote.names().is_empty());
    let stats = store.tier_stats();
    assert_eq!((stats[0].writes, stats[0].write_errors), (1, 1));
    assert!(
        stats[0].read_errors >= 1 && stats[0].delete_errors >= 1,
        "{stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_moved_version_deletes_its_remote_object() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    put(&store, "bkt", "k", &content(10, 70_000)).await;
    move_to_tier(&store, "k").await.unwrap();
    // Replaced: an unversioned bucket's new null version drops the old one.
    put(&store, "bkt", "k", b"new").await;
    assert!(eventually(|| remote.names().is_empty()).await);
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), b"new");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_to_a_tier_streams_there_and_its_entry_names_the_new_version() {
    let dirs = Dirs::new();
    let (store, remote) = versioned_store_with_tier(&dirs).await;
    let data = content(11, 300_000);
    let local_files = shard_files(dirs.tmp.path());
    let info = put_in(
        &store,
        "bkt",
        "direct",
        Some("cloud"),
        &data,
        50_000,
        Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(info.etag, md5_of(&data));
    // One opaque object on the tier, no shard file here.
    let names = remote.names();
    assert_eq!(names.len(), 1);
    assert!(
        names[0].len() == 32 && !names[0].contains("direct"),
        "{names:?}"
    );
    assert_eq!(shard_files(dirs.tmp.path()), local_files);
    let head = head(&store, "bkt", "direct", None).await.unwrap();
    assert_eq!(head.storage_class, "cloud");
    assert_eq!(get(&store, "bkt", "direct").await.unwrap(), data);
    // The entry names the version the commit made: a pass with no grace keeps the object.
    let report = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert_eq!(report.remote_orphans_removed, 0, "{report:?}");
    assert_eq!(remote.names(), names);
    assert_eq!(get(&store, "bkt", "direct").await.unwrap(), data);
    store
        .delete_object("bkt", "direct", Some(&info.version_id))
        .await
        .unwrap();
    assert!(eventually(|| remote.names().is_empty()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_to_a_tier_that_is_not_committed_leaves_nothing_there() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let data = content(12, 120_000);
    // Staged and dropped: the object goes at once.
    let staged = stage(&store, "bkt", "dropped", Some("cloud"), &data, None)
        .await
        .unwrap();
    assert_eq!(staged.class(), "cloud");
    assert_eq!(remote.names().len(), 1);
    drop(staged);
    assert!(eventually(|| remote.names().is_empty()).await);
    // A body shorter than announced: refused, nothing kept.
    let short = stage(&store, "bkt", "short", Some("cloud"), &data, Some(200_000)).await;
    assert!(matches!(short, Err(Error::Invalid(_))), "{short:?}");
    assert!(eventually(|| remote.names().is_empty()).await);
    // A body that fails midway: the caller sees its error.
    let failing = futures::stream::iter(vec![
        Ok(Bytes::from(data[..1000].to_vec())),
        Err("connection reset"),
    ]);
    let e = store
        .stage_object("bkt", "cut", Some("cloud"), failing, None, EtagBy::Store)
        .await
        .unwrap_err();
    assert!(matches!(e, WriteError::Body("connection reset")), "{e:?}");
    assert!(eventually(|| remote.names().is_empty()).await);
    // A tier that is down: unavailable; the entry written first goes in the next pass.
    remote.down.store(true, Ordering::SeqCst);
    let e = stage(&store, "bkt", "down", Some("cloud"), &data, None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Unavailable(Unavailable::Tier { .. })),
        "{e}"
    );
    remote.down.store(false, Ordering::SeqCst);
    let report = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert!(report.errors.is_empty(), "{report:?}");
    for key in ["dropped", "short", "cut", "down"] {
        assert!(head(&store, "bkt", key, None).await.is_err(), "{key}");
    }
    assert!(remote.names().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_to_a_tier_that_is_not_committed_leaves_nothing_there() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let data = content(13, 90_000);
    let opts = UploadOptions {
        storage_class: Some("cloud".into()),
        ..UploadOptions::default()
    };
    let id = store
        .create_multipart_upload("bkt", "mp", opts)
        .await
        .unwrap();
    let stage = |body| store.stage_part("bkt", "mp", &id, body, None, EtagBy::Store);
    // Staged and dropped: the object goes at once.
    let staged = stage(body(&data, 65_536))
        .await
        .map_err(store_error)
        .unwrap();
    assert_eq!(staged.class(), "cloud");
    assert_eq!(remote.names().len(), 1);
    drop(staged);
    assert!(eventually(|| remote.names().is_empty()).await);
    // Staged, then the upload is aborted before the part's commit: refused, nothing kept.
    let staged = stage(body(&data, 65_536))
        .await
        .map_err(store_error)
        .unwrap();
    store
        .abort_multipart_upload("bkt", "mp", &id)
        .await
        .unwrap();
    let e = store
        .upload_part("bkt", "mp", &id, 1, staged, PartOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Refused(Refusal::NoSuchUpload)), "{e}");
    assert!(eventually(|| remote.names().is_empty()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_copy_serves_reads_locally_until_it_expires_and_the_scanner_removes_it() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let data = content(13, 700_000);
    put(&store, "bkt", "cold", &data).await;
    move_to_tier(&store, "cold").await.unwrap();
    // The moved version's local files go first.
    store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    let before = shard_files(dirs.tmp.path());
    let now_ns = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    };
    let obj = store.open_object("bkt", "cold", None).await.unwrap();
    assert_eq!(obj.info().restored_until, None);
    let hour = 3_600_000_000_000;
    let restored = store.restore_copy(&obj, now_ns() + hour).await.unwrap();
    assert_eq!(restored, Restored::Copied);
    assert!(shard_files(dirs.tmp.path()) > before);
    // The tier is down: the copy serves whole and ranged reads.
    remote.down.store(true, Ordering::SeqCst);
    assert!(head(&store, "bkt", "cold", None)
        .await
        .unwrap()
        .restored_until
        .is_some());
    assert_eq!(get(&store, "bkt", "cold").await.unwrap(), data);
    let range = ByteRange::Bounded {
        first: 1000,
        last: 500_000,
    };
    assert_eq!(
        get_range(&store, "bkt", "cold", range).await.unwrap(),
        data[1000..=500_000]
    );
    remote.down.store(false, Ordering::SeqCst);
    // Again: the expiry moves, no second copy; a short one expires.
    let obj = store.open_object("bkt", "cold", None).await.unwrap();
    let soon = now_ns() + 300_000_000;
    assert_eq!(
        store.restore_copy(&obj, soon).await.unwrap(),
        Restored::Extended
    );
    let copied = shard_files(dirs.tmp.path());
    assert!(
        eventually(|| std::time::SystemTime::now()
            > std::time::UNIX_EPOCH + std::time::Duration::from_nanos(soon))
        .await
    );
    assert_eq!(
        head(&store, "bkt", "cold", None)
            .await
            .unwrap()
            .restored_until,
        None
    );
    let report = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert_eq!(report.restores_expired, 1, "{report:?}");
    assert!(files_become(dirs.tmp.path(), before).await);
    assert!(copied > before);
    // Reads go to the tier again.
    remote.down.store(true, Ordering::SeqCst);
    assert!(get(&store, "bkt", "cold").await.is_err());
    remote.down.store(false, Ordering::SeqCst);
    assert_eq!(get(&store, "bkt", "cold").await.unwrap(), data);
    // A version that is not remote is not restored.
    put(&store, "bkt", "local", b"here").await;
    let obj = store.open_object("bkt", "local", None).await.unwrap();
    assert!(store.restore_copy(&obj, now_ns() + hour).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_restored_version_removes_its_copy_and_its_remote_object() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    put(&store, "bkt", "cold", &content(14, 400_000)).await;
    move_to_tier(&store, "cold").await.unwrap();
    // The moved version's local files go first.
    store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    let before = shard_files(dirs.tmp.path());
    let obj = store.open_object("bkt", "cold", None).await.unwrap();
    let later = u64::MAX / 2;
    store.restore_copy(&obj, later).await.unwrap();
    // A pass keeps the copy (its files are referenced).
    let report = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert_eq!((report.orphans_removed, report.restores_expired), (0, 0));
    assert!(shard_files(dirs.tmp.path()) > before);
    store.delete_object("bkt", "cold", None).await.unwrap();
    assert!(eventually(|| remote.names().is_empty()).await);
    assert!(files_become(dirs.tmp.path(), before).await);
}

/// Uploads `parts` to a new upload of `key` to the tier; returns its id and what completes it.
async fn upload_to_tier(
    store: &Store,
    key: &str,
    parts: &[Vec<u8>],
) -> (String, Vec<CompletedPart>) {
    upload_to(store, key, Some("cloud"), parts).await
}

/// Uploads `parts` to a new upload of `key` to `class` (`None`: the namespace class).
async fn upload_to(
    store: &Store,
    key: &str,
    class: Option<&str>,
    parts: &[Vec<u8>],
) -> (String, Vec<CompletedPart>) {
    let opts = UploadOptions {
        storage_class: class.map(str::to_string),
        ..UploadOptions::default()
    };
    let id = store
        .create_multipart_upload("bkt", key, opts)
        .await
        .unwrap();
    let mut done = Vec::new();
    for (n, data) in (1..).zip(parts) {
        let info = upload_part(store, "bkt", key, &id, n, data, 65_536)
            .await
            .unwrap();
        done.push(CompletedPart {
            part_number: n,
            etag: info.etag,
        });
    }
    (id, done)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_upload_to_a_tier_completes_into_one_remote_object_and_leaves_no_part_behind() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let before = shard_files(dirs.tmp.path());
    let mut parts = [content(21, (1 << 20) + 5), content(20, 4000)];
    let (id, mut done) = upload_to_tier(&store, "mp", &parts).await;
    let listed = store.list_parts("bkt", "mp", &id, 0, 10).await.unwrap();
    assert_eq!(listed.upload.storage_class, "cloud");
    // Each part is one remote object; nothing is written locally.
    assert_eq!(shard_files(dirs.tmp.path()), before);
    let held = |remote: &MemoryRemote| {
        let objects = remote.objects.lock().unwrap();
        objects
            .values()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(held(&remote), parts.iter().cloned().collect());
    // Part 2 uploaded again: the object of the part it replaces goes.
    parts[1] = content(22, 3000);
    done[1].etag = upload_part(&store, "bkt", "mp", &id, 2, &parts[1], 65_536)
        .await
        .unwrap()
        .etag;
    let both = parts.iter().cloned().collect();
    assert!(eventually(|| held(&remote) == both).await);
    // Their entries name the parts: a pass with no grace keeps them.
    let report = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert_eq!(report.remote_orphans_removed, 0, "{report:?}");
    assert_eq!(held(&remote), both);
    let info = store
        .complete_multipart_upload("bkt", "mp", &id, done.clone(), None)
        .await
        .unwrap();
    assert_eq!(info.storage_class, "cloud");
    assert!(info.etag.ends_with("-2"), "{}", info.etag);
    let whole = parts.concat();
    // One opaque remote object holding the parts one after the other; the parts' go.
    assert!(eventually(|| remote.names().len() == 1).await);
    let names = remote.names();
    assert_eq!(remote.objects.lock().unwrap()[&names[0]], whole);
    assert_eq!(get(&store, "bkt", "mp").await.unwrap(), whole);
    let (span, second) = get_part(&store, "bkt", "mp", 2).await.unwrap();
    assert_eq!((span.start, second), ((1 << 20) + 5, parts[1].clone()));
    assert_eq!(shard_files(dirs.tmp.path()), before);
    assert!(store.list_parts("bkt", "mp", &id, 0, 10).await.is_err());
    // A completion retried after it succeeded gets the same answer.
    let again = store
        .complete_multipart_upload("bkt", "mp", &id, done, None)
        .await
        .unwrap();
    assert_eq!((again.etag, again.version_id), (info.etag, info.version_id));
    // The entry names the version: a pass with no grace keeps the object.
    let report = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert_eq!(report.remote_orphans_removed, 0, "{report:?}");
    assert_eq!(remote.names(), names);
    store.delete_object("bkt", "mp", None).await.unwrap();
    assert!(eventually(|| remote.names().is_empty()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_commits_under_the_version_id_promised_or_not_at_all() {
    let dirs = Dirs::new();
    let (store, remote) = versioned_store_with_tier(&dirs).await;
    let parts = [content(23, 5000)];
    let complete = |key: &'static str, id: String, done, promise| {
        let store = store.clone();
        async move {
            store
                .complete_multipart_upload_as("bkt", key, &id, done, None, Some(promise))
                .await
        }
    };
    let (id, done) = upload_to_tier(&store, "kept", &parts).await;
    let promise = store.promise_version("bkt").unwrap();
    assert_ne!(promise.text(), "null");
    let info = complete("kept", id, done, promise).await.unwrap();
    assert_eq!(info.version_id, promise.text());
    // Versioning changed after the promise: no commit, and the upload is as it was.
    let (id, done) = upload_to_tier(&store, "changed", &parts).await;
    let promise = store.promise_version("bkt").unwrap();
    store
        .set_versioning("bkt", Versioning::Suspended)
        .await
        .unwrap();
    let refused = complete("changed", id.clone(), done.clone(), promise).await;
    assert!(
        matches!(refused, Err(Error::Refused(Refusal::VersioningChanged))),
        "{refused:?}"
    );
    let listed = store
        .list_parts("bkt", "changed", &id, 0, 10)
        .await
        .unwrap();
    assert_eq!(listed.parts.len(), 1);
    // Promised again under the bucket's new state: the null version.
    let promise = store.promise_version("bkt").unwrap();
    assert_eq!(promise.text(), "null");
    let info = complete("changed", id, done, promise).await.unwrap();
    assert_eq!(info.version_id, "null");
    assert_eq!(get(&store, "bkt", "changed").await.unwrap(), parts[0]);
    // The refused completion's object does not stay on the tier: one object per version.
    assert!(eventually(|| remote.names().len() == 2).await);
    // A PUT to the tier keeps the same promise.
    let opts = PutOptions {
        promised: Some(store.promise_version("bkt").unwrap()),
        ..PutOptions::default()
    };
    let promise = opts.promised.unwrap();
    store
        .set_versioning("bkt", Versioning::Enabled)
        .await
        .unwrap();
    let refused = put_in(&store, "bkt", "put", Some("cloud"), b"x", 1024, opts).await;
    assert!(
        matches!(refused, Err(Error::Refused(Refusal::VersioningChanged))),
        "{refused:?} after {}",
        promise.text()
    );
    assert!(eventually(|| remote.names().len() == 2).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_completion_to_a_tier_that_is_down_keeps_the_upload_as_it_was() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let before = shard_files(dirs.tmp.path());
    let parts = [content(23, (1 << 20) + 5), content(24, 10)];
    let (id, done) = upload_to_tier(&store, "mp", &parts).await;
    let staged = remote.names();
    assert_eq!(staged.len(), 2);
    remote.down.store(true, Ordering::SeqCst);
    let unavailable = |e: &Error| matches!(e, Error::Unavailable(Unavailable::Tier { .. }));
    let e = store
        .complete_multipart_upload("bkt", "mp", &id, done, None)
        .await
        .unwrap_err();
    assert!(unavailable(&e), "{e}");
    assert!(head(&store, "bkt", "mp", None).await.is_err());
    // A part uploaded while the tier is down is refused and leaves nothing anywhere.
    let e = upload_part(&store, "bkt", "mp", &id, 3, &parts[1], 65_536)
        .await
        .unwrap_err();
    assert!(unavailable(&e), "{e}");
    let listed = store.list_parts("bkt", "mp", &id, 0, 10).await.unwrap();
    assert_eq!(listed.parts.len(), 2);
    assert_eq!(shard_files(dirs.tmp.path()), before);
    // The entry written before the completion's remote write goes in the next pass; the
    // parts' objects stay.
    remote.down.store(false, Ordering::SeqCst);
    let report = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert_eq!(report.remote_orphans_removed, 1, "{report:?}");
    assert_eq!(remote.names(), staged);
    store
        .abort_multipart_upload("bkt", "mp", &id)
        .await
        .unwrap();
    assert!(eventually(|| remote.names().is_empty()).await);
    assert_eq!(shard_files(dirs.tmp.path()), before);
}

/// Makes the one upload in the index of each of `volumes` (closed) an upload to tier `tier`
/// as a strata of record version 9 wrote it: the version 1 record of an upload to a local
/// class, with `access` and `lock` nil and `tier` appended (`FORMAT.md`, `UploadRecord`).
fn as_version_9_upload_to(volumes: &[std::path::PathBuf], tier: &str) {
    use redb::{ReadableTable, TableDefinition};
    let table = TableDefinition::<&[u8], &[u8]>::new("uploads");
    for v in volumes {
        let db = redb::Database::open(index_file(v)).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut uploads = txn.open_table(table).unwrap();
            let (key, old) = {
                let (k, v) = uploads.iter().unwrap().next().unwrap().unwrap();
                (k.value().to_vec(), v.value().to_vec())
            };
            // Version 1, a MessagePack array of its six fields.
            assert_eq!(&old[..2], &[1, 0x96], "{}", v.display());
            let mut new = vec![9, 0x99];
            new.extend_from_slice(&old[2..]);
            new.extend_from_slice(&[0xc0, 0xc0, 0xa0 | tier.len() as u8]);
            new.extend_from_slice(tier.as_bytes());
            uploads.insert(key.as_slice(), new.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_of_an_older_strata_with_parts_staged_locally_completes_to_the_tier() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let before = shard_files(dirs.tmp.path());
    // Parts in the namespace class, as uploads to a tier kept them before record version 10.
    let parts = [content(25, (1 << 20) + 7), content(26, 5000)];
    let (id, done) = upload_to(&store, "old", None, &parts).await;
    let cfg = store_config(&dirs, &remote);
    drop(store);
    as_version_9_upload_to(&cfg.classes[0].volumes, "cloud");
    let store = Store::open(cfg).await.unwrap();
    let listed = store.list_parts("bkt", "old", &id, 0, 10).await.unwrap();
    assert_eq!(listed.upload.storage_class, "cloud");
    assert!(remote.names().is_empty());
    let info = store
        .complete_multipart_upload("bkt", "old", &id, done, None)
        .await
        .unwrap();
    assert_eq!(info.storage_class, "cloud");
    let whole = parts.concat();
    let names = remote.names();
    assert_eq!(names.len(), 1);
    assert_eq!(remote.objects.lock().unwrap()[&names[0]], whole);
    assert_eq!(get(&store, "bkt", "old").await.unwrap(), whole);
    // The parts' shard files go.
    assert!(files_become(dirs.tmp.path(), before).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_copy_missing_a_shard_file_is_healed_from_the_others() {
    let dirs = Dirs::new();
    let (store, remote) = store_with_tier(&dirs).await;
    let data = content(15, 500_000);
    put(&store, "bkt", "cold", &data).await;
    move_to_tier(&store, "cold").await.unwrap();
    // The moved version's local files go first.
    store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    let volume = dirs.tmp.path().join("fast").join("0");
    let before = shard_names(&volume);
    let obj = store.open_object("bkt", "cold", None).await.unwrap();
    store.restore_copy(&obj, u64::MAX / 2).await.unwrap();
    let copy: Vec<String> = shard_names(&volume).difference(&before).cloned().collect();
    assert_eq!(copy.len(), 1, "{copy:?}");
    let path = volume.join(format::STRATA_DIR).join("data").join(&copy[0]);
    std::fs::remove_file(&path).unwrap();
    let report = store
        .heal_object("bkt", "cold", "null", false)
        .await
        .unwrap();
    assert_eq!(report.shard_files, 1, "{report:?}");
    assert!(path.exists());
    // The copy alone serves reads: the tier is down.
    remote.down.store(true, Ordering::SeqCst);
    assert_eq!(get(&store, "bkt", "cold").await.unwrap(), data);
}
