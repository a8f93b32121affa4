//! Fuzzes the `aws-chunked` payload verifier of `strata_gateway::auth` in every streaming
//! mode, two ways:
//!
//! * raw: the input is the body, pushed in pieces; nothing may panic, and a body that is
//!   accepted must have exactly the announced decoded length;
//! * structured: the input is a payload, encoded correctly (signed where the mode is), then
//!   optionally one byte is altered; an unaltered body must decode to the payload, and an
//!   altered one must never decode to anything else.
//!
//! Input layout: byte 0 = flags (bits 0-1 mode, bit 2 structured, bits 3-5 trailer
//! algorithm), byte 1 = piece size, bytes 2-3 = decoded length (raw) or position of the
//! altered byte (structured), byte 4 = xor of the altered byte (structured), then the body
//! or payload.

#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use strata_gateway::auth::{ChunkSigner, PayloadMode, PayloadSpec, PayloadVerifier};
use strata_gateway::checksum::{checksum, ChecksumAlgorithm};

const SECRET: &str = "fuzz/secret/key";
const REGION: &str = "us-east-1";
const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
// 1_700_000_000 seconds after the epoch.
const AMZ_DATE: &str = "20231114T221320Z";

fn signing_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn mode_of(flags: u8) -> PayloadMode {
    match flags & 3 {
        1 => PayloadMode::StreamingUnsignedTrailer,
        2 => PayloadMode::StreamingSignedTrailer,
        _ => PayloadMode::StreamingSigned,
    }
}

fn verifier(
    mode: PayloadMode,
    decoded: u64,
    trailer: Option<ChecksumAlgorithm>,
) -> PayloadVerifier {
    let mut spec = PayloadSpec::new(mode);
    spec.decoded_length = Some(decoded);
    spec.trailer_checksum = trailer;
    let signer = mode
        .is_signed_streaming()
        .then(|| ChunkSigner::new(SECRET, signing_time(), REGION, "s3", SEED));
    match PayloadVerifier::new(spec, signer) {
        Ok(v) => v,
        Err(e) => panic!("a valid spec was refused: {e}"),
    }
}

/// Pushes `body` in pieces of `piece` bytes (0 = all at once) and finishes.
fn run(mut v: PayloadVerifier, body: &[u8], piece: usize) -> Option<(Vec<u8>, u64)> {
    let mut out = BytesMut::new();
    let piece = if piece == 0 { body.len().max(1) } else { piece };
    for part in body.chunks(piece) {
        v.push(part, &mut out).ok()?;
    }
    let summary = v.finish().ok()?;
    Some((out.to_vec(), summary.decoded_length))
}

/// A correct encoding, written from the AWS specification.
fn encode(
    mode: PayloadMode,
    payload: &[u8],
    chunk: usize,
    trailer: Option<ChecksumAlgorithm>,
) -> Vec<u8> {
    let key = generate_signing_key(SECRET, signing_time(), REGION, "s3");
    let scope = format!("{}/{REGION}/s3/aws4_request", &AMZ_DATE[..8]);
    let mut previous = SEED.to_owned();
    let signed = mode.is_signed_streaming();
    let mut sign = |algorithm: &str, hashes: String| {
        let sts = format!("{algorithm}\n{AMZ_DATE}\n{scope}\n{previous}\n{hashes}");
        previous = calculate_signature(key.as_ref(), sts.as_bytes());
        previous.clone()
    };
    let empty = hex::encode(Sha256::digest(b""));
    let mut out = Vec::new();
    let mut chunks: Vec<&[u8]> = payload.chunks(chunk.max(1)).collect();
    chunks.push(b"");
    for c in chunks {
        out.extend_from_slice(format!("{:x}", c.len()).as_bytes());
        if signed {
            let sig = sign(
                "AWS4-HMAC-SHA256-PAYLOAD",
                format!("{empty}\n{}", hex::encode(Sha256::digest(c))),
            );
            out.extend_from_slice(format!(";chunk-signature={sig}").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if !c.is_empty() {
            out.extend_from_slice(c);
            out.extend_from_slice(b"\r\n");
        }
    }
    if let Some(alg) = trailer {
        let line = format!(
            "{}:{}",
            alg.header_name(),
            checksum(alg, payload).to_base64()
        );
        out.extend_from_slice(format!("{line}\r\n").as_bytes());
        if signed {
            let hash = hex::encode(Sha256::digest(format!("{line}\n").as_bytes()));
            let sig = sign("AWS4-HMAC-SHA256-TRAILER", hash);
            out.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n").as_bytes());
        }
    } else if mode == PayloadMode::StreamingSignedTrailer {
        // A signed trailer section always ends with its signature, even when empty.
        let sig = sign("AWS4-HMAC-SHA256-TRAILER", empty.clone());
        out.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

fuzz_target!(|data: &[u8]| {
    let [flags, piece, a, b, xor, rest @ ..] = data else {
        return;
    };
    let mode = mode_of(*flags);
    let trailer = if mode.has_trailer() {
        ChecksumAlgorithm::ALL
            .get(usize::from(*flags >> 3 & 7))
            .copied()
    } else {
        None
    };
    let piece = usize::from(*piece);
    let number = usize::from(u16::from_le_bytes([*a, *b]));
    if flags & 4 == 0 {
        // Raw: the rest (xor byte included) is the body.
        let body = data.get(4..).unwrap_or_default();
        if let Some((out, decoded)) = run(verifier(mode, number as u64, trailer), body, piece) {
            assert_eq!(out.len(), number);
            assert_eq!(decoded, number as u64);
        }
    } else {
        let payload = rest;
        let mut body = encode(mode, payload, piece.max(1) * 7, trailer);
        let v = verifier(mode, payload.len() as u64, trailer);
        if *xor == 0 {
            let decoded = run(v, &body, piece);
            assert_eq!(
                decoded.map(|d| d.0).as_deref(),
                Some(payload),
                "a valid body was refused"
            );
        } else {
            let at = number % body.len();
            if let Some(byte) = body.get_mut(at) {
                *byte ^= xor;
            }
            let decoded = run(v, &body, piece);
            // Without signatures or a checksum nothing can tell altered data apart.
            let protected = mode.is_signed_streaming() || trailer.is_some();
            if let (Some((out, _)), true) = (decoded, protected) {
                assert_eq!(out, payload, "an altered body decoded to other data");
            }
        }
    }
});
