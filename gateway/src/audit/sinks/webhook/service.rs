//! Sending a batch to the webhook: one POST, judged by its status alone.

use super::encoder::encode_array;
use crate::audit::sink::{
    Delivery, HttpRetryLogic, ItemResult, Record, RetryLogic, SendError, SinkService,
};
use crate::audit::sinks::http::HttpTarget;

/// POSTs JSON arrays to one receiver.
#[derive(Debug, Clone)]
pub struct WebhookService {
    target: HttpTarget,
}

impl WebhookService {
    /// The service for `target`.
    pub fn new(target: HttpTarget) -> WebhookService {
        WebhookService { target }
    }
}

#[async_trait::async_trait]
impl SinkService for WebhookService {
    async fn send(&self, batch: &[Record]) -> Result<Delivery, SendError> {
        let reply = self
            .target
            .post("application/json", encode_array(batch))
            .await?;
        match HttpRetryLogic.status(reply.status) {
            ItemResult::Delivered => Ok(Delivery::All),
            ItemResult::Retry => Err(SendError::Retryable(format!("status {}", reply.status))),
            ItemResult::Rejected => Err(SendError::Rejected(format!("status {}", reply.status))),
        }
    }
}
