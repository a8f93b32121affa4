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
pub mod files;
pub mod kube;
pub mod managed;
pub mod store;

use std::path::PathBuf;

use thiserror::Error;

/// A certificate could not be made, read or loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TlsError {
    /// PEM text without the expected blocks.
    #[error("bad PEM: {0}")]
    Pem(String),
    /// rustls refused the key or the configuration.
    #[error("TLS: {0}")]
    Rustls(rustls::Error),
    /// rcgen could not make a certificate.
    #[error("certificate generation: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// A certificate or key file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A call to the Kubernetes API failed.
    #[error(transparent)]
    Kube(#[from] kube::KubeError),
}

/// Seconds since the Unix epoch, the unit of every validity time in this module.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}
