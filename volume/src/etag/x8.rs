//! MD5 compression of eight independent streams at once, one per 32-bit lane of the AVX2
//! registers. Each lane runs the same 64 steps as scalar MD5 (RFC 1321); the message words
//! of the eight blocks are transposed so that word `j` of every lane sits in one register.
//!
//! This is the only `unsafe` in the crate: the intrinsics need AVX2, which [`X8::detect`]
//! checks at run time before an [`X8`] can exist.
#![allow(unsafe_code)]

use std::arch::x86_64::*;

/// The sine table of RFC 1321: `floor(abs(sin(i + 1)) * 2^32)`.
const K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// Proof that this CPU has AVX2; the only way to reach the eight-lane compression.
#[derive(Clone, Copy, Debug)]
pub(super) struct X8(());

impl X8 {
    /// `Some` when the CPU has AVX2.
    pub(super) fn detect() -> Option<X8> {
        is_x86_feature_detected!("avx2").then_some(X8(()))
    }

    /// Runs each lane's state over that lane's blocks. Every lane gets `n` blocks, where `n`
    /// is the shortest lane's length; the caller passes equal lengths.
    pub(super) fn compress(self, states: &mut [[u32; 4]; 8], lanes: [&[[u8; 64]]; 8]) {
        let n = lanes.iter().map(|l| l.len()).min().unwrap_or(0);
        // SAFETY: an `X8` exists only where `detect` found AVX2; every lane has `n` blocks.
        unsafe { compress_avx2(states, &lanes, n) }
    }
}

/// One MD5 step on eight lanes: `a = b + rotl(a + f(b, c, d) + K[i] + m, s)`.
macro_rules! step {
    ($f:ident, $a:ident, $b:ident, $c:ident, $d:ident, $m:expr, $i:literal, $s:literal) => {
        let t = _mm256_add_epi32($a, _mm256_set1_epi32(K[$i] as i32));
        let t = _mm256_add_epi32(_mm256_add_epi32(t, $m), $f!($b, $c, $d));
        let r = _mm256_or_si256(
            _mm256_slli_epi32::<$s>(t),
            _mm256_srli_epi32::<{ 32 - $s }>(t),
        );
        $a = _mm256_add_epi32($b, r);
    };
}
// The four round functions, written with one operation fewer on the newest input where the
// algebra allows (F = d ^ (b & (c ^ d)), G = c ^ (d & (b ^ c))).
macro_rules! f {
    ($b:ident, $c:ident, $d:ident) => {
        _mm256_xor_si256($d, _mm256_and_si256($b, _mm256_xor_si256($c, $d)))
    };
}
macro_rules! g {
    ($b:ident, $c:ident, $d:ident) => {
        _mm256_xor_si256($c, _mm256_and_si256($d, _mm256_xor_si256($b, $c)))
    };
}
macro_rules! h {
    ($b:ident, $c:ident, $d:ident) => {
        _mm256_xor_si256($b, _mm256_xor_si256($c, $d))
    };
}
macro_rules! i {
    ($b:ident, $c:ident, $d:ident) => {
        _mm256_xor_si256(
            $c,
            _mm256_or_si256($b, _mm256_xor_si256($d, _mm256_set1_epi32(-1))),
        )
    };
}

/// Turns eight rows of eight 32-bit words into eight columns.
#[target_feature(enable = "avx2")]
fn transpose(r: [__m256i; 8]) -> [__m256i; 8] {
    let t0 = _mm256_unpacklo_epi32(r[0], r[1]);
    let t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    let t2 = _mm256_unpacklo_epi32(r[2], r[3]);
    let t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    let t4 = _mm256_unpacklo_epi32(r[4], r[5]);
    let t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    let t6 = _mm256_unpacklo_epi32(r[6], r[7]);
    let t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    let u0 = _mm256_unpacklo_epi64(t0, t2);
    let u1 = _mm256_unpackhi_epi64(t0, t2);
    let u2 = _mm256_unpacklo_epi64(t1, t3);
    let u3 = _mm256_unpackhi_epi64(t1, t3);
    let u4 = _mm256_unpacklo_epi64(t4, t6);
    let u5 = _mm256_unpackhi_epi64(t4, t6);
    let u6 = _mm256_unpacklo_epi64(t5, t7);
    let u7 = _mm256_unpackhi_epi64(t5, t7);
    [
        _mm256_permute2x128_si256::<0x20>(u0, u4),
        _mm256_permute2x128_si256::<0x20>(u1, u5),
        _mm256_permute2x128_si256::<0x20>(u2, u6),
        _mm256_permute2x128_si256::<0x20>(u3, u7),
        _mm256_permute2x128_si256::<0x31>(u0, u4),
        _mm256_permute2x128_si256::<0x31>(u1, u5),
        _mm256_permute2x128_si256::<0x31>(u2, u6),
        _mm256_permute2x128_si256::<0x31>(u3, u7),
    ]
}

/// Loads 32 bytes from offset `half * 32` of a block.
#[target_feature(enable = "avx2")]
fn load_half(block: &[u8; 64], half: usize) -> __m256i {
    let bytes: &[u8; 32] = match half {
        0 => block.first_chunk().unwrap_or(&[0; 32]),
        _ => block.last_chunk().unwrap_or(&[0; 32]),
    };
    // SAFETY: `bytes` is 32 readable bytes; the load has no alignment requirement.
    unsafe { _mm256_loadu_si256(bytes.as_ptr().cast()) }
}

/// # Safety
/// The CPU must have AVX2, and every lane must hold at least `n` blocks.
#[target_feature(enable = "avx2")]
unsafe fn compress_avx2(states: &mut [[u32; 4]; 8], lanes: &[&[[u8; 64]]; 8], n: usize) {
    let column = |j: usize| {
        let w: [u32; 8] = std::array::from_fn(|l| states[l][j]);
        // SAFETY: `w` is 32 readable bytes; the load has no alignment requirement.
        unsafe { _mm256_loadu_si256(w.as_ptr().cast()) }
    };
    let (mut sa, mut sb, mut sc, mut sd) = (column(0), column(1), column(2), column(3));
    // One index walks eight slices at once.
    #[allow(clippy::needless_range_loop)]
    for blk in 0..n {
        let lo = transpose(std::array::from_fn(|l| load_half(&lanes[l][blk], 0)));
        let hi = transpose(std::array::from_fn(|l| load_half(&lanes[l][blk], 1)));
        let m = |j: usize| if j < 8 { lo[j] } else { hi[j - 8] };
        let (mut a, mut b, mut c, mut d) = (sa, sb, sc, sd);
        step!(f, a, b, c, d, m(0), 0, 7);
        step!(f, d, a, b, c, m(1), 1, 12);
        step!(f, c, d, a, b, m(2), 2, 17);
        step!(f, b, c, d, a, m(3), 3, 22);
        step!(f, a, b, c, d, m(4), 4, 7);
        step!(f, d, a, b, c, m(5), 5, 12);
        step!(f, c, d, a, b, m(6), 6, 17);
        step!(f, b, c, d, a, m(7), 7, 22);
        step!(f, a, b, c, d, m(8), 8, 7);
        step!(f, d, a, b, c, m(9), 9, 12);
        step!(f, c, d, a, b, m(10), 10, 17);
        step!(f, b, c, d, a, m(11), 11, 22);
        step!(f, a, b, c, d, m(12), 12, 7);
        step!(f, d, a, b, c, m(13), 13, 12);
        step!(f, c, d, a, b, m(14), 14, 17);
        step!(f, b, c, d, a, m(15), 15, 22);

        step!(g, a, b, c, d, m(1), 16, 5);
        step!(g, d, a, b, c, m(6), 17, 9);
        step!(g, c, d, a, b, m(11), 18, 14);
        step!(g, b, c, d, a, m(0), 19, 20);
        step!(g, a, b, c, d, m(5), 20, 5);
        step!(g, d, a, b, c, m(10), 21, 9);
        step!(g, c, d, a, b, m(15), 22, 14);
        step!(g, b, c, d, a, m(4), 23, 20);
        step!(g, a, b, c, d, m(9), 24, 5);
        step!(g, d, a, b, c, m(14), 25, 9);
        step!(g, c, d, a, b, m(3), 26, 14);
        step!(g, b, c, d, a, m(8), 27, 20);
        step!(g, a, b, c, d, m(13), 28, 5);
        step!(g, d, a, b, c, m(2), 29, 9);
        step!(g, c, d, a, b, m(7), 30, 14);
        step!(g, b, c, d, a, m(12), 31, 20);

        step!(h, a, b, c, d, m(5), 32, 4);
        step!(h, d, a, b, c, m(8), 33, 11);
        step!(h, c, d, a, b, m(11), 34, 16);
        step!(h, b, c, d, a, m(14), 35, 23);
        step!(h, a, b, c, d, m(1), 36, 4);
        step!(h, d, a, b, c, m(4), 37, 11);
        step!(h, c, d, a, b, m(7), 38, 16);
        step!(h, b, c, d, a, m(10), 39, 23);
        step!(h, a, b, c, d, m(13), 40, 4);
        step!(h, d, a, b, c, m(0), 41, 11);
        step!(h, c, d, a, b, m(3), 42, 16);
        step!(h, b, c, d, a, m(6), 43, 23);
        step!(h, a, b, c, d, m(9), 44, 4);
        step!(h, d, a, b, c, m(12), 45, 11);
        step!(h, c, d, a, b, m(15), 46, 16);
        step!(h, b, c, d, a, m(2), 47, 23);

        step!(i, a, b, c, d, m(0), 48, 6);
        step!(i, d, a, b, c, m(7), 49, 10);
        step!(i, c, d, a, b, m(14), 50, 15);
        step!(i, b, c, d, a, m(5), 51, 21);
        step!(i, a, b, c, d, m(12), 52, 6);
        step!(i, d, a, b, c, m(3), 53, 10);
        step!(i, c, d, a, b, m(10), 54, 15);
        step!(i, b, c, d, a, m(1), 55, 21);
        step!(i, a, b, c, d, m(8), 56, 6);
        step!(i, d, a, b, c, m(15), 57, 10);
        step!(i, c, d, a, b, m(6), 58, 15);
        step!(i, b, c, d, a, m(13), 59, 21);
        step!(i, a, b, c, d, m(4), 60, 6);
        step!(i, d, a, b, c, m(11), 61, 10);
        step!(i, c, d, a, b, m(2), 62, 15);
        step!(i, b, c, d, a, m(9), 63, 21);

        sa = _mm256_add_epi32(sa, a);
        sb = _mm256_add_epi32(sb, b);
        sc = _mm256_add_epi32(sc, c);
        sd = _mm256_add_epi32(sd, d);
    }
    let mut out = [[0u32; 8]; 4];
    for (o, v) in out.iter_mut().zip([sa, sb, sc, sd]) {
        // SAFETY: `o` is 32 writable bytes; the store has no alignment requirement.
        unsafe { _mm256_storeu_si256(o.as_mut_ptr().cast(), v) };
    }
    for (l, state) in states.iter_mut().enumerate() {
        *state = [out[0][l], out[1][l], out[2][l], out[3][l]];
    }
}
