//! Serving S3 over pingora: the request stack and its stages' server-side parts (admission,
//! strata's own endpoints, the exchange with a session, responses), TLS and the shutdown
//! machinery.

mod admission;
mod app;
mod exchange;
mod forwarded;
mod internal;
mod lifecycle;
mod metrics_listener;
mod notifications;
mod respond;
mod run;
mod scan_hooks;
mod session;
mod stack;
mod tls;

pub use admission::{Admission, AdmissionUsage, STREAMING_BODY_CHARGE};
pub use app::Gateway;
pub use exchange::{CommonHeaders, Exchange, ResponseHead};
pub use lifecycle::{Inflight, ShutdownTrigger};
pub use metrics_listener::MetricsApp;
pub use respond::Sent;
pub use run::{serve, ServeError};
pub use stack::{build, Stack, StackParts};
pub use tls::{CertResolver, TlsError};
