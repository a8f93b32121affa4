//! The admin API through the request stack: routed by its own table, authenticated and
//! authorized like S3, observed like any request, and never a quiet success.

use std::sync::Arc;

use crate::config::Limits;
use crate::observe::Stage;
use crate::s3::Operation;
use crate::testing::{request_head, MemoryExchange, TestStack};
use crate::transform::Identity;

async fn stack() -> TestStack {
    TestStack::new(Arc::new(Identity), Limits::default()).await
}

/// A request with no credential at all (the harness signs as root unless told otherwise).
async fn unsigned(t: &TestStack, method: &str, target: &str) -> MemoryExchange {
    let (head, ()) = http::Request::builder()
        .method(method)
        .uri(target)
        .header("host", "127.0.0.1:9000")
        .body(())
        .unwrap()
        .into_parts();
    let mut x = MemoryExchange::with_body(b"");
    t.stack.serve(&mut x, &head).await;
    x
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_gets_the_status_as_json_and_the_event_names_the_admin_operation() {
    let t = stack().await;
    let x = t.send("GET", "/strata/admin/status", &[], b"").await;
    assert_eq!(
        x.status,
        Some(200),
        "{}",
        String::from_utf8_lossy(&x.body_out)
    );
    assert_eq!(x.header("content-type"), Some("application/json"));
    let v: serde_json::Value = serde_json::from_slice(&x.body_out).unwrap();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["ready"], true);
    assert_eq!(v["shutting_down"], false);
    assert!(v["uptime_seconds"].is_u64());
    let class = &v["classes"][0];
    assert_eq!(class["name"], "fast");
    assert_eq!(class["scheme"], "2+2");
    assert_eq!(class["write_quorum"], 3);
    assert_eq!(class["read_quorum"], 2);
    assert_eq!(class["volumes_total"], 4);
    assert_eq!(class["volumes_online"], 4);
    let volumes = class["volumes"].as_array().unwrap();
    assert_eq!(volumes.len(), 4);
    assert!(volumes
        .iter()
        .all(|v| v["online"] == true && v["capacity_bytes"].as_u64().unwrap() > 0));
    let events = t.recorder.events();
    let e = events.last().unwrap();
    assert_eq!(e.op, Some(Operation::AdminGetStatus));
    assert_eq!(e.stage, Stage::Handler);
    assert!(e.principal.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_shuts_the_server_down_and_readiness_follows() {
    let t = stack().await;
    let ready = t.send("GET", "/strata/health/ready", &[], b"").await;
    assert_eq!(ready.status, Some(200));
    let x = t.send("POST", "/strata/admin/shutdown", &[], b"").await;
    assert_eq!(x.status, Some(202));
    let ready = t.send("GET", "/strata/health/ready", &[], b"").await;
    assert_eq!(ready.status, Some(503));
    let status = t.send("GET", "/strata/admin/status", &[], b"").await;
    let v: serde_json::Value = serde_json::from_slice(&status.body_out).unwrap();
    assert_eq!(v["shutting_down"], true);
    assert_eq!(v["ready"], false);
    let ops: Vec<_> = t.recorder.events().iter().map(|e| e.op).collect();
    assert!(ops.contains(&Some(Operation::AdminShutdown)), "{ops:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_admin_calls_are_denied_and_nothing_happens() {
    let t = stack().await;
    for (method, target) in [
        ("POST", "/strata/admin/shutdown"),
        ("GET", "/strata/admin/status"),
    ] {
        let x = unsigned(&t, method, target).await;
        assert_eq!(x.status, Some(403), "{method} {target}");
        assert_eq!(x.error_code().as_deref(), Some("AccessDenied"));
        let e = t.recorder.events().pop().unwrap();
        assert_eq!(e.stage, Stage::Authorize);
        // The reason reaches the event (and so the audit trail), not the client.
        assert_eq!(e.denial, Some("anonymous"));
    }
    let ready = t.send("GET", "/strata/health/ready", &[], b"").await;
    assert_eq!(
        ready.status,
        Some(200),
        "an unsigned shutdown stopped the server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_signature_is_refused_at_authentication() {
    let t = stack().await;
    let x = t
        .send(
            "POST",
            "/strata/admin/shutdown",
            &[("x-test-key", "bad")],
            b"",
        )
        .await;
    assert_eq!(x.error_code().as_deref(), Some("SignatureDoesNotMatch"));
    assert_eq!(
        t.recorder.events().pop().unwrap().stage,
        Stage::Authenticate
    );
    let ready = t.send("GET", "/strata/health/ready", &[], b"").await;
    assert_eq!(ready.status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_and_wrong_methods_are_refused_at_routing() {
    let t = stack().await;
    let cases = [
        ("GET", "/strata/admin/nope", 404, "NoSuchKey"),
        ("GET", "/strata/admin", 404, "NoSuchKey"),
        ("GET", "/strata/admin/shutdown", 405, "MethodNotAllowed"),
        ("POST", "/strata/admin/status", 405, "MethodNotAllowed"),
    ];
    for (method, target, status, code) in cases {
        let x = t.send(method, target, &[], b"").await;
        assert_eq!(x.status, Some(status), "{method} {target}");
        assert_eq!(x.error_code().as_deref(), Some(code), "{method} {target}");
        assert_eq!(t.recorder.events().pop().unwrap().stage, Stage::Route);
    }
    let ready = t.send("GET", "/strata/health/ready", &[], b"").await;
    assert_eq!(ready.status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_call_with_a_body_is_refused() {
    let t = stack().await;
    let head = request_head("POST", "/strata/admin/shutdown", &[], Some(5));
    let mut x = MemoryExchange::with_body(b"hello");
    t.stack.serve(&mut x, &head).await;
    assert_eq!(x.error_code().as_deref(), Some("InvalidRequest"));
    let ready = t.send("GET", "/strata/health/ready", &[], b"").await;
    assert_eq!(ready.status, Some(200));
}
