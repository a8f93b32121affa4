//! The shared harness: seal and open whole streams, chunked in any way.

#![allow(dead_code)] // each test file uses a different part

use bytes::Bytes;
use rand::{Rng, RngCore, SeedableRng};
use strata_crypt::{Cipher, ObjectKey, OpenError, Opener, RangePlan, RangedOpener, Sealer};

pub const P: usize = 64 * 1024;
pub const CIPHERS: [Cipher; 2] = [Cipher::Aes256Gcm, Cipher::ChaCha20Poly1305];

pub fn key() -> ObjectKey {
    ObjectKey::generate().expect("the OS generator works")
}

pub fn plaintext(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rand::rngs::StdRng::seed_from_u64(seed).fill_bytes(&mut bytes);
    bytes
}

/// Cuts `data` into chunks of random sizes (1 byte up to ~2.5 packages), from `seed`.
pub fn chunks(data: &[u8], seed: u64) -> Vec<Bytes> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let max = match rng.gen_range(0..4) {
            0 => 7,
            1 => 4096,
            2 => P + 1,
            _ => 5 * P / 2,
        };
        let take = rng.gen_range(1..=max).min(rest.len());
        out.push(Bytes::copy_from_slice(&rest[..take]));
        rest = &rest[take..];
    }
    out
}

pub fn seal(key: &ObjectKey, stream: u32, cipher: Cipher, data: &[u8], seed: u64) -> Vec<u8> {
    let mut sealer = Sealer::new(key, stream, cipher).expect("new sealer");
    let mut out = Vec::new();
    for chunk in chunks(data, seed) {
        out.extend_from_slice(&sealer.update(chunk).expect("seal a chunk"));
    }
    out.extend_from_slice(&sealer.finish().expect("finish sealing"));
    out
}

pub fn open(key: &ObjectKey, stream: u32, stored: &[u8], seed: u64) -> Result<Vec<u8>, OpenError> {
    let mut opener = Opener::new(key, stream);
    let mut out = Vec::new();
    for chunk in chunks(stored, seed) {
        out.extend_from_slice(&opener.update(chunk)?);
    }
    out.extend_from_slice(&opener.finish()?);
    Ok(out)
}

/// Reads plaintext `range` of a stream of `size` bytes from its stored bytes, as the
/// gateway would: the header and the planned package bytes, in random chunks.
pub fn read_range(
    key: &ObjectKey,
    stream: u32,
    stored: &[u8],
    size: u64,
    range: std::ops::Range<u64>,
    seed: u64,
) -> Result<Vec<u8>, OpenError> {
    let plan = RangePlan::new(size, range).expect("a valid range");
    let header = &stored[plan.header().start as usize..plan.header().end as usize];
    let packages =
        &stored[plan.packages().start as usize..(plan.packages().end as usize).min(stored.len())];
    let mut opener = RangedOpener::new(key, stream, header, &plan)?;
    let mut out = Vec::new();
    for chunk in chunks(packages, seed) {
        out.extend_from_slice(&opener.update(chunk)?);
    }
    out.extend_from_slice(&opener.finish()?);
    Ok(out)
}

/// The stored bytes of package `i` (0-based) of a stream.
pub fn package_span(stored_len: usize, i: usize) -> std::ops::Range<usize> {
    let start = 16 + i * (P + 16);
    start..(start + P + 16).min(stored_len)
}
