//! Block, shard and range arithmetic: pure functions, no I/O.
//!
//! An object part is cut into erasure blocks of `block_size` bytes (the last may be shorter).
//! Each block is split into `data` shards of equal length (padded with zeros) and `parity`
//! shards are computed from them. A shard file holds, for every block in order, a 16-byte
//! hash followed by that block's shard bytes.

use std::ops::Range;

/// Erasure block size written by this version of the format.
pub const BLOCK_SIZE: u64 = 1 << 20;
/// Length of the bitrot hash stored before each shard block.
pub const HASH_LEN: usize = 16;

/// The shape of one erasure-coded part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Data shards (k).
    pub data: usize,
    /// Parity shards (m).
    pub parity: usize,
    /// Erasure block size in bytes.
    pub block_size: u64,
}

impl Layout {
    /// A layout with the format's block size.
    pub fn new(data: usize, parity: usize) -> Self {
        Layout {
            data,
            parity,
            block_size: BLOCK_SIZE,
        }
    }

    /// Shards per block: one per volume of the class.
    pub fn total(&self) -> usize {
        self.data + self.parity
    }

    /// Whether shards are plain copies (one data shard) rather than Reed-Solomon.
    pub fn replicates(&self) -> bool {
        self.data == 1
    }

    /// Bytes of one shard of a block of `block_len` bytes. Reed-Solomon needs an even length.
    pub fn shard_len(&self, block_len: u64) -> usize {
        let per = block_len.div_ceil(self.data as u64) as usize;
        if self.replicates() {
            per
        } else {
            per + (per & 1)
        }
    }

    /// Number of blocks in a part of `size` bytes.
    pub fn blocks(&self, size: u64) -> u64 {
        size.div_ceil(self.block_size)
    }

    /// Length of block `index` of a part of `size` bytes.
    pub fn block_len(&self, size: u64, index: u64) -> u64 {
        let start = index * self.block_size;
        size.saturating_sub(start).min(self.block_size)
    }

    /// Offset of block `index` inside a shard file (its hash comes first).
    pub fn shard_offset(&self, index: u64) -> u64 {
        index * (HASH_LEN as u64 + self.shard_len(self.block_size) as u64)
    }

    /// Length of a whole shard file for a part of `size` bytes.
    pub fn shard_file_len(&self, size: u64) -> u64 {
        let blocks = self.blocks(size);
        if blocks == 0 {
            return 0;
        }
        let last = blocks - 1;
        self.shard_offset(last)
            + HASH_LEN as u64
            + self.shard_len(self.block_len(size, last)) as u64
    }

    /// The blocks that hold the bytes `range` of a part.
    pub fn blocks_for(&self, range: &Range<u64>) -> Range<u64> {
        if range.start >= range.end {
            return 0..0;
        }
        range.start / self.block_size..(range.end - 1) / self.block_size + 1
    }
}

/// Which shard a volume slot holds for an object, given the object's rotation.
///
/// Rotating spreads parity (and read load) over all volumes instead of always the last ones.
pub fn shard_for_slot(slot: usize, rotation: usize, total: usize) -> usize {
    (slot + rotation) % total
}

/// The volume slot that holds `shard` for an object with `rotation`.
pub fn slot_for_shard(shard: usize, rotation: usize, total: usize) -> usize {
    (shard + total - rotation % total) % total
}

/// A rotation derived from the key, so that an object's layout is stable and spread.
pub fn rotation_for(key: &[u8], total: usize) -> usize {
    (xxhash_rust::xxh3::xxh3_64(key) % total.max(1) as u64) as usize
}

/// Resolves a requested range against an object size into `start..end`, or `None` when it
/// does not overlap (S3 answers 416 then).
pub fn resolve_range(range: &crate::ByteRange, size: u64) -> Option<Range<u64>> {
    use crate::ByteRange::*;
    match *range {
        Bounded { first, last } => {
            if first > last || first >= size {
                None
            } else {
                Some(first..last.min(size - 1) + 1)
            }
        }
        From { first } => (first < size).then_some(first..size),
        Suffix { len } => (len > 0 && size > 0).then(|| size - len.min(size)..size),
    }
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
