//! Sending a batch to `_bulk` and sorting its items.

use super::encoder::encode_bulk;
use super::retry::{bulk_items, BulkRetryLogic};
use crate::audit::sink::{Delivery, ItemResult, Record, RetryLogic, SendError, SinkService};
use crate::audit::sinks::http::HttpTarget;

/// POSTs NDJSON to one cluster's `_bulk`.
#[derive(Debug, Clone)]
pub struct ElasticsearchService {
    target: HttpTarget,
    action: Vec<u8>,
}

impl ElasticsearchService {
    /// The service for `target`, writing to `index` (`create` works for indices and data
    /// streams alike).
    pub fn new(target: HttpTarget, index: &str) -> ElasticsearchService {
        let action = serde_json::json!({ "create": { "_index": index } }).to_string();
        ElasticsearchService {
            target,
            action: action.into_bytes(),
        }
    }
}

#[async_trait::async_trait]
impl SinkService for ElasticsearchService {
    async fn send(&self, batch: &[Record]) -> Result<Delivery, SendError> {
        let body = encode_bulk(&self.action, batch);
        let reply = self.target.post("application/x-ndjson", body).await?;
        match BulkRetryLogic.status(reply.status) {
            ItemResult::Retry => Err(SendError::Retryable(format!("status {}", reply.status))),
            ItemResult::Rejected => Err(SendError::Rejected(format!("status {}", reply.status))),
            ItemResult::Delivered => match bulk_items(&reply.body, batch.len()) {
                Ok(None) => Ok(Delivery::All),
                Ok(Some(items)) => Ok(Delivery::Items(items)),
                // A 2xx we cannot read: the events may or may not be in; send again.
                Err(e) => Err(SendError::Retryable(format!("unreadable _bulk reply: {e}"))),
            },
        }
    }
}
