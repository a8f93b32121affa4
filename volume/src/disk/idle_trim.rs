//! When the committer empties an idle index's page cache (`DbSlot::trim`). The committer
//! waits for commits in ticks; a tick with no commit and no new read view counts towards
//! idle, and after `TICKS` of them in a row the index is trimmed once, until it is used again.

use std::path::Path;
use std::time::Duration;

use super::db_slot::DbSlot;

/// Ticks without use that make an index idle.
const TICKS: u32 = 3;

/// The committer's idle state for one index.
pub(super) struct IdleTrim {
    tick: Duration,
    reads_seen: u64,
    committed: bool,
    quiet_ticks: u32,
    trimmed: bool,
}

impl IdleTrim {
    /// Trims after `after` without use (give or take one tick).
    pub(super) fn new(after: Duration) -> IdleTrim {
        IdleTrim {
            tick: (after / TICKS).max(Duration::from_millis(1)),
            reads_seen: 0,
            committed: false,
            quiet_ticks: 0,
            trimmed: false,
        }
    }

    /// How long the committer waits for a commit before calling [`IdleTrim::tick_passed`].
    pub(super) fn tick(&self) -> Duration {
        self.tick
    }

    /// A commit was applied.
    pub(super) fn committed(&mut self) {
        self.committed = true;
    }

    /// A tick passed without a commit request.
    pub(super) fn tick_passed(&mut self, db: &DbSlot, path: &Path) {
        // Closed after an I/O error or a failed trim: a reopen is due whether idle or not.
        if db.get().is_err() {
            if let Err(e) = db.reopen() {
                tracing::warn!(path = %path.display(), error = %e, "metadata index could not be reopened yet");
            }
            return;
        }
        let reads = db.reads();
        let committed = std::mem::take(&mut self.committed);
        if reads != self.reads_seen || committed {
            self.reads_seen = reads;
            self.quiet_ticks = 0;
            self.trimmed = false;
            return;
        }
        self.quiet_ticks = self.quiet_ticks.saturating_add(1);
        if self.trimmed || self.quiet_ticks < TICKS {
            return;
        }
        let started = std::time::Instant::now();
        match db.trim() {
            Ok(true) => {
                self.trimmed = true;
                let ms = started.elapsed().as_millis() as u64;
                tracing::debug!(path = %path.display(), ms, "idle metadata index reopened to free its page cache");
            }
            // A read view is still open: the next tick tries again.
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "idle metadata index could not be reopened; the next tick tries again")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Weak;
    use std::time::{Duration, Instant};

    use redb::Database;

    use super::super::meta_db::{IndexSettings, MetaDb, MetaOp, Table};

    const IDLE: Duration = Duration::from_millis(150);

    fn settings() -> IndexSettings {
        IndexSettings {
            cache_bytes: 1 << 20,
            commit_batch: 16,
            idle_trim: Some(IDLE),
        }
    }

    fn put(i: u32) -> MetaOp {
        MetaOp::Put {
            table: Table::Versions,
            key: i.to_be_bytes().to_vec(),
            value: vec![1; 100],
        }
    }

    fn current(db: &MetaDb) -> Weak<Database> {
        std::sync::Arc::downgrade(&db.slot().get().unwrap())
    }

    /// Polls until `done` or `limit` passes.
    fn within(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        done()
    }

    #[tokio::test]
    async fn an_unused_index_is_reopened_once_and_a_used_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let db = MetaDb::open(&dir.path().join("i.redb"), settings()).unwrap();
        db.commit((0..100).map(put).collect()).await.unwrap();
        // Read every 20 ms for eight idle periods: never idle, never reopened.
        let before = current(&db);
        for _ in 0..60 {
            assert!(db
                .get(Table::Versions, &7u32.to_be_bytes())
                .unwrap()
                .is_some());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(before.upgrade().is_some(), "reopened while in use");
        // Left alone: reopened within a few ticks.
        assert!(
            within(IDLE * 10, || before.upgrade().is_none()),
            "never reopened"
        );
        let trimmed = current(&db);
        // Once: still idle, but nothing more to free.
        tokio::time::sleep(IDLE * 3).await;
        assert!(trimmed.upgrade().is_some(), "reopened again without use");
        // Used again (a commit), then idle: reopened again, and nothing was lost.
        db.commit(vec![put(100)]).await.unwrap();
        assert!(
            within(IDLE * 10, || trimmed.upgrade().is_none()),
            "not reopened after use"
        );
        for i in 0..=100u32 {
            assert!(
                db.get(Table::Versions, &i.to_be_bytes()).unwrap().is_some(),
                "{i}"
            );
        }
    }
}
