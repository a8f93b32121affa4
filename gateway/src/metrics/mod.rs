//! Prometheus metrics: the families of `docs/OBSERVABILITY.md`, kept in a `prometheus-client`
//! registry and encoded by it, in the Prometheus text format or OpenMetrics.
//!
//! Each group of families is one typed struct registered once at start. Request counts come
//! from the request event (an observer); volume, class and heal figures are read from the
//! store at each scrape; subsystems (audit sinks, notifications) register their own families
//! into the same registry when they are built; the identity families are counted by the
//! authorizer and the STS handlers, which hold them from before the registry exists.

mod exposition;
mod identity;
mod kms;
mod labels;
mod lifecycle;
mod maintenance;
mod process;
mod read_ahead;
mod requests;
mod store;
#[cfg(test)]
mod tests;
mod tiers;

pub use exposition::{Exposition, Rendered};
pub use identity::{DenialReason, IdentityMetrics};
pub use kms::KmsMetrics;
pub use lifecycle::LifecycleMetrics;
pub use maintenance::MaintenanceMetrics;
pub use process::{ProcessMetrics, TlsExpiry};
pub use read_ahead::{ReadAheadMetrics, TierReadAhead};
pub use requests::RequestMetrics;
pub use store::{AdmissionMetrics, StoreMetrics};
pub use tiers::TierMetrics;

/// Upper bounds (seconds) of request latency histograms: 0.5 ms to 30 s.
pub const LATENCY_BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
