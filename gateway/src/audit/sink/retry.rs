//! Which failures are worth another attempt, and how long to wait before it.

use std::time::Duration;

use super::service::ItemResult;
use super::spec::RetrySettings;

/// What a receiver's status means for the events it was about.
///
/// The defaults are HTTP's: 2xx delivered; 408, 429 and 5xx retried; any other status
/// refused for good. A sink with other rules (per-item statuses of a `_bulk` reply)
/// overrides them.
pub trait RetryLogic: Send + Sync {
    /// A whole request's status.
    fn status(&self, status: u16) -> ItemResult {
        http_status(status)
    }

    /// One item's status inside a reply that was itself a success.
    fn item_status(&self, status: u16) -> ItemResult {
        http_status(status)
    }
}

/// HTTP's rules, for sinks that need nothing else.
#[derive(Debug, Default, Clone, Copy)]
pub struct HttpRetryLogic;

impl RetryLogic for HttpRetryLogic {}

fn http_status(status: u16) -> ItemResult {
    match status {
        200..=299 => ItemResult::Delivered,
        408 | 429 | 500..=599 => ItemResult::Retry,
        _ => ItemResult::Rejected,
    }
}

/// Exponential backoff with full jitter: attempt `n` waits a random time in
/// `[d/2, d]` where `d = min(initial * 2^n, max)`, so receivers coming back are not hit by
/// every sink at the same instant, and a wait never shrinks to nothing.
#[derive(Debug, Clone)]
pub struct Backoff {
    settings: RetrySettings,
    attempt: u32,
}

impl Backoff {
    /// A backoff starting at the first retry.
    pub fn new(settings: RetrySettings) -> Backoff {
        Backoff {
            settings,
            attempt: 0,
        }
    }

    /// The wait before the next attempt.
    pub fn next_wait(&mut self) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        let spread = (ceiling - half).as_nanos() as u64;
        let jitter = if spread == 0 {
            0
        } else {
            random_u64() % spread
        };
        half + Duration::from_nanos(jitter)
    }

    /// Back to the first wait, after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(30)).unwrap_or(u32::MAX);
        self.settings
            .initial_backoff
            .saturating_mul(factor)
            .min(self.settings.max_backoff)
    }
}

/// A cheap random number for jitter (not for anything secret).
fn random_u64() -> u64 {
    let id = uuid::Uuid::new_v4().as_u64_pair();
    id.0 ^ id.1
}
