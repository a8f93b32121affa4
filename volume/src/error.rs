//! Errors of the volume engine, split by category: what the request ran into ([`Refusal`]),
//! what is wrong with the request's own values ([`Invalid`]), volumes too few to answer
//! ([`Unavailable`]), and the store's own failures ([`Fault`]).
//!
//! The gateway maps every variant to an S3 answer in one place (`gateway/src/s3/error.rs`) by
//! exhaustive matches. That is why these enums are not `#[non_exhaustive]`: a new variant must
//! not compile until it has its S3 code. Nothing here knows about HTTP.

use std::path::PathBuf;

pub use crate::index_error::IndexError;

/// Every failure the store reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What the request names is not there, or the store's state refuses it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A name or argument of the request is unusable.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Too few volumes answered; the same request may succeed later.
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    /// The store itself failed: a disk, an index, data beyond repair, its setup.
    #[error(transparent)]
    Fault(#[from] Fault),
}

/// The request is well formed, but what it names is absent or in a state that refuses it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The bucket does not exist.
    #[error("the bucket does not exist")]
    NoSuchBucket,
    /// The bucket already exists (single tenant: it is always ours).
    #[error("the bucket already exists")]
    BucketAlreadyOwnedByYou,
    /// A bucket can only be deleted when it holds no objects, versions or uploads.
    #[error("the bucket is not empty")]
    BucketNotEmpty,
    /// The key has no current version.
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
    /// The completed object would be larger than the store takes.
    #[error("the object would have {size} bytes, more than the maximum of {max}")]
    EntityTooLarge {
        /// Its size.
        size: u64,
        /// The store's maximum object size.
        max: u64,
    },
    /// The requested range does not overlap the object.
    #[error("the range is not satisfiable for an object of {size} bytes")]
    InvalidRange {
        /// Size of the object.
        size: u64,
    },
    /// A read asked for a part number the object does not have.
    #[error("the object has no part {part} (it has {parts})")]
    InvalidPartNumber {
        /// The part asked for.
        part: u32,
        /// How many parts the object has.
        parts: usize,
    },
    /// A write promised a version id, and the bucket's versioning changed before its commit
    /// so that the id cannot be the one committed.
    #[error("the bucket's versioning changed while the write ran; send it again")]
    VersioningChanged,
    /// A write precondition (If-Match / If-None-Match) did not hold at commit.
    #[error("a precondition did not hold")]
    PreconditionFailed,
    /// The version is protected by object lock (a legal hold, or a retention the caller
    /// may not remove or shorten).
    #[error("{0}")]
    ObjectLocked(String),
    /// The bucket has no object lock, and the request needs it.
    #[error("Bucket is missing Object Lock Configuration")]
    ObjectLockNotEnabled,
    /// The bucket's state does not allow the change (versioning of a bucket with object
    /// lock, object lock on a bucket without versioning).
    #[error("{0}")]
    InvalidBucketState(String),
}

/// A name or value of the request that the store cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// The bucket name breaks the naming rules.
    #[error("invalid bucket name: {0}")]
    BucketName(String),
    /// The key is longer than 1024 bytes.
    #[error("the key is longer than 1024 bytes")]
    KeyTooLong,
    /// The key is unusable (empty, or holds a NUL).
    #[error("invalid key: {0}")]
    Key(String),
    /// No storage class of that name.
    #[error("unknown storage class {0:?}")]
    StorageClass(String),
    /// Any other argument that is out of range.
    #[error("invalid argument: {0}")]
    Argument(String),
    /// The body had another length than announced.
    #[error("the body had {got} bytes, {expected} were announced")]
    BodyLength {
        /// Announced length.
        expected: u64,
        /// Received length (so far, when the body was longer).
        got: u64,
    },
}

/// Too few volumes answered to reach a quorum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    /// Fewer volumes took a write than the write quorum.
    #[error("write quorum not reached in class {class}: {succeeded} of {needed} volumes")]
    WriteQuorum {
        /// Storage class.
        class: String,
        /// Volumes that took the write.
        succeeded: usize,
        /// Write quorum.
        needed: usize,
    },
    /// Fewer volumes answered than the read quorum.
    #[error("read quorum not reached in class {class}: {available} of {needed} volumes")]
    ReadQuorum {
        /// Storage class.
        class: String,
        /// Volumes that answered.
        available: usize,
        /// Read quorum.
        needed: usize,
    },
    /// Too few volumes of the class have room left for the write (a full disk, or space
    /// below the reserve kept for the metadata index). Retrying does not help until space is
    /// freed (deletes still work) or added.
    #[error("class {class}: {full} volumes are full, and {succeeded} of the {needed} a write needs took it; free or add space")]
    StorageFull {
        /// Storage class.
        class: String,
        /// Volumes that refused for lack of space.
        full: usize,
        /// Volumes that took the write.
        succeeded: usize,
        /// Write quorum.
        needed: usize,
    },
    /// A remote tier did not answer or refused: the object's bytes are there, not reachable
    /// now.
    #[error("remote tier {tier} is unavailable: {reason}")]
    Tier {
        /// The tier's name.
        tier: String,
        /// What failed.
        reason: String,
    },
    /// The volumes that answered cannot tell which version is current: a version too few of
    /// them hold may still be on a write quorum, counting those that did not answer.
    #[error("class {class}: {answered} of {total} volumes answered, too few to tell the current version")]
    Undecided {
        /// Storage class.
        class: String,
        /// Volumes that answered.
        answered: usize,
        /// Volumes of the class.
        total: usize,
    },
}

impl Unavailable {
    /// A write that `succeeded` volumes of `class` took, fewer than `needed`: for lack of
    /// space when `full` of the others refused for it, else for lack of volumes.
    pub(crate) fn quorum_lost(class: &str, succeeded: usize, needed: usize, full: usize) -> Self {
        let class = class.to_string();
        if full > 0 {
            Unavailable::StorageFull {
                class,
                full,
                succeeded,
                needed,
            }
        } else {
            Unavailable::WriteQuorum {
                class,
                succeeded,
                needed,
            }
        }
    }
}

/// The store failed on its own: nothing the request did wrong.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    /// Data read back failed its checks on too many shards to rebuild.
    #[error("data is corrupt beyond repair: {0}")]
    Corrupt(String),
    /// An I/O error on a volume.
    #[error("volume {path}: {source}")]
    Io {
        /// File or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The metadata index of a volume failed.
    #[error("metadata index {path}: {source}")]
    Index {
        /// The index file.
        path: PathBuf,
        /// What the index reported.
        source: IndexError,
    },
    /// A volume's format record is unusable.
    #[error("volume {path}: {reason}")]
    Format {
        /// Volume directory.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration or the volumes do not fit together.
    #[error("configuration: {0}")]
    Config(String),
    /// A background task ended unexpectedly (a panic or a shutdown in progress).
    #[error("internal: {0}")]
    Internal(String),
}

/// A write that reads a caller's body: the body's own failure, passed back unchanged, or the
/// store's.
#[derive(Debug, thiserror::Error)]
pub enum WriteError<E> {
    /// The body stream failed (a verification, a broken connection, a failed source read).
    #[error("reading the body failed: {0}")]
    Body(E),
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] Error),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Fault::Io {
            path: path.into(),
            source,
        }
        .into()
    }

    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        Fault::Corrupt(what.into()).into()
    }

    pub(crate) fn internal(what: impl Into<String>) -> Self {
        Fault::Internal(what.into()).into()
    }

    pub(crate) fn config(what: impl Into<String>) -> Self {
        Fault::Config(what.into()).into()
    }

    pub(crate) fn argument(what: impl Into<String>) -> Self {
        Invalid::Argument(what.into()).into()
    }

    /// Whether the error is a file system out of space (or quota), or a volume below the
    /// space the store keeps free for its index.
    pub fn is_disk_full(&self) -> bool {
        match self {
            Error::Fault(Fault::Io { source, .. }) => io_is_full(source),
            Error::Fault(Fault::Index { source, .. }) => source.is_disk_full(),
            Error::Unavailable(Unavailable::StorageFull { .. }) => true,
            _ => false,
        }
    }

    /// Whether the error is a volume's own I/O or index failure, other than a full disk: what
    /// a disk going bad looks like.
    pub(crate) fn is_volume_fault(&self) -> bool {
        matches!(self, Error::Fault(Fault::Io { .. } | Fault::Index { .. })) && !self.is_disk_full()
    }

    /// True when the error is the caller's fault (4xx), false when the store failed (5xx).
    pub fn is_client_error(&self) -> bool {
        matches!(self, Error::Refused(_) | Error::Invalid(_))
    }
}

/// Whether an I/O error says the file system is out of space or quota.
pub(crate) fn io_is_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || e.raw_os_error() == Some(rustix::io::Errno::NOSPC.raw_os_error())
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
