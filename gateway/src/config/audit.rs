//! The `[audit]` table of the config file: `[[audit.sinks]]`, one table per sink. Each table
//! has `name`, `kind` (`file`, `webhook`, `elasticsearch`, `loki`), the shared keys below
//! (all optional), the receiver's keys for the HTTP kinds (`url`, `auth_header` or
//! `auth_header_file`, `headers`, `ca_file`) and the kind's own keys (see each sink's
//! `config.rs`). Documented in docs/OBSERVABILITY.md ("Audit sinks").

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::ConfigError;
use crate::audit::sink::{
    BatchSettings, BufferSettings, RetrySettings, SinkKind, SinkSpec, WhenFull,
};
use crate::audit::sinks::elasticsearch::ElasticsearchConfig;
use crate::audit::sinks::file::FileConfig;
use crate::audit::sinks::http::HttpOptions;
use crate::audit::sinks::loki::LokiConfig;
use crate::audit::sinks::webhook::WebhookConfig;
use crate::audit::{AuditConfig, AuditSinkConfig, SinkTarget};

/// The disk buffer's default bound: well below the sidecar's scratch volume (the injector
/// mounts an `emptyDir`; keep every disk buffer's sum far below its size limit).
pub const DEFAULT_DISK_BUFFER_BYTES: u64 = 64 * 1024 * 1024;

/// The keys every sink shares (besides `name` and `kind`), with their defaults in
/// `audit::sink::spec`: `batch_max_events`, `batch_max_bytes`, `batch_max_age_ms`,
/// `buffer` (`memory` | `disk`), `buffer_max_events` (memory), `buffer_max_bytes`,
/// `buffer_path` (disk, required there), `when_full` (`drop` | `block`),
/// `retry_initial_backoff_ms`, `retry_max_backoff_ms`, `timeout_ms`.
const SHARED: &[&str] = &[
    "name",
    "kind",
    "batch_max_events",
    "batch_max_bytes",
    "batch_max_age_ms",
    "buffer",
    "buffer_max_events",
    "buffer_max_bytes",
    "buffer_path",
    "when_full",
    "retry_initial_backoff_ms",
    "retry_max_backoff_ms",
    "timeout_ms",
];

/// Keys that hold sizes: a byte count (an integer), or text with a unit as the size flags
/// take it (`"100MiB"`).
const SIZES: &[&str] = &["batch_max_bytes", "buffer_max_bytes", "max_file_size"];

/// The receiver's keys of the HTTP kinds.
const HTTP: &[&str] = &[
    "url",
    "auth_header",
    "auth_header_file",
    "headers",
    "ca_file",
];

/// Parses the `[audit]` table, if the file has one.
pub fn parse(audit: Option<toml::Value>) -> Result<AuditConfig, ConfigError> {
    let Some(audit) = audit else {
        return Ok(AuditConfig::default());
    };
    let fail = |key: &str, reason: &str| ConfigError::AuditSink {
        sink: String::new(),
        key: key.into(),
        reason: reason.into(),
    };
    let toml::Value::Table(mut table) = audit else {
        return Err(fail("audit", "expected a table"));
    };
    let sinks = match table.remove("sinks") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a,
        Some(_) => return Err(fail("sinks", "expected [[audit.sinks]] tables")),
    };
    if let Some(key) = table.keys().next() {
        return Err(fail(key, "unknown key in [audit]"));
    }
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for (i, sink) in sinks.into_iter().enumerate() {
        let sink = parse_sink(sink, i)?;
        if !names.insert(sink.spec.name.clone()) {
            return Err(ConfigError::AuditSink {
                sink: sink.spec.name,
                key: "name".into(),
                reason: "two sinks have this name".into(),
            });
        }
        out.push(sink);
    }
    Ok(AuditConfig { sinks: out })
}

pub(super) fn parse_sink(value: toml::Value, index: usize) -> Result<AuditSinkConfig, ConfigError> {
    let mut sink = format!("#{}", index + 1);
    let err = |sink: &str, key: &str, reason: String| ConfigError::AuditSink {
        sink: sink.to_string(),
        key: key.to_string(),
        reason,
    };
    let toml::Value::Table(mut table) = value else {
        return Err(err(&sink, "-", "expected a table".into()));
    };
    let mut shared = take(&mut table, SHARED);
    let name: String = required(&shared, "name", &sink)?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(err(
            &sink,
            "name",
            format!("{name:?}: letters, digits, '-', '_', '.'"),
        ));
    }
    sink = name.clone();
    sizes_in_bytes(&mut shared, &sink)?;
    sizes_in_bytes(&mut table, &sink)?;
    let kind: String = required(&shared, "kind", &sink)?;
    let defaults = BatchSettings::default();
    let batch = BatchSettings {
        max_events: positive(
            &shared,
            "batch_max_events",
            &sink,
            defaults.max_events as u64,
        )? as usize,
        max_bytes: positive(&shared, "batch_max_bytes", &sink, defaults.max_bytes)?,
        max_age: Duration::from_millis(positive(
            &shared,
            "batch_max_age_ms",
            &sink,
            defaults.max_age.as_millis() as u64,
        )?),
    };
    let buffer = match optional::<String>(&shared, "buffer", &sink)?.as_deref() {
        None | Some("memory") => {
            let BufferSettings::Memory {
                max_events,
                max_bytes,
            } = BufferSettings::default()
            else {
                unreachable!("the default buffer is in memory")
            };
            if shared.contains_key("buffer_path") {
                return Err(err(
                    &sink,
                    "buffer_path",
                    "only with buffer = \"disk\"".into(),
                ));
            }
            BufferSettings::Memory {
                max_events: positive(&shared, "buffer_max_events", &sink, max_events as u64)?
                    as usize,
                max_bytes: positive(&shared, "buffer_max_bytes", &sink, max_bytes)?,
            }
        }
        Some("disk") => {
            if shared.contains_key("buffer_max_events") {
                return Err(err(
                    &sink,
                    "buffer_max_events",
                    "a disk buffer is bounded by buffer_max_bytes".into(),
                ));
            }
            BufferSettings::Disk {
                path: required::<PathBuf>(&shared, "buffer_path", &sink)?,
                max_bytes: positive(
                    &shared,
                    "buffer_max_bytes",
                    &sink,
                    DEFAULT_DISK_BUFFER_BYTES,
                )?,
            }
        }
        Some(other) => {
            return Err(err(
                &sink,
                "buffer",
                format!("{other:?}: expected \"memory\" or \"disk\""),
            ))
        }
    };
    let when_full = match optional::<String>(&shared, "when_full", &sink)?.as_deref() {
        None | Some("drop") => WhenFull::Drop,
        Some("block") => WhenFull::Block,
        Some(other) => {
            return Err(err(
                &sink,
                "when_full",
                format!("{other:?}: expected \"drop\" or \"block\""),
            ))
        }
    };
    let r = RetrySettings::default();
    let ms = |key, d: Duration| -> Result<Duration, ConfigError> {
        Ok(Duration::from_millis(positive(
            &shared,
            key,
            &sink,
            d.as_millis() as u64,
        )?))
    };
    let retry = RetrySettings {
        initial_backoff: ms("retry_initial_backoff_ms", r.initial_backoff)?,
        max_backoff: ms("retry_max_backoff_ms", r.max_backoff)?,
        timeout: ms("timeout_ms", r.timeout)?,
    };
    let target = match kind.as_str() {
        "file" => SinkTarget::File(rest::<FileConfig>(table, &sink)?),
        "webhook" => {
            let http = http(&mut table, &sink)?;
            if let Some(key) = table.keys().next() {
                return Err(err(&sink, key, "unknown key for kind \"webhook\"".into()));
            }
            SinkTarget::Webhook(WebhookConfig { http })
        }
        "elasticsearch" => SinkTarget::Elasticsearch(ElasticsearchConfig {
            http: http(&mut table, &sink)?,
            keys: rest(table, &sink)?,
        }),
        "loki" => SinkTarget::Loki(LokiConfig {
            http: http(&mut table, &sink)?,
            keys: rest(table, &sink)?,
        }),
        other => {
            return Err(err(
                &sink,
                "kind",
                format!("{other:?}: expected file, webhook, elasticsearch or loki"),
            ))
        }
    };
    Ok(AuditSinkConfig {
        spec: SinkSpec {
            name,
            kind: SinkKind::Audit,
            batch,
            buffer,
            retry,
            when_full,
        },
        target,
    })
}

/// Rewrites the size keys given as text into byte counts, so that every later step reads
/// integers.
fn sizes_in_bytes(table: &mut toml::Table, sink: &str) -> Result<(), ConfigError> {
    for key in SIZES {
        let Some(toml::Value::String(text)) = table.get(*key) else {
            continue;
        };
        let bytes = super::limits::parse_size(text)
            .and_then(|b| i64::try_from(b).ok())
            .ok_or_else(|| ConfigError::AuditSink {
                sink: sink.into(),
                key: (*key).into(),
                reason: format!(
                    "{text:?}: bytes, or a number with KiB, MiB, GiB or TiB (at least 1 byte)"
                ),
            })?;
        table.insert((*key).to_string(), toml::Value::Integer(bytes));
    }
    Ok(())
}

/// Moves `keys` out of `table` into a table of their own.
fn take(table: &mut toml::Table, keys: &[&str]) -> toml::Table {
    keys.iter()
        .filter_map(|k| table.remove(*k).map(|v| (k.to_string(), v)))
        .collect()
}

fn http(table: &mut toml::Table, sink: &str) -> Result<HttpOptions, ConfigError> {
    let keys = take(table, HTTP);
    if !keys.contains_key("url") {
        return Err(ConfigError::AuditSink {
            sink: sink.into(),
            key: "url".into(),
            reason: "required".into(),
        });
    }
    rest(keys, sink)
}

fn optional<T: DeserializeOwned>(
    table: &toml::Table,
    key: &str,
    sink: &str,
) -> Result<Option<T>, ConfigError> {
    table
        .get(key)
        .map(|v| {
            v.clone()
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::AuditSink {
                    sink: sink.into(),
                    key: key.into(),
                    reason: e.message().to_string(),
                })
        })
        .transpose()
}

fn required<T: DeserializeOwned>(
    table: &toml::Table,
    key: &str,
    sink: &str,
) -> Result<T, ConfigError> {
    optional(table, key, sink)?.ok_or_else(|| ConfigError::AuditSink {
        sink: sink.into(),
        key: key.into(),
        reason: "required".into(),
    })
}

/// A whole number above zero, or `default`.
fn positive(table: &toml::Table, key: &str, sink: &str, default: u64) -> Result<u64, ConfigError> {
    let v = optional::<u64>(table, key, sink)?.unwrap_or(default);
    if v == 0 {
        return Err(ConfigError::AuditSink {
            sink: sink.into(),
            key: key.into(),
            reason: "must be above 0".into(),
        });
    }
    Ok(v)
}

/// The kind's own keys, by its serde struct (unknown keys refused); the error names the
/// key when serde's message does not.
fn rest<T: DeserializeOwned>(table: toml::Table, sink: &str) -> Result<T, ConfigError> {
    let text = toml::to_string(&table).unwrap_or_default();
    toml::from_str(&text).map_err(|e| {
        let key = e
            .span()
            .and_then(|span| {
                let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                text[start..].lines().next()
            })
            .map(|line| line.split('=').next().unwrap_or(line).trim().to_string())
            .unwrap_or_else(|| "-".into());
        ConfigError::AuditSink {
            sink: sink.into(),
            key,
            reason: e.message().to_string(),
        }
    })
}
