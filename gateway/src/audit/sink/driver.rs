//! A sink's task: wait for events, fill a batch, send it until every event in it is
//! delivered or refused for good, then acknowledge it to the buffer.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::time::{sleep, sleep_until, timeout, Instant};

use super::buffer::Buffer;
use super::health::SinkHealth;
use super::retry::Backoff;
use super::service::{Delivery, ItemResult, SendError, SinkService};
use super::spec::SinkSpec;
use super::Record;

/// When to stop: `None` while running, then the deadline of the final flush.
pub type StopSignal = watch::Receiver<Option<Instant>>;

/// Everything the task needs.
pub struct Driver {
    pub buffer: Arc<Buffer>,
    pub service: Arc<dyn SinkService>,
    pub spec: SinkSpec,
    pub health: SinkHealth,
    pub stop: StopSignal,
}

impl Driver {
    /// Runs until stopped and flushed (or the flush deadline passes).
    pub async fn run(mut self) {
        let batch = self.spec.batch;
        loop {
            if self.deadline().is_none() {
                tokio::select! {
                    _ = self.buffer.wait_data() => {}
                    // Every handle gone without a shutdown: nobody can push any more.
                    r = self.stop.changed() => if r.is_err() { return },
                }
            }
            if self.deadline().is_some() && self.buffer.waiting().0 == 0 {
                return;
            }
            // Fill the batch until it is full or its first event is `max_age` old.
            let full_at = Instant::now() + batch.max_age;
            while self.deadline().is_none() {
                let (events, bytes) = self.buffer.waiting();
                if events >= batch.max_events || bytes >= batch.max_bytes {
                    break;
                }
                tokio::select! {
                    _ = self.buffer.wait_more() => {}
                    _ = sleep_until(full_at) => break,
                    r = self.stop.changed() => if r.is_err() { break },
                }
            }
            let records = if self.buffer.does_io() {
                let buffer = Arc::clone(&self.buffer);
                tokio::task::spawn_blocking(move || buffer.take(batch.max_events, batch.max_bytes))
                    .await
                    .unwrap_or_default()
            } else {
                self.buffer.take(batch.max_events, batch.max_bytes)
            };
            if records.is_empty() {
                continue;
            }
            let n = records.len();
            if !self.deliver(records).await {
                // Flush deadline passed mid-retry: a disk buffer keeps them for next time.
                return;
            }
            self.buffer.ack(n);
        }
    }

    fn deadline(&self) -> Option<Instant> {
        *self.stop.borrow()
    }

    /// Sends until nothing is left to retry; `false` if the flush deadline came first.
    async fn deliver(&mut self, mut pending: Vec<Record>) -> bool {
        let mut backoff = Backoff::new(self.spec.retry);
        loop {
            let mut limit = self.spec.retry.timeout;
            if let Some(deadline) = self.deadline() {
                limit = limit.min(deadline.saturating_duration_since(Instant::now()));
            }
            let retry = match timeout(limit, self.service.send(&pending)).await {
                Ok(Ok(Delivery::All)) => {
                    self.health.attempt(true);
                    self.health.delivered.inc_by(pending.len() as u64);
                    Vec::new()
                }
                Ok(Ok(Delivery::Items(items))) => {
                    self.health.attempt(true);
                    self.sort_items(pending, &items)
                }
                Ok(Err(SendError::Rejected(why))) => {
                    self.health.attempt(false);
                    tracing::warn!(sink = %self.spec.name, %why, events = pending.len(), "sink: batch refused for good");
                    self.health.rejected.inc_by(pending.len() as u64);
                    Vec::new()
                }
                Ok(Err(SendError::Retryable(why))) => {
                    self.health.attempt(false);
                    tracing::debug!(sink = %self.spec.name, %why, "sink: attempt failed");
                    pending
                }
                Err(_) => {
                    self.health.attempt(false);
                    tracing::debug!(sink = %self.spec.name, "sink: attempt timed out");
                    pending
                }
            };
            if retry.is_empty() {
                return true;
            }
            pending = retry;
            let wait = backoff.next_wait();
            match self.deadline() {
                Some(deadline) if Instant::now() + wait >= deadline => return false,
                Some(_) => sleep(wait).await,
                None => {
                    tokio::select! {
                        _ = sleep(wait) => {}
                        // A stop cuts the wait short; the next attempt obeys its deadline.
                        r = self.stop.changed() => if r.is_err() { return false },
                    }
                }
            }
        }
    }

    /// Counts delivered and refused items; returns the ones to send again. Items the
    /// reply did not mention are sent again.
    fn sort_items(&self, pending: Vec<Record>, items: &[ItemResult]) -> Vec<Record> {
        let mut retry = Vec::new();
        for (i, record) in pending.into_iter().enumerate() {
            match items.get(i).copied().unwrap_or(ItemResult::Retry) {
                ItemResult::Delivered => {
                    self.health.delivered.inc();
                }
                ItemResult::Rejected => {
                    self.health.rejected.inc();
                }
                ItemResult::Retry => retry.push(record),
            }
        }
        retry
    }
}
