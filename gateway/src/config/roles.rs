//! The `[[roles]]` tables of the config file: IAM roles declared with their trust policy and
//! permissions, re-applied at each start (they win over IAM API edits of the same names).
//! Documented in docs/IDENTITY.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use strata_policy::{limits, Policy, PolicyKind};

use super::accounts::{iam_name, AccountConfig};
use super::settings::secret;
use super::ConfigError;
use crate::identity::ROOT_ACCOUNT_NAME;

/// The longest session a role allows when none is declared, seconds.
pub const DEFAULT_MAX_SESSION_SECS: u32 = 3600;

/// One declared role.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleConfig {
    /// The role's name.
    pub name: String,
    /// The role's path (`/` or `/a/b/`), part of its ARN.
    pub path: String,
    /// The name of the account it belongs to (`root` by default).
    pub account: String,
    /// The trust policy document.
    pub trust: String,
    /// The role's permissions (one inline policy), if any.
    pub policy: Option<String>,
    /// Longest session, seconds (3600 to 43200).
    pub max_session_secs: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    name: String,
    path: Option<String>,
    account: Option<String>,
    trust_policy: Option<String>,
    trust_policy_file: Option<PathBuf>,
    policy: Option<String>,
    policy_file: Option<PathBuf>,
    max_session_secs: Option<u32>,
}

fn error(role: &str, key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Role {
        role: role.to_string(),
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// Parses the `roles` array, if the file has one; roles belong to `root` or to one of
/// `accounts`.
pub fn parse(
    roles: Option<toml::Value>,
    accounts: &[AccountConfig],
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Vec<RoleConfig>, ConfigError> {
    let Some(roles) = roles else {
        return Ok(Vec::new());
    };
    let toml::Value::Array(tables) = roles else {
        return Err(error("", "roles", "must be an array of tables ([[roles]])"));
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, table) in tables.into_iter().enumerate() {
        let position = format!("#{}", i + 1);
        let raw = RawRole::deserialize(table).map_err(|e| error(&position, "", e.message()))?;
        let name = raw.name;
        if !iam_name(&name) {
            return Err(error(&name, "name", "1 to 64 letters, digits or +=,.@_-"));
        }
        let path = raw.path.unwrap_or_else(|| "/".to_string());
        if !iam_path(&path) {
            return Err(error(
                &name,
                "path",
                "/ or /a/b/ (letters, digits and +=,.@_-)",
            ));
        }
        let account = raw.account.unwrap_or_else(|| ROOT_ACCOUNT_NAME.to_string());
        if account != ROOT_ACCOUNT_NAME && !accounts.iter().any(|a| a.name == account) {
            return Err(error(
                &name,
                "account",
                "not root nor a declared [[accounts]] name",
            ));
        }
        if !seen.insert((account.clone(), name.clone())) {
            return Err(error(&name, "name", "declared twice in one account"));
        }
        let field = |e: ConfigError, key: &str| match e {
            ConfigError::Invalid { reason, .. } => error(&name, key, reason),
            other => other,
        };
        let trust = secret(
            "trust_policy",
            raw.trust_policy,
            raw.trust_policy_file,
            read_file,
        )
        .map_err(|e| field(e, "trust_policy"))?
        .ok_or_else(|| error(&name, "trust_policy", "required (or trust_policy_file)"))?;
        Policy::parse_with_limit(&trust, PolicyKind::Trust, limits::ROLE_TRUST)
            .map_err(|e| error(&name, "trust_policy", e.to_string()))?;
        let policy = secret("policy", raw.policy, raw.policy_file, read_file)
            .map_err(|e| field(e, "policy"))?;
        if let Some(doc) = &policy {
            Policy::parse_with_limit(doc, PolicyKind::Identity, limits::ROLE_INLINE)
                .map_err(|e| error(&name, "policy", e.to_string()))?;
        }
        let max_session_secs = raw.max_session_secs.unwrap_or(DEFAULT_MAX_SESSION_SECS);
        if !(3600..=43200).contains(&max_session_secs) {
            return Err(error(&name, "max_session_secs", "3600 to 43200"));
        }
        out.push(RoleConfig {
            name,
            path,
            account,
            trust,
            policy,
            max_session_secs,
        });
    }
    Ok(out)
}

/// Whether `path` is an IAM path: `/`, or `/`-separated IAM names between slashes.
pub fn iam_path(path: &str) -> bool {
    path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && (path == "/" || path[1..path.len() - 1].split('/').all(iam_name))
}
