//! The volume watcher: runs each class's checks (`set/watch.rs`) when a slot is due or an
//! operation suspects a volume, and starts a refill when a volume came (back) into service.
//! Between checks it sleeps: a round reads one small file per volume. Each round also frees
//! the spare write buffers of an idle store.

use std::time::{Duration, Instant};

use futures::future::select_all;

use super::Store;

/// Least time between two rounds, so that a volume failing every operation is not probed
/// for each of them.
const MIN_GAP: Duration = Duration::from_secs(1);

/// Runs until aborted; `refill` is called when a volume was put into service.
pub(super) async fn watch_loop(store: Store, every: Duration, refill: impl Fn()) {
    let sets = store.inner.classes.clone();
    loop {
        let now = Instant::now();
        let round = sets.clone();
        let changes = tokio::task::spawn_blocking(move || {
            round
                .iter()
                .map(|s| s.watch_round(now, every))
                .collect::<Vec<_>>()
        })
        .await;
        match changes {
            Ok(up) if up.iter().any(|n| *n > 0) => refill(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "volume checks failed"),
        }
        // The rounds double as the clock that frees write buffers an idle store keeps.
        if let Some(idle) = store.inner.idle_release {
            let freed = crate::disk::shard_writer::release_idle_spares(idle);
            if freed > 0 {
                tracing::debug!(freed, "idle: spare write buffers freed");
            }
        }
        let next = sets
            .iter()
            .filter_map(|s| s.next_due())
            .min()
            .unwrap_or(now + every)
            .max(Instant::now());
        let suspicions = select_all(sets.iter().map(|s| Box::pin(s.suspicion.notified())));
        tokio::select! {
            _ = tokio::time::sleep_until(next.into()) => {}
            _ = suspicions => {}
        }
        tokio::time::sleep_until((now + MIN_GAP).into()).await;
    }
}
