//! Web-identity mode as the patched pod shows it: the sidecar's trust settings, the app's
//! S3/STS endpoints, and the `strata` profile beside IRSA / Pod Identity.

use serde_json::{json, Value};

use crate::cluster::{ClusterIdentity, ClusterKeys};
use crate::config::InjectorConfig;
use crate::inject::{decide, Outcome, Rejection};

const ISSUER: &str = "https://oidc.example.test/cluster";
const JWKS: &str = r#"{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"}]}"#;

fn cfg() -> InjectorConfig {
    InjectorConfig {
        role_account: "123456789012".to_owned(),
        cluster: ClusterKeys::with(ClusterIdentity {
            issuer: ISSUER.to_owned(),
            jwks: JWKS.to_owned(),
        }),
        ..InjectorConfig::default()
    }
}

fn pod(app_env: Value) -> Value {
    json!({
        "metadata": {
            "name": "shop-0",
            "labels": {"strata.io/inject": "true"},
            "annotations": {"strata.io/volumes": "fast=data-0"}
        },
        "spec": {
            "serviceAccountName": "checkout",
            "volumes": [{"name": "data-0", "emptyDir": {}}],
            "containers": [{"name": "app", "image": "example.org/app:1", "env": app_env}]
        }
    })
}

fn admit(pod: &Value, cfg: &InjectorConfig) -> Value {
    let Outcome::Inject(ops) = decide(pod, "shop", cfg) else {
        panic!("not injected: {:?}", decide(pod, "shop", cfg))
    };
    let patch: json_patch::Patch =
        serde_json::from_value(serde_json::to_value(ops).unwrap()).unwrap();
    let mut out = pod.clone();
    json_patch::patch(&mut out, &patch).unwrap();
    out
}

fn env<'a>(container: &'a Value, name: &str) -> Vec<&'a Value> {
    container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["name"] == name)
        .map(|e| &e["value"])
        .collect()
}

fn one<'a>(container: &'a Value, name: &str) -> Option<&'a str> {
    match env(container, name).as_slice() {
        [] => None,
        [v] => v.as_str(),
        more => panic!("{name} set {} times", more.len()),
    }
}

fn app(out: &Value) -> &Value {
    &out["spec"]["containers"][0]
}

fn sidecar(out: &Value) -> &Value {
    &out["spec"]["initContainers"][0]
}

fn volume<'a>(out: &'a Value, name: &str) -> Option<&'a Value> {
    out["spec"]["volumes"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["name"] == name))
}

#[test]
fn the_sidecar_trusts_the_cluster_issuer_through_the_annotated_jwks() {
    let out = admit(&pod(json!([])), &cfg());
    let s = sidecar(&out);
    assert_eq!(one(s, "STRATA_STS_K8S_ISSUER"), Some(ISSUER));
    assert_eq!(
        one(s, "STRATA_STS_K8S_JWKS_FILE"),
        Some("/etc/strata/cluster/jwks.json")
    );
    assert_eq!(
        out["metadata"]["annotations"]["strata.io/cluster-jwks"],
        JWKS
    );
    let cluster = volume(&out, "strata-cluster").expect("downward-API volume");
    assert_eq!(
        cluster["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"],
        "metadata.annotations['strata.io/cluster-jwks']"
    );
    assert!(s["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "strata-cluster" && m["mountPath"] == "/etc/strata/cluster"));
}

#[test]
fn the_sidecar_declares_the_apps_role_in_the_role_arns_account() {
    let out = admit(&pod(json!([])), &cfg());
    let s = sidecar(&out);
    assert_eq!(one(s, "STRATA_ROOT_ACCOUNT_ID"), Some("123456789012"));
    assert_eq!(
        one(s, "STRATA_POD_ROLE_ARN"),
        Some("arn:aws:iam::123456789012:role/shop/checkout")
    );
    assert_eq!(
        one(s, "STRATA_POD_SERVICE_ACCOUNT"),
        Some("system:serviceaccount:shop:checkout")
    );
    assert_eq!(
        one(s, "STRATA_POD_ROLE_POLICY"),
        None,
        "default policy: the sidecar's"
    );
    assert_eq!(
        one(app(&out), "AWS_ROLE_ARN"),
        Some("arn:aws:iam::123456789012:role/shop/checkout")
    );
}

#[test]
fn an_explicit_role_arn_gives_the_root_account_id() {
    let mut p = pod(json!([]));
    p["metadata"]["annotations"]["strata.io/role-arn"] =
        json!("arn:aws:iam::210987654321:role/reports-writer");
    let out = admit(&p, &cfg());
    assert_eq!(
        one(sidecar(&out), "STRATA_ROOT_ACCOUNT_ID"),
        Some("210987654321")
    );
    assert_eq!(
        one(sidecar(&out), "STRATA_POD_ROLE_ARN"),
        Some("arn:aws:iam::210987654321:role/reports-writer")
    );
}

#[test]
fn the_role_policy_annotation_is_checked_and_passed_to_the_sidecar() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;
    let mut p = pod(json!([]));
    p["metadata"]["annotations"]["strata.io/role-policy"] = json!(policy);
    let out = admit(&p, &cfg());
    assert_eq!(one(sidecar(&out), "STRATA_POD_ROLE_POLICY"), Some(policy));

    p["metadata"]["annotations"]["strata.io/role-policy"] =
        json!(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}"#);
    match decide(&p, "shop", &cfg()) {
        Outcome::Reject(Rejection::Annotation(e)) => {
            assert!(e.to_string().contains("strata.io/role-policy"), "{e}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn a_service_account_too_long_for_a_role_name_is_refused_with_the_fix() {
    let mut p = pod(json!([]));
    p["spec"]["serviceAccountName"] = json!("a".repeat(70));
    match decide(&p, "shop", &cfg()) {
        Outcome::Reject(Rejection::Role(why)) => {
            assert!(why.contains("strata.io/role-arn"), "{why}")
        }
        other => panic!("expected a role rejection, got {other:?}"),
    }
}

#[test]
fn without_the_cluster_keys_web_identity_is_refused_but_static_keys_are_not() {
    let cfg = InjectorConfig {
        cluster: ClusterKeys::default(),
        ..cfg()
    };
    let p = pod(json!([]));
    assert_eq!(
        decide(&p, "shop", &cfg),
        Outcome::Reject(Rejection::NoClusterKeys)
    );
    let mut keys = p.clone();
    keys["metadata"]["annotations"]["strata.io/credentials-secret"] = json!("shop-keys");
    assert!(matches!(decide(&keys, "shop", &cfg), Outcome::Inject(_)));
}

#[test]
fn apps_get_service_specific_endpoints_only() {
    let out = admit(&pod(json!([])), &cfg());
    let a = app(&out);
    assert_eq!(one(a, "AWS_ENDPOINT_URL"), None);
    assert_eq!(one(a, "AWS_ENDPOINT_URL_S3"), Some("http://127.0.0.1:9000"));
    assert_eq!(
        one(a, "AWS_ENDPOINT_URL_STS"),
        Some("http://127.0.0.1:9000")
    );
    assert_eq!(one(a, "AWS_CONFIG_FILE"), None);
    assert!(
        out["metadata"]["annotations"]
            .get("strata.io/aws-config")
            .is_none(),
        "no profile file when no container needs one"
    );
    assert!(volume(&out, "strata-aws-config").is_none());
}

fn assert_profile_instead_of_defaults(out: &Value) {
    let a = app(out);
    for name in [
        "AWS_ENDPOINT_URL_S3",
        "AWS_ENDPOINT_URL_STS",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        assert_eq!(
            one(a, name),
            None,
            "{name} would redirect the app's own AWS calls"
        );
    }
    assert_eq!(one(a, "AWS_CONFIG_FILE"), Some("/etc/strata/aws/config"));
    let mounts: Vec<&str> = a["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["mountPath"].as_str())
        .collect();
    assert!(mounts.contains(&"/etc/strata/aws"), "{mounts:?}");
    assert!(
        mounts.contains(&"/var/run/secrets/strata.io/serviceaccount"),
        "{mounts:?}"
    );
    let file = out["metadata"]["annotations"]["strata.io/aws-config"]
        .as_str()
        .expect("aws-config annotation");
    for line in [
        "[profile strata]",
        "role_arn = arn:aws:iam::123456789012:role/shop/checkout",
        "web_identity_token_file = /var/run/secrets/strata.io/serviceaccount/token",
        "services = strata",
        "[services strata]",
        "s3 =\n  endpoint_url = http://127.0.0.1:9000",
        "sts =\n  endpoint_url = http://127.0.0.1:9000",
    ] {
        assert!(file.contains(line), "{line:?} missing from:\n{file}");
    }
    assert!(
        !file.contains("[default]"),
        "the default profile is the app's"
    );
    assert_eq!(
        volume(out, "strata-aws-config").expect("volume")["downwardAPI"]["items"][0]["fieldRef"]
            ["fieldPath"],
        "metadata.annotations['strata.io/aws-config']"
    );
}

#[test]
fn an_irsa_container_keeps_its_role_and_gets_the_strata_profile() {
    let irsa = json!([
        {"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::111122223333:role/eks-app"},
        {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}
    ]);
    let out = admit(&pod(irsa), &cfg());
    let a = app(&out);
    assert_eq!(
        env(a, "AWS_ROLE_ARN"),
        [&json!("arn:aws:iam::111122223333:role/eks-app")]
    );
    assert_eq!(
        env(a, "AWS_WEB_IDENTITY_TOKEN_FILE"),
        [&json!(
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
        )]
    );
    assert_profile_instead_of_defaults(&out);
}

#[test]
fn a_pod_identity_container_keeps_its_credentials_and_gets_the_strata_profile() {
    let pod_identity = json!([
        {"name": "AWS_CONTAINER_CREDENTIALS_FULL_URI", "value": "http://169.254.170.23/v1/credentials"},
        {"name": "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "value": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"}
    ]);
    let out = admit(&pod(pod_identity), &cfg());
    assert_eq!(one(app(&out), "AWS_ROLE_ARN"), None);
    assert_profile_instead_of_defaults(&out);
}

#[test]
fn an_apps_own_aws_config_file_is_kept() {
    let own = json!([
        {"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::111122223333:role/eks-app"},
        {"name": "AWS_CONFIG_FILE", "value": "/app/aws-config"}
    ]);
    let out = admit(&pod(own), &cfg());
    assert_eq!(
        env(app(&out), "AWS_CONFIG_FILE"),
        [&json!("/app/aws-config")]
    );
    assert!(
        out["metadata"]["annotations"]["strata.io/aws-config"].is_string(),
        "the strata profile is still mounted at /etc/strata/aws/config for the app to include"
    );
}

#[test]
fn containers_of_one_pod_are_decided_one_by_one() {
    let mut p =
        pod(json!([{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::111122223333:role/eks-app"}]));
    p["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "worker", "image": "example.org/worker:1"}));
    let out = admit(&p, &cfg());
    let worker = &out["spec"]["containers"][1];
    assert_eq!(
        one(worker, "AWS_ROLE_ARN"),
        Some("arn:aws:iam::123456789012:role/shop/checkout")
    );
    assert_eq!(one(worker, "AWS_CONFIG_FILE"), None);
    assert_eq!(
        one(app(&out), "AWS_CONFIG_FILE"),
        Some("/etc/strata/aws/config")
    );
}

#[test]
fn apps_get_both_region_variables_unless_they_set_one() {
    let out = admit(&pod(json!([])), &cfg());
    assert_eq!(one(app(&out), "AWS_REGION"), Some("us-east-1"));
    assert_eq!(one(app(&out), "AWS_DEFAULT_REGION"), Some("us-east-1"));
    let out = admit(
        &pod(json!([{"name": "AWS_DEFAULT_REGION", "value": "eu-west-3"}])),
        &cfg(),
    );
    assert_eq!(one(app(&out), "AWS_REGION"), None);
    assert_eq!(one(app(&out), "AWS_DEFAULT_REGION"), Some("eu-west-3"));
}

#[test]
fn the_sidecar_borrows_the_pods_cloud_identity_for_its_tiers() {
    let azure = json!([
        {"name": "AZURE_CLIENT_ID", "value": "5b1e4c52-7c1a-4f0c-9f6a-0a11ce5e7ea1"},
        {"name": "AZURE_TENANT_ID", "value": "72f988bf-86f1-41af-91ab-2d7cd011db47"},
        {"name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/tokens/azure-identity-token"}
    ]);
    let mut pod = pod(azure);
    pod["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "azure-identity-token", "mountPath": "/var/run/secrets/azure/tokens"}]);
    let out = admit(&pod, &cfg());
    let s = sidecar(&out);
    assert_eq!(
        one(s, "AZURE_TENANT_ID"),
        Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
    );
    assert_eq!(
        one(s, "AZURE_FEDERATED_TOKEN_FILE"),
        Some("/var/run/secrets/azure/tokens/azure-identity-token")
    );
    let mounted = s["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "azure-identity-token" && m["readOnly"] == true);
    assert!(mounted, "{s}");
    // Strata's own role for the app is not the sidecar's.
    assert_eq!(one(s, "AWS_ROLE_ARN"), None);
}
