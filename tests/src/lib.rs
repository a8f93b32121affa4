//! Shared harness for the end-to-end tests: start the real `strata serve` on a temp dir and a
//! free port, wait for readiness by polling, kill it by PID on drop; run real clients and
//! make deterministic random files. A missing tool or `STRATA_BIN` is a failure, never a skip.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "e2e-root";
pub const SECRET_KEY: &str = "e2e-root-secret-key";

/// An environment variable that must be set (by `tests/realparts/install.sh` / the runner).
pub fn required_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: run `bash tests/realparts/install.sh; source ~/.cache/strata-tools/env.sh` \
             and set STRATA_BIN (tests/run-all.sh does both)"
        ),
    }
}

/// Path of a tool on PATH; panics when it is missing.
pub fn required_tool(name: &str) -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    for dir in path.split(':') {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p.display().to_string();
        }
    }
    panic!("{name} is not on PATH: run `bash tests/realparts/install.sh`");
}

/// This crate's directory, read when the test runs: cargo sets it for every test, while the
/// compile-time value is the path of whichever checkout last built the binary into a shared
/// target directory (a CI clone elsewhere, say).
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Directory of the client config templates.
pub fn templates_dir() -> PathBuf {
    crate_dir().join("realparts/s3clients")
}

/// Renders a template, replacing `@PORT@`, `@ACCESS_KEY@`, `@SECRET_KEY@`.
pub fn render_template(name: &str, port: u16, out: &Path) {
    let text = std::fs::read_to_string(templates_dir().join(name)).expect("read template");
    let text = text
        .replace("@PORT@", &port.to_string())
        .replace("@ACCESS_KEY@", ACCESS_KEY)
        .replace("@SECRET_KEY@", SECRET_KEY);
    std::fs::write(out, text).expect("write rendered template");
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

/// A running `strata serve`; killed by PID on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    pub tls_port: Option<u16>,
    /// PEM of the self-signed certificate the HTTPS listener serves (to trust as CA).
    pub ca_file: Option<PathBuf>,
    pub dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Plain HTTP only.
    pub fn start() -> Server {
        Self::start_inner(false)
    }

    /// Plain HTTP plus an HTTPS listener with a generated self-signed certificate.
    pub fn start_tls() -> Server {
        Self::start_inner(true)
    }

    fn start_inner(tls: bool) -> Server {
        let bin = required_env("STRATA_BIN");
        assert!(Path::new(&bin).is_file(), "STRATA_BIN={bin} does not exist");
        let dir = tempfile::tempdir().expect("tempdir");
        let mk = |name: &str| {
            let p = dir.path().join(name);
            std::fs::create_dir_all(&p).expect("volume dir");
            p.display().to_string()
        };
        let fast: Vec<String> = (0..4).map(|i| mk(&format!("fast{i}"))).collect();
        let bulk: Vec<String> = (0..2).map(|i| mk(&format!("bulk{i}"))).collect();
        let port = free_port();
        let mut cmd = Command::new(&bin);
        cmd.arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data")
            .arg(dir.path().join("data"))
            .arg("--volumes")
            .arg(format!("fast={};bulk={}", fast.join(","), bulk.join(",")))
            .arg("--erasure")
            .arg("fast=2+2;bulk=mirror")
            .arg("--access-key")
            .arg(ACCESS_KEY)
            .arg("--secret-key")
            .arg(SECRET_KEY)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let mut tls_port = None;
        let mut ca_file = None;
        if tls {
            let crt = dir.path().join("tls.crt");
            let key = dir.path().join("tls.key");
            run_ok(Command::new("openssl").args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                key.to_str().unwrap(),
                "-out",
                crt.to_str().unwrap(),
            ]));
            let tp = free_port();
            cmd.arg("--tls-listen")
                .arg(format!("127.0.0.1:{tp}"))
                .arg("--tls-cert")
                .arg(&crt)
                .arg("--tls-key")
                .arg(&key);
            tls_port = Some(tp);
            ca_file = Some(crt);
        }
        let child = cmd.spawn().expect("start strata");
        let server = Server {
            child,
            port,
            tls_port,
            ca_file,
            dir,
        };
        server.wait_ready();
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn tls_endpoint(&self) -> String {
        format!(
            "https://127.0.0.1:{}",
            self.tls_port.expect("started with TLS")
        )
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if http_get_status(self.port, "/strata/health/ready") == Some(200) {
                if let Some(tp) = self.tls_port {
                    // the TLS listener must at least accept connections
                    if TcpStream::connect(("127.0.0.1", tp)).is_err() {
                        std::thread::sleep(Duration::from_millis(50));
                        continue;
                    }
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("strata did not become ready on port {}", self.port);
    }
}

/// Creates `bucket` on `server` with the aws CLI (clients such as restic and OpenDAL cannot).
pub fn create_bucket_with_aws_cli(server: &Server, bucket: &str) {
    run_ok(
        Command::new(required_env("STRATA_AWS"))
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", templates_dir().join("aws.config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_CA_BUNDLE")
            .env_remove("AWS_PROFILE")
            .args(["--endpoint-url", &server.endpoint(), "s3", "mb"])
            .arg(format!("s3://{bucket}")),
    );
}

/// Status of a plain GET, or None when the connection fails.
pub fn http_get_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let line = String::from_utf8_lossy(&buf);
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Deterministic pseudo-random bytes (xorshift64*), the same for the same seed.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Writes a deterministic random file and returns its content.
pub fn write_random(path: &Path, len: usize, seed: u64) -> Vec<u8> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    let data = random_bytes(len, seed);
    std::fs::write(path, &data).expect("write random file");
    data
}

/// Asserts two files have identical bytes.
pub fn assert_same_file(expected: &[u8], actual: &Path) {
    let got = std::fs::read(actual).unwrap_or_else(|e| panic!("read {}: {e}", actual.display()));
    assert_eq!(
        got.len(),
        expected.len(),
        "{}: length differs",
        actual.display()
    );
    assert!(got == expected, "{}: content differs", actual.display());
}

/// Runs a command, panics with its output unless it exits 0; returns the output.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "command failed ({}): {cmd:?}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// Runs a command and returns stdout as a string, panicking unless it exits 0.
pub fn run_stdout(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&run_ok(cmd).stdout).into_owned()
}
