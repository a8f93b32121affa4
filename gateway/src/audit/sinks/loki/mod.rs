//! The Grafana Loki sink: batches pushed to `/loki/api/v1/push` as one JSON stream with the
//! configured static labels, each event a log line at its own time.

mod config;
mod encoder;
mod service;
#[cfg(test)]
mod tests;

pub use config::{LokiConfig, LokiKeys};
pub use encoder::encode_push;
pub use service::LokiService;
