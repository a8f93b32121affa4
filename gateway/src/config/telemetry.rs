//! How strata reports on itself: the metrics listener, per-bucket series, log lines.

use std::net::SocketAddr;

use super::raw::{parse_bool, RawSettings};
use super::settings::{invalid, parse_addr};
use super::ConfigError;

/// Metrics and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Telemetry {
    /// The listener that answers `/metrics` only (Prometheus scrapes it); none by default, as
    /// `/strata/metrics` on the S3 listener serves loopback clients.
    pub metrics_listen: Option<SocketAddr>,
    /// `strata_bucket_*` series, labelled with bucket names: off by default, since their number
    /// grows with the buckets.
    pub metrics_per_bucket: bool,
    /// Log line format.
    pub log_format: LogFormat,
    /// Level of the access line each request gets.
    pub access_log: AccessLogLevel,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (for log shippers).
    Json,
}

/// The level the access line is logged at. Answers of 5xx and dropped connections are logged
/// at `warn` at least, whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessLogLevel {
    /// No access lines (faults still get theirs).
    Off,
    /// `error`.
    Error,
    /// `warn`.
    Warn,
    /// `info`.
    Info,
    /// `debug`: off at the default `RUST_LOG=info`, since a line costs a small GET a few
    /// percent of its CPU.
    #[default]
    Debug,
    /// `trace`.
    Trace,
}

impl Telemetry {
    /// Validates the telemetry settings.
    pub fn from_raw(raw: &RawSettings) -> Result<Self, ConfigError> {
        let metrics_listen = raw
            .metrics_listen
            .as_deref()
            .map(|a| parse_addr("--metrics-listen", a))
            .transpose()?;
        let metrics_per_bucket = match raw.metrics_per_bucket.as_deref() {
            None => false,
            Some(v) => {
                parse_bool(v).ok_or_else(|| invalid("--metrics-per-bucket", v, "true or false"))?
            }
        };
        let log_format = match raw.log_format.as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(v) => return Err(invalid("--log-format", v, "text or json")),
        };
        let access_log = match raw.access_log_level.as_deref().map(str::trim) {
            None | Some("debug") => AccessLogLevel::Debug,
            Some("off") => AccessLogLevel::Off,
            Some("error") => AccessLogLevel::Error,
            Some("warn") => AccessLogLevel::Warn,
            Some("info") => AccessLogLevel::Info,
            Some("trace") => AccessLogLevel::Trace,
            Some(v) => {
                return Err(invalid(
                    "--access-log-level",
                    v,
                    "off, error, warn, info, debug or trace",
                ))
            }
        };
        Ok(Telemetry {
            metrics_listen,
            metrics_per_bucket,
            log_format,
            access_log,
        })
    }
}

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;
