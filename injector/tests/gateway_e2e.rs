//! The settings the webhook renders start a real `strata serve`: the sidecar's args and env,
//! with its in-pod paths (`/volumes/...`, `/var/lib/strata`) mapped to temp directories, the
//! downward API's `POD_IP` set to 127.0.0.1 and `$(POD_IP)` expanded in the args as the
//! kubelet does, are given (and nothing else) to the binary at `STRATA_BIN`, which must
//! answer `GET /strata/health/ready` 200 and serve `/metrics` where the pod's scrape
//! annotations point.
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
    // The pod IP is loopback here, and the metrics port a free one (tests run in parallel).
    let metrics_port = free_port();
    let annotated_port = out["metadata"]["annotations"]["prometheus.io/port"]
        .as_str()
        .expect("prometheus.io/port");
    let args: Vec<String> = sidecar["args"]
        .as_array()
        .expect("args")
        .iter()
        .filter_map(Value::as_str)
        .map(|a| {
            a.replace("$(POD_IP)", "127.0.0.1")
                .replace(&format!(":{annotated_port}"), &format!(":{metrics_port}"))
        })
        .collect();
    assert!(
        args.contains(&format!("127.0.0.1:{metrics_port}")),
        "the metrics listener is not on the annotated port: {args:?}"
    );
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
            } else if name == "POD_IP" {
                "127.0.0.1".to_owned()
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
    let path = out["metadata"]["annotations"]["prometheus.io/path"]
        .as_str()
        .expect("prometheus.io/path");
    let metrics = raw(
        &format!("127.0.0.1:{metrics_port}"),
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        b"",
    )
    .expect("metrics request");
    assert_eq!(metrics.status, 200, "{}", metrics.text());
    assert!(
        metrics.text().contains("# TYPE strata_build_info gauge"),
        "{}",
        metrics.text()
    );
    drop(server);
}
