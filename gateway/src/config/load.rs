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
    let (file_layer, notify) = match file_path {
        None => (RawSettings::default(), None),
        Some(path) => {
            let text = read_file(&path).map_err(|e| ConfigError::Invalid {
                setting: "--config",
                value: path.display().to_string(),
                reason: e.to_string(),
            })?;
            // Tables of their own (`[[notify.targets]]`) come out before the flat settings.
            let mut table: toml::Table =
                toml::from_str(&text).map_err(|e| ConfigError::File(e.to_string()))?;
            let notify = table.remove("notify");
            (RawSettings::from_table(table)?, notify)
        }
    };
    let mut cfg = Config::from_raw(flags.or(env_layer).or(file_layer), read_file)?;
    cfg.notify = NotifyConfig::from_toml(notify)?;
    Ok(cfg)
}
