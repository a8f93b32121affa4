//! The harness itself: a layout names its directories, a server that dies before it is ready
//! fails the test with its exit status and output, and a dropped server's process is gone.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use strata_tests::*;

#[test]
fn a_layout_makes_one_directory_per_volume_and_names_each_class() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let settings = Layout::fast_2x2_bulk_mirror().create(root);
    let d = |name: &str| root.join(name).display().to_string();
    assert_eq!(
        settings.volumes,
        format!(
            "fast={},{},{},{};bulk={},{}",
            d("fast0"),
            d("fast1"),
            d("fast2"),
            d("fast3"),
            d("bulk0"),
            d("bulk1")
        )
    );
    assert_eq!(settings.erasure, "fast=2+2;bulk=mirror");
    for name in ["fast0", "fast1", "fast2", "fast3", "bulk0", "bulk1"] {
        assert!(root.join(name).is_dir(), "{name} was not made");
    }
}

#[test]
fn a_server_that_exits_before_it_is_ready_fails_with_its_status_and_output() {
    let started = catch_unwind(AssertUnwindSafe(|| {
        Server::builder()
            .binary("/bin/sh")
            .exactly(
                vec!["-c".into(), "echo cannot-serve >&2; exit 3".into()],
                Vec::new(),
                free_port(),
            )
            .start()
    }));
    let panic = started
        .err()
        .expect("a dead server must not count as started");
    let message = panic
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("exit status: 3"), "{message}");
    assert!(message.contains("cannot-serve"), "{message}");
}

#[test]
fn a_ready_server_answers_and_its_process_is_gone_after_drop() {
    let server = Server::builder()
        .credentials(Credentials::new("harness-key", "harness-secret-key"))
        .start();
    let reply = server.request("PUT", "/harness-bucket", b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let proc_dir = format!("/proc/{}", server.pid());
    assert!(Path::new(&proc_dir).exists());
    drop(server);
    assert!(!Path::new(&proc_dir).exists(), "{proc_dir} is still there");
}
