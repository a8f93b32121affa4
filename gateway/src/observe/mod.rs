//! The request stack's last stage: one typed event per request, for whoever observes them.
//! Today the request log; metrics and audit sinks will be more observers of the same event.

mod event;
mod ids;
mod log;
mod observer;

pub use event::{Peer, RequestEvent, Stage, TlsInfo};
pub use ids::{request_ids, RequestIds};
pub use log::RequestLog;
pub use observer::{wait_all, Backpressure, Observe, Observers};
