//! Reading an object back: per block, k shards that pass their hash (data shards first,
//! parity when one is missing or corrupt), decoded, and only the requested bytes sent on.

use std::fs::File;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::body::ObjectBody;
use crate::disk::volume::{check_shard_block, read_shard_block, ShardReadError};
use crate::erasure::codec::Codec;
use crate::erasure::layout::{slot_for_shard, Layout};
use crate::error::{Error, Result, Unavailable};
use crate::heal::HealQueue;
use crate::record::PartData;
use crate::set::ErasureSet;
use crate::types::{HealEvent, ShardProblem};

/// Who is being read, for heal reports.
#[derive(Clone)]
pub struct ReadContext {
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Version id text.
    pub version_id: String,
    /// Where to report.
    pub heal: Arc<HealQueue>,
}

/// Everything a read needs, owned so it can move to a thread.
pub struct ReadPlan {
    /// The class holding the data.
    pub set: Arc<ErasureSet>,
    /// Shard shape of the object.
    pub layout: Layout,
    /// Slot rotation.
    pub rotation: usize,
    /// Parts in order.
    pub parts: Vec<PartData>,
    /// Inline shards by slot (hash + bytes), for inline objects.
    pub inline: Option<Vec<Option<Bytes>>>,
    /// Object bytes to read.
    pub range: Range<u64>,
    /// For heal reports.
    pub ctx: ReadContext,
}

/// Starts the read. Inline objects are decoded at once; others stream from a thread.
pub fn start(plan: ReadPlan) -> Result<ObjectBody> {
    if plan.range.is_empty() {
        return Ok(ObjectBody::ready(Bytes::new()));
    }
    if plan.inline.is_some() {
        let mut reader = Reader::new(&plan);
        let block = reader.inline_block(&plan)?;
        let r = plan.range.start as usize..(plan.range.end as usize).min(block.len());
        return Ok(ObjectBody::ready(block.slice(r)));
    }
    let (tx, rx) = mpsc::channel(2);
    tokio::task::spawn_blocking(move || {
        let mut reader = Reader::new(&plan);
        if let Err(e) = reader.stream(&plan, &tx) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    Ok(ObjectBody::channel(rx))
}

struct Reader {
    codec: Codec,
    reported: Vec<bool>,
}

impl Reader {
    fn new(plan: &ReadPlan) -> Self {
        Reader {
            codec: Codec::new(plan.layout),
            reported: vec![false; plan.layout.total()],
        }
    }

    fn report(&mut self, plan: &ReadPlan, slot: usize, problem: ShardProblem) {
        let first_of_read = !self.reported.contains(&true);
        if std::mem::replace(&mut self.reported[slot], true) {
            return;
        }
        let volume = plan
            .set
            .volume(slot)
            .map(|v| v.root.clone())
            .unwrap_or_else(|| PathBuf::from(format!("<slot {slot} offline>")));
        plan.ctx.heal.push(
            HealEvent {
                bucket: plan.ctx.bucket.clone(),
                key: plan.ctx.key.clone(),
                version_id: plan.ctx.version_id.clone(),
                class: plan.set.name.clone(),
                volume,
                problem,
            },
            first_of_read,
        );
    }

    fn inline_block(&mut self, plan: &ReadPlan) -> Result<Bytes> {
        let size = plan.parts.first().map_or(0, |p| p.size);
        let n = plan.layout.total();
        let empty = Vec::new();
        let inline = plan.inline.as_ref().unwrap_or(&empty);
        let fetch = |slot: usize| match inline.get(slot).cloned().flatten() {
            Some(b) => check_shard_block(b),
            None => Err(ShardReadError::Missing),
        };
        self.gather(plan, size as usize, n, fetch)
    }

    /// Collects k good shards (data first) with `fetch(slot)` and decodes the block.
    fn gather(
        &mut self,
        plan: &ReadPlan,
        block_len: usize,
        n: usize,
        mut fetch: impl FnMut(usize) -> std::result::Result<Bytes, ShardReadError>,
    ) -> Result<Bytes> {
        let k = plan.layout.data;
        let mut shards: Vec<Option<Bytes>> = vec![None; n];
        let mut good = 0;
        for (shard, out) in shards.iter_mut().enumerate() {
            if good == k {
                break;
            }
            let slot = slot_for_shard(shard, plan.rotation, n);
            match fetch(slot) {
                Ok(b) => {
                    *out = Some(b);
                    good += 1;
                }
                Err(ShardReadError::Missing) => self.report(plan, slot, ShardProblem::Missing),
                Err(ShardReadError::Corrupt) => self.report(plan, slot, ShardProblem::Corrupt),
                Err(ShardReadError::Failed) => {
                    plan.set.io_failed(slot);
                    self.report(plan, slot, ShardProblem::Missing)
                }
            }
        }
        if good < k {
            return Err(Unavailable::ReadQuorum {
                class: plan.set.name.clone(),
                available: good,
                needed: k,
            }
            .into());
        }
        self.codec.decode(&shards, block_len)
    }

    fn stream(&mut self, plan: &ReadPlan, tx: &mpsc::Sender<Result<Bytes>>) -> Result<()> {
        let layout = plan.layout;
        let n = layout.total();
        let mut part_start = 0u64;
        for part in &plan.parts {
            let part_end = part_start + part.size;
            let lo = plan.range.start.max(part_start);
            let hi = plan.range.end.min(part_end);
            if lo < hi {
                let local = lo - part_start..hi - part_start;
                let data_id = part
                    .data_id
                    .ok_or_else(|| Error::corrupt("part without data"))?;
                let files: Vec<Option<File>> = (0..n)
                    .map(|slot| {
                        let v = plan.set.volume(slot)?;
                        match File::open(v.shard_path(&data_id)) {
                            Ok(f) => Some(f),
                            Err(e) => {
                                // A missing file is a shard to heal; any other error may
                                // be the whole volume failing.
                                if e.kind() != std::io::ErrorKind::NotFound {
                                    plan.set.io_failed(slot);
                                }
                                None
                            }
                        }
                    })
                    .collect();
                for b in layout.blocks_for(&local) {
                    let block_len = layout.block_len(part.size, b);
                    let sl = layout.shard_len(block_len);
                    let off = layout.shard_offset(b);
                    let block =
                        self.gather(plan, block_len as usize, n, |slot| match &files[slot] {
                            Some(f) => read_shard_block(f, off, sl),
                            None => Err(ShardReadError::Missing),
                        })?;
                    let bstart = b * layout.block_size;
                    let from = (local.start.max(bstart) - bstart) as usize;
                    let to = (local.end.min(bstart + block_len) - bstart) as usize;
                    if tx.blocking_send(Ok(block.slice(from..to))).is_err() {
                        return Ok(()); // the client went away
                    }
                }
            }
            part_start = part_end;
        }
        Ok(())
    }
}
