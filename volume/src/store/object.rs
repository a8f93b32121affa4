//! Deleting and tagging objects, and the commit of a new version that every write ends in.

use super::remote::entry_op;
use super::resolve::Resolved;
use super::{Inner, Store};
use crate::disk::meta_db::MetaOp;
use crate::error::{Error, Refusal, Result};
use crate::record::{self, now_ns, DataRecord, PartData, VersionRecord};
use crate::set::ErasureSet;
use crate::types::*;

impl Store {
    /// A version id for a write to `bucket` to commit under, decided by the bucket's
    /// versioning now ([`PromisedVersion`]).
    pub fn promise_version(&self, bucket: &str) -> Result<PromisedVersion> {
        let versioning = self.inner.bucket(bucket)?.versioning;
        Ok(PromisedVersion(version_id_for(versioning)))
    }

    /// Deletes as S3 does: a delete marker in versioned buckets, the null version otherwise,
    /// or exactly the named version.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<DeleteOutcome> {
        self.delete_object_if(bucket, key, version_id, &DeletePrecondition::default())
            .await
    }

    /// [`Store::delete_object`] if the key's current version meets `cond` at that instant:
    /// `PreconditionFailed` when it does not, `NoSuchKey` when `If-Match` finds no current
    /// object.
    pub async fn delete_object_if(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        cond: &DeletePrecondition,
    ) -> Result<DeleteOutcome> {
        let inner = &self.inner;
        crate::validate::object_key(key)?;
        let b = inner.bucket(bucket)?;
        let id = match version_id {
            Some(v) => Some(
                record::parse_version(v)
                    .ok_or_else(|| Error::argument(format!("invalid version id {v:?}")))?,
            ),
            None => None,
        };
        let _g = inner.locks.lock(bucket, key).await;
        if !cond.is_empty() {
            inner.check_delete(bucket, key, cond)?;
        }
        let remove = |id: [u8; 16]| async move {
            inner.check_removal(bucket, key, id, cond.bypass_governance)?;
            let removed = inner
                .commit_all(vec![MetaOp::DeleteVersion {
                    bucket: bucket.into(),
                    key: key.into(),
                    version_id: id,
                }])
                .await?;
            let marker = removed.iter().any(|r| r.delete_marker);
            inner.discard_data(&removed);
            Ok::<_, Error>(marker)
        };
        match (id, b.versioning) {
            (Some(id), _) => {
                let marker = remove(id).await?;
                Ok(DeleteOutcome {
                    version_id: version_id.map(str::to_string),
                    delete_marker: marker,
                })
            }
            (None, Versioning::Unversioned) => {
                remove([0; 16]).await?;
                Ok(DeleteOutcome {
                    version_id: None,
                    delete_marker: false,
                })
            }
            (None, _) => {
                let marker = VersionRecord {
                    version_id: [0; 16],
                    mod_time_ns: 0,
                    delete_marker: true,
                    size: 0,
                    etag: String::new(),
                    meta: ObjectMeta::default(),
                    tags: vec![],
                    checksums: Checksums::new(),
                    internal: Default::default(),
                    data: None,
                    access: None,
                    lock: None,
                };
                let info = inner
                    .commit_version_locked(bucket, key, marker, None, None, vec![])
                    .await?;
                Ok(DeleteOutcome {
                    version_id: Some(info.version_id),
                    delete_marker: true,
                })
            }
        }
    }

    /// Replaces the tags of a version (the current one by default); returns its version id.
    pub async fn set_object_tags(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        tags: Vec<(String, String)>,
    ) -> Result<String> {
        self.change_version(bucket, key, version_id, |version_id| MetaOp::SetTags {
            bucket: bucket.into(),
            key: key.into(),
            version_id,
            tags,
        })
        .await
    }
}

impl Store {
    /// Replaces the access document of a version (the current one by default); returns its
    /// version id.
    pub async fn set_object_access(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        access: Vec<u8>,
    ) -> Result<String> {
        self.change_version(bucket, key, version_id, |version_id| MetaOp::SetAccess {
            bucket: bucket.into(),
            key: key.into(),
            version_id,
            access,
        })
        .await
    }

    /// Sets `set` in the `internal` map of exactly version `version_id`, if every `expect`
    /// entry still holds there (checked under the key's lock, and again in the commit);
    /// returns whether it changed. A gone version is `Ok(false)`, not an error: the caller
    /// (a background walk) meets versions that are deleted while it runs.
    pub async fn set_object_internal(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        expect: Vec<(String, String)>,
        set: Vec<(String, String)>,
    ) -> Result<bool> {
        let inner = &self.inner;
        let id = record::parse_version(version_id)
            .ok_or_else(|| Error::argument(format!("invalid version id {version_id:?}")))?;
        let _g = inner.locks.lock(bucket, key).await;
        let current = match inner.resolve_object(bucket, key, Some(version_id)) {
            Ok(r) => r.record,
            Err(Error::Refused(Refusal::NoSuchKey { .. } | Refusal::NoSuchVersion)) => {
                return Ok(false)
            }
            Err(e) => return Err(e),
        };
        if !record::entries_hold(&current.internal, &expect) {
            return Ok(false);
        }
        inner
            .commit_all(vec![MetaOp::SetInternal {
                bucket: bucket.into(),
                key: key.into(),
                version_id: id,
                expect,
                set,
            }])
            .await?;
        Ok(true)
    }

    /// The record of a version (the current one by default) without opening its data.
    pub fn object_info(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<ObjectInfo> {
        let r = self.inner.resolve_object(bucket, key, version_id)?;
        Ok(info_of(bucket, key, &r))
    }

    /// Commits `op` for a version (the current one by default), under the key's lock.
    async fn change_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        op: impl FnOnce([u8; 16]) -> MetaOp,
    ) -> Result<String> {
        let inner = &self.inner;
        let _g = inner.locks.lock(bucket, key).await;
        let id = inner
            .resolve_object(bucket, key, version_id)?
            .record
            .version_id;
        inner.commit_all(vec![op(id)]).await?;
        Ok(record::version_text(&id))
    }

    /// The access document of a version (the current one by default), read on the calling
    /// thread: for an authorizer that is not async. `Ok(None)` when it has none.
    pub fn object_access_now(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Option<Vec<u8>>> {
        let r = self.inner.resolve_object(bucket, key, version_id)?;
        Ok(r.record.access)
    }

    /// The tags of a version (the current one by default), read on the calling thread: for
    /// an authorizer that is not async (`s3:ExistingObjectTag`).
    pub fn object_tags_now(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let r = self.inner.resolve_object(bucket, key, version_id)?;
        Ok(r.record.tags)
    }
}

impl Inner {
    /// Whether the key's current version meets a conditional delete's `cond`; the caller
    /// holds the key's lock.
    fn check_delete(&self, bucket: &str, key: &str, cond: &DeletePrecondition) -> Result<()> {
        let current = self.resolve(bucket, key, None)?;
        let live = current.as_ref().filter(|c| !c.record.delete_marker);
        let failed = || Err(Refusal::PreconditionFailed.into());
        if let Some(wanted) = &cond.if_match {
            let Some(c) = live else {
                return Err(Refusal::NoSuchKey {
                    delete_marker_version: None,
                }
                .into());
            };
            if wanted != "*" && !etag_matches(wanted, &c.record.etag) {
                return failed();
            }
        }
        let Some(c) = live else {
            return Ok(());
        };
        if cond.size.is_some_and(|size| size != c.record.size) {
            return failed();
        }
        let secs = c.record.mod_time_ns / 1_000_000_000;
        if cond.last_modified_secs.is_some_and(|t| t != secs) {
            return failed();
        }
        Ok(())
    }

    /// Commits `rec` as the new current version of `key`, under the key's lock: checks the
    /// precondition, picks the version id and time, and drops the replaced null version.
    pub(super) async fn commit_version(
        &self,
        to: CommitTo<'_>,
        rec: VersionRecord,
        inline: Option<Vec<Vec<u8>>>,
        precondition: Option<&WritePrecondition>,
    ) -> Result<ObjectInfo> {
        let _g = self.locks.lock(to.bucket, to.key).await;
        self.commit_version_as(to, rec, inline, precondition, vec![])
            .await
    }

    /// [`Inner::commit_version`] for a caller that holds the key's lock; `extra` ops commit in
    /// the same transaction.
    pub(super) async fn commit_version_locked(
        &self,
        bucket: &str,
        key: &str,
        rec: VersionRecord,
        inline: Option<Vec<Vec<u8>>>,
        precondition: Option<&WritePrecondition>,
        extra: Vec<MetaOp>,
    ) -> Result<ObjectInfo> {
        let to = CommitTo {
            bucket,
            key,
            promised: None,
        };
        self.commit_version_as(to, rec, inline, precondition, extra)
            .await
    }

    /// [`Inner::commit_version_locked`] under the version id promised to the client, if one
    /// was.
    pub(super) async fn commit_version_as(
        &self,
        to: CommitTo<'_>,
        mut rec: VersionRecord,
        inline: Option<Vec<Vec<u8>>>,
        precondition: Option<&WritePrecondition>,
        extra: Vec<MetaOp>,
    ) -> Result<ObjectInfo> {
        let CommitTo {
            bucket,
            key,
            promised,
        } = to;
        let versioning = self.bucket(bucket)?.versioning;
        let current = self.resolve(bucket, key, None)?;
        let live = current.as_ref().filter(|c| !c.record.delete_marker);
        match precondition {
            Some(WritePrecondition::IfNoneMatchAny) if live.is_some() => {
                return Err(Refusal::PreconditionFailed.into())
            }
            // S3 answers NoSuchKey when there is nothing to match.
            Some(WritePrecondition::IfMatch(_)) if live.is_none() => {
                return Err(Refusal::NoSuchKey {
                    delete_marker_version: None,
                }
                .into())
            }
            Some(WritePrecondition::IfMatch(etag))
                if live.is_some_and(|c| !etag_matches(etag, &c.record.etag)) =>
            {
                return Err(Refusal::PreconditionFailed.into())
            }
            _ => {}
        }
        rec.mod_time_ns = now_ns().max(current.as_ref().map_or(0, |c| c.record.mod_time_ns + 1));
        let replace_null = versioning != Versioning::Enabled;
        rec.version_id = match promised {
            None => version_id_for(versioning),
            Some(p) if (p.0 == [0; 16]) == replace_null => p.0,
            Some(_) => return Err(Refusal::VersioningChanged.into()),
        };
        let mut extra = extra;
        if let Some(r) = rec.data.as_ref().and_then(|d| d.remote.as_ref()) {
            // A PUT's remote object: its entry named no version until now (FORMAT.md).
            extra.push(entry_op(&r.id, &r.tier, bucket, key, rec.version_id));
        }
        let removed = self
            .commit(|slot| {
                let mut r = rec.clone();
                if let (Some(d), Some(inl)) = (r.data.as_mut(), inline.as_ref()) {
                    d.inline = inl.get(slot).cloned();
                }
                let mut ops = vec![MetaOp::PutVersion {
                    bucket: bucket.into(),
                    key: key.into(),
                    record: Box::new(r),
                    replace_null,
                }];
                ops.extend(extra.iter().cloned());
                ops
            })
            .await?;
        self.discard_data(&removed);
        let resolved = Resolved {
            record: rec,
            inline: None,
            is_latest: true,
        };
        Ok(info_of(bucket, key, &resolved))
    }

    /// Removes the shard files (or remote objects) of versions that are gone.
    pub(super) fn discard_data(&self, removed: &[VersionRecord]) {
        self.forget_remote(removed);
        for r in removed {
            if let Some(d) = &r.data {
                let files = d.parts.iter().filter_map(|p| Some((p.data_id?, p.size)));
                self.discard(&d.class, files.collect());
                if let Some(c) = &d.restored {
                    self.discard(&c.class, vec![(c.data_id, c.size)]);
                }
            }
        }
    }

    /// Queues shard files `(data id, stored bytes)` for removal (`reclaim.rs`: while no
    /// write is staging, so that the request that replaced them does not pay for it).
    pub(super) fn discard(&self, class: &str, files: Vec<([u8; 16], u64)>) {
        let Some(i) = self.classes.iter().position(|c| c.name == class) else {
            return;
        };
        if !files.is_empty() {
            self.reclaim.push(i, files);
        }
    }
}

/// Replaces version `vid`'s data `old` with `data` (only while it is still `old`'s class
/// and files).
pub(super) fn set_data(
    bucket: &str,
    key: &str,
    vid: [u8; 16],
    old: &DataRecord,
    data: DataRecord,
) -> MetaOp {
    MetaOp::SetData {
        bucket: bucket.into(),
        key: key.into(),
        version_id: vid,
        expect_class: old.class.clone(),
        expect_ids: old.parts.iter().map(|p| p.data_id).collect(),
        data: Box::new(data),
    }
}

pub(super) fn data_record(set: &ErasureSet, rotation: usize, parts: Vec<PartData>) -> DataRecord {
    DataRecord {
        class: set.name.clone(),
        k: set.layout.data as u8,
        m: set.layout.parity as u8,
        block_size: set.layout.block_size,
        rotation: rotation as u8,
        parts,
        inline: None,
        upload: None,
        remote: None,
        restored: None,
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn info_of(bucket: &str, key: &str, r: &Resolved) -> ObjectInfo {
    let rec = &r.record;
    let data = rec.data.as_ref();
    let multipart = data.is_some_and(|d| d.parts.len() > 1 || rec.etag.contains('-'));
    ObjectInfo {
        bucket: bucket.into(),
        key: key.into(),
        version_id: record::version_text(&rec.version_id),
        is_latest: r.is_latest,
        delete_marker: rec.delete_marker,
        size: rec.size,
        stored_size: data.map_or(0, |d| d.parts.iter().map(|p| p.size).sum()),
        etag: rec.etag.clone(),
        last_modified: record::time_of(rec.mod_time_ns),
        meta: rec.meta.clone(),
        storage_class: data.map(|d| d.class.clone()).unwrap_or_default(),
        checksums: rec.checksums.clone(),
        parts: if multipart {
            data.map(|d| {
                d.parts
                    .iter()
                    .map(|p| PartSummary {
                        part_number: p.number,
                        size: p.object_size(),
                        stored_size: p.size,
                        etag: p.etag.clone(),
                        checksums: p.checksums.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
        } else {
            vec![]
        },
        tags: rec.tags.clone(),
        internal: rec.internal.clone(),
        access: rec.access.clone(),
        lock: rec.lock.clone(),
        restored_until: data.and_then(DataRecord::restored_until),
    }
}

/// Whether `wanted` (as a client sends it, quoted or not) is the ETag `etag`.
fn etag_matches(wanted: &str, etag: &str) -> bool {
    wanted.trim().trim_matches('"') == etag
}

/// Where a version commits, and the id it was promised under.
pub(super) struct CommitTo<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub promised: Option<PromisedVersion>,
}

/// A new version's id under the bucket's versioning: `null` unless it is enabled.
pub(super) fn version_id_for(versioning: Versioning) -> [u8; 16] {
    match versioning {
        Versioning::Enabled => *uuid::Uuid::new_v4().as_bytes(),
        _ => [0; 16],
    }
}
