//! A running `strata serve`: waiting until it is ready, where it listens, and stopping it by
//! PID when the test is done with it.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use crate::builder::ServerBuilder;
use crate::credentials::Credentials;
use crate::http::read_reply;
use crate::layout::Layout;

/// How long a server may take to become ready.
const READY_WITHIN: Duration = Duration::from_secs(60);
/// Pause between two readiness requests; each attempt is a real request.
const POLL_EVERY: Duration = Duration::from_millis(25);
/// Lines of the server's output shown when something goes wrong.
const LOG_TAIL_LINES: usize = 40;

/// A running server; killed (SIGKILL, by PID) on drop unless detached.
pub struct Server {
    child: Option<Child>,
    /// `127.0.0.1:port` of the plain HTTP listener.
    pub addr: String,
    pub port: u16,
    pub tls_port: Option<u16>,
    /// PEM of the self-signed certificate the HTTPS listener serves (to trust as CA).
    pub ca_file: Option<PathBuf>,
    pub credentials: Credentials,
    workdir: Workdir,
    log: PathBuf,
    ready: bool,
}

/// Where the server's volumes, data and log live.
#[derive(Debug)]
pub(crate) enum Workdir {
    /// Removed when the server is dropped.
    Temp(tempfile::TempDir),
    /// Given by the caller; left in place.
    Kept(PathBuf),
}

impl Workdir {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Workdir::Temp(dir) => dir.path(),
            Workdir::Kept(dir) => dir,
        }
    }
}

impl Server {
    /// A builder with the defaults (see `ServerBuilder`).
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// The gateway's own end-to-end tests' server: `binary` on one class `fast` of four volumes
    /// (2+2), with 20 s of shutdown grace (the shutdown tests watch it end early).
    pub fn start_fast_2x2(binary: &str) -> Server {
        Server::builder()
            .binary(binary)
            .layout(Layout::fast_2x2())
            .env("STRATA_SHUTDOWN_GRACE", "20")
            .start()
    }

    /// The real-client tests' server: `STRATA_BIN`, `fast` 2+2 plus `bulk` mirror, plain HTTP.
    pub fn start() -> Server {
        Server::builder()
            .layout(Layout::fast_2x2_bulk_mirror())
            .start()
    }

    /// The same plus an HTTPS listener with a self-signed certificate.
    pub fn start_tls() -> Server {
        Server::builder()
            .layout(Layout::fast_2x2_bulk_mirror())
            .tls()
            .start()
    }

    pub(crate) fn new(
        child: Child,
        port: u16,
        tls_port: Option<u16>,
        ca_file: Option<PathBuf>,
        credentials: Credentials,
        workdir: Workdir,
        log: PathBuf,
    ) -> Server {
        Server {
            child: Some(child),
            addr: format!("127.0.0.1:{port}"),
            port,
            tls_port,
            ca_file,
            credentials,
            workdir,
            log,
            ready: false,
        }
    }

    /// Polls `/strata/health/ready` until it answers 200 (and the HTTPS listener, if any,
    /// accepts connections). Panics if the process exits first or time runs out; the server
    /// is then killed by `Drop`.
    pub(crate) fn wait_ready(mut self) -> Server {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = self.try_wait() {
                panic!(
                    "strata exited before it was ready ({status}); its output:\n{}",
                    self.log_tail()
                );
            }
            if self.answers_ready() {
                self.ready = true;
                return self;
            }
            if Instant::now() > deadline {
                panic!(
                    "strata was not ready on {} within {READY_WITHIN:?}; its output:\n{}",
                    self.addr,
                    self.log_tail()
                );
            }
            std::thread::sleep(POLL_EVERY);
        }
    }

    /// Waits for a start that must fail; its output.
    pub(crate) fn wait_refused(mut self) -> String {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = self.try_wait() {
                assert!(
                    !status.success(),
                    "strata exited with {status} instead of refusing"
                );
                return self.log_tail();
            }
            assert!(
                !self.answers_ready(),
                "strata started where it had to refuse; its output:\n{}",
                self.log_tail()
            );
            assert!(
                Instant::now() < deadline,
                "strata neither started nor exited within {READY_WITHIN:?}"
            );
            std::thread::sleep(POLL_EVERY);
        }
    }

    fn answers_ready(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(&self.addr) else {
            return false;
        };
        let asked = s.set_read_timeout(Some(Duration::from_secs(5))).is_ok()
            && s.write_all(
                b"GET /strata/health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .is_ok();
        if !asked || !read_reply(&mut s, false).is_ok_and(|r| r.status == 200) {
            return false;
        }
        self.tls_port
            .is_none_or(|tp| TcpStream::connect(("127.0.0.1", tp)).is_ok())
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn tls_endpoint(&self) -> String {
        format!(
            "https://127.0.0.1:{}",
            self.tls_port.expect("started with TLS")
        )
    }

    /// The directory holding the server's volumes, data and `server.log`.
    pub fn dir(&self) -> &Path {
        self.workdir.path()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("not detached").id()
    }

    /// The exit status if the process has exited (without waiting for it).
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        let child = self.child.as_mut().expect("not detached");
        child.try_wait().expect("poll the server process")
    }

    /// Leaves the process running after this value is gone and returns its PID; stopping it
    /// (and, once this process has exited, reaping it) is then someone else's job. Only for a
    /// server in a kept directory (`ServerBuilder::dir`).
    pub fn detach(mut self) -> u32 {
        assert!(
            matches!(self.workdir, Workdir::Kept(_)),
            "a detached server needs a kept directory, not a temp dir removed on drop"
        );
        let pid = self.pid();
        // Forgetting the handle neither kills nor waits: `Drop` then has nothing to stop.
        self.child = None;
        pid
    }

    /// The last lines of the server's stdout and stderr.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log)
            .unwrap_or_else(|e| format!("(no log at {}: {e})", self.log.display()));
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Our own child, by its PID handle; then reap it.
            let _ = child.kill();
            let _ = child.wait();
        }
        // A test failing after start: show what the server said (a failed start already
        // put it in its panic message).
        if self.ready && std::thread::panicking() {
            eprintln!("--- strata output (last lines)\n{}", self.log_tail());
        }
    }
}
