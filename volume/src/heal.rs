//! What reads had to work around, queued for the healer (a later part of the engine).

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::types::HealEvent;

/// Bound on queued events; older ones are dropped first (the scanner finds them again).
pub const HEAL_QUEUE_LIMIT: usize = 10_000;

/// A bounded queue of heal events.
#[derive(Default)]
pub struct HealQueue {
    events: Mutex<VecDeque<HealEvent>>,
}

impl HealQueue {
    /// Adds an event.
    pub fn push(&self, event: HealEvent) {
        tracing::warn!(bucket = %event.bucket, key = %event.key, volume = %event.volume.display(), problem = ?event.problem, "read around a bad shard");
        let Ok(mut q) = self.events.lock() else {
            return;
        };
        if q.len() >= HEAL_QUEUE_LIMIT {
            q.pop_front();
        }
        q.push_back(event);
    }

    /// Takes every queued event.
    pub fn drain(&self) -> Vec<HealEvent> {
        self.events
            .lock()
            .map(|mut q| q.drain(..).collect())
            .unwrap_or_default()
    }
}
