//! Why a sink could not be built from its configuration.

use std::path::PathBuf;

/// A sink's setting that cannot be used; the message names the setting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// `url` is not an http(s) URL.
    #[error("url {url:?}: {reason}")]
    Url {
        /// As configured.
        url: String,
        /// Why not.
        reason: String,
    },
    /// A file named by a setting cannot be read.
    #[error("{setting} {path:?}: {source}")]
    File {
        /// The setting.
        setting: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A header name or value is not valid HTTP.
    #[error("headers: {name:?}: not a valid header")]
    Header {
        /// The header's name.
        name: String,
    },
    /// The TLS client could not be set up.
    #[error("tls: {0}")]
    Tls(String),
    /// The buffer directory cannot be opened.
    #[error("buffer_path: {0}")]
    Buffer(std::io::Error),
}
