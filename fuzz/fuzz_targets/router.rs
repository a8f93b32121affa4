//! Fuzzes what the gateway does with a request head before it reads a body: routing
//! (`strata_gateway::s3::route_head` and the `route` table under it), the S3 error document,
//! SigV4 verification of the head (Authorization header or presigned query) and the choice
//! of body verifier. Nothing may panic, and a routed request must name what it addresses.
//!
//! Input layout: byte 0 = flags (bit 0: virtual-host domain on), then lines separated by
//! `\n`: method, host, path, query, then `name: value` header lines.

#![no_main]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use strata_gateway::auth::{Credential, RequestParts, StaticCredentials, Verifier, VerifierConfig};
use strata_gateway::identity::{Account, Identity};
use strata_gateway::s3::{route, route_head, Operation, RequestLine, S3Error};

const DOMAIN: &str = "s3.example.test";

struct Head<'a> {
    method: &'a [u8],
    host: &'a [u8],
    path: &'a [u8],
    query: &'a [u8],
    headers: Vec<(&'a [u8], &'a [u8])>,
}

fn split(data: &[u8]) -> Head<'_> {
    let mut lines = data.split(|&b| b == b'\n');
    let mut next = || lines.next().unwrap_or_default();
    let (method, host, path, query) = (next(), next(), next(), next());
    let headers = lines
        .filter_map(|l| {
            let colon = l.iter().position(|&b| b == b':')?;
            let value = l.get(colon + 1..)?;
            Some((l.get(..colon)?, value.strip_prefix(b" ").unwrap_or(value)))
        })
        .collect();
    Head {
        method,
        host,
        path,
        query,
        headers,
    }
}

/// The route table itself, on arbitrary text (what pingora passes on may not be a valid URI).
fn route_text(head: &Head<'_>, domain: Option<&str>) {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (method, host, path, query) = (
        text(head.method),
        text(head.host),
        text(head.path),
        text(head.query),
    );
    let names: Vec<String> = head
        .headers
        .iter()
        .map(|(n, _)| text(n).to_ascii_lowercase())
        .collect();
    let has = |h: &str| names.iter().any(|n| n == h);
    let line = RequestLine {
        method: &method,
        host: (!host.is_empty()).then_some(host.as_str()),
        path: &path,
        query: (!query.is_empty()).then_some(query.as_str()),
        has_header: &has,
    };
    match route(&line, domain) {
        Ok(r) => {
            // Only the service-level operations address no bucket.
            if !matches!(r.op, Operation::ListBuckets | Operation::ServicePost) {
                assert!(r.bucket.is_some(), "{:?} without a bucket", r.op);
            }
            if let Some(k) = &r.key {
                assert!(!k.is_empty() && k.len() <= 1024 && !k.contains('\0'));
            }
        }
        Err(e) => {
            let e: S3Error = e.into();
            assert!((400..600).contains(&e.status()));
            let _ = e.to_document(&path, "0123456789ABCDEF");
        }
    }
}

/// The head as the server sees it: an `http` request, routed, authenticated, body verifier.
fn serve_head(head: &Head<'_>, domain: Option<&str>) {
    let mut target = head.path.to_vec();
    if !head.query.is_empty() {
        target.push(b'?');
        target.extend_from_slice(head.query);
    }
    let mut builder = http::Request::builder()
        .method(head.method)
        .uri(target.as_slice());
    if !head.host.is_empty() {
        builder = builder.header("host", head.host);
    }
    for (name, value) in &head.headers {
        builder = builder.header(*name, *value);
    }
    let Ok(request) = builder.body(()) else {
        return;
    };
    let (parts, ()) = request.into_parts();
    let routed = route_head(&parts, domain).map_err(S3Error::from);
    if let Err(e) = &routed {
        assert!((400..600).contains(&e.status()));
        let _ = e.to_document(parts.uri.path(), "0123456789ABCDEF");
    }
    let root = Arc::new(Identity::root(Account {
        id: "111122223333".into(),
        name: "root".into(),
        canonical_id: "0".repeat(64),
    }));
    let creds = StaticCredentials::new([Credential::new("AKIDFUZZ", "fuzz/secret", root)]);
    let verifier = Verifier::new(VerifierConfig::default(), creds);
    // A fixed clock near the dates fuzzers find in seeds, and the real one.
    for now in [
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        SystemTime::now(),
    ] {
        if let Ok(outcome) = verifier.verify(&RequestParts::from_http(&parts), now) {
            let _ = outcome.payload_verifier(&parts.headers);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let domain = (flags & 1 == 1).then_some(DOMAIN);
    let head = split(rest);
    route_text(&head, domain);
    serve_head(&head, domain);
});
