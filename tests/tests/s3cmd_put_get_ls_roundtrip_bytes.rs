//! s3cmd 2.3: mb, put (small and 20 MiB multipart), ls, get; downloads byte-compared.

use std::process::Command;
use strata_tests::*;

#[test]
fn s3cmd_roundtrips_bytes_exactly() {
    let tool = required_tool("s3cmd");
    let server = Server::start();
    let w = tempfile::tempdir().unwrap();
    let w = w.path();
    let cfg = w.join("s3cfg");
    render_template("s3cfg.in", &server, &cfg);
    let s3 = || {
        let mut c = Command::new(&tool);
        c.arg("-c").arg(&cfg);
        c
    };
    let small = write_random(&w.join("small.bin"), 50_000, 3);
    let big = write_random(&w.join("big.bin"), 20 << 20, 4);
    run_ok(s3().args(["mb", "s3://s3cmd"]));
    for n in ["small.bin", "big.bin"] {
        run_ok(
            s3().args(["put", "--no-progress"])
                .arg(w.join(n))
                .arg(format!("s3://s3cmd/{n}")),
        );
    }
    let ls = run_stdout(s3().args(["ls", "s3://s3cmd/"]));
    assert!(
        ls.contains("s3://s3cmd/small.bin") && ls.contains("s3://s3cmd/big.bin"),
        "ls: {ls}"
    );
    for (n, data) in [("small.bin", &small), ("big.bin", &big)] {
        let dst = w.join(format!("{n}.down"));
        run_ok(
            s3().args(["get", "--no-progress", "--force"])
                .arg(format!("s3://s3cmd/{n}"))
                .arg(&dst),
        );
        assert_same_file(data, &dst);
    }
}
