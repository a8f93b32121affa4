//! Running web-identity pods get the cluster's new keys: after a rotation the injector
//! rewrites the `strata.io/cluster-jwks` annotation of every running injected pod that holds
//! another copy (the kubelet then refreshes the sidecar's downward-API file). The API server
//! is a FAKE (`common/fake_api.rs`, as no API server runs here) that lists pods by label
//! selector in pages and applies merge patches.

mod common;

use common::fake_api::FakeApi;
use common::{refresh_every_50ms, series, until};
use serde_json::{json, Value};
use strata_injector::cluster::RunningPods;
use strata_injector::running_pods::{self, RefreshError, RefreshReport};
use strata_injector::web_identity::CLUSTER_JWKS;

/// A pod as the API server lists it: labelled for injection or not, with a copy of the keys
/// (web identity) or none (static keys), in `phase`.
fn pod(name: &str, injected: bool, jwks: Option<&str>, phase: &str) -> Value {
    let mut pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "namespace": "apps", "name": name,
            "labels": {"strata.io/inject": if injected { "true" } else { "false" }},
            "annotations": {"strata.io/status": "injected", "team": "payments"},
        },
        "status": {"phase": phase},
    });
    if let Some(jwks) = jwks {
        pod["metadata"]["annotations"][CLUSTER_JWKS] = json!(jwks);
    }
    pod
}

/// The copy pod `name` holds now.
fn held(api: &FakeApi, name: &str) -> Option<String> {
    let state = api.state.lock().unwrap();
    let pod = state.pods.iter().find(|p| p["metadata"]["name"] == name)?;
    pod["metadata"]["annotations"][CLUSTER_JWKS]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test]
async fn a_pass_rewrites_running_pods_with_another_copy_and_leaves_every_other_pod() {
    let api = FakeApi::start().await;
    {
        let mut state = api.state.lock().unwrap();
        let mut terminating = pod("terminating", true, Some("old"), "Running");
        terminating["metadata"]["deletionTimestamp"] = json!("2026-12-06T10:00:00Z");
        state.pods = vec![
            pod("stale-1", true, Some("old"), "Running"),
            pod("current", true, Some("new"), "Running"),
            pod("static-keys", true, None, "Running"),
            pod("done", true, Some("old"), "Succeeded"),
            terminating,
            pod("not-injected", false, Some("old"), "Running"),
            pod("stale-2", true, Some("old"), "Pending"),
            pod("deleted-meanwhile", true, Some("old"), "Running"),
        ];
        state.vanishing = vec!["deleted-meanwhile".to_owned()];
    }
    let report = running_pods::refresh(&api.client(), "new")
        .await
        .expect("pass");
    assert_eq!(
        report,
        RefreshReport {
            patched: 2,
            current: 1,
            gone: 1,
            failed: 0
        }
    );
    assert!(report.complete());
    assert_eq!(held(&api, "stale-1").as_deref(), Some("new"));
    assert_eq!(held(&api, "stale-2").as_deref(), Some("new"));
    for untouched in ["done", "terminating", "not-injected"] {
        assert_eq!(held(&api, untouched).as_deref(), Some("old"), "{untouched}");
    }
    assert_eq!(held(&api, "static-keys"), None);
    // The patch touched that one annotation: the pod's others are as they were.
    let state = api.state.lock().unwrap();
    let patched = state
        .pods
        .iter()
        .find(|p| p["metadata"]["name"] == "stale-1")
        .unwrap();
    assert_eq!(patched["metadata"]["annotations"]["team"], "payments");
    assert_eq!(
        patched["metadata"]["annotations"]["strata.io/status"],
        "injected"
    );
    assert_eq!(state.pod_patches, 2);
}

#[tokio::test]
async fn without_rbac_the_pass_fails_and_patches_nothing() {
    let api = FakeApi::start().await;
    {
        let mut state = api.state.lock().unwrap();
        state.pods = vec![pod("stale", true, Some("old"), "Running")];
        state.pods_forbidden = true;
    }
    let error = running_pods::refresh(&api.client(), "new")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, RefreshError::Api(_)) && error.to_string().contains("403"),
        "{error}"
    );
    assert_eq!(held(&api, "stale").as_deref(), Some("old"));
}

#[tokio::test]
async fn after_a_rotation_running_pods_follow_and_a_failed_pass_is_tried_again() {
    let api = FakeApi::start().await;
    api.state.lock().unwrap().pods = vec![
        pod(
            "web-0",
            true,
            Some("admitted before this injector"),
            "Running",
        ),
        pod(
            "web-1",
            true,
            Some("admitted before this injector"),
            "Running",
        ),
        pod("static", true, None, "Running"),
    ];
    let (keys, metrics) = refresh_every_50ms(&api, RunningPods::Refresh);
    let jwks_held = || keys.current().map(|k| k.jwks.clone());
    // At start: pods admitted by an earlier injector are brought to the copy it read.
    until("pods given the first copy", || {
        jwks_held().is_some_and(|j| {
            held(&api, "web-0") == Some(j.clone()) && held(&api, "web-1") == Some(j)
        })
    })
    .await;
    // A pass counts its pods once its last patch is answered: wait for the count.
    let patched = r#"strata_injector_running_pod_key_updates_total{outcome="patched"}"#;
    until("two pods counted", || series(&metrics, patched) == 2.0).await;
    assert_eq!(held(&api, "static"), None);
    // The cluster rotates its signing key: the running pods follow.
    api.state.lock().unwrap().jwks =
        Some(json!({"keys": [{"kty": "RSA", "kid": "two", "n": "AQAB", "e": "AQAB"}]}));
    until("pods given the rotated keys", || {
        held(&api, "web-0").is_some_and(|j| j.contains("\"two\""))
            && held(&api, "web-1").is_some_and(|j| j.contains("\"two\""))
    })
    .await;
    until("four pods counted", || series(&metrics, patched) == 4.0).await;
    assert_eq!(series(&metrics, "strata_injector_running_pods_behind"), 0.0);
    // Another rotation while the injector may not touch pods: the pass fails, is counted,
    // and the pods keep the last copy they got...
    api.state.lock().unwrap().pods_forbidden = true;
    api.state.lock().unwrap().jwks =
        Some(json!({"keys": [{"kty": "RSA", "kid": "three", "n": "AQAB", "e": "AQAB"}]}));
    until("the failed pass counted", || {
        series(&metrics, "strata_injector_running_pods_behind") == 1.0
    })
    .await;
    assert!(held(&api, "web-0").is_some_and(|j| j.contains("\"two\"")));
    // ...until the RBAC is back: the next refresh tries again.
    api.state.lock().unwrap().pods_forbidden = false;
    until("pods given the third keys", || {
        held(&api, "web-0").is_some_and(|j| j.contains("\"three\""))
            && held(&api, "web-1").is_some_and(|j| j.contains("\"three\""))
    })
    .await;
    until("no longer behind", || {
        series(&metrics, "strata_injector_running_pods_behind") == 0.0
    })
    .await;
    // Once the passes owed after a change are done (the one that worked, and one more for
    // pods admitted meanwhile), later refreshes list no pods.
    let fetches = r#"strata_injector_cluster_keys_fetches_total{outcome="ok"}"#;
    let later = series(&metrics, fetches) + 3.0;
    until("more refreshes", || series(&metrics, fetches) >= later).await;
    let lists = api.state.lock().unwrap().pod_lists;
    let later = series(&metrics, fetches) + 3.0;
    until("more refreshes", || series(&metrics, fetches) >= later).await;
    assert_eq!(api.state.lock().unwrap().pod_lists, lists);
}

#[tokio::test]
async fn with_refresh_off_running_pods_keep_the_copy_of_their_admission() {
    let api = FakeApi::start().await;
    api.state.lock().unwrap().pods = vec![pod("web-0", true, Some("old"), "Running")];
    let (keys, metrics) = refresh_every_50ms(&api, RunningPods::Leave);
    until("keys loaded", || keys.current().is_some()).await;
    let fetches = r#"strata_injector_cluster_keys_fetches_total{outcome="ok"}"#;
    until("more refreshes", || series(&metrics, fetches) >= 3.0).await;
    assert_eq!(held(&api, "web-0").as_deref(), Some("old"));
    assert_eq!(api.state.lock().unwrap().pod_lists, 0);
}
