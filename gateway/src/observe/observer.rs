//! What an observer of requests is, and a list of them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::RequestEvent;

/// What an observer asks of the request that it observed: nothing (almost always), or to wait
/// before the request's task goes on (an audit sink whose full buffer must not drop events).
pub type Backpressure = Option<Pin<Box<dyn Future<Output = ()> + Send + 'static>>>;

/// Receives every request's event once its answer is sent (or the connection failed).
pub trait Observe: Send + Sync {
    /// Called once per request, on the request's task: keep it cheap (count, copy into a
    /// queue) and return `None`; return a future only to make the request wait for room.
    fn observe(&self, event: &RequestEvent) -> Backpressure;

    /// Called before a request is served (strata's own endpoints excepted): a future only
    /// when the request must first wait for room, so that a full buffer under policy `block`
    /// holds new requests rather than piling up their events.
    fn admit(&self) -> Backpressure {
        None
    }
}

/// Several observers, told in order.
#[derive(Clone, Default)]
pub struct Observers(Vec<Arc<dyn Observe>>);

impl Observers {
    /// The list.
    pub fn new(observers: Vec<Arc<dyn Observe>>) -> Self {
        Observers(observers)
    }
}

impl Observe for Observers {
    fn observe(&self, event: &RequestEvent) -> Backpressure {
        wait_all(self.0.iter().filter_map(|o| o.observe(event)))
    }

    fn admit(&self) -> Backpressure {
        wait_all(self.0.iter().filter_map(|o| o.admit()))
    }
}

/// One wait for all of `waits`; `None` when there is none.
pub fn wait_all(
    waits: impl IntoIterator<Item = Pin<Box<dyn Future<Output = ()> + Send>>>,
) -> Backpressure {
    let waits: Vec<_> = waits.into_iter().collect();
    if waits.is_empty() {
        return None;
    }
    Some(Box::pin(async move {
        futures::future::join_all(waits).await;
    }))
}
