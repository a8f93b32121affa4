//! How a sink is configured, apart from where it sends: batching, buffer, retries, policy.

use std::path::PathBuf;
use std::time::Duration;

/// Who a sink works for; the `kind` label of its metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SinkKind {
    /// Audit events.
    Audit,
    /// Bucket notifications.
    Notify,
}

impl SinkKind {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            SinkKind::Audit => "audit",
            SinkKind::Notify => "notify",
        }
    }
}

/// The shared settings of one sink.
#[derive(Debug, Clone, PartialEq)]
pub struct SinkSpec {
    /// The configured name; the `sink` label of its metrics.
    pub name: String,
    /// Audit or notify.
    pub kind: SinkKind,
    /// When a batch is sent.
    pub batch: BatchSettings,
    /// Where events wait for delivery, and its bound.
    pub buffer: BufferSettings,
    /// How failed sends are retried.
    pub retry: RetrySettings,
    /// What a push does when the buffer is full.
    pub when_full: WhenFull,
}

/// A batch is sent when it holds `max_events` or `max_bytes`, or its oldest event is
/// `max_age` old, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSettings {
    /// Most events in one batch.
    pub max_events: usize,
    /// Most document bytes in one batch (a single larger event is sent alone).
    pub max_bytes: u64,
    /// Longest an event waits for its batch to fill.
    pub max_age: Duration,
}

impl Default for BatchSettings {
    fn default() -> Self {
        BatchSettings {
            max_events: 500,
            max_bytes: 1024 * 1024,
            max_age: Duration::from_secs(1),
        }
    }
}

/// Where undelivered events wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BufferSettings {
    /// In memory: lost on restart.
    Memory {
        /// Most events held (in the queue or being sent).
        max_events: usize,
        /// Most document bytes held.
        max_bytes: u64,
    },
    /// Segment files in `path`: survives restart and `kill -9` (not a power loss).
    Disk {
        /// The buffer's own directory (one per sink).
        path: PathBuf,
        /// Most bytes of segment files.
        max_bytes: u64,
    },
}

impl Default for BufferSettings {
    fn default() -> Self {
        BufferSettings::Memory {
            max_events: 10_000,
            max_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Exponential backoff between attempts, with full jitter; attempts never stop (an event
/// leaves the buffer only when delivered or refused for good).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Wait before the first retry.
    pub initial_backoff: Duration,
    /// Longest wait between two attempts.
    pub max_backoff: Duration,
    /// One attempt's time limit (a stalled receiver is a failed attempt).
    pub timeout: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

/// What a push does when the buffer is at its bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WhenFull {
    /// Drop the event and count it (`strata_sink_events_total{outcome="dropped"}`).
    #[default]
    Drop,
    /// Make the pushing request wait for room (its answer is already sent).
    Block,
}
