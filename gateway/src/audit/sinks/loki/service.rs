//! Pushing a batch to Loki: one POST, judged by its status (`204` on success; `400` for
//! lines Loki refuses, such as too old, is not retried).

use std::collections::BTreeMap;

use super::encoder::encode_push;
use crate::audit::sink::{
    Delivery, HttpRetryLogic, ItemResult, Record, RetryLogic, SendError, SinkService,
};
use crate::audit::sinks::http::HttpTarget;

/// Pushes to one Loki.
#[derive(Debug, Clone)]
pub struct LokiService {
    target: HttpTarget,
    labels: BTreeMap<String, String>,
}

impl LokiService {
    /// The service for `target`, with the stream's `labels`.
    pub fn new(target: HttpTarget, labels: BTreeMap<String, String>) -> LokiService {
        LokiService { target, labels }
    }
}

#[async_trait::async_trait]
impl SinkService for LokiService {
    async fn send(&self, batch: &[Record]) -> Result<Delivery, SendError> {
        let body = encode_push(&self.labels, batch);
        let reply = self.target.post("application/json", body).await?;
        match HttpRetryLogic.status(reply.status) {
            ItemResult::Delivered => Ok(Delivery::All),
            ItemResult::Retry => Err(SendError::Retryable(format!("status {}", reply.status))),
            ItemResult::Rejected => Err(SendError::Rejected(format!(
                "status {}: {}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            ))),
        }
    }
}
