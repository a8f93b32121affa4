//! Multipart uploads: parts are erasure-coded as they arrive; completing writes one version
//! record that points at them (no copy).

use futures::Stream;
use md5::{Digest, Md5};

use super::list::{common_prefix, Entry, MAX_LIST_KEYS};
use super::merge::{Item, Page};
use super::object::{data_record, hex, CommitTo};
use super::put::{client_facts, new_version, staged_for, Staging};
use super::remote::part_entry_op;
use super::staged::{Held, StagedData};
use super::{Inner, Store};
use crate::disk::meta_db::{MetaOp, Step, Table};
use crate::erasure::layout::rotation_for;
use crate::error::{Error, Invalid, Refusal, Result, WriteError};
use crate::keys;
use crate::record::{
    self, now_ns, time_of, DataRecord, PartData, PartRecord, PartRef, UploadRecord, VersionRecord,
};
use crate::types::*;

/// Highest part number S3 allows.
pub const MAX_PART_NUMBER: u32 = 10_000;

pub(super) fn upload_info(key: &str, upload_id: &str, r: &UploadRecord) -> UploadInfo {
    UploadInfo {
        key: key.to_string(),
        upload_id: upload_id.to_string(),
        initiated: time_of(r.initiated_ns),
        storage_class: r.tier.clone().unwrap_or_else(|| r.class.clone()),
        meta: r.meta.clone(),
        checksums: r.checksums.clone(),
        internal: r.internal.clone(),
        lock: r.lock.clone(),
    }
}

fn part_info(p: &PartRecord) -> PartInfo {
    PartInfo {
        part_number: p.data.number,
        size: p.data.object_size(),
        etag: p.data.etag.clone(),
        last_modified: time_of(p.mod_time_ns),
        checksums: p.data.checksums.clone(),
    }
}

impl Inner {
    /// The key's current version when the completion of `upload_id` with `parts` made it
    /// (a completion retried after it succeeded); `None` otherwise. The caller holds the
    /// key's lock.
    pub(super) fn completed_by(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<Option<ObjectInfo>> {
        let Some(current) = self.resolve(bucket, key, None)? else {
            return Ok(None);
        };
        let Some(data) = current.record.data.as_ref() else {
            return Ok(None);
        };
        let same_parts = data.parts.len() == parts.len()
            && data.parts.iter().zip(parts).all(|(had, asked)| {
                had.number == asked.part_number
                    && had
                        .etag
                        .eq_ignore_ascii_case(asked.etag.trim().trim_matches('"'))
            });
        if data.upload.as_deref() != Some(upload_id) || !same_parts {
            return Ok(None);
        }
        Ok(Some(super::object::info_of(bucket, key, &current)))
    }

    pub(super) fn find_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<UploadRecord> {
        self.bucket(bucket)?;
        crate::validate::object_key(key)?;
        let answers = self.read_all(Table::Uploads, &keys::upload(bucket, key, upload_id))?;
        match self.agreed(answers.into_iter().map(|(_, v)| v).collect()) {
            Some(v) => record::decode(&v),
            None => Err(Refusal::NoSuchUpload.into()),
        }
    }

    /// Parts of an upload after `marker`, as a read quorum agrees.
    async fn parts(
        &self,
        upload_id: &str,
        marker: u32,
        limit: usize,
    ) -> Result<(Vec<PartRecord>, Option<u32>)> {
        let id = upload_id.to_string();
        let merged = self
            .scan_merge(limit, move |m| {
                let prefix = keys::parts_of(&id);
                let mut items = Vec::new();
                m.scan(
                    Table::Parts,
                    &keys::part(&id, marker.saturating_add(1)),
                    |k, v| {
                        if !k.starts_with(&prefix) || items.len() > limit {
                            return Ok(Step::Stop);
                        }
                        let p: PartRecord = record::decode(v)?;
                        let rank = u128::from(p.mod_time_ns);
                        items.push(Item {
                            name: format!("{:05}", p.data.number),
                            sub: vec![],
                            rank,
                            value: Entry::Value(p),
                        });
                        Ok(Step::Next)
                    },
                )?;
                let truncated = items.len() > limit;
                items.truncate(limit);
                Ok(Page { items, truncated })
            })
            .await?;
        let next = merged.next.and_then(|(n, _)| n.parse().ok());
        let parts = merged.items.into_iter().filter_map(|i| match i.value {
            Entry::Value(p) => Some(p),
            Entry::Prefix => None,
        });
        Ok((parts.collect(), next))
    }

    /// The upload a completion names; `None` when it is gone (a retry of a completion that
    /// succeeded, its answer lost, then gets the same answer while its version is the key's
    /// current one: [`Inner::completed_by`]).
    pub(super) fn open_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<Option<UploadRecord>> {
        match self.find_upload(bucket, key, upload_id) {
            Ok(upload) => Ok(Some(upload)),
            Err(Error::Refused(Refusal::NoSuchUpload)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The stored parts a completion names, checked as S3 checks them.
    pub(super) async fn choose_parts(
        &self,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<Chosen> {
        let stored = self.all_parts(upload_id).await?;
        let mut chosen = Vec::with_capacity(parts.len());
        let mut md5s = Md5::new();
        for (i, want) in parts.iter().enumerate() {
            if i > 0 && want.part_number <= parts[i - 1].part_number {
                return Err(Refusal::InvalidPartOrder.into());
            }
            let etag = want.etag.trim().trim_matches('"');
            let Some(p) = stored.iter().find(|p| {
                p.data.number == want.part_number && p.data.etag.eq_ignore_ascii_case(etag)
            }) else {
                return Err(Refusal::InvalidPart(format!(
                    "part {} with ETag {etag:?} was not uploaded",
                    want.part_number
                ))
                .into());
            };
            md5s.update(
                decode_hex(&p.data.etag).ok_or_else(|| Error::corrupt("part ETag is not hex"))?,
            );
            chosen.push(p.clone());
        }
        // Sizes are checked once every named part is known to exist, as S3 does.
        if chosen
            .iter()
            .rev()
            .skip(1)
            .any(|p| p.data.object_size() < self.min_part_size)
        {
            return Err(Refusal::EntityTooSmall.into());
        }
        let size: u64 = chosen.iter().map(|p| p.data.object_size()).sum();
        if size > self.max_object_size {
            return Err(Refusal::EntityTooLarge {
                size,
                max: self.max_object_size,
            }
            .into());
        }
        Ok(Chosen {
            etag: format!("{}-{}", hex(&md5s.finalize()), chosen.len()),
            size,
            picked: chosen,
            stored,
        })
    }

    pub(super) async fn all_parts(&self, upload_id: &str) -> Result<Vec<PartRecord>> {
        self.parts(upload_id, 0, MAX_PART_NUMBER as usize)
            .await
            .map(|(p, _)| p)
    }
}

impl Store {
    /// Starts an upload; `opts` (metadata, class or tier, tags) apply to the completed
    /// object.
    pub async fn create_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        opts: UploadOptions,
    ) -> Result<String> {
        let inner = &self.inner;
        crate::validate::object_key(key)?;
        inner.check_lock_allowed(bucket, opts.lock.as_ref())?;
        // An upload to a tier writes its parts there; `class` is the namespace class, where
        // uploads of a strata before record version 10 staged them.
        let tier = opts
            .storage_class
            .as_deref()
            .and_then(|c| inner.tiers.get(c))
            .map(|t| t.name.clone());
        let class = match tier {
            Some(_) => inner.ns().name.clone(),
            None => inner.class(opts.storage_class.as_deref())?.name.clone(),
        };
        let upload_id = uuid::Uuid::new_v4().simple().to_string();
        let rec = UploadRecord {
            initiated_ns: now_ns(),
            class,
            meta: opts.meta,
            tags: opts.tags,
            checksums: opts.checksums,
            internal: opts.internal,
            access: opts.access,
            lock: opts.lock.filter(|l| !l.is_empty()),
            tier,
        };
        let op = MetaOp::Put {
            table: Table::Uploads,
            key: keys::upload(bucket, key, &upload_id),
            value: record::encode(&rec),
        };
        inner.commit_all(vec![op]).await?;
        Ok(upload_id)
    }

    /// Sets `set` in the `internal` map of upload `upload_id`, if every `expect` entry still
    /// holds there (checked under the key's lock, which completion and abort take too);
    /// returns whether it changed. An upload that is gone is `Ok(false)`.
    pub async fn set_upload_internal(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        expect: Vec<(String, String)>,
        set: Vec<(String, String)>,
    ) -> Result<bool> {
        let inner = &self.inner;
        let _g = inner.locks.lock(bucket, key).await;
        let mut upload = match inner.find_upload(bucket, key, upload_id) {
            Ok(upload) => upload,
            Err(Error::Refused(Refusal::NoSuchUpload)) => return Ok(false),
            Err(e) => return Err(e),
        };
        if !record::entries_hold(&upload.internal, &expect) {
            return Ok(false);
        }
        upload.internal.extend(set);
        let op = MetaOp::Put {
            table: Table::Uploads,
            key: keys::upload(bucket, key, upload_id),
            value: record::encode(&upload),
        };
        inner.commit_all(vec![op]).await?;
        Ok(true)
    }

    /// An upload in progress.
    pub async fn upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<UploadInfo> {
        let upload = self.inner.find_upload(bucket, key, upload_id)?;
        Ok(upload_info(key, upload_id, &upload))
    }

    /// Writes a part's shards into the upload's class (or its bytes to the upload's remote
    /// tier) without making them a part yet: [`Store::upload_part`] commits them.
    pub async fn stage_part<S, E>(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        body: S,
        expected_len: Option<u64>,
        etag: EtagBy,
    ) -> Result<StagedData, WriteError<E>>
    where
        S: Stream<Item = std::result::Result<bytes::Bytes, E>> + Send + Unpin,
    {
        let inner = &self.inner;
        let upload = inner.find_upload(bucket, key, upload_id)?;
        let how = Staging {
            inline_limit: 0,
            expected_len,
            etag,
        };
        if let Some(tier) = &upload.tier {
            let tier = inner.tiers.of_data(tier)?.clone();
            return inner.stage_remote(bucket, key, tier, body, how).await;
        }
        let set = inner.class(Some(&upload.class))?.clone();
        inner.stage(bucket, key, set, body, how).await
    }

    /// Commits staged data as part `part_number` of an upload; a part of the same number is
    /// replaced.
    pub async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        data: StagedData,
        opts: PartOptions,
    ) -> Result<PartInfo> {
        let inner = &self.inner;
        if !(1..=MAX_PART_NUMBER).contains(&part_number) {
            return Err(Error::argument(format!(
                "part number must be 1 to {MAX_PART_NUMBER}"
            )));
        }
        staged_for(&data, bucket, key)?;
        if data.is_inline() {
            // A part's record has no room for inline shards: its bytes would be lost.
            return Err(Error::argument(
                "data staged inline for an object cannot be a part (stage it with stage_part)",
            ));
        }
        let upload = inner.find_upload(bucket, key, upload_id)?;
        let held_in = upload.tier.as_deref().unwrap_or(&upload.class);
        if !data.class().eq_ignore_ascii_case(held_in) {
            return Err(Error::argument(format!(
                "data staged in class {} cannot be a part of an upload to {held_in}",
                data.class(),
            )));
        }
        let held = data
            .take()
            .ok_or_else(|| Error::argument("the staged data was already committed"))?;
        let (stored, md5, data_id, remote) = match &held {
            Held::Shards { written, .. } => (written.size, written.md5, written.data_id, None),
            Held::Remote(r) => (r.data.size, r.md5, None, Some(r.data.clone())),
        };
        let result = async {
            let (size, etag) = client_facts(opts.client, stored, md5)?;
            let part = PartRecord {
                mod_time_ns: now_ns(),
                data: PartData {
                    number: part_number,
                    size: stored,
                    etag,
                    checksums: opts.checksums,
                    data_id,
                    object_size: (size != stored).then_some(size),
                },
                remote,
            };
            let _g = inner.locks.lock(bucket, key).await;
            inner.find_upload(bucket, key, upload_id)?;
            let pkey = keys::part(upload_id, part_number);
            let old = inner.read_all(Table::Parts, &pkey)?;
            let mut ops = vec![MetaOp::Put {
                table: Table::Parts,
                key: pkey,
                value: record::encode(&part),
            }];
            if let Some(r) = &part.remote {
                let named = PartRef {
                    upload_id: upload_id.to_string(),
                    number: part_number,
                };
                ops.push(part_entry_op(r, bucket, key, named));
            }
            inner.commit_all(ops).await?;
            let replaced: Vec<PartRecord> = old
                .into_iter()
                .filter_map(|(_, v)| v)
                .filter_map(|v| record::decode(&v).ok())
                .collect();
            discard_parts(
                inner,
                &upload.class,
                replaced.iter().filter(|p| !same_bytes(p, &part)),
            );
            Ok(part_info(&part))
        }
        .await;
        match (held, result.is_ok()) {
            (Held::Remote(staged), true) => staged.keep(),
            (Held::Shards { set, written, .. }, false) => written.discard(&set),
            // An uncommitted remote part's object is queued for deletion as it drops.
            _ => {}
        }
        result
    }

    /// Lists the parts of an upload after `part_number_marker`.
    pub async fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number_marker: u32,
        max_parts: usize,
    ) -> Result<PartsPage> {
        let upload = self.inner.find_upload(bucket, key, upload_id)?;
        let limit = max_parts.clamp(1, MAX_LIST_KEYS);
        let (parts, next) = self
            .inner
            .parts(upload_id, part_number_marker, limit)
            .await?;
        Ok(PartsPage {
            upload: upload_info(key, upload_id, &upload),
            parts: parts.iter().map(part_info).collect(),
            is_truncated: next.is_some(),
            next_part_number_marker: next,
        })
    }

    /// Completes an upload from the named parts, in one commit. An upload to a remote tier
    /// first streams the parts to it (`FORMAT.md`, `UploadRecord.tier`).
    pub async fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: Vec<CompletedPart>,
        precondition: Option<WritePrecondition>,
    ) -> Result<ObjectInfo> {
        let promised = None;
        self.complete_multipart_upload_as(bucket, key, upload_id, parts, precondition, promised)
            .await
    }

    /// [`Store::complete_multipart_upload`] under a promised version id: a new version
    /// commits under it or not at all. A completion that had already committed (a retry)
    /// answers as before, under its own id.
    pub async fn complete_multipart_upload_as(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: Vec<CompletedPart>,
        precondition: Option<WritePrecondition>,
        promised: Option<PromisedVersion>,
    ) -> Result<ObjectInfo> {
        let inner = &self.inner;
        if parts.is_empty() {
            return Err(Invalid::Argument("a completion needs at least one part".into()).into());
        }
        let g = inner.locks.lock(bucket, key).await;
        let Some(upload) = inner.open_upload(bucket, key, upload_id)? else {
            return inner
                .completed_by(bucket, key, upload_id, &parts)?
                .ok_or_else(|| Refusal::NoSuchUpload.into());
        };
        let chosen = inner.choose_parts(upload_id, &parts).await?;
        if upload.tier.is_some() {
            // The key stays writable while the parts stream; the commit locks it again.
            drop(g);
            let to = Completion {
                bucket,
                key,
                upload_id,
                asked: &parts,
            };
            return inner
                .complete_to_tier(to, upload, chosen, precondition, promised)
                .await;
        }
        let set = inner.class(Some(&upload.class))?.clone();
        let data = DataRecord {
            upload: Some(upload_id.to_string()),
            ..data_record(
                &set,
                rotation_for(key.as_bytes(), set.layout.total()),
                chosen.parts(),
            )
        };
        let rec = completed_version(&upload, &chosen, data);
        let extra = forget_upload(bucket, key, upload_id);
        let to = CommitTo {
            bucket,
            key,
            promised,
        };
        let info = inner
            .commit_version_as(to, rec, None, precondition.as_ref(), extra)
            .await?;
        discard_parts(
            inner,
            &upload.class,
            chosen
                .stored
                .iter()
                .filter(|p| !chosen.picked.iter().any(|c| same_bytes(c, p))),
        );
        Ok(info)
    }

    /// Abandons an upload and removes its parts.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<()> {
        let inner = &self.inner;
        let _g = inner.locks.lock(bucket, key).await;
        let upload = inner.find_upload(bucket, key, upload_id)?;
        let stored = inner.all_parts(upload_id).await?;
        // A completion a crash cut short may already use these parts' files (on any volume:
        // until a heal settles it, its data is not garbage).
        let used = inner.data_of_key(bucket, key, 1)?;
        inner
            .commit_all(forget_upload(bucket, key, upload_id))
            .await?;
        let unused = stored
            .iter()
            .filter(|p| p.data.data_id.is_none_or(|id| !used.contains(&id)));
        discard_parts(inner, &upload.class, unused);
        Ok(())
    }

    /// Lists uploads in progress by key, then creation.
    pub async fn list_multipart_uploads(
        &self,
        bucket: &str,
        opts: ListUploadsOptions,
    ) -> Result<UploadsPage> {
        self.inner.bucket(bucket)?;
        let limit = opts.max_uploads.min(MAX_LIST_KEYS);
        if limit == 0 {
            return Ok(UploadsPage::default());
        }
        let b = bucket.to_string();
        let merged = self
            .inner
            .scan_merge(limit, move |m| {
                let base = keys::join(&b, b"");
                let full_prefix = keys::join(&b, opts.prefix.as_bytes());
                let start = match (&opts.key_marker, &opts.upload_id_marker) {
                    (Some(k), Some(u))
                        if common_prefix(&opts.prefix, opts.delimiter.as_deref(), k).is_none() =>
                    {
                        let mut s = keys::upload(&b, k, u);
                        s.push(0);
                        s
                    }
                    (Some(k), _)
                        if common_prefix(&opts.prefix, opts.delimiter.as_deref(), k).is_none() =>
                    {
                        keys::after_prefix(&keys::versions_of(&b, k))
                    }
                    _ => super::list::scan_start(
                        &b,
                        &opts.prefix,
                        opts.delimiter.as_deref(),
                        opts.key_marker.as_deref(),
                    ),
                };
                let mut items = Vec::new();
                m.scan(Table::Uploads, &start, |k, v| {
                    if !k.starts_with(&full_prefix) || items.len() > limit {
                        return Ok(Step::Stop);
                    }
                    let rest = &k[base.len()..];
                    let Some(sep) = rest.iter().rposition(|c| *c == keys::SEP) else {
                        return Ok(Step::Next);
                    };
                    let (Ok(name), Ok(id)) = (
                        std::str::from_utf8(&rest[..sep]),
                        std::str::from_utf8(&rest[sep + 1..]),
                    ) else {
                        return Ok(Step::Next);
                    };
                    if let Some(cp) = common_prefix(&opts.prefix, opts.delimiter.as_deref(), name) {
                        items.push(Item {
                            name: cp.to_string(),
                            sub: vec![],
                            rank: 0,
                            value: Entry::Prefix,
                        });
                        return Ok(Step::Seek(keys::after_prefix(&keys::join(
                            &b,
                            cp.as_bytes(),
                        ))));
                    }
                    let r: UploadRecord = record::decode(v)?;
                    items.push(Item {
                        name: name.to_string(),
                        sub: id.as_bytes().to_vec(),
                        rank: 0,
                        value: Entry::Value(upload_info(name, id, &r)),
                    });
                    Ok(Step::Next)
                })?;
                let truncated = items.len() > limit;
                items.truncate(limit);
                Ok(Page { items, truncated })
            })
            .await?;
        let mut page = UploadsPage {
            is_truncated: merged.next.is_some(),
            ..Default::default()
        };
        if let Some((name, sub)) = merged.next {
            page.next_upload_id_marker =
                (!sub.is_empty()).then(|| String::from_utf8_lossy(&sub).into_owned());
            page.next_key_marker = Some(name);
        }
        for item in merged.items {
            match item.value {
                Entry::Prefix => page.common_prefixes.push(item.name),
                // A completion that reached a read quorum but not every volume left the
                // upload on the others: it is done (a GET reads the object), not listed.
                Entry::Value(u) if self.inner.upload_completed(bucket, &u.key, &u.upload_id)? => {}
                Entry::Value(u) => page.uploads.push(u),
            }
        }
        Ok(page)
    }
}

/// The ops that remove an upload and its parts (not their shard files).
pub(super) fn forget_upload(bucket: &str, key: &str, upload_id: &str) -> Vec<MetaOp> {
    vec![
        MetaOp::Delete {
            table: Table::Uploads,
            key: keys::upload(bucket, key, upload_id),
        },
        MetaOp::DeletePrefix {
            table: Table::Parts,
            prefix: keys::parts_of(upload_id),
        },
    ]
}

/// The parts a completion names, as stored.
pub(super) struct Chosen {
    /// Every part of the upload.
    pub(super) stored: Vec<PartRecord>,
    /// The named ones, in order.
    pub(super) picked: Vec<PartRecord>,
    /// The completed object's ETag.
    pub(super) etag: String,
    /// The completed object's size, as the client sent it.
    pub(super) size: u64,
}

impl Chosen {
    /// The named parts' data, in order.
    pub(super) fn parts(&self) -> Vec<PartData> {
        self.picked.iter().map(|p| p.data.clone()).collect()
    }
}

/// What a completion asks for.
pub(super) struct Completion<'a> {
    pub(super) bucket: &'a str,
    pub(super) key: &'a str,
    pub(super) upload_id: &'a str,
    pub(super) asked: &'a [CompletedPart],
}

/// The version a completion of `upload` from `chosen` makes, holding `data`.
pub(super) fn completed_version(
    upload: &UploadRecord,
    chosen: &Chosen,
    data: DataRecord,
) -> VersionRecord {
    let opts = PutOptions {
        meta: upload.meta.clone(),
        tags: upload.tags.clone(),
        checksums: upload.checksums.clone(),
        internal: upload.internal.clone(),
        access: upload.access.clone(),
        lock: upload.lock.clone(),
        ..PutOptions::default()
    };
    new_version(chosen.size, chosen.etag.clone(), opts, data)
}

/// Unreferences the shard files of `parts` (in `class`) and queues their remote objects for
/// deletion: nothing names them any more.
pub(super) fn discard_parts<'a>(
    inner: &Inner,
    class: &str,
    parts: impl Iterator<Item = &'a PartRecord>,
) {
    let parts: Vec<&PartRecord> = parts.collect();
    let files = parts
        .iter()
        .filter_map(|p| Some((p.data.data_id?, p.data.size)));
    inner.discard(class, files.collect());
    inner.forget_remote_ids(parts.iter().filter_map(|p| Some(p.remote.as_ref()?.id)));
}

/// Whether two records of a part hold the same bytes (the same shard files or remote object).
pub(super) fn same_bytes(a: &PartRecord, b: &PartRecord) -> bool {
    a.data.data_id == b.data.data_id
        && a.remote.as_ref().map(|r| r.id) == b.remote.as_ref().map(|r| r.id)
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
