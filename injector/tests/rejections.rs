//! Pods the webhook refuses, and the message the user sees for each. Messages are
//! asserted in full where they are the contract (what `kubectl apply` prints).

mod common;

use common::{pod, review, Webhook};
use http::{Method, StatusCode};
use serde_json::{json, Value};

async fn rejection(hook: &Webhook, p: &Value) -> String {
    let out = hook.review(&review(p, "demo", false)).await;
    assert_eq!(
        out["response"]["allowed"], false,
        "expected a rejection: {out}"
    );
    assert!(
        out["response"].get("patch").is_none(),
        "a rejection carries no patch"
    );
    assert_eq!(out["response"]["status"]["code"], 400);
    out["response"]["status"]["message"]
        .as_str()
        .expect("message")
        .to_owned()
}

#[tokio::test]
async fn a_volume_named_in_the_annotation_but_absent_from_the_pod_is_rejected() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["strata.io/volumes"] = json!("fast=nvme-0,nvme-9");
    p["metadata"]["annotations"]
        .as_object_mut()
        .expect("annotations")
        .remove("strata.io/erasure");
    assert_eq!(
        rejection(&hook, &p).await,
        "strata: strata.io/volumes: storage class \"fast\" names volume \"nvme-9\", but the pod has no volume of that name \
         (pod volumes: nvme-0, nvme-1, nvme-2, nvme-3, hdd-0, hdd-1); add it to the pod (spec.volumes or the StatefulSet's \
         volumeClaimTemplates) or fix the annotation"
    );
}

#[tokio::test]
async fn an_app_container_mounting_a_strata_volume_is_rejected() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["containers"][0]["volumeMounts"] = json!([{"name": "hdd-1", "mountPath": "/data"}]);
    assert_eq!(
        rejection(&hook, &p).await,
        "strata: container \"app\" mounts volume \"hdd-1\", which strata.io/volumes gives to the strata sidecar; remove that \
         volumeMount and use S3 instead (a direct mount bypasses strata's erasure coding and S3 access control)"
    );
}

#[tokio::test]
async fn an_init_container_mounting_a_strata_volume_is_rejected_too() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["initContainers"] = json!([{"name": "restore", "image": "x", "volumeMounts": [{"name": "nvme-0", "mountPath": "/d"}]}]);
    assert!(rejection(&hook, &p)
        .await
        .contains("container \"restore\" mounts volume \"nvme-0\""));
}

#[tokio::test]
async fn a_missing_volumes_annotation_is_rejected_with_an_example() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"] = json!({});
    let message = rejection(&hook, &p).await;
    assert!(
        message.starts_with("strata: annotation strata.io/volumes is required"),
        "{message}"
    );
    assert!(message.contains("fast=data-0"), "{message}");
}

#[tokio::test]
async fn malformed_annotations_are_rejected_naming_the_annotation() {
    let hook = Webhook::start().await;
    let cases = [
        (
            "strata.io/volumes",
            "fast nvme-0",
            "strata.io/volumes: \"fast nvme-0\" must be CLASS=VOLUME",
        ),
        (
            "strata.io/erasure",
            "fast=3+2",
            "class \"fast\" has 4 volumes but \"3+2\" needs 5",
        ),
        (
            "strata.io/buckets",
            "Uploads",
            "\"Uploads\" is not a valid bucket name",
        ),
        (
            "strata.io/memory-limit",
            "1 GB",
            "strata.io/memory-limit: \"1 GB\" is not a Kubernetes quantity",
        ),
        (
            "strata.io/native-sidecar",
            "yes",
            "strata.io/native-sidecar: \"yes\" must be \"true\" or \"false\"",
        ),
        (
            "strata.io/tls-secret",
            "My_Secret",
            "strata.io/tls-secret: \"My_Secret\" is not a valid object name",
        ),
    ];
    for (key, value, expected) in cases {
        let mut p = pod();
        p["metadata"]["annotations"][key] = json!(value);
        let message = rejection(&hook, &p).await;
        assert!(message.contains(expected), "{key}={value}: {message}");
    }
}

#[tokio::test]
async fn an_app_port_on_the_sidecar_port_is_rejected() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 9000}]);
    assert_eq!(
        rejection(&hook, &p).await,
        "strata: container \"app\" declares port 9000, which the strata sidecar listens on; move the app to another port"
    );
}

#[tokio::test]
async fn an_app_port_on_the_sidecar_metrics_port_is_rejected() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 9464, "name": "otel"}]);
    assert_eq!(
        rejection(&hook, &p).await,
        "strata: container \"app\" declares port 9464, which the strata sidecar listens on; move the app to another port (or the sidecar's metrics, with strata.io/metrics-port)"
    );
}

#[tokio::test]
async fn an_app_on_9464_is_admitted_once_the_metrics_port_moves_and_the_new_port_is_refused() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 9464, "name": "otel"}]);
    p["metadata"]["annotations"]["strata.io/metrics-port"] = json!("9465");
    hook.admit(&p, "demo").await;
    p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 9465, "name": "otel"}]);
    assert_eq!(
        rejection(&hook, &p).await,
        "strata: container \"app\" declares port 9465, which the strata sidecar listens on; move the app to another port (or the sidecar's metrics, with strata.io/metrics-port)"
    );
}

#[tokio::test]
async fn a_metrics_port_that_is_privileged_taken_or_not_a_number_is_refused() {
    let hook = Webhook::start().await;
    for (value, problem) in [
        ("80", "80 is a privileged port, which the sidecar (no capabilities) cannot bind; use 1024-65535"),
        ("9000", "9000 is the sidecar's S3 port; choose another"),
        ("9443", "9443 is the sidecar's S3 port; choose another"),
        ("70000", "\"70000\" is not a port number; write e.g. \"9465\""),
        ("metrics", "\"metrics\" is not a port number; write e.g. \"9465\""),
    ] {
        let mut p = pod();
        p["metadata"]["annotations"]["strata.io/metrics-port"] = json!(value);
        assert_eq!(
            rejection(&hook, &p).await,
            format!("strata: annotation strata.io/metrics-port: {problem}"),
            "{value}"
        );
    }
}

#[tokio::test]
async fn names_the_sidecar_needs_are_reserved() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["volumes"]
        .as_array_mut()
        .expect("volumes")
        .push(json!({"name": "strata-data", "emptyDir": {}}));
    assert!(rejection(&hook, &p)
        .await
        .contains("already has a volume named \"strata-data\""));
    let mut p = pod();
    p["spec"]["containers"][0]["name"] = json!("strata");
    assert!(rejection(&hook, &p)
        .await
        .contains("already has a container named \"strata\""));
}

#[tokio::test]
async fn app_containers_named_by_annotation_must_exist() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["strata.io/app-containers"] = json!("web");
    assert_eq!(
        rejection(&hook, &p).await,
        "strata: strata.io/app-containers names \"web\", which is not a container of this pod"
    );
}

#[tokio::test]
async fn a_body_that_is_not_an_admission_review_gets_http_400() {
    let hook = Webhook::start().await;
    for body in [
        b"not json".to_vec(),
        br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"}"#.to_vec(),
    ] {
        let (status, text) = hook
            .client
            .call(Method::POST, "/mutate", "application/json", Some(body))
            .await
            .expect("call");
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(&text)
        );
    }
}
