//! The bounded buffer between the requests that push and the task that delivers.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::Notify;

use super::store::BufferStore;
use crate::audit::sink::health::SinkHealth;
use crate::audit::sink::spec::{BatchSettings, WhenFull};
use crate::audit::sink::Record;
use crate::observe::Backpressure;

/// A store behind a lock, with the policy for a full store and the wake-ups both sides
/// wait on. Pushes never wait on the lock for long: the store's operations are a queue
/// append (memory) or one `write` to a file (disk); delivery reads outside the request path.
pub struct Buffer {
    store: Mutex<Box<dyn BufferStore>>,
    /// Wakes the delivery task when the buffer stops being empty or holds a full batch: not
    /// on every record, since a wake-up per request (a futex and a task poll on another
    /// thread) cost a small GET as much as the request itself.
    data: Notify,
    /// Waiting records that make a full batch: (events, bytes).
    batch: (usize, u64),
    /// Wakes blocked pushers when records are acknowledged.
    room: Notify,
    when_full: WhenFull,
    health: SinkHealth,
    /// The store's `take` reads files.
    does_io: bool,
}

impl Buffer {
    /// A buffer over `store`.
    pub fn new(
        store: Box<dyn BufferStore>,
        when_full: WhenFull,
        health: SinkHealth,
        batch: &BatchSettings,
    ) -> Buffer {
        let does_io = store.does_io();
        let buffer = Buffer {
            does_io,
            store: Mutex::new(store),
            data: Notify::new(),
            batch: (batch.max_events, batch.max_bytes),
            room: Notify::new(),
            when_full,
            health,
        };
        let limit = buffer.lock().limit();
        buffer.health.buffer_limit_events.set(limit.events as i64);
        buffer.health.buffer_limit_bytes.set(limit.bytes as i64);
        buffer.publish(&mut buffer.lock());
        buffer
    }

    /// Adds `record`; when full, drops and counts it or (policy `block`) returns the wait
    /// for room, which pushes it once there is.
    pub fn push(self: &Arc<Self>, record: Record) -> Backpressure {
        let Err(record) = self.try_push(record) else {
            return None;
        };
        match self.when_full {
            WhenFull::Drop => {
                self.health.dropped.inc();
                None
            }
            WhenFull::Block => {
                let buffer = Arc::clone(self);
                Some(Box::pin(async move { buffer.push_when_room(record).await }))
            }
        }
    }

    /// Under policy `block`, while the buffer is full: the wait until it has room again, so
    /// that a new request waits before it is served; `None` otherwise (at once under `drop`).
    pub fn wait_for_room(self: &Arc<Self>) -> Backpressure {
        if self.when_full != WhenFull::Block || !self.is_full() {
            return None;
        }
        let buffer = Arc::clone(self);
        Some(Box::pin(async move {
            let since = Instant::now();
            loop {
                let room = buffer.room.notified();
                tokio::pin!(room);
                room.as_mut().enable();
                if !buffer.is_full() {
                    break;
                }
                room.await;
            }
            buffer
                .health
                .blocked_seconds
                .inc_by(since.elapsed().as_secs_f64());
        }))
    }

    /// Whether the buffer is at either bound (an event bound of 0 is none).
    fn is_full(&self) -> bool {
        let store = self.lock();
        let (held, limit) = (store.held(), store.limit());
        (limit.events > 0 && held.events >= limit.events) || held.bytes >= limit.bytes
    }

    async fn push_when_room(&self, mut record: Record) {
        let since = Instant::now();
        loop {
            // Registered before the check, so an acknowledgement between them is not missed.
            let room = self.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            record = match self.try_push(record) {
                Ok(()) => break,
                Err(record) => record,
            };
            room.await;
        }
        self.health
            .blocked_seconds
            .inc_by(since.elapsed().as_secs_f64());
    }

    /// Appends if there is room, else hands `record` back; a store that cannot write
    /// counts the event as dropped.
    fn try_push(&self, record: Record) -> Result<(), Record> {
        let mut store = self.lock();
        if !store.has_room(&record) {
            // A full buffer is what the gauges are watched for: exact then.
            self.publish(&mut store);
            return Err(record);
        }
        if let Err(e) = store.append(record) {
            tracing::warn!(error = %e, "sink buffer: cannot store an event; dropped");
            self.health.dropped.inc();
            return Ok(());
        }
        let (events, bytes) = (store.waiting(), store.waiting_bytes());
        let wake = events == 1 || events >= self.batch.0 || bytes >= self.batch.1;
        // The gauges are shared by every pushing thread: written on every push they would
        // move their cache line between the cores each time. Every 64th push, every
        // wake-up and a full buffer keep them within 64 events of the truth; take and ack
        // publish too.
        if wake || events % 64 == 0 {
            self.publish(&mut store);
        }
        drop(store);
        if wake {
            self.data.notify_one();
        }
        Ok(())
    }

    /// Waits until a record waits to be taken.
    pub async fn wait_data(&self) {
        loop {
            let data = self.data.notified();
            tokio::pin!(data);
            data.as_mut().enable();
            if self.lock().waiting() > 0 {
                return;
            }
            data.await;
        }
    }

    /// Waits until the buffer holds a full batch (or returns at once if it came to hold one
    /// since the last wait).
    pub async fn wait_more(&self) {
        self.data.notified().await;
    }

    /// Records and document bytes waiting to be taken.
    pub fn waiting(&self) -> (usize, u64) {
        let store = self.lock();
        (store.waiting(), store.waiting_bytes())
    }

    /// Whether [`Buffer::take`] does blocking file I/O.
    pub fn does_io(&self) -> bool {
        self.does_io
    }

    /// The oldest records not yet taken (see [`BufferStore::take`]). Blocking I/O on disk
    /// (see [`Buffer::does_io`]): then call it off the async workers.
    pub fn take(&self, max_events: usize, max_bytes: u64) -> Vec<Record> {
        let mut store = self.lock();
        let taken = store.take(max_events, max_bytes).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "sink buffer: cannot read events");
            Vec::new()
        });
        self.publish(&mut store);
        taken
    }

    /// Forgets the `n` oldest taken records and wakes blocked pushers.
    pub fn ack(&self, n: usize) {
        let mut store = self.lock();
        if let Err(e) = store.ack(n) {
            tracing::warn!(error = %e, "sink buffer: cannot record a delivery");
        }
        self.publish(&mut store);
        drop(store);
        self.room.notify_waiters();
    }

    fn publish(&self, store: &mut MutexGuard<'_, Box<dyn BufferStore>>) {
        let held = store.held();
        self.health.buffer_events.set(held.events as i64);
        self.health.buffer_bytes.set(held.bytes as i64);
        let corrupt = store.take_corrupt_count();
        if corrupt > 0 {
            tracing::warn!(corrupt, "sink buffer: damaged records skipped");
            self.health.dropped.inc_by(corrupt);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Box<dyn BufferStore>> {
        // A panic while holding the lock leaves a consistent queue: keep going.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}
