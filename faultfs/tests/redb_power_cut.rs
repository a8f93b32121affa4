//! redb on the mount through power cuts at every point of a run of commits: after a strict
//! or partial restore the database opens and holds every commit that returned, plus at
//! most the one in flight.

mod common;

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::Fixture;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use strata_faultfs::RestoreMode;

const T: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("objects");
const COMMITS: u64 = 6;

fn commit(db: &Database, i: u64) -> Result<(), redb::Error> {
    let txn = db.begin_write()?;
    {
        let mut t = txn.open_table(T)?;
        t.insert(i, vec![i as u8; 3000 + i as usize * 500].as_slice())?;
    }
    txn.commit()?;
    Ok(())
}

/// Creates the database durably, then commits until one fails. Returns the commits that
/// returned Ok and the mutating operations counted after each of them.
fn workload(fx: &Fixture, fs_: &strata_faultfs::FaultFs) -> (u64, Vec<u64>) {
    let path = fx.at("index.redb");
    let mut after = Vec::new();
    let mut done = 0;
    // redb may panic or fail in drop once the disk is gone: that is the process dying.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let Ok(db) = Database::create(&path) else {
            return;
        };
        if std::fs::File::open(&fx.mnt)
            .and_then(|d| d.sync_all())
            .is_err()
        {
            return;
        }
        after.push(fs_.ops());
        for i in 0..COMMITS {
            if commit(&db, i).is_err() {
                return;
            }
            done += 1;
            after.push(fs_.ops());
        }
    }));
    (done, after)
}

fn keys_after_restore(fx: &Fixture) -> Option<BTreeSet<u64>> {
    let _fs = fx.mount();
    let path = fx.at("index.redb");
    if !path.exists() {
        return None;
    }
    let db = Database::open(&path).expect("redb opens after the cut");
    let txn = db.begin_read().unwrap();
    let Ok(t) = txn.open_table(T) else {
        return Some(BTreeSet::new());
    };
    let keys = t.iter().unwrap().map(|r| r.unwrap().0.value()).collect();
    Some(keys)
}

fn cut_everywhere(mode: impl Fn(u64) -> RestoreMode) {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    let (done, after) = workload(&fx, &fs_);
    assert_eq!(done, COMMITS);
    drop(fs_);
    let created = after[0];
    let total = *after.last().unwrap();

    let mut survivors = Vec::new();
    for cut in created..=total {
        let fx = Fixture::new();
        let fs_ = fx.mount();
        fs_.arm_power_cut(cut);
        let (done, _) = workload(&fx, &fs_);
        fs_.unmount_and_restore(mode(cut)).unwrap();
        let keys = keys_after_restore(&fx).unwrap_or_else(|| panic!("cut {cut}: db file lost"));
        let committed: BTreeSet<u64> = (0..done).collect();
        assert!(
            keys.is_superset(&committed),
            "cut {cut}: lost a commit: {keys:?} < {done}"
        );
        assert!(
            keys.len() as u64 <= done + 1,
            "cut {cut}: {keys:?} after {done} commits"
        );
        assert_eq!(
            keys,
            (0..keys.len() as u64).collect(),
            "cut {cut}: not a prefix"
        );
        survivors.push(keys.len());
    }
    eprintln!(
        "{} cut points, commits left per cut: {survivors:?}",
        total - created + 1
    );
    assert!(survivors.contains(&0) && survivors.contains(&(COMMITS as usize)));
}

#[test]
fn redb_keeps_every_returned_commit_through_strict_power_cuts() {
    cut_everywhere(|_| RestoreMode::Strict);
}

#[test]
fn redb_keeps_every_returned_commit_through_partial_power_cuts() {
    cut_everywhere(|cut| RestoreMode::Partial { seed: cut });
}
