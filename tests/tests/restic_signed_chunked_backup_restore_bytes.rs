//! restic 0.14 (minio-go, signed aws-chunked uploads): init, backup a directory, check,
//! restore, and compare every file byte-for-byte.

use std::process::Command;
use strata_tests::*;

#[test]
fn restic_backup_restores_identical_files() {
    let tool = required_tool("restic");
    let server = Server::start();
    let w = tempfile::tempdir().unwrap();
    let w = w.path();
    create_bucket_with_aws_cli(&server, "restic");
    let repo = format!("s3:{}/restic", server.endpoint());
    let restic = || {
        let mut c = Command::new(&tool);
        c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("RESTIC_PASSWORD", "test")
            .env("RESTIC_CACHE_DIR", w.join("cache"))
            .args(["-o", "s3.region=us-east-1", "-r", &repo]);
        c
    };
    let data = w.join("data");
    let mut files = Vec::new();
    for (i, rel) in ["one.bin", "dir/two.bin", "dir/three.txt"]
        .iter()
        .enumerate()
    {
        files.push((
            rel.to_string(),
            write_random(&data.join(rel), [3 << 20, 200_000, 10][i], 20 + i as u64),
        ));
    }
    run_ok(restic().arg("init"));
    run_ok(restic().arg("backup").arg(&data));
    let check = run_stdout(restic().arg("check"));
    assert!(check.contains("no errors were found"), "check: {check}");
    let out = w.join("out");
    run_ok(restic().args(["restore", "latest", "--target"]).arg(&out));
    let restored_root = out.join(data.strip_prefix("/").unwrap());
    for (rel, bytes) in &files {
        assert_same_file(bytes, &restored_root.join(rel));
    }
}
