//! Moving versions to remote tiers and removing remote objects nothing references.
//!
//! A move records the remote object's id in the `remote` table before writing it, switches
//! the version's data in one commit afterwards, and leaves the entry for as long as the
//! object exists. An entry whose version does not point at its id (the version is gone, or
//! the move never committed) names an orphan: its object is deleted, then the entry. That
//! happens at once for versions deleted or replaced, and in each scanner pass for entries
//! older than the orphan grace (so that a move in flight is never touched).

use std::time::SystemTime;

use bytes::Bytes;
use futures::Stream;

use super::object::set_data;
use super::read::{Place, StoredObject};
use super::{Inner, Store, Transitioned};
use crate::disk::meta_db::{MetaOp, Table};
use crate::error::{Error, Result};
use crate::keys;
use crate::pace::Pacer;
use crate::record::{
    self, DataRecord, PartData, PartRecord, PartRef, RemoteData, RemoteRecord, VersionRecord,
};
use crate::types::ScanReport;

/// Entries per page of the `remote` table walk.
const PAGE: usize = 256;

/// What a move to a remote tier writes, besides the bytes.
#[derive(Debug, Clone, Default)]
pub struct TierMove {
    /// The stored size of each part in the remote object, when the caller changed the bytes
    /// (sealed them); `None`: the stored bytes as they are.
    pub stored_sizes: Option<Vec<u64>>,
    /// `internal` entries to set in the commit that moves the data.
    pub internal: Vec<(String, String)>,
}

impl Store {
    /// Moves the data of `object` (as opened) to remote tier `tier`: `body` gives the bytes
    /// to store (its stored bytes, or what the caller made of them, as `how` says).
    pub async fn transition_to_tier<S>(
        &self,
        object: &StoredObject,
        tier: &str,
        body: S,
        how: TierMove,
    ) -> Result<Transitioned>
    where
        S: Stream<Item = Result<Bytes>> + Send + Unpin,
    {
        let inner = &self.inner;
        let tier = inner.tiers.named(tier)?.clone();
        let info = object.info();
        let (bucket, key) = (info.bucket.as_str(), info.key.as_str());
        let place = &object.place;
        if place.remote.is_some() {
            if place.class.eq_ignore_ascii_case(&tier.name) {
                return Ok(Transitioned::AlreadyThere);
            }
            return Err(Error::argument(
                "a version on a remote tier does not move to another tier",
            ));
        }
        let sizes = object.stored_part_sizes();
        if sizes.iter().all(|s| *s == 0) {
            return Ok(Transitioned::Empty);
        }
        let new_sizes = how.stored_sizes.clone().unwrap_or_else(|| sizes.clone());
        if new_sizes.len() != sizes.len() {
            return Err(Error::argument("one stored size per part is needed"));
        }
        let vid = record::parse_version(&info.version_id)
            .ok_or_else(|| Error::argument("invalid version id"))?;
        tier.writable()?;
        let id: [u8; 16] = rand::random();
        let moving = Moving::start(inner, id);
        inner
            .commit_all(vec![entry_op(&id, &tier.name, bucket, key, vid)])
            .await?;
        let written = tier.put(&id, body).await;
        let expected: u64 = new_sizes.iter().sum();
        let moved = match written {
            Ok((size, _)) if size != expected => Err(Error::argument(format!(
                "{size} bytes were given for a remote object of {expected}"
            ))),
            Ok((size, xxh3)) => {
                let remote = RemoteData {
                    tier: tier.name.clone(),
                    id,
                    size,
                    xxh3,
                };
                self.switch_to_remote(object, remote, &new_sizes, how.internal)
                    .await
            }
            Err(e) => Err(e),
        };
        drop(moving);
        if !matches!(moved, Ok(Transitioned::Moved)) {
            // What the write left goes now if the tier lets it, else in a later pass.
            inner.reap_remote(&id).await;
        }
        moved
    }

    /// Points the version at its remote copy, if it still has the data that was copied.
    async fn switch_to_remote(
        &self,
        object: &StoredObject,
        remote: RemoteData,
        sizes: &[u64],
        internal: Vec<(String, String)>,
    ) -> Result<Transitioned> {
        let inner = &self.inner;
        let info = object.info();
        let (bucket, key) = (info.bucket.as_str(), info.key.as_str());
        let _g = inner.locks.lock(bucket, key).await;
        let now = inner.resolve_object(bucket, key, Some(&info.version_id));
        let Some(old) = now.ok().and_then(|r| in_place(r.record, &object.place)) else {
            return Ok(Transitioned::Changed);
        };
        let parts: Vec<PartData> = old
            .parts
            .iter()
            .zip(sizes)
            .map(|(p, size)| PartData {
                size: *size,
                data_id: None,
                object_size: (*size != p.object_size()).then_some(p.object_size()),
                ..p.clone()
            })
            .collect();
        let data = DataRecord {
            upload: old.upload.clone(),
            ..remote_data_record(remote, parts)
        };
        let vid = record::parse_version(&info.version_id)
            .ok_or_else(|| Error::argument("invalid version id"))?;
        let mut ops = vec![set_data(bucket, key, vid, &old, data)];
        if !internal.is_empty() {
            ops.push(MetaOp::SetInternal {
                bucket: bucket.into(),
                key: key.into(),
                version_id: vid,
                expect: Vec::new(),
                set: internal,
            });
        }
        inner.commit_all(ops).await?;
        let files = old.parts.iter().filter_map(|p| Some((p.data_id?, p.size)));
        inner.discard(&old.class, files.collect());
        Ok(Transitioned::Moved)
    }
}

/// The data of a version held by remote object `remote`, whose parts are `parts`.
pub(super) fn remote_data_record(remote: RemoteData, parts: Vec<PartData>) -> DataRecord {
    DataRecord {
        class: remote.tier.clone(),
        k: 1,
        m: 0,
        block_size: 0,
        rotation: 0,
        parts,
        inline: None,
        upload: None,
        remote: Some(remote),
        restored: None,
    }
}

/// The version's data, if it is still where `place` says it was when opened.
fn in_place(record: VersionRecord, place: &Place) -> Option<DataRecord> {
    let d = record.data?;
    let ids: Vec<Option<[u8; 16]>> = d.parts.iter().map(|p| p.data_id).collect();
    let same = record.mod_time_ns == place.mod_time_ns
        && d.class == place.class
        && ids == place.data_ids
        && d.remote.as_ref().map(|r| r.id) == place.remote;
    same.then_some(d)
}

impl Inner {
    /// Deletes remote object `id` and its entry unless its version points at it. Failures
    /// are logged and left for the next pass; returns whether the object went.
    pub(super) async fn reap_remote(&self, id: &[u8; 16]) -> bool {
        match self.try_reap(id).await {
            Ok(gone) => gone,
            Err(e) => {
                tracing::warn!(id = %hex::encode(id), error = %e, "remote object kept for the next pass");
                false
            }
        }
    }

    async fn try_reap(&self, id: &[u8; 16]) -> Result<bool> {
        if lock(&self.moving).contains(id) {
            return Ok(false);
        }
        let answers = self.read_all(Table::Remote, id)?;
        let Some(raw) = self.agreed(answers.into_iter().map(|(_, v)| v).collect()) else {
            return Ok(false);
        };
        let entry: RemoteRecord = record::decode(&raw)?;
        let _g = self.locks.lock(&entry.bucket, &entry.key).await;
        if self.references(&entry, id)? {
            return Ok(false);
        }
        self.tiers.of_data(&entry.tier)?.delete(id).await?;
        self.commit_all(vec![MetaOp::Delete {
            table: Table::Remote,
            key: id.to_vec(),
        }])
        .await?;
        Ok(true)
    }

    /// Whether what `entry` names (a version, or an upload's part) holds remote object `id`.
    /// The caller holds the key's lock.
    fn references(&self, entry: &RemoteRecord, id: &[u8; 16]) -> Result<bool> {
        if let Some(part) = &entry.part {
            // Any volume's copy of the part keeps the object: a part is never lost to a
            // commit that reached only some volumes.
            let answers = self.read_all(Table::Parts, &keys::part(&part.upload_id, part.number))?;
            let held = answers.into_iter().filter_map(|(_, v)| v).any(|raw| {
                record::decode::<PartRecord>(&raw)
                    .is_ok_and(|p| p.remote.is_some_and(|r| r.id == *id))
            });
            return Ok(held);
        }
        let vid = record::version_text(&entry.version_id);
        match self.resolve_object(&entry.bucket, &entry.key, Some(&vid)) {
            Ok(r) => Ok(r
                .record
                .data
                .and_then(|d| d.remote)
                .is_some_and(|r| r.id == *id)),
            Err(Error::Refused(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Queues remote objects nothing references any more for deletion.
    pub(super) fn forget_remote_ids(&self, ids: impl Iterator<Item = [u8; 16]>) {
        for id in ids {
            // The loop ends only with the store; then the entry stays for the sweep.
            let _ = self.remote_gone.send(id);
        }
    }

    /// Queues the remote objects of versions that are gone for deletion.
    pub(super) fn forget_remote(&self, removed: &[VersionRecord]) {
        let ids = removed
            .iter()
            .filter_map(|r| Some(r.data.as_ref()?.remote.as_ref()?.id));
        self.forget_remote_ids(ids);
    }

    /// Removes the remote objects of entries older than `cutoff` that nothing references.
    pub(super) async fn sweep_remote(
        &self,
        cutoff: SystemTime,
        report: &mut ScanReport,
        pacer: &mut Pacer,
    ) {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = match self.walk_page(Table::Remote, after.as_deref(), PAGE).await {
                Ok(p) => p,
                Err(e) => {
                    report.errors.push(format!("remote objects: {e}"));
                    return;
                }
            };
            for (key, raw) in &page.entries {
                let old_enough = record::decode::<RemoteRecord>(raw)
                    .is_ok_and(|e| record::time_of(e.since_ns) < cutoff);
                let Ok(id) = <[u8; 16]>::try_from(key.as_slice()) else {
                    continue;
                };
                if old_enough && self.reap_remote(&id).await {
                    report.remote_orphans_removed += 1;
                }
                pacer.tick().await;
            }
            match page.next {
                Some(n) => after = Some(n),
                None => return,
            }
        }
    }
}

/// Deletes the remote objects of deleted and replaced versions as they are queued, until the
/// store is dropped.
pub(super) async fn reap_loop(
    inner: std::sync::Weak<Inner>,
    mut gone: tokio::sync::mpsc::UnboundedReceiver<[u8; 16]>,
) {
    while let Some(id) = gone.recv().await {
        let Some(inner) = inner.upgrade() else { return };
        inner.reap_remote(&id).await;
    }
}

/// The `remote` table entry saying that object `id` of `tier` holds (or is about to hold)
/// the data of version `version_id` of `bucket/key`.
pub(super) fn entry_op(
    id: &[u8; 16],
    tier: &str,
    bucket: &str,
    key: &str,
    version_id: [u8; 16],
) -> MetaOp {
    entry_put(
        id,
        RemoteRecord {
            tier: tier.into(),
            bucket: bucket.into(),
            key: key.into(),
            version_id,
            since_ns: record::now_ns(),
            part: None,
        },
    )
}

/// The `remote` table entry saying that object `data.id` holds part `part` of an upload of
/// `bucket/key`.
pub(super) fn part_entry_op(data: &RemoteData, bucket: &str, key: &str, part: PartRef) -> MetaOp {
    entry_put(
        &data.id,
        RemoteRecord {
            tier: data.tier.clone(),
            bucket: bucket.into(),
            key: key.into(),
            version_id: [0; 16],
            since_ns: record::now_ns(),
            part: Some(part),
        },
    )
}

fn entry_put(id: &[u8; 16], entry: RemoteRecord) -> MetaOp {
    MetaOp::Put {
        table: Table::Remote,
        key: id.to_vec(),
        value: record::encode(&entry),
    }
}

/// A remote write in flight (a move, or a PUT's staged bytes): its id is never reaped,
/// however old its entry (a slow remote write may outlast the orphan grace).
pub(super) struct Moving {
    inner: std::sync::Arc<Inner>,
    pub(super) id: [u8; 16],
}

impl Moving {
    pub(super) fn start(inner: &std::sync::Arc<Inner>, id: [u8; 16]) -> Self {
        lock(&inner.moving).insert(id);
        Moving {
            inner: inner.clone(),
            id,
        }
    }

    /// Ends the write and queues its remote object for deletion (nothing will reference it).
    pub(super) fn abandon(self) {
        let (inner, id) = (self.inner.clone(), self.id);
        drop(self);
        inner.forget_remote_ids(std::iter::once(id));
    }
}

impl Drop for Moving {
    fn drop(&mut self) {
        lock(&self.inner.moving).remove(&self.id);
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
