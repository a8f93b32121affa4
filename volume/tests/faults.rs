//! Disk faults under a running store, on FaultFs (each volume its own mount, see
//! `pod/mod.rs`): a full disk, read errors, failing fsyncs, a disk that vanishes. Volumes 0..4
//! are the 2+2 namespace class, which writes on a quorum of 3 and reads from any 2 shards.

mod common;
mod pod;

use std::time::{Duration, Instant};

use common::*;
use pod::{drop_within, Pod};
use strata_faultfs::{PathMatcher, RestoreMode};
use strata_volume::*;

const LARGE: usize = 1_300_000;
const SMALL: usize = 9_000;

/// A mounted pod with a store on it, bucket `bkt`, and a small and a large object.
async fn serving() -> (Pod, Store, Vec<(String, Vec<u8>)>) {
    let mut pod = Pod::new();
    pod.mount();
    let store = Store::open(pod.config(true)).await.expect("open");
    store.create_bucket("bkt", None).await.expect("bucket");
    let mut all = Vec::new();
    for (key, len) in [("before-small", SMALL), ("before-large", LARGE)] {
        let data = content(all.len() as u64 + 100, len);
        put(&store, "bkt", key, &data).await;
        all.push((key.to_string(), data));
    }
    (pod, store, all)
}

/// Four large objects `large-0..4` (contents from `seed`): their rotations differ, so any
/// one volume holds a data shard of some of them.
async fn put_large_objects(store: &Store, all: &mut Vec<(String, Vec<u8>)>, seed: u64) {
    for i in 0..4u64 {
        let key = format!("large-{i}");
        let data = content(seed + i, LARGE);
        put(store, "bkt", &key, &data).await;
        all.push((key, data));
    }
}

/// A large put of content from `seed` into the `bulk` class (volumes 4 and 5, a mirror):
/// its result, and the bytes it put.
async fn into_bulk(store: &Store, key: &str, seed: u64) -> (Result<ObjectInfo, Error>, Vec<u8>) {
    let data = content(seed, LARGE);
    let r = put_in(
        store,
        "bkt",
        key,
        Some("bulk"),
        &data,
        64 * 1024,
        PutOptions::default(),
    )
    .await;
    (r, data)
}

async fn try_put(store: &Store, key: &str, data: &[u8]) -> Result<ObjectInfo, Error> {
    put_in(
        store,
        "bkt",
        key,
        None,
        data,
        64 * 1024,
        PutOptions::default(),
    )
    .await
}

async fn scan(store: &Store) -> ScanReport {
    let r = store
        .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
        .await;
    assert!(r.errors.is_empty() && r.heal.failed == 0, "{r:?}");
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_in_the_set_does_not_stop_puts_or_reads() {
    let (pod, store, mut all) = serving().await;
    pod.controller(1).enospc_after(Some(0));
    for (key, len) in [("full-small", SMALL), ("full-large", LARGE)] {
        let data = content(all.len() as u64, len);
        try_put(&store, key, &data)
            .await
            .unwrap_or_else(|e| panic!("{key} with one disk full: {e}"));
        all.push((key.to_string(), data));
    }
    check_all(&store, &all).await;
    pod.controller(1).enospc_after(None);
    // The full volume's share comes back with a scan, after a restart: its index stays
    // unusable until reopened (see `once_space_returns_puts_succeed_without_a_restart`).
    drop_within(store, Duration::from_secs(30));
    let store = Store::open(pod.config(true)).await.expect("reopen");
    let r = scan(&store).await;
    assert!(r.heal.healed >= 1, "{r:?}");
    assert_eq!(scan(&store).await.heal.healed, 0);
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
}

/// Two of four disks full: below the write quorum. Both a small (inline) put, which fails in
/// its metadata commit (or before, once the volumes' free space was read again), and a large
/// one, which fails writing its shards (or before), return `Unavailable(StorageFull)` (the
/// gateway's 507, not a 503 that SDKs retry) and leave nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_write_quorum_of_space_a_put_fails_cleanly_and_loses_nothing() {
    let (pod, store, all) = serving().await;
    let files = pod.data_files();
    for i in [1, 2] {
        pod.controller(i).enospc_after(Some(0));
    }
    for (key, len) in [("no-space-small", SMALL), ("no-space-large", LARGE)] {
        let err = try_put(&store, key, &content(7, len)).await.unwrap_err();
        eprintln!("{key}: {err:?}");
        assert!(
            matches!(
                err,
                Error::Unavailable(Unavailable::StorageFull {
                    full: 1..,
                    needed: 3,
                    ..
                })
            ),
            "{key}: {err:?}"
        );
        let gone = get(&store, "bkt", key).await.unwrap_err();
        assert!(
            matches!(gone, Error::Refused(Refusal::NoSuchKey { .. })),
            "{key} is half there: {gone:?}"
        );
    }
    let (keys, _) = list_all(&store, "bkt", "", None, 100).await;
    assert_eq!(keys, ["before-large", "before-small"]);
    // The failed large put took back the shard files it wrote where there was space.
    assert_eq!(pod.data_files(), files);
    check_all(&store, &all).await;
    // Nothing of the failed puts is left on disk once the scanner has swept.
    for i in [1, 2] {
        pod.controller(i).enospc_after(None);
    }
    drop_within(store, Duration::from_secs(30));
    let store = Store::open(pod.config(true)).await.expect("reopen");
    let r = scan(&store).await;
    assert_eq!(r.heal.checked, 2, "{r:?}");
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
}

/// Once space is back, puts succeed again on the same store, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_space_returns_puts_succeed_without_a_restart() {
    let (pod, store, mut all) = serving().await;
    for i in [1, 2] {
        pod.controller(i).enospc_after(Some(0));
    }
    assert!(try_put(&store, "no-space", &content(7, SMALL))
        .await
        .is_err());
    for i in [1, 2] {
        pod.controller(i).enospc_after(None);
    }
    for (key, len) in [("space-back-small", SMALL), ("space-back-large", LARGE)] {
        let data = content(all.len() as u64, len);
        try_put(&store, key, &data)
            .await
            .unwrap_or_else(|e| panic!("{key} after space came back: {e}"));
        all.push((key.to_string(), data));
    }
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_work_around_a_disk_whose_shard_files_fail_and_report_it() {
    let (pod, store, mut all) = serving().await;
    put_large_objects(&store, &mut all, 200).await;
    store.take_heal_events();
    pod.controller(2)
        .fail_reads(Some(PathMatcher::glob(".strata/data/*")));
    check_all(&store, &all).await;
    let health = store.read_health();
    let fast = &health.classes[0];
    assert_eq!(fast.class, "fast");
    assert!(fast.degraded_reads >= 1, "{health:?}");
    let events = store.take_heal_events();
    assert!(!events.is_empty(), "{health:?}");
    for e in &events {
        assert_eq!(e.volume, pod.volumes[2].mnt, "{e:?}");
    }
    drop_within(store, Duration::from_secs(30));
}

/// A volume whose fsyncs fail: puts still succeed on the other three; after a power cut that
/// volume's shard (never durable) is missing, reads work around it and a deep scan rebuilds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_whose_fsync_failed_on_one_disk_is_rebuilt_after_a_power_cut() {
    let (mut pod, store, mut all) = serving().await;
    pod.controller(3).fail_fsync(Some(PathMatcher::all()));
    for (key, len) in [("fsync-small", SMALL), ("fsync-large", LARGE)] {
        let data = content(all.len() as u64 + 300, len);
        try_put(&store, key, &data)
            .await
            .unwrap_or_else(|e| panic!("{key} with one disk's fsync failing: {e}"));
        all.push((key.to_string(), data));
    }
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
    pod.restore(RestoreMode::Strict);

    let store = Store::open(pod.config(false)).await.expect("reopen");
    check_all(&store, &all).await;
    let r = scan(&store).await;
    // The large put's shard file and the small put's inline record on volume 3.
    assert!(
        r.heal.shard_files >= 1 && r.heal.records_written >= 1,
        "{r:?}"
    );
    let again = scan(&store).await;
    assert_eq!(again.heal.healed, 0, "{again:?}");
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vanished_disk_does_not_stop_reads_or_puts() {
    let (pod, store, mut all) = serving().await;
    pod.controller(0).vanish(true);
    check_all(&store, &all).await;
    for (key, len) in [("vanished-small", SMALL), ("vanished-large", LARGE)] {
        let data = content(all.len() as u64 + 400, len);
        let r = try_put(&store, key, &data).await;
        eprintln!("put {key} with volume 0 gone: {:?}", r.as_ref().map(|_| ()));
        r.unwrap_or_else(|e| panic!("{key} with one disk gone: {e}"));
        all.push((key.to_string(), data));
    }
    check_all(&store, &all).await;
    pod.controller(0).vanish(false);
    // Healed after a restart (see `a_disk_that_comes_back_is_healed_without_a_restart`).
    drop_within(store, Duration::from_secs(30));
    let store = Store::open(pod.config(true)).await.expect("reopen");
    let r = scan(&store).await;
    assert!(r.heal.healed >= 1, "{r:?}");
    assert_eq!(scan(&store).await.heal.healed, 0);
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
}

/// Once a vanished disk is back, the scanner heals what it missed, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_that_comes_back_is_healed_without_a_restart() {
    let (pod, store, mut all) = serving().await;
    pod.controller(0).vanish(true);
    let data = content(500, LARGE);
    try_put(&store, "while-gone", &data).await.expect("put");
    all.push(("while-gone".into(), data));
    pod.controller(0).vanish(false);
    let r = scan(&store).await;
    assert!(r.heal.healed >= 1, "{r:?}");
    assert_eq!(scan(&store).await.heal.healed, 0);
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
}

/// A disk that vanishes while the store serves is taken out of service (status and
/// readiness say so; one of four keeps the class writable, two do not), and when it comes
/// back it is put back into service and refilled, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vanished_disk_is_taken_out_of_service_and_brought_back() {
    let (pod, store, mut all) = serving().await;
    let m = store.start_maintenance(on_demand(), None);
    let vols = pod.config(true).classes[0].volumes.clone();
    pod.controller(0).vanish(true);
    assert!(eventually(|| serves(&store, &vols[0]) == Some(false)).await);
    let down = store
        .volumes()
        .into_iter()
        .find(|v| v.path == vols[0])
        .unwrap();
    eprintln!("volume 0 down: {down:?}");
    assert!(
        down.reason.is_some() && down.down_since.is_some(),
        "{down:?}"
    );
    assert!(store.status().ready, "{:?}", store.status());
    let data = content(600, LARGE);
    try_put(&store, "while-gone", &data)
        .await
        .expect("put with one disk out");
    all.push(("while-gone".into(), data));

    pod.controller(1).vanish(true);
    assert!(eventually(|| serves(&store, &vols[1]) == Some(false)).await);
    assert!(!store.status().ready, "{:?}", store.status());
    let err = try_put(&store, "no-quorum", &content(601, SMALL))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    pod.controller(1).vanish(false);
    assert!(eventually(|| serves(&store, &vols[1]) == Some(true)).await);
    assert!(store.status().ready);

    pod.controller(0).vanish(false);
    let whole = || {
        vols.iter().all(|v| serves(&store, v) == Some(true))
            && store.rebuilding().is_empty()
            && m.status().last_scan.is_some_and(|s| s.heal.healed >= 1)
    };
    assert!(
        eventually(whole).await,
        "{:?} {:?}",
        store.volumes(),
        m.status()
    );
    let last = m.status().last_scan.unwrap();
    assert_eq!(last.heal.failed, 0, "{last:?}");
    m.stop().await;
    // Nothing is left to heal, and every object reads.
    assert_eq!(scan(&store).await.heal.healed, 0);
    check_all(&store, &all).await;
    assert!(get(&store, "bkt", "no-quorum").await.is_err());
    drop_within(store, Duration::from_secs(30));
}

/// A full disk in the mirror class (volumes 4 and 5; a mirror of two writes both): a put into
/// that class fails with `StorageFull` and leaves no shard file behind, its objects still
/// read from the other copy and can be deleted, and once space is back puts succeed without
/// a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_in_the_mirror_class_refuses_its_puts_cleanly() {
    let (pod, store, mut all) = serving().await;
    let (r, data) = into_bulk(&store, "bulk-before", 800).await;
    r.expect("put into the mirror");
    all.push(("bulk-before".into(), data));
    let (r, gone) = into_bulk(&store, "bulk-doomed", 801).await;
    r.expect("put into the mirror");
    let files = pod.data_files();
    pod.controller(4).enospc_after(Some(0));
    let (r, _) = into_bulk(&store, "bulk-full", 802).await;
    let err = r.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unavailable(Unavailable::StorageFull { needed: 2, .. })
        ),
        "{err:?}"
    );
    assert!(get(&store, "bkt", "bulk-full").await.is_err());
    assert_eq!(pod.data_files(), files, "the failed put left shard files");
    assert_eq!(get(&store, "bkt", "bulk-doomed").await.unwrap(), gone);
    store
        .delete_object("bkt", "bulk-doomed", None)
        .await
        .unwrap();
    assert!(get(&store, "bkt", "bulk-doomed").await.is_err());
    check_all(&store, &all).await;
    pod.controller(4).enospc_after(None);
    let (r, data) = into_bulk(&store, "bulk-after", 803).await;
    r.expect("put into the mirror once space is back");
    all.push(("bulk-after".into(), data));
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
}

/// The namespace class's index full on two of its four disks while the data class has
/// room: a put into the data class writes its shards there, then cannot commit its record.
/// It fails with `StorageFull`, takes back the shards it wrote, and leaves no trace; reads
/// and the index go on, and once space is back the same put succeeds without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_namespace_index_refuses_puts_into_another_class_and_leaves_no_shards() {
    let (pod, store, mut all) = serving().await;
    let files = pod.data_files();
    for i in [1, 2] {
        pod.controller(i).enospc_after(Some(0));
    }
    let (r, _) = into_bulk(&store, "bulk-no-index", 900).await;
    let err = r.unwrap_err();
    eprintln!("bulk-no-index: {err:?}");
    assert!(
        matches!(err, Error::Unavailable(Unavailable::StorageFull { .. })),
        "{err:?}"
    );
    let gone = get(&store, "bkt", "bulk-no-index").await.unwrap_err();
    assert!(
        matches!(gone, Error::Refused(Refusal::NoSuchKey { .. })),
        "half there: {gone:?}"
    );
    assert_eq!(
        pod.data_files(),
        files,
        "the failed put left shard files on the data class"
    );
    check_all(&store, &all).await;
    let (keys, _) = list_all(&store, "bkt", "", None, 100).await;
    assert_eq!(keys, ["before-large", "before-small"]);
    for i in [1, 2] {
        pod.controller(i).enospc_after(None);
    }
    let (r, data) = into_bulk(&store, "bulk-no-index", 901).await;
    r.expect("the put once the index has room again");
    all.push(("bulk-no-index".into(), data));
    check_all(&store, &all).await;
    drop_within(store, Duration::from_secs(30));
}

/// A disk whose reads fail (every shard file an I/O error) while its directory and format
/// record look fine: a few failed reads are worked around and healed, a run of them takes
/// the volume out of service as failing, where metrics, status and readiness see it; reads
/// go on from the others. Once its reads work again it is tried after a while (six check
/// intervals), put back, and refilled, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_failing_its_reads_is_taken_out_of_service_and_brought_back() {
    let (pod, store, mut all) = serving().await;
    put_large_objects(&store, &mut all, 300).await;
    let m = store.start_maintenance(on_demand(), None);
    let vols = pod.config(true).classes[0].volumes.clone();
    pod.controller(2)
        .fail_reads(Some(PathMatcher::glob(".strata/data/*")));
    // One read of each object: fewer failed reads than make a volume failing (at most two
    // blocks of six objects). The wait lets the watcher run its rounds (it runs at most
    // once a second); only time can show that the volume stays.
    check_all(&store, &all).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        serves(&store, &vols[2]),
        Some(true),
        "taken out for a few bad reads"
    );
    // Every round reads each object once; the failing volume holds a data shard of some.
    let mut rounds = 0;
    while serves(&store, &vols[2]) == Some(true) {
        assert!(rounds < 100, "still serving after {rounds} rounds of reads");
        check_all(&store, &all).await;
        rounds += 1;
    }
    eprintln!("after {rounds} rounds");
    out_as_failing(&store, &vols[2], &mut all, 310).await;
    pod.controller(2).fail_reads(None);
    back_whole(store, m, &vols[2], &all).await;
}

/// Checks that the volume at `path` is out of service as failing while the pod stays ready,
/// and that reads and a put (seeded `seed`, added to `all`) go on without it.
async fn out_as_failing(
    store: &Store,
    path: &std::path::Path,
    all: &mut Vec<(String, Vec<u8>)>,
    seed: u64,
) {
    let down = store
        .volumes()
        .into_iter()
        .find(|v| v.path == path)
        .unwrap();
    eprintln!("{down:?}");
    let reason = down.reason.clone().unwrap_or_default();
    assert!(
        reason.starts_with("failing: ") && reason.contains("I/O errors"),
        "{down:?}"
    );
    assert!(store.status().ready, "{:?}", store.status());
    check_all(store, all).await;
    let data = content(seed, LARGE);
    try_put(store, "while-failing", &data)
        .await
        .expect("put with the failing disk out");
    all.push(("while-failing".into(), data));
}

/// Once the volume at `path` works again: it is put back, refilled and healed, and every
/// object in `all` reads back.
async fn back_whole(
    store: Store,
    m: Maintenance,
    path: &std::path::Path,
    all: &[(String, Vec<u8>)],
) {
    let whole = || {
        serves(&store, path) == Some(true)
            && store.rebuilding().is_empty()
            && m.status().last_scan.is_some_and(|s| s.heal.healed >= 1)
    };
    assert!(
        eventually(whole).await,
        "{:?} {:?}",
        store.volumes(),
        m.status()
    );
    m.stop().await;
    check_all(&store, all).await;
    drop_within(store, Duration::from_secs(30));
}

/// A disk whose writes fail (every fsync of a shard file an I/O error) while its directory,
/// format record and index look fine: each put carries on with the other volumes (the
/// healer fills in what the disk missed), and a run of failed writes takes the volume out of
/// service as failing, where status and readiness see it. Once its writes work again it is
/// tried after a while, put back and refilled, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_failing_its_writes_is_taken_out_of_service_and_brought_back() {
    let (pod, store, mut all) = serving().await;
    let m = store.start_maintenance(on_demand(), None);
    let vols = pod.config(true).classes[0].volumes.clone();
    pod.controller(2)
        .fail_fsync(Some(PathMatcher::glob(".strata/data/*")));
    // The watcher runs at most once a second, so the puts go on until it has seen the run.
    let (mut puts, deadline) = (0u64, Instant::now() + Duration::from_secs(20));
    while serves(&store, &vols[2]) == Some(true) {
        assert!(
            Instant::now() < deadline,
            "still serving after {puts} puts that failed on it"
        );
        let key = format!("write-failing-{puts}");
        let data = content(600 + puts, LARGE);
        try_put(&store, &key, &data)
            .await
            .unwrap_or_else(|e| panic!("{key} with one disk's writes failing: {e}"));
        all.push((key, data));
        puts += 1;
    }
    eprintln!("after {puts} puts");
    assert!(
        puts >= 16,
        "taken out after {puts} failed writes, before a run of them"
    );
    out_as_failing(&store, &vols[2], &mut all, 700).await;
    pod.controller(2).fail_fsync(None);
    back_whole(store, m, &vols[2], &all).await;
}
