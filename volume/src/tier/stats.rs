//! What each remote tier has been asked and how it answered, for metrics.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counts of one tier since start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierStats {
    /// The tier's name.
    pub tier: String,
    /// Reads (whole or ranged) that sent all their bytes.
    pub reads: u64,
    /// Reads that failed (the tier down, or bytes that did not match).
    pub read_errors: u64,
    /// Bytes read from the tier.
    pub read_bytes: u64,
    /// Objects written.
    pub writes: u64,
    /// Writes that failed.
    pub write_errors: u64,
    /// Bytes written to the tier.
    pub written_bytes: u64,
    /// Objects deleted.
    pub deletes: u64,
    /// Deletes that failed (tried again by the scanner).
    pub delete_errors: u64,
}

/// The live counters behind [`TierStats`].
#[derive(Debug, Default)]
pub(crate) struct TierCounters {
    reads: AtomicU64,
    read_errors: AtomicU64,
    read_bytes: AtomicU64,
    writes: AtomicU64,
    write_errors: AtomicU64,
    written_bytes: AtomicU64,
    deletes: AtomicU64,
    delete_errors: AtomicU64,
}

/// One remote call's end, as counted.
pub(crate) enum Counted {
    Read { ok: bool, bytes: u64 },
    Write { ok: bool, bytes: u64 },
    Delete { ok: bool },
}

impl TierCounters {
    pub(crate) fn count(&self, what: Counted) {
        let add = |c: &AtomicU64, n: u64| {
            c.fetch_add(n, Ordering::Relaxed);
        };
        match what {
            Counted::Read { ok, bytes } => {
                add(if ok { &self.reads } else { &self.read_errors }, 1);
                add(&self.read_bytes, bytes);
            }
            Counted::Write { ok, bytes } => {
                add(if ok { &self.writes } else { &self.write_errors }, 1);
                add(&self.written_bytes, bytes);
            }
            Counted::Delete { ok } => add(
                if ok {
                    &self.deletes
                } else {
                    &self.delete_errors
                },
                1,
            ),
        }
    }

    pub(crate) fn stats(&self, tier: &str) -> TierStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        TierStats {
            tier: tier.to_string(),
            reads: get(&self.reads),
            read_errors: get(&self.read_errors),
            read_bytes: get(&self.read_bytes),
            writes: get(&self.writes),
            write_errors: get(&self.write_errors),
            written_bytes: get(&self.written_bytes),
            deletes: get(&self.deletes),
            delete_errors: get(&self.delete_errors),
        }
    }
}
