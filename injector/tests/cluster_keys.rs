//! The cluster's service-account issuer and keys, read from the API server (a FAKE one:
//! `common/fake_api.rs`, as no API server runs here) and kept fresh: the last good copy
//! survives a failing API server and a malformed answer, and every read is counted in the
//! injector's metrics.

mod common;

use common::fake_api::{FakeApi, ISSUER};
use common::{refresh_every_50ms, series, until};
use serde_json::json;
use strata_injector::cluster::{self, ClusterKeysError, RunningPods};

#[tokio::test]
async fn the_issuer_and_keys_are_read_as_the_api_server_documents_them() {
    let api = FakeApi::start().await;
    let identity = cluster::fetch(&api.client()).await.expect("fetch");
    assert_eq!(identity.issuer, ISSUER);
    let jwks: serde_json::Value = serde_json::from_str(&identity.jwks).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "one");
    // A JWKS without keys, and a failing server, are errors, never an empty trust.
    api.state.lock().unwrap().jwks = Some(json!({"keys": []}));
    let empty = cluster::fetch(&api.client()).await.unwrap_err();
    assert!(
        matches!(empty, ClusterKeysError::Malformed { .. }),
        "{empty}"
    );
    api.state.lock().unwrap().jwks = None;
    let down = cluster::fetch(&api.client()).await.unwrap_err();
    assert!(matches!(down, ClusterKeysError::Api(_)), "{down}");
}

#[tokio::test]
async fn keys_stay_fresh_the_last_good_copy_survives_failures_and_reads_are_counted() {
    let api = FakeApi::start().await;
    api.state.lock().unwrap().jwks = None;
    let (keys, metrics) = refresh_every_50ms(&api, RunningPods::Leave);
    // The API server fails from the start: nothing held, the failures counted.
    let errors = r#"strata_injector_cluster_keys_fetches_total{outcome="error"}"#;
    until("a failed read counted", || series(&metrics, errors) >= 1.0).await;
    assert!(keys.current().is_none());
    assert_eq!(series(&metrics, "strata_injector_cluster_keys_loaded"), 0.0);
    assert_eq!(
        series(
            &metrics,
            "strata_injector_cluster_keys_fetched_timestamp_seconds"
        ),
        0.0
    );
    // It recovers (the refresher retries every few seconds while it holds nothing).
    let rotated = json!({"keys": [{"kty": "RSA", "kid": "two", "n": "AQAB", "e": "AQAB"}]});
    api.state.lock().unwrap().jwks = Some(rotated);
    until("keys loaded", || keys.current().is_some()).await;
    let held = keys.current().unwrap();
    assert_eq!(held.issuer, ISSUER);
    assert!(held.jwks.contains("\"two\""), "{}", held.jwks);
    until("loaded gauge", || {
        series(&metrics, "strata_injector_cluster_keys_loaded") == 1.0
    })
    .await;
    assert!(
        series(
            &metrics,
            "strata_injector_cluster_keys_fetched_timestamp_seconds"
        ) > 0.0
    );
    // Failing again: the last good copy stays, and stays loaded.
    let failed = series(&metrics, errors);
    api.state.lock().unwrap().jwks = None;
    until("another failure", || series(&metrics, errors) > failed).await;
    assert_eq!(keys.current().as_deref(), Some(&*held));
    assert_eq!(series(&metrics, "strata_injector_cluster_keys_loaded"), 1.0);
    let ok = r#"strata_injector_cluster_keys_fetches_total{outcome="ok"}"#;
    assert!(series(&metrics, ok) >= 1.0);
}
