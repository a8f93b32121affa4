//! Admission: at most so many requests at once, and at most so many request-body bytes in
//! memory at once. Past either bound a request is answered `503 SlowDown` at once (SDKs back
//! off and retry it) instead of queueing without limit. Health and admin endpoints are
//! answered before admission, so probes work under any load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::s3::error::{Code, S3Error};

/// What a streaming upload is counted as holding in memory, whatever its length: by the write
/// pipeline's construction, the 1 MiB erasure block being filled, two blocks queued to the
/// encoder and two to the MD5 service, and their shards queued to the volume writers. An
/// estimate of the order of that, not a measurement.
pub const STREAMING_BODY_CHARGE: u64 = 4 << 20;

/// One bound: what is in use, never past the maximum. A plain atomic, not a semaphore: nothing
/// ever waits for room (past the bound the answer is SlowDown at once), and a semaphore's
/// release takes a lock that every request would contend on.
#[derive(Debug)]
struct Bound {
    used: AtomicU64,
    max: u64,
}

impl Bound {
    fn new(max: u64) -> Arc<Self> {
        Arc::new(Bound {
            used: AtomicU64::new(0),
            max,
        })
    }

    /// Takes `n` if they fit.
    fn take(self: &Arc<Self>, n: u64) -> Option<Held> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|total| *total <= self.max)
            })
            .ok()?;
        Some(Held {
            bound: self.clone(),
            n,
        })
    }
}

/// Part of a bound, given back on drop.
#[derive(Debug)]
struct Held {
    bound: Arc<Bound>,
    n: u64,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.bound.used.fetch_sub(self.n, Ordering::AcqRel);
    }
}

/// The two bounds.
#[derive(Debug, Clone)]
pub struct Admission {
    requests: Arc<Bound>,
    body_bytes: Arc<Bound>,
}

/// Held while a request is served, and while its body is in memory.
#[derive(Debug)]
pub struct Admitted {
    _request: Held,
    _body: Option<Held>,
}

impl Admission {
    /// At most `max_requests` requests and `max_body_memory` bytes of request bodies.
    pub fn new(max_requests: usize, max_body_memory: u64) -> Self {
        Admission {
            requests: Bound::new(max_requests as u64),
            body_bytes: Bound::new(max_body_memory),
        }
    }

    /// Admits a request, or answers SlowDown.
    pub fn request(&self) -> Result<Admitted, S3Error> {
        let held = self.requests.take(1).ok_or_else(|| {
            Code::SlowDown.with(format!(
                "Please reduce your request rate: {} requests are in progress, the limit",
                self.requests.max
            ))
        })?;
        Ok(Admitted {
            _request: held,
            _body: None,
        })
    }

    /// Reserves memory for a request body that will hold up to `bytes` at once, or answers
    /// SlowDown; nothing is reserved for an empty body.
    pub fn body(&self, admitted: &mut Admitted, bytes: u64) -> Result<(), S3Error> {
        if bytes == 0 {
            return Ok(());
        }
        let held = self.body_bytes.take(bytes).ok_or_else(|| {
            Code::SlowDown.with(format!(
                "Please reduce your request rate: request bodies in progress hold the limit of {} bytes",
                self.body_bytes.max
            ))
        })?;
        admitted._body = Some(held);
        Ok(())
    }

    /// Requests being served now.
    pub fn requests_in_flight(&self) -> usize {
        self.requests.used.load(Ordering::Acquire) as usize
    }

    /// Both bounds and what is in use of them now.
    pub fn usage(&self) -> AdmissionUsage {
        AdmissionUsage {
            requests: self.requests.used.load(Ordering::Relaxed),
            requests_limit: self.requests.max,
            body_bytes: self.body_bytes.used.load(Ordering::Relaxed),
            body_bytes_limit: self.body_bytes.max,
        }
    }
}

/// Admission's bounds and their use at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionUsage {
    /// Requests being served.
    pub requests: u64,
    /// `--max-requests`.
    pub requests_limit: u64,
    /// Request-body memory held.
    pub body_bytes: u64,
    /// `--max-body-memory`.
    pub body_bytes_limit: u64,
}

/// Memory a request body will hold at most: a document is buffered whole, an object body
/// streams through a window; an unknown length counts as a window.
pub fn body_charge(length: Option<u64>, buffered: bool) -> u64 {
    match (length, buffered) {
        (Some(n), true) => n,
        (Some(n), false) => n.min(STREAMING_BODY_CHARGE),
        (None, _) => STREAMING_BODY_CHARGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_request_limit_is_slow_down_and_a_release_makes_room() {
        let a = Admission::new(2, 1 << 20);
        let first = a.request().unwrap();
        let _second = a.request().unwrap();
        let refused = a.request().unwrap_err();
        assert_eq!((refused.code, refused.status()), (Code::SlowDown, 503));
        assert_eq!(a.requests_in_flight(), 2);
        drop(first);
        assert!(a.request().is_ok());
    }

    #[test]
    fn body_memory_is_bounded_and_given_back() {
        let a = Admission::new(10, 10 * 1024);
        let mut one = a.request().unwrap();
        a.body(&mut one, 8 * 1024).unwrap();
        let mut two = a.request().unwrap();
        assert_eq!(a.body(&mut two, 4 * 1024).unwrap_err().code, Code::SlowDown);
        a.body(&mut two, 2 * 1024).unwrap();
        drop(one);
        let mut three = a.request().unwrap();
        a.body(&mut three, 8 * 1024).unwrap();
        // An empty body takes nothing.
        let mut four = a.request().unwrap();
        a.body(&mut four, 0).unwrap();
    }

    #[test]
    fn streaming_bodies_are_charged_their_window() {
        assert_eq!(body_charge(Some(10), false), 10);
        assert_eq!(body_charge(Some(1 << 40), false), STREAMING_BODY_CHARGE);
        assert_eq!(body_charge(Some(1 << 20), true), 1 << 20);
        assert_eq!(body_charge(None, false), STREAMING_BODY_CHARGE);
    }
}
