//! The Reed-Solomon engine strata codes with: reed-solomon-simd's algorithm and field
//! (so shards are byte-identical to its own engines'), with AVX2 arithmetic that needs no
//! process-wide 8 MiB multiplication table (`avx2_gf`). Where AVX2 is missing, the crate's
//! own best engine (SSSE3, Neon or portable) is used, table and all.

use reed_solomon_simd::engine::{DefaultEngine, Engine, GfElement, ShardsRefMut};

#[cfg(target_arch = "x86_64")]
use super::avx2_gf::{Avx2, MulTable};
#[cfg(target_arch = "x86_64")]
use reed_solomon_simd::engine::tables;

/// The logarithm that stands for "multiply by zero": the butterfly skips the product.
#[cfg(target_arch = "x86_64")]
const NO_PRODUCT: GfElement = reed_solomon_simd::engine::GF_MODULUS;

/// An engine for `DefaultRateEncoder` and `DefaultRateDecoder`.
pub enum ShardEngine {
    /// AVX2 with per-multiplier tables.
    #[cfg(target_arch = "x86_64")]
    Lean(Lean),
    /// The crate's dispatching engine.
    Stock(DefaultEngine),
}

impl ShardEngine {
    /// The lean engine where the CPU allows, else the crate's.
    pub fn new() -> ShardEngine {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = Avx2::detect() {
            return ShardEngine::Lean(Lean::new(avx2));
        }
        ShardEngine::Stock(DefaultEngine::new())
    }
}

impl Default for ShardEngine {
    fn default() -> Self {
        ShardEngine::new()
    }
}

impl Engine for ShardEngine {
    fn fft(
        &self,
        data: &mut ShardsRefMut,
        pos: usize,
        size: usize,
        truncated_size: usize,
        skew_delta: usize,
    ) {
        match self {
            #[cfg(target_arch = "x86_64")]
            ShardEngine::Lean(e) => e.fft(data, pos, size, truncated_size, skew_delta),
            ShardEngine::Stock(e) => e.fft(data, pos, size, truncated_size, skew_delta),
        }
    }

    fn ifft(
        &self,
        data: &mut ShardsRefMut,
        pos: usize,
        size: usize,
        truncated_size: usize,
        skew_delta: usize,
    ) {
        match self {
            #[cfg(target_arch = "x86_64")]
            ShardEngine::Lean(e) => e.ifft(data, pos, size, truncated_size, skew_delta),
            ShardEngine::Stock(e) => e.ifft(data, pos, size, truncated_size, skew_delta),
        }
    }

    fn mul(&self, x: &mut [[u8; 64]], log_m: GfElement) {
        match self {
            #[cfg(target_arch = "x86_64")]
            ShardEngine::Lean(e) => e.mul(x, log_m),
            ShardEngine::Stock(e) => e.mul(x, log_m),
        }
    }
}

/// Radix-2 additive FFT over shards, as reed-solomon-simd defines it, with AVX2 butterflies.
/// Each group of butterflies shares one multiplier, so its table is made once per group.
#[cfg(target_arch = "x86_64")]
pub struct Lean {
    avx2: Avx2,
    exp: &'static tables::Exp,
    log: &'static tables::Log,
    skew: &'static tables::Skew,
}

#[cfg(target_arch = "x86_64")]
impl Lean {
    fn new(avx2: Avx2) -> Lean {
        let exp_log = tables::get_exp_log();
        Lean {
            avx2,
            exp: &exp_log.exp,
            log: &exp_log.log,
            skew: tables::get_skew(),
        }
    }

    /// The table of the multiplier `log_m`, or none when the butterfly has no product.
    fn table(&self, log_m: GfElement) -> Option<MulTable> {
        (log_m != NO_PRODUCT).then(|| MulTable::new(log_m, self.exp, self.log))
    }

    /// One layer of butterflies `dist` apart over `data[pos..pos + truncated_size]` (rounded
    /// up to whole groups), the multiplier of each group taken from the skew table.
    fn layer(
        &self,
        data: &mut ShardsRefMut,
        pos: usize,
        dist: usize,
        truncated_size: usize,
        skew_delta: usize,
        inverse: bool,
    ) {
        let mut group = 0;
        while group < truncated_size {
            let m = self.table(self.skew[group + dist + skew_delta - 1]);
            for i in group..group + dist {
                let (a, b) = data.dist2_mut(pos + i, dist);
                if inverse {
                    self.avx2.ifft_butterfly(a, b, m.as_ref());
                } else {
                    self.avx2.fft_butterfly(a, b, m.as_ref());
                }
            }
            group += 2 * dist;
        }
    }

    fn fft(
        &self,
        data: &mut ShardsRefMut,
        pos: usize,
        size: usize,
        truncated_size: usize,
        skew_delta: usize,
    ) {
        let mut dist = size / 2;
        while dist > 0 {
            self.layer(data, pos, dist, truncated_size, skew_delta, false);
            dist /= 2;
        }
    }

    fn ifft(
        &self,
        data: &mut ShardsRefMut,
        pos: usize,
        size: usize,
        truncated_size: usize,
        skew_delta: usize,
    ) {
        let mut dist = 1;
        while dist < size {
            self.layer(data, pos, dist, truncated_size, skew_delta, true);
            dist *= 2;
        }
    }

    fn mul(&self, x: &mut [[u8; 64]], log_m: GfElement) {
        // Unlike in a butterfly, `NO_PRODUCT` here multiplies as the crate's engines do (by
        // one: logarithms add modulo 65535).
        self.avx2.mul(x, &MulTable::new(log_m, self.exp, self.log));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reed_solomon_simd::rate::{
        DefaultRateDecoder, DefaultRateEncoder, RateDecoder, RateEncoder,
    };
    use reed_solomon_simd::{ReedSolomonDecoder, ReedSolomonEncoder};

    /// Deterministic bytes that differ per shard and per call (xorshift).
    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s as u8
            })
            .collect()
    }

    const SHAPES: [(usize, usize); 9] = [
        (2, 2),
        (2, 1),
        (3, 1),
        (4, 2),
        (5, 3),
        (8, 4),
        (12, 4),
        (3, 9),
        (20, 11),
    ];

    /// `count` shards of `chunks` 64-byte chunks of seeded bytes.
    fn chunks(seed: u64, count: usize, chunks: usize) -> Vec<[u8; 64]> {
        bytes(seed, count * chunks * 64)
            .chunks_exact(64)
            .map(|c| c.try_into().unwrap())
            .collect()
    }

    #[test]
    fn each_primitive_matches_the_crates_reference_engine() {
        let lean = ShardEngine::new();
        let naive = reed_solomon_simd::engine::Naive::new();
        // Multipliers: one (0), the butterflies' "none" (65535), and spread values.
        for log_m in [0, 1, 2, 255, 256, 4660, 32768, 65534, 65535] {
            let mut a = chunks(u64::from(log_m), 1, 3);
            let mut b = a.clone();
            lean.mul(&mut a, log_m);
            naive.mul(&mut b, log_m);
            assert_eq!(a, b, "mul log_m={log_m}");
        }
        for size in [1, 2, 4, 8, 16] {
            for truncated in 1..=size {
                for skew_delta in [1, 2, 7, 1000] {
                    for inverse in [false, true] {
                        let seed = (size * 1000 + truncated * 10 + skew_delta) as u64;
                        let mut a = chunks(seed, size + 2, 2);
                        let mut b = a.clone();
                        let mut sa = ShardsRefMut::new(size + 2, 2, &mut a);
                        let mut sb = ShardsRefMut::new(size + 2, 2, &mut b);
                        if inverse {
                            lean.ifft(&mut sa, 1, size, truncated, skew_delta);
                            naive.ifft(&mut sb, 1, size, truncated, skew_delta);
                        } else {
                            lean.fft(&mut sa, 1, size, truncated, skew_delta);
                            naive.fft(&mut sb, 1, size, truncated, skew_delta);
                        }
                        assert_eq!(
                            a, b,
                            "size={size} truncated={truncated} skew_delta={skew_delta} inverse={inverse}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn parity_is_byte_identical_to_the_crates_engines() {
        for (k, m) in SHAPES {
            for len in [64, 128, 1024, 4096 + 64] {
                let originals: Vec<Vec<u8>> =
                    (0..k).map(|i| bytes((k * 100 + i) as u64, len)).collect();
                let mut stock = ReedSolomonEncoder::new(k, m, len).unwrap();
                let mut lean =
                    DefaultRateEncoder::new(k, m, len, ShardEngine::new(), None).unwrap();
                for o in &originals {
                    stock.add_original_shard(o).unwrap();
                    lean.add_original_shard(o).unwrap();
                }
                let want: Vec<Vec<u8>> = stock
                    .encode()
                    .unwrap()
                    .recovery_iter()
                    .map(<[u8]>::to_vec)
                    .collect();
                let got: Vec<Vec<u8>> = lean
                    .encode()
                    .unwrap()
                    .recovery_iter()
                    .map(<[u8]>::to_vec)
                    .collect();
                assert_eq!(got, want, "k={k} m={m} len={len}");
            }
        }
    }

    #[test]
    fn lost_originals_come_back_as_the_crates_decoder_restores_them() {
        for (k, m) in SHAPES {
            let len = 640;
            let originals: Vec<Vec<u8>> = (0..k).map(|i| bytes((k + i) as u64, len)).collect();
            let mut enc = ReedSolomonEncoder::new(k, m, len).unwrap();
            for o in &originals {
                enc.add_original_shard(o).unwrap();
            }
            let parity: Vec<Vec<u8>> = enc
                .encode()
                .unwrap()
                .recovery_iter()
                .map(<[u8]>::to_vec)
                .collect();
            // Lose the first min(k, m) originals; rebuild from the rest and the parity.
            let lost = k.min(m);
            let mut stock = ReedSolomonDecoder::new(k, m, len).unwrap();
            let mut lean = DefaultRateDecoder::new(k, m, len, ShardEngine::new(), None).unwrap();
            for (i, o) in originals.iter().enumerate().skip(lost) {
                stock.add_original_shard(i, o).unwrap();
                lean.add_original_shard(i, o).unwrap();
            }
            for (i, p) in parity.iter().enumerate() {
                stock.add_recovery_shard(i, p).unwrap();
                lean.add_recovery_shard(i, p).unwrap();
            }
            let stock = stock.decode().unwrap();
            let lean = lean.decode().unwrap();
            for (i, want) in originals.iter().enumerate().take(lost) {
                assert_eq!(
                    lean.restored_original(i),
                    Some(&want[..]),
                    "k={k} m={m} i={i}"
                );
                assert_eq!(stock.restored_original(i), Some(&want[..]));
            }
        }
    }
}
