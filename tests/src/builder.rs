//! What a test server is started with: which binary, its volume layout, credentials, extra
//! settings and an optional HTTPS listener; or exactly a given command line and environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::credentials::Credentials;
use crate::http::free_port;
use crate::layout::Layout;
use crate::server::{Server, Workdir};
use crate::tls::self_signed;
use crate::tools::required_env;

/// Settings of a server to start; `start` runs it and waits until it is ready.
///
/// By default: the binary at `STRATA_BIN`, `Layout::fast_2x2`, the default `Credentials`, a
/// fresh temp dir, a free loopback port, plain HTTP, and an environment holding only the
/// harness's `STRATA_*` settings and `RUST_LOG=warn`.
#[derive(Debug, Clone)]
pub struct ServerBuilder {
    binary: Option<PathBuf>,
    layout: Layout,
    credentials: Credentials,
    buckets: Option<String>,
    env: Vec<(String, String)>,
    args: Vec<String>,
    tls: bool,
    inherit_env: bool,
    dir: Option<PathBuf>,
    exactly: Option<Exactly>,
}

/// A command line and environment given whole, and the loopback port they make it listen on.
#[derive(Debug, Clone)]
struct Exactly {
    args: Vec<String>,
    env: Vec<(String, String)>,
    port: u16,
}

impl Default for ServerBuilder {
    fn default() -> Self {
        ServerBuilder {
            binary: None,
            layout: Layout::fast_2x2(),
            credentials: Credentials::default(),
            buckets: None,
            env: Vec::new(),
            args: Vec::new(),
            tls: false,
            inherit_env: false,
            dir: None,
            exactly: None,
        }
    }
}

impl ServerBuilder {
    /// Runs this binary (e.g. `env!("CARGO_BIN_EXE_strata")` in the gateway's own tests)
    /// instead of the one `STRATA_BIN` names.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// The root credentials the server is given (and that its signed requests use).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Buckets the server creates at start if missing: `a,b,c`.
    pub fn buckets(mut self, list: &str) -> Self {
        self.buckets = Some(list.to_string());
        self
    }

    /// One more environment variable; set after the harness's own, so it wins over them.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// One more argument after `serve` (flags win over the harness's environment settings).
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_string());
        self
    }

    /// Also an HTTPS listener on its own free port, with a self-signed certificate.
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Keeps the caller's environment (and its `RUST_LOG`) under the harness's settings,
    /// as a bench run wants; tests leave it off so that nothing outside them leaks in.
    pub fn inherit_env(mut self) -> Self {
        self.inherit_env = true;
        self
    }

    /// Puts the volumes, data and `server.log` in `dir` (made if missing, kept afterwards)
    /// instead of a fresh temp dir.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Starts the binary with exactly `args` and `env`, nothing added and nothing inherited
    /// (the layout, buckets, TLS and extra settings are not used); they must make it listen
    /// on 127.0.0.1:`port`, where readiness is polled. `credentials` still tells the harness
    /// which keys the given settings hold, if a test signs requests.
    pub fn exactly(mut self, args: Vec<String>, env: Vec<(String, String)>, port: u16) -> Self {
        self.exactly = Some(Exactly { args, env, port });
        self
    }

    /// Starts the server and waits until `/strata/health/ready` answers 200; panics with the
    /// exit status and the log's tail if it exits first or is not ready within 60 s.
    pub fn start(self) -> Server {
        self.spawn().wait_ready()
    }

    /// Starts strata expecting it to refuse to start: waits for it to exit, asserts that it
    /// failed and never became ready, and returns its output.
    pub fn start_refused(self) -> String {
        self.spawn().wait_refused()
    }

    fn spawn(self) -> Server {
        let binary = match &self.binary {
            Some(path) => path.clone(),
            None => PathBuf::from(required_env("STRATA_BIN")),
        };
        assert!(binary.is_file(), "no strata binary at {}", binary.display());
        let workdir = match &self.dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
                Workdir::Kept(dir.clone())
            }
            None => Workdir::Temp(tempfile::tempdir().expect("tempdir")),
        };
        let root = workdir.path().to_path_buf();
        let log = root.join("server.log");
        let mut cmd = Command::new(&binary);
        let (port, tls_port, ca_file) = match &self.exactly {
            Some(exactly) => {
                cmd.args(&exactly.args)
                    .env_clear()
                    .envs(exactly.env.clone());
                (exactly.port, None, None)
            }
            None => self.configure(&mut cmd, &root),
        };
        let out =
            std::fs::File::create(&log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let err = out.try_clone().expect("clone the log file");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        Server::new(
            child,
            port,
            tls_port,
            ca_file,
            self.credentials,
            workdir,
            log,
        )
    }

    /// Writes the harness's settings into `cmd`; returns the ports and the CA file.
    fn configure(&self, cmd: &mut Command, root: &Path) -> (u16, Option<u16>, Option<PathBuf>) {
        let port = free_port();
        let volumes = self.layout.create(root);
        cmd.arg("serve").args(&self.args);
        if !self.inherit_env {
            cmd.env_clear().env("RUST_LOG", "warn");
        }
        cmd.env("STRATA_LISTEN", format!("127.0.0.1:{port}"))
            .env("STRATA_DATA", root.join("data"))
            .env("STRATA_VOLUMES", volumes.volumes)
            .env("STRATA_ERASURE", volumes.erasure)
            .env("STRATA_ACCESS_KEY", &self.credentials.access_key)
            .env("STRATA_SECRET_KEY", &self.credentials.secret_key);
        if let Some(buckets) = &self.buckets {
            cmd.env("STRATA_BUCKETS", buckets);
        }
        let (mut tls_port, mut ca_file) = (None, None);
        if self.tls {
            let cert = self_signed(root);
            let tp = free_port();
            cmd.env("STRATA_TLS_LISTEN", format!("127.0.0.1:{tp}"))
                .env("STRATA_TLS_CERT", &cert.cert)
                .env("STRATA_TLS_KEY", &cert.key);
            tls_port = Some(tp);
            ca_file = Some(cert.cert);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        (port, tls_port, ca_file)
    }
}
