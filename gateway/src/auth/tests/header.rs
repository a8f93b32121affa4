//! SigV4 in the `Authorization` header.

use std::time::Duration;

use http::HeaderValue;

use super::*;

fn signed_get(path: &str) -> http::request::Parts {
    sdk_sign("GET", path, &[], Body::Bytes(b""), Signing::default()).0
}

#[test]
fn sdk_signed_requests_are_authenticated() {
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a [u8]);
    let cases: &[Case<'_>] = &[
        ("GET", "/bucket/key", &[], b""),
        (
            "GET",
            "/bucket?list-type=2&prefix=a%2Fb&delimiter=%2F",
            &[],
            b"",
        ),
        (
            "PUT",
            "/bucket/a%20key%2Bwith%24odd%2Fchars~",
            &[("content-type", "text/plain")],
            b"data",
        ),
        ("PUT", "/bucket/dots/./../and//slashes", &[], b"x"),
        (
            "DELETE",
            "/bucket/k?versionId=null",
            &[("x-amz-meta-a", "x  y")],
            b"",
        ),
        ("POST", "/bucket/k?uploads", &[], b""),
        (
            "GET",
            "/bucket/caf%C3%A9?response-content-type=text%2Fplain%3B%20charset%3Dutf-8",
            &[],
            b"",
        ),
    ];
    for &(method, uri, headers, body) in cases {
        let (parts, _) = sdk_sign(method, uri, headers, Body::Bytes(body), Signing::default());
        let auth = authenticated(&parts);
        assert_eq!(auth.access_key, ACCESS_KEY, "{method} {uri}");
        assert_eq!(auth.identity.name, "root");
        assert_eq!(auth.method, AuthMethod::Header);
        assert_eq!(auth.region, "us-east-1");
        assert_eq!(auth.service, "s3");
        assert_eq!(auth.request_time, now());
        let digest: [u8; 32] = Sha256::digest(body).into();
        assert_eq!(auth.payload, PayloadMode::Sha256(digest));
    }
}

#[test]
fn unsigned_payload_requests_are_authenticated() {
    let (parts, _) = sdk_sign("PUT", "/b/k", &[], Body::Unsigned, Signing::default());
    assert_eq!(authenticated(&parts).payload, PayloadMode::Unsigned);
}

#[test]
fn the_s3cmd_form_without_spaces_after_commas_is_accepted() {
    let mut parts = signed_get("/bucket/key");
    let header = parts.headers["authorization"]
        .to_str()
        .unwrap()
        .replace(", ", ",");
    parts
        .headers
        .insert("authorization", HeaderValue::from_str(&header).unwrap());
    authenticated(&parts);
}

#[test]
fn changing_anything_signed_breaks_the_signature() {
    type Tamper = fn(&mut http::request::Parts);
    let tampers: &[(&str, Tamper)] = &[
        ("path", |p| p.uri = "/bucket/other".parse().unwrap()),
        ("path encoding", |p| p.uri = "/bucket/a/b".parse().unwrap()),
        ("query added", |p| {
            p.uri = "/bucket/a%2Fb?x=1".parse().unwrap()
        }),
        ("method", |p| p.method = http::Method::DELETE),
        ("host", |p| {
            p.headers
                .insert("host", HeaderValue::from_static("elsewhere"));
        }),
        ("date", |p| {
            p.headers
                .insert("x-amz-date", HeaderValue::from_static("20261122T061408Z"));
        }),
        ("payload hash", |p| {
            let other = sha256_hex(b"other");
            p.headers.insert(
                "x-amz-content-sha256",
                HeaderValue::from_str(&other).unwrap(),
            );
        }),
    ];
    for (what, tamper) in tampers {
        let mut parts = signed_get("/bucket/a%2Fb");
        tamper(&mut parts);
        assert_eq!(
            verify(&parts).unwrap_err(),
            AuthError::SignatureDoesNotMatch,
            "{what}"
        );
    }
}

#[test]
fn a_signed_header_value_change_breaks_the_signature() {
    let headers = [("content-type", "text/plain"), ("x-amz-meta-k", "v")];
    let (mut parts, _) = sdk_sign("PUT", "/b/k", &headers, Body::Unsigned, Signing::default());
    parts
        .headers
        .insert("x-amz-meta-k", HeaderValue::from_static("w"));
    assert_eq!(
        verify(&parts).unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
}

#[test]
fn a_wrong_secret_does_not_match_and_an_unknown_key_is_named() {
    let wrong = Signing {
        secret: "not-the-secret",
        ..Signing::default()
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Bytes(b""), wrong);
    assert_eq!(
        verify(&parts).unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
    let unknown = Signing {
        access_key: "AKIDUNKNOWN",
        ..Signing::default()
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Bytes(b""), unknown);
    assert_eq!(verify(&parts).unwrap_err(), AuthError::InvalidAccessKeyId);
}

#[test]
fn the_request_time_may_be_fifteen_minutes_off_and_no_more() {
    let fifteen = Duration::from_secs(15 * 60);
    let one = Duration::from_secs(1);
    for time in [now() - fifteen, now() + fifteen] {
        let (parts, _) = sdk_sign(
            "GET",
            "/b/k",
            &[],
            Body::Bytes(b""),
            Signing {
                time,
                ..Signing::default()
            },
        );
        authenticated(&parts);
    }
    for time in [now() - fifteen - one, now() + fifteen + one] {
        let (parts, _) = sdk_sign(
            "GET",
            "/b/k",
            &[],
            Body::Bytes(b""),
            Signing {
                time,
                ..Signing::default()
            },
        );
        assert_eq!(verify(&parts).unwrap_err(), AuthError::RequestTimeTooSkewed);
    }
}

#[test]
fn unsigned_amz_headers_and_an_unsigned_host_are_refused() {
    let mut parts = signed_get("/b/k");
    parts
        .headers
        .insert("x-amz-meta-late", HeaderValue::from_static("1"));
    parts
        .headers
        .insert("x-amz-acl", HeaderValue::from_static("public-read"));
    assert_eq!(
        verify(&parts).unwrap_err(),
        AuthError::UnsignedHeaders("x-amz-acl, x-amz-meta-late".into())
    );
    // Headers outside x-amz-* may be added by proxies and need not be signed.
    let mut parts = signed_get("/b/k");
    parts
        .headers
        .insert("user-agent", HeaderValue::from_static("curl"));
    authenticated(&parts);
    // The host must always be signed.
    let mut parts = signed_get("/b/k");
    let header = parts.headers["authorization"]
        .to_str()
        .unwrap()
        .replace("SignedHeaders=host;", "SignedHeaders=");
    parts
        .headers
        .insert("authorization", HeaderValue::from_str(&header).unwrap());
    assert_eq!(
        verify(&parts).unwrap_err(),
        AuthError::UnsignedHeaders("host".into())
    );
}

#[test]
fn the_payload_hash_header_is_required_and_must_be_valid() {
    let mut parts = signed_get("/b/k");
    parts.headers.remove("x-amz-content-sha256");
    assert_eq!(verify(&parts).unwrap_err().s3_code(), "InvalidRequest");
    let mut parts = signed_get("/b/k");
    parts
        .headers
        .insert("x-amz-content-sha256", HeaderValue::from_static("nonsense"));
    assert_eq!(verify(&parts).unwrap_err().s3_code(), "InvalidArgument");
}

#[test]
fn a_missing_or_invalid_date_is_access_denied() {
    let mut parts = signed_get("/b/k");
    parts.headers.remove("x-amz-date");
    assert_eq!(verify(&parts).unwrap_err().s3_code(), "AccessDenied");
    let mut parts = signed_get("/b/k");
    parts.headers.insert(
        "x-amz-date",
        HeaderValue::from_static("2026-11-22T06:14:07Z"),
    );
    assert_eq!(verify(&parts).unwrap_err().s3_code(), "AccessDenied");
}

#[test]
fn the_credential_date_must_be_the_request_date() {
    let mut parts = signed_get("/b/k");
    let header = parts.headers["authorization"]
        .to_str()
        .unwrap()
        .replace("/20261122/", "/20261121/");
    parts
        .headers
        .insert("authorization", HeaderValue::from_str(&header).unwrap());
    assert_eq!(
        verify(&parts).unwrap_err().s3_code(),
        "AuthorizationHeaderMalformed"
    );
}

#[test]
fn a_configured_region_and_the_service_are_enforced() {
    let config = VerifierConfig {
        region: Some("eu-west-1".into()),
        ..VerifierConfig::default()
    };
    let verifier = Verifier::new(config, credentials());
    let parts = signed_get("/b/k");
    let err = verifier
        .verify(&RequestParts::from_http(&parts), now())
        .unwrap_err();
    assert_eq!(err.s3_code(), "AuthorizationHeaderMalformed");
    let eu = Signing {
        region: "eu-west-1",
        ..Signing::default()
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Bytes(b""), eu);
    verifier
        .verify(&RequestParts::from_http(&parts), now())
        .unwrap();
    // Only s3 is accepted by default.
    let mut parts = signed_get("/b/k");
    let header = parts.headers["authorization"]
        .to_str()
        .unwrap()
        .replace("/s3/", "/sts/");
    parts
        .headers
        .insert("authorization", HeaderValue::from_str(&header).unwrap());
    assert_eq!(
        verify(&parts).unwrap_err().s3_code(),
        "AuthorizationHeaderMalformed"
    );
}

#[test]
fn session_tokens_must_match_the_temporary_credential() {
    let session = Signing {
        access_key: TEMP_KEY,
        secret: TEMP_SECRET,
        token: Some(TOKEN),
        ..Signing::default()
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Bytes(b""), session);
    let auth = authenticated(&parts);
    assert_eq!(auth.session_token.as_deref(), Some(TOKEN));
    assert_eq!(auth.identity.name, "role/session");
    let wrong = Signing {
        token: Some("other-token"),
        ..session
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Bytes(b""), wrong);
    assert_eq!(verify(&parts).unwrap_err(), AuthError::InvalidToken);
    let missing = Signing {
        token: None,
        ..session
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Bytes(b""), missing);
    assert_eq!(verify(&parts).unwrap_err(), AuthError::InvalidToken);
    // A long-term key does not take a token.
    let stray = Signing {
        token: Some(TOKEN),
        ..Signing::default()
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Bytes(b""), stray);
    assert_eq!(verify(&parts).unwrap_err(), AuthError::InvalidToken);
}

#[test]
fn an_expired_temporary_credential_is_refused() {
    let later = now() + Duration::from_secs(3600);
    let session = Signing {
        access_key: TEMP_KEY,
        secret: TEMP_SECRET,
        token: Some(TOKEN),
        time: later,
        ..Signing::default()
    };
    let (parts, _) = sdk_sign("GET", "/b/k", &[], Body::Bytes(b""), session);
    let err = verifier()
        .verify(&RequestParts::from_http(&parts), later)
        .unwrap_err();
    assert_eq!(err, AuthError::ExpiredToken);
}

#[test]
fn requests_without_any_authentication_are_anonymous() {
    let (parts, ()) = http::Request::get("/b/k?list-type=2")
        .body(())
        .unwrap()
        .into_parts();
    assert!(matches!(verify(&parts), Ok(AuthOutcome::Anonymous)));
}

#[test]
fn other_mechanisms_are_refused_with_their_codes() {
    let (mut parts, ()) = http::Request::get("/b/k").body(()).unwrap().into_parts();
    parts
        .headers
        .insert("authorization", HeaderValue::from_static("AWS AKID:c2ln"));
    assert_eq!(verify(&parts).unwrap_err().s3_code(), "InvalidRequest");
    let (parts, ()) = http::Request::get("/b/k?AWSAccessKeyId=A&Signature=s&Expires=1")
        .body(())
        .unwrap()
        .into_parts();
    assert_eq!(verify(&parts).unwrap_err().s3_code(), "InvalidRequest");
    // Header and query signatures together.
    let mut parts = signed_get("/b/k");
    parts.uri = "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256".parse().unwrap();
    assert_eq!(verify(&parts).unwrap_err().s3_code(), "InvalidArgument");
}

#[test]
fn a_date_header_can_stand_in_for_x_amz_date() {
    // Signed by hand: aws-sigv4 always sends x-amz-date.
    let date = "Sun, 22 Nov 2026 06:14:07 GMT";
    let creq = format!(
        "GET\n/b/k\n\ndate:{date}\nhost:{HOST}\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n\ndate;host;x-amz-content-sha256\nUNSIGNED-PAYLOAD"
    );
    let scope = "20261122/us-east-1/s3/aws4_request";
    let sts = format!(
        "AWS4-HMAC-SHA256\n20261122T061407Z\n{scope}\n{}",
        sha256_hex(creq.as_bytes())
    );
    let key = v4::generate_signing_key(SECRET_KEY, now(), "us-east-1", "s3");
    let signature = v4::calculate_signature(key, sts.as_bytes());
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, SignedHeaders=date;host;x-amz-content-sha256, Signature={signature}"
    );
    let (parts, ()) = http::Request::get("/b/k")
        .header("host", HOST)
        .header("date", date)
        .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
        .header("authorization", authorization)
        .body(())
        .unwrap()
        .into_parts();
    assert_eq!(authenticated(&parts).request_time, now());
}

#[test]
fn sts_style_requests_sign_the_body_hash_without_the_header() {
    let body = b"Action=AssumeRole&Version=2011-06-15";
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let (parts, _) = sdk_sign(
        "POST",
        "/",
        &headers,
        Body::NoHeader(body),
        Signing::default(),
    );
    assert!(!parts.headers.contains_key("x-amz-content-sha256"));
    let request = RequestParts::from_http(&parts);
    let outcome = verifier().verify_with_body(&request, body, now()).unwrap();
    assert!(outcome.authenticated().is_some());
    let err = verifier()
        .verify_with_body(&request, b"Action=Other", now())
        .unwrap_err();
    assert_eq!(err, AuthError::SignatureDoesNotMatch);
}
