//! Put, get, head, delete and tag objects.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::Stream;

use super::resolve::Resolved;
use super::{Inner, Store};
use crate::disk::meta_db::MetaOp;
use crate::erasure::layout::{resolve_range, rotation_for, Layout};
use crate::error::{Error, Result};
use crate::object::body::ObjectBody;
use crate::object::read::{self, ReadContext, ReadPlan};
use crate::object::write::{write_body, Written};
use crate::record::{self, now_ns, DataRecord, PartData, VersionRecord};
use crate::set::ErasureSet;
use crate::types::*;

/// What a HEAD finds: the version, and the bytes a GET with the same options would send.
#[derive(Debug)]
pub struct ObjectHead {
    /// The version.
    pub info: ObjectInfo,
    /// `(start, len)` when a range or part was asked for.
    pub range: Option<(u64, u64)>,
}

/// An object being read: what it is, which bytes, and the bytes.
#[derive(Debug)]
pub struct ObjectRead {
    /// The version read.
    pub info: ObjectInfo,
    /// `(start, len)` when a range or part was asked for.
    pub range: Option<(u64, u64)>,
    /// The bytes.
    pub body: ObjectBody,
}

impl Store {
    /// Stores a body as a new version of `key` (or the null version).
    pub async fn put_object<S>(
        &self,
        bucket: &str,
        key: &str,
        opts: PutOptions,
        body: S,
    ) -> Result<ObjectInfo>
    where
        S: Stream<Item = std::result::Result<Bytes, std::io::Error>> + Send + Unpin,
    {
        let inner = &self.inner;
        crate::validate::object_key(key)?;
        inner.bucket(bucket)?;
        let set = inner.class(opts.storage_class.as_deref())?.clone();
        let n = set.layout.total();
        let rotation = rotation_for(key.as_bytes(), n);
        let inline_limit = if Arc::ptr_eq(&set, inner.ns()) {
            inner.inline_limit
        } else {
            0
        };
        let written = write_body(
            &set,
            &inner.md5,
            body,
            rotation,
            inline_limit,
            opts.expected_size,
        )
        .await?;
        let result = async {
            let checksums = check_body(
                &written,
                opts.expected_size,
                opts.expected_md5,
                opts.body_check,
                opts.checksums,
            )?;
            let etag = hex(&written.md5);
            let part = PartData {
                number: 1,
                size: written.size,
                etag: etag.clone(),
                checksums: checksums.clone(),
                data_id: written.data_id,
            };
            let rec = VersionRecord {
                version_id: [0; 16],
                mod_time_ns: 0,
                delete_marker: false,
                size: written.size,
                etag,
                meta: opts.meta,
                tags: opts.tags,
                checksums,
                internal: opts.internal,
                data: Some(data_record(&set, rotation, vec![part])),
            };
            inner
                .commit_version(
                    bucket,
                    key,
                    rec,
                    written.inline.clone(),
                    opts.precondition.as_ref(),
                )
                .await
        }
        .await;
        if result.is_err() {
            written.discard(&set);
        }
        result
    }

    /// Reads a version, or a range or part of it.
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        opts: GetOptions,
    ) -> Result<ObjectRead> {
        let inner = &self.inner;
        let r = inner.resolve_object(bucket, key, opts.version_id.as_deref())?;
        let info = info_of(bucket, key, &r);
        let size = r.record.size;
        let range = requested_range(&r.record, &opts)?;
        let data = r
            .record
            .data
            .as_ref()
            .ok_or_else(|| Error::Corrupt("object without data".into()))?;
        let set = inner.class(Some(&data.class))?.clone();
        let layout = Layout {
            data: data.k as usize,
            parity: data.m as usize,
            block_size: data.block_size,
        };
        if layout.total() != set.slots.len() {
            return Err(Error::Corrupt(format!(
                "object layout {}+{} does not fit class {}",
                data.k, data.m, set.name
            )));
        }
        let plan = ReadPlan {
            set,
            layout,
            rotation: data.rotation as usize,
            parts: data.parts.clone(),
            inline: r.inline,
            range: range.clone().unwrap_or(0..size),
            ctx: ReadContext {
                bucket: bucket.into(),
                key: key.into(),
                version_id: info.version_id.clone(),
                heal: inner.heal.clone(),
            },
        };
        let body = read::start(plan)?;
        Ok(ObjectRead {
            info,
            range: range.map(|r| (r.start, r.end - r.start)),
            body,
        })
    }

    /// What `get_object` would return, without the bytes: the same errors for a missing
    /// part or an unsatisfiable range, and the same span.
    pub async fn head_object(
        &self,
        bucket: &str,
        key: &str,
        opts: GetOptions,
    ) -> Result<ObjectHead> {
        let r = self
            .inner
            .resolve_object(bucket, key, opts.version_id.as_deref())?;
        let range = requested_range(&r.record, &opts)?;
        Ok(ObjectHead {
            info: info_of(bucket, key, &r),
            range: range.map(|r| (r.start, r.end - r.start)),
        })
    }

    /// Deletes as S3 does: a delete marker in versioned buckets, the null version otherwise,
    /// or exactly the named version.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<DeleteOutcome> {
        let inner = &self.inner;
        crate::validate::object_key(key)?;
        let b = inner.bucket(bucket)?;
        let remove = |id: [u8; 16]| async move {
            let _g = inner.locks.lock(bucket, key).await;
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
        match (version_id, b.versioning) {
            (Some(v), _) => {
                let id = record::parse_version(v)
                    .ok_or_else(|| Error::InvalidArgument(format!("invalid version id {v:?}")))?;
                let marker = remove(id).await?;
                Ok(DeleteOutcome {
                    version_id: Some(v.to_string()),
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
                };
                let info = inner
                    .commit_version(bucket, key, marker, None, None)
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
        let inner = &self.inner;
        let _g = inner.locks.lock(bucket, key).await;
        let r = inner.resolve_object(bucket, key, version_id)?;
        let id = r.record.version_id;
        inner
            .commit_all(vec![MetaOp::SetTags {
                bucket: bucket.into(),
                key: key.into(),
                version_id: id,
                tags,
            }])
            .await?;
        Ok(record::version_text(&id))
    }
}

impl Inner {
    /// Commits `rec` as the new current version of `key`, under the key's lock: checks the
    /// precondition, picks the version id and time, and drops the replaced null version.
    pub(super) async fn commit_version(
        &self,
        bucket: &str,
        key: &str,
        rec: VersionRecord,
        inline: Option<Vec<Vec<u8>>>,
        precondition: Option<&WritePrecondition>,
    ) -> Result<ObjectInfo> {
        let _g = self.locks.lock(bucket, key).await;
        self.commit_version_locked(bucket, key, rec, inline, precondition, vec![])
            .await
    }

    /// [`Inner::commit_version`] for a caller that holds the key's lock; `extra` ops commit in
    /// the same transaction.
    pub(super) async fn commit_version_locked(
        &self,
        bucket: &str,
        key: &str,
        mut rec: VersionRecord,
        inline: Option<Vec<Vec<u8>>>,
        precondition: Option<&WritePrecondition>,
        extra: Vec<MetaOp>,
    ) -> Result<ObjectInfo> {
        let versioning = self.bucket(bucket)?.versioning;
        let current = self.resolve(bucket, key, None)?;
        let live = current.as_ref().filter(|c| !c.record.delete_marker);
        match precondition {
            Some(WritePrecondition::IfNoneMatchAny) if live.is_some() => {
                return Err(Error::PreconditionFailed)
            }
            Some(WritePrecondition::IfMatch(etag))
                if live.is_none_or(|c| c.record.etag != etag.trim_matches('"')) =>
            {
                return Err(Error::PreconditionFailed)
            }
            _ => {}
        }
        rec.mod_time_ns = now_ns().max(current.as_ref().map_or(0, |c| c.record.mod_time_ns + 1));
        let replace_null = versioning != Versioning::Enabled;
        rec.version_id = if replace_null {
            [0; 16]
        } else {
            *uuid::Uuid::new_v4().as_bytes()
        };
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

    /// Removes the shard files of versions that are gone.
    pub(super) fn discard_data(&self, removed: &[VersionRecord]) {
        for r in removed {
            if let Some(d) = &r.data {
                self.discard(&d.class, d.parts.iter().filter_map(|p| p.data_id).collect());
            }
        }
    }

    /// Removes shard files in the background: unlinking large files takes milliseconds that
    /// the request that replaced them should not wait for. A crash before it runs leaves
    /// garbage for the scanner, never a dangling reference.
    pub(super) fn discard(&self, class: &str, data_ids: Vec<[u8; 16]>) {
        let Ok(set) = self.class(Some(class)) else {
            return;
        };
        if data_ids.is_empty() {
            return;
        }
        let set = set.clone();
        tokio::task::spawn_blocking(move || {
            for id in &data_ids {
                for (_, v) in set.online() {
                    v.remove_shard(id);
                }
            }
        });
    }
}

/// Checks the announced size and MD5 of a written body, runs the caller's check, and merges
/// the checksums it returns.
pub(super) fn check_body(
    written: &Written,
    expected_size: Option<u64>,
    expected_md5: Option<[u8; 16]>,
    check: Option<BodyCheck>,
    mut checksums: Checksums,
) -> Result<Checksums> {
    let summary = BodySummary {
        size: written.size,
        md5: written.md5,
    };
    if let Some(exp) = expected_size.filter(|e| *e != summary.size) {
        return Err(Error::IncompleteBody {
            expected: exp,
            got: summary.size,
        });
    }
    if expected_md5.is_some_and(|m| m != summary.md5) {
        return Err(Error::BadDigest);
    }
    if let Some(check) = check {
        checksums.extend(check(&summary).map_err(Error::BodyRejected)?);
    }
    Ok(checksums)
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
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes a part number or a range selects; `None` for the whole object.
fn requested_range(rec: &VersionRecord, opts: &GetOptions) -> Result<Option<Range<u64>>> {
    let size = rec.size;
    Ok(match (opts.part_number, &opts.range) {
        (Some(p), _) => Some(part_range(rec, p)?),
        (None, Some(range)) => {
            Some(resolve_range(range, size).ok_or(Error::InvalidRange { size })?)
        }
        (None, None) => None,
    })
}

fn part_range(rec: &VersionRecord, part: u32) -> Result<Range<u64>> {
    let parts = rec.data.as_ref().map(|d| d.parts.as_slice()).unwrap_or(&[]);
    let mut start = 0;
    for p in parts {
        if p.number == part {
            return Ok(start..start + p.size);
        }
        start += p.size;
    }
    Err(Error::InvalidPartNumber)
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
                        size: p.size,
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
    }
}
