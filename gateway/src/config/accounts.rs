//! The `[[accounts]]` tables of the config file: accounts besides the root account, each
//! with its root keys (inline or from files). Documented in docs/IDENTITY.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::settings::{secret, RootCredentials};
use super::ConfigError;
use crate::identity::ROOT_ACCOUNT_NAME;

/// One declared account.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountConfig {
    /// The account's name: its display name, and how its stored id is found again.
    pub name: String,
    /// The account root's keys.
    pub credentials: RootCredentials,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    name: String,
    access_key: Option<String>,
    access_key_file: Option<PathBuf>,
    secret_key: Option<String>,
    secret_key_file: Option<PathBuf>,
}

fn error(account: &str, key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Account {
        account: account.to_string(),
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// Whether `name` is made of IAM name characters (letters, digits, `+=,.@_-`), 1 to 64.
pub fn iam_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// Parses the `accounts` array, if the file has one; `root` is the root account's keys
/// (no declared account may reuse its access key).
pub fn parse(
    accounts: Option<toml::Value>,
    root: &RootCredentials,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Vec<AccountConfig>, ConfigError> {
    let Some(accounts) = accounts else {
        return Ok(Vec::new());
    };
    let toml::Value::Array(tables) = accounts else {
        return Err(error(
            "",
            "accounts",
            "must be an array of tables ([[accounts]])",
        ));
    };
    let mut out = Vec::new();
    let mut names = BTreeSet::from([ROOT_ACCOUNT_NAME.to_string()]);
    let mut keys = BTreeSet::from([root.access_key.clone()]);
    for (i, table) in tables.into_iter().enumerate() {
        let position = format!("#{}", i + 1);
        let raw = RawAccount::deserialize(table).map_err(|e| error(&position, "", e.message()))?;
        let name = raw.name;
        if !iam_name(&name) {
            return Err(error(&name, "name", "1 to 64 letters, digits or +=,.@_-"));
        }
        if !names.insert(name.clone()) {
            return Err(error(
                &name,
                "name",
                "declared twice (or names the root account)",
            ));
        }
        let field = |e: ConfigError, key: &str| match e {
            ConfigError::Invalid { reason, .. } => error(&name, key, reason),
            other => other,
        };
        let access_key = secret("access_key", raw.access_key, raw.access_key_file, read_file)
            .map_err(|e| field(e, "access_key"))?
            .ok_or_else(|| error(&name, "access_key", "required (or access_key_file)"))?;
        let secret_key = secret("secret_key", raw.secret_key, raw.secret_key_file, read_file)
            .map_err(|e| field(e, "secret_key"))?
            .ok_or_else(|| error(&name, "secret_key", "required (or secret_key_file)"))?;
        if access_key.len() < 3 || access_key.contains(['/', ' ']) {
            return Err(error(
                &name,
                "access_key",
                "3 or more characters, no '/' or spaces",
            ));
        }
        if secret_key.len() < 8 {
            return Err(error(&name, "secret_key", "8 or more characters"));
        }
        if !keys.insert(access_key.clone()) {
            return Err(error(
                &name,
                "access_key",
                "already the key of another account",
            ));
        }
        out.push(AccountConfig {
            name,
            credentials: RootCredentials {
                access_key,
                secret_key,
            },
        });
    }
    Ok(out)
}
