//! What a volume's metadata index (redb) can report, as a typed error that crosses threads.
//!
//! redb's own error enum holds a read transaction in one variant (not `Sync`), so it cannot
//! travel in [`crate::Error`]; the kinds a caller can act on are kept, the rest keep their text.

use std::sync::Arc;

/// A failure of one volume's metadata index.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IndexError {
    /// The index file does not hold what redb wrote (a torn or damaged file).
    #[error("the index file is corrupted: {0}")]
    Corrupted(String),
    /// The file system failed (a full disk among others: see [`IndexError::is_disk_full`]).
    /// Shared, because one failed group commit answers every request in it.
    #[error("I/O error: {0}")]
    Io(#[source] Arc<std::io::Error>),
    /// Another process holds the index open.
    #[error("the index is open in another process")]
    AlreadyOpen,
    /// An earlier I/O error left the index unusable until it is opened again.
    #[error("an earlier I/O error made the index unusable until it is reopened")]
    PreviousIo,
    /// A value is larger than the index accepts.
    #[error("a value of {0} bytes is larger than the index accepts")]
    ValueTooLarge(usize),
    /// A stored record does not decode.
    #[error("a stored record does not decode: {0}")]
    Record(String),
    /// Anything else redb reports (its error kinds grow between versions).
    #[error("{0}")]
    Other(String),
}

impl IndexError {
    /// Whether the index failed because its file system is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, IndexError::Io(e) if crate::error::io_is_full(e))
    }
}

impl From<redb::Error> for IndexError {
    fn from(e: redb::Error) -> Self {
        match e {
            redb::Error::Corrupted(what) => IndexError::Corrupted(what),
            redb::Error::Io(io) => IndexError::Io(Arc::new(io)),
            redb::Error::DatabaseAlreadyOpen => IndexError::AlreadyOpen,
            redb::Error::PreviousIo => IndexError::PreviousIo,
            redb::Error::ValueTooLarge(len) => IndexError::ValueTooLarge(len),
            other => IndexError::Other(other.to_string()),
        }
    }
}

/// redb's narrower error types, each through its conversion into `redb::Error`.
macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for IndexError {
            fn from(e: $t) -> Self {
                redb::Error::from(e).into()
            }
        }
    )*};
}

from_redb!(
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::DatabaseError
);
