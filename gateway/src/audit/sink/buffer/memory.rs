//! The in-memory store: a queue bounded by events and bytes, lost on restart.

use std::collections::VecDeque;
use std::io;

use super::store::{BufferStore, Held};
use crate::audit::sink::Record;

/// Records in a `VecDeque`; the first `taken` of them are out for delivery.
#[derive(Debug)]
pub struct MemoryStore {
    queue: VecDeque<Record>,
    taken: usize,
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
            taken: 0,
            bytes: 0,
            waiting_bytes: 0,
            max_events,
            max_bytes,
        }
    }
}

impl BufferStore for MemoryStore {
    fn has_room(&self, record: &Record) -> bool {
        self.queue.len() < self.max_events && self.bytes + record.size() <= self.max_bytes
    }

    fn append(&mut self, record: &Record) -> io::Result<()> {
        self.bytes += record.size();
        self.waiting_bytes += record.size();
        self.queue.push_back(record.clone());
        Ok(())
    }

    fn take(&mut self, max_events: usize, max_bytes: u64) -> io::Result<Vec<Record>> {
        let mut out = Vec::new();
        let mut bytes = 0;
        for record in self.queue.iter().skip(self.taken) {
            if !out.is_empty() && (out.len() >= max_events || bytes + record.size() > max_bytes) {
                break;
            }
            bytes += record.size();
            out.push(record.clone());
        }
        self.taken += out.len();
        self.waiting_bytes -= bytes;
        Ok(out)
    }

    fn ack(&mut self, n: usize) -> io::Result<()> {
        for _ in 0..n.min(self.taken) {
            if let Some(r) = self.queue.pop_front() {
                self.bytes -= r.size();
            }
        }
        self.taken -= n.min(self.taken);
        Ok(())
    }

    fn waiting(&self) -> usize {
        self.queue.len() - self.taken
    }

    fn waiting_bytes(&self) -> u64 {
        self.waiting_bytes
    }

    fn held(&self) -> Held {
        Held {
            events: self.queue.len() as u64,
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
