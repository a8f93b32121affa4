//! Deterministic test data: the same bytes for the same seed, never a short repeating pattern
//! (which compression or deduplication could make look right by accident).

use std::path::Path;

/// Bytes from xorshift64*, as the real-client tests write them to files.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Bytes from xorshift64, one byte per step, as the gateway's own tests send them.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Writes `random_bytes(len, seed)` to `path` (making its directory) and returns them.
pub fn write_random(path: &Path, len: usize, seed: u64) -> Vec<u8> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    let data = random_bytes(len, seed);
    std::fs::write(path, &data).expect("write random file");
    data
}

/// Asserts the file at `actual` holds exactly `expected`.
#[track_caller]
pub fn assert_same_file(expected: &[u8], actual: &Path) {
    let got = std::fs::read(actual).unwrap_or_else(|e| panic!("read {}: {e}", actual.display()));
    assert_eq!(
        got.len(),
        expected.len(),
        "{}: length differs",
        actual.display()
    );
    assert!(got == expected, "{}: content differs", actual.display());
}
