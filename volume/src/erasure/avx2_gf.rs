//! GF(2^16) multiply-accumulate over shard chunks with AVX2, from a 128-byte table made for
//! each multiplier when it is needed. reed-solomon-simd's own SIMD engines look the same
//! table up in an 8 MiB process-wide array (one entry per multiplier), built at the first
//! encode and never freed: more than a quarter of an idle sidecar's memory budget.
//!
//! Layout of a chunk (the crate's, shared by all its engines): 64 bytes holding 32 field
//! elements, their low bytes first, then their high bytes.
#![allow(unsafe_code)]

use std::arch::x86_64::*;

use reed_solomon_simd::engine::{tables, GfElement};

/// Products of one multiplier with every value of each 4-bit slice of an element: slice `i`
/// covers bits `4i..4i+4`; `lo[i][n]` and `hi[i][n]` are the low and high byte of
/// `m * (n << 4i)`.
pub(super) struct MulTable {
    lo: [[u8; 16]; 4],
    hi: [[u8; 16]; 4],
}

impl MulTable {
    /// The table of the multiplier whose logarithm is `log_m`.
    pub(super) fn new(log_m: GfElement, exp: &tables::Exp, log: &tables::Log) -> MulTable {
        let mut t = MulTable {
            lo: [[0; 16]; 4],
            hi: [[0; 16]; 4],
        };
        // Multiplying by a constant is linear over GF(2): the product of a slice value is the
        // XOR of the products of its set bits, so 16 lookups fill all 64 entries.
        for slice in 0..4 {
            let mut products = [0u16; 16];
            for n in 1..16usize {
                let lowest = n.trailing_zeros() as usize;
                let bit = tables::mul(1 << (4 * slice + lowest), log_m, exp, log);
                products[n] = products[n & (n - 1)] ^ bit;
            }
            for (n, p) in products.iter().enumerate() {
                t.lo[slice][n] = *p as u8;
                t.hi[slice][n] = (*p >> 8) as u8;
            }
        }
        t
    }
}

/// Proof that this CPU has AVX2; the only way to reach the kernels.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2(());

impl Avx2 {
    /// `Some` when the CPU has AVX2.
    pub(super) fn detect() -> Option<Avx2> {
        is_x86_feature_detected!("avx2").then_some(Avx2(()))
    }

    /// The FFT butterfly: `a ^= b * m` (when `m` is given), then `b ^= a`.
    pub(super) fn fft_butterfly(
        self,
        a: &mut [[u8; 64]],
        b: &mut [[u8; 64]],
        m: Option<&MulTable>,
    ) {
        // SAFETY: an `Avx2` exists only where `detect` found AVX2.
        unsafe { butterfly(a, b, m, false) }
    }

    /// The inverse FFT butterfly: `b ^= a`, then `a ^= b * m` (when `m` is given).
    pub(super) fn ifft_butterfly(
        self,
        a: &mut [[u8; 64]],
        b: &mut [[u8; 64]],
        m: Option<&MulTable>,
    ) {
        // SAFETY: as above.
        unsafe { butterfly(a, b, m, true) }
    }

    /// `x *= m`.
    pub(super) fn mul(self, x: &mut [[u8; 64]], m: &MulTable) {
        // SAFETY: as above.
        unsafe { mul_in_place(x, m) }
    }
}

/// A [`MulTable`] in registers, each 16-byte row in both 128-bit lanes (the byte shuffle
/// looks up within a lane).
struct Rows {
    lo: [__m256i; 4],
    hi: [__m256i; 4],
}

#[target_feature(enable = "avx2")]
unsafe fn rows(m: &MulTable) -> Rows {
    let row = |r: &[u8; 16]| {
        // SAFETY: `r` is 16 readable bytes.
        unsafe { _mm256_broadcastsi128_si256(_mm_loadu_si128(r.as_ptr().cast())) }
    };
    Rows {
        lo: [row(&m.lo[0]), row(&m.lo[1]), row(&m.lo[2]), row(&m.lo[3])],
        hi: [row(&m.hi[0]), row(&m.hi[1]), row(&m.hi[2]), row(&m.hi[3])],
    }
}

/// The low and high bytes of the 32 elements of `chunk`.
#[target_feature(enable = "avx2")]
unsafe fn load(chunk: &[u8; 64]) -> (__m256i, __m256i) {
    // SAFETY: a chunk is 64 readable bytes.
    unsafe {
        (
            _mm256_loadu_si256(chunk.as_ptr().cast()),
            _mm256_loadu_si256(chunk.as_ptr().add(32).cast()),
        )
    }
}

#[target_feature(enable = "avx2")]
unsafe fn store(chunk: &mut [u8; 64], lo: __m256i, hi: __m256i) {
    // SAFETY: a chunk is 64 writable bytes.
    unsafe {
        _mm256_storeu_si256(chunk.as_mut_ptr().cast(), lo);
        _mm256_storeu_si256(chunk.as_mut_ptr().add(32).cast(), hi);
    }
}

/// The product of 32 elements (low bytes `lo`, high bytes `hi`) with the table's multiplier.
#[target_feature(enable = "avx2")]
unsafe fn product(r: &Rows, lo: __m256i, hi: __m256i) -> (__m256i, __m256i) {
    let nibble = _mm256_set1_epi8(0x0f);
    let slices = [
        _mm256_and_si256(lo, nibble),
        _mm256_and_si256(_mm256_srli_epi16::<4>(lo), nibble),
        _mm256_and_si256(hi, nibble),
        _mm256_and_si256(_mm256_srli_epi16::<4>(hi), nibble),
    ];
    let mut out_lo = _mm256_setzero_si256();
    let mut out_hi = _mm256_setzero_si256();
    for (i, s) in slices.iter().enumerate() {
        out_lo = _mm256_xor_si256(out_lo, _mm256_shuffle_epi8(r.lo[i], *s));
        out_hi = _mm256_xor_si256(out_hi, _mm256_shuffle_epi8(r.hi[i], *s));
    }
    (out_lo, out_hi)
}

#[target_feature(enable = "avx2")]
unsafe fn butterfly(a: &mut [[u8; 64]], b: &mut [[u8; 64]], m: Option<&MulTable>, inverse: bool) {
    // SAFETY (every block below): the caller has AVX2; chunks are 64 bytes.
    let r = m.map(|m| unsafe { rows(m) });
    for (ca, cb) in a.iter_mut().zip(b.iter_mut()) {
        unsafe {
            let (mut a_lo, mut a_hi) = load(ca);
            let (mut b_lo, mut b_hi) = load(cb);
            if inverse {
                b_lo = _mm256_xor_si256(b_lo, a_lo);
                b_hi = _mm256_xor_si256(b_hi, a_hi);
            }
            if let Some(r) = &r {
                let (p_lo, p_hi) = product(r, b_lo, b_hi);
                a_lo = _mm256_xor_si256(a_lo, p_lo);
                a_hi = _mm256_xor_si256(a_hi, p_hi);
            }
            if !inverse {
                b_lo = _mm256_xor_si256(b_lo, a_lo);
                b_hi = _mm256_xor_si256(b_hi, a_hi);
            }
            store(ca, a_lo, a_hi);
            store(cb, b_lo, b_hi);
        }
    }
}

#[target_feature(enable = "avx2")]
unsafe fn mul_in_place(x: &mut [[u8; 64]], m: &MulTable) {
    // SAFETY (every block below): the caller has AVX2; chunks are 64 bytes.
    let r = unsafe { rows(m) };
    for c in x.iter_mut() {
        unsafe {
            let (lo, hi) = load(c);
            let (p_lo, p_hi) = product(&r, lo, hi);
            store(c, p_lo, p_hi);
        }
    }
}
