//! strata-bench against a real S3 server: moto 5.2.5 in signature-checking mode.
//!
//! The moto server comes from `STRATA_MOTO_SERVER` (path of `moto_server` in the venv of
//! RECIPES.md section 3; the test script sets it). Without it these tests fail, they do not
//! skip: a green run must mean the generator really talked S3.
//!
//! Each test runs the real binary with a tiny bounded workload (`--ops`), reads its `--json`
//! report and checks counts and that nothing failed. No timing is asserted.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

struct Moto {
    child: Child,
    // The write end of the watchdog's stdin: closed by the kernel when this test process
    // exits, however it exits, which stops moto (a static is never dropped).
    watchdog: Option<ChildStdin>,
    endpoint: String,
    access_key: String,
    secret_key: String,
    _log: tempfile::NamedTempFile,
}

impl Drop for Moto {
    // Runs only when setting up moto fails part way: closing the pipe stops moto, then the
    // watchdog shell exits.
    fn drop(&mut self) {
        drop(self.watchdog.take());
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    head.split_whitespace().nth(1)?.parse().ok()
}

/// One moto server for the whole test binary, with an IAM user whose key must sign every
/// request correctly.
fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let server = std::env::var_os("STRATA_MOTO_SERVER")
            .map(PathBuf::from)
            .expect(
                "STRATA_MOTO_SERVER must name moto_server (RECIPES.md section 3: \
             venv with moto[s3]==5.2.5 flask flask-cors)",
            );
        assert!(
            server.is_file(),
            "STRATA_MOTO_SERVER={} is not a file",
            server.display()
        );
        let port = free_port();
        let log = tempfile::NamedTempFile::new().expect("log file");
        // sh runs moto in the background and kills it once its stdin reaches EOF.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#""$0" "$@" </dev/null & pid=$!; cat >/dev/null; kill "$pid"; wait "$pid""#)
            .arg(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::piped())
            // The first three requests (the IAM bootstrap below) are unauthenticated; every
            // later one must be signed with the created user's key.
            .env("INITIAL_NO_AUTH_ACTION_COUNT", "3")
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("reopen log"))
            .spawn()
            .expect("start moto_server");
        let watchdog = child.stdin.take().expect("piped stdin");
        let mut moto = Moto {
            child,
            watchdog: Some(watchdog),
            endpoint: format!("http://127.0.0.1:{port}"),
            access_key: String::new(),
            secret_key: String::new(),
            _log: log,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while http_status(port, "/moto-api/") != Some(200) {
            assert!(
                Instant::now() < deadline,
                "moto did not become ready in 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let python = server.with_file_name("python");
        // Read at run time: the compile-time value names whichever checkout last built this
        // binary into a shared target directory.
        let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
        let script = crate_dir.join("tests/moto_mkuser.py");
        let out = Command::new(&python)
            .arg(&script)
            .arg(&moto.endpoint)
            .output()
            .expect("run moto_mkuser.py with the venv's python");
        assert!(
            out.status.success(),
            "moto_mkuser.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut words = text.split_whitespace();
        moto.access_key = words.next().expect("access key").to_string();
        moto.secret_key = words.next().expect("secret key").to_string();
        moto
    })
}

/// Runs `strata-bench run` with `args` against moto; returns (exit ok, stdout+stderr, report).
fn bench_with_secret(secret: &str, args: &[&str]) -> (bool, String, Option<Value>) {
    let m = moto();
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_strata-bench"))
        .arg("run")
        .args(["--endpoint", &m.endpoint])
        .args(["--access-key", &m.access_key])
        .args(["--secret-key", secret])
        .args(["--quiet", "--timeout", "60s"])
        .arg("--json")
        .arg(&json)
        .args(args)
        .output()
        .expect("run strata-bench");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    (out.status.success(), text, report)
}

fn bench(args: &[&str]) -> Value {
    let (ok, text, report) = bench_with_secret(&moto().secret_key, args);
    assert!(ok, "strata-bench failed:\n{text}");
    report.unwrap_or_else(|| panic!("no JSON report:\n{text}"))
}

fn op<'a>(phase: &'a Value, name: &str) -> &'a Value {
    phase["ops"]
        .as_array()
        .and_then(|ops| ops.iter().find(|o| o["op"] == name))
        .unwrap_or_else(|| panic!("no {name} in {phase}"))
}

fn assert_no_errors(report: &Value) {
    for phase in ["prepare", "run", "cleanup"] {
        if let Some(ops) = report[phase]["ops"].as_array() {
            for o in ops {
                assert_eq!(
                    o["errors"], 0,
                    "{phase} {}: {}",
                    o["op"], o["errors_by_class"]
                );
            }
        }
    }
}

#[test]
fn put_writes_exactly_the_bounded_count_and_cleans_up() {
    let r = bench(&[
        "--bucket",
        "b-put",
        "--op",
        "put",
        "--size",
        "1KiB..64KiB",
        "--ops",
        "20",
    ]);
    assert_no_errors(&r);
    assert_eq!(op(&r["run"], "put")["ok"], 20);
    assert_eq!(op(&r["cleanup"], "delete")["ok"], 20);
    assert!(r["run"]["cpu"]["total_s"].as_f64().is_some_and(|c| c > 0.0));
}

#[test]
fn get_reads_prepared_objects_whole() {
    let r = bench(&[
        "--bucket",
        "b-get",
        "--op",
        "get",
        "--size",
        "16KiB",
        "--objects",
        "8",
        "--ops",
        "24",
    ]);
    assert_no_errors(&r);
    assert_eq!(op(&r["prepare"], "put")["ok"], 8);
    let get = op(&r["run"], "get");
    assert_eq!(get["ok"], 24);
    assert_eq!(get["bytes"], 24 * 16 * 1024);
    assert_eq!(op(&r["cleanup"], "delete")["ok"], 8);
}

/// `--cold` writes to /proc/sys/vm/drop_caches: the test runs as root, as CI does here.
#[test]
fn cold_gets_read_each_object_once_after_the_page_cache_is_dropped() {
    let r = bench(&[
        "--bucket",
        "b-cold",
        "--op",
        "get",
        "--size",
        "16KiB",
        "--objects",
        "4",
        "--ops",
        "8",
        "--cold",
    ]);
    assert_no_errors(&r);
    // Each of the 4 objects once, then the run ends: a second read would come from memory.
    let get = op(&r["run"], "get");
    assert_eq!(get["ok"], 4);
    assert_eq!(get["bytes"], 4 * 16 * 1024);
}

#[test]
fn ranged_get_reads_only_the_range() {
    let r = bench(&[
        "--bucket",
        "b-rget",
        "--op",
        "rget",
        "--size",
        "64KiB",
        "--range-size",
        "1000",
        "--objects",
        "4",
        "--ops",
        "10",
    ]);
    assert_no_errors(&r);
    assert_eq!(op(&r["run"], "rget")["bytes"], 10 * 1000);
}

#[test]
fn head_counts_every_request() {
    let r = bench(&[
        "--bucket",
        "b-head",
        "--op",
        "head",
        "--objects",
        "4",
        "--ops",
        "12",
    ]);
    assert_no_errors(&r);
    assert_eq!(op(&r["run"], "head")["ok"], 12);
}

#[test]
fn list_walks_pages_with_continuation_tokens() {
    // 25 keys in pages of 10: 10, 10, 5, then the walk starts over: 6 pages = 50 keys.
    let r = bench(&[
        "--bucket",
        "b-list",
        "--op",
        "list",
        "--size",
        "0",
        "--objects",
        "25",
        "--list-max-keys",
        "10",
        "--ops",
        "6",
        "--concurrency",
        "1",
    ]);
    assert_no_errors(&r);
    let list = op(&r["run"], "list");
    assert_eq!(list["ok"], 6);
    assert_eq!(list["items"], 50);
}

#[test]
fn delete_removes_prepared_objects_and_stops_when_none_are_left() {
    let r = bench(&[
        "--bucket",
        "b-del",
        "--op",
        "delete",
        "--objects",
        "10",
        "--ops",
        "50",
    ]);
    assert_no_errors(&r);
    assert_eq!(op(&r["run"], "delete")["ok"], 10);
    // Nothing left to clean up.
    assert!(r["cleanup"]["ops"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn overwrite_replaces_prepared_objects_without_adding_keys() {
    let r = bench(&[
        "--bucket",
        "b-over",
        "--op",
        "overwrite",
        "--size",
        "8KiB",
        "--objects",
        "8",
        "--ops",
        "24",
        "--concurrency",
        "4",
        "--no-cleanup",
    ]);
    assert_no_errors(&r);
    assert_eq!(op(&r["prepare"], "put")["ok"], 8);
    let over = op(&r["run"], "overwrite");
    assert_eq!(over["ok"], 24);
    assert_eq!(over["bytes"], 24 * 8 * 1024);
    // Only overwrites ran: no new keys.
    assert_eq!(r["run"]["ops"].as_array().map(Vec::len), Some(1));
    // The server holds exactly the prepared keys; this run lists them and deletes nothing.
    let listed = bench(&[
        "--bucket",
        "b-over",
        "--op",
        "list",
        "--objects",
        "0",
        "--ops",
        "1",
        "--concurrency",
        "1",
    ]);
    assert_no_errors(&listed);
    assert_eq!(op(&listed["run"], "list")["items"], 8);
}

#[test]
fn overwrite_mixed_with_put_cleans_up_every_key() {
    let r = bench(&[
        "--bucket",
        "b-over-mix",
        "--mix",
        "put=50,overwrite=50",
        "--size",
        "1KiB..16KiB",
        "--objects",
        "8",
        "--ops",
        "40",
        "--seed",
        "3",
    ]);
    assert_no_errors(&r);
    let ok = |name: &str| op(&r["run"], name)["ok"].as_u64().unwrap_or(0);
    assert_eq!(ok("put") + ok("overwrite"), 40);
    assert!(ok("overwrite") > 0);
    // Every key once: the prepared ones plus one per new put.
    assert_eq!(op(&r["cleanup"], "delete")["ok"], 8 + ok("put"));
}

#[test]
fn multipart_uploads_complete() {
    // moto enforces S3's 5 MiB minimum for all parts but the last: 11 MiB = 5 + 5 + 1.
    let r = bench(&[
        "--bucket",
        "b-mpu",
        "--op",
        "multipart",
        "--size",
        "11MiB",
        "--part-size",
        "5MiB",
        "--ops",
        "2",
        "--concurrency",
        "2",
    ]);
    assert_no_errors(&r);
    let m = op(&r["run"], "multipart");
    assert_eq!(m["ok"], 2);
    assert_eq!(m["bytes"], 2 * 11 * 1024 * 1024);
}

#[test]
fn mix_issues_every_operation_without_errors() {
    let r = bench(&[
        "--bucket",
        "b-mix",
        "--mix",
        "get=45,put=15,delete=10,head=30",
        "--size",
        "1KiB:70,32KiB:30",
        "--objects",
        "32",
        "--ops",
        "200",
        "--seed",
        "7",
    ]);
    assert_no_errors(&r);
    let total: u64 = r["run"]["ops"]
        .as_array()
        .map(|ops| ops.iter().filter_map(|o| o["ok"].as_u64()).sum())
        .unwrap_or(0);
    assert_eq!(total, 200);
    for name in ["get", "put", "delete", "head"] {
        assert!(
            op(&r["run"], name)["ok"].as_u64().is_some_and(|n| n > 0),
            "{name}"
        );
    }
}

#[test]
fn signed_payload_and_aws_chunked_uploads_are_accepted() {
    let signed = bench(&[
        "--bucket",
        "b-sig",
        "--op",
        "put",
        "--size",
        "100KiB",
        "--ops",
        "5",
        "--signed-payload",
    ]);
    assert_no_errors(&signed);
    assert_eq!(op(&signed["run"], "put")["ok"], 5);
    let chunked = bench(&[
        "--bucket",
        "b-chunk",
        "--op",
        "put",
        "--size",
        "100KiB",
        "--ops",
        "5",
        "--aws-chunked",
        "--chunk-size",
        "16KiB",
    ]);
    assert_no_errors(&chunked);
    assert_eq!(op(&chunked["run"], "put")["ok"], 5);
}

#[test]
fn a_wrong_secret_is_reported_as_signature_errors() {
    let (_, text, report) =
        bench_with_secret("not-the-secret", &["--bucket", "b-put", "--op", "head"]);
    // Creating the bucket already fails, so the run stops before measuring anything.
    assert!(report.is_none());
    assert!(text.contains("SignatureDoesNotMatch"), "{text}");
}

#[test]
fn remote_endpoints_are_refused_before_any_request() {
    let out = Command::new(env!("CARGO_BIN_EXE_strata-bench"))
        .args([
            "run",
            "--endpoint",
            "http://192.0.2.1:9000",
            "--access-key",
            "k",
        ])
        .args(["--secret-key", "s", "--ops", "1"])
        .output()
        .expect("run strata-bench");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
}
