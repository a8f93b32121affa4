//! The stored-size formula and its inverse.

use strata_crypt::{
    package_count, plaintext_size, stored_size, SizeError, MAX_PACKAGES, PACKAGE_SIZE,
};

const P: u64 = PACKAGE_SIZE;

#[test]
fn stored_size_is_header_plus_plaintext_plus_a_tag_per_package() {
    assert_eq!(stored_size(0).unwrap(), 32);
    assert_eq!(stored_size(1).unwrap(), 33);
    assert_eq!(stored_size(P - 1).unwrap(), 16 + P - 1 + 16);
    assert_eq!(stored_size(P).unwrap(), 16 + P + 16);
    assert_eq!(stored_size(P + 1).unwrap(), 16 + P + 1 + 32);
    assert_eq!(
        stored_size(64 * 1024 * 1024).unwrap(),
        16 + 64 * 1024 * 1024 + 1024 * 16
    );
}

#[test]
fn package_count_is_at_least_one() {
    assert_eq!(package_count(0), 1);
    assert_eq!(package_count(P), 1);
    assert_eq!(package_count(P + 1), 2);
}

#[test]
fn plaintext_size_inverts_stored_size() {
    for n in
        (0..3 * P + 40)
            .step_by(997)
            .chain([0, 1, P - 1, P, P + 1, 2 * P, 5 * 1024 * 1024 * 1024])
    {
        assert_eq!(plaintext_size(stored_size(n).unwrap()), Ok(n), "n = {n}");
    }
}

#[test]
fn sizes_that_no_stream_has_are_refused() {
    for s in [
        0,
        15,
        16,
        31,
        16 + P + 16 + 1,
        16 + P + 16 + 16,
        16 + 2 * (P + 16) + 5,
    ] {
        assert_eq!(
            plaintext_size(s),
            Err(SizeError::NotAStoredSize(s)),
            "s = {s}"
        );
    }
}

#[test]
fn every_stored_size_near_package_boundaries_inverts_or_is_refused() {
    for s in 0..(3 * (P + 16) + 64) {
        match plaintext_size(s) {
            Ok(n) => assert_eq!(stored_size(n).unwrap(), s),
            Err(e) => assert_eq!(e, SizeError::NotAStoredSize(s)),
        }
    }
}

#[test]
fn plaintexts_beyond_the_package_limit_are_refused() {
    let too_big = MAX_PACKAGES * P + 1;
    assert_eq!(stored_size(too_big), Err(SizeError::TooLarge(too_big)));
    assert!(stored_size(MAX_PACKAGES * P).is_ok());
    assert!(plaintext_size(u64::MAX).is_err());
}
