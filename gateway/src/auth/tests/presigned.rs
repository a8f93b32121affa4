//! SigV4 in the query string (presigned URLs).

use std::time::Duration;

use super::*;

const HOUR: Duration = Duration::from_secs(3600);

fn presigned(method: &str, path: &str, expires: Duration) -> http::request::Parts {
    let signing = Signing {
        presign: Some(expires),
        ..Signing::default()
    };
    sdk_sign(method, path, &[], Body::Unsigned, signing).0
}

fn verify_at(parts: &http::request::Parts, at: SystemTime) -> Result<AuthOutcome, AuthError> {
    verifier().verify(&RequestParts::from_http(parts), at)
}

fn with_query(parts: &http::request::Parts, edit: impl Fn(&str) -> String) -> http::request::Parts {
    let mut parts = parts.clone();
    let query = edit(parts.uri.query().unwrap());
    parts.uri = format!("{}?{query}", parts.uri.path()).parse().unwrap();
    parts
}

#[test]
fn sdk_presigned_urls_are_authenticated_until_they_expire() {
    let parts = presigned("GET", "/bucket/key?partNumber=1", HOUR);
    assert!(parts.uri.query().unwrap().contains("X-Amz-Signature="));
    let auth = authenticated(&parts);
    assert_eq!(auth.method, AuthMethod::Presigned);
    assert_eq!(auth.payload, PayloadMode::Unsigned);
    assert_eq!(auth.expires_at, Some(now() + HOUR));
    // Valid through its last second, expired one second later.
    assert!(verify_at(&parts, now() + HOUR).is_ok());
    assert_eq!(
        verify_at(&parts, now() + HOUR + Duration::from_secs(1)).unwrap_err(),
        AuthError::RequestExpired
    );
    assert_eq!(AuthError::RequestExpired.s3_code(), "AccessDenied");
}

#[test]
fn presigned_puts_with_awkward_keys_are_authenticated() {
    let parts = presigned("PUT", "/bucket/dir%2Fa%20b%2Bc%3D%26.txt", HOUR);
    authenticated(&parts);
}

#[test]
fn seven_days_is_the_longest_lifetime() {
    let week = Duration::from_secs(7 * 24 * 3600);
    authenticated(&presigned("GET", "/b/k", week));
    let parts = presigned("GET", "/b/k", week + Duration::from_secs(1));
    assert_eq!(
        verify(&parts).unwrap_err().s3_code(),
        "AuthorizationQueryParametersError"
    );
}

#[test]
fn urls_dated_in_the_future_beyond_the_skew_are_not_yet_valid() {
    let parts = presigned("GET", "/b/k", HOUR);
    let early = now() - Duration::from_secs(15 * 60);
    assert!(verify_at(&parts, early).is_ok());
    let too_early = early - Duration::from_secs(1);
    assert_eq!(
        verify_at(&parts, too_early).unwrap_err(),
        AuthError::RequestNotYetValid
    );
}

#[test]
fn changing_any_part_of_a_presigned_url_breaks_it() {
    let parts = presigned("GET", "/b/k?versionId=1", HOUR);
    type Edit = fn(&str) -> String;
    let edits: &[(&str, Edit)] = &[
        ("query value", |q| q.replace("versionId=1", "versionId=2")),
        ("extra param", |q| format!("{q}&x-id=GetObject")),
        ("expiry", |q| {
            q.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200")
        }),
        ("signature", |q| {
            let at = q.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
            let mut q = q.to_owned();
            let flipped = if &q[at..at + 1] == "0" { "1" } else { "0" };
            q.replace_range(at..at + 1, flipped);
            q
        }),
    ];
    for (what, edit) in edits {
        let tampered = with_query(&parts, edit);
        assert_eq!(
            verify(&tampered).unwrap_err(),
            AuthError::SignatureDoesNotMatch,
            "{what}"
        );
    }
    let mut other_path = parts.clone();
    other_path.uri = format!("/b/other?{}", parts.uri.query().unwrap())
        .parse()
        .unwrap();
    assert_eq!(
        verify(&other_path).unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
    let mut other_method = parts.clone();
    other_method.method = http::Method::PUT;
    assert_eq!(
        verify(&other_method).unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
}

#[test]
fn missing_or_malformed_query_parameters_are_named() {
    let parts = presigned("GET", "/b/k", HOUR);
    let edits: &[fn(&str) -> String] = &[
        |q| q.replace("X-Amz-Date=", "X-Amz-Datum="),
        |q| q.replace("X-Amz-Expires=3600", "X-Amz-Expires=-1"),
        |q| q.replace("X-Amz-Expires=3600", "X-Amz-Expires=soon"),
        |q| {
            q.replace(
                "X-Amz-Algorithm=AWS4-HMAC-SHA256",
                "X-Amz-Algorithm=AWS4-HMAC-SHA1",
            )
        },
        |q| q.replace("X-Amz-Date=20261122T061407Z", "X-Amz-Date=2026-11-22"),
        |q| q.replace("X-Amz-Date=20261122T061407Z", "X-Amz-Date=20261121T061407Z"),
        |q| format!("{q}&X-Amz-Expires=60"),
        |q| q.replace("%2Faws4_request", "%2Faws5_request"),
    ];
    for edit in edits {
        let tampered = with_query(&parts, edit);
        let err = verify(&tampered).unwrap_err();
        assert_eq!(
            err.s3_code(),
            "AuthorizationQueryParametersError",
            "{}: {err}",
            tampered.uri
        );
        assert_eq!(err.http_status(), 400);
    }
}

#[test]
fn presigned_urls_carry_session_tokens_in_the_query() {
    let session = Signing {
        access_key: TEMP_KEY,
        secret: TEMP_SECRET,
        token: Some(TOKEN),
        presign: Some(HOUR),
        ..Signing::default()
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Unsigned, session);
    assert!(parts.uri.query().unwrap().contains("X-Amz-Security-Token="));
    assert_eq!(authenticated(&parts).session_token.as_deref(), Some(TOKEN));
}

#[test]
fn amz_headers_added_to_a_presigned_url_must_have_been_signed() {
    let mut parts = presigned("PUT", "/b/k", HOUR);
    parts
        .headers
        .insert("x-amz-meta-added", http::HeaderValue::from_static("1"));
    assert_eq!(
        verify(&parts).unwrap_err(),
        AuthError::UnsignedHeaders("x-amz-meta-added".into())
    );
    // Headers the SDKs leave out of presigned URLs are fine.
    let mut parts = presigned("GET", "/b/k", HOUR);
    parts.headers.insert(
        "x-amz-checksum-mode",
        http::HeaderValue::from_static("ENABLED"),
    );
    authenticated(&parts);
}

#[test]
fn presigned_urls_cannot_carry_aws_chunked_bodies() {
    let parts = presigned("PUT", "/b/k", HOUR);
    let tampered = with_query(&parts, |q| {
        format!("{q}&X-Amz-Content-Sha256=STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    });
    assert_eq!(verify(&tampered).unwrap_err().s3_code(), "InvalidRequest");
}
