//! Checking and rebuilding the shard files of one part: a slot whose file is missing, short or
//! (on a deep check) fails a block's hash gets a new file, each block decoded from k good
//! shards and encoded again. The new file is written beside the old one under a temporary
//! name, made durable, checked, and only then renamed over it, so a crash at any point leaves
//! either the old file or the whole new one.

use std::fs::File;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::disk::format::sync_dir;
use crate::disk::shard_writer::ShardWriter;
use crate::disk::volume::{read_shard_block, ShardReadError, Volume};
use crate::erasure::codec::{Codec, ShardBlock};
use crate::erasure::layout::{shard_for_slot, Layout, HASH_LEN};
use crate::error::{Error, Result, Unavailable};
use crate::set::ErasureSet;

/// Suffix of a shard file being rebuilt (`<id>.heal`); the scanner removes stale ones.
pub const REBUILD_SUFFIX: &str = "heal";

/// How closely shard files are looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Each file exists with its full length (a `stat` per file).
    Cheap,
    /// Also every block passes its hash (reads every byte).
    Deep,
}

/// One part's data as the version records it.
#[derive(Clone, Copy)]
pub struct PartShards<'a> {
    /// The class holding it.
    pub set: &'a ErasureSet,
    /// The object's shard shape.
    pub layout: Layout,
    /// The object's slot rotation.
    pub rotation: usize,
    /// Shard file id.
    pub data_id: [u8; 16],
    /// Bytes stored.
    pub size: u64,
}

/// What a rebuild wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    /// Shard files written.
    pub files: usize,
    /// Bytes written into them.
    pub bytes: u64,
}

impl PartShards<'_> {
    /// Blocks in the part's shard files: an empty part still has one (empty) block.
    fn blocks(&self) -> u64 {
        self.layout.blocks(self.size).max(1)
    }

    fn file_len(&self) -> u64 {
        if self.size == 0 {
            HASH_LEN as u64
        } else {
            self.layout.shard_file_len(self.size)
        }
    }

    /// The online slots whose shard file fails the check.
    pub fn bad_slots(&self, depth: Depth) -> Vec<usize> {
        self.set
            .online()
            .filter(|(_, v)| !self.file_ok(v, depth))
            .map(|(slot, _)| slot)
            .collect()
    }

    fn file_ok(&self, v: &Volume, depth: Depth) -> bool {
        let path = v.shard_path(&self.data_id);
        let Ok(file) = File::open(&path) else {
            return false;
        };
        if file.metadata().map(|m| m.len()).ok() != Some(self.file_len()) {
            return false;
        }
        depth == Depth::Cheap || (0..self.blocks()).all(|b| self.read_block(&file, b).is_ok())
    }

    fn read_block(&self, file: &File, b: u64) -> std::result::Result<Bytes, ShardReadError> {
        let len = self.layout.block_len(self.size, b);
        read_shard_block(
            file,
            self.layout.shard_offset(b),
            self.layout.shard_len(len),
        )
    }

    /// Rewrites the shard files of `bad` slots from the others. A slot thought good that
    /// fails on the way joins the bad ones and the rebuild starts over, so what is written
    /// always comes from shards that passed their hash.
    pub fn rebuild(&self, bad: &[usize]) -> Result<Rebuilt> {
        let mut bad: Vec<usize> = bad.to_vec();
        loop {
            match self.try_rebuild(&bad)? {
                Attempt::Done(r) => return Ok(r),
                Attempt::AlsoBad(slot) => bad.push(slot),
            }
        }
    }

    fn try_rebuild(&self, bad: &[usize]) -> Result<Attempt> {
        let n = self.layout.total();
        let online: Vec<(usize, std::sync::Arc<Volume>)> = self.set.online().collect();
        let sources: Vec<(usize, File)> = online
            .iter()
            .filter(|(slot, _)| !bad.contains(slot))
            .filter_map(|(slot, v)| Some((*slot, File::open(v.shard_path(&self.data_id)).ok()?)))
            .collect();
        if sources.len() < self.layout.data {
            return Err(Unavailable::ReadQuorum {
                class: self.set.name.clone(),
                available: sources.len(),
                needed: self.layout.data,
            }
            .into());
        }
        let mut targets = Vec::new();
        for (slot, v) in online.iter().filter(|(slot, _)| bad.contains(slot)) {
            targets.push(Target::start(*slot, v, &self.data_id)?);
        }
        let mut codec = Codec::new(self.layout);
        for b in 0..self.blocks() {
            let block_len = self.layout.block_len(self.size, b) as usize;
            let mut shards: Vec<Option<Bytes>> = vec![None; n];
            let mut good = 0;
            for (slot, file) in &sources {
                if good == self.layout.data {
                    break;
                }
                match self.read_block(file, b) {
                    Ok(bytes) => {
                        shards[shard_for_slot(*slot, self.rotation, n)] = Some(bytes);
                        good += 1;
                    }
                    Err(_) => {
                        targets.into_iter().for_each(Target::abandon);
                        return Ok(Attempt::AlsoBad(*slot));
                    }
                }
            }
            let block = codec.decode(&shards, block_len)?;
            let encoded: Vec<ShardBlock> = codec.encode(&block)?;
            for t in &mut targets {
                let shard = &encoded[shard_for_slot(t.slot, self.rotation, n)];
                t.writer_mut()?.write(shard)?;
            }
        }
        let mut done = Rebuilt::default();
        for t in targets {
            done.bytes += t.commit(self)?;
            done.files += 1;
        }
        Ok(Attempt::Done(done))
    }
}

enum Attempt {
    Done(Rebuilt),
    /// A source slot failed a block: rebuild it too.
    AlsoBad(usize),
}

/// A new shard file being written under its temporary name.
struct Target {
    slot: usize,
    temp: PathBuf,
    path: PathBuf,
    writer: Option<ShardWriter>,
}

impl Target {
    fn start(slot: usize, v: &Volume, data_id: &[u8; 16]) -> Result<Target> {
        let path = v.shard_path(data_id);
        let temp = path.with_extension(REBUILD_SUFFIX);
        // A rebuild that crashed left its temporary file: it was never renamed, start over.
        let _ = std::fs::remove_file(&temp);
        let writer = ShardWriter::create(temp.clone())?;
        Ok(Target {
            slot,
            temp,
            path,
            writer: Some(writer),
        })
    }

    fn writer_mut(&mut self) -> Result<&mut ShardWriter> {
        self.writer
            .as_mut()
            .ok_or_else(|| Error::internal("shard rebuild writer already finished"))
    }

    /// Makes the new file durable, checks it, and renames it over the old one; returns its
    /// length.
    fn commit(mut self, part: &PartShards<'_>) -> Result<u64> {
        let result = self.finish(part);
        if result.is_err() {
            let _ = std::fs::remove_file(&self.temp);
        }
        result
    }

    fn finish(&mut self, part: &PartShards<'_>) -> Result<u64> {
        if let Some(w) = self.writer.take() {
            w.finish()?;
        }
        let file = File::open(&self.temp).map_err(|e| Error::io(&self.temp, e))?;
        let len = file.metadata().map_err(|e| Error::io(&self.temp, e))?.len();
        if len != part.file_len() || (0..part.blocks()).any(|b| part.read_block(&file, b).is_err())
        {
            return Err(Error::corrupt(format!(
                "rebuilt shard file {} does not read back",
                self.temp.display()
            )));
        }
        std::fs::rename(&self.temp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        sync_dir(parent(&self.path))?;
        Ok(len)
    }

    fn abandon(mut self) {
        drop(self.writer.take());
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(path)
}
