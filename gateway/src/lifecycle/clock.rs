//! Lifecycle time: rules count in whole days from the epoch, and an action falls due at the
//! first day boundary at or after its start plus its days, as AWS rounds to the next UTC
//! midnight. `--lifecycle-day` shortens the day so that tests and demos run in seconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A real day.
pub const DAY: Duration = Duration::from_secs(24 * 3600);

/// How long a lifecycle day lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleClock {
    day_ns: u128,
}

impl Default for LifecycleClock {
    fn default() -> Self {
        LifecycleClock::new(DAY)
    }
}

impl LifecycleClock {
    /// Days of `day` (at least a second).
    pub fn new(day: Duration) -> Self {
        LifecycleClock {
            day_ns: day.as_nanos().max(1_000_000_000),
        }
    }

    /// When an action `days` after `start` falls due: the first day boundary at or after
    /// `start + days`.
    pub fn due_after(&self, start: SystemTime, days: u64) -> SystemTime {
        let start_ns = start
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let end = start_ns.saturating_add(self.day_ns.saturating_mul(u128::from(days)));
        let boundary = end.div_ceil(self.day_ns).saturating_mul(self.day_ns);
        at(boundary)
    }

    /// When the day numbered `day` (days since the epoch, a rule's `Date`) begins.
    pub fn day_start(&self, day: u64) -> SystemTime {
        at(self.day_ns.saturating_mul(u128::from(day)))
    }
}

/// Seconds after the epoch where lifecycle time stops (some 34,000 years: any later time
/// is as good as never).
const FAR_SECS: u64 = 1 << 40;

/// The instant `ns` nanoseconds after the epoch (far futures saturate).
fn at(ns: u128) -> SystemTime {
    let secs = u64::try_from(ns / 1_000_000_000).map_or(FAR_SECS, |s| s.min(FAR_SECS));
    let nanos = (ns % 1_000_000_000) as u32;
    UNIX_EPOCH + Duration::new(secs, nanos)
}
