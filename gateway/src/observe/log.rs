//! The request log: one line per request, from its event.

use super::{Backpressure, Observe, RequestEvent};
use crate::s3::operation::Operation;

/// Logs server faults (5xx) and dropped connections always, everything else at debug:
/// formatting and writing a line costs a small GET a few percent of its CPU.
#[derive(Debug, Default, Clone, Copy)]
pub struct RequestLog;

impl Observe for RequestLog {
    fn observe(&self, e: &RequestEvent) -> Backpressure {
        let status = e.status.unwrap_or(0);
        let fault = status == 0 || status >= 500;
        if !fault && !tracing::enabled!(tracing::Level::DEBUG) {
            return None;
        }
        let op = e.op.map_or("-", Operation::name);
        let elapsed_ms = e.duration.as_millis() as u64;
        let (request_id, path) = (e.request_id.as_str(), e.path.as_str());
        if fault {
            tracing::warn!(request_id, op, method = %e.method, path, status, elapsed_ms, "request");
        } else {
            tracing::debug!(request_id, op, method = %e.method, path, status, elapsed_ms, "request");
        }
        None
    }
}
