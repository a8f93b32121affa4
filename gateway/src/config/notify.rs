//! `[[notify.targets]]` of the config file: where bucket notifications may be sent. A target
//! is a sink of the shared machinery: the same keys as an `[[audit.sinks]]` table (`name`,
//! `kind`, batching, buffer, `when_full`, retries, the receiver's `url` and auth), read by
//! the same parser, with `kind = "webhook"` the only kind and `notify` as its metrics' kind.

use super::audit::parse_sink;
use super::ConfigError;
use crate::audit::sink::{SinkKind, SinkSpec};
use crate::audit::sinks::webhook::WebhookConfig;
use crate::audit::SinkTarget;

/// The notification targets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotifyConfig {
    /// In file order.
    pub targets: Vec<NotifyTarget>,
}

/// One target.
#[derive(Debug, Clone, PartialEq)]
pub struct NotifyTarget {
    /// Name (the end of its ARN, its metrics' `sink` label), batching, buffer, retries.
    pub spec: SinkSpec,
    /// Where its messages are POSTed.
    pub webhook: WebhookConfig,
}

impl NotifyConfig {
    /// Reads the file's `notify` table, if it has one.
    pub fn from_toml(value: Option<toml::Value>) -> Result<Self, ConfigError> {
        let Some(value) = value else {
            return Ok(NotifyConfig::default());
        };
        let bad = |target: &str, what: &str| {
            ConfigError::File(format!("[[notify.targets]] {target:?}: {what}"))
        };
        let toml::Value::Table(mut table) = value else {
            return Err(ConfigError::File("[notify] must be a table".into()));
        };
        let items = match table.remove("targets") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items,
            Some(_) => return Err(ConfigError::File("notify.targets must be tables".into())),
        };
        if let Some(key) = table.keys().next() {
            return Err(ConfigError::File(format!(
                "[notify]: unknown key {key:?} (only [[notify.targets]])"
            )));
        }
        let mut targets: Vec<NotifyTarget> = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let sink = parse_sink(item, i).map_err(|e| match e {
                ConfigError::AuditSink { sink, key, reason } => {
                    bad(&sink, &format!("{key}: {reason}"))
                }
                other => other,
            })?;
            let mut spec = sink.spec;
            let SinkTarget::Webhook(webhook) = sink.target else {
                return Err(bad(
                    &spec.name,
                    "kind: notifications go to \"webhook\" targets",
                ));
            };
            if targets.iter().any(|t| t.spec.name == spec.name) {
                return Err(bad(&spec.name, "name: two targets have this name"));
            }
            spec.kind = SinkKind::Notify;
            targets.push(NotifyTarget { spec, webhook });
        }
        Ok(NotifyConfig { targets })
    }
}
