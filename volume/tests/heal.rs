//! Healing and the scanner on real directories: lost and corrupt shards rebuilt byte-exact, a
//! replaced volume refilled (records, inline shards and shard files), unreferenced files swept
//! after their grace period, old uploads aborted, usage counted.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::*;
use strata_volume::*;

const SIZES: &[usize] = &[0, 10, 100_000, 200_000, (1 << 20) + 3, 3 * (1 << 20) + 99];

async fn seed(store: &Store) -> Vec<(String, Vec<u8>)> {
    seed_two_classes(store, SIZES, 7, 70_001).await
}

/// Every shard file of a volume, by path, with its bytes.
fn shard_files(volume: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let data = volume.join(format::STRATA_DIR).join("data");
    let mut out = BTreeMap::new();
    for fan in std::fs::read_dir(data).unwrap().flatten() {
        for f in std::fs::read_dir(fan.path()).unwrap().flatten() {
            out.insert(f.path(), std::fs::read(f.path()).unwrap());
        }
    }
    out
}

fn all_shard_files(cfg: &StoreConfig) -> BTreeMap<PathBuf, Vec<u8>> {
    cfg.classes
        .iter()
        .flat_map(|c| &c.volumes)
        .flat_map(|v| shard_files(v))
        .collect()
}

/// The paths of `files` grouped by file name: the copies of one part's shards.
fn copies_by_id(files: &BTreeMap<PathBuf, Vec<u8>>) -> BTreeMap<std::ffi::OsString, Vec<&PathBuf>> {
    let mut by_id: BTreeMap<std::ffi::OsString, Vec<&PathBuf>> = BTreeMap::new();
    for path in files.keys() {
        by_id
            .entry(path.file_name().unwrap().into())
            .or_default()
            .push(path);
    }
    by_id
}

fn quick(depth: ScanDepth) -> ScanOptions {
    ScanOptions {
        depth,
        work_share: 1.0,
        ..ScanOptions::default()
    }
}

async fn scan(store: &Store, opts: &ScanOptions) -> ScanReport {
    let report = store
        .scan(opts, ScanStart::default(), None, |_, _| {})
        .await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_rebuilds_lost_and_corrupt_shards_byte_exact() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let store = Store::open(cfg.clone()).await.unwrap();
    let all = seed(&store).await;
    let before = all_shard_files(&cfg);
    assert!(before.len() >= 12, "{}", before.len());
    // Of each part's shard files, m are lost or damaged: two of the 2+2 class's four, one
    // of the mirror's two.
    let by_id = copies_by_id(&before);
    let (mut damaged, mut deleted) = (0, 0);
    for (i, copies) in by_id.values().enumerate() {
        let m = if copies.len() == 4 { 2 } else { 1 };
        for (j, path) in copies.iter().enumerate().skip(i % copies.len()).take(m) {
            if (i + j) % 2 == 0 {
                std::fs::remove_file(path).unwrap();
                deleted += 1;
            } else {
                let mut b = before[*path].clone();
                let at = b.len() - 1;
                b[at] ^= 0x40;
                std::fs::write(path, &b).unwrap();
            }
            damaged += 1;
        }
    }
    // The objects still read, around the damage.
    check_all(&store, &all).await;
    let cheap = scan(&store, &quick(ScanDepth::Cheap)).await;
    // A cheap pass looks for missing files (a flipped byte keeps the length); a corrupt
    // block it meets while rebuilding one is rebuilt too.
    assert!(deleted >= 1 && deleted < damaged, "{deleted} of {damaged}");
    assert!(cheap.heal.shard_files >= deleted, "{cheap:?}");
    let deep = scan(&store, &quick(ScanDepth::Deep)).await;
    assert_eq!(
        cheap.heal.shard_files + deep.heal.shard_files,
        damaged,
        "{cheap:?} {deep:?}"
    );
    assert_eq!(deep.heal.failed, 0);
    // Rebuilt files are the very bytes that were lost.
    assert_eq!(all_shard_files(&cfg), before);
    let again = scan(&store, &quick(ScanDepth::Deep)).await;
    assert_eq!(again.heal.healed, 0, "{again:?}");
    assert_eq!(again.heal.checked, all.len() as u64);
    check_all(&store, &all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heal_object_repairs_one_version() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let data = content(3, 2 * (1 << 20) + 1);
    let info = put(&store, "bkt", "k", &data).await;
    let files = shard_files(&cfg.classes[0].volumes[1]);
    let (path, bytes) = files.iter().next().unwrap();
    std::fs::remove_file(path).unwrap();
    let r = store
        .heal_object("bkt", "k", &info.version_id, false)
        .await
        .unwrap();
    assert_eq!(r.shard_files, 1, "{r:?}");
    assert_eq!(&std::fs::read(path).unwrap(), bytes);
    let r = store
        .heal_object("bkt", "k", &info.version_id, true)
        .await
        .unwrap();
    assert!(!r.repaired(), "{r:?}");
    assert!(store
        .heal_object("bkt", "k", "not-a-version", false)
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_volume_is_refilled_by_a_scan() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let store = Store::open(cfg.clone()).await.unwrap();
    let all = seed(&store).await;
    // A versioned key too: every version must come back.
    store
        .set_versioning("bkt", Versioning::Enabled)
        .await
        .unwrap();
    let v1 = put(&store, "bkt", "versioned", &content(50, 300_000)).await;
    put(&store, "bkt", "versioned", &content(51, 20)).await;
    drop(store);
    let fast = &cfg.classes[0].volumes;
    let before = shard_files(&fast[1]);
    std::fs::remove_dir_all(&fast[1]).unwrap();
    std::fs::create_dir(&fast[1]).unwrap();
    let bulk = &cfg.classes[1].volumes;
    let bulk_before = shard_files(&bulk[0]);
    std::fs::remove_dir_all(&bulk[0]).unwrap();
    std::fs::create_dir(&bulk[0]).unwrap();

    let store = Store::open(cfg.clone()).await.unwrap();
    let report = scan(&store, &quick(ScanDepth::Cheap)).await;
    assert_eq!(report.heal.failed, 0, "{report:?}");
    // Every version's record went to the new namespace volume, and the bucket's.
    assert_eq!(
        report.heal.records_written,
        all.len() as u64 + 3,
        "{report:?}"
    );
    assert_eq!(shard_files(&fast[1]), before);
    assert_eq!(shard_files(&bulk[0]), bulk_before);
    drop(store);

    // Only the refilled volume and one other of the 2+2 class left, and only the refilled
    // mirror: everything still reads, inline objects included.
    for p in [&fast[0], &fast[2], &bulk[1]] {
        std::fs::rename(p, p.with_extension("aside")).unwrap();
    }
    let store = Store::open(cfg.clone()).await.unwrap();
    assert_eq!(store.status().classes[0].online, 2);
    check_all(&store, &all).await;
    assert_eq!(
        get_version(&store, "bkt", "versioned", Some(&v1.version_id))
            .await
            .unwrap(),
        content(50, 300_000)
    );
}

fn set_age(path: &Path, age: Duration) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreferenced_files_go_after_their_grace_period_and_old_uploads_are_aborted() {
    let d = Dirs::new();
    let mut cfg = d.two_classes();
    cfg.min_part_size = 1024;
    let store = Store::open(cfg.clone()).await.unwrap();
    let all = seed(&store).await;
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    upload_part(&store, "bkt", "mp", &id, 1, &content(9, 300_000), 4096)
        .await
        .unwrap();
    let referenced = all_shard_files(&cfg);
    for p in referenced.keys() {
        set_age(p, Duration::from_secs(7200));
    }
    // Strays: an old one and a fresh one in a volume of each class, an old abandoned rebuild
    // file, and a file that is not strata's.
    let vol = &cfg.classes[0].volumes[2];
    let fan = vol.join(format::STRATA_DIR).join("data").join("ab");
    let old = fan.join("ab000000000000000000000000000001");
    let fresh = fan.join("ab000000000000000000000000000002");
    let rebuild = fan.join("ab000000000000000000000000000003.heal");
    let foreign = fan.join("notes.txt");
    for p in [&old, &fresh, &rebuild, &foreign] {
        std::fs::write(p, b"stray").unwrap();
    }
    set_age(&old, Duration::from_secs(7200));
    set_age(&rebuild, Duration::from_secs(7200));
    set_age(&foreign, Duration::from_secs(7200));
    let mut opts = quick(ScanDepth::Cheap);
    opts.upload_max_age = Some(Duration::from_secs(86_400));
    let report = scan(&store, &opts).await;
    assert_eq!(report.orphans_removed, 2, "{report:?}");
    assert!(!old.exists() && !rebuild.exists());
    assert!(fresh.exists() && foreign.exists());
    assert_eq!(report.uploads_aborted, 0);
    assert_eq!(all_shard_files(&cfg).len(), referenced.len() + 2);
    assert_eq!(report.swept_dirs, 256 * 6);

    // Usage: every object is current; the upload is not an object.
    let usage = &report.usage;
    assert_eq!(usage.len(), 1);
    assert_eq!(usage[0].objects, all.len() as u64);
    assert_eq!(usage[0].versions, all.len() as u64);
    let bytes: u64 = all.iter().map(|(_, d)| d.len() as u64).sum();
    assert_eq!(usage[0].bytes, bytes);

    opts.upload_max_age = Some(Duration::ZERO);
    let report = scan(&store, &opts).await;
    assert_eq!(report.uploads_aborted, 1, "{report:?}");
    let err = store.list_parts("bkt", "mp", &id, 0, 10).await.unwrap_err();
    assert!(
        matches!(err, Error::Refused(Refusal::NoSuchUpload)),
        "{err:?}"
    );
    check_all(&store, &all).await;
}

/// A seeded store whose last `fast` volume was wiped and taken back as a replacement; also
/// that volume's shard files before the wipe.
async fn with_fast_3_replaced(
    cfg: &StoreConfig,
) -> (Store, Vec<(String, Vec<u8>)>, BTreeMap<PathBuf, Vec<u8>>) {
    let store = Store::open(cfg.clone()).await.unwrap();
    let all = seed(&store).await;
    drop(store);
    let vol = &cfg.classes[0].volumes[3];
    let before = shard_files(vol);
    std::fs::remove_dir_all(vol).unwrap();
    std::fs::create_dir(vol).unwrap();
    (Store::open(cfg.clone()).await.unwrap(), all, before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_volume_is_refilled_in_the_background_and_its_mark_cleared() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let (store, all, before) = with_fast_3_replaced(&cfg).await;
    let vol = &cfg.classes[0].volumes[3];
    let rebuilding = store.rebuilding();
    assert_eq!(rebuilding.len(), 1, "{rebuilding:?}");
    assert_eq!(&rebuilding[0].path, vol);
    let m = store.start_maintenance(on_demand(), None);
    let refilled = || store.rebuilding().is_empty() && m.status().last_scan.is_some();
    assert!(eventually(refilled).await, "{:?}", m.status());
    assert_eq!(shard_files(vol), before);
    let last = m.status().last_scan.unwrap();
    assert_eq!(last.heal.failed, 0, "{last:?}");
    assert!(!vol.join(format::STRATA_DIR).join("rebuild.json").exists());
    check_all(&store, &all).await;
    // A new set is not a replacement: nothing to refill.
    let d2 = Dirs::new();
    let fresh = Store::open(d2.two_classes()).await.unwrap();
    assert!(fresh.rebuilding().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_read_works_around_is_healed_in_the_background() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let data = content(11, 2 * (1 << 20) + 5);
    put(&store, "bkt", "k", &data).await;
    let m = store.start_maintenance(on_demand(), None);
    // The first data shard's file: a read must rebuild around it.
    let before = all_shard_files(&cfg);
    let mut gone = Vec::new();
    for (path, bytes) in before.iter().take(2) {
        std::fs::remove_file(path).unwrap();
        gone.push((path.clone(), bytes.clone()));
    }
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), data);
    let healed = || m.status().healer.healed >= 1;
    assert!(eventually(healed).await, "{:?}", m.status());
    assert_eq!(all_shard_files(&cfg), before);
    let s = m.status();
    assert_eq!(s.healer.failed, 0, "{s:?}");
    assert_eq!(s.heal_queue, 0);
    assert!(
        s.scan_running.is_none() && s.last_scan.is_none(),
        "no pass was due: {s:?}"
    );
    // An operator's request runs a pass.
    m.request_scan(ScanDepth::Deep);
    let scanned = || m.status().last_scan.is_some();
    assert!(eventually(scanned).await, "{:?}", m.status());
    let s = m.status();
    let last = s.last_scan.unwrap();
    assert_eq!(last.depth, ScanDepth::Deep);
    assert_eq!(last.heal.checked, 1);
    assert!(s.last_deep_scan.is_some());
    assert_eq!(s.next_scan_in, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refill_resumes_where_its_mark_says_it_got() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let (store, all, _) = with_fast_3_replaced(&cfg).await;
    let vol = &cfg.classes[0].volumes[3];
    // As a restart finds it after a refill that got as far as the versions of `fast-3145827`
    // (FORMAT.md: `after` is the hex of the last `versions` index key done).
    let mark = vol.join(format::STRATA_DIR).join("rebuild.json");
    let after: String = b"bkt\0fast-3145827"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(&mark, format!(r#"{{"since_ns": 1, "after": "{after}"}}"#)).unwrap();
    let m = store.start_maintenance(on_demand(), None);
    let refilled = || store.rebuilding().is_empty() && m.status().last_scan.is_some();
    assert!(eventually(refilled).await, "{:?}", m.status());
    let last = m.status().last_scan.unwrap();
    assert!(last.resumed, "{last:?}");
    // Only the last key's version was left to do; a resumed pass neither sweeps nor counts.
    assert_eq!(last.heal.checked, 1, "{last:?}");
    assert_eq!((last.swept_dirs, last.usage.len()), (0, 0), "{last:?}");
    // The next full pass finds what the "earlier run" would have done.
    m.request_scan(ScanDepth::Cheap);
    let second = || m.status().last_scan.is_some_and(|s| !s.resumed);
    assert!(eventually(second).await, "{:?}", m.status());
    let full = m.status().last_scan.unwrap();
    assert_eq!(full.heal.checked, all.len() as u64);
    // The bucket's record and the last key's version came back in the resumed pass.
    assert_eq!(full.heal.records_written, all.len() as u64 - 1, "{full:?}");
    check_all(&store, &all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_heal_queue_survives_a_restart() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let data = content(21, (1 << 20) + 77);
    let before;
    let gone: Vec<(PathBuf, Vec<u8>)>;
    {
        let store = Store::open(cfg.clone()).await.unwrap();
        store.create_bucket("bkt", None).await.unwrap();
        put(&store, "bkt", "k", &data).await;
        before = all_shard_files(&cfg);
        // Three of four shards gone: the read fails, and reports what it met.
        gone = before
            .iter()
            .take(3)
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        for (p, _) in &gone {
            std::fs::remove_file(p).unwrap();
        }
        assert!(get(&store, "bkt", "k").await.is_err());
        let m = store.start_maintenance(on_demand(), None);
        // The healer takes the report, cannot heal yet, and keeps it in the heal table.
        let tried = || m.status().healer.failed == 1;
        assert!(eventually(tried).await, "{:?}", m.status());
        m.stop().await;
    }
    // Two files come back (a volume remounted); no read happens after the restart.
    for (p, b) in gone.iter().take(2) {
        std::fs::write(p, b).unwrap();
    }
    let store = Store::open(cfg.clone()).await.unwrap();
    let m = store.start_maintenance(on_demand(), None);
    let healed = || m.status().healer.healed == 1;
    assert!(eventually(healed).await, "{:?}", m.status());
    assert_eq!(all_shard_files(&cfg), before);
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), data);
    m.stop().await;
    drop(store);
    // Healed entries leave the table (FORMAT.md: `heal`), on every namespace volume.
    for v in &cfg.classes[0].volumes {
        use redb::{ReadableDatabase, ReadableTableMetadata, TableDefinition};
        let db = redb::Database::open(v.join(format::STRATA_DIR).join("meta.redb")).unwrap();
        let txn = db.begin_read().unwrap();
        let heal = txn
            .open_table(TableDefinition::<&[u8], &[u8]>::new("heal"))
            .unwrap();
        assert_eq!(heal.len().unwrap(), 0, "{}", v.display());
    }
}

/// A volume wiped while the store serves (as a new, empty PV in the old one's place): it is
/// taken out of service, formatted back into its slot and refilled byte-exact, with reads
/// going on meanwhile and no restart; the set remembers its new member across one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volume_wiped_while_serving_is_formatted_into_its_slot_and_refilled() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let store = Store::open(cfg.clone()).await.unwrap();
    let all = seed(&store).await;
    let m = store.start_maintenance(on_demand(), None);
    let wiped = [&cfg.classes[0].volumes[3], &cfg.classes[1].volumes[0]];
    let before: Vec<_> = wiped.iter().map(|v| shard_files(v)).collect();
    for v in wiped {
        std::fs::remove_dir_all(v.join(format::STRATA_DIR)).unwrap();
    }
    check_all(&store, &all).await;
    let whole = || {
        wiped.iter().all(|v| serves(&store, v) == Some(true))
            && store.rebuilding().is_empty()
            && m.status().last_scan.is_some()
    };
    assert!(
        eventually(whole).await,
        "{:?} {:?}",
        store.volumes(),
        m.status()
    );
    for (v, files) in wiped.iter().zip(&before) {
        assert_eq!(&shard_files(v), files, "{}", v.display());
    }
    // One refill pass, or two when the second volume came back during the first.
    let passes = m.status().scans;
    assert_eq!(passes.heal.failed, 0, "{passes:?}");
    assert!(
        passes.heal.records_written >= all.len() as u64,
        "{passes:?}"
    );
    check_all(&store, &all).await;
    m.stop().await;
    drop(store);

    let store = Store::open(cfg.clone()).await.unwrap();
    let status = store.status();
    assert!(
        status
            .classes
            .iter()
            .all(|c| c.refused.is_empty() && c.online == c.total),
        "{status:?}"
    );
    assert!(store.rebuilding().is_empty());
    check_all(&store, &all).await;
}

/// A volume that was away while another was replaced learns the new set when it comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volume_back_after_a_replacement_learns_the_new_set() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let store = Store::open(cfg.clone()).await.unwrap();
    let all = seed(&store).await;
    let m = store.start_maintenance(on_demand(), None);
    let fast = &cfg.classes[0].volumes;
    let aside = fast[0].with_extension("aside");
    std::fs::rename(&fast[0], &aside).unwrap();
    assert!(eventually(|| serves(&store, &fast[0]) == Some(false)).await);
    std::fs::remove_dir_all(fast[3].join(format::STRATA_DIR)).unwrap();
    let new_id = || {
        let text = std::fs::read_to_string(fast[3].join(format::STRATA_DIR).join("format.json"));
        text.ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["this"].as_str().map(str::to_string))
    };
    assert!(eventually(|| new_id().is_some() && serves(&store, &fast[3]) == Some(true)).await);
    std::fs::rename(&aside, &fast[0]).unwrap();
    let whole =
        || fast.iter().all(|v| serves(&store, v) == Some(true)) && store.rebuilding().is_empty();
    assert!(
        eventually(whole).await,
        "{:?} {:?}",
        store.volumes(),
        m.status()
    );
    let back =
        std::fs::read_to_string(fast[0].join(format::STRATA_DIR).join("format.json")).unwrap();
    assert!(back.contains(&new_id().unwrap()), "{back}");
    check_all(&store, &all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_parts_are_healed_before_their_upload_completes() {
    let d = Dirs::new();
    let mut cfg = d.two_classes();
    cfg.min_part_size = 1024;
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let id = store
        .create_multipart_upload("bkt", "mp", UploadOptions::default())
        .await
        .unwrap();
    let datas = [content(3, (1 << 20) + 77), content(4, 300_000)];
    let mut parts = Vec::new();
    for (i, data) in datas.iter().enumerate() {
        let n = i as u32 + 1;
        let info = upload_part(&store, "bkt", "mp", &id, n, data, 65_536)
            .await
            .unwrap();
        parts.push(CompletedPart {
            part_number: n,
            etag: info.etag,
        });
    }
    let before = all_shard_files(&cfg);
    assert_eq!(before.len(), 8, "two parts in the 2+2 class");
    // Of each part, one shard file is lost and another has a flipped byte.
    let by_id = copies_by_id(&before);
    for copies in by_id.values() {
        std::fs::remove_file(copies[0]).unwrap();
        let mut b = before[copies[1]].clone();
        let at = b.len() - 1;
        b[at] ^= 0x40;
        std::fs::write(copies[1], &b).unwrap();
    }
    let cheap = scan(&store, &quick(ScanDepth::Cheap)).await;
    assert!(cheap.parts.shard_files >= 2, "{cheap:?}");
    assert_eq!(cheap.parts.checked, 2, "{cheap:?}");
    let deep = scan(&store, &quick(ScanDepth::Deep)).await;
    assert_eq!(
        cheap.parts.shard_files + deep.parts.shard_files,
        4,
        "{cheap:?} {deep:?}"
    );
    assert_eq!(deep.heal.checked, 0, "no version yet: {deep:?}");
    assert_eq!(all_shard_files(&cfg), before, "rebuilt byte-exact");
    // With all four files of each part intact again, the object survives the loss of two
    // more of them (what 2+2 promises) once completed.
    store
        .complete_multipart_upload("bkt", "mp", &id, parts, None)
        .await
        .unwrap();
    for copies in by_id.values() {
        for path in copies.iter().skip(2) {
            std::fs::remove_file(path).unwrap();
        }
    }
    assert_eq!(get(&store, "bkt", "mp").await.unwrap(), datas.concat());
}
