//! What the workers record: per operation counts, bytes, errors by class and an HDR latency
//! histogram. Each worker records into its own [`Recorder`] (no sharing on the hot path); the
//! recorders are merged at the end. [`Live`] holds the few atomic counters the once-a-second
//! progress line reads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::spec::OpKind;

/// Highest latency the histograms track: one hour, in microseconds. Slower requests are
/// recorded as one hour rather than dropped, so they still count.
pub const MAX_LATENCY_US: u64 = 3_600_000_000;

/// Statistics of one operation kind.
#[derive(Debug, Clone, Default)]
pub struct OpStats {
    /// Successful operations.
    pub ok: u64,
    /// Failed operations, by class (`"404 NoSuchKey"`, `"transport"`, ...).
    pub errors: BTreeMap<String, u64>,
    /// Payload bytes moved by successful operations (sent for writes, received for reads).
    pub bytes: u64,
    /// Items handled: keys returned by LIST pages, objects for the others.
    pub items: u64,
    /// Latency of successful operations in microseconds; made on the first success, because
    /// a histogram of this range is ~190 KB and most workers record only one operation kind.
    pub latency: Option<Histogram<u64>>,
}

/// A histogram from 1 µs to [`MAX_LATENCY_US`] with 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    // Constant, valid bounds: this cannot fail on any input.
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("constant histogram bounds are valid")
}

impl OpStats {
    /// Total failed operations.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &OpStats) {
        self.ok += other.ok;
        self.bytes += other.bytes;
        self.items += other.items;
        for (k, v) in &other.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
        if let Some(theirs) = &other.latency {
            let ours = self.latency.get_or_insert_with(new_histogram);
            // Both histograms have the same bounds; on the impossible mismatch keep ours.
            let _ = ours.add(theirs);
        }
    }
}

/// A worker's own statistics, one slot per [`OpKind`].
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    ops: [OpStats; OpKind::ALL.len()],
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Recorder::default()
    }

    /// Records a success.
    pub fn ok(&mut self, op: OpKind, latency: Duration, bytes: u64, items: u64) {
        let s = &mut self.ops[op.index()];
        s.ok += 1;
        s.bytes += bytes;
        s.items += items;
        let us = u64::try_from(latency.as_micros()).unwrap_or(MAX_LATENCY_US);
        s.latency
            .get_or_insert_with(new_histogram)
            .saturating_record(us.clamp(1, MAX_LATENCY_US));
    }

    /// Records a failure under `class`.
    pub fn error(&mut self, op: OpKind, class: String) {
        *self.ops[op.index()].errors.entry(class).or_default() += 1;
    }

    /// Adds another recorder into this one.
    pub fn merge(&mut self, other: &Recorder) {
        for (a, b) in self.ops.iter_mut().zip(other.ops.iter()) {
            a.merge(b);
        }
    }

    /// The statistics of `op`.
    pub fn get(&self, op: OpKind) -> &OpStats {
        &self.ops[op.index()]
    }
}

/// Counters the progress line reads while the run goes on.
#[derive(Debug, Default)]
pub struct Live {
    /// Completed operations (ok or not).
    pub ops: AtomicU64,
    /// Failed operations.
    pub errors: AtomicU64,
    /// Payload bytes moved.
    pub bytes: AtomicU64,
}

impl Live {
    /// Counts one finished operation.
    pub fn add(&self, bytes: u64, failed: bool) {
        // Relaxed: these are statistics read once a second, not synchronisation.
        self.ops.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// `(ops, bytes, errors)` so far.
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.ops.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
        )
    }
}

/// This process's CPU time so far (user, system), from `getrusage(RUSAGE_SELF)`.
pub fn cpu_time() -> (Duration, Duration) {
    // SAFETY: getrusage writes into the struct we pass and reads nothing else; a zeroed
    // `rusage` is a valid value of that plain C struct.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut u) != 0 {
            return (Duration::ZERO, Duration::ZERO);
        }
        u
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    (tv(usage.ru_utime), tv(usage.ru_stime))
}

/// This process's peak resident set size in bytes (`ru_maxrss`).
pub fn peak_rss() -> u64 {
    // SAFETY: as in `cpu_time`.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut u) != 0 {
            return 0;
        }
        u
    };
    // Linux reports kilobytes.
    u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024
}
