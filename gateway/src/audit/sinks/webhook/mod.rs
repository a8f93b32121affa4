//! The webhook sink: batches POSTed as a JSON array of events to a URL.

mod config;
mod encoder;
mod service;
#[cfg(test)]
mod tests;

pub use config::WebhookConfig;
pub use encoder::encode_array;
pub use service::WebhookService;
