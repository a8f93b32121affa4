//! A range read yields exactly that slice of the plaintext, from the planned bytes only.

mod support;

use proptest::prelude::*;
use strata_crypt::{stored_size, Cipher, RangeError, RangePlan, PACKAGE_SIZE};
use support::{key, plaintext, read_range, seal, P};

#[test]
fn every_range_across_package_boundaries_equals_the_slice() {
    let key = key();
    let size = 3 * P + 100;
    let data = plaintext(size, 9);
    let stored = seal(&key, 0, Cipher::Aes256Gcm, &data, 1);
    let edges: Vec<usize> = [
        0,
        1,
        P - 1,
        P,
        P + 1,
        2 * P - 1,
        2 * P,
        2 * P + 1,
        3 * P - 1,
        3 * P,
        3 * P + 1,
        size - 1,
        size,
    ]
    .into_iter()
    .collect();
    for &a in &edges {
        for &e in &edges {
            if a < e {
                let got = read_range(
                    &key,
                    0,
                    &stored,
                    size as u64,
                    a as u64..e as u64,
                    (a * 31 + e) as u64,
                )
                .unwrap();
                assert_eq!(got, &data[a..e], "range {a}..{e}");
            }
        }
    }
}

#[test]
fn a_plan_reads_only_the_packages_it_needs() {
    let size = 10 * PACKAGE_SIZE;
    let plan = RangePlan::new(size, 3 * PACKAGE_SIZE + 5..3 * PACKAGE_SIZE + 6).unwrap();
    assert_eq!(plan.header(), 0..16);
    assert_eq!(
        plan.packages(),
        16 + 3 * (PACKAGE_SIZE + 16)..16 + 4 * (PACKAGE_SIZE + 16)
    );
    assert_eq!(plan.len(), 1);
    let last = RangePlan::new(size + 7, size..size + 7).unwrap();
    assert_eq!(
        last.packages(),
        16 + 10 * (PACKAGE_SIZE + 16)..stored_size(size + 7).unwrap()
    );
}

#[test]
fn empty_and_out_of_bounds_ranges_are_refused() {
    assert_eq!(RangePlan::new(10, 5..5), Err(RangeError::Empty));
    #[allow(clippy::reversed_empty_ranges)]
    let reversed = 6..5;
    assert_eq!(RangePlan::new(10, reversed), Err(RangeError::Empty));
    assert_eq!(
        RangePlan::new(10, 5..11),
        Err(RangeError::OutOfBounds { end: 11, size: 10 })
    );
    assert_eq!(
        RangePlan::new(0, 0..1),
        Err(RangeError::OutOfBounds { end: 1, size: 0 })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_range_of_any_stream_equals_the_slice(
        size in 1usize..(5 * P + 300),
        a_frac in 0.0f64..1.0,
        len_frac in 0.0f64..1.0,
        part in 0u32..10_000,
        chacha in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let cipher = if chacha { Cipher::ChaCha20Poly1305 } else { Cipher::Aes256Gcm };
        let key = key();
        let data = plaintext(size, seed);
        let stored = seal(&key, part, cipher, &data, seed);
        let a = ((size as f64) * a_frac) as usize % size;
        let e = a + 1 + (((size - a - 1) as f64) * len_frac) as usize;
        let got = read_range(&key, part, &stored, size as u64, a as u64..e as u64, seed ^ 1).unwrap();
        prop_assert_eq!(&got[..], &data[a..e]);
    }
}

#[test]
fn a_multipart_range_is_split_at_part_boundaries() {
    use strata_crypt::{split_range, PartRange};
    let parts = [10, 0, 5, 20];
    assert_eq!(
        split_range(&parts, 8..17).unwrap(),
        [
            PartRange {
                index: 0,
                range: 8..10
            },
            PartRange {
                index: 2,
                range: 0..5
            },
            PartRange {
                index: 3,
                range: 0..2
            }
        ]
    );
    assert_eq!(
        split_range(&parts, 10..15).unwrap(),
        [PartRange {
            index: 2,
            range: 0..5
        }]
    );
    assert_eq!(
        split_range(&parts, 0..1).unwrap(),
        [PartRange {
            index: 0,
            range: 0..1
        }]
    );
    assert_eq!(
        split_range(&parts, 34..35).unwrap(),
        [PartRange {
            index: 3,
            range: 19..20
        }]
    );
    assert_eq!(
        split_range(&parts, 3..36),
        Err(RangeError::OutOfBounds { end: 36, size: 35 })
    );
    assert_eq!(split_range(&parts, 3..3), Err(RangeError::Empty));
    assert_eq!(
        split_range(&[], 0..1),
        Err(RangeError::OutOfBounds { end: 1, size: 0 })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_range_of_a_multipart_object_equals_the_slice(
        sizes in proptest::collection::vec(1usize..(2 * P + 50), 1..4),
        a_frac in 0.0f64..1.0,
        len_frac in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        // One object key, one stream per part (part numbers 1..), as a multipart upload.
        let key = key();
        let data = plaintext(sizes.iter().sum(), seed);
        let mut stored_parts = Vec::new();
        let mut offset = 0;
        for (i, &size) in sizes.iter().enumerate() {
            stored_parts.push(seal(&key, i as u32 + 1, Cipher::Aes256Gcm, &data[offset..offset + size], seed + i as u64));
            offset += size;
        }
        let total = data.len();
        let a = ((total as f64) * a_frac) as usize % total;
        let e = a + 1 + (((total - a - 1) as f64) * len_frac) as usize;
        let part_sizes: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
        let mut got = Vec::new();
        for piece in strata_crypt::split_range(&part_sizes, a as u64..e as u64).unwrap() {
            let stream = piece.index as u32 + 1;
            got.extend(read_range(&key, stream, &stored_parts[piece.index], part_sizes[piece.index], piece.range, seed).unwrap());
        }
        prop_assert_eq!(&got[..], &data[a..e]);
    }
}

#[test]
fn part_sizes_that_overflow_do_not_panic() {
    let parts = [u64::MAX, u64::MAX];
    let pieces = strata_crypt::split_range(&parts, 5..10).unwrap();
    assert_eq!(
        pieces,
        [strata_crypt::PartRange {
            index: 0,
            range: 5..10
        }]
    );
}
