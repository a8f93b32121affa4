//! Injected pods are valid Kubernetes 1.30 objects, checked by the real
//! `kubernetes-validate --strict` (unknown fields fail). The tool's path comes from
//! `STRATA_KUBERNETES_VALIDATE` (set by tests/realparts/k8s/run-injector-tests.sh);
//! without it this test fails: a schema check that silently does not run proves nothing.

mod common;

use std::process::Command;

use common::{pod, Webhook};
use serde_json::json;
use strata_injector::config::InjectorConfig;

fn validator() -> String {
    match std::env::var("STRATA_KUBERNETES_VALIDATE") {
        Ok(path) if std::path::Path::new(&path).exists() => path,
        Ok(path) => panic!("STRATA_KUBERNETES_VALIDATE={path} does not exist; run tests/realparts/k8s/install-tools.sh"),
        Err(_) => panic!(
            "STRATA_KUBERNETES_VALIDATE is not set: run `tests/realparts/k8s/run-injector-tests.sh`, or \
             eval \"$(tests/realparts/k8s/install-tools.sh)\" and export STRATA_KUBERNETES_VALIDATE"
        ),
    }
}

#[tokio::test]
async fn injected_pods_validate_strictly_against_kubernetes_1_30() {
    let tool = validator();
    let native = Webhook::start().await;
    let fallback = Webhook::start_with(InjectorConfig {
        native_sidecars: false,
        ..common::test_config()
    })
    .await;

    let mut everything = pod();
    let a = &mut everything["metadata"]["annotations"];
    a["strata.io/tls-secret"] = json!("reports-tls");
    a["strata.io/config"] = json!("reports-strata");
    a["strata.io/credentials-secret"] = json!("reports-keys");
    a["strata.io/cpu-limit"] = json!("2");
    everything["spec"]["initContainers"] =
        json!([{"name": "migrate", "image": "example.org/migrate:1"}]);
    everything["spec"]["securityContext"] = json!({"runAsUser": 1000});

    let mut generated = pod();
    generated["metadata"]
        .as_object_mut()
        .expect("metadata")
        .remove("name");
    generated["metadata"]["generateName"] = json!("reports-");

    let mut named_later = native.admit(&generated, "demo").await;
    // The API server fills in the name from generateName when it stores the pod; the
    // validator needs a name to report on, so give it the one the server would.
    named_later["metadata"]["name"] = json!("reports-x7k2p");
    let pods = [
        ("default", native.admit(&pod(), "demo").await),
        ("everything", native.admit(&everything, "demo").await),
        ("generate-name", named_later),
        ("fallback", fallback.admit(&everything, "demo").await),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (name, p) in &pods {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(p).expect("json")).expect("write");
        files.push(path);
    }
    let out = Command::new(&tool)
        .args(["-k", "1.30.0", "--strict"])
        .args(&files)
        .output()
        .expect("run kubernetes-validate");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "kubernetes-validate failed:\n{report}"
    );
    assert_eq!(
        report.matches("passed").count(),
        pods.len(),
        "every pod reported as passed:\n{report}"
    );
}

#[test]
fn the_validator_rejects_an_unknown_field_so_a_pass_means_something() {
    let tool = validator();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.json");
    let mut p = pod();
    p["spec"]["containers"][0]["bogusField"] = json!(1);
    std::fs::write(&path, serde_json::to_vec(&p).expect("json")).expect("write");
    let out = Command::new(&tool)
        .args(["-k", "1.30.0", "--strict"])
        .arg(&path)
        .output()
        .expect("run kubernetes-validate");
    assert!(!out.status.success(), "an unknown field must fail --strict");
}
