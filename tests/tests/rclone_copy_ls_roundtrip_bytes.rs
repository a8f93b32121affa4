//! rclone 1.60 (run without AWS_CA_BUNDLE): copyto (small and 20 MiB multipart), ls,
//! copyto back; downloads byte-compared.

use std::process::Command;
use strata_tests::*;

#[test]
fn rclone_roundtrips_bytes_exactly() {
    let tool = required_tool("rclone");
    let server = Server::start();
    let w = tempfile::tempdir().unwrap();
    let w = w.path();
    let cfg = w.join("rclone.conf");
    render_template("rclone.conf.in", &server, &cfg);
    let rc = || {
        let mut c = Command::new(&tool);
        c.env_remove("AWS_CA_BUNDLE").env("RCLONE_CONFIG", &cfg);
        c
    };
    let small = write_random(&w.join("small.bin"), 70_000, 5);
    let big = write_random(&w.join("big.bin"), 20 << 20, 6);
    run_ok(rc().args(["mkdir", "s3gw:rclone"]));
    for n in ["small.bin", "big.bin"] {
        run_ok(
            rc().arg("copyto")
                .arg(w.join(n))
                .arg(format!("s3gw:rclone/{n}")),
        );
    }
    let ls = run_stdout(rc().args(["ls", "s3gw:rclone"]));
    assert!(
        ls.contains("70000 small.bin") && ls.contains(&format!("{} big.bin", 20 << 20)),
        "ls: {ls}"
    );
    for (n, data) in [("small.bin", &small), ("big.bin", &big)] {
        let dst = w.join(format!("{n}.down"));
        run_ok(rc().arg("copyto").arg(format!("s3gw:rclone/{n}")).arg(&dst));
        assert_same_file(data, &dst);
    }
}
