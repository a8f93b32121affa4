//! The injected pod's identity, from flat settings the injector renders as env (a pod has no
//! config file of the injector's): the root account's id, the cluster's service-account
//! issuer as an STS provider, and the role the app's `AWS_ROLE_ARN` names, trusting only the
//! pod's service account. Documented in docs/IDENTITY.md ("The injected pod").

use std::path::PathBuf;

use strata_policy::{limits, Policy, PolicyKind};
use strata_sts::web_identity::{condition_key_prefix, KeySource, ProviderConfig};

use super::accounts::iam_name;
use super::raw::RawSettings;
use super::roles::{iam_path, RoleConfig, DEFAULT_MAX_SESSION_SECS};
use super::settings::{invalid, Config};
use super::ConfigError;
use crate::identity::ROOT_ACCOUNT_NAME;

/// The audience a cluster's service-account tokens must carry for strata (the injector
/// projects the app's token with it).
pub const K8S_AUDIENCE: &str = "strata";

/// The pod's role policy when none is declared: every S3 action on the account's own
/// buckets (another account's buckets are refused anyway, whatever the policy says), and
/// stopping its own sidecar (`STRATA_SHUTDOWN_URL`, for pods without native sidecars).
pub const DEFAULT_POD_ROLE_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OwnBuckets","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"},{"Sid":"StopOwnSidecar","Effect":"Allow","Action":"strata:Shutdown","Resource":"arn:aws:strata:::admin"}]}"#;

/// The settings of this module, taken from the merged layers before they are validated.
#[derive(Debug, Clone, Default)]
pub struct PodSettings {
    root_account_id: Option<String>,
    issuer: Option<String>,
    jwks_file: Option<PathBuf>,
    role_arn: Option<String>,
    service_account: Option<String>,
    role_policy: Option<String>,
}

impl PodSettings {
    /// Copies this module's settings out of `raw`.
    pub fn from_raw(raw: &RawSettings) -> PodSettings {
        PodSettings {
            root_account_id: raw.root_account_id.clone(),
            issuer: raw.sts_k8s_issuer.clone(),
            jwks_file: raw.sts_k8s_jwks_file.clone(),
            role_arn: raw.pod_role_arn.clone(),
            service_account: raw.pod_service_account.clone(),
            role_policy: raw.pod_role_policy.clone(),
        }
    }

    /// Adds the root account id, the cluster issuer and the pod's role to `config` (after
    /// the file's `[[roles]]` and `[sts]`, which the pod's settings win over).
    pub fn apply(self, config: &mut Config) -> Result<(), ConfigError> {
        if let Some(id) = &self.root_account_id {
            if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("--root-account-id", id, "12 digits"));
            }
        }
        config.root_account_id = self.root_account_id.clone();
        if self.jwks_file.is_some() && self.issuer.is_none() {
            return Err(ConfigError::Missing("--sts-k8s-issuer"));
        }
        if let Some(issuer) = &self.issuer {
            if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                return Err(invalid(
                    "--sts-k8s-issuer",
                    issuer,
                    "an http(s) URL, as the tokens carry it in iss",
                ));
            }
            // The same issuer in `[[sts.providers]]` is replaced: flat settings win over the file.
            config.sts.providers.retain(|p| &p.issuer != issuer);
            config.sts.providers.push(ProviderConfig {
                issuer: issuer.clone(),
                audiences: vec![K8S_AUDIENCE.to_string()],
                keys: match &self.jwks_file {
                    Some(file) => KeySource::JwksFile(file.clone()),
                    None => KeySource::Discovery,
                },
                ca_bundle: None,
            });
        }
        let Some(arn) = &self.role_arn else {
            if self.service_account.is_some() || self.role_policy.is_some() {
                return Err(ConfigError::Missing("--pod-role-arn"));
            }
            return Ok(());
        };
        let role = self.pod_role(arn, config)?;
        config
            .roles
            .retain(|r| !(r.account == ROOT_ACCOUNT_NAME && r.name == role.name));
        config.roles.push(role);
        Ok(())
    }

    fn pod_role(&self, arn: &str, config: &Config) -> Result<RoleConfig, ConfigError> {
        let bad = |reason: &str| invalid("--pod-role-arn", arn, reason);
        let (account_id, path, name) =
            split_role_arn(arn).ok_or_else(|| bad("arn:aws:iam::ACCOUNT_ID:role/PATH/NAME"))?;
        match &self.root_account_id {
            None => return Err(ConfigError::Missing("--root-account-id")),
            Some(root) if root != account_id => {
                return Err(bad(&format!(
                    "its account is not --root-account-id {root}: the role would not be found"
                )))
            }
            Some(_) => {}
        }
        let issuer = self
            .issuer
            .as_deref()
            .ok_or(ConfigError::Missing("--sts-k8s-issuer"))?;
        let subject = self
            .service_account
            .as_deref()
            .ok_or(ConfigError::Missing("--pod-service-account"))?;
        let parts: Vec<&str> = subject.split(':').collect();
        if !matches!(parts.as_slice(), ["system", "serviceaccount", ns, sa] if !ns.is_empty() && !sa.is_empty())
        {
            return Err(invalid(
                "--pod-service-account",
                subject,
                "system:serviceaccount:NAMESPACE:NAME",
            ));
        }
        let declared = config
            .roles
            .iter()
            .find(|r| r.account == ROOT_ACCOUNT_NAME && r.name == name);
        let policy = match (&self.role_policy, declared) {
            (Some(doc), _) => doc.clone(),
            (None, Some(role)) => role.policy.clone().unwrap_or_default(),
            (None, None) => DEFAULT_POD_ROLE_POLICY.to_string(),
        };
        if !policy.is_empty() {
            Policy::parse_with_limit(&policy, PolicyKind::Identity, limits::ROLE_INLINE)
                .map_err(|e| invalid("--pod-role-policy", &policy, &e.to_string()))?;
        }
        Ok(RoleConfig {
            name: name.to_string(),
            path: path.to_string(),
            account: ROOT_ACCOUNT_NAME.to_string(),
            trust: trust_policy(account_id, issuer, subject),
            policy: (!policy.is_empty()).then_some(policy),
            max_session_secs: declared.map_or(DEFAULT_MAX_SESSION_SECS, |r| r.max_session_secs),
        })
    }
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME` as (account, `/PATH/`, name).
fn split_role_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let full = resource.strip_prefix("role")?;
    let slash = full.rfind('/')?;
    let (path, name) = (&full[..=slash], &full[slash + 1..]);
    (account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && iam_path(path)
        && iam_name(name))
    .then_some((account, path, name))
}

/// The trust policy of the pod's role: web identity from the cluster's issuer, for the pod's
/// service account and strata's audience only.
fn trust_policy(account_id: &str, issuer: &str, subject: &str) -> String {
    let provider = condition_key_prefix(issuer);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": format!("arn:aws:iam::{account_id}:oidc-provider/{provider}")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                format!("{provider}:sub"): subject,
                format!("{provider}:aud"): K8S_AUDIENCE,
            }}
        }]
    })
    .to_string()
}

#[cfg(test)]
#[path = "pod_tests.rs"]
mod tests;
