//! The observer that turns each request into an audit event and hands it to every sink.

use std::time::{Duration, UNIX_EPOCH};

use super::event::AuditEvent;
use super::sink::{Record, SinkHandle};
use crate::observe::{Backpressure, Observe, RequestEvent};

/// Encodes each audited request once and pushes the same record to every audit sink.
#[derive(Clone)]
pub struct Auditor {
    sinks: Vec<SinkHandle>,
}

impl Auditor {
    /// An auditor over running sinks.
    pub fn new(sinks: Vec<SinkHandle>) -> Auditor {
        Auditor { sinks }
    }

    /// The sinks, in configuration order.
    pub fn sinks(&self) -> &[SinkHandle] {
        &self.sinks
    }

    /// Flushes and stops every sink, all within `within`.
    pub async fn shutdown(&self, within: Duration) {
        futures::future::join_all(self.sinks.iter().map(|s| s.shutdown(within))).await;
    }
}

impl Observe for Auditor {
    fn observe(&self, event: &RequestEvent) -> Backpressure {
        if !AuditEvent::audited(event) {
            return None;
        }
        // Sized for a typical event (about 400 bytes), so encoding does not regrow the vector.
        let mut doc = Vec::with_capacity(512);
        if let Err(e) = serde_json::to_writer(&mut doc, &AuditEvent::from_request(event)) {
            // Cannot happen for this struct (no maps with non-string keys); still no panic.
            tracing::warn!(error = %e, "audit: cannot encode an event");
            return None;
        }
        let time_ns = event
            .started
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let record = Record::new(time_ns, doc);
        let waits: Vec<_> = self
            .sinks
            .iter()
            .filter_map(|s| s.push(record.clone()))
            .collect();
        if waits.is_empty() {
            return None;
        }
        Some(Box::pin(async move {
            futures::future::join_all(waits).await;
        }))
    }
}
