//! The live view is a plain passthrough: what is written is read back, byte for byte, and
//! the calls strata and redb make (pwrite, O_DIRECT, fsync, flock, set_len, fallocate,
//! statvfs, renameat2, links) all work.

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};

use common::{pattern, read, tree, write, Fixture};

#[test]
fn files_dirs_renames_and_unlinks_show_through_to_the_backing_directory() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs::create_dir_all(fx.at("a/b/c")).unwrap();
    write(&fx.at("a/b/c/one"), b"hello");
    write(&fx.at("a/two"), b"world");
    fs::rename(fx.at("a/two"), fx.at("a/b/three")).unwrap();
    write(&fx.at("gone"), b"x");
    fs::remove_file(fx.at("gone")).unwrap();
    fs::create_dir(fx.at("empty")).unwrap();
    fs::remove_dir(fx.at("empty")).unwrap();
    assert_eq!(read(&fx.at("a/b/c/one")).unwrap(), b"hello");
    assert_eq!(read(&fx.at("a/b/three")).unwrap(), b"world");
    assert!(fx.at("a/two").symlink_metadata().is_err());
    let expected = vec!["a/", "a/b/", "a/b/c/", "a/b/c/one", "a/b/three"];
    assert_eq!(tree(&fx.mnt), expected);
    assert_eq!(tree(&fx.backing), expected);
    assert_eq!(
        fs::remove_dir(fx.at("a")).unwrap_err().raw_os_error(),
        Some(libc::ENOTEMPTY)
    );
    fs_.unmount().unwrap();
    assert_eq!(read(&fx.backing_at("a/b/three")).unwrap(), b"world");
}

#[test]
fn an_existing_backing_tree_is_visible_and_unmount_leaves_the_live_state() {
    let fx = Fixture::new();
    fs::create_dir_all(fx.backing_at("d/e")).unwrap();
    fs::write(fx.backing_at("d/e/f"), b"before").unwrap();
    let fs_ = fx.mount();
    assert_eq!(read(&fx.at("d/e/f")).unwrap(), b"before");
    write(&fx.at("d/e/f"), b"after, not synced");
    fs_.unmount().unwrap();
    assert_eq!(read(&fx.backing_at("d/e/f")).unwrap(), b"after, not synced");
}

#[test]
fn large_writes_and_reads_round_trip_byte_exact() {
    let fx = Fixture::new();
    let _fs = fx.mount();
    let data = pattern(24 << 20, 7);
    let mut f = File::create(fx.at("big")).unwrap();
    for chunk in data.chunks(3 << 20) {
        f.write_all(chunk).unwrap();
    }
    f.sync_all().unwrap();
    drop(f);
    // Overwrite an unaligned range in place with pwrite.
    let patch = pattern(777_777, 9);
    let f = OpenOptions::new().write(true).open(fx.at("big")).unwrap();
    f.write_all_at(&patch, 5_000_001).unwrap();
    drop(f);
    let mut expected = data;
    expected[5_000_001..5_000_001 + patch.len()].copy_from_slice(&patch);
    let mut got = Vec::new();
    File::open(fx.at("big"))
        .unwrap()
        .read_to_end(&mut got)
        .unwrap();
    assert!(got == expected, "read back differs from what was written");
    assert!(fs::read(fx.backing_at("big")).unwrap() == expected);
}

#[test]
fn o_direct_opens_work() {
    let fx = Fixture::new();
    let _fs = fx.mount();
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_DIRECT)
        .open(fx.at("direct"))
        .expect("O_DIRECT open through the mount");
    let block = pattern(1 << 16, 3);
    f.write_all_at(&block, 0).unwrap();
    f.sync_data().unwrap();
    let mut back = vec![0u8; block.len()];
    f.read_exact_at(&mut back, 0).unwrap();
    assert!(back == block);
}

#[test]
fn set_len_fallocate_flock_statvfs_times_and_modes_work() {
    let fx = Fixture::new();
    let _fs = fx.mount();
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(fx.at("f"))
        .unwrap();
    f.set_len(10_000).unwrap();
    assert_eq!(f.metadata().unwrap().len(), 10_000);
    f.set_len(100).unwrap();
    assert_eq!(fs::metadata(fx.at("f")).unwrap().len(), 100);
    rustix::fs::fallocate(&f, rustix::fs::FallocateFlags::empty(), 0, 1 << 20).unwrap();
    assert_eq!(f.metadata().unwrap().len(), 1 << 20);
    rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive).unwrap();
    let other = File::open(fx.at("f")).unwrap();
    let busy = rustix::fs::flock(&other, rustix::fs::FlockOperation::NonBlockingLockExclusive);
    assert_eq!(busy, Err(rustix::io::Errno::WOULDBLOCK));
    rustix::fs::flock(&f, rustix::fs::FlockOperation::Unlock).unwrap();
    f.sync_data().unwrap();
    let st = rustix::fs::statvfs(&fx.mnt).unwrap();
    assert!(st.f_blocks > 0 && st.f_bavail > 0);
    fs::set_permissions(fx.at("f"), fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(fs::metadata(fx.at("f")).unwrap().mode() & 0o777, 0o600);
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    f.set_modified(t).unwrap();
    assert_eq!(fs::metadata(fx.at("f")).unwrap().mtime(), 1_000_000);
    assert!(rustix::fs::access(fx.at("f"), rustix::fs::Access::READ_OK).is_ok());
}

#[test]
fn hard_links_symlinks_and_rename_noreplace_work() {
    let fx = Fixture::new();
    let _fs = fx.mount();
    write(&fx.at("a"), b"same inode");
    fs::hard_link(fx.at("a"), fx.at("b")).unwrap();
    assert_eq!(
        fs::metadata(fx.at("a")).unwrap().ino(),
        fs::metadata(fx.at("b")).unwrap().ino()
    );
    std::os::unix::fs::symlink("a", fx.at("s")).unwrap();
    assert_eq!(fs::read_link(fx.at("s")).unwrap().to_str(), Some("a"));
    assert_eq!(read(&fx.at("s")).unwrap(), b"same inode");
    write(&fx.at("c"), b"c");
    let cwd = rustix::fs::CWD;
    let noreplace = rustix::fs::RenameFlags::NOREPLACE;
    let taken = rustix::fs::renameat_with(cwd, fx.at("c"), cwd, fx.at("a"), noreplace);
    assert_eq!(taken, Err(rustix::io::Errno::EXIST));
    rustix::fs::renameat_with(cwd, fx.at("c"), cwd, fx.at("d"), noreplace).unwrap();
    let exchange = rustix::fs::RenameFlags::EXCHANGE;
    let refused = rustix::fs::renameat_with(cwd, fx.at("d"), cwd, fx.at("a"), exchange);
    assert_eq!(refused, Err(rustix::io::Errno::INVAL));
    // Renaming one name of a file over its other name is a no-op.
    fs::rename(fx.at("a"), fx.at("b")).unwrap();
    assert_eq!(tree(&fx.mnt), vec!["a", "b", "d", "s"]);
}

#[test]
fn a_redb_database_is_created_committed_and_reopened_through_the_mount() {
    use redb::{Database, ReadableDatabase, ReadableTableMetadata, TableDefinition};
    const T: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("t");
    let fx = Fixture::new();
    let path = fx.at("meta/index.redb");
    {
        let _fs = fx.mount();
        fs::create_dir(fx.at("meta")).unwrap();
        let db = Database::create(&path).expect("create redb through the mount");
        for round in 0..5u64 {
            let txn = db.begin_write().unwrap();
            {
                let mut t = txn.open_table(T).unwrap();
                for k in 0..200u64 {
                    let v = pattern(100 + (k as usize % 50), (round + k) as u8);
                    t.insert(round * 1000 + k, v.as_slice()).unwrap();
                }
            }
            txn.commit().unwrap();
        }
        drop(db);
        let db = Database::open(&path).expect("reopen through the mount");
        let txn = db.begin_read().unwrap();
        let t = txn.open_table(T).unwrap();
        assert_eq!(
            t.get(4199).unwrap().unwrap().value(),
            pattern(149, 203).as_slice()
        );
    }
    // Mounted again over what the first mount left.
    let _fs = fx.mount();
    let db = Database::open(&path).unwrap();
    let txn = db.begin_read().unwrap();
    let t = txn.open_table(T).unwrap();
    assert_eq!(t.len().unwrap(), 1000);
}

#[test]
fn large_writes_reach_the_filesystem_in_requests_of_up_to_one_mib() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    let mut f = File::create(fx.at("big")).unwrap();
    let before = fs_.ops();
    f.write_all(&pattern(8 << 20, 1)).unwrap();
    let writes = fs_.ops() - before;
    eprintln!("8 MiB took {writes} write requests");
    assert!(
        writes <= 16,
        "8 MiB took {writes} write requests: max_write is not 1 MiB"
    );
}

#[test]
fn many_threads_writing_and_syncing_at_once_round_trip() {
    let fx = Fixture::new();
    let _fs = fx.mount();
    fs::create_dir(fx.at("shards")).unwrap();
    std::thread::scope(|s| {
        for t in 0..8u8 {
            let path = fx.at(&format!("shards/{t}"));
            s.spawn(move || {
                let data = pattern(3 << 20, t);
                let mut f = File::create(&path).unwrap();
                for chunk in data.chunks(100_000) {
                    f.write_all(chunk).unwrap();
                }
                f.sync_all().unwrap();
                drop(f);
                assert!(
                    fs::read(&path).unwrap() == data,
                    "thread {t} read back other bytes"
                );
            });
        }
    });
    assert_eq!(fs::read_dir(fx.at("shards")).unwrap().count(), 8);
}
