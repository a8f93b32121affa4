//! The Elasticsearch sink: batches sent to the `_bulk` API as NDJSON `create` actions; the
//! failed items of a `200` reply are sent again alone (retryable) or counted (refused).

mod config;
mod encoder;
mod retry;
mod service;
#[cfg(test)]
mod tests;

pub use config::{ElasticsearchConfig, ElasticsearchKeys};
pub use encoder::encode_bulk;
pub use retry::{bulk_items, BulkRetryLogic};
pub use service::ElasticsearchService;
