//! What an injected pod looks like: sidecar placement, volumes, settings, app env,
//! security, idempotency and the pods the webhook leaves alone. Every test sends an
//! AdmissionReview to the running HTTPS webhook and applies the returned JSON Patch.

mod common;

use common::{apply, container, env, patch_of, pod, review, Webhook};
use serde_json::{json, Value};
use strata_injector::config::InjectorConfig;

fn names(pod: &Value, list: &str) -> Vec<String> {
    pod["spec"][list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn sidecar_is_the_first_init_container_and_restarts_always() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    assert_eq!(names(&out, "initContainers"), ["strata"]);
    let sidecar = container(&out, "initContainers", "strata");
    assert_eq!(sidecar["restartPolicy"], "Always");
    assert_eq!(
        sidecar["args"],
        json!(["serve", "--metrics-listen", "$(POD_IP):9464"])
    );
    let startup = &sidecar["startupProbe"]["exec"]["command"];
    assert_eq!(
        startup,
        &json!([
            "/usr/local/bin/strata-injector",
            "probe",
            "http://127.0.0.1:9000/strata/health/ready"
        ])
    );
    assert_eq!(
        names(&out, "containers"),
        ["app"],
        "app containers stay where they were"
    );
}

#[tokio::test]
async fn sidecar_goes_before_existing_init_containers_which_then_get_s3() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["initContainers"] = json!([{"name": "migrate", "image": "example.org/migrate:1"}]);
    let out = hook.admit(&p, "demo").await;
    assert_eq!(names(&out, "initContainers"), ["strata", "migrate"]);
    let migrate = container(&out, "initContainers", "migrate");
    assert_eq!(
        env(migrate, "AWS_ENDPOINT_URL_S3"),
        Some(&json!("http://127.0.0.1:9000"))
    );
}

#[tokio::test]
async fn volumes_are_mounted_into_the_sidecar_only_under_volumes_class_index() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    let sidecar = container(&out, "initContainers", "strata");
    let mounts: Vec<(String, String)> = sidecar["volumeMounts"]
        .as_array()
        .expect("mounts")
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap_or("").to_owned(),
                m["mountPath"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for (name, path) in [
        ("nvme-0", "/volumes/fast/0"),
        ("nvme-3", "/volumes/fast/3"),
        ("hdd-0", "/volumes/bulk/0"),
        ("hdd-1", "/volumes/bulk/1"),
    ] {
        assert!(
            mounts.contains(&(name.to_owned(), path.to_owned())),
            "{name} at {path} in {mounts:?}"
        );
    }
    let app = container(&out, "containers", "app");
    let app_mounts: Vec<&str> = app["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(
        app_mounts,
        ["strata-token"],
        "the app gets only its token, never a data volume"
    );
}

#[tokio::test]
async fn sidecar_settings_follow_the_cli_contract() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    let s = container(&out, "initContainers", "strata");
    assert_eq!(env(s, "STRATA_LISTEN"), Some(&json!("127.0.0.1:9000")));
    assert_eq!(env(s, "STRATA_VOLUMES"), Some(&json!("fast=/volumes/fast/0,/volumes/fast/1,/volumes/fast/2,/volumes/fast/3;bulk=/volumes/bulk/0,/volumes/bulk/1")));
    assert_eq!(
        env(s, "STRATA_ERASURE"),
        Some(&json!("fast=2+2;bulk=mirror"))
    );
    assert_eq!(env(s, "STRATA_BUCKETS"), Some(&json!("uploads,reports")));
    assert_eq!(env(s, "STRATA_DATA"), Some(&json!("/var/lib/strata")));
    assert_eq!(env(s, "STRATA_REGION"), Some(&json!("us-east-1")));
    assert_eq!(
        env(s, "STRATA_TLS_LISTEN"),
        None,
        "no pod-port TLS unless asked"
    );
    let volumes = out["spec"]["volumes"].as_array().expect("volumes");
    let data = volumes
        .iter()
        .find(|v| v["name"] == "strata-data")
        .expect("strata-data volume");
    assert!(
        data["emptyDir"].is_object(),
        "STRATA_DATA is an emptyDir: {data}"
    );
}

#[tokio::test]
async fn apps_get_the_endpoint_region_and_a_web_identity_by_default() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    let app = container(&out, "containers", "app");
    // Only S3 and STS point at the sidecar: no global endpoint for the app's other services.
    assert_eq!(env(app, "AWS_ENDPOINT_URL"), None);
    assert_eq!(
        env(app, "AWS_ENDPOINT_URL_S3"),
        Some(&json!("http://127.0.0.1:9000"))
    );
    assert_eq!(
        env(app, "AWS_ENDPOINT_URL_STS"),
        Some(&json!("http://127.0.0.1:9000"))
    );
    assert_eq!(env(app, "AWS_REGION"), Some(&json!("us-east-1")));
    assert_eq!(
        env(app, "AWS_WEB_IDENTITY_TOKEN_FILE"),
        Some(&json!("/var/run/secrets/strata.io/serviceaccount/token"))
    );
    assert_eq!(
        env(app, "AWS_ROLE_ARN"),
        Some(&json!("arn:aws:iam::000000000000:role/demo/reports"))
    );
    let token = out["spec"]["volumes"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["name"] == "strata-token"))
        .expect("token volume");
    assert_eq!(
        token["projected"]["sources"][0]["serviceAccountToken"]["audience"],
        "strata"
    );
}

#[tokio::test]
async fn keys_from_a_secret_go_to_the_app_as_env_and_to_the_sidecar_as_files() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["strata.io/credentials-secret"] = json!("reports-keys");
    let out = hook.admit(&p, "demo").await;
    let app = container(&out, "containers", "app");
    assert_eq!(
        env(app, "AWS_ACCESS_KEY_ID"),
        Some(&json!({"secretKeyRef": {"name": "reports-keys", "key": "access-key"}}))
    );
    assert_eq!(
        env(app, "AWS_SECRET_ACCESS_KEY"),
        Some(&json!({"secretKeyRef": {"name": "reports-keys", "key": "secret-key"}}))
    );
    assert_eq!(env(app, "AWS_WEB_IDENTITY_TOKEN_FILE"), None);
    let s = container(&out, "initContainers", "strata");
    assert_eq!(
        env(s, "STRATA_ACCESS_KEY_FILE"),
        Some(&json!("/etc/strata/credentials/access-key"))
    );
    assert_eq!(
        env(s, "STRATA_SECRET_KEY_FILE"),
        Some(&json!("/etc/strata/credentials/secret-key"))
    );
}

#[tokio::test]
async fn tls_secret_and_config_map_are_mounted_read_only_into_the_sidecar() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["strata.io/tls-secret"] = json!("reports-tls");
    p["metadata"]["annotations"]["strata.io/config"] = json!("reports-strata");
    let out = hook.admit(&p, "demo").await;
    let s = container(&out, "initContainers", "strata");
    assert_eq!(env(s, "STRATA_TLS_LISTEN"), Some(&json!("0.0.0.0:9443")));
    assert_eq!(
        env(s, "STRATA_TLS_CERT"),
        Some(&json!("/etc/strata/tls/tls.crt"))
    );
    assert_eq!(
        env(s, "STRATA_TLS_KEY"),
        Some(&json!("/etc/strata/tls/tls.key"))
    );
    assert_eq!(
        env(s, "STRATA_CONFIG"),
        Some(&json!("/etc/strata/config/strata.toml"))
    );
    for m in s["volumeMounts"]
        .as_array()
        .expect("mounts")
        .iter()
        .filter(|m| m["name"] == "strata-tls" || m["name"] == "strata-config")
    {
        assert_eq!(m["readOnly"], true, "{m}");
        assert!(
            m.get("subPath").is_none(),
            "no subPath, so rotated files show up: {m}"
        );
    }
    assert_eq!(s["ports"][0]["containerPort"], 9443);
}

#[tokio::test]
async fn sidecar_is_restricted_and_the_pod_gets_fs_group_on_root_mismatch() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    let sc = &container(&out, "initContainers", "strata")["securityContext"];
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(out["spec"]["securityContext"]["fsGroup"], 65532);
    assert_eq!(
        out["spec"]["securityContext"]["fsGroupChangePolicy"],
        "OnRootMismatch"
    );
}

#[tokio::test]
async fn an_existing_fs_group_and_user_env_values_are_kept() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["securityContext"] = json!({"fsGroup": 2000});
    p["spec"]["containers"][0]["env"] = json!([{"name": "AWS_REGION", "value": "eu-west-3"}]);
    let out = hook.admit(&p, "demo").await;
    assert_eq!(out["spec"]["securityContext"]["fsGroup"], 2000);
    assert_eq!(
        out["spec"]["securityContext"]["fsGroupChangePolicy"],
        "OnRootMismatch"
    );
    let app = container(&out, "containers", "app");
    assert_eq!(
        env(app, "AWS_REGION"),
        Some(&json!("eu-west-3")),
        "the user's value wins"
    );
    assert_eq!(
        app["env"]
            .as_array()
            .map(|e| e.iter().filter(|e| e["name"] == "AWS_REGION").count()),
        Some(1)
    );
}

#[tokio::test]
async fn resources_default_with_requests_and_follow_annotations() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    let r = &container(&out, "initContainers", "strata")["resources"];
    assert_eq!(
        r,
        &json!({"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "1Gi"}})
    );
    let mut p = pod();
    p["metadata"]["annotations"]["strata.io/cpu-request"] = json!("500m");
    p["metadata"]["annotations"]["strata.io/cpu-limit"] = json!("2");
    p["metadata"]["annotations"]["strata.io/memory-limit"] = json!("2Gi");
    let out = hook.admit(&p, "demo").await;
    let r = &container(&out, "initContainers", "strata")["resources"];
    assert_eq!(
        r,
        &json!({"requests": {"cpu": "500m", "memory": "128Mi"}, "limits": {"cpu": "2", "memory": "2Gi"}})
    );
}

#[tokio::test]
async fn default_container_points_at_the_app_and_status_records_the_injection() {
    let hook = Webhook::start().await;
    let out = hook.admit(&pod(), "demo").await;
    let a = &out["metadata"]["annotations"];
    assert_eq!(a["kubectl.kubernetes.io/default-container"], "app");
    let status: Value =
        serde_json::from_str(a["strata.io/status"].as_str().expect("status")).expect("status JSON");
    assert_eq!(status["mode"], "native");
    assert_eq!(status["classes"], json!(["fast", "bulk"]));
}

#[tokio::test]
async fn injecting_twice_equals_injecting_once_and_the_second_call_sends_no_patch() {
    let hook = Webhook::start().await;
    let once = hook.admit(&pod(), "demo").await;
    let second = hook.review(&review(&once, "demo", false)).await;
    assert_eq!(second["response"]["allowed"], true);
    assert!(
        patch_of(&second).is_empty(),
        "reinvocation must not patch: {second}"
    );
    assert_eq!(apply(&once, &second), once);
}

#[tokio::test]
async fn containers_added_by_other_webhooks_are_left_untouched() {
    let hook = Webhook::start().await;
    let mut p = pod();
    let proxy = json!({"name": "istio-proxy", "image": "istio/proxyv2:1.22", "args": ["proxy"]});
    p["spec"]["containers"]
        .as_array_mut()
        .expect("containers")
        .push(proxy.clone());
    let out = hook.admit(&p, "demo").await;
    assert_eq!(container(&out, "containers", "istio-proxy"), &proxy);
}

#[tokio::test]
async fn pods_with_only_generate_name_are_injected() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]
        .as_object_mut()
        .expect("metadata")
        .remove("name");
    p["metadata"]["generateName"] = json!("reports-");
    let out = hook.admit(&p, "demo").await;
    assert_eq!(names(&out, "initContainers"), ["strata"]);
    assert!(out["metadata"].get("name").is_none());
}

#[tokio::test]
async fn pods_without_annotations_map_or_volumes_list_get_them_created() {
    let hook = Webhook::start().await;
    let p = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "x", "labels": {"strata.io/inject": "true"}, "annotations": {"strata.io/volumes": "fast=data"}},
        "spec": {"containers": [{"name": "app", "image": "app"}], "volumes": [{"name": "data", "emptyDir": {}}]}
    });
    let out = hook.admit(&p, "demo").await;
    assert_eq!(
        env(
            container(&out, "initContainers", "strata"),
            "STRATA_VOLUMES"
        ),
        Some(&json!("fast=/volumes/fast/0"))
    );
    assert_eq!(
        env(
            container(&out, "initContainers", "strata"),
            "STRATA_ERASURE"
        ),
        None,
        "default parity is the gateway's choice"
    );
}

#[tokio::test]
async fn dry_run_gets_the_same_answer_as_a_real_create() {
    let hook = Webhook::start().await;
    let real = hook.review(&review(&pod(), "demo", false)).await;
    let dry = hook.review(&review(&pod(), "demo", true)).await;
    assert_eq!(patch_of(&real), patch_of(&dry));
    assert_eq!(dry["response"]["allowed"], true);
}

#[tokio::test]
async fn fallback_mode_puts_the_sidecar_first_among_containers_with_a_post_start_wait() {
    let cfg = InjectorConfig {
        native_sidecars: false,
        ..common::test_config()
    };
    let hook = Webhook::start_with(cfg).await;
    let out = hook.admit(&pod(), "demo").await;
    assert_eq!(names(&out, "containers"), ["strata", "app"]);
    assert!(out["spec"]["initContainers"].is_null());
    let s = container(&out, "containers", "strata");
    assert!(s.get("restartPolicy").is_none());
    assert_eq!(
        s["lifecycle"]["postStart"]["exec"]["command"],
        json!([
            "/usr/local/bin/strata-injector",
            "probe",
            "--wait",
            "300",
            "http://127.0.0.1:9000/strata/health/ready"
        ])
    );
    let app = container(&out, "containers", "app");
    assert_eq!(
        env(app, "STRATA_SHUTDOWN_URL"),
        Some(&json!("http://127.0.0.1:9000/strata/admin/shutdown"))
    );
    assert_eq!(
        out["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"],
        "app"
    );
}

#[tokio::test]
async fn a_pod_can_ask_for_the_fallback_mode_by_annotation() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["annotations"]["strata.io/native-sidecar"] = json!("false");
    let out = hook.admit(&p, "demo").await;
    assert_eq!(names(&out, "containers"), ["strata", "app"]);
}

async fn assert_skipped(hook: &Webhook, p: &Value, namespace: &str) -> Value {
    let out = hook.review(&review(p, namespace, false)).await;
    assert_eq!(out["response"]["allowed"], true);
    assert!(patch_of(&out).is_empty(), "no patch expected: {out}");
    out
}

#[tokio::test]
async fn host_network_pods_are_skipped_with_a_warning() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["spec"]["hostNetwork"] = json!(true);
    let out = assert_skipped(&hook, &p, "demo").await;
    assert!(
        out["response"]["warnings"][0]
            .as_str()
            .is_some_and(|w| w.contains("hostNetwork")),
        "{out}"
    );
}

#[tokio::test]
async fn kube_system_and_the_injector_namespace_are_never_injected() {
    let hook = Webhook::start().await;
    assert_skipped(&hook, &pod(), "kube-system").await;
    assert_skipped(&hook, &pod(), "strata-system").await;
}

#[tokio::test]
async fn pods_without_the_label_set_to_true_are_not_touched() {
    let hook = Webhook::start().await;
    let mut p = pod();
    p["metadata"]["labels"]["strata.io/inject"] = json!("false");
    assert_skipped(&hook, &p, "demo").await;
}

#[tokio::test]
async fn updates_and_other_kinds_are_allowed_unchanged() {
    let hook = Webhook::start().await;
    let mut r = review(&pod(), "demo", false);
    r["request"]["operation"] = json!("UPDATE");
    let out = hook.review(&r).await;
    assert_eq!(out["response"]["allowed"], true);
    assert!(patch_of(&out).is_empty());
}
