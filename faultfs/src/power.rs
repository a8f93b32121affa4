//! Power shared by mounts: one count of mutating operations and one cut for every mount on
//! the same supply, so a test can cut a whole machine (say, a pod with one mount per volume)
//! at a single instant.

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::fs::lock;

/// The power of one or more mounts (see [`crate::MountOptions::power`]). Cheap to clone;
/// clones are the same supply.
#[derive(Clone, Default)]
pub struct PowerSupply {
    state: Arc<Mutex<Power>>,
}

#[derive(Default)]
struct Power {
    /// Mutating operations accepted so far, on every mount of the supply.
    ops: u64,
    /// Power is cut when `ops` reaches this.
    cut_at: Option<u64>,
    cut: bool,
}

impl PowerSupply {
    /// A supply of its own, with power on.
    pub fn new() -> PowerSupply {
        PowerSupply::default()
    }

    /// Mutating operations accepted so far on every mount of this supply.
    pub fn ops(&self) -> u64 {
        lock(&self.state).ops
    }

    /// After `after_ops` more mutating operations (on any mount of the supply), power is
    /// lost everywhere: the next one fails with EIO, and so does every later operation.
    pub fn arm_power_cut(&self, after_ops: u64) {
        let mut p = lock(&self.state);
        p.cut_at = Some(p.ops + after_ops);
    }

    /// Cancels [`PowerSupply::arm_power_cut`] if power is still on.
    pub fn disarm_power_cut(&self) {
        lock(&self.state).cut_at = None;
    }

    /// Loses power now, on every mount of the supply.
    pub fn cut_power_now(&self) {
        lock(&self.state).cut = true;
    }

    /// Whether power was lost.
    pub fn is_cut(&self) -> bool {
        lock(&self.state).cut
    }

    /// Whether an operation may run; a mutating one is counted, and is where an armed cut
    /// strikes.
    pub(crate) fn admit(&self, mutating: bool) -> bool {
        let mut p = lock(&self.state);
        if p.cut {
            return false;
        }
        if mutating {
            if p.cut_at.is_some_and(|at| p.ops >= at) {
                p.cut = true;
                return false;
            }
            p.ops += 1;
        }
        true
    }
}

impl fmt::Debug for PowerSupply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = lock(&self.state);
        f.debug_struct("PowerSupply")
            .field("ops", &p.ops)
            .field("cut_at", &p.cut_at)
            .field("cut", &p.cut)
            .finish()
    }
}
