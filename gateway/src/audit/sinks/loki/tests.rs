//! Loki's push format against a small in-test receiver (no Loki is installable here).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use strata_tests::{Answer, Receiver};

use super::*;
use crate::audit::sink::{Delivery, Record, SinkService};
use crate::audit::sinks::http::HttpOptions;

#[test]
fn a_push_is_one_stream_of_time_ordered_lines_with_nanosecond_strings() {
    let labels = BTreeMap::from([("job".to_string(), "a".to_string())]);
    let body = encode_push(
        &labels,
        &[Record::new(20, r#"{"n":2}"#), Record::new(10, r#"{"n":1}"#)],
    );
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v,
        json!({"streams": [{"stream": {"job": "a"}, "values": [["10", "{\"n\":1}"], ["20", "{\"n\":2}"]]}]})
    );
}

#[tokio::test]
async fn pushes_to_the_push_path_with_the_tenant_header() {
    let receiver = Receiver::start();
    receiver.answer(|_| Answer::Status(204, String::new()));
    let service = LokiConfig {
        http: HttpOptions {
            url: receiver.url(""),
            auth_header: None,
            auth_header_file: None,
            headers: BTreeMap::new(),
            ca_file: None,
        },
        keys: LokiKeys {
            tenant: Some("team-a".into()),
            ..LokiKeys::default()
        },
    }
    .build(Duration::from_secs(5))
    .unwrap();
    assert_eq!(
        service.send(&[Record::new(1, "{}")]).await,
        Ok(Delivery::All)
    );
    let got = &receiver.accepted()[0];
    assert_eq!(got.path, "/loki/api/v1/push");
    assert_eq!(got.header("x-scope-orgid"), Some("team-a"));
    let v: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(v["streams"][0]["stream"], json!({"job": "strata-audit"}));
}
