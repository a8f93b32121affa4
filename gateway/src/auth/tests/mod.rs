//! The authentication rules, stated as tests. Requests are signed by `aws-sigv4`'s own
//! high-level signer (as the Rust SDK signs them) or taken from the AWS documentation;
//! `aws-chunked` bodies come from a reference encoder written from the AWS specification.

mod aws_examples;
mod chunked;
mod header;
mod payload;
mod presigned;
mod properties;

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::BytesMut;
use sha2::{Digest as _, Sha256};

use super::time::parse_amz_date;
use super::*;
use crate::identity::Identity as Who;

pub(super) const ACCESS_KEY: &str = "AKIDSTRATATEST";
pub(super) const SECRET_KEY: &str = "strata/secret+KEY/for/tests";
pub(super) const TEMP_KEY: &str = "ASIATEMPORARY";
pub(super) const TEMP_SECRET: &str = "temporary-secret";
pub(super) const TOKEN: &str = "session-token-value";
pub(super) const HOST: &str = "127.0.0.1:9000";

/// The S3 answer an authentication error becomes (decided in `crate::s3::error`), so that
/// these tests can state it next to the rule.
pub(super) trait S3Answer {
    fn s3_code(&self) -> &'static str;
    fn http_status(&self) -> u16;
}

impl S3Answer for AuthError {
    fn s3_code(&self) -> &'static str {
        crate::s3::S3Error::from(self.clone()).code.as_str()
    }

    fn http_status(&self) -> u16 {
        crate::s3::S3Error::from(self.clone()).status()
    }
}

/// The fixed "now" of the tests.
pub(super) fn now() -> SystemTime {
    parse_amz_date("20261122T061407Z").unwrap()
}

pub(super) fn credentials() -> StaticCredentials {
    StaticCredentials::new([
        Credential::new(ACCESS_KEY, SECRET_KEY, Who::test_root("root")),
        Credential::new(TEMP_KEY, TEMP_SECRET, Who::test_root("role/session"))
            .with_session_token(TOKEN, now() + Duration::from_secs(3600)),
    ])
}

pub(super) fn verifier() -> Verifier<StaticCredentials> {
    Verifier::new(VerifierConfig::default(), credentials())
}

/// What the test signer is asked to do.
#[derive(Clone, Copy)]
pub(super) struct Signing<'a> {
    pub(super) access_key: &'a str,
    pub(super) secret: &'a str,
    pub(super) token: Option<&'a str>,
    pub(super) time: SystemTime,
    pub(super) presign: Option<Duration>,
    pub(super) region: &'a str,
}

impl Default for Signing<'_> {
    fn default() -> Self {
        Self {
            access_key: ACCESS_KEY,
            secret: SECRET_KEY,
            token: None,
            time: now(),
            presign: None,
            region: "us-east-1",
        }
    }
}

/// A body as the SDK signer sees it.
pub(super) enum Body<'a> {
    Bytes(&'a [u8]),
    Unsigned,
    /// A literal `x-amz-content-sha256` value (the streaming modes).
    Precomputed(&'a str),
    /// Sign the body hash without sending `x-amz-content-sha256` (STS/IAM style).
    NoHeader(&'a [u8]),
}

/// Signs `method path_and_query` with `aws-sigv4` configured as the S3 SDKs configure it:
/// no path normalization, no double encoding, `x-amz-content-sha256` sent.
/// Returns the signed head and the signature (the seed of a chunked body).
pub(super) fn sdk_sign(
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Body<'_>,
    signing: Signing<'_>,
) -> (http::request::Parts, String) {
    let identity: Identity = Credentials::new(
        signing.access_key,
        signing.secret,
        signing.token.map(str::to_owned),
        None,
        "tests",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    if let Some(expires) = signing.presign {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires);
    }
    let signable_body = match body {
        Body::Bytes(data) => SignableBody::Bytes(data),
        Body::Unsigned => SignableBody::UnsignedPayload,
        Body::Precomputed(value) => SignableBody::Precomputed(value.to_owned()),
        Body::NoHeader(data) => {
            settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
            SignableBody::Bytes(data)
        }
    };
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(signing.region)
        .name("s3")
        .time(signing.time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let url = format!("http://{HOST}{path_and_query}");
    let signable =
        SignableRequest::new(method, &url, headers.iter().copied(), signable_body).unwrap();
    let (instructions, signature) = sign(signable, &params).unwrap().into_parts();
    let mut builder = http::Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("host", HOST);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder.body(()).unwrap();
    instructions.apply_to_request_http1x(&mut request);
    (request.into_parts().0, signature)
}

/// Verifies a signed head with the default verifier at [`now`].
pub(super) fn verify(parts: &http::request::Parts) -> Result<AuthOutcome, AuthError> {
    verifier().verify(&RequestParts::from_http(parts), now())
}

/// Verifies and unwraps the authenticated identity.
pub(super) fn authenticated(parts: &http::request::Parts) -> Authenticated {
    match verify(parts) {
        Ok(AuthOutcome::Authenticated(auth)) => *auth,
        other => panic!("expected an authenticated request, got {other:?}"),
    }
}

/// Pushes `body` in pieces split at `splits` (sorted offsets) and finishes.
pub(super) fn run_body(
    mut verifier: PayloadVerifier,
    body: &[u8],
    splits: &[usize],
) -> Result<(Vec<u8>, PayloadSummary), AuthError> {
    let mut out = BytesMut::new();
    let mut start = 0;
    for &split in splits.iter().chain(std::iter::once(&body.len())) {
        let split = split.clamp(start, body.len());
        verifier.push(&body[start..split], &mut out)?;
        start = split;
    }
    let summary = verifier.finish()?;
    Ok((out.to_vec(), summary))
}

/// Reference `aws-chunked` encoder, written from the AWS specification: chunk signature =
/// HMAC(signing key, "AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" +
/// previous signature + "\n" + hex(sha256("")) + "\n" + hex(sha256(chunk))).
pub(super) struct RefEncoder {
    /// `None` for the unsigned mode.
    pub(super) signing: Option<RefSigning>,
}

pub(super) struct RefSigning {
    pub(super) key: Vec<u8>,
    pub(super) amz_date: String,
    pub(super) scope: String,
    pub(super) previous: String,
}

impl RefSigning {
    pub(super) fn new(secret: &str, time: SystemTime, region: &str, seed: &str) -> Self {
        let amz_date = super::time::format_amz_date(time);
        Self {
            key: v4::generate_signing_key(secret, time, region, "s3")
                .as_ref()
                .to_vec(),
            scope: format!("{}/{region}/s3/aws4_request", &amz_date[..8]),
            amz_date,
            previous: seed.to_owned(),
        }
    }

    fn next(&mut self, algorithm: &str, hashes: &str) -> String {
        let sts = format!(
            "{algorithm}\n{}\n{}\n{}\n{hashes}",
            self.amz_date, self.scope, self.previous
        );
        // calculate_signature is exactly HMAC-SHA256(key, message) in hex.
        self.previous = v4::calculate_signature(&self.key, sts.as_bytes());
        self.previous.clone()
    }
}

pub(super) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

impl RefEncoder {
    /// Encodes `chunks` (the last should be empty, the terminating chunk, unless a test
    /// wants otherwise) followed by `trailers` and the closing empty line.
    pub(super) fn encode(&mut self, chunks: &[&[u8]], trailers: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend_from_slice(format!("{:x}", chunk.len()).as_bytes());
            if let Some(signing) = &mut self.signing {
                let hashes = format!("{}\n{}", sha256_hex(b""), sha256_hex(chunk));
                let sig = signing.next("AWS4-HMAC-SHA256-PAYLOAD", &hashes);
                out.extend_from_slice(format!(";chunk-signature={sig}").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            if !chunk.is_empty() {
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
            }
        }
        let mut canonical = String::new();
        for (name, value) in trailers {
            out.extend_from_slice(format!("{name}:{value}\r\n").as_bytes());
            canonical.push_str(&format!("{name}:{value}\n"));
        }
        if let Some(signing) = &mut self.signing {
            if !trailers.is_empty() {
                let sig = signing.next(
                    "AWS4-HMAC-SHA256-TRAILER",
                    &sha256_hex(canonical.as_bytes()),
                );
                out.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n").as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// Splits `data` into chunks of `size` plus the terminating empty chunk.
pub(super) fn chunks_of(data: &[u8], size: usize) -> Vec<&[u8]> {
    let mut chunks: Vec<&[u8]> = data.chunks(size.max(1)).collect();
    chunks.push(b"");
    chunks
}
