//! Identity bodies: the signed SHA-256, `Content-MD5`, `x-amz-checksum-*` headers.

use http::{HeaderMap, HeaderValue};

use crate::checksum::{checksum, content_md5_base64, ChecksumAlgorithm, Md5Hasher};

use super::*;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

fn unsigned(pairs: &[(&'static str, &str)]) -> Result<PayloadVerifier, AuthError> {
    PayloadVerifier::new(
        PayloadSpec::from_headers(PayloadMode::Unsigned, &headers(pairs))?,
        None,
    )
}

fn md5_of(data: &[u8]) -> [u8; 16] {
    let mut md5 = Md5Hasher::new();
    md5.update(data);
    md5.finalize()
}

#[test]
fn a_signed_payload_hash_is_checked_when_the_body_ends() {
    let body = b"hello world";
    let (parts, _) = sdk_sign("PUT", "/b/k", &[], Body::Bytes(body), Signing::default());
    let auth = authenticated(&parts);
    let (decoded, summary) = run_body(
        auth.payload_verifier(&parts.headers).unwrap(),
        body,
        &[3, 5],
    )
    .unwrap();
    assert_eq!(decoded, body);
    assert_eq!(summary.sha256, Some(Sha256::digest(body).into()));
    // Pushing a different body succeeds piece by piece and fails at the end.
    let mut verifier = auth.payload_verifier(&parts.headers).unwrap();
    let mut out = BytesMut::new();
    verifier.push(b"hello there", &mut out).unwrap();
    assert_eq!(
        verifier.finish().unwrap_err(),
        AuthError::XAmzContentSha256Mismatch
    );
}

#[test]
fn identity_bodies_can_be_observed_without_copying() {
    let body = b"observed";
    let (parts, _) = sdk_sign("PUT", "/b/k", &[], Body::Bytes(body), Signing::default());
    let mut verifier = authenticated(&parts)
        .payload_verifier(&parts.headers)
        .unwrap();
    assert!(verifier.is_identity());
    verifier.observe(&body[..3]).unwrap();
    verifier.observe(&body[3..]).unwrap();
    assert_eq!(verifier.finish().unwrap().decoded_length, 8);
}

#[test]
fn chunked_bodies_cannot_be_observed() {
    let (_, mut verifier, _) = super::chunked::streaming(super::chunked::SIGNED, 1, None);
    assert!(!verifier.is_identity());
    assert_eq!(
        verifier.observe(b"x").unwrap_err().s3_code(),
        "InvalidRequest"
    );
}

#[test]
fn content_md5_is_verified_and_must_be_well_formed() {
    let body = b"md5 me";
    let good = content_md5_base64(&md5_of(body));
    let (_, summary) = run_body(unsigned(&[("content-md5", &good)]).unwrap(), body, &[]).unwrap();
    assert_eq!(summary.md5, Some(md5_of(body)));
    let other = content_md5_base64(&md5_of(b"other"));
    let err = run_body(unsigned(&[("content-md5", &other)]).unwrap(), body, &[]).unwrap_err();
    assert_eq!(err, AuthError::BadDigest("Content-MD5"));
    assert_eq!(
        unsigned(&[("content-md5", "nope")]).unwrap_err(),
        AuthError::InvalidDigest
    );
}

#[test]
fn checksum_headers_are_verified_for_every_algorithm() {
    let body = b"checksummed body";
    for alg in ChecksumAlgorithm::ALL {
        let value = checksum(alg, body).to_base64();
        let verifier = unsigned(&[(alg.header_name(), &value)]).unwrap();
        let (_, summary) = run_body(verifier, body, &[4]).unwrap();
        assert_eq!(summary.client_checksum, Some(alg));
        assert_eq!(summary.checksum(alg).unwrap().to_base64(), value);
        let wrong = checksum(alg, b"x").to_base64();
        let err =
            run_body(unsigned(&[(alg.header_name(), &wrong)]).unwrap(), body, &[]).unwrap_err();
        assert_eq!(err, AuthError::BadDigest(alg.as_str()));
        assert_eq!(err.s3_code(), "BadDigest");
    }
}

#[test]
fn malformed_or_conflicting_checksum_headers_are_invalid_requests() {
    let crc = checksum(ChecksumAlgorithm::Crc32, b"").to_base64();
    let sha = checksum(ChecksumAlgorithm::Sha256, b"").to_base64();
    let cases: &[&[(&'static str, &str)]] = &[
        &[("x-amz-checksum-crc32", "%%%")],
        &[("x-amz-checksum-crc32", &sha)],
        &[
            ("x-amz-checksum-crc32", &crc),
            ("x-amz-checksum-sha256", &sha),
        ],
        &[
            ("x-amz-checksum-crc32", &crc),
            ("x-amz-sdk-checksum-algorithm", "SHA256"),
        ],
        &[("x-amz-sdk-checksum-algorithm", "MD5")],
        &[("x-amz-trailer", "x-amz-checksum-crc32")],
    ];
    for pairs in cases {
        assert_eq!(
            unsigned(pairs).unwrap_err().s3_code(),
            "InvalidRequest",
            "{pairs:?}"
        );
    }
}

#[test]
fn the_sdk_checksum_algorithm_alone_is_computed_and_reported() {
    let verifier = unsigned(&[("x-amz-sdk-checksum-algorithm", "CRC64NVME")]).unwrap();
    let (_, summary) = run_body(verifier, b"123456789", &[]).unwrap();
    let crc = summary.checksum(ChecksumAlgorithm::Crc64Nvme).unwrap();
    assert_eq!(crc.as_bytes(), 0xAE8B_1486_0A79_9888u64.to_be_bytes());
    assert_eq!(summary.client_checksum, None);
}

#[test]
fn callers_can_ask_for_md5_and_extra_checksums() {
    let verifier = unsigned(&[])
        .unwrap()
        .with_md5()
        .with_checksum(ChecksumAlgorithm::Sha1);
    let (_, summary) = run_body(verifier, b"abc", &[1]).unwrap();
    assert_eq!(summary.md5, Some(md5_of(b"abc")));
    assert_eq!(
        summary.checksum(ChecksumAlgorithm::Sha1),
        Some(&checksum(ChecksumAlgorithm::Sha1, b"abc"))
    );
    assert_eq!(summary.sha256, None);
}

#[test]
fn an_identity_body_longer_than_announced_fails_early() {
    let mut verifier = unsigned(&[("x-amz-decoded-content-length", "2")]).unwrap();
    let mut out = BytesMut::new();
    assert_eq!(
        verifier.push(b"abc", &mut out).unwrap_err().s3_code(),
        "InvalidRequest"
    );
    let verifier = unsigned(&[("x-amz-decoded-content-length", "4")]).unwrap();
    assert_eq!(
        run_body(verifier, b"abc", &[]).unwrap_err(),
        AuthError::IncompleteBody
    );
}

#[test]
fn a_checksum_of_an_algorithm_strata_does_not_compute_is_refused_not_skipped() {
    let refused = unsigned(&[("x-amz-checksum-xxhash64", "AAAAAAAAAAA=")]);
    assert!(
        matches!(refused, Err(AuthError::InvalidRequest(ref m)) if m.contains("xxhash64")),
        "{refused:?}"
    );
    for name in [
        "x-amz-checksum-mode",
        "x-amz-checksum-type",
        "x-amz-checksum-algorithm",
    ] {
        assert!(unsigned(&[(name, "ENABLED")]).is_ok(), "{name}");
    }
}
