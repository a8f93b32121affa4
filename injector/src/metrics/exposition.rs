//! The exposition formats: OpenMetrics 1.0.0 for a scraper that asks for it, the Prometheus
//! text format 0.0.4 otherwise (what older scrapers and `curl` read). Both are written by
//! `prometheus-client`'s own encoders; nothing here renders samples by hand.

use prometheus_client::encoding::{prometheus_text, text};
use prometheus_client::registry::Registry;

/// `Content-Type` of an OpenMetrics answer.
const OPENMETRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// An exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OpenMetrics 1.0.0 text, ending in `# EOF`.
    OpenMetrics,
    /// The Prometheus text format, version 0.0.4.
    Prometheus,
}

impl Format {
    /// The format an `Accept` header asks for: OpenMetrics when it lists
    /// `application/openmetrics-text` with a non-zero quality (Prometheus sends it first, with
    /// 0.0.4 as a fallback), else the 0.0.4 text format.
    pub fn from_accept(accept: Option<&str>) -> Format {
        let wants_openmetrics = accept.is_some_and(|accept| {
            accept.split(',').any(|range| {
                let mut parts = range.split(';').map(str::trim);
                let media = parts.next().unwrap_or_default();
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f64>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                media.eq_ignore_ascii_case("application/openmetrics-text") && !refused
            })
        });
        if wants_openmetrics {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        }
    }

    /// The `Content-Type` of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => OPENMETRICS_CONTENT_TYPE,
            Format::Prometheus => prometheus_text::CONTENT_TYPE,
        }
    }
}

/// Renders `registry` in `format`.
pub fn render(registry: &Registry, format: Format) -> String {
    let mut out = String::with_capacity(2048);
    // Writing into a String cannot fail; the encoders only pass on the writer's errors.
    let written = match format {
        Format::OpenMetrics => text::encode(&mut out, registry),
        Format::Prometheus => prometheus_text::encode(&mut out, registry),
    };
    debug_assert!(written.is_ok(), "encoding into a String failed");
    out
}
