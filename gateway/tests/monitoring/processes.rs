//! A real Prometheus and a real Alertmanager (the binaries `tests/realparts/install.sh`
//! extracts), each on a free loopback port with its own temp dir, killed by PID on drop; and
//! plain HTTP GETs of their JSON APIs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use strata_tests::{free_port, raw, required_env};

/// How long a tool may take to answer `/-/ready`.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A running tool: its process, address, directory and log.
pub struct Tool {
    name: &'static str,
    child: Child,
    pub addr: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tool {
    /// Prometheus with `config` (YAML text), scraping and evaluating every second.
    pub fn prometheus(config: &str) -> Tool {
        let binary = required_env("STRATA_PROMETHEUS");
        Tool::start("prometheus", &binary, config, |dir, config, addr| {
            vec![
                format!("--config.file={}", config.display()),
                format!("--web.listen-address={addr}"),
                format!("--storage.tsdb.path={}", dir.join("data").display()),
            ]
        })
    }

    /// Alertmanager with `config` (YAML text); gossip off (it would bind a second port).
    pub fn alertmanager(config: &str) -> Tool {
        let binary = required_env("STRATA_ALERTMANAGER");
        Tool::start("alertmanager", &binary, config, |dir, config, addr| {
            vec![
                format!("--config.file={}", config.display()),
                format!("--web.listen-address={addr}"),
                format!("--storage.path={}", dir.join("data").display()),
                "--cluster.listen-address=".to_owned(),
            ]
        })
    }

    fn start(
        name: &'static str,
        binary: &str,
        config: &str,
        args: impl Fn(&Path, &Path, &str) -> Vec<String>,
    ) -> Tool {
        let dir = tempfile::tempdir().expect("tempdir");
        let config_path = dir.path().join(format!("{name}.yml"));
        std::fs::write(&config_path, config).expect("write config");
        let addr = format!("127.0.0.1:{}", free_port());
        let log = dir.path().join(format!("{name}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new(binary)
            .args(args(dir.path(), &config_path, &addr))
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log file"))
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("start {binary}: {e}"));
        let mut tool = Tool {
            name,
            child,
            addr,
            log,
            _dir: dir,
        };
        tool.wait_ready();
        tool
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited ({status}):\n{}", self.name, self.log_text());
            }
            if get(&self.addr, "/-/ready").is_some_and(|(status, _)| status == 200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready on {} within {READY_WITHIN:?}:\n{}",
                self.name,
                self.addr,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// GETs `path` and parses the JSON answer; panics unless it is 200 with `"status":
    /// "success"` (Prometheus' and Alertmanager's API envelope), showing the body.
    pub fn api(&self, path: &str) -> Value {
        let (status, body) =
            get(&self.addr, path).unwrap_or_else(|| panic!("{} unreachable", self.name));
        let json: Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{} {path}: not JSON ({e}): {body}", self.name));
        assert!(
            status == 200 && json["status"] == "success",
            "{} {path} answered {status}: {body}",
            self.name
        );
        json["data"].clone()
    }

    /// An instant query; panics (with Prometheus' error) when it does not evaluate.
    pub fn query(&self, expr: &str) -> Value {
        self.query_for("query", expr)
    }

    /// The same, naming what asked for it (a panel, a rule) when it fails.
    pub fn query_for(&self, what: &str, expr: &str) -> Value {
        let path = format!("/api/v1/query?query={}", percent_encode(expr));
        let (status, body) =
            get(&self.addr, &path).unwrap_or_else(|| panic!("{} unreachable", self.name));
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert!(
            status == 200 && json["status"] == "success",
            "{what}: {expr}\ndoes not evaluate ({status}): {body}"
        );
        json["data"].clone()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Tool {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP/1.0 GET (so that the answer is not chunked): status and body, or `None` when the
/// connection fails.
pub fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    get_accepting(addr, path, "*/*").map(|(status, _, body)| (status, body))
}

/// The same with an `Accept` header: status, `Content-Type` and body.
pub fn get_accepting(addr: &str, path: &str, accept: &str) -> Option<(u16, String, String)> {
    let head = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: {accept}\r\n\r\n");
    let reply = raw(addr, &head, b"").ok()?;
    let content_type = reply.header("content-type").unwrap_or_default().to_owned();
    Some((reply.status, content_type, reply.text()))
}

/// Percent-encodes everything but RFC 3986's unreserved characters (a query parameter).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
