//! What a buffer keeps records in.

use std::io;

use crate::audit::sink::Record;

/// Events and bytes a store holds: waiting, or taken and not yet acknowledged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    /// Records.
    pub events: u64,
    /// Bytes counted against the bound.
    pub bytes: u64,
}

/// A queue whose records stay until acknowledged: `take` hands out the oldest records not
/// yet taken, `ack` forgets the oldest taken ones once they were delivered or refused.
pub trait BufferStore: Send {
    /// Whether `record` fits under the bound now.
    fn has_room(&self, record: &Record) -> bool;
    /// Appends `record` (the caller checked `has_room`).
    fn append(&mut self, record: Record) -> io::Result<()>;
    /// The oldest records not yet taken: at least one if any waits, then more while they
    /// fit in `max_events` and `max_bytes`.
    fn take(&mut self, max_events: usize, max_bytes: u64) -> io::Result<Vec<Record>>;
    /// Forgets the `n` oldest taken records.
    fn ack(&mut self, n: usize) -> io::Result<()>;
    /// Records waiting to be taken.
    fn waiting(&self) -> usize;
    /// Document bytes waiting to be taken.
    fn waiting_bytes(&self) -> u64;
    /// What is held (waiting or taken).
    fn held(&self) -> Held;
    /// The bound (0 where a store has no bound in that unit).
    fn limit(&self) -> Held;
    /// Whether `take` reads files (then it runs off the async workers; a memory store's is a
    /// queue walk, not worth a thread hop per batch).
    fn does_io(&self) -> bool {
        false
    }
    /// Damaged records found and skipped since the last call (disk only).
    fn take_corrupt_count(&mut self) -> u64 {
        0
    }
}
