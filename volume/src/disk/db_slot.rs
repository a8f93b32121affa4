//! The open redb database of one volume's index, replaceable. After an I/O error (a full disk
//! among them) redb refuses every operation until the database is opened again; the committer
//! reopens it here, so the index comes back by itself once the disk does, without a restart.

use std::path::{Path, PathBuf};
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
}

impl DbSlot {
    /// Opens (or creates) the database with every table.
    pub fn open(path: &Path, cache_bytes: usize) -> Result<DbSlot, IndexError> {
        let db = open_db(path, cache_bytes)?;
        Ok(DbSlot {
            path: path.to_path_buf(),
            cache_bytes,
            db: RwLock::new(Some(Arc::new(db))),
        })
    }

    /// The database now; `PreviousIo` while it is closed after an I/O error.
    pub fn get(&self) -> Result<Arc<Database>, IndexError> {
        self.db
            .read()
            .ok()
            .and_then(|g| g.clone())
            .ok_or(IndexError::PreviousIo)
    }

    /// Closes the database and opens it again (redb checks and repairs the file as after a
    /// crash). Reads meanwhile fail on this volume only; the others answer them.
    pub fn reopen(&self) -> Result<(), IndexError> {
        if let Ok(mut g) = self.db.write() {
            g.take();
        }
        let mut last = IndexError::AlreadyOpen;
        for _ in 0..REOPEN_TRIES {
            match open_db(&self.path, self.cache_bytes) {
                Ok(db) => {
                    if let Ok(mut g) = self.db.write() {
                        *g = Some(Arc::new(db));
                    }
                    return Ok(());
                }
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
