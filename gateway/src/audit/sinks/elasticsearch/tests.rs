//! `_bulk` against a small in-test receiver (no Elasticsearch is installable here): the
//! NDJSON body and the per-item results of a `200` reply.

use std::collections::BTreeMap;
use std::time::Duration;

use strata_tests::{Answer, Receiver};

use super::*;
use crate::audit::sink::{Delivery, ItemResult, Record, SinkService};
use crate::audit::sinks::http::HttpOptions;

fn service(receiver: &Receiver) -> ElasticsearchService {
    ElasticsearchConfig {
        http: HttpOptions {
            url: receiver.url("/"),
            auth_header: Some("ApiKey abc".into()),
            auth_header_file: None,
            headers: BTreeMap::new(),
            ca_file: None,
        },
        keys: ElasticsearchKeys {
            index: "audit-x".into(),
        },
    }
    .build(Duration::from_secs(5))
    .unwrap()
}

fn batch() -> Vec<Record> {
    (0..3)
        .map(|i| Record::new(i, format!("{{\"n\":{i}}}")))
        .collect()
}

#[test]
fn the_body_is_action_and_document_lines_with_a_trailing_newline() {
    let body = encode_bulk(br#"{"create":{"_index":"a"}}"#, &batch()[..2]);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "{\"create\":{\"_index\":\"a\"}}\n{\"n\":0}\n{\"create\":{\"_index\":\"a\"}}\n{\"n\":1}\n"
    );
}

#[tokio::test]
async fn posts_ndjson_to_bulk_and_a_reply_without_errors_delivers_all() {
    let receiver = Receiver::start();
    receiver.answer(|_| Answer::Status(200, r#"{"took":1,"errors":false,"items":[]}"#.into()));
    assert_eq!(service(&receiver).send(&batch()).await, Ok(Delivery::All));
    let got = &receiver.accepted()[0];
    assert_eq!(got.path, "/_bulk");
    assert_eq!(got.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(got.header("authorization"), Some("ApiKey abc"));
    let lines: Vec<_> = got.text().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0], r#"{"create":{"_index":"audit-x"}}"#);
    assert!(got.text().ends_with('\n'));
}

#[tokio::test]
async fn failed_items_of_a_200_are_retried_or_refused_by_their_own_status() {
    let receiver = Receiver::start();
    receiver.answer(|_| {
        Answer::Status(
            200,
            r#"{"errors":true,"items":[{"create":{"status":201}},{"create":{"status":429}},{"create":{"status":400,"error":{"type":"mapper_parsing_exception"}}}]}"#.into(),
        )
    });
    assert_eq!(
        service(&receiver).send(&batch()).await,
        Ok(Delivery::Items(vec![
            ItemResult::Delivered,
            ItemResult::Retry,
            ItemResult::Rejected
        ]))
    );
}

#[test]
fn items_a_reply_leaves_out_are_retried() {
    let got = bulk_items(br#"{"errors":true,"items":[{"index":{"status":503}}]}"#, 2).unwrap();
    assert_eq!(got, Some(vec![ItemResult::Retry, ItemResult::Retry]));
    assert!(bulk_items(b"not json", 1).is_err());
}
