//! The request stack's last stage: one typed event per request, for whoever observes them.
//! Today the request log; metrics and audit sinks will be more observers of the same event.

mod event;
mod log;

pub use event::{Peer, RequestEvent, TlsInfo};
pub use log::RequestLog;

/// Receives every request's event once its answer is sent (or the connection failed).
pub trait Observe: Send + Sync {
    /// Called once per request, on the request's task: keep it cheap (queue, count), never
    /// block.
    fn observe(&self, event: &RequestEvent);
}
