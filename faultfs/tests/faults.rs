//! Injected faults: a full disk, failing reads and fsyncs, a vanished disk, a slow disk.
//! Each can be set and cleared while the filesystem runs.

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{read, sync_dir, write, write_synced, Fixture};
use strata_faultfs::{PathMatcher, RestoreMode};

fn errno<T: std::fmt::Debug>(r: std::io::Result<T>) -> Option<i32> {
    r.expect_err("expected an error").raw_os_error()
}

#[test]
fn enospc_after_a_byte_budget_then_space_comes_back() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    write(&fx.at("victim"), b"to be deleted while full");
    fs_.enospc_after(Some(100_000));
    let mut f = File::create(fx.at("fill")).unwrap();
    f.write_all(&[1u8; 65_536]).unwrap();
    let r = f.write_all(&[2u8; 65_536]);
    assert_eq!(errno(r), Some(libc::ENOSPC));
    // The part that fitted was written: the budget is spent exactly.
    assert_eq!(fs::metadata(fx.at("fill")).unwrap().len(), 100_000);
    let st = rustix::fs::statvfs(&fx.mnt).unwrap();
    assert_eq!(st.f_bavail, 0, "statvfs must show a full disk");
    assert_eq!(errno(File::create(fx.at("new"))), Some(libc::ENOSPC));
    assert_eq!(errno(fs::create_dir(fx.at("dir"))), Some(libc::ENOSPC));
    // Deleting still works while full.
    fs::remove_file(fx.at("victim")).unwrap();

    fs_.enospc_after(Some(1 << 20));
    let st = rustix::fs::statvfs(&fx.mnt).unwrap();
    assert!(
        st.f_bavail * st.f_frsize <= 1 << 20,
        "free space is capped by the budget"
    );
    assert!(st.f_bavail > 0);

    fs_.enospc_after(None);
    f.write_all(&[3u8; 65_536]).unwrap();
    write(&fx.at("new"), b"space is back");
    fs::create_dir(fx.at("dir")).unwrap();
    assert_eq!(read(&fx.at("new")).unwrap(), b"space is back");
}

#[test]
fn reads_of_matching_files_fail_with_eio_until_cleared() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs::create_dir(fx.at("vol")).unwrap();
    write(&fx.at("vol/a.shard"), b"shard bytes");
    write(&fx.at("vol/a.meta"), b"meta bytes");
    fs_.fail_reads(Some(PathMatcher::glob("vol/*.shard")));
    assert_eq!(errno(fs::read(fx.at("vol/a.shard"))), Some(libc::EIO));
    assert_eq!(read(&fx.at("vol/a.meta")).unwrap(), b"meta bytes");
    // Stat and listing still work: only data reads fail.
    assert_eq!(fs::metadata(fx.at("vol/a.shard")).unwrap().len(), 11);
    fs_.fail_reads(None);
    assert_eq!(read(&fx.at("vol/a.shard")).unwrap(), b"shard bytes");
}

#[test]
fn fsync_of_matching_files_fails_with_eio_and_makes_nothing_durable() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs_.fail_fsync(Some(PathMatcher::contains("wal")));
    let mut wal = File::create(fx.at("db.wal")).unwrap();
    wal.write_all(b"log record").unwrap();
    assert_eq!(errno(wal.sync_all()), Some(libc::EIO));
    write_synced(&fx.at("other"), b"fine");
    sync_dir(&fx.mnt);
    fs::create_dir(fx.at("waldir")).unwrap();
    assert_eq!(
        errno(File::open(fx.at("waldir")).unwrap().sync_all()),
        Some(libc::EIO)
    );
    drop(wal);
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    // The names were synced with the root; the wal's data never was.
    assert_eq!(read(&fx.backing_at("db.wal")).unwrap(), b"");
    assert_eq!(read(&fx.backing_at("other")).unwrap(), b"fine");
}

#[test]
fn fsync_works_again_once_cleared() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs_.fail_fsync(Some(PathMatcher::all()));
    let mut f = File::create(fx.at("f")).unwrap();
    f.write_all(b"x").unwrap();
    assert_eq!(errno(f.sync_all()), Some(libc::EIO));
    fs_.fail_fsync(None);
    f.sync_all().unwrap();
    sync_dir(&fx.mnt);
    drop(f);
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(read(&fx.backing_at("f")).unwrap(), b"x");
}

#[test]
fn a_vanished_disk_fails_everything_and_comes_back_intact() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs::create_dir(fx.at("vol")).unwrap();
    write(&fx.at("vol/obj"), b"still here");
    let mut open = OpenOptions::new()
        .read(true)
        .write(true)
        .open(fx.at("vol/obj"))
        .unwrap();
    fs_.vanish(true);
    // Lookups: ENOENT. Everything else: EIO.
    assert_eq!(errno(fs::metadata(fx.at("vol"))), Some(libc::ENOENT));
    assert_eq!(errno(fs::metadata(fx.at("vol/obj"))), Some(libc::ENOENT));
    assert_eq!(
        errno(fs::read_dir(&fx.mnt).and_then(|mut d| d.next().transpose())),
        Some(libc::EIO)
    );
    assert_eq!(errno(open.write_all(b"x")), Some(libc::EIO));
    let mut buf = Vec::new();
    assert_eq!(errno(open.read_to_end(&mut buf)), Some(libc::EIO));
    // The lookup finds nothing, then the create itself fails.
    assert_eq!(errno(File::create(fx.at("new"))), Some(libc::EIO));
    fs_.vanish(false);
    assert_eq!(read(&fx.at("vol/obj")).unwrap(), b"still here");
    open.write_all(b"S").unwrap();
    assert_eq!(read(&fx.at("vol/obj")).unwrap(), b"Still here");
}

#[test]
fn a_delay_slows_operations_without_breaking_them() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs_.delay(Duration::from_millis(5));
    let t = Instant::now();
    write_synced(&fx.at("slow"), b"eventually");
    assert_eq!(read(&fx.at("slow")).unwrap(), b"eventually");
    let slow = t.elapsed();
    fs_.delay(Duration::ZERO);
    let t = Instant::now();
    write_synced(&fx.at("fast"), b"at once");
    // Timing is not asserted (shared machines); the log shows it took effect.
    eprintln!("with delay: {slow:?}, without: {:?}", t.elapsed());
    assert_eq!(read(&fx.at("fast")).unwrap(), b"at once");
}

#[test]
fn faults_can_be_set_from_another_thread() {
    fn shareable<T: Send + Sync>() {}
    shareable::<strata_faultfs::FaultFs>();
    shareable::<strata_faultfs::Controller>();
    let fx = Fixture::new();
    let fs_ = fx.mount();
    let ctl = fs_.controller();
    std::thread::spawn(move || ctl.vanish(true)).join().unwrap();
    assert_eq!(
        errno(fs::read_dir(&fx.mnt).and_then(|mut d| d.next().transpose())),
        Some(libc::EIO)
    );
    fs_.vanish(false);
    assert!(fs::read_dir(&fx.mnt).is_ok());
}

#[test]
fn fallocate_beyond_the_budget_fails_whole_and_takes_nothing() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    let f = File::create(fx.at("pre")).unwrap();
    fs_.enospc_after(Some(50_000));
    let flags = rustix::fs::FallocateFlags::empty();
    let r = rustix::fs::fallocate(&f, flags, 0, 1 << 20);
    assert_eq!(r, Err(rustix::io::Errno::NOSPC));
    rustix::fs::fallocate(&f, flags, 0, 40_000).unwrap();
    assert_eq!(f.metadata().unwrap().len(), 40_000);
}
