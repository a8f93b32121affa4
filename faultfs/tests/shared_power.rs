//! Mounts on one power supply: one count of mutating operations, one cut for all.

mod common;

use std::fs;

use common::{read, sync_dir, tree, write_synced, Fixture};
use strata_faultfs::{FaultFs, MountOptions, PowerSupply, RestoreMode};

fn mount_on(fx: &Fixture, power: &PowerSupply) -> FaultFs {
    let opts = MountOptions {
        power: Some(power.clone()),
        ..MountOptions::default()
    };
    FaultFs::mount(&fx.backing, &fx.mnt, opts).expect("mount")
}

#[test]
fn mounts_on_one_supply_count_together_and_lose_power_together() {
    let (a, b) = (Fixture::new(), Fixture::new());
    let power = PowerSupply::new();
    let (fa, fb) = (mount_on(&a, &power), mount_on(&b, &power));
    // create + write + fsync, then fsyncdir: four mutating operations per durable file.
    write_synced(&a.at("one"), b"on a");
    sync_dir(&a.mnt);
    assert_eq!((fa.ops(), fb.ops(), power.ops()), (4, 4, 4));
    write_synced(&b.at("two"), b"on b");
    sync_dir(&b.mnt);
    assert_eq!(fa.ops(), 8);

    // The cut is armed through one mount and strikes on the other.
    fa.arm_power_cut(4);
    write_synced(&b.at("three"), b"on b, durable");
    sync_dir(&b.mnt);
    assert!(!power.is_cut());
    assert!(fs::write(b.at("four"), b"too late").is_err());
    assert!(fa.is_cut() && fb.is_cut());
    // Mount a lost power at the same instant, though nothing struck there.
    assert!(fs::write(a.at("five"), b"too late").is_err());
    assert!(
        fs::read(a.at("one")).is_err(),
        "reads fail once power is gone"
    );

    fa.unmount_and_restore(RestoreMode::Strict).unwrap();
    fb.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(tree(&a.backing), vec!["one"]);
    assert_eq!(tree(&b.backing), vec!["three", "two"]);
    assert_eq!(read(&b.backing_at("three")).unwrap(), b"on b, durable");
}

#[test]
fn a_mount_without_a_supply_has_its_own() {
    let (a, b) = (Fixture::new(), Fixture::new());
    let (fa, fb) = (a.mount(), b.mount());
    fa.cut_power_now();
    write_synced(&b.at("still"), b"powered");
    assert_eq!(fa.ops(), 0);
    assert!(!fb.is_cut());
    assert!(fs::write(a.at("x"), b"x").is_err());
}
