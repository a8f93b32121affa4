//! Serving S3 over pingora: the app and its request stack, bodies, responses, TLS and the
//! shutdown machinery.

mod app;
mod body;
mod lifecycle;
mod respond;
mod run;
mod tls;

pub use app::Gateway;
pub use lifecycle::{Inflight, ShutdownTrigger};
pub use run::{serve, ServeError};
pub use tls::{CertResolver, TlsError};
