//! Strict power cuts: after a restore the backing directory holds exactly what was durable
//! (file data once the file is fsynced, a name once its directory is fsynced).

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::Write;

use common::{atomic_replace, read, sync_dir, tree, write, write_synced, Fixture};
use strata_faultfs::RestoreMode;

#[test]
fn a_write_that_was_not_fsynced_is_lost() {
    let fx = Fixture::new();
    fs::write(fx.backing_at("old"), b"old content").unwrap();
    let fs_ = fx.mount();
    write(&fx.at("old"), b"new content, never synced");
    write(&fx.at("fresh"), b"never synced either");
    sync_dir(&fx.mnt); // the name "fresh" is durable, its data is not
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(read(&fx.backing_at("old")).unwrap(), b"old content");
    assert_eq!(read(&fx.backing_at("fresh")).unwrap(), b"");
}

#[test]
fn a_synced_file_whose_name_was_not_synced_is_gone() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    write_synced(&fx.at("orphan"), b"data is durable, the name is not");
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(tree(&fx.backing), Vec::<String>::new());
}

#[test]
fn an_unsynced_unlink_and_rename_are_undone() {
    let fx = Fixture::new();
    fs::write(fx.backing_at("kept"), b"k").unwrap();
    fs::write(fx.backing_at("moved"), b"m").unwrap();
    let fs_ = fx.mount();
    fs::remove_file(fx.at("kept")).unwrap();
    fs::rename(fx.at("moved"), fx.at("elsewhere")).unwrap();
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(tree(&fx.backing), vec!["kept", "moved"]);
    assert_eq!(read(&fx.backing_at("kept")).unwrap(), b"k");
    assert_eq!(read(&fx.backing_at("moved")).unwrap(), b"m");
}

#[test]
fn a_rename_over_an_old_name_without_fsyncdir_keeps_the_old_content() {
    let fx = Fixture::new();
    fs::write(fx.backing_at("final"), b"v1").unwrap();
    let fs_ = fx.mount();
    write_synced(&fx.at("final.tmp"), b"v2");
    fs::rename(fx.at("final.tmp"), fx.at("final")).unwrap();
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(tree(&fx.backing), vec!["final"]);
    assert_eq!(read(&fx.backing_at("final")).unwrap(), b"v1");
}

#[test]
fn tmp_write_fsync_rename_fsyncdir_survives_with_the_new_content() {
    let fx = Fixture::new();
    fs::write(fx.backing_at("final"), b"v1").unwrap();
    let fs_ = fx.mount();
    atomic_replace(&fx.mnt, "final", b"v2");
    // Changed again afterwards, without any sync: not durable.
    write(&fx.at("final"), b"v3");
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(tree(&fx.backing), vec!["final"]);
    assert_eq!(read(&fx.backing_at("final")).unwrap(), b"v2");

    // And the survivor is what the next mount sees.
    let _fs = fx.mount();
    assert_eq!(read(&fx.at("final")).unwrap(), b"v2");
}

#[test]
fn a_new_directory_needs_its_parent_synced_too() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs::create_dir_all(fx.at("vol/objects")).unwrap();
    sync_dir(&fx.at("vol"));
    atomic_replace(&fx.at("vol/objects"), "obj", b"payload");
    // The root was never synced: "vol" itself is not durable, nor anything below it.
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(tree(&fx.backing), Vec::<String>::new());

    let fs_ = fx.mount();
    fs::create_dir_all(fx.at("vol/objects")).unwrap();
    sync_dir(&fx.at("vol"));
    sync_dir(&fx.mnt);
    atomic_replace(&fx.at("vol/objects"), "obj", b"payload");
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(
        tree(&fx.backing),
        vec!["vol/", "vol/objects/", "vol/objects/obj"]
    );
    assert_eq!(read(&fx.backing_at("vol/objects/obj")).unwrap(), b"payload");
}

#[test]
fn only_synced_dirty_ranges_of_a_file_are_durable() {
    let fx = Fixture::new();
    fs::write(fx.backing_at("f"), vec![b'a'; 10_000]).unwrap();
    let fs_ = fx.mount();
    let mut f = OpenOptions::new().write(true).open(fx.at("f")).unwrap();
    use std::os::unix::fs::FileExt;
    f.write_all_at(&[b'b'; 100], 1000).unwrap();
    f.sync_data().unwrap();
    f.write_all_at(&[b'c'; 100], 5000).unwrap();
    f.set_len(8000).unwrap();
    f.flush().unwrap();
    drop(f);
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    let got = read(&fx.backing_at("f")).unwrap();
    let mut expected = vec![b'a'; 10_000];
    expected[1000..1100].fill(b'b');
    assert!(got == expected, "durable bytes differ");
}

#[test]
fn a_file_unlinked_while_open_keeps_its_durable_name_until_the_dir_is_synced() {
    let fx = Fixture::new();
    fs::write(fx.backing_at("f"), b"at mount").unwrap();
    let fs_ = fx.mount();
    let mut f = OpenOptions::new().write(true).open(fx.at("f")).unwrap();
    fs::remove_file(fx.at("f")).unwrap();
    f.write_all(b"AT").unwrap();
    f.sync_all().unwrap(); // durable data of a file whose only durable name is still "f"
    drop(f);
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(read(&fx.backing_at("f")).unwrap(), b"AT mount");
}

#[test]
fn the_operation_after_the_armed_count_fails_with_eio_and_nothing_later_is_durable() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    fs::create_dir(fx.at("before")).unwrap();
    sync_dir(&fx.mnt);
    fs_.arm_power_cut(3);
    let start = fs_.ops();
    fs::create_dir(fx.at("one")).unwrap();
    fs::create_dir(fx.at("two")).unwrap();
    fs::create_dir(fx.at("three")).unwrap();
    assert_eq!(fs_.ops(), start + 3);
    assert!(!fs_.is_cut());
    let err = fs::create_dir(fx.at("four")).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EIO));
    assert!(fs_.is_cut());
    // Everything fails from now on, reads and syncs included.
    assert_eq!(
        File::open(&fx.mnt)
            .and_then(|d| d.sync_all())
            .unwrap_err()
            .raw_os_error(),
        Some(libc::EIO)
    );
    assert!(fs::read_dir(&fx.mnt).is_err());
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(tree(&fx.backing), vec!["before/"]);
}

/// One step of a workload: replace `obj-<i>` atomically.
fn step(fx: &Fixture, i: usize) -> std::io::Result<()> {
    let tmp = fx.at(&format!("obj-{i}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(format!("object {i}").as_bytes())?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, fx.at(&format!("obj-{i}")))?;
    File::open(&fx.mnt)?.sync_all()
}

#[test]
fn a_cut_in_the_middle_of_a_sequence_leaves_exactly_the_durable_prefix() {
    const STEPS: usize = 6;
    // First run: count the mutating operations after each step.
    let fx = Fixture::new();
    let fs_ = fx.mount();
    let mut after = Vec::new();
    for i in 0..STEPS {
        step(&fx, i).unwrap();
        after.push(fs_.ops());
    }
    drop(fs_);

    for cut in 0..=after[STEPS - 1] {
        let fx = Fixture::new();
        let fs_ = fx.mount();
        fs_.arm_power_cut(cut);
        let mut failed = false;
        for i in 0..STEPS {
            if let Err(e) = step(&fx, i) {
                assert_eq!(e.raw_os_error(), Some(libc::EIO), "cut at {cut}");
                failed = true;
                break;
            }
        }
        assert_eq!(failed, cut < after[STEPS - 1], "cut at {cut}");
        fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
        let done = after.iter().filter(|&&n| n <= cut).count();
        let mut expected: Vec<String> = (0..done).map(|i| format!("obj-{i}")).collect();
        expected.sort();
        assert_eq!(tree(&fx.backing), expected, "cut at {cut}");
        for i in 0..done {
            let got = read(&fx.backing_at(&format!("obj-{i}"))).unwrap();
            assert_eq!(got, format!("object {i}").as_bytes(), "cut at {cut}");
        }
    }
}

#[test]
fn a_restore_works_while_files_are_still_held_open() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    atomic_replace(&fx.mnt, "synced", b"s");
    let mut held = File::create(fx.at("held")).unwrap();
    held.write_all(b"never synced").unwrap();
    let t = std::time::Instant::now();
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "lazy unmount must not wait"
    );
    assert_eq!(tree(&fx.backing), vec!["synced"]);
    // The process "dies": its files fail, then close.
    assert!(held
        .write_all(b"more")
        .and_then(|()| held.sync_all())
        .is_err());
    drop(held);
    let _fs = fx.mount();
    assert_eq!(read(&fx.at("synced")).unwrap(), b"s");
}

#[test]
fn a_child_process_killed_after_the_cut_leaves_its_last_durable_replace() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    // The child replaces `counter` atomically forever: write tmp, fsync it, rename, fsync dir.
    let script = "i=0; while :; do i=$((i+1)); echo $i > counter.tmp && sync counter.tmp \
                  && mv counter.tmp counter && sync . || exit 1; done";
    let mut child = std::process::Command::new("sh")
        .args(["-c", script])
        .current_dir(&fx.mnt)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn sh");
    while fs_.ops() < 200 {
        // The script only stops on an error: then it never reaches 200 operations.
        let exited = child.try_wait().expect("poll the child");
        assert!(exited.is_none(), "the writer stopped early: {exited:?}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    fs_.cut_power_now();
    let _ = child.kill();
    let _ = child.wait();
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    let names = tree(&fx.backing);
    assert!(names == vec!["counter"], "left {names:?}");
    let n: u64 = String::from_utf8(read(&fx.backing_at("counter")).unwrap())
        .unwrap()
        .trim()
        .parse()
        .expect("a whole number, never a torn or empty file");
    assert!(n >= 10, "only {n} replaces in 200 operations");
}

#[test]
fn a_write_through_an_o_dsync_handle_is_durable_when_it_returns() {
    use std::os::unix::fs::OpenOptionsExt;
    let fx = Fixture::new();
    fs::write(fx.backing_at("log"), b"").unwrap();
    let fs_ = fx.mount();
    let mut f = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_DSYNC)
        .open(fx.at("log"))
        .unwrap();
    f.write_all(b"record 1\n").unwrap();
    fs_.cut_power_now();
    assert!(f.write_all(b"record 2\n").is_err());
    drop(f);
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(read(&fx.backing_at("log")).unwrap(), b"record 1\n");
}

#[test]
fn a_restore_works_after_the_mount_was_removed_from_outside() {
    let fx = Fixture::new();
    let fs_ = fx.mount();
    atomic_replace(&fx.mnt, "f", b"durable");
    write(&fx.at("g"), b"not");
    let status = std::process::Command::new("fusermount3")
        .arg("-u")
        .arg(&fx.mnt)
        .status()
        .expect("fusermount3");
    assert!(status.success());
    fs_.unmount_and_restore(RestoreMode::Strict).unwrap();
    assert_eq!(tree(&fx.backing), vec!["f"]);
}
