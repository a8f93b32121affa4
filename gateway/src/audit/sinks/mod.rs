//! The sinks: each is a config, an encoder and a service on the shared machinery
//! (`audit::sink`), and knows nothing of buffers, batches or retries.

pub mod elasticsearch;
pub mod error;
pub mod file;
pub mod http;
pub mod loki;
pub mod webhook;
