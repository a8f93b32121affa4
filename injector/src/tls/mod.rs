//! The webhook's serving certificate: where it comes from and how it is swapped.
//!
//! Two sources, chosen by `strata-injector serve`:
//! - **files** ([`files`]): PEM files from a cert-manager Secret, re-read when they change;
//! - **self-managed** ([`managed`]): an own CA and a short-lived serving certificate made
//!   with rcgen ([`ca`]), kept in a Secret shared by the replicas, with the CA bundle
//!   patched into the MutatingWebhookConfiguration through the API ([`kube`]).
//!
//! Both put the certificate into one [`store::CertStore`] that every handshake reads.

pub mod ca;
mod clock;
mod error;
pub mod files;
pub mod kube;
pub mod managed;
pub mod store;

pub use clock::unix_now;
pub use error::TlsError;
