//! Errors of the volume engine, split by whose fault they are.
//!
//! The gateway maps these to S3 codes in one place (`gateway/src/s3/error.rs`); nothing here
//! knows about HTTP.

use std::path::PathBuf;

/// Every failure the store reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // -- the request names something that is not there, or conflicts with what is --
    /// The bucket does not exist.
    #[error("the bucket does not exist")]
    NoSuchBucket,
    /// The bucket already exists (single tenant: it is always ours).
    #[error("the bucket already exists")]
    BucketAlreadyOwnedByYou,
    /// A bucket can only be deleted when it holds no objects, versions or uploads.
    #[error("the bucket is not empty")]
    BucketNotEmpty,
    /// The key has no current version; `delete_marker_version` is set when a delete marker is
    /// the current version.
    #[error("the key does not exist")]
    NoSuchKey {
        /// Version id of the delete marker that hides the key, if one does.
        delete_marker_version: Option<String>,
    },
    /// The named version does not exist.
    #[error("the version does not exist")]
    NoSuchVersion,
    /// The operation does not apply to a delete marker.
    #[error("the operation is not allowed on a delete marker")]
    MethodNotAllowed {
        /// Version id of the delete marker.
        delete_marker_version: Option<String>,
    },
    /// The multipart upload does not exist (completed, aborted, or never created).
    #[error("the multipart upload does not exist")]
    NoSuchUpload,
    /// A part named in a completion is missing or its ETag differs.
    #[error("invalid part: {0}")]
    InvalidPart(String),
    /// Parts of a completion are not in ascending order.
    #[error("the list of parts was not in ascending order")]
    InvalidPartOrder,
    /// A part other than the last is smaller than the minimum part size.
    #[error("a part other than the last is smaller than the minimum part size")]
    EntityTooSmall,
    /// The requested range does not overlap the object.
    #[error("the range is not satisfiable for an object of {size} bytes")]
    InvalidRange {
        /// Size of the object.
        size: u64,
    },
    /// The part number is not a part of the object.
    #[error("the part number is not a part of the object")]
    InvalidPartNumber,
    /// A write precondition (If-Match / If-None-Match) did not hold at commit.
    #[error("a precondition did not hold")]
    PreconditionFailed,

    // -- the request itself is malformed --
    /// The bucket name breaks the naming rules.
    #[error("invalid bucket name: {0}")]
    InvalidBucketName(String),
    /// The key is longer than 1024 bytes.
    #[error("the key is longer than 1024 bytes")]
    KeyTooLong,
    /// The key is unusable (empty, or holds a NUL).
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// No storage class of that name.
    #[error("unknown storage class {0:?}")]
    InvalidStorageClass(String),
    /// Any other argument that is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The body was shorter or longer than announced.
    #[error("the body had {got} bytes, {expected} were announced")]
    IncompleteBody {
        /// Announced length.
        expected: u64,
        /// Received length.
        got: u64,
    },
    /// The body's MD5 differs from the one announced.
    #[error("the body's MD5 does not match Content-MD5")]
    BadDigest,
    /// The caller's body stream failed; the error is passed back unchanged.
    #[error("reading the body failed: {0}")]
    Body(std::io::Error),
    /// The caller's body check refused the body after it was read.
    #[error("the body was rejected: {0}")]
    BodyRejected(Box<dyn std::error::Error + Send + Sync>),

    // -- the store cannot do it now --
    /// Fewer volumes took a write than the write quorum.
    #[error("write quorum not reached in class {class}: {succeeded} of {needed} volumes")]
    InsufficientWriteQuorum {
        /// Storage class.
        class: String,
        /// Volumes that took the write.
        succeeded: usize,
        /// Write quorum.
        needed: usize,
    },
    /// Fewer volumes answered than the read quorum.
    #[error("read quorum not reached in class {class}: {available} of {needed} volumes")]
    InsufficientReadQuorum {
        /// Storage class.
        class: String,
        /// Volumes that answered.
        available: usize,
        /// Read quorum.
        needed: usize,
    },
    /// Data read back failed its checks on too many shards to rebuild.
    #[error("data is corrupt beyond repair: {0}")]
    Corrupt(String),
    /// The configuration or the volumes do not fit together.
    #[error("configuration: {0}")]
    Config(String),
    /// A volume's format record is unusable.
    #[error("volume {path}: {reason}")]
    Format {
        /// Volume directory.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// An I/O error on a volume.
    #[error("volume {path}: {source}")]
    Io {
        /// File or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The metadata index of a volume failed.
    #[error("metadata index {path}: {reason}")]
    Meta {
        /// The index file.
        path: PathBuf,
        /// The underlying error, as text (redb's errors are not all `Send + Sync + 'static`).
        reason: String,
    },
    /// A background task ended unexpectedly (a panic or a shutdown in progress).
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the error is the caller's fault (4xx), false when the store failed (5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(
            self,
            Error::InsufficientWriteQuorum { .. }
                | Error::InsufficientReadQuorum { .. }
                | Error::Corrupt(_)
                | Error::Config(_)
                | Error::Format { .. }
                | Error::Io { .. }
                | Error::Meta { .. }
                | Error::Internal(_)
        )
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
