//! What a sink does with a batch: send it and say, for each event, what became of it.

use super::Record;

/// Sends one batch to a receiver. The machinery calls it one batch at a time and retries
/// what comes back [`ItemResult::Retry`] or [`SendError::Retryable`].
#[async_trait::async_trait]
pub trait SinkService: Send + Sync + 'static {
    /// Sends `batch`; the machinery bounds the call by the sink's timeout.
    async fn send(&self, batch: &[Record]) -> Result<Delivery, SendError>;
}

/// What a receiver answered about a batch it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Every event accepted.
    All,
    /// One result per event, in batch order (e.g. Elasticsearch `_bulk` items).
    Items(Vec<ItemResult>),
}

/// What became of one event of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemResult {
    /// Accepted.
    Delivered,
    /// Failed for now; re-sent alone (with the other failed ones) after a backoff.
    Retry,
    /// Refused for good; counted as `rejected`.
    Rejected,
}

/// Why a whole batch was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// Try again later (connection refused, timeout, 429, 5xx).
    #[error("retryable: {0}")]
    Retryable(String),
    /// The receiver will never take this batch (a 4xx other than 408/429).
    #[error("rejected: {0}")]
    Rejected(String),
}
