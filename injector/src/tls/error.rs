//! Why a certificate could not be made, read or loaded.

use std::path::PathBuf;

use thiserror::Error;

use super::kube;

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
