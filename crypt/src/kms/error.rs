//! What a KMS call can fail with.

use thiserror::Error;

/// A KMS call failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KmsError {
    /// No key with this id.
    #[error("no KMS key {0:?}")]
    NoSuchKey(String),
    /// A key with this id exists already.
    #[error("KMS key {0:?} exists already")]
    KeyExists(String),
    /// The key id is not allowed (empty, too long, or characters outside `A-Za-z0-9-_./`).
    #[error("invalid KMS key id {0:?}")]
    InvalidKeyId(String),
    /// The blob names a version of the key that the KMS no longer has.
    #[error("KMS key {id:?} has no version {version}")]
    NoSuchVersion {
        /// The key id.
        id: String,
        /// The missing version.
        version: u32,
    },
    /// The blob is malformed, names another key, or fails authentication (changed bytes,
    /// another encryption context).
    #[error("the sealed data key is invalid")]
    InvalidBlob,
    /// The keyring's file or directory does not hold a valid keyring.
    #[error("keyring {path}: {reason}")]
    CorruptKeyring {
        /// The file that is wrong.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing the keyring failed.
    #[error("keyring {path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random generator failed.
    #[error("the random generator failed")]
    Random,
    /// The KMS refused the call (remote KMSes): its HTTP status and messages.
    #[error("the KMS refused: HTTP {status}: {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The KMS's error messages.
        message: String,
    },
    /// The KMS cannot be reached or did not answer in time (remote KMSes).
    #[error("the KMS is unavailable: {0}")]
    Unavailable(String),
}
