//! The webhook sink against a small in-test HTTP receiver (`strata_tests::Receiver`): no
//! real webhook service is needed to check the wire format and the status rules.

use std::collections::BTreeMap;
use std::time::Duration;

use strata_tests::{Answer, Receiver};

use super::*;
use crate::audit::sink::{Delivery, Record, SendError, SinkService};
use crate::audit::sinks::http::HttpOptions;

fn options(url: String) -> HttpOptions {
    HttpOptions {
        url,
        auth_header: None,
        auth_header_file: None,
        headers: BTreeMap::new(),
        ca_file: None,
    }
}

fn batch() -> Vec<Record> {
    vec![
        Record::new(1, r#"{"a":1}"#),
        Record::new(2, r#"{"b":[2,3]}"#),
    ]
}

#[test]
fn a_batch_is_one_json_array_of_the_documents() {
    let body = encode_array(&batch());
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v, serde_json::json!([{"a": 1}, {"b": [2, 3]}]));
    assert_eq!(encode_array(&[]), b"[]");
}

#[tokio::test]
async fn posts_the_array_with_the_auth_header_from_its_file_and_the_extra_headers() {
    let receiver = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth");
    std::fs::write(&auth, "Bearer s3cret\n").unwrap();
    let mut o = options(receiver.url("/audit"));
    o.auth_header_file = Some(auth);
    o.headers.insert("x-tenant".into(), "blue".into());
    let service = WebhookConfig { http: o }
        .build(Duration::from_secs(5))
        .unwrap();
    assert_eq!(service.send(&batch()).await, Ok(Delivery::All));
    let got = receiver.accepted();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, "/audit");
    assert_eq!(got[0].header("authorization"), Some("Bearer s3cret"));
    assert_eq!(got[0].header("x-tenant"), Some("blue"));
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    assert_eq!(got[0].text(), r#"[{"a":1},{"b":[2,3]}]"#);
}

#[tokio::test]
async fn a_5xx_or_429_is_retryable_and_another_4xx_is_refused_for_good() {
    let receiver = Receiver::start();
    let service = WebhookConfig {
        http: options(receiver.url("/")),
    }
    .build(Duration::from_secs(5))
    .unwrap();
    for (status, retry) in [
        (500, true),
        (503, true),
        (429, true),
        (400, false),
        (403, false),
    ] {
        receiver.answer(move |_| Answer::Status(status, String::new()));
        match service.send(&batch()).await {
            Err(SendError::Retryable(_)) if retry => {}
            Err(SendError::Rejected(_)) if !retry => {}
            other => panic!("status {status}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_receiver_that_does_not_answer_is_a_retryable_failure_after_the_timeout() {
    let receiver = Receiver::start();
    receiver.answer(|_| Answer::Stall);
    let service = WebhookConfig {
        http: options(receiver.url("/")),
    }
    .build(Duration::from_millis(300))
    .unwrap();
    let started = std::time::Instant::now();
    assert!(matches!(
        service.send(&batch()).await,
        Err(SendError::Retryable(_))
    ));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn a_url_that_is_not_http_is_refused_at_build() {
    let err = WebhookConfig {
        http: options("ftp://example.com/".into()),
    }
    .build(Duration::from_secs(1))
    .unwrap_err();
    assert!(
        err.to_string().starts_with("url \"ftp://example.com/\""),
        "{err}"
    );
}
