//! Reading a `_bulk` reply: a `200` may still hold failed items (`"errors": true`), each
//! with its own status; those are retried (429, 5xx) or refused (mapping errors and the
//! like), one by one.

use serde::Deserialize;

use crate::audit::sink::{ItemResult, RetryLogic};

/// `_bulk`'s rules: HTTP's, applied to the whole reply and to each item.
#[derive(Debug, Default, Clone, Copy)]
pub struct BulkRetryLogic;

impl RetryLogic for BulkRetryLogic {}

#[derive(Deserialize)]
struct BulkReply {
    #[serde(default)]
    errors: bool,
    #[serde(default)]
    items: Vec<std::collections::HashMap<String, BulkItem>>,
}

#[derive(Deserialize)]
struct BulkItem {
    status: u16,
}

/// The result per event of a `200` reply's body: `None` when every item succeeded, else
/// one result per item (items the reply does not mention count as retryable).
pub fn bulk_items(body: &[u8], events: usize) -> Result<Option<Vec<ItemResult>>, String> {
    let reply: BulkReply = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if !reply.errors {
        return Ok(None);
    }
    let logic = BulkRetryLogic;
    let mut results: Vec<ItemResult> = reply
        .items
        .iter()
        .map(|item| {
            item.values()
                .next()
                .map_or(ItemResult::Retry, |i| logic.item_status(i.status))
        })
        .collect();
    results.resize(events, ItemResult::Retry);
    Ok(Some(results))
}
