//! The settings the webhook renders start a real `strata serve`: the sidecar's env, with
//! its in-pod paths (`/volumes/...`, `/var/lib/strata`) mapped to temp directories, is
//! given to the binary at `STRATA_BIN`, which must answer `GET /strata/health/ready` 200.
//!
//! Needs the gateway (`cargo build -p strata-gateway`); without `STRATA_BIN` it fails, on
//! purpose: a skipped end-to-end check looks like a passing one.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{container, pod, Webhook};
use serde_json::Value;
use strata_injector::probe;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        // Our own child, by its PID handle.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn rendered_sidecar_settings_start_a_real_strata_serve_that_becomes_ready() {
    let bin = std::env::var("STRATA_BIN").unwrap_or_else(|_| {
        panic!("STRATA_BIN is not set: build the gateway and export STRATA_BIN=path/to/strata")
    });
    assert!(
        std::path::Path::new(&bin).exists(),
        "STRATA_BIN={bin} does not exist"
    );
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    let sidecar = container(&out, "initContainers", "strata");
    let root = tempfile::tempdir().expect("tempdir");
    let map = |value: &str| -> String {
        // In-pod absolute paths become paths under the temp root.
        value.split([',', ';']).fold(value.to_owned(), |acc, part| {
            let path = part.split('=').next_back().unwrap_or(part);
            if path.starts_with('/') {
                acc.replace(path, &format!("{}{path}", root.path().display()))
            } else {
                acc
            }
        })
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut cmd = Command::new(&bin);
    cmd.args(
        sidecar["args"]
            .as_array()
            .expect("args")
            .iter()
            .filter_map(Value::as_str),
    );
    for e in sidecar["env"].as_array().expect("env") {
        let (name, value) = (
            e["name"].as_str().expect("name"),
            e["value"].as_str().unwrap_or_default(),
        );
        let value = if name == "STRATA_LISTEN" {
            format!("127.0.0.1:{port}")
        } else {
            map(value)
        };
        cmd.env(name, value);
    }
    for m in sidecar["volumeMounts"].as_array().expect("mounts") {
        let path = format!(
            "{}{}",
            root.path().display(),
            m["mountPath"].as_str().expect("path")
        );
        std::fs::create_dir_all(&path).expect("mkdir");
    }
    let child = Killed(
        cmd.stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn strata serve"),
    );
    let url = format!("http://127.0.0.1:{port}/strata/health/ready");
    let deadline = Instant::now() + Duration::from_secs(30);
    let result =
        tokio::task::spawn_blocking(move || probe::probe_until(&url, deadline - Instant::now()))
            .await
            .expect("join");
    assert!(
        result.is_ok(),
        "strata serve with the rendered settings did not become ready: {result:?}"
    );
    drop(child);
}
