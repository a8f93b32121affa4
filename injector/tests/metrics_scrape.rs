//! How an injected pod is scraped: the sidecar's metrics listener on the pod IP, its named
//! port, and the `prometheus.io/*` annotations, which never override an app's own.

mod common;

use common::{container, env, pod, Webhook};
use serde_json::{json, Value};

fn annotations(pod: &Value) -> &serde_json::Map<String, Value> {
    pod["metadata"]["annotations"]
        .as_object()
        .expect("annotations")
}

fn prometheus_annotations(pod: &Value) -> Vec<(String, Value)> {
    annotations(pod)
        .iter()
        .filter(|(k, _)| k.starts_with("prometheus.io/"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[tokio::test]
async fn sidecar_serves_metrics_on_the_pod_ip_at_port_9464_named_strata_metrics() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    let sidecar = container(&out, "initContainers", "strata");
    assert_eq!(
        sidecar["args"],
        json!(["serve", "--metrics-listen", "$(POD_IP):9464"])
    );
    // The kubelet expands $(POD_IP) only from variables defined earlier in the list.
    assert_eq!(sidecar["env"][0]["name"], "POD_IP");
    assert_eq!(
        env(sidecar, "POD_IP"),
        Some(&json!({"fieldRef": {"fieldPath": "status.podIP"}}))
    );
    assert_eq!(
        sidecar["ports"],
        json!([{"name": "strata-metrics", "containerPort": 9464, "protocol": "TCP"}])
    );
}

#[tokio::test]
async fn strata_io_metrics_port_moves_the_listener_its_port_and_the_scrape_annotation() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["strata.io/metrics-port"] = json!("9465");
    let out = hook.admit(&p, "demo").await;
    let sidecar = container(&out, "initContainers", "strata");
    assert_eq!(
        sidecar["args"],
        json!(["serve", "--metrics-listen", "$(POD_IP):9465"])
    );
    assert_eq!(
        sidecar["ports"],
        json!([{"name": "strata-metrics", "containerPort": 9465, "protocol": "TCP"}])
    );
    assert!(
        prometheus_annotations(&out).contains(&("prometheus.io/port".to_owned(), json!("9465")))
    );
}

#[tokio::test]
async fn metrics_port_follows_the_https_port_when_tls_is_asked_for() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["strata.io/tls-secret"] = json!("reports-tls");
    let out = hook.admit(&p, "demo").await;
    let ports: Vec<&str> = container(&out, "initContainers", "strata")["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(ports, ["s3-https", "strata-metrics"]);
}

#[tokio::test]
async fn a_pod_without_scrape_annotations_gets_them_for_the_sidecar() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    assert_eq!(
        prometheus_annotations(&out),
        [
            ("prometheus.io/path".to_owned(), json!("/metrics")),
            ("prometheus.io/port".to_owned(), json!("9464")),
            ("prometheus.io/scrape".to_owned(), json!("true")),
        ]
    );
}

#[tokio::test]
async fn an_apps_own_scrape_annotations_are_kept_and_none_is_added() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["prometheus.io/scrape"] = json!("true");
    p["metadata"]["annotations"]["prometheus.io/port"] = json!("8080");
    let out = hook.admit(&p, "demo").await;
    assert_eq!(
        prometheus_annotations(&out),
        [
            ("prometheus.io/port".to_owned(), json!("8080")),
            ("prometheus.io/scrape".to_owned(), json!("true")),
        ]
    );
    // The sidecar still listens on its named port, for the PodMonitor.
    assert_eq!(
        container(&out, "initContainers", "strata")["ports"][0]["name"],
        "strata-metrics"
    );
}

#[tokio::test]
async fn any_single_prometheus_annotation_counts_as_the_apps_own() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["prometheus.io/scrape"] = json!("false");
    let out = hook.admit(&p, "demo").await;
    assert_eq!(
        prometheus_annotations(&out),
        [("prometheus.io/scrape".to_owned(), json!("false"))]
    );
}
