//! What an observer of requests is.

use super::RequestEvent;

/// Receives every request's event once its answer is sent (or the connection failed).
pub trait Observe: Send + Sync {
    /// Called once per request, on the request's task: keep it cheap (queue, count), never
    /// block.
    fn observe(&self, event: &RequestEvent);
}
