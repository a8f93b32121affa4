//! Admission: at most so many requests at once, and at most so many request-body bytes in
//! memory at once. Past either bound a request is answered `503 SlowDown` at once (SDKs back
//! off and retry it) instead of queueing without limit. Health and admin endpoints are
//! answered before admission, so probes work under any load.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::s3::error::{Code, S3Error};

/// What a streaming upload is counted as holding in memory, whatever its length: by the write
/// pipeline's construction, the 1 MiB erasure block being filled, two blocks queued to the
/// encoder and two to the MD5 service, and their shards queued to the volume writers. An
/// estimate of the order of that, not a measurement.
pub const STREAMING_BODY_CHARGE: u64 = 4 << 20;

/// Body memory is counted in KiB so that a semaphore (u32 permits per acquire) covers TiBs.
const UNIT: u64 = 1024;

/// The two bounds and their semaphores.
#[derive(Debug, Clone)]
pub struct Admission {
    requests: Arc<Semaphore>,
    body_units: Arc<Semaphore>,
    max_requests: usize,
    max_body_memory: u64,
}

/// Held while a request is served, and while its body is in memory.
#[derive(Debug)]
pub struct Admitted {
    _request: OwnedSemaphorePermit,
    _body: Option<OwnedSemaphorePermit>,
}

impl Admission {
    /// At most `max_requests` requests and `max_body_memory` bytes of request bodies.
    pub fn new(max_requests: usize, max_body_memory: u64) -> Self {
        let units = max_body_memory
            .div_ceil(UNIT)
            .min(Semaphore::MAX_PERMITS as u64);
        Admission {
            requests: Arc::new(Semaphore::new(max_requests.min(Semaphore::MAX_PERMITS))),
            body_units: Arc::new(Semaphore::new(units as usize)),
            max_requests,
            max_body_memory,
        }
    }

    /// Admits a request, or answers SlowDown.
    pub fn request(&self) -> Result<Admitted, S3Error> {
        let permit = self.requests.clone().try_acquire_owned().map_err(|_| {
            Code::SlowDown.with(format!(
                "Please reduce your request rate: {} requests are in progress, the limit",
                self.max_requests
            ))
        })?;
        Ok(Admitted {
            _request: permit,
            _body: None,
        })
    }

    /// Reserves memory for a request body that will hold up to `bytes` at once, or answers
    /// SlowDown; nothing is reserved for an empty body.
    pub fn body(&self, admitted: &mut Admitted, bytes: u64) -> Result<(), S3Error> {
        if bytes == 0 {
            return Ok(());
        }
        let units = bytes.div_ceil(UNIT).min(u64::from(u32::MAX)) as u32;
        let permit = self
            .body_units
            .clone()
            .try_acquire_many_owned(units)
            .map_err(|_| {
                Code::SlowDown.with(format!(
                    "Please reduce your request rate: request bodies in progress hold the limit of {} bytes",
                    self.max_body_memory
                ))
            })?;
        admitted._body = Some(permit);
        Ok(())
    }

    /// Requests being served now.
    pub fn requests_in_flight(&self) -> usize {
        self.max_requests
            .min(Semaphore::MAX_PERMITS)
            .saturating_sub(self.requests.available_permits())
    }
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
