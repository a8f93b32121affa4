//! Web-identity mode rendered: what the sidecar needs to trust the app's token and to
//! declare the app's role, and what each app container gets to use it, either as its
//! default credentials or, beside IRSA / EKS Pod Identity, as the named profile `strata`.
//!
//! Decisions, with their reasons (docs/IDENTITY.md, "The injected pod"):
//! - **The cluster's JWKS travels in a pod annotation** ([`CLUSTER_JWKS`]), read by the
//!   sidecar through a downward-API file: the injector already talks to the API server,
//!   and the app's service account then needs no RBAC to issuer discovery.
//! - **The root account id is the role ARN's account**, so the role the app names exists
//!   in the sidecar's identity store (`STRATA_ROOT_ACCOUNT_ID`).
//! - **Only S3 and STS point at the sidecar** (`AWS_ENDPOINT_URL_S3`, `_STS`): an app that
//!   also calls DynamoDB or SQS keeps reaching AWS.
//! - **A container that already has AWS credentials variables keeps them**: strata's
//!   credentials then come as the profile `strata` of an injected config file, with no
//!   endpoint override for the default profile.

use serde_json::{json, Value};

use crate::cluster::ClusterIdentity;
use crate::config::InjectorConfig;

/// Annotation written by the webhook: the cluster's JWKS, for the sidecar.
pub const CLUSTER_JWKS: &str = "strata.io/cluster-jwks";
/// Annotation written by the webhook: the AWS config file with the `strata` profile.
pub const AWS_CONFIG: &str = "strata.io/aws-config";
/// Downward-API volume with [`CLUSTER_JWKS`].
pub const CLUSTER_VOLUME: &str = "strata-cluster";
/// Downward-API volume with [`AWS_CONFIG`].
pub const AWS_CONFIG_VOLUME: &str = "strata-aws-config";
/// Where the sidecar finds the cluster's JWKS.
pub const CLUSTER_DIR: &str = "/etc/strata/cluster";
/// Where an app container finds the AWS config file.
pub const AWS_CONFIG_DIR: &str = "/etc/strata/aws";
/// The profile holding strata's credentials beside IRSA / Pod Identity.
pub const PROFILE: &str = "strata";
/// Variables by which IRSA (web identity) and EKS Pod Identity (container credentials)
/// give a container its AWS role: a container with any of them keeps its AWS credentials.
pub const AWS_CREDENTIAL_VARS: [&str; 4] = [
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The role an app assumes, checked to be one the sidecar can declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRole {
    /// `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
    pub arn: String,
    /// Its 12-digit account: the sidecar's root account id.
    pub account: String,
}

impl PodRole {
    /// The explicit `arn`, or the default `arn:aws:iam::<role_account>:role/<ns>/<sa>`.
    pub fn new(
        arn: Option<&str>,
        cfg: &InjectorConfig,
        namespace: &str,
        sa: &str,
    ) -> Result<PodRole, String> {
        let arn = arn.map_or_else(
            || format!("arn:aws:iam::{}:role/{namespace}/{sa}", cfg.role_account),
            str::to_owned,
        );
        let parts = arn
            .strip_prefix("arn:aws:iam::")
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(account, resource)| Some((account, resource.strip_prefix("role/")?)));
        let Some((account, resource)) = parts else {
            return Err(format!(
                "role {arn} is not arn:aws:iam::ACCOUNT_ID:role/[PATH/]NAME"
            ));
        };
        let iam_name = |n: &str| {
            (1..=64).contains(&n.len())
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
        };
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("role {arn}: the account id must be 12 digits"));
        }
        if !resource.split('/').all(iam_name) {
            return Err(format!("role {arn}: its path and name must be 1 to 64 letters, digits or +=,.@_- each (set strata.io/role-arn to a shorter name)"));
        }
        Ok(PodRole {
            account: account.to_owned(),
            arn,
        })
    }
}

/// The sidecar's env in web-identity mode, and its mount of the cluster's JWKS.
pub fn sidecar_settings(
    role: &PodRole,
    cluster: &ClusterIdentity,
    policy: Option<&str>,
    namespace: &str,
    sa: &str,
) -> (Vec<Value>, Value) {
    let mut env = vec![
        env_value("STRATA_ROOT_ACCOUNT_ID", &role.account),
        env_value("STRATA_STS_K8S_ISSUER", &cluster.issuer),
        env_value(
            "STRATA_STS_K8S_JWKS_FILE",
            &format!("{CLUSTER_DIR}/jwks.json"),
        ),
        env_value("STRATA_POD_ROLE_ARN", &role.arn),
        env_value(
            "STRATA_POD_SERVICE_ACCOUNT",
            &format!("system:serviceaccount:{namespace}:{sa}"),
        ),
    ];
    if let Some(policy) = policy {
        env.push(env_value("STRATA_POD_ROLE_POLICY", policy));
    }
    let mount = json!({"name": CLUSTER_VOLUME, "mountPath": CLUSTER_DIR, "readOnly": true});
    (env, mount)
}

/// The downward-API volume exposing annotation `annotation` as file `file`.
pub fn annotation_volume(volume: &str, annotation: &str, file: &str) -> Value {
    json!({"name": volume, "downwardAPI": {"defaultMode": 0o444, "items": [
        {"path": file, "fieldRef": {"fieldPath": format!("metadata.annotations['{annotation}']")}}
    ]}})
}

/// The AWS config file of [`AWS_CONFIG`]: the profile `strata` assumes `role` with the
/// app's strata token, and sends S3 and STS to the sidecar (`endpoint` is its URL).
pub fn profile_config(role: &PodRole, token_file: &str, region: &str, endpoint: &str) -> String {
    format!(
        "# Written by strata-injector: strata's S3 credentials, beside the pod's AWS role.\n\
         [profile {PROFILE}]\n\
         role_arn = {arn}\n\
         web_identity_token_file = {token_file}\n\
         role_session_name = strata\n\
         region = {region}\n\
         services = {PROFILE}\n\
         \n\
         [services {PROFILE}]\n\
         s3 =\n  endpoint_url = {endpoint}\n\
         sts =\n  endpoint_url = {endpoint}\n",
        arn = role.arn,
    )
}

/// Whether an app container already carries AWS credentials variables (IRSA, Pod Identity).
pub fn has_aws_credentials(container: &Value) -> bool {
    container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| AWS_CREDENTIAL_VARS.contains(&e["name"].as_str().unwrap_or_default()))
}

fn env_value(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

#[cfg(test)]
#[path = "web_identity_tests.rs"]
mod tests;
