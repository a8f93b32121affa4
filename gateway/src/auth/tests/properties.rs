//! Properties over generated bodies: any split decodes the same, no input panics, and a
//! signed body that was altered never decodes to different data.

use proptest::prelude::*;

use crate::checksum::{checksum, ChecksumAlgorithm};

use super::chunked::{streaming, SIGNED, SIGNED_TRAILER, UNSIGNED_TRAILER};
use super::*;

const MODES: [&str; 3] = [SIGNED, UNSIGNED_TRAILER, SIGNED_TRAILER];

/// A valid body in `mode` for `payload`, and a fresh verifier for it.
fn encoded(mode: &str, payload: &[u8], chunk: usize) -> (PayloadVerifier, Vec<u8>) {
    let trailer = (mode != SIGNED).then_some(ChecksumAlgorithm::Crc32c);
    let (_, verifier, mut encoder) = streaming(mode, payload.len(), trailer);
    let value = checksum(ChecksumAlgorithm::Crc32c, payload).to_base64();
    let trailers: Vec<(&str, &str)> = trailer
        .map(|alg| (alg.header_name(), value.as_str()))
        .into_iter()
        .collect();
    (
        verifier,
        encoder.encode(&chunks_of(payload, chunk), &trailers),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_split_of_a_valid_body_decodes_to_the_payload(
        mode in 0..3usize,
        payload in proptest::collection::vec(any::<u8>(), 0..3000),
        chunk in 1..700usize,
        mut splits in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let (verifier, body) = encoded(MODES[mode], &payload, chunk);
        let mut splits: Vec<usize> = splits.drain(..).map(|i| i.index(body.len() + 1)).collect();
        splits.sort_unstable();
        let (decoded, summary) = run_body(verifier, &body, &splits).unwrap();
        prop_assert_eq!(&decoded, &payload);
        prop_assert_eq!(summary.decoded_length, payload.len() as u64);
    }

    #[test]
    fn an_altered_signed_body_never_decodes_to_other_data(
        mode in prop_oneof![Just(SIGNED), Just(SIGNED_TRAILER)],
        payload in proptest::collection::vec(any::<u8>(), 1..600),
        chunk in 1..200usize,
        at in any::<prop::sample::Index>(),
        xor in 1..=255u8,
    ) {
        let (verifier, mut body) = encoded(mode, &payload, chunk);
        let at = at.index(body.len());
        body[at] ^= xor;
        if let Ok((decoded, _)) = run_body(verifier, &body, &[]) {
            prop_assert_eq!(decoded, payload);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_never_exceed_the_announced_length(
        mode in 0..3usize,
        input in proptest::collection::vec(any::<u8>(), 0..2000),
        split in any::<prop::sample::Index>(),
    ) {
        let (_, verifier, _) = streaming(MODES[mode], 100, Some(ChecksumAlgorithm::Crc32).filter(|_| mode > 0));
        let split = split.index(input.len() + 1);
        if let Ok((decoded, summary)) = run_body(verifier, &input, &[split]) {
            prop_assert_eq!(decoded.len(), 100);
            prop_assert_eq!(summary.decoded_length, 100);
        }
    }

    #[test]
    fn chunk_framing_from_arbitrary_text_never_panics(
        lines in proptest::collection::vec("[0-9a-fA-F;=:x\\- \r\n]{0,40}", 0..20),
    ) {
        let input = lines.concat();
        let (_, verifier, _) = streaming(UNSIGNED_TRAILER, 3, Some(ChecksumAlgorithm::Crc32));
        let _ = run_body(verifier, input.as_bytes(), &[]);
    }
}
