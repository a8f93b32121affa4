//! The in-memory store: a queue bounded by events and bytes, lost on restart.

use std::collections::VecDeque;
use std::io;

use super::store::{BufferStore, Held};
use crate::audit::sink::Record;

/// Records waiting in a `VecDeque`. A taken record leaves the queue (the delivery task owns
/// it until it is delivered: no copy, no shared reference count between the threads) and
/// only its size stays, counted against the bound until acknowledged.
#[derive(Debug)]
pub struct MemoryStore {
    queue: VecDeque<Record>,
    /// Sizes of the taken, unacknowledged records, oldest first.
    taken: VecDeque<u64>,
    bytes: u64,
    waiting_bytes: u64,
    max_events: usize,
    max_bytes: u64,
}

impl MemoryStore {
    /// An empty store with these bounds.
    pub fn new(max_events: usize, max_bytes: u64) -> MemoryStore {
        MemoryStore {
            queue: VecDeque::new(),
            taken: VecDeque::new(),
            bytes: 0,
            waiting_bytes: 0,
            max_events,
            max_bytes,
        }
    }
}

impl BufferStore for MemoryStore {
    fn has_room(&self, record: &Record) -> bool {
        self.queue.len() + self.taken.len() < self.max_events
            && self.bytes + record.size() <= self.max_bytes
    }

    fn append(&mut self, record: Record) -> io::Result<()> {
        self.bytes += record.size();
        self.waiting_bytes += record.size();
        self.queue.push_back(record);
        Ok(())
    }

    fn take(&mut self, max_events: usize, max_bytes: u64) -> io::Result<Vec<Record>> {
        let mut out = Vec::new();
        let mut bytes = 0;
        while let Some(record) = self.queue.front() {
            let size = record.size();
            if !out.is_empty() && (out.len() >= max_events || bytes + size > max_bytes) {
                break;
            }
            bytes += size;
            self.taken.push_back(size);
            out.extend(self.queue.pop_front());
        }
        self.waiting_bytes -= bytes;
        Ok(out)
    }

    fn ack(&mut self, n: usize) -> io::Result<()> {
        for size in self.taken.drain(..n.min(self.taken.len())) {
            self.bytes -= size;
        }
        Ok(())
    }

    fn waiting(&self) -> usize {
        self.queue.len()
    }

    fn waiting_bytes(&self) -> u64 {
        self.waiting_bytes
    }

    fn held(&self) -> Held {
        Held {
            events: (self.queue.len() + self.taken.len()) as u64,
            bytes: self.bytes,
        }
    }

    fn limit(&self) -> Held {
        Held {
            events: self.max_events as u64,
            bytes: self.max_bytes,
        }
    }
}
