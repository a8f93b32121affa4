//! The machinery every sink shares, audit or notification: a bounded buffer (memory or
//! disk) with a policy when full, batching by events, bytes and age, retries with backoff
//! through a [`RetryLogic`], and the `strata_sink_*` metric families.
//!
//! A sink itself only says how to send one batch ([`SinkService`]). [`spawn`] starts it on a
//! runtime it is given; [`SinkHandle::push`] is called on the request path and never waits,
//! except under [`WhenFull::Block`] with a full buffer, where it returns the wait.

mod buffer;
mod driver;
mod handle;
mod health;
mod record;
mod retry;
mod service;
mod spec;
#[cfg(test)]
mod tests;

pub use buffer::{BufferStore, DiskStore, Held, MemoryStore};
pub use handle::{spawn, SinkHandle};
pub use health::{SinkHealth, SinkMetrics};
pub use record::Record;
pub use retry::{Backoff, HttpRetryLogic, RetryLogic};
pub use service::{Delivery, ItemResult, SendError, SinkService};
pub use spec::{BatchSettings, BufferSettings, RetrySettings, SinkKind, SinkSpec, WhenFull};
