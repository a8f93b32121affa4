//! Merging the layers and the error that names a bad setting.

use super::notify::NotifyConfig;
use super::raw::{RawSettings, ServeArgs};
use super::settings::Config;

/// A setting that is missing or wrong; the message names the setting.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting is absent.
    #[error("{0} is required (or use --dev)")]
    Missing(&'static str),
    /// A setting has a value that cannot be used.
    #[error("{setting}: invalid value {value:?}: {reason}")]
    Invalid {
        /// Flag name of the setting.
        setting: &'static str,
        /// The value as given.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// The config file is not valid TOML or has unknown names.
    #[error("--config: {0}")]
    File(String),
    /// An `[[accounts]]` table has a missing or wrong key.
    #[error("--config: [[accounts]] {account:?}: {key}: {reason}")]
    Account {
        /// The account's name (`#N`, its position, before the name is known).
        account: String,
        /// The key.
        key: String,
        /// What was expected.
        reason: String,
    },
    /// An `[[roles]]` table has a missing or wrong key.
    #[error("--config: [[roles]] {role:?}: {key}: {reason}")]
    Role {
        /// The role's name (`#N`, its position, before the name is known).
        role: String,
        /// The key.
        key: String,
        /// What was expected.
        reason: String,
    },
    /// A `[[tiers]]` table has a missing or wrong key.
    #[error("--config: [[tiers]] {tier:?}: {key}: {reason}")]
    Tier {
        /// The tier's name (`#N`, its position, before the name is known).
        tier: String,
        /// The key.
        key: String,
        /// What was expected.
        reason: String,
    },
    /// The `[sts]` table has a missing or wrong key.
    #[error("--config: [sts]: {key}: {reason}")]
    Sts {
        /// The key.
        key: String,
        /// What was expected.
        reason: String,
    },
    /// The `[ldap]` table has a missing or wrong key.
    #[error("--config: [ldap]: {key}: {reason}")]
    Ldap {
        /// The key.
        key: String,
        /// What was expected.
        reason: String,
    },
    /// An `[[audit.sinks]]` table has a missing or wrong key.
    #[error("--config: [[audit.sinks]] {sink:?}: {key}: {reason}")]
    AuditSink {
        /// The sink's name (`#N`, its position, before the name is known).
        sink: String,
        /// The key.
        key: String,
        /// What was expected.
        reason: String,
    },
}

/// Builds the config from flags, an environment lookup and the file they name.
pub fn load(
    args: &ServeArgs,
    env: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&std::path::Path) -> std::io::Result<String>,
) -> Result<Config, ConfigError> {
    let flags = RawSettings::from_args(args);
    let env_layer = RawSettings::from_env(env)?;
    let file_path = args.config.clone().or_else(|| {
        env("STRATA_CONFIG")
            .filter(|v| !v.is_empty())
            .map(Into::into)
    });
    let (file_layer, [audit, notify, accounts, roles, sts, ldap, tiers]) = match file_path {
        None => (
            RawSettings::default(),
            [None, None, None, None, None, None, None],
        ),
        Some(path) => {
            let text = read_file(&path).map_err(|e| ConfigError::Invalid {
                setting: "--config",
                value: path.display().to_string(),
                reason: e.to_string(),
            })?;
            // The `[audit]`, `[notify]`, `[[accounts]]`, `[[roles]]`, `[sts]`, `[ldap]` and
            // `[[tiers]]` tables are not flat settings: they are taken out before the rest is read as one
            // layer.
            let (rest, tables) = split_tables(&text)?;
            (RawSettings::from_toml(&rest)?, tables)
        }
    };
    let merged = flags.or(env_layer).or(file_layer);
    let pod = super::pod::PodSettings::from_raw(&merged);
    let mut config = Config::from_raw(merged, read_file)?;
    config.audit = super::audit::parse(audit)?;
    config.notify = NotifyConfig::from_toml(notify)?;
    config.accounts = super::accounts::parse(accounts, &config.credentials, read_file)?;
    config.roles = super::roles::parse(roles, &config.accounts, read_file)?;
    config.sts = super::sts::parse(sts)?;
    config.sts.ldap = super::ldap::parse(ldap, read_file)?;
    config.tiers = super::tiers::parse(tiers, read_file)?;
    config.class_names.add_tiers(&config.tiers)?;
    pod.apply(&mut config)?;
    Ok(config)
}

/// The tables of the file that are not flat settings, in the order [`split_tables`] returns
/// them.
const TABLES: [&str; 7] = [
    "audit", "notify", "accounts", "roles", "sts", "ldap", "tiers",
];

/// The rest of the file, and its [`TABLES`].
type Split = (String, [Option<toml::Value>; 7]);

/// The file without its [`TABLES`], and those tables. A file without them is returned as
/// written, so errors about it point at its own lines.
fn split_tables(text: &str) -> Result<Split, ConfigError> {
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| ConfigError::File(e.to_string()))?;
    let tables = TABLES.map(|name| table.remove(name));
    if tables.iter().all(Option::is_none) {
        return Ok((text.to_string(), tables));
    }
    let rest = toml::to_string(&table).map_err(|e| ConfigError::File(e.to_string()))?;
    Ok((rest, tables))
}
