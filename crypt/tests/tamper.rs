//! Changed stored bytes are an error, never other plaintext.

mod support;

use strata_crypt::{Cipher, ObjectKey, OpenError};
use support::{key, open, package_span, plaintext, read_range, seal, P};

const SIZE: usize = 4 * P + 1000; // 5 packages, the last short

fn sealed(key: &ObjectKey, stream: u32, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let data = plaintext(SIZE, seed);
    let stored = seal(key, stream, Cipher::Aes256Gcm, &data, seed);
    (data, stored)
}

/// Opening the whole stream fails, and so does every range over the damaged spot.
fn assert_refused(key: &ObjectKey, stream: u32, stored: &[u8]) -> OpenError {
    match open(key, stream, stored, 5) {
        Ok(_) => panic!("tampered stream opened"),
        Err(e) => e,
    }
}

#[test]
fn a_flipped_bit_anywhere_is_refused() {
    let key = key();
    let (_, stored) = sealed(&key, 0, 1);
    for at in [
        0,
        1,
        3,
        9,
        15,
        16,
        100,
        16 + P,
        16 + P + 15,
        16 + P + 16,
        stored.len() - 17,
        stored.len() - 1,
    ] {
        let mut bad = stored.clone();
        bad[at] ^= 0x10;
        assert_refused(&key, 0, &bad);
    }
}

#[test]
fn a_flipped_bit_is_refused_by_ranged_reads() {
    let key = key();
    let (_, stored) = sealed(&key, 0, 1);
    let mut bad = stored.clone();
    bad[package_span(stored.len(), 2).start + 7] ^= 1;
    let err = read_range(
        &key,
        0,
        &bad,
        SIZE as u64,
        2 * P as u64 + 10..2 * P as u64 + 20,
        1,
    )
    .unwrap_err();
    assert_eq!(err, OpenError::Authentication { package: 2 });
    // A header bit changes every package's associated data.
    let mut bad = stored.clone();
    bad[12] ^= 1;
    let err = read_range(&key, 0, &bad, SIZE as u64, 10..20, 1).unwrap_err();
    assert_eq!(err, OpenError::Authentication { package: 0 });
}

#[test]
fn truncation_at_and_between_package_boundaries_is_refused() {
    let key = key();
    let (_, stored) = sealed(&key, 0, 2);
    let mut cuts = vec![0, 1, 15, 16, 17, 31, 32];
    for i in 1..5 {
        let boundary = 16 + i * (P + 16);
        cuts.extend([boundary - 1, boundary, boundary + 1, boundary + 16]);
    }
    cuts.push(stored.len() - 1);
    for cut in cuts {
        let err = assert_refused(&key, 0, &stored[..cut]);
        assert!(
            matches!(
                err,
                OpenError::Truncated | OpenError::Authentication { .. } | OpenError::BadHeader
            ),
            "cut at {cut}: {err:?}"
        );
    }
}

#[test]
fn dropping_the_final_package_is_refused() {
    let key = key();
    let (_, stored) = sealed(&key, 0, 3);
    let last = package_span(stored.len(), 4);
    let err = assert_refused(&key, 0, &stored[..last.start]);
    assert_eq!(
        err,
        OpenError::Authentication { package: 3 },
        "package 3 was not sealed as final"
    );
}

#[test]
fn an_empty_object_without_its_final_package_is_refused() {
    let key = key();
    let stored = seal(&key, 0, Cipher::Aes256Gcm, b"", 1);
    assert_eq!(stored.len(), 32);
    assert_eq!(open(&key, 0, &stored, 1).unwrap(), b"");
    assert_eq!(open(&key, 0, &stored[..16], 1), Err(OpenError::Truncated));
}

#[test]
fn reordered_packages_are_refused() {
    let key = key();
    let (_, stored) = sealed(&key, 0, 4);
    let (one, two) = (package_span(stored.len(), 1), package_span(stored.len(), 2));
    let mut bad = stored.clone();
    bad[one.clone()].copy_from_slice(&stored[two.clone()]);
    bad[two].copy_from_slice(&stored[one]);
    assert_eq!(
        assert_refused(&key, 0, &bad),
        OpenError::Authentication { package: 1 }
    );
}

#[test]
fn an_appended_package_is_refused() {
    let key = key();
    let (_, stored) = sealed(&key, 0, 5);
    let mut bad = stored.clone();
    bad.extend_from_slice(&stored[package_span(stored.len(), 1)]);
    assert_refused(&key, 0, &bad);
    let mut bad = stored.clone();
    bad.push(0);
    assert_refused(&key, 0, &bad);
}

#[test]
fn a_full_final_package_followed_by_more_is_refused() {
    let key = key();
    let data = plaintext(2 * P, 1);
    let stored = seal(&key, 0, Cipher::Aes256Gcm, &data, 1);
    let mut bad = stored.clone();
    bad.extend_from_slice(&stored[package_span(stored.len(), 0)]);
    assert_eq!(
        assert_refused(&key, 0, &bad),
        OpenError::Authentication { package: 1 }
    );
}

#[test]
fn a_package_spliced_from_another_object_is_refused() {
    let (key_a, key_b) = (key(), key());
    let (_, a) = sealed(&key_a, 0, 6);
    let (_, b) = sealed(&key_b, 0, 6);
    let span = package_span(a.len(), 2);
    let mut bad = a.clone();
    bad[span.clone()].copy_from_slice(&b[span]);
    assert_eq!(
        assert_refused(&key_a, 0, &bad),
        OpenError::Authentication { package: 2 }
    );
}

#[test]
fn a_package_spliced_from_another_stream_under_the_same_key_is_refused() {
    // Same object key and stream number: a re-uploaded part. Only the random prefix differs.
    let key = key();
    let (_, a) = sealed(&key, 7, 8);
    let (_, b) = sealed(&key, 7, 8);
    let span = package_span(a.len(), 2);
    let mut bad = a.clone();
    bad[span.clone()].copy_from_slice(&b[span]);
    assert_eq!(
        assert_refused(&key, 7, &bad),
        OpenError::Authentication { package: 2 }
    );
    // And the other stream's header with this stream's packages.
    let mut bad = a.clone();
    bad[..16].copy_from_slice(&b[..16]);
    assert_eq!(
        assert_refused(&key, 7, &bad),
        OpenError::Authentication { package: 0 }
    );
}

#[test]
fn a_package_spliced_from_another_part_is_refused() {
    let key = key();
    let (_, part1) = sealed(&key, 1, 9);
    let (_, part2) = sealed(&key, 2, 9);
    let span = package_span(part1.len(), 1);
    let mut bad = part1.clone();
    bad[span.clone()].copy_from_slice(&part2[span]);
    assert_eq!(
        assert_refused(&key, 1, &bad),
        OpenError::Authentication { package: 1 }
    );
    // A whole part read as another part.
    assert_eq!(
        assert_refused(&key, 1, &part2),
        OpenError::Authentication { package: 0 }
    );
}

#[test]
fn the_wrong_object_key_is_refused() {
    let (_, stored) = sealed(&key(), 0, 10);
    assert_eq!(
        assert_refused(&key(), 0, &stored),
        OpenError::Authentication { package: 0 }
    );
}

#[test]
fn a_changed_cipher_or_version_is_refused() {
    let key = key();
    let (_, stored) = sealed(&key, 0, 11);
    let mut bad = stored.clone();
    bad[1] = 2;
    assert_eq!(
        assert_refused(&key, 0, &bad),
        OpenError::Authentication { package: 0 }
    );
    bad[1] = 9;
    assert_eq!(assert_refused(&key, 0, &bad), OpenError::UnknownCipher(9));
    let mut bad = stored.clone();
    bad[0] = 2;
    assert_eq!(assert_refused(&key, 0, &bad), OpenError::UnknownVersion(2));
    let mut bad = stored.clone();
    bad[4] = 1;
    assert_eq!(assert_refused(&key, 0, &bad), OpenError::BadHeader);
}

#[test]
fn ranged_reads_refuse_short_or_long_package_bytes() {
    use strata_crypt::{RangePlan, RangedOpener};
    let key = key();
    let (_, stored) = sealed(&key, 0, 12);
    let plan = RangePlan::new(SIZE as u64, P as u64..2 * P as u64 + 1).unwrap();
    let range = plan.packages().start as usize..plan.packages().end as usize;
    // One byte short: the second package never completes.
    let mut opener = RangedOpener::new(&key, 0, &stored[..16], &plan).unwrap();
    let got = opener
        .update(stored[range.start..range.end - 1].to_vec().into())
        .unwrap();
    assert_eq!(got.len(), P, "the complete first package is returned");
    assert_eq!(opener.finish(), Err(OpenError::Truncated));
    // One byte too many.
    let mut opener = RangedOpener::new(&key, 0, &stored[..16], &plan).unwrap();
    let err = opener
        .update(stored[range.start..range.end + 1].to_vec().into())
        .unwrap_err();
    assert_eq!(err, OpenError::TrailingData);
    assert_eq!(opener.update(bytes::Bytes::new()), Err(OpenError::Poisoned));
}

#[test]
fn a_ranged_read_of_a_truncated_final_package_is_refused() {
    // The gateway trusts its stored size; a file cut short gives fewer bytes than planned,
    // and a file whose final package was swapped for a non-final one fails authentication.
    let key = key();
    let (_, stored) = sealed(&key, 0, 13);
    let size = SIZE as u64;
    let mut bad = stored.clone();
    let last = package_span(stored.len(), 4);
    let three = package_span(stored.len(), 3);
    bad.truncate(last.start);
    bad.extend_from_slice(&stored[three.start..three.start + last.len()]);
    let err = read_range(&key, 0, &bad, size, size - 5..size, 1).unwrap_err();
    assert_eq!(err, OpenError::Authentication { package: 4 });
}

#[test]
fn garbage_of_every_small_length_is_refused_without_panicking() {
    let key = key();
    for len in 0..200 {
        let garbage = plaintext(len, len as u64);
        assert!(open(&key, 0, &garbage, 1).is_err(), "length {len}");
    }
}
