//! Paced removal of shard files no version references any more (replaced, deleted, aborted).
//! Unlinking a large file frees its extents in the file system's journal while the next write
//! allocates new ones: done right after each overwrite it costs about as much as the write
//! (`bench/RESULTS.md`, issue 2). So removals wait in a queue and run while no write is staging;
//! they run at once when the queue holds too much, or when a volume needs the space.
//! A crash (or a store dropped with files still queued, which removes them while it drops)
//! loses nothing: a file left behind is an orphan the scanner sweeps after its grace period.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use super::Inner;
use crate::set::ErasureSet;

/// How long no write may start or end before queued removals run.
const IDLE_GAP: Duration = Duration::from_millis(20);
/// Files removed between two looks at the foreground.
const BATCH: usize = 8;
/// Queued files above which removals run whatever the foreground.
const MAX_QUEUED_FILES: usize = 4096;

/// One shard file name to remove from every volume of its class.
struct Doomed {
    class: usize,
    data_id: [u8; 16],
    bytes: u64,
}

/// The queue, and what the foreground is doing.
pub(super) struct Reclaimer {
    /// Queued bytes (stored bytes of the parts) above which removals run whatever the
    /// foreground does.
    defer_bytes: u64,
    queue: Mutex<VecDeque<Doomed>>,
    queued_bytes: AtomicU64,
    /// Writes staging now.
    writing: AtomicUsize,
    /// Bumped whenever a write starts or ends, so that a gap between two writes is not
    /// mistaken for quiet.
    ticks: AtomicU64,
    wake: tokio::sync::Notify,
}

/// Held while a write stages its shards.
pub(super) struct Writing<'a>(&'a Reclaimer);

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.0.writing.fetch_sub(1, Ordering::Relaxed);
        self.0.ticks.fetch_add(1, Ordering::Relaxed);
    }
}

impl Reclaimer {
    pub(super) fn new(defer_bytes: u64) -> Reclaimer {
        Reclaimer {
            defer_bytes,
            queue: Mutex::default(),
            queued_bytes: AtomicU64::new(0),
            writing: AtomicUsize::new(0),
            ticks: AtomicU64::new(0),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// Marks a write staging until the guard drops.
    pub(super) fn writing(&self) -> Writing<'_> {
        self.writing.fetch_add(1, Ordering::Relaxed);
        self.ticks.fetch_add(1, Ordering::Relaxed);
        Writing(self)
    }

    /// Queues the shard files `(data id, stored bytes)` of class number `class`.
    pub(super) fn push(&self, class: usize, files: impl IntoIterator<Item = ([u8; 16], u64)>) {
        let mut q = self.lock();
        for (data_id, bytes) in files {
            self.queued_bytes.fetch_add(bytes, Ordering::Relaxed);
            q.push_back(Doomed {
                class,
                data_id,
                bytes,
            });
        }
        drop(q);
        self.wake.notify_one();
    }

    /// Files and stored bytes queued.
    pub(super) fn queued(&self) -> (usize, u64) {
        (self.lock().len(), self.queued_bytes.load(Ordering::Relaxed))
    }

    /// Takes up to `n` queued files.
    fn take(&self, n: usize) -> Vec<Doomed> {
        let mut q = self.lock();
        let n = n.min(q.len());
        let batch: Vec<Doomed> = q.drain(..n).collect();
        let bytes = batch.iter().map(|d| d.bytes).sum();
        self.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
        batch
    }

    /// Removes everything queued now, on this thread, and wakes the loop so that it sees
    /// the store is gone.
    pub(super) fn drain_now(&self, classes: &[Arc<ErasureSet>]) {
        remove(classes, self.take(usize::MAX));
        self.wake.notify_one();
    }

    /// Whether removals must run without waiting for quiet: too much queued, or a volume
    /// short of room for its share of what is queued.
    fn urgent(&self, classes: &[Arc<ErasureSet>]) -> bool {
        let (files, bytes) = self.queued();
        files > MAX_QUEUED_FILES
            || bytes > self.defer_bytes
            || classes.iter().any(|set| set.with_room(bytes).1 > 0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Doomed>> {
        // Every update is a push or a drain: a poisoned queue is still whole.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs until the store is dropped: waits for queued files, then for quiet (or urgency), and
/// removes them a batch at a time.
pub(super) async fn reclaim_loop(store: Weak<Inner>, reclaimer: Arc<Reclaimer>) {
    loop {
        if reclaimer.queued().0 == 0 {
            // The store's drop wakes this to end it.
            if store.strong_count() == 0 {
                return;
            }
            reclaimer.wake.notified().await;
            continue;
        }
        if !quiet_or_urgent(&store, &reclaimer).await {
            return;
        }
        let Some(inner) = store.upgrade() else {
            return;
        };
        let batch = reclaimer.take(BATCH);
        let classes = inner.classes.clone();
        drop(inner);
        let _ = tokio::task::spawn_blocking(move || remove(&classes, batch)).await;
    }
}

/// Waits until no write has started or ended for [`IDLE_GAP`], or removals are urgent;
/// `false` once the store is gone.
async fn quiet_or_urgent(store: &Weak<Inner>, reclaimer: &Reclaimer) -> bool {
    loop {
        let before = reclaimer.ticks.load(Ordering::Relaxed);
        let urgent = match store.upgrade() {
            Some(inner) => reclaimer.urgent(&inner.classes),
            None => return false,
        };
        if urgent {
            return true;
        }
        tokio::time::sleep(IDLE_GAP).await;
        let quiet = reclaimer.writing.load(Ordering::Relaxed) == 0
            && reclaimer.ticks.load(Ordering::Relaxed) == before;
        if quiet {
            return true;
        }
    }
}

fn remove(classes: &[Arc<ErasureSet>], batch: Vec<Doomed>) {
    for d in batch {
        let Some(set) = classes.get(d.class) else {
            continue;
        };
        for (_, v) in set.online() {
            v.remove_shard(&d.data_id);
        }
    }
}
