//! Restores: a temporary local copy of a remote version's bytes (an archive tier's object
//! made readable for a while, as S3's RestoreObject). The copy is written into the namespace
//! class, checked against the remote object's digest, durable on a write quorum, and only
//! then recorded in the version (`DataRecord.restored`, FORMAT.md record version 8); reads
//! use it until it expires, and the scanner removes it after.

use super::object::set_data;
use super::put::Staging;
use super::read::StoredObject;
use super::staged::Held;
use super::{Inner, Store};
use crate::error::{Error, Result, WriteError};
use crate::record::{self, DataRecord, RestoredCopy, VersionRecord};
use crate::types::EtagBy;

/// What a restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restored {
    /// A local copy was made.
    Copied,
    /// The version had a copy serving reads: its expiry was moved.
    Extended,
    /// The version changed while its bytes were copied: nothing was recorded.
    Changed,
}

impl Store {
    /// Gives remote version `object` (as opened) a local copy that serves reads until
    /// `expiry_ns`, or moves the expiry of the copy it has.
    pub async fn restore_copy(&self, object: &StoredObject, expiry_ns: u64) -> Result<Restored> {
        let inner = &self.inner;
        let Some(remote) = object.remote_data() else {
            return Err(Error::argument(
                "only a version on a remote tier is restored",
            ));
        };
        let serving = object.restored.as_ref().filter(|c| c.serves_reads());
        if let Some(c) = serving {
            let copy = RestoredCopy {
                expiry_ns,
                ..c.clone()
            };
            return inner.record_copy(object, copy, None).await;
        }
        let set = inner.ns().clone();
        let info = object.info();
        // The whole remote object, its digest checked before its last bytes are accepted.
        let body = object.read_remote_whole()?;
        let how = Staging {
            inline_limit: 0,
            expected_len: Some(remote.size),
            etag: EtagBy::Caller,
        };
        let staged = inner
            .stage(&info.bucket, &info.key, set.clone(), Box::pin(body), how)
            .await
            .map_err(|e| match e {
                WriteError::Body(e) | WriteError::Store(e) => e,
            })?;
        let Some(Held::Shards {
            set,
            rotation,
            written,
        }) = staged.take()
        else {
            return Err(Error::internal("a restore staged no shard files"));
        };
        let Some(data_id) = written.data_id else {
            return Err(Error::internal("a restore staged no shard files"));
        };
        let copy = RestoredCopy {
            class: set.name.clone(),
            k: set.layout.data as u8,
            m: set.layout.parity as u8,
            block_size: set.layout.block_size,
            rotation: rotation as u8,
            data_id,
            size: written.size,
            expiry_ns,
        };
        let recorded = inner.record_copy(object, copy, Some(&set)).await;
        if !matches!(recorded, Ok(Restored::Copied)) {
            written.discard(&set);
        }
        recorded
    }
}

impl Inner {
    /// Sets `copy` as the version's local copy if the version still has the remote data it
    /// was opened with; an earlier copy's files go. `new_files_in`: the copy was just
    /// written there (else only its expiry changes).
    async fn record_copy(
        &self,
        object: &StoredObject,
        copy: RestoredCopy,
        new_files_in: Option<&crate::set::ErasureSet>,
    ) -> Result<Restored> {
        let info = object.info();
        let (bucket, key) = (info.bucket.as_str(), info.key.as_str());
        let _g = self.locks.lock(bucket, key).await;
        let now = self.resolve_object(bucket, key, Some(&info.version_id));
        let Some(old) = now.ok().and_then(|r| same_remote(r.record, object)) else {
            return Ok(Restored::Changed);
        };
        let vid = record::parse_version(&info.version_id)
            .ok_or_else(|| Error::argument("invalid version id"))?;
        let earlier = old.restored.clone();
        let data = DataRecord {
            restored: Some(copy.clone()),
            ..old.clone()
        };
        self.commit_all(vec![set_data(bucket, key, vid, &old, data)])
            .await?;
        match (new_files_in, earlier) {
            (Some(_), Some(e)) => self.discard(&e.class, vec![(e.data_id, e.size)]),
            (None, _) => return Ok(Restored::Extended),
            _ => {}
        }
        Ok(Restored::Copied)
    }

    /// Removes version `vid` of `bucket/key`'s local copy if it expired (a scanner pass);
    /// returns whether it did.
    pub(super) async fn expire_copy(&self, bucket: &str, key: &str, vid: [u8; 16]) -> Result<bool> {
        let _g = self.locks.lock(bucket, key).await;
        let text = record::version_text(&vid);
        let rec = self.resolve_object(bucket, key, Some(&text))?.record;
        let Some(old) = rec.data else {
            return Ok(false);
        };
        let Some(c) = old.restored.clone().filter(|c| !c.serves_reads()) else {
            return Ok(false);
        };
        let data = DataRecord {
            restored: None,
            ..old.clone()
        };
        self.commit_all(vec![set_data(bucket, key, vid, &old, data)])
            .await?;
        self.discard(&c.class, vec![(c.data_id, c.size)]);
        Ok(true)
    }
}

/// The version's data, if it still has the remote object `object` was opened with.
fn same_remote(record: VersionRecord, object: &StoredObject) -> Option<DataRecord> {
    let d = record.data?;
    let same = record.mod_time_ns == object.place.mod_time_ns
        && d.remote.as_ref().map(|r| r.id) == object.place.remote;
    same.then_some(d)
}
