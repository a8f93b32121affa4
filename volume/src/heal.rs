//! What reads had to work around, queued for the healer (`store::maintain`), and counted for
//! operators.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use crate::status::{ClassReadHealth, ReadHealth};
use crate::types::{HealEvent, ShardProblem};

/// Bound on queued events; older ones are dropped first (the scanner finds them again).
pub const HEAL_QUEUE_LIMIT: usize = 10_000;

/// A bounded queue of heal events, with counts since start.
#[derive(Default)]
pub struct HealQueue {
    state: Mutex<State>,
    /// Wakes the healer.
    ready: tokio::sync::Notify,
}

#[derive(Default)]
struct State {
    events: VecDeque<HealEvent>,
    dropped: u64,
    classes: BTreeMap<String, ClassReadHealth>,
}

impl HealQueue {
    /// Adds an event; `first_of_read` marks the first bad shard one object read met.
    pub fn push(&self, event: HealEvent, first_of_read: bool) {
        tracing::warn!(bucket = %event.bucket, key = %event.key, volume = %event.volume.display(), problem = ?event.problem, "read around a bad shard");
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        let counts = s.classes.entry(event.class.clone()).or_default();
        match event.problem {
            ShardProblem::Missing => counts.missing_shards += 1,
            ShardProblem::Corrupt => counts.corrupt_shards += 1,
        }
        if first_of_read {
            counts.degraded_reads += 1;
        }
        if s.events.len() >= HEAL_QUEUE_LIMIT {
            s.events.pop_front();
            s.dropped += 1;
        }
        s.events.push_back(event);
        drop(s);
        // A stored permit when the healer is busy: it drains again before it waits.
        self.ready.notify_one();
    }

    /// Waits until an event was pushed since the last wait.
    pub async fn pushed(&self) {
        self.ready.notified().await;
    }

    /// Takes every queued event.
    pub fn drain(&self) -> Vec<HealEvent> {
        self.state
            .lock()
            .map(|mut s| s.events.drain(..).collect())
            .unwrap_or_default()
    }

    /// The counts since start and the queue's depth now.
    pub fn health(&self) -> ReadHealth {
        let Ok(s) = self.state.lock() else {
            return ReadHealth::default();
        };
        ReadHealth {
            queue_depth: s.events.len(),
            queue_limit: HEAL_QUEUE_LIMIT,
            queue_dropped: s.dropped,
            classes: s
                .classes
                .iter()
                .map(|(class, c)| ClassReadHealth {
                    class: class.clone(),
                    ..c.clone()
                })
                .collect(),
        }
    }
}
