//! awscli v2 (`/usr/bin/aws`): mb, cp (small and 20 MiB multipart), ls, cp down, sync both
//! ways, rm, s3api put/get/head/list-objects-v2 and presign; every download is byte-compared.

use std::process::Command;
use strata_tests::*;

fn aws(server: &Server, cfg: &std::path::Path) -> Command {
    let mut c = Command::new(required_env("STRATA_AWS"));
    c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", cfg)
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_CA_BUNDLE")
        .env_remove("AWS_PROFILE")
        .arg("--endpoint-url")
        .arg(server.endpoint());
    c
}

#[test]
fn aws_cli_roundtrips_bytes_exactly() {
    let server = Server::start();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let cfg = w.join("aws.config");
    std::fs::copy(templates_dir().join("aws.config"), &cfg).unwrap();
    let small = write_random(&w.join("small.bin"), 100_000, 1);
    let big = write_random(&w.join("big.bin"), 20 << 20, 2);

    run_ok(aws(&server, &cfg).args(["s3", "mb", "s3://cli"]));
    for name in ["small.bin", "big.bin"] {
        run_ok(
            aws(&server, &cfg)
                .args(["s3", "cp", "--only-show-errors"])
                .arg(w.join(name))
                .arg(format!("s3://cli/{name}")),
        );
    }
    let ls = run_stdout(aws(&server, &cfg).args(["s3", "ls", "s3://cli/"]));
    assert!(
        ls.contains("small.bin") && ls.contains("big.bin"),
        "ls: {ls}"
    );
    assert!(ls.contains(&(20u64 << 20).to_string()), "ls size: {ls}");

    // multipart: ETag of the 20 MiB object ends in -3 (8 MiB parts)
    let head = run_stdout(aws(&server, &cfg).args([
        "s3api",
        "head-object",
        "--bucket",
        "cli",
        "--key",
        "big.bin",
    ]));
    assert!(head.contains("-3\\\""), "expected a 3-part ETag: {head}");

    for (name, data) in [("small.bin", &small), ("big.bin", &big)] {
        let dst = w.join(format!("{name}.down"));
        run_ok(
            aws(&server, &cfg)
                .args(["s3", "cp", "--only-show-errors"])
                .arg(format!("s3://cli/{name}"))
                .arg(&dst),
        );
        assert_same_file(data, &dst);
    }

    // sync a directory up and back
    let src = w.join("tree");
    let mut files = Vec::new();
    for (i, rel) in ["a.txt", "sub/b.bin", "sub/deeper/c.bin"]
        .iter()
        .enumerate()
    {
        files.push((
            rel.to_string(),
            write_random(&src.join(rel), 1000 + i * 70_000, 10 + i as u64),
        ));
    }
    run_ok(
        aws(&server, &cfg)
            .args(["s3", "sync", "--only-show-errors"])
            .arg(&src)
            .arg("s3://cli/tree/"),
    );
    let back = w.join("tree-back");
    run_ok(
        aws(&server, &cfg)
            .args(["s3", "sync", "--only-show-errors", "s3://cli/tree/"])
            .arg(&back),
    );
    for (rel, data) in &files {
        assert_same_file(data, &back.join(rel));
    }

    // s3api
    run_ok(
        aws(&server, &cfg)
            .args([
                "s3api",
                "put-object",
                "--bucket",
                "cli",
                "--key",
                "api/obj",
                "--body",
            ])
            .arg(w.join("small.bin")),
    );
    let got = w.join("api-obj.down");
    run_ok(
        aws(&server, &cfg)
            .args(["s3api", "get-object", "--bucket", "cli", "--key", "api/obj"])
            .arg(&got),
    );
    assert_same_file(&small, &got);
    let head = run_stdout(aws(&server, &cfg).args([
        "s3api",
        "head-object",
        "--bucket",
        "cli",
        "--key",
        "api/obj",
    ]));
    assert!(head.contains("\"ContentLength\": 100000"), "head: {head}");
    let list = run_stdout(aws(&server, &cfg).args([
        "s3api",
        "list-objects-v2",
        "--no-paginate",
        "--bucket",
        "cli",
        "--prefix",
        "api/",
    ]));
    assert!(
        list.contains("\"Key\": \"api/obj\"") && list.contains("\"KeyCount\": 1"),
        "list: {list}"
    );

    // presign: fetch with curl and compare; an expired one gets 403
    let url = run_stdout(aws(&server, &cfg).args([
        "s3",
        "presign",
        "s3://cli/small.bin",
        "--expires-in",
        "300",
    ]));
    let fetched = w.join("presigned.down");
    run_ok(
        Command::new("curl")
            .args(["-sS", "-f", "-o"])
            .arg(&fetched)
            .arg(url.trim()),
    );
    assert_same_file(&small, &fetched);
    let url = run_stdout(aws(&server, &cfg).args([
        "s3",
        "presign",
        "s3://cli/small.bin",
        "--expires-in",
        "1",
    ]));
    std::thread::sleep(std::time::Duration::from_secs(3));
    let code = run_stdout(
        Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}"])
            .arg(url.trim()),
    );
    assert_eq!(code.trim(), "403", "expired presign");

    // rm
    run_ok(aws(&server, &cfg).args(["s3", "rm", "--only-show-errors", "s3://cli/small.bin"]));
    let ls = run_stdout(aws(&server, &cfg).args(["s3", "ls", "s3://cli/"]));
    assert!(!ls.contains("small.bin"), "after rm: {ls}");
}
