//! The pod's cloud identity, lent to the sidecar for its remote tiers. The clouds' webhooks
//! (EKS IRSA and Pod Identity, Azure workload identity) give the containers a pod has when
//! they run their variables and a projected token; they run before strata's webhook (their
//! configurations' names sort first), so the sidecar, added after, has neither. OpenDAL's
//! credential chains in the sidecar look for exactly these, so the injector copies them from
//! the first container that has them, with the mounts that hold their token files. GKE's
//! workload identity is the node's metadata server: every container reaches it already.

use serde_json::Value;

/// Variables by which a cloud's webhook gives a container its workload identity.
pub const CLOUD_IDENTITY_VARS: [&str; 9] = [
    // EKS IRSA.
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_STS_REGIONAL_ENDPOINTS",
    // EKS Pod Identity.
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    // Azure workload identity.
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
];

/// Variables naming the token files that a mount must bring along.
const TOKEN_FILE_VARS: [&str; 3] = [
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AZURE_FEDERATED_TOKEN_FILE",
];

/// The region the same webhooks set beside them (IRSA's STS call is regional); taken only
/// with an identity.
const REGION_VARS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// What the sidecar borrows: environment entries and volume mounts, as the container had
/// them.
#[derive(Debug, Default, PartialEq)]
pub struct Borrowed {
    /// `env` entries.
    pub env: Vec<Value>,
    /// `volumeMounts` entries (read-only).
    pub mounts: Vec<Value>,
}

/// The identity of the first of `containers` (in pod order) that has one; nothing when none
/// does.
pub fn borrow(containers: &[&Value]) -> Borrowed {
    let env_of = |c: &Value| c["env"].as_array().cloned().unwrap_or_default();
    let Some(owner) = containers
        .iter()
        .copied()
        .find(|c| env_of(c).iter().any(|e| named(e, &CLOUD_IDENTITY_VARS)))
    else {
        return Borrowed::default();
    };
    let env = env_of(owner);
    let taken: Vec<Value> = env
        .into_iter()
        .filter(|e| named(e, &CLOUD_IDENTITY_VARS) || named(e, &REGION_VARS))
        .collect();
    let token_files: Vec<&str> = taken
        .iter()
        .filter(|e| named(e, &TOKEN_FILE_VARS))
        .filter_map(|e| e["value"].as_str())
        .collect();
    let mounts = owner["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            let path = m["mountPath"]
                .as_str()
                .unwrap_or_default()
                .trim_end_matches('/');
            !path.is_empty()
                && token_files.iter().any(|f| {
                    f.strip_prefix(path)
                        .is_some_and(|rest| rest.starts_with('/'))
                })
        })
        .map(|m| {
            let mut m = m.clone();
            m["readOnly"] = Value::Bool(true);
            m
        })
        .collect();
    Borrowed { env: taken, mounts }
}

fn named(entry: &Value, names: &[&str]) -> bool {
    entry["name"].as_str().is_some_and(|n| names.contains(&n))
}

#[cfg(test)]
#[path = "cloud_identity_tests.rs"]
mod tests;
