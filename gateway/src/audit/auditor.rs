//! The observer that turns each request into an audit event and hands it to every sink.

use std::cell::RefCell;
use std::time::{Duration, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};

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
        let doc = encode(event);
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

thread_local! {
    /// Where this thread's events are encoded: each event is split off as its own `Bytes`,
    /// sharing one allocation with its neighbours, so an event costs no allocation of its own
    /// and no free on the sink's thread (both showed in the audit's cost per request).
    static ARENA: RefCell<BytesMut> = RefCell::new(BytesMut::new());
}

/// Room for a few hundred events (about 400 bytes each) per allocation.
const ARENA_BLOCK: usize = 64 * 1024;

/// The event as one compact JSON document.
fn encode(event: &RequestEvent) -> Bytes {
    ARENA.with(|arena| {
        let mut arena = arena.borrow_mut();
        if arena.capacity() - arena.len() < 2048 {
            arena.reserve(ARENA_BLOCK);
        }
        AuditEvent::from_request(event).write_json(&mut *arena);
        arena.split().freeze()
    })
}
