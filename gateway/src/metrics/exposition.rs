//! Encoding the registry for a scrape, in the format the scraper asks for.

use std::sync::{Arc, OnceLock};

use prometheus_client::encoding::{prometheus_text, text};
use prometheus_client::registry::Registry;

/// `Content-Type` of OpenMetrics text.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The registry, once every family is registered. Cheap to clone; empty until published
/// (the request stack is built before the last families, which read from it, are registered).
#[derive(Clone, Default)]
pub struct Exposition {
    registry: Arc<OnceLock<Registry>>,
}

/// One scrape's answer.
#[derive(Debug)]
pub struct Rendered {
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The exposition.
    pub body: String,
}

impl Exposition {
    /// Makes `registry` what scrapes read. Only the first call counts.
    pub fn publish(&self, registry: Registry) {
        let _ = self.registry.set(registry);
    }

    /// Encodes every family: OpenMetrics when `accept` asks for it, else the Prometheus text
    /// format 0.0.4 (what a plain scrape or `curl` gets). `None` before publication.
    pub fn render(&self, accept: Option<&str>) -> Option<Rendered> {
        let registry = self.registry.get()?;
        let mut body = String::with_capacity(16 * 1024);
        let content_type = if wants_openmetrics(accept) {
            text::encode(&mut body, registry).ok()?;
            OPENMETRICS
        } else {
            prometheus_text::encode(&mut body, registry).ok()?;
            prometheus_text::CONTENT_TYPE
        };
        Some(Rendered { content_type, body })
    }
}

/// Whether an `Accept` header lists OpenMetrics text with a weight above zero (Prometheus
/// sends it first, weighted, with the 0.0.4 text format as a fallback).
fn wants_openmetrics(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| {
        a.split(',').any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let media = parts.next().unwrap_or("");
            let zero = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case("application/openmetrics-text") && !zero
        })
    })
}
