//! Forged, stale and tampered signatures: refused with AWS's code, and nothing is written.

use std::time::Duration;

use strata_tests::{assert_error, raw, Server, SignableBody, Signer};

use crate::start;

const BODY: &[u8] = b"the payload an attacker wants stored";

fn setup() -> Server {
    let s = start();
    assert_eq!(s.request("PUT", "/auth", b"").status, 200);
    s
}

/// A PUT of `BODY` to `/auth/{key}` signed by `signer` gets `status`/`expected`; nothing stays.
fn put_expect(s: &Server, signer: Signer<'_>, key: &str, status: u16, expected: &str) {
    let target = format!("/auth/{key}");
    let head = signer.head(&s.addr, "PUT", &target, &[], SignableBody::Bytes(BODY));
    let reply = raw(&s.addr, &head, BODY).expect("request");
    assert_error(&reply, status, expected);
    s.assert_nothing_stored("auth", key, key);
}

#[test]
fn a_forged_signature_is_signature_does_not_match() {
    let s = setup();
    let flip_last_hex = |head: String| {
        let at = head.find("Signature=").expect("signature") + "Signature=".len() + 63;
        let mut bytes = head.into_bytes();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(bytes).expect("utf8")
    };
    let head = s.signer().head(
        &s.addr,
        "PUT",
        "/auth/forged",
        &[],
        SignableBody::Bytes(BODY),
    );
    let reply = raw(&s.addr, &flip_last_hex(head), BODY).expect("request");
    assert_error(&reply, 403, "SignatureDoesNotMatch");
    s.assert_nothing_stored("auth", "forged", "forged");
}

#[test]
fn an_unknown_access_key_is_invalid_access_key_id() {
    let s = setup();
    let stranger = Signer {
        access_key: "AKIDNOBODYKNOWS",
        ..s.signer()
    };
    put_expect(&s, stranger, "stranger", 403, "InvalidAccessKeyId");
}

#[test]
fn the_wrong_secret_is_signature_does_not_match() {
    let s = setup();
    let guesser = Signer {
        secret: "a-guessed-secret",
        ..s.signer()
    };
    put_expect(&s, guesser, "guessed", 403, "SignatureDoesNotMatch");
}

#[test]
fn a_clock_more_than_fifteen_minutes_off_is_request_time_too_skewed() {
    let s = setup();
    put_expect(
        &s,
        s.signer().shifted(-16 * 60),
        "past",
        403,
        "RequestTimeTooSkewed",
    );
    put_expect(
        &s,
        s.signer().shifted(16 * 60),
        "future",
        403,
        "RequestTimeTooSkewed",
    );
    // Inside the window is fine: the skew rule is not an off-by-a-minute trap.
    let near = s.signer().shifted(-10 * 60);
    let head = near.head(&s.addr, "PUT", "/auth/near", &[], SignableBody::Bytes(BODY));
    assert_eq!(raw(&s.addr, &head, BODY).expect("request").status, 200);
}

#[test]
fn a_body_that_is_not_the_signed_one_is_content_sha256_mismatch() {
    let s = setup();
    let evil = b"the payload an attacker swaps in!!!!";
    assert_eq!(evil.len(), BODY.len());
    let head = s.signer().head(
        &s.addr,
        "PUT",
        "/auth/swapped",
        &[],
        SignableBody::Bytes(BODY),
    );
    let reply = raw(&s.addr, &head, evil).expect("request");
    assert_error(&reply, 400, "XAmzContentSHA256Mismatch");
    s.assert_nothing_stored("auth", "swapped", "swapped");
}

#[test]
fn an_expired_presigned_url_is_access_denied() {
    let s = setup();
    // Signed two hours ago, valid for one.
    let old = s.signer().shifted(-2 * 3600);
    let target = old.presign(&s.addr, "PUT", "/auth/late", Duration::from_secs(3600));
    let head = format!("PUT {target} HTTP/1.1\r\nhost: {}\r\n", s.addr);
    let reply = raw(&s.addr, &head, BODY).expect("request");
    assert_error(&reply, 403, "AccessDenied");
    assert!(
        reply.text().to_lowercase().contains("request has expired"),
        "{}",
        reply.text()
    );
    s.assert_nothing_stored("auth", "late", "late");
}

#[test]
fn a_tampered_presigned_url_is_signature_does_not_match() {
    let s = setup();
    let signer = s.signer();
    let target = signer.presign(&s.addr, "PUT", "/auth/granted", Duration::from_secs(600));
    let send = |t: &str| {
        let head = format!("PUT {t} HTTP/1.1\r\nhost: {}\r\n", s.addr);
        raw(&s.addr, &head, BODY).expect("request")
    };
    // Another key, a longer lifetime, an extra parameter: each changes what was signed.
    let other_key = target.replacen("/auth/granted", "/auth/stolen", 1);
    let longer = target.replacen("X-Amz-Expires=600", "X-Amz-Expires=604800", 1);
    assert_ne!(longer, target);
    let extra = format!("{target}&versionId=null");
    for (tampered, key) in [
        (other_key, "stolen"),
        (longer, "granted"),
        (extra, "granted"),
    ] {
        assert_error(&send(&tampered), 403, "SignatureDoesNotMatch");
        s.assert_nothing_stored("auth", key, key);
    }
    // The URL as issued still works: the refusals were about the tampering.
    assert_eq!(send(&target).status, 200);
    assert_eq!(s.request("GET", "/auth/granted", b"").body, BODY);
}
