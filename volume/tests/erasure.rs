//! Erasure coding on real directories: lost, corrupt, wiped, stale, swapped and foreign
//! volumes.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use strata_volume::*;

const SIZES: &[usize] = &[0, 10, 100_000, 200_000, (1 << 20) + 3, 5 * (1 << 20) + 99];

async fn seed(store: &Store) -> Vec<(String, Vec<u8>)> {
    seed_two_classes(store, SIZES, 100, 100_003).await
}

fn move_away(p: &Path) -> PathBuf {
    let aside = p.with_extension("aside");
    std::fs::rename(p, &aside).unwrap();
    aside
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_any_m_volumes_keeps_every_object_readable() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let all = seed(&Store::open(cfg.clone()).await.unwrap()).await;
    let fast = cfg.classes[0].volumes.clone();
    for a in 0..4 {
        for b in a + 1..4 {
            let asides = [move_away(&fast[a]), move_away(&fast[b])];
            let bulk_aside = move_away(&cfg.classes[1].volumes[(a + b) % 2]);
            let store = Store::open(cfg.clone()).await.unwrap();
            assert!(!store.status().ready, "2 of 4 volumes cannot take writes");
            check_all(&store, &all).await;
            let err = put_in(&store, "bkt", "new", None, b"x", 1, PutOptions::default())
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::Unavailable(Unavailable::WriteQuorum { .. })),
                "{err:?}"
            );
            drop(store);
            std::fs::rename(&asides[0], &fast[a]).unwrap();
            std::fs::rename(&asides[1], &fast[b]).unwrap();
            std::fs::rename(&bulk_aside, &cfg.classes[1].volumes[(a + b) % 2]).unwrap();
        }
    }
    let store = Store::open(cfg).await.unwrap();
    assert!(store.status().ready);
    assert!(
        matches!(
            get(&store, "bkt", "new").await,
            Err(Error::Refused(Refusal::NoSuchKey { .. }))
        ),
        "the failed write left nothing"
    );
}

fn shard_files_of(volume: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let data = volume.join(format::STRATA_DIR).join("data");
    for fan in std::fs::read_dir(data).unwrap().flatten() {
        for f in std::fs::read_dir(fan.path()).unwrap().flatten() {
            out.push(f.path());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_small_objects_read_without_heal_reports() {
    // Small objects are read from a quorum of volumes only; the volumes not asked must not
    // be reported as missing their shard.
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let keys: Vec<String> = (0..32).map(|i| format!("small/{i}")).collect();
    for (i, key) in keys.iter().enumerate() {
        put(&store, "bkt", key, &content(i as u64, 1 + i * 97)).await;
    }
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(
            get(&store, "bkt", key).await.unwrap(),
            content(i as u64, 1 + i * 97)
        );
    }
    assert_eq!(store.take_heal_events(), vec![]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flipped_bytes_are_read_around_and_reported() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let store = Store::open(cfg.clone()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    let data = content(7, 3 * (1 << 20) + 17);
    put(&store, "bkt", "k", &data).await;
    for (i, vol) in cfg.classes[0].volumes.iter().enumerate() {
        let files = shard_files_of(vol);
        assert_eq!(files.len(), 1);
        let mut bytes = std::fs::read(&files[0]).unwrap();
        let at = 100 + i * 1000; // inside the first block's shard bytes
        bytes[at] ^= 0x5A;
        std::fs::write(&files[0], &bytes).unwrap();
        assert_eq!(get(&store, "bkt", "k").await.unwrap(), data);
        let events = store.take_heal_events();
        // Only data shards are read while they are good, so a flipped parity shard may go
        // unnoticed; a flipped data shard must be reported.
        assert!(
            events
                .iter()
                .all(|e| e.problem == ShardProblem::Corrupt && e.volume == *vol),
            "{events:?}"
        );
        bytes[at] ^= 0x5A;
        std::fs::write(&files[0], &bytes).unwrap();
    }
    // Corrupt two volumes' shards of a block: a 2+2 set still rebuilds it.
    let vols = &cfg.classes[0].volumes;
    for vol in &vols[..2] {
        let f = &shard_files_of(vol)[0];
        let mut bytes = std::fs::read(f).unwrap();
        bytes[20] ^= 1;
        std::fs::write(f, &bytes).unwrap();
    }
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), data);
    let reported: Vec<_> = store
        .take_heal_events()
        .into_iter()
        .map(|e| e.volume)
        .collect();
    assert!(
        reported.len() <= 2 && reported.iter().all(|v| vols[..2].contains(v)),
        "{reported:?}"
    );
    // A third corrupt copy is beyond repair: the read fails, it never returns wrong bytes.
    let f = &shard_files_of(&vols[2])[0];
    let mut bytes = std::fs::read(f).unwrap();
    bytes[20] ^= 1;
    std::fs::write(f, &bytes).unwrap();
    let mut r = store
        .open_object("bkt", "k", None)
        .await
        .unwrap()
        .read(None)
        .unwrap();
    use futures::StreamExt;
    let first = r.next().await.unwrap();
    assert!(
        matches!(
            first,
            Err(Error::Unavailable(Unavailable::ReadQuorum { .. }))
        ),
        "{first:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wiped_volume_still_reads_and_is_taken_back_as_a_replacement() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let store = Store::open(cfg.clone()).await.unwrap();
    let all = seed(&store).await;
    // Slots 0 and 2: every object's two data shards sit on adjacent slots, so each object
    // loses at least one data shard and must be rebuilt from parity.
    let vols = &cfg.classes[0].volumes;
    let hidden: Vec<PathBuf> = [&vols[0], &vols[2]]
        .into_iter()
        .flat_map(|v| shard_files_of(v))
        .collect();
    for f in &hidden {
        std::fs::rename(f, f.with_extension("hidden")).unwrap();
    }
    check_all(&store, &all).await;
    let events = store.take_heal_events();
    let files_per_class = SIZES.iter().filter(|s| **s > 128 * 1024).count();
    assert!(events.len() >= files_per_class, "{events:?}");
    assert!(
        events
            .iter()
            .all(|e| (e.volume == vols[0] || e.volume == vols[2])
                && e.problem == ShardProblem::Missing),
        "{events:?}"
    );
    drop(store);
    for f in &hidden {
        std::fs::rename(f.with_extension("hidden"), f).unwrap();
    }
    let wiped = &vols[1];
    // The whole volume is wiped (a new PV): it is formatted into the free slot.
    std::fs::remove_dir_all(wiped).unwrap();
    std::fs::create_dir(wiped).unwrap();
    let store = Store::open(cfg.clone()).await.unwrap();
    assert!(store.status().ready);
    assert_eq!(store.status().classes[0].online, 4);
    check_all(&store, &all).await;
    put(&store, "bkt", "after", b"written with the replacement").await;
    assert_eq!(
        get(&store, "bkt", "after").await.unwrap(),
        b"written with the replacement"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_volume_is_recognised_and_its_old_data_not_served() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    let vol = cfg.classes[0].volumes[2].clone();
    {
        let store = Store::open(cfg.clone()).await.unwrap();
        store.create_bucket("bkt", None).await.unwrap();
        put(&store, "bkt", "k", &content(1, 300_000)).await;
    }
    // The PV is detached and replaced by a blank one; the object is overwritten.
    let old = move_away(&vol);
    std::fs::create_dir(&vol).unwrap();
    {
        let store = Store::open(cfg.clone()).await.unwrap();
        put(&store, "bkt", "k", &content(2, 300_000)).await;
    }
    // The old PV comes back in place of its replacement.
    std::fs::remove_dir_all(&vol).unwrap();
    std::fs::rename(&old, &vol).unwrap();
    let store = Store::open(cfg.clone()).await.unwrap();
    let status = store.status();
    assert_eq!(status.classes[0].online, 3);
    assert_eq!(status.classes[0].refused.len(), 1);
    assert!(
        status.classes[0].refused[0].1.contains("stale"),
        "{:?}",
        status.classes[0].refused
    );
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), content(2, 300_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapped_volumes_are_found_by_identity_and_foreign_ones_refused() {
    let d = Dirs::new();
    let mut cfg = d.two_classes();
    let all = seed(&Store::open(cfg.clone()).await.unwrap()).await;
    // Mount points listed in another order: the format records put each volume in its slot.
    cfg.classes[0].volumes.reverse();
    let store = Store::open(cfg.clone()).await.unwrap();
    check_all(&store, &all).await;
    drop(store);
    // A volume of another deployment.
    let other = Dirs::new();
    let other_cfg = other.two_classes();
    Store::open(other_cfg.clone()).await.unwrap();
    let foreign = other_cfg.classes[0].volumes[0].clone();
    let mut mixed = cfg.clone();
    mixed.classes[0].volumes[3] = foreign;
    let store = Store::open(mixed).await.unwrap();
    let refused = &store.status().classes[0].refused;
    assert!(
        refused.len() == 1 && refused[0].1.contains("foreign"),
        "{refused:?}"
    );
    check_all(&store, &all).await;
    // A scheme change on formatted volumes is refused with a message that names it.
    let mut changed = cfg.clone();
    changed.classes[0].scheme = Some(Scheme::Erasure { data: 3, parity: 1 });
    let err = Store::open(changed).await.err().expect("refused");
    assert!(err.to_string().contains("formatted as 2+2"), "{err}");
}
