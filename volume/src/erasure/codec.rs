//! Turning a block into shards and back: Reed-Solomon for k > 1, copies for k == 1.

use bytes::{Bytes, BytesMut};
use reed_solomon_simd::rate::{DefaultRateDecoder, DefaultRateEncoder, RateDecoder, RateEncoder};

use super::engine::ShardEngine;
use super::layout::{Layout, HASH_LEN};
use crate::error::{Error, Result};

/// The bitrot hash of one shard block: XXH3-128, little-endian.
pub fn shard_hash(data: &[u8]) -> [u8; HASH_LEN] {
    xxhash_rust::xxh3::xxh3_128(data).to_le_bytes()
}

/// One shard of one block, as written to disk: the hash, then the bytes.
#[derive(Debug, Clone)]
pub struct ShardBlock {
    /// `shard_hash(&data)`.
    pub hash: [u8; HASH_LEN],
    /// Shard bytes (often a zero-copy slice of the block).
    pub data: Bytes,
}

/// Reusable encoder and decoder state for one layout.
pub struct Codec {
    layout: Layout,
    encoder: Option<DefaultRateEncoder<ShardEngine>>,
    decoder: Option<DefaultRateDecoder<ShardEngine>>,
}

fn rs_error(e: reed_solomon_simd::Error) -> Error {
    Error::internal(format!("reed-solomon: {e}"))
}

impl Codec {
    /// A codec for `layout`; Reed-Solomon state is made on first use.
    pub fn new(layout: Layout) -> Self {
        Codec {
            layout,
            encoder: None,
            decoder: None,
        }
    }

    /// Splits `block` into `layout.total()` hashed shards, data shards first.
    pub fn encode(&mut self, block: &Bytes) -> Result<Vec<ShardBlock>> {
        let layout = self.layout;
        let sl = layout.shard_len(block.len() as u64);
        let mut shards = Vec::with_capacity(layout.total());
        // An empty block (an empty object) has empty shards; Reed-Solomon needs bytes.
        if layout.replicates() || block.is_empty() {
            let hash = shard_hash(block);
            shards.resize(
                layout.total(),
                ShardBlock {
                    hash,
                    data: block.clone(),
                },
            );
            return Ok(shards);
        }
        for i in 0..layout.data {
            let start = (i * sl).min(block.len());
            let end = ((i + 1) * sl).min(block.len());
            let data = if end - start == sl {
                block.slice(start..end)
            } else {
                let mut padded = BytesMut::zeroed(sl);
                padded[..end - start].copy_from_slice(&block[start..end]);
                padded.freeze()
            };
            shards.push(ShardBlock {
                hash: shard_hash(&data),
                data,
            });
        }
        if layout.parity == 0 {
            return Ok(shards);
        }
        let encoder = match &mut self.encoder {
            Some(e) => {
                e.reset(layout.data, layout.parity, sl).map_err(rs_error)?;
                e
            }
            slot => slot.insert(
                DefaultRateEncoder::new(layout.data, layout.parity, sl, ShardEngine::new(), None)
                    .map_err(rs_error)?,
            ),
        };
        for s in &shards {
            encoder.add_original_shard(&s.data).map_err(rs_error)?;
        }
        let result = encoder.encode().map_err(rs_error)?;
        for parity in result.recovery_iter() {
            let data = Bytes::copy_from_slice(parity);
            shards.push(ShardBlock {
                hash: shard_hash(&data),
                data,
            });
        }
        Ok(shards)
    }

    /// Rebuilds a block of `block_len` bytes from at least `data` verified shards
    /// (`shards[i]` is shard `i` or `None`).
    pub fn decode(&mut self, shards: &[Option<Bytes>], block_len: usize) -> Result<Bytes> {
        let layout = self.layout;
        // An empty block's shards are empty (see `encode`); Reed-Solomon takes no empty shard.
        if block_len == 0 && shards.iter().flatten().count() >= layout.data {
            return Ok(Bytes::new());
        }
        if layout.replicates() {
            let copy = shards
                .iter()
                .flatten()
                .next()
                .ok_or_else(|| Error::corrupt("no copy of the block is readable"))?;
            return Ok(copy.slice(..block_len.min(copy.len())));
        }
        let sl = layout.shard_len(block_len as u64);
        let have_all_data = shards.iter().take(layout.data).all(Option::is_some);
        let mut out = BytesMut::with_capacity(sl * layout.data);
        if have_all_data {
            for s in shards.iter().take(layout.data).flatten() {
                out.extend_from_slice(s);
            }
        } else {
            let available = shards.iter().flatten().count();
            if available < layout.data {
                return Err(Error::corrupt(format!(
                    "{available} of {} needed shards are readable",
                    layout.data
                )));
            }
            let decoder = match &mut self.decoder {
                Some(d) => {
                    d.reset(layout.data, layout.parity, sl).map_err(rs_error)?;
                    d
                }
                slot => slot.insert(
                    DefaultRateDecoder::new(
                        layout.data,
                        layout.parity,
                        sl,
                        ShardEngine::new(),
                        None,
                    )
                    .map_err(rs_error)?,
                ),
            };
            for (i, s) in shards.iter().enumerate() {
                let Some(s) = s else { continue };
                if s.len() != sl {
                    return Err(Error::corrupt(format!(
                        "shard {i} has {} bytes, expected {sl}",
                        s.len()
                    )));
                }
                if i < layout.data {
                    decoder.add_original_shard(i, s).map_err(rs_error)?;
                } else {
                    decoder
                        .add_recovery_shard(i - layout.data, s)
                        .map_err(rs_error)?;
                }
            }
            let restored = decoder.decode().map_err(rs_error)?;
            for (i, s) in shards.iter().enumerate().take(layout.data) {
                match s {
                    Some(s) => out.extend_from_slice(s),
                    None => {
                        out.extend_from_slice(restored.restored_original(i).ok_or_else(|| {
                            Error::corrupt(format!("shard {i} could not be rebuilt"))
                        })?)
                    }
                }
            }
        }
        out.truncate(block_len);
        Ok(out.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(len: usize) -> Bytes {
        (0..len)
            .map(|i| (i * 31 % 251) as u8)
            .collect::<Vec<_>>()
            .into()
    }

    #[test]
    fn any_k_shards_rebuild_the_block() {
        for (k, m) in [(2, 2), (3, 1), (4, 2), (1, 1), (5, 3)] {
            let layout = Layout::new(k, m);
            let mut codec = Codec::new(layout);
            for len in [1, 2, 3, 1000, 4097] {
                let b = block(len);
                let shards = codec.encode(&b).unwrap();
                assert_eq!(shards.len(), k + m);
                // Lose every combination of m shards (here: a sliding window of m).
                for lost_start in 0..k + m {
                    let mut avail: Vec<Option<Bytes>> =
                        shards.iter().map(|s| Some(s.data.clone())).collect();
                    for j in 0..m {
                        avail[(lost_start + j) % (k + m)] = None;
                    }
                    assert_eq!(
                        codec.decode(&avail, len).unwrap(),
                        b,
                        "k={k} m={m} len={len}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_empty_block_decodes_from_any_k_shards() {
        let mut codec = Codec::new(Layout::new(2, 2));
        let shards = codec.encode(&Bytes::new()).unwrap();
        let avail = vec![
            None,
            Some(shards[1].data.clone()),
            None,
            Some(shards[3].data.clone()),
        ];
        assert_eq!(codec.decode(&avail, 0).unwrap(), Bytes::new());
        assert!(codec
            .decode(&[None, None, None, Some(Bytes::new())], 0)
            .is_err());
    }

    #[test]
    fn fewer_than_k_shards_is_corrupt_not_a_panic() {
        let mut codec = Codec::new(Layout::new(2, 2));
        let shards = codec.encode(&block(100)).unwrap();
        let avail = vec![None, None, None, Some(shards[3].data.clone())];
        assert!(matches!(
            codec.decode(&avail, 100),
            Err(Error::Fault(crate::error::Fault::Corrupt(_)))
        ));
    }
}
