//! The open redb database of one volume's index, replaceable. After an I/O error (a full disk
//! among them) redb refuses every operation until the database is opened again; the committer
//! reopens it here, so the index comes back by itself once the disk does, without a restart.
//! The committer also reopens an index that has been idle a while (`idle_trim.rs`): redb keeps
//! its page cache full for as long as the database is open, and an idle sidecar should give
//! that memory back (the OS page cache still holds the file for the next request).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use redb::Database;

use super::meta_db::Table;
use crate::index_error::IndexError;

/// Tries of a reopen while read transactions of the old database still hold its file lock.
const REOPEN_TRIES: usize = 100;
const REOPEN_PAUSE: Duration = Duration::from_millis(20);

/// One index's database, or none while it is being reopened.
pub struct DbSlot {
    path: PathBuf,
    cache_bytes: usize,
    db: RwLock<Option<Arc<Database>>>,
    /// Read views open now (see [`ReadClaim`]): a trim waits until there are none.
    reading: AtomicUsize,
    /// Read views ever opened: an index whose count stands still is idle.
    reads: AtomicU64,
}

/// A read view's claim on the database: while one is held, a trim leaves the database be.
/// Taken together with the database, under the slot's lock.
pub struct ReadClaim<'a> {
    reading: &'a AtomicUsize,
}

impl Drop for ReadClaim<'_> {
    fn drop(&mut self) {
        self.reading.fetch_sub(1, Ordering::AcqRel);
    }
}

impl DbSlot {
    /// Opens (or creates) the database with every table.
    pub fn open(path: &Path, cache_bytes: usize) -> Result<DbSlot, IndexError> {
        let db = open_db(path, cache_bytes)?;
        Ok(DbSlot {
            path: path.to_path_buf(),
            cache_bytes,
            db: RwLock::new(Some(Arc::new(db))),
            reading: AtomicUsize::new(0),
            reads: AtomicU64::new(0),
        })
    }

    /// The database now, for the committer; `PreviousIo` while it is closed after an I/O
    /// error.
    pub fn get(&self) -> Result<Arc<Database>, IndexError> {
        self.db
            .read()
            .ok()
            .and_then(|g| g.clone())
            .ok_or(IndexError::PreviousIo)
    }

    /// The database for a read view, with the claim that keeps a trim away until the view
    /// is dropped. Waits while a trim reopens the database.
    pub fn read(&self) -> Result<(Arc<Database>, ReadClaim<'_>), IndexError> {
        let guard = self.db.read().ok();
        let db = guard
            .as_ref()
            .and_then(|g| (*g).clone())
            .ok_or(IndexError::PreviousIo)?;
        // Counted before the lock is let go, so that a trim holding it sees the claim.
        self.reading.fetch_add(1, Ordering::AcqRel);
        self.reads.fetch_add(1, Ordering::Relaxed);
        drop(guard);
        Ok((
            db,
            ReadClaim {
                reading: &self.reading,
            },
        ))
    }

    /// Read views opened so far.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Closes the database and opens it again (redb checks and repairs the file as after a
    /// crash). Reads meanwhile fail on this volume only; the others answer them.
    pub fn reopen(&self) -> Result<(), IndexError> {
        if let Ok(mut g) = self.db.write() {
            g.take();
        }
        let db = self.open_retrying()?;
        if let Ok(mut g) = self.db.write() {
            *g = Some(Arc::new(db));
        }
        Ok(())
    }

    /// Closes and reopens the database to empty its page cache, unless a read view is open
    /// (then `Ok(false)`, try later). Only the committer calls this, between commits, so no
    /// write holds the database either. New reads wait for the reopen instead of failing.
    pub fn trim(&self) -> Result<bool, IndexError> {
        let Ok(mut g) = self.db.write() else {
            return Ok(false);
        };
        if g.is_none() || self.reading.load(Ordering::Acquire) != 0 {
            return Ok(false);
        }
        // The last reference: dropping it closes the file.
        g.take();
        *g = Some(Arc::new(self.open_retrying()?));
        Ok(true)
    }

    fn open_retrying(&self) -> Result<Database, IndexError> {
        let mut last = IndexError::AlreadyOpen;
        for _ in 0..REOPEN_TRIES {
            match open_db(&self.path, self.cache_bytes) {
                Ok(db) => return Ok(db),
                // A read transaction of the old database still holds the file.
                Err(IndexError::AlreadyOpen) => std::thread::sleep(REOPEN_PAUSE),
                Err(e) => {
                    last = e;
                    break;
                }
            }
        }
        Err(last)
    }
}

fn open_db(path: &Path, cache_bytes: usize) -> Result<Database, IndexError> {
    // redb's default cache is 1 GiB per database and it keeps written pages: in a sidecar
    // that is memory the app's pod pays for. The OS page cache still holds hot pages.
    let db = redb::Builder::new()
        .set_cache_size(cache_bytes)
        .create(path)?;
    let txn = db.begin_write()?;
    for t in Table::ALL {
        txn.open_table(t.def())?;
    }
    txn.commit()?;
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase, ReadableTable};

    const ENTRIES: u32 = 2000;

    /// A slot with a 1 MiB cache, filled with entries and read back once (cache warm).
    fn warm_slot(dir: &Path) -> DbSlot {
        let slot = DbSlot::open(&dir.join("index.redb"), 1 << 20).unwrap();
        let db = slot.get().unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(Table::Versions.def()).unwrap();
            for i in 0..ENTRIES {
                t.insert(&i.to_be_bytes()[..], &[7u8; 200][..]).unwrap();
            }
        }
        txn.commit().unwrap();
        drop(db);
        assert_eq!(read_all(&slot), ENTRIES);
        slot
    }

    fn read_all(slot: &DbSlot) -> u32 {
        let (db, _claim) = slot.read().unwrap();
        let txn = db.begin_read().unwrap();
        let t = txn.open_table(Table::Versions.def()).unwrap();
        let mut n = 0;
        for e in t.iter().unwrap() {
            let (_, v) = e.unwrap();
            assert_eq!(v.value(), &[7u8; 200][..]);
            n += 1;
        }
        n
    }

    /// The database is a new one (its page cache starts empty: redb has no other way to
    /// empty it) and the old one is closed, not merely set aside.
    #[test]
    fn a_trim_opens_a_new_database_and_keeps_every_entry() {
        let dir = tempfile::tempdir().unwrap();
        let slot = warm_slot(dir.path());
        let old = Arc::downgrade(&slot.get().unwrap());
        assert!(slot.trim().unwrap());
        assert!(old.upgrade().is_none(), "the old database is still open");
        assert_eq!(read_all(&slot), ENTRIES);
    }

    #[test]
    fn a_trim_waits_until_no_read_view_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let slot = warm_slot(dir.path());
        let reads = slot.reads();
        let (db, claim) = slot.read().unwrap();
        assert_eq!(slot.reads(), reads + 1);
        let txn = db.begin_read().unwrap();
        assert!(!slot.trim().unwrap(), "trimmed under an open read view");
        drop(txn);
        drop(db);
        drop(claim);
        assert!(slot.trim().unwrap());
        assert_eq!(read_all(&slot), ENTRIES);
    }
}
