//! Audit: one event per S3 request ([`AuditEvent`]), encoded once by the [`Auditor`] and
//! delivered to every configured sink; and the sink machinery ([`sink`]) that bucket
//! notifications share.

mod auditor;
mod config;
mod event;
mod json;
pub mod sink;
pub mod sinks;
#[cfg(test)]
mod tests;
mod text;

pub use auditor::Auditor;
pub use config::{AuditConfig, AuditSinkConfig, SinkTarget, StartError};
pub use event::{AuditEvent, LifecycleRecord};
