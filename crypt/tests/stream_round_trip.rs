//! A sealed stream opens to exactly its plaintext, whatever the sizes and chunking.

mod support;

use bytes::Bytes;
use strata_crypt::{stored_size, Cipher, Opener, Sealer, WHOLE_OBJECT};
use support::{key, open, plaintext, seal, CIPHERS, P};

const SIZES: &[usize] = &[
    0,
    1,
    2,
    15,
    16,
    17,
    P - 1,
    P,
    P + 1,
    2 * P - 1,
    2 * P,
    2 * P + 1,
    5 * P + 12_345,
];

#[test]
fn every_size_round_trips_under_both_ciphers() {
    for cipher in CIPHERS {
        for (i, &size) in SIZES.iter().enumerate() {
            let key = key();
            let data = plaintext(size, i as u64);
            let stored = seal(&key, WHOLE_OBJECT, cipher, &data, 100 + i as u64);
            assert_eq!(
                stored.len() as u64,
                stored_size(size as u64).unwrap(),
                "{cipher:?} size {size}"
            );
            assert_eq!(
                open(&key, WHOLE_OBJECT, &stored, 200 + i as u64).unwrap(),
                data,
                "{cipher:?} size {size}"
            );
        }
    }
}

#[test]
fn random_sizes_and_chunkings_round_trip() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for round in 0..40 {
        let size = rng.gen_range(0..6 * P);
        let part = rng.gen_range(0..10_000u32);
        let cipher = CIPHERS[round % 2];
        let key = key();
        let data = plaintext(size, round as u64);
        let stored = seal(&key, part, cipher, &data, rng.gen());
        assert_eq!(
            open(&key, part, &stored, rng.gen()).unwrap(),
            data,
            "size {size} part {part}"
        );
    }
}

#[test]
fn one_chunk_of_everything_round_trips() {
    let key = key();
    let data = plaintext(3 * P + 5, 1);
    let mut sealer = Sealer::new(&key, 3, Cipher::Aes256Gcm).unwrap();
    let mut stored = sealer.update(Bytes::from(data.clone())).unwrap().to_vec();
    stored.extend_from_slice(&sealer.finish().unwrap());
    let mut opener = Opener::new(&key, 3);
    let mut out = opener.update(Bytes::from(stored)).unwrap().to_vec();
    out.extend_from_slice(&opener.finish().unwrap());
    assert_eq!(out, data);
}

#[test]
fn empty_chunks_change_nothing() {
    let key = key();
    let data = plaintext(P + 3, 2);
    let mut sealer = Sealer::new(&key, 0, Cipher::ChaCha20Poly1305).unwrap();
    let mut stored = Vec::new();
    for piece in [&data[..0], &data[..10], &data[10..10], &data[10..]] {
        stored.extend_from_slice(&sealer.update(Bytes::copy_from_slice(piece)).unwrap());
    }
    stored.extend_from_slice(&sealer.finish().unwrap());
    assert_eq!(open(&key, 0, &stored, 3).unwrap(), data);
}

#[test]
fn the_same_plaintext_seals_differently_each_time() {
    let key = key();
    let data = plaintext(1000, 3);
    let a = seal(&key, 0, Cipher::Aes256Gcm, &data, 1);
    let b = seal(&key, 0, Cipher::Aes256Gcm, &data, 1);
    assert_ne!(a, b, "the nonce prefix is random per stream");
}

#[test]
fn the_header_names_version_and_cipher() {
    let key = key();
    let aes = seal(&key, 0, Cipher::Aes256Gcm, b"x", 1);
    let chacha = seal(&key, 0, Cipher::ChaCha20Poly1305, b"x", 1);
    assert_eq!(&aes[..8], &[1, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&chacha[..8], &[1, 2, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn plaintext_does_not_appear_in_the_stored_bytes() {
    let key = key();
    let data = b"recognisable plaintext ".repeat(10_000);
    let stored = seal(&key, 0, Cipher::Aes256Gcm, &data, 4);
    assert!(!stored.windows(23).any(|w| w == b"recognisable plaintext "));
}

#[test]
fn the_preferred_cipher_follows_the_cpu() {
    let expected = if strata_crypt::has_aes_instructions() {
        Cipher::Aes256Gcm
    } else {
        Cipher::ChaCha20Poly1305
    };
    assert_eq!(Cipher::preferred(), expected);
}
