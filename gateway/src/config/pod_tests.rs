//! The injected pod's settings: the root account id, the cluster issuer as a provider, and
//! the pod's role trusting only its service account.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use strata_sts::web_identity::KeySource;

use super::super::{load, Config, ConfigError, ServeArgs};
use super::{DEFAULT_POD_ROLE_POLICY, K8S_AUDIENCE};

const ARN: &str = "arn:aws:iam::123456789012:role/shop/checkout";
const SUBJECT: &str = "system:serviceaccount:shop:checkout";
const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

fn pod_env() -> HashMap<&'static str, String> {
    HashMap::from([
        ("STRATA_DEV", "true".to_string()),
        ("STRATA_ROOT_ACCOUNT_ID", "123456789012".to_string()),
        ("STRATA_STS_K8S_ISSUER", ISSUER.to_string()),
        (
            "STRATA_STS_K8S_JWKS_FILE",
            "/etc/strata/cluster/jwks.json".to_string(),
        ),
        ("STRATA_POD_ROLE_ARN", ARN.to_string()),
        ("STRATA_POD_SERVICE_ACCOUNT", SUBJECT.to_string()),
    ])
}

fn load_with(
    env: &HashMap<&'static str, String>,
    file: Option<&str>,
) -> Result<Config, ConfigError> {
    let args = ServeArgs {
        config: file.map(|_| PathBuf::from("/etc/strata.toml")),
        ..Default::default()
    };
    let text = file.unwrap_or_default().to_string();
    load(
        &args,
        &|k| env.get(k).cloned(),
        &move |p: &Path| match p.to_str() {
            Some("/etc/strata.toml") => Ok(text.clone()),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file",
            )),
        },
    )
}

#[test]
fn the_pod_role_trusts_only_the_pods_service_account_with_audience_strata() {
    let config = load_with(&pod_env(), None).unwrap();
    assert_eq!(config.root_account_id.as_deref(), Some("123456789012"));
    let [role] = config.roles.as_slice() else {
        panic!("one role expected: {:?}", config.roles)
    };
    assert_eq!(
        (
            role.name.as_str(),
            role.path.as_str(),
            role.account.as_str()
        ),
        ("checkout", "/shop/", "root")
    );
    let trust: serde_json::Value = serde_json::from_str(&role.trust).unwrap();
    let statement = &trust["Statement"][0];
    assert_eq!(statement["Action"], "sts:AssumeRoleWithWebIdentity");
    assert_eq!(
        statement["Principal"]["Federated"],
        "arn:aws:iam::123456789012:oidc-provider/kubernetes.default.svc.cluster.local"
    );
    let equals = &statement["Condition"]["StringEquals"];
    assert_eq!(equals["kubernetes.default.svc.cluster.local:sub"], SUBJECT);
    assert_eq!(
        equals["kubernetes.default.svc.cluster.local:aud"],
        K8S_AUDIENCE
    );
    assert_eq!(role.policy.as_deref(), Some(DEFAULT_POD_ROLE_POLICY));
}

#[test]
fn the_cluster_issuer_is_a_provider_with_its_jwks_file_and_audience_strata() {
    let config = load_with(&pod_env(), None).unwrap();
    let [provider] = config.sts.providers.as_slice() else {
        panic!("one provider expected")
    };
    assert_eq!(provider.issuer, ISSUER);
    assert_eq!(provider.audiences, vec!["strata".to_string()]);
    assert_eq!(
        provider.keys,
        KeySource::JwksFile("/etc/strata/cluster/jwks.json".into())
    );
}

#[test]
fn without_a_jwks_file_the_cluster_issuer_is_discovered() {
    let mut env = pod_env();
    env.remove("STRATA_STS_K8S_JWKS_FILE");
    let config = load_with(&env, None).unwrap();
    assert_eq!(config.sts.providers[0].keys, KeySource::Discovery);
}

#[test]
fn the_pod_role_policy_setting_wins_and_is_checked() {
    let mut env = pod_env();
    let own = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;
    env.insert("STRATA_POD_ROLE_POLICY", own.to_string());
    assert_eq!(
        load_with(&env, None).unwrap().roles[0].policy.as_deref(),
        Some(own)
    );
    env.insert(
        "STRATA_POD_ROLE_POLICY",
        r#"{"Statement":"nope"}"#.to_string(),
    );
    assert!(matches!(
        load_with(&env, None),
        Err(ConfigError::Invalid {
            setting: "--pod-role-policy",
            ..
        })
    ));
}

#[test]
fn a_config_file_role_of_the_same_name_gives_its_policy_but_not_its_trust() {
    let file = r#"
[[roles]]
name = "checkout"
trust_policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}'
max_session_secs = 7200
"#;
    let config = load_with(&pod_env(), Some(file)).unwrap();
    let [role] = config.roles.as_slice() else {
        panic!("the file's role is replaced, not kept beside")
    };
    assert!(role.policy.as_deref().unwrap().contains("s3:ListBucket"));
    assert!(role.trust.contains("AssumeRoleWithWebIdentity"));
    assert_eq!(role.max_session_secs, 7200);
}

#[test]
fn the_pod_role_must_be_in_the_root_account_id() {
    let mut env = pod_env();
    env.insert("STRATA_ROOT_ACCOUNT_ID", "999999999999".to_string());
    assert!(matches!(
        load_with(&env, None),
        Err(ConfigError::Invalid {
            setting: "--pod-role-arn",
            ..
        })
    ));
    env.remove("STRATA_ROOT_ACCOUNT_ID");
    assert_eq!(
        load_with(&env, None).unwrap_err(),
        ConfigError::Missing("--root-account-id")
    );
}

#[test]
fn malformed_pod_settings_name_the_setting() {
    for (name, value, setting) in [
        ("STRATA_ROOT_ACCOUNT_ID", "12345", "--root-account-id"),
        (
            "STRATA_STS_K8S_ISSUER",
            "kubernetes.default.svc",
            "--sts-k8s-issuer",
        ),
        (
            "STRATA_POD_ROLE_ARN",
            "arn:aws:iam::123456789012:user/x",
            "--pod-role-arn",
        ),
        (
            "STRATA_POD_SERVICE_ACCOUNT",
            "shop:checkout",
            "--pod-service-account",
        ),
    ] {
        let mut env = pod_env();
        env.insert(name, value.to_string());
        match load_with(&env, None) {
            Err(ConfigError::Invalid { setting: s, .. }) => assert_eq!(s, setting, "{name}"),
            other => panic!("{name}={value}: {other:?}"),
        }
    }
}
