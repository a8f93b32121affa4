use std::time::Duration;

use prometheus_client::registry::Registry;

use super::*;
use crate::auth::Principal;
use crate::observe::{Observe, Peer, RequestEvent, Stage};
use crate::s3::error::Code;
use crate::s3::operation::Operation;

fn event(
    op: Option<Operation>,
    status: Option<u16>,
    error: Option<Code>,
    stage: Stage,
) -> RequestEvent {
    RequestEvent {
        request_id: "r".into(),
        host_id: "h".into(),
        started: std::time::SystemTime::now(),
        duration: Duration::from_millis(3),
        method: http::Method::GET,
        path: "/b/k".into(),
        op,
        bucket: Some("b".into()),
        key: Some("k".into()),
        version_id: None,
        stage,
        principal: Some(Principal::Anonymous),
        status,
        error,
        denial: None,
        bytes_in: 7,
        bytes_out: 11,
        peer: Peer::default(),
        user_agent: None,
        removed: Vec::new(),
        written: None,
        sse: None,
        kms_key_id: None,
        tier: None,
    }
}

fn render(registry: Registry, accept: Option<&str>) -> Rendered {
    let exposition = Exposition::default();
    exposition.publish(registry);
    exposition.render(accept).expect("published")
}

#[test]
fn a_request_is_counted_by_operation_status_class_and_bytes() {
    let mut registry = Registry::default();
    let m = RequestMetrics::register(&mut registry, false);
    m.observe(&event(
        Some(Operation::GetObject),
        Some(200),
        None,
        Stage::Handler,
    ));
    m.observe(&event(
        Some(Operation::GetObject),
        None,
        None,
        Stage::Handler,
    ));
    let text = render(registry, None).body;
    assert!(
        text.contains("strata_s3_requests_total{op=\"GetObject\",status_class=\"2xx\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("strata_s3_requests_total{op=\"GetObject\",status_class=\"dropped\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("strata_s3_received_bytes_total{op=\"GetObject\"} 14\n"),
        "{text}"
    );
    assert!(
        text.contains("strata_s3_sent_bytes_total{op=\"GetObject\"} 22\n"),
        "{text}"
    );
    assert!(
        text.contains("strata_s3_request_duration_seconds_count{op=\"GetObject\"} 2\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "strata_s3_request_duration_seconds_bucket{op=\"GetObject\",le=\"0.005\"} 2\n"
        ),
        "{text}"
    );
}

#[test]
fn refusals_at_authentication_and_authorization_are_auth_failures_others_are_not() {
    let mut registry = Registry::default();
    let m = RequestMetrics::register(&mut registry, false);
    let sig = Some(Code::SignatureDoesNotMatch);
    m.observe(&event(
        Some(Operation::GetObject),
        Some(403),
        sig,
        Stage::Authenticate,
    ));
    m.observe(&event(
        Some(Operation::GetObject),
        Some(403),
        Some(Code::AccessDenied),
        Stage::Authorize,
    ));
    m.observe(&event(
        Some(Operation::GetObject),
        Some(404),
        Some(Code::NoSuchKey),
        Stage::Handler,
    ));
    let text = render(registry, None).body;
    assert!(text.contains("strata_auth_failures_total{stage=\"authenticate\",reason=\"SignatureDoesNotMatch\"} 1\n"), "{text}");
    assert!(
        text.contains(
            "strata_auth_failures_total{stage=\"authorize\",reason=\"AccessDenied\"} 1\n"
        ),
        "{text}"
    );
    assert!(!text.contains("reason=\"NoSuchKey\""), "{text}");
    assert!(
        text.contains("strata_s3_errors_total{code=\"NoSuchKey\"} 1\n"),
        "{text}"
    );
}

#[test]
fn internal_endpoints_are_not_s3_traffic() {
    let mut registry = Registry::default();
    let m = RequestMetrics::register(&mut registry, false);
    m.observe(&event(None, Some(200), None, Stage::Internal));
    let text = render(registry, None).body;
    assert!(!text.contains("strata_s3_requests_total{"), "{text}");
}

#[test]
fn bucket_labels_exist_only_when_turned_on_and_only_for_authorized_requests() {
    let mut registry = Registry::default();
    let m = RequestMetrics::register(&mut registry, false);
    m.observe(&event(
        Some(Operation::GetObject),
        Some(200),
        None,
        Stage::Handler,
    ));
    assert!(!render(registry, None).body.contains("bucket="));

    let mut registry = Registry::default();
    let m = RequestMetrics::register(&mut registry, true);
    m.observe(&event(
        Some(Operation::GetObject),
        Some(200),
        None,
        Stage::Handler,
    ));
    let mut unsigned = event(
        Some(Operation::GetObject),
        Some(403),
        Some(Code::AccessDenied),
        Stage::Authenticate,
    );
    unsigned.bucket = Some("invented".into());
    m.observe(&unsigned);
    let text = render(registry, None).body;
    assert!(
        text.contains("strata_bucket_requests_total{bucket=\"b\",status_class=\"2xx\"} 1\n"),
        "{text}"
    );
    assert!(!text.contains("invented"), "{text}");
}

#[test]
fn openmetrics_is_served_when_asked_for_and_the_text_format_otherwise() {
    let build = || {
        let mut registry = Registry::default();
        let m = RequestMetrics::register(&mut registry, false);
        m.observe(&event(
            Some(Operation::PutObject),
            Some(200),
            None,
            Stage::Handler,
        ));
        registry
    };
    let om = render(
        build(),
        Some("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"),
    );
    assert!(om.content_type.starts_with("application/openmetrics-text"));
    assert!(om.body.ends_with("# EOF\n"));
    assert!(
        om.body.contains("# TYPE strata_s3_requests counter\n"),
        "{}",
        om.body
    );
    let text = render(build(), Some("text/plain"));
    assert!(text.content_type.starts_with("text/plain; version=0.0.4"));
    assert!(!text.body.contains("# EOF"));
    assert!(
        text.body
            .contains("# TYPE strata_s3_requests_total counter\n"),
        "{}",
        text.body
    );
    let refused = render(build(), Some("application/openmetrics-text;q=0"));
    assert!(refused.content_type.starts_with("text/plain"));
}

#[test]
fn nothing_is_served_before_the_registry_is_published() {
    assert!(Exposition::default().render(None).is_none());
}
