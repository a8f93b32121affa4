//! The metadata index of one volume: a redb database and the thread that commits to it.
//!
//! All writes go through one committer thread per volume, which drains every waiting request
//! into a single write transaction: concurrent writers share one fsync (group commit), and no
//! commit is acknowledged before redb's durable commit returns.

use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::Duration;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::db_slot::{DbSlot, ReadClaim};
use super::idle_trim::IdleTrim;
use tokio::sync::oneshot;

use crate::error::{Error, Fault, Result};
use crate::index_error::IndexError;
use crate::keys;
use crate::record::{self, LatestRecord, VersionRecord};

type Def = TableDefinition<'static, &'static [u8], &'static [u8]>;

/// The tables of the index (see `volume/FORMAT.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// bucket -> BucketRecord
    Buckets,
    /// bucket NUL kind -> document
    BucketConfig,
    /// bucket NUL key -> LatestRecord
    Latest,
    /// bucket NUL key NUL inverted-time id -> VersionRecord
    Versions,
    /// bucket NUL key NUL upload-id -> UploadRecord
    Uploads,
    /// upload-id NUL part-number -> PartRecord
    Parts,
    /// The gateway's identity records (accounts, users, keys, roles, policies), opaque here.
    Iam,
    /// bucket NUL key NUL version id -> HealRecord: versions waiting for the healer.
    Heal,
    /// remote object id -> RemoteRecord: objects on remote tiers strata wrote or is writing.
    Remote,
}

impl Table {
    pub(super) const ALL: [Table; 9] = [
        Table::Buckets,
        Table::BucketConfig,
        Table::Latest,
        Table::Versions,
        Table::Uploads,
        Table::Parts,
        Table::Iam,
        Table::Heal,
        Table::Remote,
    ];

    pub(super) fn def(self) -> Def {
        TableDefinition::new(match self {
            Table::Buckets => "buckets",
            Table::BucketConfig => "bucket_config",
            Table::Latest => "latest",
            Table::Versions => "versions",
            Table::Uploads => "uploads",
            Table::Parts => "parts",
            Table::Iam => "iam",
            Table::Heal => "heal",
            Table::Remote => "remote",
        })
    }
}

/// One change, applied by the committer against this volume's own state.
#[derive(Debug, Clone)]
pub enum MetaOp {
    /// Set a value.
    Put {
        /// Table.
        table: Table,
        /// Key.
        key: Vec<u8>,
        /// Value.
        value: Vec<u8>,
    },
    /// Remove a value (absent is fine).
    Delete {
        /// Table.
        table: Table,
        /// Key.
        key: Vec<u8>,
    },
    /// Remove every key starting with `prefix`.
    DeletePrefix {
        /// Table.
        table: Table,
        /// Prefix.
        prefix: Vec<u8>,
    },
    /// Add a version and make it current; with `replace_null`, first drop the null version.
    PutVersion {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// The version.
        record: Box<VersionRecord>,
        /// Drop an existing null version first.
        replace_null: bool,
    },
    /// Remove one version; the newest remaining one becomes current.
    DeleteVersion {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Version id.
        version_id: [u8; 16],
    },
    /// Replace the tags of one version.
    SetTags {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Version id.
        version_id: [u8; 16],
        /// New tags.
        tags: Vec<(String, String)>,
    },
    /// Replace the access document of one version.
    SetAccess {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Version id.
        version_id: [u8; 16],
        /// The new document.
        access: Vec<u8>,
    },
    /// Replace the object lock of one version (`None`: neither retention nor legal hold).
    SetLock {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Version id.
        version_id: [u8; 16],
        /// The new lock.
        lock: Option<crate::types::ObjectLock>,
    },
    /// Set entries of one version's `internal` map, only where every `expect` entry still
    /// holds (so that a version replaced under the same id, the null version, is left alone).
    SetInternal {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Version id.
        version_id: [u8; 16],
        /// Entries that must hold, else nothing changes.
        expect: Vec<(String, String)>,
        /// Entries to set.
        set: Vec<(String, String)>,
    },
    /// Replace the data of one version (a transition to another class), only where it is
    /// still in `expect_class` with the shard files `expect_ids`; the version as it was is
    /// reported removed.
    SetData {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Version id.
        version_id: [u8; 16],
        /// The class the data must be in, else nothing changes.
        expect_class: String,
        /// Each part's shard file id the data must have, else nothing changes.
        expect_ids: Vec<Option<[u8; 16]>>,
        /// The new data.
        data: Box<crate::record::DataRecord>,
    },
}

/// What a commit removed: version records whose data may now be deleted.
pub type Removed = Vec<VersionRecord>;

struct Request {
    ops: Vec<MetaOp>,
    reply: oneshot::Sender<Result<Removed>>,
}

/// How a volume's index is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSettings {
    /// redb's page cache, in bytes.
    pub cache_bytes: usize,
    /// Most commit requests drained into one write transaction (one fsync).
    pub commit_batch: usize,
    /// Unused this long (no read, no commit), the index is reopened to free its page cache.
    pub idle_trim: Option<Duration>,
}

/// What a scan callback wants next.
pub enum Step {
    /// The next entry.
    Next,
    /// Jump to the first key at or after this one.
    Seek(Vec<u8>),
    /// Done.
    Stop,
}

/// The index of one volume. Dropping it stops the committer and closes the database, so the
/// same volume can be opened again at once (redb locks the file while it is open).
pub struct MetaDb {
    db: Arc<DbSlot>,
    path: PathBuf,
    tx: Option<std::sync::mpsc::Sender<Request>>,
    committer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for MetaDb {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.committer.take() {
            let _ = t.join();
        }
    }
}

impl MetaDb {
    /// Opens (or creates) the index and starts its committer.
    pub fn open(path: &Path, settings: IndexSettings) -> Result<MetaDb> {
        let db =
            Arc::new(DbSlot::open(path, settings.cache_bytes).map_err(|e| index_error(path, e))?);
        let (tx, rx) = std::sync::mpsc::channel::<Request>();
        let (cdb, cpath) = (db.clone(), path.to_path_buf());
        let committer = std::thread::Builder::new()
            .name("strata-meta-commit".into())
            .spawn(move || committer(&cdb, &cpath, rx, &settings))
            .map_err(|e| Error::io(path, e))?;
        Ok(MetaDb {
            db,
            path: path.to_path_buf(),
            tx: Some(tx),
            committer: Some(committer),
        })
    }

    fn err(&self, e: impl Into<IndexError>) -> Error {
        index_error(&self.path, e.into())
    }

    /// Applies `ops` atomically and durably; returns the versions they removed.
    pub async fn commit(&self, ops: Vec<MetaOp>) -> Result<Removed> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .as_ref()
            .and_then(|tx| tx.send(Request { ops, reply }).ok())
            .ok_or_else(|| Error::internal("metadata committer stopped"))?;
        rx.await
            .map_err(|_| Error::internal("metadata committer stopped"))?
    }

    /// A consistent read view for several lookups: one read transaction instead of one per
    /// lookup (beginning one is a measurable part of a small GET).
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        let (db, claim) = self.db.read().map_err(|e| self.err(e))?;
        let txn = db.begin_read().map_err(|e| self.err(e))?;
        Ok(Snapshot {
            db: self,
            txn,
            _claim: claim,
        })
    }

    /// The database slot, for the idle trim's tests.
    #[cfg(test)]
    pub(super) fn slot(&self) -> &DbSlot {
        &self.db
    }

    /// Reads one value.
    pub fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.snapshot()?.get_with(table, key, |v| Ok(v.to_vec()))
    }

    /// Walks `table` from `from` in key order until the callback stops.
    pub fn scan(
        &self,
        table: Table,
        from: &[u8],
        f: impl FnMut(&[u8], &[u8]) -> Result<Step>,
    ) -> Result<()> {
        self.snapshot()?.scan(table, from, f)
    }
}

/// One read transaction of a volume's index.
pub struct Snapshot<'a> {
    db: &'a MetaDb,
    txn: redb::ReadTransaction,
    /// Dropped after `txn` (fields drop in order): the claim outlives the transaction.
    _claim: ReadClaim<'a>,
}

impl Snapshot<'_> {
    fn table(&self, table: Table) -> Result<redb::ReadOnlyTable<&'static [u8], &'static [u8]>> {
        self.txn.open_table(table.def()).map_err(|e| self.db.err(e))
    }

    /// Reads one value and maps it in place, without copying it out first.
    pub fn get_with<T>(
        &self,
        table: Table,
        key: &[u8],
        f: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<Option<T>> {
        let t = self.table(table)?;
        let v = t.get(key).map_err(|e| self.db.err(e))?;
        v.map(|g| f(g.value())).transpose()
    }

    /// Walks `table` from `from` in key order until the callback stops.
    pub fn scan(
        &self,
        table: Table,
        from: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<Step>,
    ) -> Result<()> {
        let t = self.table(table)?;
        let mut start = from.to_vec();
        'outer: loop {
            let range = t
                .range::<&[u8]>(start.as_slice()..)
                .map_err(|e| self.db.err(e))?;
            for entry in range {
                let (k, v) = entry.map_err(|e| self.db.err(e))?;
                match f(k.value(), v.value())? {
                    Step::Next => {}
                    Step::Stop => return Ok(()),
                    Step::Seek(next) => {
                        start = next;
                        continue 'outer;
                    }
                }
            }
            return Ok(());
        }
    }
}

fn committer(
    db: &DbSlot,
    path: &Path,
    rx: std::sync::mpsc::Receiver<Request>,
    settings: &IndexSettings,
) {
    let max_batch = settings.commit_batch.max(1);
    let mut idle = settings.idle_trim.map(IdleTrim::new);
    loop {
        let next = match &mut idle {
            Some(idle) => match rx.recv_timeout(idle.tick()) {
                Err(RecvTimeoutError::Timeout) => {
                    idle.tick_passed(db, path);
                    continue;
                }
                next => next.ok(),
            },
            None => rx.recv().ok(),
        };
        // Every sender is gone: the index is being closed.
        let Some(first) = next else { break };
        if let Some(idle) = &mut idle {
            idle.committed();
        }
        let mut batch = vec![first];
        // Everything that queued while the previous commit was syncing shares this one.
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        // Closed after an I/O error whose reopen failed: try again now.
        let open = db.get().or_else(|_| db.reopen().and_then(|()| db.get()));
        match open.and_then(|d| apply_batch(&d, &batch)) {
            Ok(removed) => {
                for (req, rem) in batch.into_iter().zip(removed) {
                    let _ = req.reply.send(Ok(rem));
                }
            }
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "metadata commit failed");
                for req in batch {
                    let _ = req.reply.send(Err(index_error(path, e.clone())));
                }
                // redb refuses everything after an I/O error until it is opened again.
                if matches!(e, IndexError::Io(_) | IndexError::PreviousIo) {
                    match db.reopen() {
                        Ok(()) => {
                            tracing::info!(path = %path.display(), "metadata index reopened after an I/O error")
                        }
                        Err(e) => {
                            tracing::warn!(path = %path.display(), error = %e, "metadata index could not be reopened yet; the next commit tries again")
                        }
                    }
                }
            }
        }
    }
}

fn index_error(path: &Path, source: IndexError) -> Error {
    Fault::Index {
        path: path.to_path_buf(),
        source,
    }
    .into()
}

fn apply_batch(db: &Database, batch: &[Request]) -> Result<Vec<Removed>, IndexError> {
    let txn = db.begin_write()?;
    let mut all = Vec::with_capacity(batch.len());
    {
        let mut tables = Tables::open(&txn)?;
        for req in batch {
            let mut removed = Vec::new();
            for op in &req.ops {
                tables.apply(op, &mut removed)?;
            }
            all.push(removed);
        }
    }
    txn.commit()?;
    Ok(all)
}

struct Tables<'t> {
    open: Vec<redb::Table<'t, &'static [u8], &'static [u8]>>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t redb::WriteTransaction) -> Result<Self, IndexError> {
        let open = Table::ALL
            .iter()
            .map(|t| txn.open_table(t.def()))
            .collect::<Result<_, _>>()?;
        Ok(Tables { open })
    }

    fn t(&mut self, table: Table) -> &mut redb::Table<'t, &'static [u8], &'static [u8]> {
        let i = Table::ALL.iter().position(|t| *t == table).unwrap_or(0);
        &mut self.open[i]
    }

    fn apply(&mut self, op: &MetaOp, removed: &mut Removed) -> Result<(), IndexError> {
        match op {
            MetaOp::Put { table, key, value } => {
                self.t(*table).insert(key.as_slice(), value.as_slice())?;
            }
            MetaOp::Delete { table, key } => {
                self.t(*table).remove(key.as_slice())?;
            }
            MetaOp::DeletePrefix { table, prefix } => {
                let keys = self.keys_with_prefix(*table, prefix)?;
                for k in keys {
                    self.t(*table).remove(k.as_slice())?;
                }
            }
            MetaOp::PutVersion {
                bucket,
                key,
                record: rec,
                replace_null,
            } => {
                if *replace_null {
                    for (vkey, old) in self.versions(bucket, key)? {
                        if old.version_id == [0; 16] {
                            self.t(Table::Versions).remove(vkey.as_slice())?;
                            removed.push(old);
                        }
                    }
                }
                let vkey = keys::version(bucket, key, rec.mod_time_ns, &rec.version_id);
                let value = record::encode(rec.as_ref());
                self.t(Table::Versions)
                    .insert(vkey.as_slice(), value.as_slice())?;
                self.refresh_latest(bucket, key)?;
            }
            MetaOp::DeleteVersion {
                bucket,
                key,
                version_id,
            } => {
                for (vkey, old) in self.versions(bucket, key)? {
                    if old.version_id == *version_id {
                        self.t(Table::Versions).remove(vkey.as_slice())?;
                        removed.push(old);
                    }
                }
                self.refresh_latest(bucket, key)?;
            }
            MetaOp::SetTags {
                bucket,
                key,
                version_id,
                tags,
            } => {
                for (vkey, mut old) in self.versions(bucket, key)? {
                    if old.version_id == *version_id {
                        old.tags = tags.clone();
                        let value = record::encode(&old);
                        self.t(Table::Versions)
                            .insert(vkey.as_slice(), value.as_slice())?;
                    }
                }
            }
            MetaOp::SetAccess {
                bucket,
                key,
                version_id,
                access,
            } => {
                for (vkey, mut old) in self.versions(bucket, key)? {
                    if old.version_id == *version_id {
                        old.access = Some(access.clone());
                        let value = record::encode(&old);
                        self.t(Table::Versions)
                            .insert(vkey.as_slice(), value.as_slice())?;
                    }
                }
            }
            MetaOp::SetLock {
                bucket,
                key,
                version_id,
                lock,
            } => {
                for (vkey, mut old) in self.versions(bucket, key)? {
                    if old.version_id == *version_id {
                        old.lock = lock.clone();
                        let value = record::encode(&old);
                        self.t(Table::Versions)
                            .insert(vkey.as_slice(), value.as_slice())?;
                    }
                }
            }
            MetaOp::SetInternal {
                bucket,
                key,
                version_id,
                expect,
                set,
            } => {
                for (vkey, mut old) in self.versions(bucket, key)? {
                    let holds = record::entries_hold(&old.internal, expect);
                    if old.version_id == *version_id && holds {
                        old.internal.extend(set.iter().cloned());
                        let value = record::encode(&old);
                        self.t(Table::Versions)
                            .insert(vkey.as_slice(), value.as_slice())?;
                    }
                }
            }
            MetaOp::SetData {
                bucket,
                key,
                version_id,
                expect_class,
                expect_ids,
                data,
            } => {
                for (vkey, mut old) in self.versions(bucket, key)? {
                    let holds = old.data.as_ref().is_some_and(|d| {
                        d.class == *expect_class
                            && d.parts
                                .iter()
                                .map(|p| p.data_id)
                                .eq(expect_ids.iter().copied())
                    });
                    if old.version_id == *version_id && holds {
                        removed.push(old.clone());
                        old.data = Some((**data).clone());
                        let value = record::encode(&old);
                        self.t(Table::Versions)
                            .insert(vkey.as_slice(), value.as_slice())?;
                    }
                }
                // The current-version entry names the class.
                self.refresh_latest(bucket, key)?;
            }
        }
        Ok(())
    }

    fn keys_with_prefix(
        &mut self,
        table: Table,
        prefix: &[u8],
    ) -> Result<Vec<Vec<u8>>, IndexError> {
        let mut out = Vec::new();
        let range = self.t(table).range::<&[u8]>(prefix..)?;
        for entry in range {
            let (k, _) = entry?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push(k.value().to_vec());
        }
        Ok(out)
    }

    /// All versions of one key, newest first.
    fn versions(
        &mut self,
        bucket: &str,
        key: &str,
    ) -> Result<Vec<(Vec<u8>, VersionRecord)>, IndexError> {
        let prefix = keys::versions_of(bucket, key);
        let mut out = Vec::new();
        let range = self
            .t(Table::Versions)
            .range::<&[u8]>(prefix.as_slice()..)?;
        for entry in range {
            let (k, v) = entry?;
            if !k.value().starts_with(&prefix) {
                break;
            }
            let rec: VersionRecord = decode_record(v.value())?;
            out.push((k.value().to_vec(), rec));
        }
        Ok(out)
    }

    /// Points the current-version entry at the newest remaining version (version keys sort
    /// newest first, so only the first one is decoded).
    fn refresh_latest(&mut self, bucket: &str, key: &str) -> Result<(), IndexError> {
        let prefix = keys::versions_of(bucket, key);
        let newest: Option<LatestRecord> = {
            let mut range = self
                .t(Table::Versions)
                .range::<&[u8]>(prefix.as_slice()..)?;
            match range.next() {
                Some(entry) => {
                    let (k, v) = entry?;
                    if k.value().starts_with(&prefix) {
                        let rec: VersionRecord = decode_record(v.value())?;
                        Some(rec.latest())
                    } else {
                        None
                    }
                }
                None => None,
            }
        };
        let lkey = keys::latest(bucket, key);
        let t = self.t(Table::Latest);
        match newest {
            Some(l) => t
                .insert(lkey.as_slice(), record::encode(&l).as_slice())
                .map(|_| ()),
            None => t.remove(lkey.as_slice()).map(|_| ()),
        }
        .map_err(IndexError::from)
    }
}

/// A record read inside a commit; one that does not decode fails the commit.
fn decode_record<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, IndexError> {
    record::decode(bytes).map_err(|e| IndexError::Record(e.to_string()))
}
