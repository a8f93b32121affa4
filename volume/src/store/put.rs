//! Writing objects: stage the bytes, then commit them as a version.

use std::sync::Arc;

use bytes::Bytes;
use futures::Stream;

use super::object::{data_record, hex, CommitTo};
use super::staged::{Held, StagedData};
use super::{Inner, Store};
use crate::erasure::layout::rotation_for;
use crate::error::{Error, Invalid, Result, WriteError};
use crate::object::write::write_body;
use crate::record::{DataRecord, PartData, VersionRecord};
use crate::set::ErasureSet;
use crate::types::*;

impl Store {
    /// Writes a body's shards into `class` (`None`: the namespace class) for `key`, durably on
    /// a write quorum, without making them visible: [`Store::put_object`] commits them.
    /// `expected_len` is the announced length of the stored bytes; another length fails.
    /// With [`EtagBy::Caller`], the commit must bring the ETag ([`PutOptions::client`]).
    pub async fn stage_object<S, E>(
        &self,
        bucket: &str,
        key: &str,
        class: Option<&str>,
        body: S,
        expected_len: Option<u64>,
        etag: EtagBy,
    ) -> Result<StagedData, WriteError<E>>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + Unpin,
    {
        let inner = &self.inner;
        crate::validate::object_key(key)?;
        inner.bucket(bucket)?;
        if let Some(tier) = class.and_then(|c| inner.tiers.get(c)) {
            let how = Staging {
                inline_limit: 0,
                expected_len,
                etag,
            };
            return inner
                .stage_remote(bucket, key, tier.clone(), body, how)
                .await;
        }
        let set = inner.class(class)?.clone();
        let inline_limit = if Arc::ptr_eq(&set, inner.ns()) {
            inner.inline_limit
        } else {
            0
        };
        let how = Staging {
            inline_limit,
            expected_len,
            etag,
        };
        inner.stage(bucket, key, set, body, how).await
    }

    /// Commits staged data as the new version of `key` (or its null version).
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        data: StagedData,
        mut opts: PutOptions,
    ) -> Result<ObjectInfo> {
        let inner = &self.inner;
        staged_for(&data, bucket, key)?;
        let (set, rotation, written) = match data.take() {
            Some(Held::Shards {
                set,
                rotation,
                written,
            }) => (set, rotation, written),
            Some(Held::Remote(remote)) => return inner.put_remote(bucket, key, remote, opts).await,
            None => return Err(Error::argument("staged data was already committed")),
        };
        let result = async {
            inner.check_lock_allowed(bucket, opts.lock.as_ref())?;
            let (size, etag) = client_facts(opts.client.take(), written.size, written.md5)?;
            let part = PartData {
                number: 1,
                size: written.size,
                etag: etag.clone(),
                checksums: opts.checksums.clone(),
                data_id: written.data_id,
                object_size: (size != written.size).then_some(size),
            };
            let precondition = opts.precondition.take();
            let to = CommitTo {
                bucket,
                key,
                promised: opts.promised.take(),
            };
            let rec = new_version(size, etag, opts, data_record(&set, rotation, vec![part]));
            inner
                .commit_version(to, rec, written.inline.clone(), precondition.as_ref())
                .await
        }
        .await;
        if result.is_err() {
            written.discard(&set);
        }
        result
    }
}

/// A version of `size` client bytes with ETag `etag` and data `data`, as `opts` describe it
/// (its id and time are the commit's).
pub(super) fn new_version(
    size: u64,
    etag: String,
    opts: PutOptions,
    data: DataRecord,
) -> VersionRecord {
    VersionRecord {
        version_id: [0; 16],
        mod_time_ns: 0,
        delete_marker: false,
        size,
        etag,
        meta: opts.meta,
        tags: opts.tags,
        checksums: opts.checksums,
        internal: opts.internal,
        data: Some(data),
        access: opts.access,
        lock: opts.lock.filter(|l| !l.is_empty()),
    }
}

/// How a body is staged besides where.
pub(super) struct Staging {
    /// Bodies up to this size may stay in the index (0: none).
    pub inline_limit: usize,
    /// The announced length; another length fails.
    pub expected_len: Option<u64>,
    /// Whether the store hashes the body for its ETag.
    pub etag: EtagBy,
}

impl Inner {
    /// Writes a body into `set` with the key's rotation.
    pub(super) async fn stage<S, E>(
        &self,
        bucket: &str,
        key: &str,
        set: Arc<ErasureSet>,
        body: S,
        how: Staging,
    ) -> Result<StagedData, WriteError<E>>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + Unpin,
    {
        let rotation = rotation_for(key.as_bytes(), set.layout.total());
        let md5 = (how.etag == EtagBy::Store).then_some(&self.md5);
        let _writing = self.reclaim.writing();
        let written = write_body(
            &set,
            md5,
            body,
            rotation,
            how.inline_limit,
            how.expected_len,
        )
        .await?;
        if let Some(expected) = how.expected_len.filter(|e| *e != written.size) {
            written.discard(&set);
            return Err(Error::from(Invalid::BodyLength {
                expected,
                got: written.size,
            })
            .into());
        }
        Ok(StagedData::new(bucket, key, set, rotation, written))
    }
}

/// Size and ETag for the client: given by the caller when its transform stored other bytes,
/// else the stored bytes' own.
pub(super) fn client_facts(
    client: Option<ClientView>,
    stored_size: u64,
    md5: Option<[u8; 16]>,
) -> Result<(u64, String)> {
    match (client, md5) {
        (Some(c), _) => Ok((c.size, c.etag)),
        (None, Some(md5)) => Ok((stored_size, hex(&md5))),
        (None, None) => Err(Error::argument(
            "data staged without its MD5 needs the caller's ETag to commit",
        )),
    }
}

/// Staged data commits only where it was staged for (its rotation and class were chosen for
/// that key).
pub(super) fn staged_for(data: &StagedData, bucket: &str, key: &str) -> Result<()> {
    if data.bucket == bucket && data.key == key {
        Ok(())
    } else {
        Err(Error::argument(format!(
            "data staged for {}/{} cannot be committed as {bucket}/{key}",
            data.bucket, data.key
        )))
    }
}
