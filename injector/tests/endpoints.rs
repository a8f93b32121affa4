//! `/healthz`, `/metrics`, unknown paths, and the `probe` command the sidecar runs.

mod common;

use common::{pod, review, Webhook};
use http::{Method, StatusCode};
use strata_injector::probe;

#[tokio::test]
async fn healthz_answers_ok_once_a_certificate_is_loaded() {
    let hook = Webhook::start().await;
    let (status, body) = hook
        .client
        .call(Method::GET, "/healthz", "text/plain", None)
        .await
        .expect("GET");
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"ok\n"[..]));
    let (status, _) = hook
        .client
        .call(Method::GET, "/nope", "text/plain", None)
        .await
        .expect("GET");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = hook
        .client
        .call(Method::GET, "/mutate", "text/plain", None)
        .await
        .expect("GET");
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn metrics_count_admissions_by_result_and_observe_latency() {
    let hook = Webhook::start().await;
    hook.review(&review(&pod(), "demo", false)).await;
    hook.review(&review(&pod(), "kube-system", false)).await;
    let mut bad = pod();
    bad["metadata"]["annotations"]["strata.io/buckets"] = serde_json::json!("A");
    hook.review(&review(&bad, "demo", false)).await;
    let (status, body) = hook
        .client
        .call(Method::GET, "/metrics", "text/plain", None)
        .await
        .expect("GET");
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8_lossy(&body);
    for line in [
        "strata_injector_admissions_total{result=\"injected\"} 1",
        "strata_injector_admissions_total{result=\"skipped\"} 1",
        "strata_injector_admissions_total{result=\"rejected\"} 1",
        "strata_injector_admission_duration_seconds_count 3",
        "strata_injector_admission_duration_seconds_bucket{le=\"+Inf\"} 3",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[tokio::test]
async fn metrics_are_openmetrics_when_accepted_and_prometheus_text_otherwise() {
    let hook = Webhook::start().await;
    hook.review(&review(&pod(), "demo", false)).await;
    let prometheus_accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let (status, content_type, open) = hook.get_accepting("/metrics", prometheus_accept).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(open.ends_with("# EOF\n"), "{open}");
    assert!(open.contains("# TYPE strata_injector_admissions counter\n"));
    assert!(open.contains("strata_injector_admissions_total{result=\"injected\"} 1\n"));
    let (status, content_type, text) = hook.get_accepting("/metrics", "*/*").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert!(!text.contains("# EOF"), "{text}");
    assert!(text.contains("# TYPE strata_injector_admissions_total counter\n"));
}

#[tokio::test]
async fn promtool_accepts_both_exposition_formats() {
    let hook = Webhook::start().await;
    hook.review(&review(&pod(), "demo", false)).await;
    for (accept, openmetrics) in [
        ("application/openmetrics-text", true),
        ("text/plain", false),
    ] {
        let (_, _, body) = hook.get_accepting("/metrics", accept).await;
        strata_tests::promtool_check_metrics(&body, openmetrics);
    }
}

/// Reads a request head to its blank line. Closing with unread bytes would send a reset that
/// can discard the response before the probe reads it.
fn read_request_head(s: &mut std::net::TcpStream) {
    use std::io::Read;
    let mut head = Vec::new();
    let mut buf = [0u8; 256];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn probe_succeeds_on_200_and_fails_on_503_or_no_listener() {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = std::thread::spawn(move || {
        for status in ["200 OK", "503 Service Unavailable"] {
            let (mut s, _) = listener.accept().expect("accept");
            read_request_head(&mut s);
            let _ = write!(s, "HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let url = format!("http://{addr}/strata/health/ready");
    assert!(probe::probe_once(&url, std::time::Duration::from_secs(2)).is_ok());
    let err = probe::probe_once(&url, std::time::Duration::from_secs(2)).expect_err("503");
    assert!(err.to_string().contains("503"), "{err}");
    server.join().expect("server thread");
    assert!(
        probe::probe_once(&url, std::time::Duration::from_secs(1)).is_err(),
        "nobody listens any more"
    );
    assert!(matches!(
        probe::probe_once("https://x/", std::time::Duration::from_secs(1)),
        Err(probe::ProbeError::Url(_))
    ));
}

#[test]
fn probe_reads_a_status_line_sent_one_byte_at_a_time() {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        s.set_nodelay(true).expect("nodelay");
        read_request_head(&mut s);
        for b in b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n" {
            let _ = s.write_all(&[*b]);
            // Not a wait for readiness: the pause makes each byte its own segment, so the
            // probe really sees the status line in pieces.
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    });
    let url = format!("http://{addr}/strata/health/ready");
    let got = probe::probe_once(&url, std::time::Duration::from_secs(2));
    server.join().expect("server thread");
    assert!(got.is_ok(), "{got:?}");
}

/// Our own child process, killed by its handle when the test ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_serves_https_from_certificate_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = strata_injector::tls::unix_now();
    let authority = strata_injector::tls::ca::new_authority(now, 3600).expect("CA");
    let leaf =
        strata_injector::tls::ca::issue_leaf(&authority, &["localhost".to_owned()], now, 3600)
            .expect("leaf");
    let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    std::fs::write(&cert, &leaf.cert_pem).expect("cert");
    std::fs::write(&key, &leaf.key_pem).expect("key");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_strata-injector"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--tls-cert",
            ])
            .arg(&cert)
            .arg("--tls-key")
            .arg(&key)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn strata-injector"),
    );
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let (_token_dir, client) = common::client_for(addr, &authority.cert_pem);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match client
            .call(Method::GET, "/healthz", "text/plain", None)
            .await
        {
            Ok((status, _)) => {
                assert_eq!(status, StatusCode::OK);
                break;
            }
            Err(e) => assert!(
                std::time::Instant::now() < deadline,
                "strata-injector did not come up: {e}"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // With no API server, the binary has not the cluster's service-account keys: a pod with
    // static keys is injected, a web-identity one refused with the reason.
    let mutate = |pod: serde_json::Value| {
        let client = client.clone();
        async move {
            let (status, body) = client
                .call(
                    Method::POST,
                    "/mutate",
                    "application/json",
                    Some(serde_json::to_vec(&review(&pod, "demo", false)).expect("json")),
                )
                .await
                .expect("POST");
            assert_eq!(status, StatusCode::OK);
            serde_json::from_slice::<serde_json::Value>(&body).expect("json")
        }
    };
    let mut with_keys = pod();
    with_keys["metadata"]["annotations"]["strata.io/credentials-secret"] =
        serde_json::json!("reports-keys");
    let out = mutate(with_keys).await;
    assert_eq!(out["response"]["allowed"], true);
    assert_eq!(out["response"]["patchType"], "JSONPatch");
    let out = mutate(pod()).await;
    assert_eq!(out["response"]["allowed"], false);
    let message = out["response"]["status"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("has not yet read the cluster's service-account issuer and keys"),
        "{message}"
    );
}

#[test]
fn the_probe_command_exits_non_zero_when_nothing_listens() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_strata-injector"))
        .args([
            "probe",
            &format!("http://127.0.0.1:{port}/strata/health/ready"),
        ])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run probe");
    assert!(!status.success());
}
