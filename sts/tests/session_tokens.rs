//! Sealed session tokens: what opens, what does not, and how keys rotate.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proptest::prelude::*;
use strata_sts::session::{
    InvalidToken, KeyringError, SealError, SessionClaims, SessionGrant, SessionKey, SessionKeyring,
    SessionSealer, SessionSource, SessionTag, TokenError, MAX_TOKEN_CHARS,
};

// Far in the future, so the real clock (used by `open`) sees these claims as valid.
const ISSUED: u64 = 4_000_000_000;
const EXPIRES: u64 = ISSUED + 3600;

fn grant() -> SessionGrant {
    SessionGrant {
        account_id: "123456789012".into(),
        role_arn: "arn:aws:iam::123456789012:role/reader".into(),
        role_id: "AROAEXAMPLEROLEID0001".into(),
        session_name: "app-session".into(),
        source: SessionSource::WebIdentity {
            provider: "oidc.eks.eu-west-1.amazonaws.com/id/ABC".into(),
            subject: "system:serviceaccount:demo:app".into(),
        },
        session_policy: Some(r#"{"Version":"2012-10-17","Statement":[]}"#.into()),
        policy_arns: vec![
            "arn:aws:iam::123456789012:policy/read".into(),
            "arn:aws:iam::123456789012:policy/team/é".into(),
        ],
        session_tags: vec![
            SessionTag {
                key: "team".into(),
                value: "storage".into(),
            },
            SessionTag {
                key: "é".into(),
                value: "".into(),
            },
        ],
        transitive_tag_keys: vec!["team".into()],
        source_identity: Some("alice@example.com".into()),
        issued_at: ISSUED,
        expires_at: EXPIRES,
    }
}

fn claims() -> SessionClaims {
    SessionClaims::generate(grant()).unwrap()
}

fn key(id: u8, byte: u8) -> SessionKey {
    SessionKey::new(id, [byte; 32])
}

fn sealer_with(current: SessionKey, previous: Vec<SessionKey>) -> SessionSealer {
    SessionSealer::new(SessionKeyring::new(current, previous).unwrap())
}

fn sealer() -> SessionSealer {
    sealer_with(key(7, 0x42), vec![])
}

fn bytes_of(token: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(token).unwrap()
}

fn token_of(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn invalid(reason: InvalidToken) -> Result<SessionClaims, TokenError> {
    Err(TokenError::Invalid(reason))
}

#[test]
fn generated_credentials_have_the_aws_shapes() {
    for _ in 0..50 {
        let c = claims();
        assert_eq!(c.access_key_id.len(), 20, "{}", c.access_key_id);
        assert!(c.access_key_id.starts_with("ASIA"));
        assert!(c.access_key_id[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        assert_eq!(c.secret_access_key.len(), 40);
        assert!(c
            .secret_access_key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));
    }
    assert_ne!(claims().access_key_id, claims().access_key_id);
    assert_ne!(claims().secret_access_key, claims().secret_access_key);
}

#[test]
fn debug_output_hides_the_secret() {
    let c = claims();
    let text = format!("{c:?}");
    assert!(!text.contains(&c.secret_access_key));
    assert!(text.contains(&c.access_key_id));
}

#[test]
fn a_sealed_token_opens_to_the_same_claims() {
    let s = sealer();
    let c = claims();
    let token = s.seal(&c).unwrap();
    assert_eq!(s.open_at(&token, ISSUED).unwrap(), c);
    assert_eq!(s.open_at(&token, EXPIRES - 1).unwrap(), c);
}

#[test]
fn every_source_and_optional_field_round_trips() {
    let s = sealer();
    let mut c = claims();
    c.source = SessionSource::AssumeRole {
        principal_arn: "arn:aws:iam::123456789012:user/alice".into(),
    };
    c.session_policy = None;
    c.policy_arns.clear();
    c.session_tags.clear();
    c.transitive_tag_keys.clear();
    c.source_identity = None;
    assert_eq!(s.open_at(&s.seal(&c).unwrap(), ISSUED).unwrap(), c);
    // A session of the caller itself names no role.
    c.role_arn.clear();
    c.role_id.clear();
    c.source = SessionSource::SessionToken {
        parent_arn: "arn:aws:iam::123456789012:user/alice".into(),
        parent_id: "AIDAALICE".into(),
    };
    assert_eq!(s.open_at(&s.seal(&c).unwrap(), ISSUED).unwrap(), c);
    c.session_name = "bob".into();
    c.source = SessionSource::Federation {
        parent_arn: "arn:aws:iam::123456789012:root".into(),
        parent_id: "123456789012".into(),
    };
    assert_eq!(s.open_at(&s.seal(&c).unwrap(), ISSUED).unwrap(), c);
}

#[test]
fn tokens_are_url_safe_unpadded_and_fresh_each_time() {
    let s = sealer();
    let c = claims();
    let (a, b) = (s.seal(&c).unwrap(), s.seal(&c).unwrap());
    assert_ne!(a, b, "a random nonce makes every token different");
    for t in [&a, &b] {
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert!(t.len() <= MAX_TOKEN_CHARS);
    }
    // Version and key id are in clear at the front.
    assert_eq!(&bytes_of(&a)[..2], &[3, 7]);
}

#[test]
fn the_open_real_clock_sees_a_long_expired_token_as_expired() {
    let s = sealer();
    let token = s.seal(&claims()).unwrap();
    // Real time is far before ISSUED (2096): it opens; a token expired in 1970 does not.
    assert!(s.open(&token).is_ok());
    let mut old = claims();
    old.issued_at = 10;
    old.expires_at = 20;
    assert_eq!(
        s.open(&s.seal(&old).unwrap()),
        Err(TokenError::Expired { expired_at: 20 })
    );
}

#[test]
fn an_expired_token_is_expired_not_invalid() {
    let s = sealer();
    let token = s.seal(&claims()).unwrap();
    assert_eq!(
        s.open_at(&token, EXPIRES),
        Err(TokenError::Expired {
            expired_at: EXPIRES
        })
    );
    assert_eq!(
        s.open_at(&token, EXPIRES + 10_000),
        Err(TokenError::Expired {
            expired_at: EXPIRES
        })
    );
}

#[test]
fn a_changed_version_byte_is_an_unknown_version() {
    let s = sealer();
    let mut bytes = bytes_of(&s.seal(&claims()).unwrap());
    for version in [0u8, 4, 0x81, 0xff] {
        bytes[0] = version;
        assert_eq!(
            s.open_at(&token_of(&bytes), ISSUED),
            invalid(InvalidToken::UnknownVersion(version))
        );
    }
}

#[test]
fn a_changed_key_id_is_unknown_or_fails_authentication() {
    let s = sealer_with(key(7, 0x42), vec![key(8, 0x43)]);
    let mut bytes = bytes_of(&s.seal(&claims()).unwrap());
    bytes[1] = 9;
    assert_eq!(
        s.open_at(&token_of(&bytes), ISSUED),
        invalid(InvalidToken::UnknownKeyId(9))
    );
    // Pointing at another key of the ring: that key cannot authenticate it.
    bytes[1] = 8;
    assert_eq!(
        s.open_at(&token_of(&bytes), ISSUED),
        invalid(InvalidToken::Authentication)
    );
}

#[test]
fn a_flipped_bit_in_nonce_ciphertext_or_tag_fails_authentication() {
    let s = sealer();
    let bytes = bytes_of(&s.seal(&claims()).unwrap());
    let n = bytes.len();
    // Every byte after the clear header: nonce (2..14), ciphertext, tag (last 16).
    for index in 2..n {
        for bit in [0x01u8, 0x80] {
            let mut tampered = bytes.clone();
            tampered[index] ^= bit;
            assert_eq!(
                s.open_at(&token_of(&tampered), ISSUED),
                invalid(InvalidToken::Authentication),
                "byte {index} of {n}, bit {bit:#x}"
            );
        }
    }
}

#[test]
fn a_truncated_or_extended_token_is_invalid() {
    let s = sealer();
    let token = s.seal(&claims()).unwrap();
    let bytes = bytes_of(&token);
    for cut in [0, 1, 2, 13, 14, 29] {
        assert_eq!(
            s.open_at(&token_of(&bytes[..cut]), ISSUED),
            invalid(InvalidToken::Truncated),
            "cut at {cut}"
        );
    }
    for cut in [30, bytes.len() / 2, bytes.len() - 1] {
        assert_eq!(
            s.open_at(&token_of(&bytes[..cut]), ISSUED),
            invalid(InvalidToken::Authentication),
            "cut at {cut}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        s.open_at(&token_of(&longer), ISSUED),
        invalid(InvalidToken::Authentication)
    );
}

#[test]
fn text_that_is_not_unpadded_url_safe_base64_is_invalid() {
    let s = sealer();
    let token = s.seal(&claims()).unwrap();
    for bad in [
        format!("{token}="),
        format!("{token}=="),
        token.replace('-', "+").replace('_', "/") + "+/",
        format!("{token} "),
        "a".to_string(),
        "!!!!".to_string(),
    ] {
        assert_eq!(
            s.open_at(&bad, ISSUED),
            invalid(InvalidToken::Encoding),
            "{bad}"
        );
    }
    assert_eq!(s.open_at("", ISSUED), invalid(InvalidToken::Truncated));
}

#[test]
fn an_oversized_token_is_refused_before_decoding() {
    let s = sealer();
    let huge = "A".repeat(MAX_TOKEN_CHARS + 1);
    assert_eq!(s.open_at(&huge, ISSUED), invalid(InvalidToken::TooLong));
    // Not even valid base64 matters: the length is checked first.
    let huge_garbage = "!".repeat(MAX_TOKEN_CHARS + 1);
    assert_eq!(
        s.open_at(&huge_garbage, ISSUED),
        invalid(InvalidToken::TooLong)
    );
}

#[test]
fn claims_too_large_for_a_token_are_refused_at_sealing() {
    let s = sealer();
    let mut c = claims();
    c.session_policy = Some("x".repeat(MAX_TOKEN_CHARS));
    assert!(matches!(s.seal(&c), Err(SealError::TooLarge { .. })));
    c.session_policy = Some("x".repeat(70_000));
    assert!(matches!(s.seal(&c), Err(SealError::TooLarge { .. })));
    // A large but fitting policy still round-trips.
    c.session_policy = Some("p".repeat(4000));
    let token = s.seal(&c).unwrap();
    assert!(token.len() <= MAX_TOKEN_CHARS);
    assert_eq!(s.open_at(&token, ISSUED).unwrap(), c);
}

#[test]
fn rotation_keeps_old_tokens_open_and_seals_new_ones_with_the_new_key() {
    let old = sealer_with(key(1, 0x11), vec![]);
    let old_token = old.seal(&claims()).unwrap();

    let rotated = sealer_with(key(2, 0x22), vec![key(1, 0x11)]);
    assert_eq!(
        rotated.open_at(&old_token, ISSUED).unwrap().role_id,
        "AROAEXAMPLEROLEID0001"
    );
    let new_token = rotated.seal(&claims()).unwrap();
    assert_eq!(bytes_of(&new_token)[1], 2);
    assert!(rotated.open_at(&new_token, ISSUED).is_ok());

    // Before rotation reached it, a gateway does not know key 2.
    assert_eq!(
        old.open_at(&new_token, ISSUED),
        invalid(InvalidToken::UnknownKeyId(2))
    );
    // Once key 1 is retired, its tokens stop opening.
    let retired = sealer_with(key(2, 0x22), vec![]);
    assert_eq!(
        retired.open_at(&old_token, ISSUED),
        invalid(InvalidToken::UnknownKeyId(1))
    );
}

#[test]
fn a_running_sealer_takes_a_rotated_keyring_in_place() {
    let s = sealer_with(key(1, 0x11), vec![]);
    let old_token = s.seal(&claims()).unwrap();
    s.replace_keyring(SessionKeyring::new(key(2, 0x22), vec![key(1, 0x11)]).unwrap());
    assert_eq!(s.keyring().current().id(), 2);
    let new_token = s.seal(&claims()).unwrap();
    assert_eq!(bytes_of(&new_token)[1], 2);
    assert!(s.open_at(&old_token, ISSUED).is_ok());
    assert!(s.open_at(&new_token, ISSUED).is_ok());
    s.replace_keyring(SessionKeyring::new(key(2, 0x22), vec![]).unwrap());
    assert_eq!(
        s.open_at(&old_token, ISSUED),
        invalid(InvalidToken::UnknownKeyId(1))
    );
    assert!(s.open_at(&new_token, ISSUED).is_ok());
}

#[test]
fn the_same_key_id_with_other_key_bytes_fails_authentication() {
    let token = sealer_with(key(3, 0x01), vec![]).seal(&claims()).unwrap();
    let other = sealer_with(key(3, 0x02), vec![]);
    assert_eq!(
        other.open_at(&token, ISSUED),
        invalid(InvalidToken::Authentication)
    );
}

#[test]
fn a_restarted_sealer_with_the_same_key_opens_earlier_tokens() {
    let secret = [0x5au8; 32];
    let token = sealer_with(SessionKey::new(4, secret), vec![])
        .seal(&claims())
        .unwrap();
    let restarted =
        SessionKey::from_base64(4, &base64::engine::general_purpose::STANDARD.encode(secret))
            .unwrap();
    assert!(sealer_with(restarted, vec![])
        .open_at(&token, ISSUED)
        .is_ok());
}

#[test]
fn keyrings_refuse_duplicate_ids_and_bad_keys() {
    assert_eq!(
        SessionKeyring::new(key(1, 1), vec![key(2, 2), key(1, 3)]).unwrap_err(),
        KeyringError::DuplicateKeyId(1)
    );
    assert_eq!(
        SessionKeyring::new(key(1, 1), vec![key(2, 2), key(2, 3)]).unwrap_err(),
        KeyringError::DuplicateKeyId(2)
    );
    assert!(matches!(
        SessionKey::from_base64(5, "c2hvcnQ="),
        Err(KeyringError::BadKey { id: 5, .. })
    ));
    assert!(matches!(
        SessionKey::from_base64(5, "not base64!"),
        Err(KeyringError::BadKey { id: 5, .. })
    ));
    assert_eq!(SessionKey::generate(9).unwrap().id(), 9);
    assert!(!format!("{:?}", key(1, 0xab)).contains("171"));
}

/// A token whose authentic payload was not written by the codec (same key, format 1).
fn seal_raw_payload(secret: [u8; 32], key_id: u8, payload: &[u8]) -> String {
    seal_raw_payload_of(1, secret, key_id, payload)
}

/// The same in format `version`.
fn seal_raw_payload_of(version: u8, secret: [u8; 32], key_id: u8, payload: &[u8]) -> String {
    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
    let aead = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &secret).unwrap());
    let nonce = [9u8; 12];
    let mut body = payload.to_vec();
    aead.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from([version, key_id]),
        &mut body,
    )
    .unwrap();
    let mut bytes = vec![version, key_id];
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&body);
    token_of(&bytes)
}

#[test]
fn an_authentic_but_malformed_payload_is_invalid_not_a_panic() {
    let s = sealer_with(SessionKey::new(7, [0x42; 32]), vec![]);
    let mut times = Vec::new();
    times.extend_from_slice(&ISSUED.to_be_bytes());
    times.extend_from_slice(&EXPIRES.to_be_bytes());
    let cases: Vec<Vec<u8>> = vec![
        vec![],
        times[..5].to_vec(),
        times.clone(),
        // issued after expiry
        [EXPIRES.to_be_bytes(), ISSUED.to_be_bytes()].concat(),
        // a string length running past the end
        [times.clone(), vec![0xff, 0xff, b'a']].concat(),
        // invalid UTF-8
        [times.clone(), vec![0, 1, 0xff]].concat(),
    ];
    for payload in cases {
        assert_eq!(
            s.open_at(&seal_raw_payload([0x42; 32], 7, &payload), ISSUED),
            invalid(InvalidToken::Payload),
            "{payload:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn open_never_panics_on_arbitrary_text(text in ".{0,400}") {
        let _ = sealer().open_at(&text, ISSUED);
    }

    #[test]
    fn open_never_panics_on_arbitrary_bytes_behind_a_valid_header(
        body in proptest::collection::vec(any::<u8>(), 0..600),
        version in prop_oneof![Just(1u8), any::<u8>()],
        key_id in prop_oneof![Just(7u8), any::<u8>()],
    ) {
        let mut bytes = vec![version, key_id];
        bytes.extend_from_slice(&body);
        let result = sealer().open_at(&token_of(&bytes), ISSUED);
        prop_assert!(matches!(result, Err(TokenError::Invalid(_))));
    }

    #[test]
    fn open_never_panics_on_authentic_arbitrary_payloads(
        payload in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let s = sealer_with(SessionKey::new(7, [0x42; 32]), vec![]);
        let _ = s.open_at(&seal_raw_payload([0x42; 32], 7, &payload), ISSUED);
    }
}

/// `str` of `sts/FORMAT.md`: a big-endian `u16` length, then the bytes.
fn put_str(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u16).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// A version-1 payload as `sts/FORMAT.md` lays it out: an AssumeRole session with one tag.
fn version_1_payload() -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&ISSUED.to_be_bytes());
    p.extend_from_slice(&EXPIRES.to_be_bytes());
    for text in [
        "ASIAAAAAAAAAAAAAAAAA",
        "secret",
        "123456789012",
        "arn:aws:iam::123456789012:role/reader",
        "AROAREADER",
        "app",
    ] {
        put_str(&mut p, text);
    }
    p.push(1);
    put_str(&mut p, "arn:aws:iam::123456789012:root");
    p.push(0);
    p.extend_from_slice(&1u16.to_be_bytes());
    put_str(&mut p, "team");
    put_str(&mut p, "blue");
    p
}

#[test]
fn tokens_of_versions_1_and_2_still_open_and_each_version_needs_its_fields() {
    let s = sealer_with(SessionKey::new(7, [0x42; 32]), vec![]);
    let v1 = version_1_payload();
    let claims = s
        .open_at(&seal_raw_payload_of(1, [0x42; 32], 7, &v1), ISSUED)
        .unwrap();
    assert_eq!(claims.role_arn, "arn:aws:iam::123456789012:role/reader");
    assert_eq!(
        claims.source,
        SessionSource::AssumeRole {
            principal_arn: "arn:aws:iam::123456789012:root".into()
        }
    );
    assert_eq!(
        claims.session_tags,
        vec![SessionTag {
            key: "team".into(),
            value: "blue".into()
        }]
    );
    assert!(claims.transitive_tag_keys.is_empty() && claims.source_identity.is_none());
    // The same bytes claimed as version 2 lack its fields; with them they open.
    assert_eq!(
        s.open_at(&seal_raw_payload_of(2, [0x42; 32], 7, &v1), ISSUED),
        invalid(InvalidToken::Payload)
    );
    let mut v2 = v1.clone();
    v2.extend_from_slice(&1u16.to_be_bytes());
    put_str(&mut v2, "team");
    v2.push(1);
    put_str(&mut v2, "alice");
    let claims = s
        .open_at(&seal_raw_payload_of(2, [0x42; 32], 7, &v2), ISSUED)
        .unwrap();
    assert_eq!(claims.transitive_tag_keys, vec!["team".to_string()]);
    assert_eq!(claims.source_identity.as_deref(), Some("alice"));
    // And version 1 takes nothing after its last field.
    assert_eq!(
        s.open_at(&seal_raw_payload_of(1, [0x42; 32], 7, &v2), ISSUED),
        invalid(InvalidToken::Payload)
    );
    // Version 2 takes nothing after its last field either; version 3 reads policy ARNs there.
    assert_eq!(
        s.open_at(&seal_raw_payload_of(3, [0x42; 32], 7, &v2), ISSUED),
        invalid(InvalidToken::Payload)
    );
    let mut v3 = v2.clone();
    v3.extend_from_slice(&1u16.to_be_bytes());
    put_str(&mut v3, "arn:aws:iam::123456789012:policy/read");
    assert_eq!(
        s.open_at(&seal_raw_payload_of(2, [0x42; 32], 7, &v3), ISSUED),
        invalid(InvalidToken::Payload)
    );
    let claims = s
        .open_at(&seal_raw_payload_of(3, [0x42; 32], 7, &v3), ISSUED)
        .unwrap();
    assert_eq!(
        claims.policy_arns,
        vec!["arn:aws:iam::123456789012:policy/read".to_string()]
    );
    assert_eq!(claims.source_identity.as_deref(), Some("alice"));
    // A count beyond the bytes left is refused, not allocated.
    let mut lying = v2.clone();
    lying.extend_from_slice(&u16::MAX.to_be_bytes());
    assert_eq!(
        s.open_at(&seal_raw_payload_of(3, [0x42; 32], 7, &lying), ISSUED),
        invalid(InvalidToken::Payload)
    );
    // Earlier versions' tokens carry no policy ARNs.
    let claims = s
        .open_at(&seal_raw_payload_of(2, [0x42; 32], 7, &v2), ISSUED)
        .unwrap();
    assert!(claims.policy_arns.is_empty());
    // What this build seals is version 3.
    assert_eq!(bytes_of(&s.seal(&self::claims()).unwrap())[0], 3);
}
