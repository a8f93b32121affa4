//! The observer that turns each request into an audit event and hands it to every sink.

use std::cell::RefCell;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;

use super::event::{AuditEvent, LifecycleRecord};
use super::sink::{Record, SinkHandle};
use crate::observe::{wait_all, Backpressure, Observe, RequestEvent};

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

impl Auditor {
    /// Records a lifecycle action (waiting while a sink that blocks when full is full, so
    /// that the scanner slows down rather than losing events).
    pub async fn record_lifecycle(&self, action: &LifecycleRecord<'_>) {
        if self.sinks.is_empty() {
            return;
        }
        let request_id = crate::observe::request_ids().request_id;
        let event = AuditEvent::from_lifecycle(action, &request_id);
        let doc = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            scratch.clear();
            event.write_json(&mut *scratch);
            Bytes::copy_from_slice(&scratch)
        });
        if let Some(wait) = self.push(action.time, doc) {
            wait.await;
        }
    }

    /// Hands one encoded event of `time` to every sink.
    fn push(&self, time: std::time::SystemTime, doc: Bytes) -> Backpressure {
        // The last sink takes the record itself: with one sink, its bytes are never shared
        // between threads by a reference count.
        let (last, others) = self.sinks.split_last()?;
        let time_ns = time
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let record = Record::new(time_ns, doc);
        let mut waits: Vec<_> = others
            .iter()
            .filter_map(|s| s.push(record.clone()))
            .collect();
        waits.extend(last.push(record));
        wait_all(waits)
    }
}

impl Observe for Auditor {
    fn observe(&self, event: &RequestEvent) -> Backpressure {
        if self.sinks.is_empty() || !AuditEvent::audited(event) {
            return None;
        }
        self.push(event.started, encode(event))
    }

    fn admit(&self) -> Backpressure {
        wait_all(self.sinks.iter().filter_map(SinkHandle::wait_for_room))
    }
}

thread_local! {
    /// Where this thread encodes its events: reused, so the bytes written are in cache (a
    /// fresh arena per event stream wrote every event into cold memory, which cost more
    /// than the allocation it saved).
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(1024));
}

/// The event as one compact JSON document.
fn encode(event: &RequestEvent) -> Bytes {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        scratch.clear();
        AuditEvent::from_request(event).write_json(&mut *scratch);
        Bytes::copy_from_slice(&scratch)
    })
}
