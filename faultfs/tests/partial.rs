//! Partial restores: the durable state plus a seeded part of what was in flight. They must
//! differ from strict ones (the mode is not a no-op), replay exactly from a seed, and only
//! ever produce states a real disk could leave.

mod common;

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::os::unix::fs::FileExt;

use common::{atomic_replace, tree, write, write_synced, Fixture};
use strata_faultfs::RestoreMode;

const BIG: usize = 64 * 1024;

type Snapshot = BTreeMap<String, Vec<u8>>;

fn snapshot(fx: &Fixture) -> Snapshot {
    tree(&fx.backing)
        .into_iter()
        .map(|p| {
            let data = if p.ends_with('/') {
                Vec::new()
            } else {
                fs::read(fx.backing_at(&p)).unwrap()
            };
            (p, data)
        })
        .collect()
}

/// Runs the workload on a fresh fixture, cuts, restores with `mode`.
fn run(mode: RestoreMode) -> Snapshot {
    let fx = Fixture::new();
    fs::write(fx.backing_at("big"), vec![b'a'; BIG]).unwrap();
    fs::write(fx.backing_at("moved"), b"m").unwrap();
    fs::write(fx.backing_at("kept"), b"k").unwrap();
    fs::create_dir(fx.backing_at("d")).unwrap();
    let fs_ = fx.mount();
    atomic_replace(&fx.mnt, "durable", b"D");
    let f = OpenOptions::new().write(true).open(fx.at("big")).unwrap();
    f.write_all_at(&vec![b'b'; BIG], 0).unwrap();
    drop(f);
    fs::rename(fx.at("moved"), fx.at("d/moved2")).unwrap();
    fs::remove_file(fx.at("kept")).unwrap();
    write(&fx.at("new1"), b"N1");
    fs::create_dir(fx.at("nd")).unwrap();
    write_synced(&fx.at("nd/f"), b"F");
    fs_.unmount_and_restore(mode).unwrap();
    snapshot(&fx)
}

fn assert_valid(s: &Snapshot, seed: u64) {
    let allowed = [
        "big", "d/", "d/moved2", "durable", "kept", "moved", "nd/", "nd/f", "new1",
    ];
    for name in s.keys() {
        assert!(
            allowed.contains(&name.as_str()),
            "seed {seed}: unexpected {name}"
        );
    }
    assert_eq!(
        s.get("durable").map(Vec::as_slice),
        Some(&b"D"[..]),
        "seed {seed}"
    );
    let big = s
        .get("big")
        .unwrap_or_else(|| panic!("seed {seed}: big lost"));
    assert_eq!(big.len(), BIG, "seed {seed}");
    for block in big.chunks(4096) {
        let old = block.iter().all(|&b| b == b'a');
        let new = block.iter().all(|&b| b == b'b');
        assert!(old || new, "seed {seed}: a block mixes old and new bytes");
    }
    let (old, new) = (s.contains_key("moved"), s.contains_key("d/moved2"));
    assert!(
        old != new,
        "seed {seed}: a rename must leave exactly one name"
    );
    for name in ["moved", "d/moved2"] {
        if let Some(v) = s.get(name) {
            assert_eq!(v, b"m", "seed {seed}");
        }
    }
    if let Some(v) = s.get("kept") {
        assert_eq!(v, b"k", "seed {seed}");
    }
    if let Some(v) = s.get("new1") {
        assert!(
            v.is_empty() || v == b"N1" || v == b"\0\0",
            "seed {seed}: new1 = {v:?}"
        );
    }
    if let Some(v) = s.get("nd/f") {
        assert!(s.contains_key("nd/"), "seed {seed}");
        assert_eq!(v, b"F", "seed {seed}: synced data under a late name");
    }
}

#[test]
fn partial_restores_differ_from_strict_and_are_always_valid() {
    let strict = run(RestoreMode::Strict);
    assert_valid(&strict, u64::MAX);
    assert_eq!(strict.get("big").unwrap(), &vec![b'a'; BIG]);
    assert!(strict.contains_key("moved") && strict.contains_key("kept"));
    let mut differing = 0;
    let mut mixed_blocks = 0;
    for seed in 0..24 {
        let s = run(RestoreMode::Partial { seed });
        assert_valid(&s, seed);
        if s != strict {
            differing += 1;
        }
        let big = &s["big"];
        if big.contains(&b'a') && big.contains(&b'b') {
            mixed_blocks += 1;
        }
    }
    assert!(
        differing >= 12,
        "only {differing} of 24 partial states differ from strict"
    );
    assert!(
        mixed_blocks > 0,
        "no seed gave a file mixing old and new blocks"
    );
}

#[test]
fn a_partial_restore_replays_exactly_from_its_seed() {
    let a = run(RestoreMode::Partial { seed: 42 });
    let b = run(RestoreMode::Partial { seed: 42 });
    assert_eq!(a, b);
}
