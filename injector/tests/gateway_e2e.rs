//! The settings the webhook renders start a real `strata serve`: the sidecar's args and env,
//! with its in-pod paths (`/volumes/...`, `/var/lib/strata`) mapped to temp directories, are
//! given (and nothing else) to the binary at `STRATA_BIN`, which must answer
//! `GET /strata/health/ready` 200.
//!
//! Needs the gateway (`cargo build -p strata-gateway`); without `STRATA_BIN` it fails, on
//! purpose: a skipped end-to-end check looks like a passing one.

mod common;

use common::{container, pod, Webhook};
use serde_json::Value;
use strata_tests::{free_port, raw, Server};

#[tokio::test]
async fn rendered_sidecar_settings_start_a_real_strata_serve_that_becomes_ready() {
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
    let port = free_port();
    let args: Vec<String> = sidecar["args"]
        .as_array()
        .expect("args")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let env: Vec<(String, String)> = sidecar["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|e| {
            let (name, value) = (
                e["name"].as_str().expect("name"),
                e["value"].as_str().unwrap_or_default(),
            );
            let value = if name == "STRATA_LISTEN" {
                format!("127.0.0.1:{port}")
            } else {
                map(value)
            };
            (name.to_owned(), value)
        })
        .collect();
    for m in sidecar["volumeMounts"].as_array().expect("mounts") {
        let path = format!(
            "{}{}",
            root.path().display(),
            m["mountPath"].as_str().expect("path")
        );
        std::fs::create_dir_all(&path).expect("mkdir");
    }
    // The harness polls readiness (failing with the server's exit status and output if it
    // never comes) and kills the server by PID when it is dropped.
    let server =
        tokio::task::spawn_blocking(move || Server::builder().exactly(args, env, port).start())
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    let ready = raw(
        &server.addr,
        "GET /strata/health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    )
    .expect("readiness request");
    assert_eq!(ready.status, 200, "{}", ready.text());
    drop(server);
}
