//! The audit event's contract (field names, what is filled when) and the auditor's fan-out.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use prometheus_client::registry::Registry;
use serde_json::json;

use super::sink::{
    spawn, BatchSettings, BufferSettings, Delivery, Record, RetrySettings, SendError, SinkKind,
    SinkMetrics, SinkService, SinkSpec, WhenFull,
};
use super::*;
use crate::auth::Principal;
use crate::observe::{Observe, Peer, RequestEvent, Stage, TlsInfo};
use crate::s3::error::Code;
use crate::s3::operation::Operation;

fn get_event() -> RequestEvent {
    RequestEvent {
        request_id: "REQ1".into(),
        host_id: "HOST1REQ1".into(),
        started: UNIX_EPOCH + Duration::from_millis(1_700_000_000_250),
        duration: Duration::from_micros(1_500),
        method: http::Method::GET,
        path: "/photos/cat.jpg".into(),
        op: Some(Operation::GetObject),
        bucket: Some("photos".into()),
        key: Some("cat.jpg".into()),
        version_id: None,
        stage: Stage::Handler,
        principal: Some(Principal::Key {
            access_key: "AKID".into(),
            identity: crate::identity::Identity::test_root("root"),
        }),
        status: Some(200),
        error: None,
        denial: None,
        bytes_in: 0,
        bytes_out: 5,
        peer: Peer {
            addr: Some("10.0.0.7:4242".parse().unwrap()),
            tls: Some(TlsInfo {
                version: "TLSv1_3".into(),
                cipher: "x".into(),
            }),
            ..Default::default()
        },
        user_agent: Some("aws-cli/2".into()),
        removed: Vec::new(),
        written: None,
        sse: None,
        kms_key_id: None,
        tier: None,
    }
}

/// The event's JSON document, parsed back.
fn encoded(e: &RequestEvent) -> serde_json::Value {
    let mut doc = Vec::new();
    AuditEvent::from_request(e).write_json(&mut doc);
    serde_json::from_slice(&doc).unwrap()
}

#[test]
fn hostile_keys_ipv6_sources_and_odd_times_encode_as_valid_json() {
    let mut e = get_event();
    e.key = Some("a\"b\\c\nd\u{1}é/😀".into());
    e.peer.addr = Some("[::1]:8080".parse().unwrap());
    e.started = UNIX_EPOCH - Duration::from_secs(86_400);
    let v = encoded(&e);
    assert_eq!(v["key"], "a\"b\\c\nd\u{1}é/😀");
    assert_eq!(v["source"], "[::1]:8080");
    assert_eq!(v["time"], "1969-12-31T00:00:00Z");
}

#[test]
fn fields_are_written_in_the_documented_order() {
    let mut doc = Vec::new();
    AuditEvent::from_request(&get_event()).write_json(&mut doc);
    let doc = String::from_utf8(doc).unwrap();
    let order = [
        "time",
        "request_id",
        "principal",
        "access_key",
        "principal_arn",
        "account_id",
        "source",
        "user_agent",
        "operation",
        "bucket",
        "key",
        "version_id",
        "status",
        "error_code",
        "denial_reason",
        "bytes_in",
        "bytes_out",
        "duration_ms",
        "tls",
        "stage",
        "sse",
        "kms_key_id",
        "tier",
        "storage_class",
        "lifecycle_action",
        "lifecycle_outcome",
        "source_identity",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|f| {
            doc.find(&format!("\"{f}\":"))
                .unwrap_or_else(|| panic!("{f} in {doc}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{doc}");
}

#[test]
fn the_event_has_exactly_the_documented_fields() {
    let e = get_event();
    let v = encoded(&e);
    assert_eq!(
        v,
        json!({
            "time": "2023-11-14T22:13:20.25Z",
            "request_id": "REQ1",
            "principal": "root",
            "access_key": "AKID",
            "principal_arn": "arn:aws:iam::111122223333:root",
            "account_id": "111122223333",
            "source": "10.0.0.7:4242",
            "user_agent": "aws-cli/2",
            "operation": "GetObject",
            "bucket": "photos",
            "key": "cat.jpg",
            "version_id": null,
            "status": 200,
            "error_code": null,
            "denial_reason": null,
            "bytes_in": 0,
            "bytes_out": 5,
            "duration_ms": 1.5,
            "tls": true,
            "stage": null,
            "sse": null,
            "kms_key_id": null,
            "tier": null,
            "storage_class": null,
            "lifecycle_action": null,
            "lifecycle_outcome": null,
            "source_identity": null,
        })
    );
}

#[test]
fn a_role_sessions_source_identity_is_in_its_events() {
    let mut e = get_event();
    let mut identity = (*crate::identity::Identity::test_root("root")).clone();
    identity.source_identity = Some("alice@example.com".into());
    e.principal = Some(Principal::Key {
        access_key: "ASIAKEY".into(),
        identity: std::sync::Arc::new(identity),
    });
    assert_eq!(encoded(&e)["source_identity"], "alice@example.com");
}

#[test]
fn a_refused_request_names_its_code_and_the_stage_that_refused_it() {
    let mut e = get_event();
    e.principal = Some(Principal::Anonymous);
    e.stage = Stage::Authorize;
    e.status = Some(403);
    e.error = Some(Code::AccessDenied);
    e.denial = Some("no_allow");
    e.peer.tls = None;
    let v = encoded(&e);
    assert_eq!(v["denial_reason"], "no_allow");
    assert_eq!(v["principal"], "anonymous");
    assert_eq!(v["principal_arn"], serde_json::Value::Null);
    assert_eq!(v["account_id"], serde_json::Value::Null);
    assert_eq!(v["access_key"], serde_json::Value::Null);
    assert_eq!(v["error_code"], "AccessDenied");
    assert_eq!(v["stage"], "authorize");
    assert_eq!(v["tls"], false);
}

#[test]
fn a_dropped_connection_has_a_null_status_and_its_stage() {
    let mut e = get_event();
    e.status = None;
    let v = encoded(&e);
    assert_eq!(v["status"], serde_json::Value::Null);
    assert_eq!(v["stage"], "handler");
}

#[test]
fn a_read_through_names_its_tier() {
    let mut e = get_event();
    e.tier = Some("cold".into());
    assert_eq!(encoded(&e)["tier"], "cold");
}

fn transition_record() -> LifecycleRecord<'static> {
    LifecycleRecord {
        time: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        duration: Duration::from_micros(2_250),
        action: "transition",
        outcome: "done",
        bucket: "photos",
        key: "old/cat.jpg",
        version_id: "v1",
        storage_class: Some("GLACIER_IR"),
        tier: Some("cold"),
    }
}

#[test]
fn a_lifecycle_action_is_an_event_without_a_principal() {
    let mut doc = Vec::new();
    AuditEvent::from_lifecycle(&transition_record(), "LC1").write_json(&mut doc);
    let v: serde_json::Value = serde_json::from_slice(&doc).unwrap();
    assert_eq!(
        v,
        json!({
            "time": "2023-11-14T22:13:20Z",
            "request_id": "LC1",
            "principal": null,
            "access_key": null,
            "principal_arn": null,
            "account_id": null,
            "source": null,
            "user_agent": null,
            "operation": "LifecycleTransition",
            "bucket": "photos",
            "key": "old/cat.jpg",
            "version_id": "v1",
            "status": null,
            "error_code": null,
            "denial_reason": null,
            "bytes_in": 0,
            "bytes_out": 0,
            "duration_ms": 2.25,
            "tls": false,
            "stage": null,
            "sse": null,
            "kms_key_id": null,
            "tier": "cold",
            "storage_class": "GLACIER_IR",
            "lifecycle_action": "transition",
            "lifecycle_outcome": "done",
            "source_identity": null,
        })
    );
    let expired = LifecycleRecord {
        action: "expire_noncurrent",
        outcome: "locked",
        storage_class: None,
        tier: None,
        ..transition_record()
    };
    let mut doc = Vec::new();
    AuditEvent::from_lifecycle(&expired, "LC2").write_json(&mut doc);
    let v: serde_json::Value = serde_json::from_slice(&doc).unwrap();
    assert_eq!(v["operation"], "LifecycleExpiration");
    assert_eq!(v["lifecycle_outcome"], "locked");
    assert_eq!(v["tier"], serde_json::Value::Null);
}

/// Keeps what it is sent.
#[derive(Default)]
struct Keep(std::sync::Mutex<Vec<Record>>);

#[async_trait::async_trait]
impl SinkService for Keep {
    async fn send(&self, batch: &[Record]) -> Result<Delivery, SendError> {
        self.0.lock().unwrap().extend_from_slice(batch);
        Ok(Delivery::All)
    }
}

fn spec(name: &str) -> SinkSpec {
    SinkSpec {
        name: name.into(),
        kind: SinkKind::Audit,
        batch: BatchSettings {
            max_age: Duration::from_millis(10),
            ..Default::default()
        },
        buffer: BufferSettings::default(),
        retry: RetrySettings::default(),
        when_full: WhenFull::Drop,
    }
}

/// An auditor with two sinks that keep what they are sent.
fn auditor_of_two() -> (Auditor, Arc<Keep>, Arc<Keep>) {
    let mut registry = Registry::default();
    let metrics = SinkMetrics::register(&mut registry);
    let rt = tokio::runtime::Handle::current();
    let (a, b) = (Arc::new(Keep::default()), Arc::new(Keep::default()));
    let auditor = Auditor::new(vec![
        spawn(spec("a"), a.clone(), &metrics, &rt).unwrap(),
        spawn(spec("b"), b.clone(), &metrics, &rt).unwrap(),
    ]);
    (auditor, a, b)
}

#[tokio::test]
async fn the_auditor_sends_one_encoding_to_every_sink_and_skips_internal_endpoints() {
    let (auditor, a, b) = auditor_of_two();
    assert!(auditor.observe(&get_event()).is_none());
    let mut probe = get_event();
    probe.stage = Stage::Internal;
    probe.op = None;
    assert!(auditor.observe(&probe).is_none());
    auditor.shutdown(Duration::from_secs(2)).await;
    let (a, b) = (a.0.lock().unwrap(), b.0.lock().unwrap());
    assert_eq!(a.len(), 1, "the health probe is not audited");
    assert_eq!(*a, *b);
    assert!(
        a[0].doc.as_ptr() == b[0].doc.as_ptr(),
        "encoded once, shared"
    );
    let started = get_event().started.duration_since(UNIX_EPOCH).unwrap();
    assert_eq!(a[0].time_ns, started.as_nanos() as u64);
    let v: serde_json::Value = serde_json::from_slice(&a[0].doc).unwrap();
    assert_eq!(v["request_id"], "REQ1");
}

#[tokio::test]
async fn lifecycle_actions_reach_every_sink_with_fresh_request_ids() {
    let (auditor, a, b) = auditor_of_two();
    auditor.record_lifecycle(&transition_record()).await;
    auditor.record_lifecycle(&transition_record()).await;
    auditor.shutdown(Duration::from_secs(2)).await;
    let (a, b) = (a.0.lock().unwrap(), b.0.lock().unwrap());
    assert_eq!(a.len(), 2);
    assert_eq!(*a, *b);
    let at = transition_record().time.duration_since(UNIX_EPOCH).unwrap();
    assert_eq!(a[0].time_ns, at.as_nanos() as u64);
    let ids: Vec<serde_json::Value> = a
        .iter()
        .map(|r| serde_json::from_slice::<serde_json::Value>(&r.doc).unwrap()["request_id"].clone())
        .collect();
    assert_ne!(ids[0], ids[1], "each action has its own id");
    assert!(ids[0].as_str().is_some_and(|s| !s.is_empty()));
}
