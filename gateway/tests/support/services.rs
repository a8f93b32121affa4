//! Real servers a test starts beside strata (moto, Azurite, nginx, HAProxy), stopped when
//! the test ends, and the tests' Python. Each test file uses some of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use strata_tests::{free_port, required_env, CertAndKey, Layout, Server};

/// A server process of a test, stopped when dropped: SIGTERM first (nginx's master stops its
/// workers only then; killed outright, it leaves them running), SIGKILL after 10 s.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.0.id()) {
            // SAFETY: kill(2) on the pid of a child not yet waited for.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// strata on the 2+2 `fast` class with a `bulk` mirror, with `config` (TOML) written beside
/// `dir` as its config file and `env` in its environment.
pub fn strata_with_config(dir: &Path, config: &str, env: &[(&str, &str)]) -> Server {
    let file = dir.with_extension("toml");
    std::fs::write(&file, config).unwrap();
    let builder = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2_bulk_mirror())
        .dir(dir)
        .arg("--config")
        .arg(file.to_str().unwrap());
    env.iter()
        .fold(builder, |b, (name, value)| b.env(name, value))
        .start()
}

/// Starts `program ARGS`, output discarded.
pub fn start(program: &str, args: &[&str]) -> Running {
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"));
    Running(child)
}

/// A moto server on `port` with the bucket `cold`.
pub fn moto(port: u16) -> Running {
    let moto = start(
        &required_env("STRATA_MOTO_SERVER"),
        &["-H", "127.0.0.1", "-p", &port.to_string()],
    );
    let url = format!("http://127.0.0.1:{port}");
    python(&format!(
        r#"
import time, boto3
s3 = boto3.client('s3', endpoint_url='{url}', aws_access_key_id='testing', aws_secret_access_key='testing', region_name='us-east-1')
deadline = time.time() + 60
while True:
    try:
        s3.create_bucket(Bucket='cold')
        break
    except Exception:
        assert time.time() < deadline, 'moto did not start'
        time.sleep(0.2)
print('ok')
"#
    ));
    moto
}

/// Azurite's well-known development account (public: Microsoft documents it for the
/// emulator).
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Python that connects `cold` as the container client of the Azurite at `endpoint`
/// (`http://127.0.0.1:PORT`, or an HTTPS one whose certificate `ca` signed), with its key.
pub fn azure_container(endpoint: &str, ca: Option<&Path>) -> String {
    let scheme = endpoint.split(':').next().unwrap_or("http");
    let verify = ca.map_or(String::new(), |ca| {
        format!(", connection_verify={:?}", ca.display().to_string())
    });
    format!(
        r#"
from azure.storage.blob import BlobServiceClient
conn = 'DefaultEndpointsProtocol={scheme};AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};BlobEndpoint={endpoint}/{AZURITE_ACCOUNT};'
cold = BlobServiceClient.from_connection_string(conn{verify}).get_container_client('cold')
"#
    )
}

/// Azurite's blob service (`STRATA_AZURITE`) on `port`, in memory, with `extra` flags, and
/// the container `cold`, made through `container` ([`azure_container`]).
pub fn azurite(port: u16, extra: &[&str], container: &str) -> Running {
    let port = port.to_string();
    let mut args = vec!["--blobHost", "127.0.0.1", "--blobPort", &port];
    args.extend(["--inMemoryPersistence", "--disableTelemetry"]);
    args.extend(["--skipApiVersionCheck", "--loose"]);
    args.extend(extra);
    let azurite = start(&required_env("STRATA_AZURITE"), &args);
    python(&format!(
        r#"
import time
{container}
deadline = time.time() + 60
while True:
    try:
        cold.create_container()
        break
    except Exception:
        assert time.time() < deadline, 'azurite did not start'
        time.sleep(0.2)
print('ok')
"#
    ));
    azurite
}

/// Runs `script` with the tests' Python; it must print `ok` last.
pub fn python(script: &str) -> String {
    let out = Command::new(required_env("STRATA_PYTHON"))
        .args(["-c", script])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && stdout.lines().last() == Some("ok"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Waits until something accepts connections on `port`.
pub fn wait_listening(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A real nginx (`STRATA_NGINX`) terminating HTTPS with `tls` on a free loopback port and
/// passing every request to `http://upstream` (`host:port`); its files live in `run`.
/// Returns it and its port.
pub fn nginx_https_to(run: &Path, tls: &CertAndKey, upstream: &str) -> (Running, u16) {
    let port = free_port();
    let run_dir = run.display();
    let conf = format!(
        "daemon off;\npid {run_dir}/nginx.pid;\nerror_log stderr warn;\nworker_processes 1;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n access_log off;\n client_body_temp_path {run_dir}/client_body;\n\
         proxy_temp_path {run_dir}/proxy;\n fastcgi_temp_path {run_dir}/fastcgi;\n\
         uwsgi_temp_path {run_dir}/uwsgi;\n scgi_temp_path {run_dir}/scgi;\n\
         server {{\n  listen 127.0.0.1:{port} ssl;\n  ssl_certificate {cert};\n\
         ssl_certificate_key {key};\n  location / {{ proxy_pass http://{upstream}; \
         proxy_http_version 1.1; proxy_set_header Connection \"\"; }}\n }}\n}}\n",
        cert = tls.cert.display(),
        key = tls.key.display(),
    );
    let path = run.join("nginx.conf");
    std::fs::write(&path, conf).expect("nginx.conf");
    let nginx = nginx(run, &path);
    wait_listening(port, "nginx");
    (nginx, port)
}

/// A real nginx (`STRATA_NGINX`) in the foreground with prefix `run` and configuration `conf`.
pub fn nginx(run: &Path, conf: &Path) -> Running {
    let child = Command::new(required_env("STRATA_NGINX"))
        .args(["-e", "stderr", "-p"])
        .arg(run)
        .arg("-c")
        .arg(conf)
        .stdin(Stdio::null())
        .spawn()
        .expect("start nginx");
    Running(child)
}
