//! The set of objects that exist right now, shared by the workers.
//!
//! GET and HEAD borrow an object (a reader count under the lock); DELETE and OVERWRITE only
//! take objects nobody is reading and remove them before the request goes out (OVERWRITE
//! restores its object afterwards). So a mixed workload never reads an object it is deleting or
//! replacing, never writes one key twice at once, and a run against a correct server has no
//! 404s.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::Rng;

/// One object the run created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Object {
    /// Sequence number; the key is derived from it.
    pub id: u64,
    /// Size in bytes.
    pub size: u64,
}

#[derive(Debug, Default)]
struct Inner {
    // id -> (size, readers)
    entries: HashMap<u64, (u64, u32)>,
    // Dense list of ids for uniform random picks.
    ids: Vec<u64>,
    // Ids nobody has read yet, for runs that read each object once (`--cold`).
    unread: Vec<u64>,
}

/// The live objects.
#[derive(Debug, Default)]
pub struct Pool {
    inner: Mutex<Inner>,
}

/// How many random picks DELETE tries before giving up on finding an unread object.
const DELETE_TRIES: usize = 8;

impl Pool {
    /// An empty pool.
    pub fn new() -> Self {
        Pool::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The pool's invariants hold between statements; a panic elsewhere cannot break them.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of live objects.
    pub fn len(&self) -> usize {
        self.lock().ids.len()
    }

    /// Whether no object is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records a newly written object.
    pub fn insert(&self, obj: Object) {
        let mut g = self.lock();
        if g.entries.insert(obj.id, (obj.size, 0)).is_none() {
            g.ids.push(obj.id);
            g.unread.push(obj.id);
        }
    }

    /// Borrows a random object for reading; pair with [`Pool::release`].
    pub fn borrow<R: Rng>(&self, rng: &mut R) -> Option<Object> {
        let mut g = self.lock();
        if g.ids.is_empty() {
            return None;
        }
        let id = g.ids[rng.gen_range(0..g.ids.len())];
        let entry = g.entries.get_mut(&id)?;
        entry.1 += 1;
        Some(Object { id, size: entry.0 })
    }

    /// Borrows an object no one has borrowed this way before (and that still exists), so
    /// each object is read once; pair with [`Pool::release`].
    pub fn borrow_unread(&self) -> Option<Object> {
        let mut g = self.lock();
        while let Some(id) = g.unread.pop() {
            if let Some(entry) = g.entries.get_mut(&id) {
                entry.1 += 1;
                return Some(Object { id, size: entry.0 });
            }
        }
        None
    }

    /// Returns a borrowed object.
    pub fn release(&self, obj: Object) {
        if let Some(entry) = self.lock().entries.get_mut(&obj.id) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    /// Takes a random object nobody is reading out of the pool, for deletion or overwriting.
    pub fn take<R: Rng>(&self, rng: &mut R) -> Option<Object> {
        let mut g = self.lock();
        for _ in 0..DELETE_TRIES {
            if g.ids.is_empty() {
                return None;
            }
            let pos = rng.gen_range(0..g.ids.len());
            let id = g.ids[pos];
            let &(size, readers) = g.entries.get(&id)?;
            if readers > 0 {
                continue;
            }
            g.entries.remove(&id);
            g.ids.swap_remove(pos);
            return Some(Object { id, size });
        }
        None
    }

    /// Puts back an object [`Pool::take`] removed and the run rewrote. Unlike
    /// [`Pool::insert`] it does not queue the object for `--cold` reads again: that queue
    /// would otherwise grow by one id per overwrite.
    pub fn restore(&self, obj: Object) {
        let mut g = self.lock();
        if g.entries.insert(obj.id, (obj.size, 0)).is_none() {
            g.ids.push(obj.id);
        }
    }

    /// All live objects (for cleanup).
    pub fn drain(&self) -> Vec<Object> {
        let mut g = self.lock();
        let out = g
            .ids
            .iter()
            .filter_map(|id| g.entries.get(id).map(|&(size, _)| Object { id: *id, size }))
            .collect();
        *g = Inner::default();
        out
    }
}
