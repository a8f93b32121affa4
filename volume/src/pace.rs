//! Pacing background work: after each stretch of work, sleep long enough that work stays a
//! set share of wall time, so that a scan or a rebuild leaves the disk and the CPU to
//! foreground requests.

use std::time::{Duration, Instant};

/// Work shorter than this is not worth a sleep of its own.
const STRETCH: Duration = Duration::from_millis(20);

/// Sleeps between items of background work.
pub struct Pacer {
    /// Sleep per unit of work: `(1 - share) / share`.
    ratio: f64,
    since: Instant,
}

impl Pacer {
    /// Work may take `share` of wall time (clamped to 0.001..=1).
    pub fn new(share: f64) -> Self {
        let share = if share.is_finite() {
            share.clamp(0.001, 1.0)
        } else {
            1.0
        };
        Pacer {
            ratio: (1.0 - share) / share,
            since: Instant::now(),
        }
    }

    /// Call after each item: sleeps once the work since the last sleep makes a stretch.
    pub async fn tick(&mut self) {
        let worked = self.since.elapsed();
        if worked < STRETCH {
            return;
        }
        if self.ratio > 0.0 {
            tokio::time::sleep(worked.mul_f64(self.ratio)).await;
        } else {
            tokio::task::yield_now().await;
        }
        self.since = Instant::now();
    }
}
