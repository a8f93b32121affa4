//! The sidecar's way to a Vault-compatible KMS (`strata.io/kms-*`, parsed in
//! [`crate::annotations`]) rendered: the transit engine's address, its CA bundle from a
//! ConfigMap, and a login with the sidecar's own projected service-account token through
//! the `kubernetes` or `jwt` auth method. No Secret holds a KMS credential: the kubelet
//! rotates the token in place, and the gateway reads it again at each login
//! (`docs/ENCRYPTION.md`).

use serde_json::{json, Value};

use crate::annotations::KmsRequest;

/// The projected token volume, the sidecar's only.
pub const KMS_TOKEN_VOLUME: &str = "strata-kms-token";
/// The CA bundle volume.
pub const KMS_CA_VOLUME: &str = "strata-kms-ca";
const TOKEN_DIR: &str = "/var/run/secrets/strata.io/kms";
const CA_DIR: &str = "/etc/strata/kms-ca";

fn env(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

/// The sidecar's env, mounts, and the pod volumes they need.
pub fn render(req: &KmsRequest) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let mut vars = vec![
        env("STRATA_KMS_ADDRESS", &req.address),
        env("STRATA_KMS_AUTH", &req.auth),
        env("STRATA_KMS_ROLE", &req.role),
        env("STRATA_KMS_JWT_FILE", &format!("{TOKEN_DIR}/token")),
    ];
    let optional = [
        ("STRATA_KMS_AUTH_MOUNT", &req.auth_mount),
        ("STRATA_KMS_MOUNT", &req.mount),
        ("STRATA_SSE_KMS_KEY", &req.key),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            vars.push(env(name, value));
        }
    }
    let mut mounts =
        vec![json!({"name": KMS_TOKEN_VOLUME, "mountPath": TOKEN_DIR, "readOnly": true})];
    let mut volumes = vec![
        json!({"name": KMS_TOKEN_VOLUME, "projected": {"defaultMode": 0o440, "sources": [
            {"serviceAccountToken": {"audience": req.audience, "expirationSeconds": 3600, "path": "token"}}
        ]}}),
    ];
    if let Some(config_map) = &req.ca_config_map {
        vars.push(env("STRATA_KMS_CA_FILE", &format!("{CA_DIR}/ca.crt")));
        mounts.push(json!({"name": KMS_CA_VOLUME, "mountPath": CA_DIR, "readOnly": true}));
        volumes.push(json!({"name": KMS_CA_VOLUME, "configMap": {"name": config_map}}));
    }
    (vars, mounts, volumes)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::annotations::{
        parse_kms, DEFAULT_KMS_AUDIENCE, KMS_ADDRESS, KMS_CA_CONFIGMAP, KMS_KEY, KMS_ROLE,
    };

    fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_kubernetes_login_renders_the_sidecar_s_own_token_and_ca() {
        let req = parse_kms(&annotations(&[
            (KMS_ADDRESS, "https://openbao.vault:8200/"),
            (KMS_ROLE, "strata"),
            (KMS_CA_CONFIGMAP, "openbao-ca"),
            (KMS_KEY, "app"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(req.auth, "kubernetes");
        assert_eq!(req.audience, DEFAULT_KMS_AUDIENCE);
        let (vars, mounts, volumes) = render(&req);
        let var = |n: &str| {
            vars.iter()
                .find(|v| v["name"] == n)
                .map(|v| v["value"].clone())
        };
        assert_eq!(
            var("STRATA_KMS_ADDRESS"),
            Some(json!("https://openbao.vault:8200"))
        );
        assert_eq!(var("STRATA_KMS_AUTH"), Some(json!("kubernetes")));
        assert_eq!(
            var("STRATA_KMS_JWT_FILE"),
            Some(json!("/var/run/secrets/strata.io/kms/token"))
        );
        assert_eq!(
            var("STRATA_KMS_CA_FILE"),
            Some(json!("/etc/strata/kms-ca/ca.crt"))
        );
        assert_eq!(var("STRATA_SSE_KMS_KEY"), Some(json!("app")));
        assert_eq!(var("STRATA_KMS_MOUNT"), None);
        assert_eq!(mounts.len(), 2);
        assert_eq!(
            volumes[0]["projected"]["sources"][0]["serviceAccountToken"]["audience"],
            "vault"
        );
        assert_eq!(volumes[1]["configMap"]["name"], "openbao-ca");
    }
}
