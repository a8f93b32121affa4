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
    let (file_layer, audit, notify) = match file_path {
        None => (RawSettings::default(), None, None),
        Some(path) => {
            let text = read_file(&path).map_err(|e| ConfigError::Invalid {
                setting: "--config",
                value: path.display().to_string(),
                reason: e.to_string(),
            })?;
            // The `[audit]` and `[notify]` tables are not flat settings: they are taken out
            // before the rest is read as one layer.
            let (rest, audit, notify) = split_tables(&text)?;
            (RawSettings::from_toml(&rest)?, audit, notify)
        }
    };
    let mut config = Config::from_raw(flags.or(env_layer).or(file_layer), read_file)?;
    config.audit = super::audit::parse(audit)?;
    config.notify = NotifyConfig::from_toml(notify)?;
    Ok(config)
}

/// The rest of the file, its `audit` table and its `notify` table.
type Split = (String, Option<toml::Value>, Option<toml::Value>);

/// The file without its `audit` and `notify` tables, and those tables. A file without them is
/// returned as written, so errors about it point at its own lines.
fn split_tables(text: &str) -> Result<Split, ConfigError> {
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| ConfigError::File(e.to_string()))?;
    let (audit, notify) = (table.remove("audit"), table.remove("notify"));
    if audit.is_none() && notify.is_none() {
        return Ok((text.to_string(), None, None));
    }
    let rest = toml::to_string(&table).map_err(|e| ConfigError::File(e.to_string()))?;
    Ok((rest, audit, notify))
}
