//! Healing one version: every namespace volume gets the record a quorum agrees on (with its
//! own inline shard; a copy that missed an in-place change such as new tags is replaced),
//! strays of a version no quorum holds are removed, and every slot of the data's class gets
//! an intact shard file, rebuilt from the others where it is not.

use bytes::Bytes;

use super::resolve::read_version;
use super::{Inner, Store};
use crate::disk::meta_db::MetaOp;
use crate::disk::volume::shard_block_intact;
use crate::erasure::codec::Codec;
use crate::erasure::layout::{shard_for_slot, Layout, HASH_LEN};
use crate::error::{Error, Result};
use crate::object::rebuild::{Depth, PartShards, Rebuilt};
use crate::record::{self, VersionRecord};
use crate::types::HealReport;

impl Store {
    /// Heals one version of `key` (`version_id` as S3 shows it, `null` for the null version):
    /// brings its metadata records and shard files back to full redundancy on every online
    /// volume. `deep` also reads every shard block to check its hash.
    pub async fn heal_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        deep: bool,
    ) -> Result<HealReport> {
        let vid = record::parse_version(version_id)
            .ok_or_else(|| Error::argument(format!("invalid version id {version_id:?}")))?;
        let depth = if deep { Depth::Deep } else { Depth::Cheap };
        Ok(self.inner.heal_version(bucket, key, vid, depth).await?.0)
    }
}

impl Inner {
    /// See [`Store::heal_object`]; also returns the version's record when a quorum holds it.
    /// Holds the key's lock, so no commit to the key runs meanwhile and what is found is what
    /// is healed.
    pub(super) async fn heal_version(
        &self,
        bucket: &str,
        key: &str,
        vid: [u8; 16],
        depth: Depth,
    ) -> Result<(HealReport, Option<VersionRecord>)> {
        let _g = self.locks.lock(bucket, key).await;
        let ns = self.ns();
        let mut held: Vec<(usize, Option<VersionRecord>)> = Vec::new();
        for (slot, v) in ns.online() {
            let got = v
                .meta()
                .and_then(|m| read_version(&m.snapshot()?, bucket, key, Some(vid)));
            match got {
                Ok((rec, _)) => held.push((slot, rec)),
                Err(e) => tracing::warn!(error = %e, slot, "heal: metadata read failed"),
            }
        }
        let mut report = HealReport {
            incomplete: ns.online_count() < ns.width(),
            ..HealReport::default()
        };
        let Some(agreed) = self.resolve(bucket, key, Some(vid))? else {
            // No quorum holds it: copies on a minority are a write that was never
            // acknowledged (or a delete that was), and go. Their shard files, if any, are
            // garbage for the scanner's sweep.
            for (slot, _) in held.iter().filter(|(_, r)| r.is_some()) {
                let op = MetaOp::DeleteVersion {
                    bucket: bucket.into(),
                    key: key.into(),
                    version_id: vid,
                };
                self.commit_on(*slot, vec![op]).await?;
                report.records_removed += 1;
            }
            return Ok((report, None));
        };
        let record = agreed.record;
        let inline = match &agreed.inline {
            Some(shards) => Some(self.inline_shards(&record, shards)?),
            None => None,
        };
        for (slot, rec) in &held {
            let own_inline = rec
                .as_ref()
                .and_then(|r| r.data.as_ref()?.inline.as_deref());
            let expected = inline.as_ref().and_then(|all| all[*slot].as_deref());
            let intact = rec.as_ref().is_some_and(|r| r.same_content(&record))
                && (inline.is_none() || own_inline == expected);
            if intact {
                continue;
            }
            let mut fixed = record.clone();
            if let (Some(d), Some(all)) = (fixed.data.as_mut(), inline.as_ref()) {
                d.inline = all[*slot].clone();
            }
            let op = MetaOp::PutVersion {
                bucket: bucket.into(),
                key: key.into(),
                record: Box::new(fixed),
                replace_null: vid == [0; 16],
            };
            self.commit_on(*slot, vec![op]).await?;
            report.records_written += 1;
        }
        if inline.is_none() {
            let data = self.heal_data(&record, depth).await?;
            report.shard_files += data.0.files;
            report.bytes += data.0.bytes;
            report.incomplete |= data.1;
        }
        Ok((report, Some(record)))
    }

    /// Every namespace slot's inline shard (hash + bytes), decoded from the intact ones. The
    /// shards of a class with fewer volumes than the namespace (an empty object stored
    /// there) sit on the first namespace slots; the others hold none.
    fn inline_shards(
        &self,
        record: &VersionRecord,
        by_slot: &[Option<Bytes>],
    ) -> Result<Vec<Option<Vec<u8>>>> {
        let d = record
            .data
            .as_ref()
            .ok_or_else(|| Error::corrupt("inline object without data"))?;
        let layout = Layout::new(usize::from(d.k), usize::from(d.m));
        let (n, rotation) = (layout.total(), usize::from(d.rotation));
        let mut shards: Vec<Option<Bytes>> = vec![None; n];
        for (slot, b) in by_slot.iter().enumerate().take(n) {
            if let Some(b) = b.as_ref().filter(|b| shard_block_intact(b)) {
                shards[shard_for_slot(slot, rotation, n)] = Some(b.slice(HASH_LEN..));
            }
        }
        let size = d.parts.first().map_or(0, |p| p.size) as usize;
        let mut codec = Codec::new(layout);
        let block = codec.decode(&shards, size)?;
        let encoded = codec.encode(&block)?;
        Ok((0..by_slot.len())
            .map(|slot| {
                let s = encoded
                    .get(shard_for_slot(slot, rotation, n))
                    .filter(|_| slot < n)?;
                let mut v = Vec::with_capacity(s.hash.len() + s.data.len());
                v.extend_from_slice(&s.hash);
                v.extend_from_slice(&s.data);
                Some(v)
            })
            .collect())
    }

    /// Checks every part's shard files (or a remote version's restored copy's, while it
    /// serves reads) at `depth` and rebuilds the bad ones; also says whether slots of the
    /// class are offline (their shards wait).
    async fn heal_data(&self, record: &VersionRecord, depth: Depth) -> Result<(Rebuilt, bool)> {
        let Some(d) = record.data.as_ref() else {
            return Ok((Rebuilt::default(), false));
        };
        let (class, shape, rotation, parts) = match (&d.remote, &d.restored) {
            (None, _) => {
                let parts = d.parts.iter().filter_map(|p| Some((p.data_id?, p.size)));
                (
                    &d.class,
                    (d.k, d.m, d.block_size),
                    d.rotation,
                    parts.collect::<Vec<_>>(),
                )
            }
            (Some(_), Some(c)) if c.serves_reads() => (
                &c.class,
                (c.k, c.m, c.block_size),
                c.rotation,
                vec![(c.data_id, c.size)],
            ),
            // No shards here: a remote object is its tier's to keep.
            (Some(_), _) => return Ok((Rebuilt::default(), false)),
        };
        let set = self.class(Some(class))?.clone();
        let layout = Layout {
            data: usize::from(shape.0),
            parity: usize::from(shape.1),
            block_size: shape.2,
        };
        let rotation = usize::from(rotation);
        let offline = set.online_count() < set.width();
        tokio::task::spawn_blocking(move || {
            let mut total = Rebuilt::default();
            for (data_id, size) in parts {
                let part = PartShards {
                    set: &set,
                    layout,
                    rotation,
                    data_id,
                    size,
                };
                let bad = part.bad_slots(depth);
                if !bad.is_empty() {
                    let r = part.rebuild(&bad)?;
                    total.files += r.files;
                    total.bytes += r.bytes;
                }
            }
            Ok((total, offline))
        })
        .await
        .map_err(|e| Error::internal(format!("shard rebuild: {e}")))?
    }

    /// Commits `ops` on one namespace volume only (a repair of that volume's copy).
    pub(super) async fn commit_on(&self, slot: usize, ops: Vec<MetaOp>) -> Result<()> {
        let v = self
            .ns()
            .volume(slot)
            .ok_or_else(|| Error::internal("volume went offline"))?;
        v.meta()?.commit(ops).await.map(|_| ())
    }
}
