//! What a sink carries: one already-encoded JSON document and the time it is about.

use bytes::Bytes;

/// One event, encoded once by its producer and shared by every sink it is pushed to
/// (cloning is a reference count, not a copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// When the event happened, in nanoseconds since the Unix epoch (Loki's timestamp).
    pub time_ns: u64,
    /// The event as one compact JSON document (no trailing newline).
    pub doc: Bytes,
}

impl Record {
    /// A record of `doc` at `time_ns`.
    pub fn new(time_ns: u64, doc: impl Into<Bytes>) -> Record {
        Record {
            time_ns,
            doc: doc.into(),
        }
    }

    /// What the record counts against a byte bound: its document's length.
    pub fn size(&self) -> u64 {
        self.doc.len() as u64
    }
}
