//! `aws-chunked` bodies: signed, unsigned with trailer, signed with trailer.

use crate::checksum::{checksum, ChecksumAlgorithm};

use super::*;

pub(super) const SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
pub(super) const UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
pub(super) const SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

/// A streaming upload of `len` decoded bytes as an SDK signs it; returns the head, its
/// payload verifier and a reference encoder seeded with the head's signature.
pub(super) fn streaming(
    mode: &str,
    len: usize,
    trailer: Option<ChecksumAlgorithm>,
) -> (http::request::Parts, PayloadVerifier, RefEncoder) {
    let len = len.to_string();
    let mut headers = vec![
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", len.as_str()),
    ];
    if let Some(alg) = trailer {
        headers.push(("x-amz-trailer", alg.header_name()));
    }
    let (parts, seed) = sdk_sign(
        "PUT",
        "/bucket/key",
        &headers,
        Body::Precomputed(mode),
        Signing::default(),
    );
    let verifier = authenticated(&parts)
        .payload_verifier(&parts.headers)
        .unwrap();
    let signing =
        (mode != UNSIGNED_TRAILER).then(|| RefSigning::new(SECRET_KEY, now(), "us-east-1", &seed));
    (parts, verifier, RefEncoder { signing })
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn crc32_trailer(payload: &[u8]) -> (&'static str, String) {
    (
        "x-amz-checksum-crc32",
        checksum(ChecksumAlgorithm::Crc32, payload).to_base64(),
    )
}

#[test]
fn signed_chunks_decode_at_every_split_point() {
    let payload = data(40);
    let (_, _, mut encoder) = streaming(SIGNED, payload.len(), None);
    let body = encoder.encode(&chunks_of(&payload, 16), &[]);
    for split in 0..=body.len() {
        let (_, verifier, _) = streaming(SIGNED, payload.len(), None);
        let (decoded, summary) = run_body(verifier, &body, &[split]).unwrap();
        assert_eq!(decoded, payload, "split at {split}");
        assert_eq!(summary.decoded_length, 40);
    }
}

#[test]
fn a_body_fed_one_byte_at_a_time_decodes() {
    for mode in [SIGNED, UNSIGNED_TRAILER, SIGNED_TRAILER] {
        let payload = data(100);
        let (_, verifier, mut encoder) = streaming(
            mode,
            payload.len(),
            Some(ChecksumAlgorithm::Crc32).filter(|_| mode != SIGNED),
        );
        let (name, value) = crc32_trailer(&payload);
        let trailers: &[(&str, &str)] = if mode == SIGNED {
            &[]
        } else {
            &[(name, &value)]
        };
        let body = encoder.encode(&chunks_of(&payload, 33), trailers);
        let splits: Vec<usize> = (1..body.len()).collect();
        let (decoded, summary) = run_body(verifier, &body, &splits).unwrap();
        assert_eq!(decoded, payload, "{mode}");
        if mode != SIGNED {
            assert_eq!(summary.client_checksum, Some(ChecksumAlgorithm::Crc32));
        }
    }
}

#[test]
fn the_sdk_chunk_signer_agrees_with_the_reference_encoder() {
    let (_, seed) = sdk_sign(
        "PUT",
        "/bucket/key",
        &[("x-amz-decoded-content-length", "5")],
        Body::Precomputed(SIGNED),
        Signing::default(),
    );
    let identity: Identity = Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "tests").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(now())
        .settings(())
        .build()
        .unwrap();
    let sdk = v4::sign_chunk(&bytes::Bytes::from_static(b"hello"), &seed, &params).unwrap();
    let mut reference = RefSigning::new(SECRET_KEY, now(), "us-east-1", &seed);
    let ours = reference.next(
        "AWS4-HMAC-SHA256-PAYLOAD",
        &format!("{}\n{}", sha256_hex(b""), sha256_hex(b"hello")),
    );
    assert_eq!(sdk.signature(), ours);
}

#[test]
fn a_body_cut_short_anywhere_is_incomplete() {
    let payload = data(50);
    let (_, _, mut encoder) = streaming(SIGNED, payload.len(), None);
    let body = encoder.encode(&chunks_of(&payload, 20), &[]);
    // Only the closing empty line may be missing: the final chunk's signature was checked.
    for cut in 0..body.len() - 2 {
        let (_, verifier, _) = streaming(SIGNED, payload.len(), None);
        let err = run_body(verifier, &body[..cut], &[]).unwrap_err();
        assert_eq!(err, AuthError::IncompleteBody, "cut at {cut}");
    }
    let (_, verifier, _) = streaming(SIGNED, payload.len(), None);
    assert!(run_body(verifier, &body[..body.len() - 2], &[]).is_ok());
}

#[test]
fn a_forged_chunk_signature_or_altered_data_is_refused() {
    let payload = data(50);
    let (_, _, mut encoder) = streaming(SIGNED, payload.len(), None);
    let body = encoder.encode(&chunks_of(&payload, 20), &[]);
    let header_len = body.iter().position(|&b| b == b'\n').unwrap() + 1;
    let positions = [
        header_len - 3, // last hex digit of the first signature
        header_len + 5, // a data byte of the first chunk
        body.len() - 5, // the final chunk's signature
    ];
    for at in positions {
        let mut forged = body.clone();
        forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
        let (_, verifier, _) = streaming(SIGNED, payload.len(), None);
        assert_eq!(
            run_body(verifier, &forged, &[]).unwrap_err(),
            AuthError::SignatureDoesNotMatch,
            "byte {at}"
        );
    }
}

#[test]
fn chunks_in_another_order_break_the_chain() {
    let payload = data(40);
    let (_, _, mut encoder) = streaming(SIGNED, payload.len(), None);
    // Each encode call ends with the closing empty line; keep only the chunk bytes.
    let first = encoder.encode(&[&payload[..20]], &[]);
    let second = encoder.encode(&[&payload[20..]], &[]);
    let last = encoder.encode(&[b""], &[]);
    let swapped = [
        &second[..second.len() - 2],
        &first[..first.len() - 2],
        &last[..],
    ]
    .concat();
    let (_, verifier, _) = streaming(SIGNED, payload.len(), None);
    assert_eq!(
        run_body(verifier, &swapped, &[]).unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
}

#[test]
fn a_signed_stream_needs_a_signature_on_every_chunk() {
    let (_, verifier, _) = streaming(SIGNED, 3, None);
    let err = run_body(verifier, b"3\r\nabc\r\n0\r\n\r\n", &[]).unwrap_err();
    assert_eq!(err, AuthError::SignatureDoesNotMatch);
}

#[test]
fn oversized_chunks_and_endless_header_lines_are_refused_early() {
    let (_, mut verifier, _) = streaming(SIGNED, 100_000_000, None);
    let mut out = BytesMut::new();
    let header = format!(
        "{:x};chunk-signature={}\r\n",
        MAX_CHUNK_SIZE + 1,
        "0".repeat(64)
    );
    assert_eq!(
        verifier
            .push(header.as_bytes(), &mut out)
            .unwrap_err()
            .s3_code(),
        "InvalidRequest"
    );
    let (_, mut verifier, _) = streaming(SIGNED, 100, None);
    let err = verifier.push(&[b'1'; MAX_LINE + 1], &mut out).unwrap_err();
    assert_eq!(err.s3_code(), "InvalidRequest");
    // Errors are sticky.
    assert_eq!(
        verifier.push(b"", &mut out).unwrap_err().s3_code(),
        "InvalidRequest"
    );
    assert!(out.is_empty());
}

#[test]
fn the_decoded_length_must_match_the_announced_one() {
    let payload = data(30);
    for announced in [29, 31] {
        let (_, verifier, mut encoder) = streaming(SIGNED, announced, None);
        let body = encoder.encode(&chunks_of(&payload, 16), &[]);
        let err = run_body(verifier, &body, &[]).unwrap_err();
        let expected = if announced < 30 {
            "InvalidRequest"
        } else {
            "IncompleteBody"
        };
        assert_eq!(err.s3_code(), expected, "announced {announced}");
    }
}

#[test]
fn a_streaming_upload_without_a_decoded_length_is_refused() {
    let (parts, _) = sdk_sign(
        "PUT",
        "/b/k",
        &[],
        Body::Precomputed(SIGNED),
        Signing::default(),
    );
    let err = authenticated(&parts)
        .payload_verifier(&parts.headers)
        .unwrap_err();
    assert_eq!(err, AuthError::MissingContentLength);
    assert_eq!(err.http_status(), 411);
}

#[test]
fn every_trailer_checksum_algorithm_is_verified() {
    let payload = data(1000);
    for alg in ChecksumAlgorithm::ALL {
        for mode in [UNSIGNED_TRAILER, SIGNED_TRAILER] {
            let value = checksum(alg, &payload).to_base64();
            let (_, verifier, mut encoder) = streaming(mode, payload.len(), Some(alg));
            let body = encoder.encode(&chunks_of(&payload, 300), &[(alg.header_name(), &value)]);
            let (decoded, summary) = run_body(verifier, &body, &[]).unwrap();
            assert_eq!(decoded, payload);
            assert_eq!(
                summary.checksum(alg).unwrap().to_base64(),
                value,
                "{alg} {mode}"
            );
            // A wrong value (the checksum of other data) is a bad digest.
            let wrong = checksum(alg, b"other").to_base64();
            let (_, verifier, mut encoder) = streaming(mode, payload.len(), Some(alg));
            let body = encoder.encode(&chunks_of(&payload, 300), &[(alg.header_name(), &wrong)]);
            assert_eq!(
                run_body(verifier, &body, &[]).unwrap_err(),
                AuthError::BadDigest(alg.as_str())
            );
        }
    }
}

#[test]
fn a_forged_trailer_or_trailer_signature_is_refused() {
    let payload = data(10);
    let (name, value) = crc32_trailer(&payload);
    let (_, _, mut encoder) = streaming(SIGNED_TRAILER, 10, Some(ChecksumAlgorithm::Crc32));
    let body = encoder.encode(&chunks_of(&payload, 10), &[(name, &value)]);
    let text = String::from_utf8_lossy(&body).into_owned();
    // Change the checksum (keeping it valid base64) or the trailer signature.
    let other = checksum(ChecksumAlgorithm::Crc32, b"x").to_base64();
    let sig_at = text.find("x-amz-trailer-signature:").unwrap() + "x-amz-trailer-signature:".len();
    let mut forged_sig = body.clone();
    forged_sig[sig_at] = if forged_sig[sig_at] == b'0' {
        b'1'
    } else {
        b'0'
    };
    for forged in [text.replace(&value, &other).into_bytes(), forged_sig] {
        let (_, verifier, _) = streaming(SIGNED_TRAILER, 10, Some(ChecksumAlgorithm::Crc32));
        assert_eq!(
            run_body(verifier, &forged, &[]).unwrap_err(),
            AuthError::SignatureDoesNotMatch
        );
    }
    // Dropping the trailer signature altogether is refused too.
    let stripped = text.replace(&text[sig_at - 24..sig_at + 66], "");
    let (_, verifier, _) = streaming(SIGNED_TRAILER, 10, Some(ChecksumAlgorithm::Crc32));
    assert_eq!(
        run_body(verifier, stripped.as_bytes(), &[]).unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
}

#[test]
fn trailers_must_be_the_announced_one() {
    let payload = data(10);
    let (name, value) = crc32_trailer(&payload);
    // Announced but missing.
    let (_, verifier, mut encoder) =
        streaming(UNSIGNED_TRAILER, 10, Some(ChecksumAlgorithm::Crc32));
    let body = encoder.encode(&chunks_of(&payload, 10), &[]);
    assert_eq!(
        run_body(verifier, &body, &[]).unwrap_err().s3_code(),
        "InvalidRequest"
    );
    // Sent but not announced.
    let (_, verifier, mut encoder) = streaming(UNSIGNED_TRAILER, 10, None);
    let body = encoder.encode(&chunks_of(&payload, 10), &[(name, &value)]);
    assert_eq!(
        run_body(verifier, &body, &[]).unwrap_err().s3_code(),
        "InvalidRequest"
    );
    // A different checksum than announced.
    let (_, verifier, mut encoder) =
        streaming(UNSIGNED_TRAILER, 10, Some(ChecksumAlgorithm::Crc32c));
    let body = encoder.encode(&chunks_of(&payload, 10), &[(name, &value)]);
    assert_eq!(
        run_body(verifier, &body, &[]).unwrap_err().s3_code(),
        "InvalidRequest"
    );
    // A trailer in a mode without trailers, after a correctly signed final chunk.
    let (_, verifier, mut encoder) = streaming(SIGNED, 0, None);
    let mut body = encoder.encode(&[b""], &[]);
    body.truncate(body.len() - 2);
    body.extend_from_slice(b"x-amz-checksum-crc32:AAAAAA==\r\n\r\n");
    assert_eq!(
        run_body(verifier, &body, &[]).unwrap_err().s3_code(),
        "InvalidRequest"
    );
}

#[test]
fn the_unsigned_trailer_form_without_the_closing_line_is_accepted() {
    // boto3 and the CRT end with the trailer's CRLF and the closing CRLF; some clients omit
    // the closing one. Nothing is lost: the checksum trailer arrived whole.
    let (_, verifier, _) = streaming(UNSIGNED_TRAILER, 3, Some(ChecksumAlgorithm::Crc32));
    let (decoded, _) = run_body(
        verifier,
        b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n",
        &[],
    )
    .unwrap();
    assert_eq!(decoded, b"abc");
}

#[test]
fn data_after_the_end_of_the_body_is_refused() {
    let (_, verifier, _) = streaming(UNSIGNED_TRAILER, 3, Some(ChecksumAlgorithm::Crc32));
    let body = b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\nmore";
    assert_eq!(
        run_body(verifier, body, &[]).unwrap_err().s3_code(),
        "InvalidRequest"
    );
}

#[test]
fn restic_style_streaming_without_content_encoding_decodes() {
    // minio-go sends signed streaming bodies without `Content-Encoding: aws-chunked`.
    let payload = data(70);
    let len = payload.len().to_string();
    let headers = [("x-amz-decoded-content-length", len.as_str())];
    let (parts, seed) = sdk_sign(
        "PUT",
        "/restic/data/ab/abcdef",
        &headers,
        Body::Precomputed(SIGNED),
        Signing::default(),
    );
    assert!(!parts.headers.contains_key("content-encoding"));
    let verifier = authenticated(&parts)
        .payload_verifier(&parts.headers)
        .unwrap();
    let mut encoder = RefEncoder {
        signing: Some(RefSigning::new(SECRET_KEY, now(), "us-east-1", &seed)),
    };
    let body = encoder.encode(&chunks_of(&payload, 64), &[]);
    assert_eq!(run_body(verifier, &body, &[]).unwrap().0, payload);
}

#[test]
fn anonymous_unsigned_trailer_bodies_decode_but_signed_chunks_need_a_signature() {
    let (parts, ()) = http::Request::put("/b/k")
        .header("x-amz-content-sha256", UNSIGNED_TRAILER)
        .header("x-amz-decoded-content-length", "3")
        .header("x-amz-trailer", "x-amz-checksum-crc32")
        .body(())
        .unwrap()
        .into_parts();
    let outcome = verify(&parts).unwrap();
    assert!(matches!(outcome, AuthOutcome::Anonymous));
    let verifier = outcome.payload_verifier(&parts.headers).unwrap();
    let body = b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n";
    assert_eq!(run_body(verifier, body, &[]).unwrap().0, b"abc");
    let mut parts = parts;
    parts.headers.insert(
        "x-amz-content-sha256",
        http::HeaderValue::from_static(SIGNED),
    );
    parts.headers.remove("x-amz-trailer");
    let err = AuthOutcome::Anonymous
        .payload_verifier(&parts.headers)
        .unwrap_err();
    assert_eq!(err.s3_code(), "AccessDenied");
}
