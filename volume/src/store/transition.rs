//! Moving one version's data into another storage class (a lifecycle transition). Its stored
//! bytes are written into the target class part by part (each part keeps its number, size,
//! ETag and checksums, so part reads and a caller's per-part encryption stay valid), then,
//! under the key's lock and only if the version still has the data that was read, its data
//! is switched in one commit, then the old shards are queued for removal. A crash before the
//! commit leaves the new shards unreferenced, one after it the old ones: either way the
//! version reads from exactly one place, and the scanner's sweep removes what is left over.

use super::object::data_record;
use super::Store;
use crate::disk::meta_db::MetaOp;
use crate::erasure::layout::rotation_for;
use crate::error::{Error, Result, WriteError};
use crate::object::write::{write_body, Written};
use crate::record::{self, DataRecord, PartData};

/// What a transition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transitioned {
    /// The version's data is now in the target class.
    Moved,
    /// It was there already.
    AlreadyThere,
    /// It holds no bytes: nothing to move.
    Empty,
    /// It was replaced, removed or moved while its bytes were copied: nothing changed.
    Changed,
}

impl Store {
    /// Moves the data of `version_id` of `bucket/key` into `class`.
    pub async fn transition_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        class: &str,
    ) -> Result<Transitioned> {
        let inner = &self.inner;
        let target = inner.class(Some(class))?.clone();
        let id = record::parse_version(version_id)
            .ok_or_else(|| Error::argument(format!("invalid version id {version_id:?}")))?;
        let before = inner.resolve_object(bucket, key, Some(version_id))?.record;
        let Some(old) = before.data.filter(|_| !before.delete_marker) else {
            return Err(Error::argument("a delete marker has no data to move"));
        };
        if old.remote.is_some() {
            return Err(Error::argument(
                "a version on a remote tier does not move back to a local class",
            ));
        }
        if old.class == target.name {
            return Ok(Transitioned::AlreadyThere);
        }
        if old.parts.iter().all(|p| p.size == 0) {
            return Ok(Transitioned::Empty);
        }
        let obj = self.open_object(bucket, key, Some(version_id)).await?;
        let rotation = rotation_for(key.as_bytes(), target.layout.total());
        let mut written: Vec<Written> = Vec::with_capacity(old.parts.len());
        let mut parts: Vec<PartData> = Vec::with_capacity(old.parts.len());
        let mut start = 0;
        let copied: Result<()> = async {
            let _writing = inner.reclaim.writing();
            for p in &old.parts {
                let body = obj.read_span(start..start + p.size)?;
                start += p.size;
                let w = write_body(&target, None, body, rotation, 0, Some(p.size))
                    .await
                    .map_err(|e| match e {
                        WriteError::Body(e) | WriteError::Store(e) => e,
                    })?;
                parts.push(PartData {
                    data_id: w.data_id,
                    ..p.clone()
                });
                written.push(w);
            }
            Ok(())
        }
        .await;
        let discard_new = |written: &[Written]| written.iter().for_each(|w| w.discard(&target));
        if let Err(e) = copied {
            discard_new(&written);
            return Err(e);
        }
        let new = DataRecord {
            upload: old.upload.clone(),
            ..data_record(&target, rotation, parts)
        };
        let _g = inner.locks.lock(bucket, key).await;
        let now = inner.resolve_object(bucket, key, Some(version_id));
        let unchanged = now.as_ref().is_ok_and(|r| {
            r.record.data.as_ref().is_some_and(|d| same_place(d, &old))
                && r.record.mod_time_ns == before.mod_time_ns
        });
        if !unchanged {
            discard_new(&written);
            return Ok(Transitioned::Changed);
        }
        let op = MetaOp::SetData {
            bucket: bucket.into(),
            key: key.into(),
            version_id: id,
            expect_class: old.class.clone(),
            expect_ids: old.parts.iter().map(|p| p.data_id).collect(),
            data: Box::new(new),
        };
        match inner.commit_all(vec![op]).await {
            Ok(_) => {
                let files = old.parts.iter().filter_map(|p| Some((p.data_id?, p.size)));
                inner.discard(&old.class, files.collect());
                Ok(Transitioned::Moved)
            }
            Err(e) => {
                discard_new(&written);
                Err(e)
            }
        }
    }
}

/// Whether two data records are in the same class with the same shard files.
fn same_place(a: &DataRecord, b: &DataRecord) -> bool {
    a.class == b.class
        && a.parts.len() == b.parts.len()
        && a.parts
            .iter()
            .zip(&b.parts)
            .all(|(x, y)| x.data_id == y.data_id)
}
