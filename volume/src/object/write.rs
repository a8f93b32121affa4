//! Writing a body as erasure-coded shards: small bodies are encoded in place (inline or one
//! block per file); large ones flow through a pipeline of threads so that reading the body,
//! MD5, encoding and each volume's writes overlap. Memory stays at a few blocks.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use md5::{Digest, Md5};
use tokio::sync::mpsc;

use crate::disk::shard_writer::ShardWriter;
use crate::disk::volume::Volume;
use crate::erasure::codec::{Codec, ShardBlock};
use crate::erasure::layout::shard_for_slot;
use crate::error::{Error, Invalid, Result, Unavailable, WriteError};
use crate::etag::Md5Service;
use crate::set::ErasureSet;

/// Blocks in flight between stages.
const PIPELINE_DEPTH: usize = 2;

/// Where a written body ended up.
pub struct Written {
    /// Bytes received.
    pub size: u64,
    /// MD5 of the bytes, unless the caller makes the ETag.
    pub md5: Option<[u8; 16]>,
    /// Shard file id, when the data went to files.
    pub data_id: Option<[u8; 16]>,
    /// Per slot, that slot's shard (hash + bytes), when the data is inline.
    pub inline: Option<Vec<Vec<u8>>>,
}

impl Written {
    /// Removes the shard files again (after a failed commit).
    pub fn discard(&self, set: &ErasureSet) {
        if let Some(id) = &self.data_id {
            for (_, v) in set.online() {
                v.remove_shard(id);
            }
        }
    }
}

/// Cuts a body stream into blocks of exactly `limit` bytes (the last may be shorter).
struct BlockReader<S> {
    body: S,
    /// Bytes of the last chunk that did not fit in the previous block.
    carry: Bytes,
    total: u64,
    expected: Option<u64>,
}

impl<S, E> BlockReader<S>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
{
    /// Reads the next block of `limit` bytes (shorter only at the end of the stream);
    /// returns it and whether the stream ended. A chunk that holds a whole block is passed
    /// on without copying.
    async fn next_block(&mut self, limit: usize) -> Result<(Bytes, bool), WriteError<E>> {
        let mut buf = BytesMut::new();
        loop {
            if buf.is_empty() && self.carry.len() >= limit {
                return Ok((self.carry.split_to(limit), false));
            }
            if !self.carry.is_empty() {
                if buf.capacity() == 0 {
                    buf.reserve(self.expected.map_or(limit, |e| (e as usize).min(limit)));
                }
                let take = (limit - buf.len()).min(self.carry.len());
                buf.extend_from_slice(&self.carry.split_to(take));
            }
            if buf.len() == limit {
                return Ok((buf.freeze(), false));
            }
            match self.body.next().await {
                None => return Ok((buf.freeze(), true)),
                Some(Err(e)) => return Err(WriteError::Body(e)),
                Some(Ok(chunk)) => {
                    self.total += chunk.len() as u64;
                    if let Some(exp) = self.expected.filter(|e| self.total > *e) {
                        return Err(Error::from(Invalid::BodyLength {
                            expected: exp,
                            got: self.total,
                        })
                        .into());
                    }
                    self.carry = chunk;
                }
            }
        }
    }
}

/// Writes a body into `set`, its MD5 taken by `md5` (none: not hashed). `inline_limit` > 0
/// allows keeping small bodies in the index. A failure of the body itself comes back unchanged as
/// [`WriteError::Body`]; nothing written stays behind on any failure.
pub async fn write_body<S, E>(
    set: &Arc<ErasureSet>,
    md5: Option<&Md5Service>,
    body: S,
    rotation: usize,
    inline_limit: usize,
    expected: Option<u64>,
) -> Result<Written, WriteError<E>>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
{
    if set.online_count() < set.write_quorum() {
        return Err(Error::from(Unavailable::WriteQuorum {
            class: set.name.clone(),
            succeeded: set.online_count(),
            needed: set.write_quorum(),
        })
        .into());
    }
    // Volumes short of room (the announced body's share above the reserve) take no shard:
    // when too few are left the write is refused before a byte is stored.
    let share = expected.map_or(0, |e| e.div_ceil(set.layout.data as u64));
    let (targets, full) = set.with_room(share);
    if targets.len() < set.write_quorum() {
        return Err(Error::from(Unavailable::StorageFull {
            class: set.name.clone(),
            full,
            succeeded: 0,
            needed: set.write_quorum(),
        })
        .into());
    }
    let bs = set.layout.block_size as usize;
    let mut reader = BlockReader {
        body,
        carry: Bytes::new(),
        total: 0,
        expected,
    };
    let (first, ended) = reader.next_block(bs).await?;
    let total = reader.total;
    if ended {
        let block = first;
        let md5 = md5.map(|_| Md5::digest(&block).into());
        let shards = Codec::new(set.layout).encode(&block)?;
        let n = set.layout.total();
        if block.len() <= inline_limit {
            let inline = (0..n)
                .map(|slot| {
                    let s = &shards[shard_for_slot(slot, rotation, n)];
                    let mut v = Vec::with_capacity(s.hash.len() + s.data.len());
                    v.extend_from_slice(&s.hash);
                    v.extend_from_slice(&s.data);
                    v
                })
                .collect();
            return Ok(Written {
                size: total,
                md5,
                data_id: None,
                inline: Some(inline),
            });
        }
        let data_id = *uuid::Uuid::new_v4().as_bytes();
        let mut tasks = Vec::new();
        for (slot, v) in targets {
            let (v, s) = (v.clone(), shards[shard_for_slot(slot, rotation, n)].clone());
            let task = tokio::task::spawn_blocking(move || {
                let mut w = ShardWriter::create(v.shard_path(&data_id))?;
                w.write(&s)?;
                w.finish()
            });
            tasks.push((slot, task));
        }
        let written = Written {
            size: total,
            md5,
            data_id: Some(data_id),
            inline: None,
        };
        return Ok(finish_writers(set, tasks, written).await?);
    }

    // Large body: a pipeline of threads.
    let data_id = *uuid::Uuid::new_v4().as_bytes();
    let n = set.layout.total();
    let mut writer_tx: Vec<Option<mpsc::Sender<ShardBlock>>> = vec![None; n];
    let mut tasks = Vec::new();
    for (slot, v) in targets {
        let (tx, rx) = mpsc::channel::<ShardBlock>(PIPELINE_DEPTH);
        writer_tx[slot] = Some(tx);
        let v: Arc<Volume> = v.clone();
        let task = tokio::task::spawn_blocking(move || shard_writer(&v, data_id, rx));
        tasks.push((slot, task));
    }
    let (enc_tx, mut enc_rx) = mpsc::channel::<Bytes>(PIPELINE_DEPTH);
    let layout = set.layout;
    let encoder = tokio::task::spawn_blocking(move || -> Result<()> {
        let mut codec = Codec::new(layout);
        while let Some(block) = enc_rx.blocking_recv() {
            let shards = codec.encode(&block)?;
            for (slot, tx) in writer_tx.iter_mut().enumerate() {
                let dead = match tx {
                    Some(t) => t
                        .blocking_send(shards[shard_for_slot(slot, rotation, n)].clone())
                        .is_err(),
                    None => false,
                };
                if dead {
                    *tx = None;
                }
            }
        }
        Ok(())
    });
    let mut hasher = md5.map(Md5Service::stream);

    let feed = async {
        let (mut block, mut ended) = (first, false);
        loop {
            if !block.is_empty() {
                if let Some(h) = hasher.as_mut() {
                    h.update(block.clone()).await?;
                }
                if enc_tx.send(block).await.is_err() {
                    // The encoder stopped early: its own error is reported below.
                    return Ok(());
                }
            }
            if ended {
                return Ok(());
            }
            (block, ended) = reader.next_block(bs).await?;
        }
    };
    let fed: Result<(), WriteError<E>> = feed.await;
    drop(enc_tx);
    let encoded = match encoder.await {
        Ok(r) => r,
        Err(e) => Err(Error::internal(format!("encoder: {e}"))),
    }
    .map_err(WriteError::Store);
    let md5 = match hasher {
        Some(h) => h.finish().await.map(Some),
        None => Ok(None),
    };
    let written = Written {
        size: reader.total,
        md5: md5.as_ref().ok().copied().flatten(),
        data_id: Some(data_id),
        inline: None,
    };
    let done = finish_writers(set, tasks, written).await;
    if let Err(e) = fed
        .and(encoded)
        .and(md5.map(|_| ()).map_err(WriteError::Store))
    {
        if let Ok(w) = &done {
            w.discard(set);
        }
        return Err(e);
    }
    Ok(done?)
}

fn shard_writer(v: &Volume, data_id: [u8; 16], mut rx: mpsc::Receiver<ShardBlock>) -> Result<()> {
    let mut w = ShardWriter::create(v.shard_path(&data_id))?;
    while let Some(block) = rx.blocking_recv() {
        w.write(&block)?;
    }
    w.finish()
}

/// Waits for the shard writers (each with its slot) and checks the write quorum; removes the
/// files on failure. A writer's I/O error counts against its volume (see `ErasureSet::io_failed`).
async fn finish_writers(
    set: &ErasureSet,
    tasks: Vec<(usize, tokio::task::JoinHandle<Result<()>>)>,
    written: Written,
) -> Result<Written> {
    let (mut ok, mut full) = (0, 0);
    let mut last_err = None;
    for (slot, t) in tasks {
        match t.await {
            Ok(Ok(())) => ok += 1,
            Ok(Err(e)) => {
                tracing::warn!(class = %set.name, slot, error = %e, "shard write failed");
                full += usize::from(e.is_disk_full());
                if e.is_volume_fault() {
                    set.io_failed(slot);
                }
                last_err = Some(e);
            }
            Err(e) => last_err = Some(Error::internal(format!("shard writer: {e}"))),
        }
    }
    if ok < set.write_quorum() {
        written.discard(set);
        if let Some(e) = last_err {
            tracing::warn!(error = %e, "write quorum lost");
        }
        return Err(Unavailable::quorum_lost(&set.name, ok, set.write_quorum(), full).into());
    }
    Ok(written)
}
