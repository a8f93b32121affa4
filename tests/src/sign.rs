//! Signing as any client would, including wrong ones: any access key, secret and clock;
//! presigned URLs; `aws-chunked` bodies with chained chunk signatures.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4::{self, calculate_signature, generate_signing_key};
use aws_smithy_runtime_api::client::identity::Identity;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest as _, Sha256};

use crate::credentials::Credentials;

/// The AWS unreserved set: everything else is percent-encoded in a query value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Who signs, with which secret, at which time.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    pub access_key: &'a str,
    pub secret: &'a str,
    pub time: SystemTime,
}

impl<'a> Signer<'a> {
    /// Signs as the holder of `credentials`, now.
    pub fn new(credentials: &'a Credentials) -> Self {
        Signer {
            access_key: &credentials.access_key,
            secret: &credentials.secret_key,
            time: SystemTime::now(),
        }
    }

    /// The same signer with its clock moved by `secs` (negative: the past).
    pub fn shifted(self, secs: i64) -> Self {
        let d = Duration::from_secs(secs.unsigned_abs());
        let time = if secs < 0 {
            self.time - d
        } else {
            self.time + d
        };
        Signer { time, ..self }
    }

    fn settings(&self) -> SigningSettings {
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings
    }

    fn sign_parts(
        &self,
        settings: SigningSettings,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: SignableBody<'_>,
    ) -> aws_sigv4::http_request::SigningInstructions {
        let identity: Identity =
            AwsCredentials::new(self.access_key, self.secret, None, None, "test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("s3")
            .time(self.time)
            .settings(settings)
            .build()
            .expect("signing params")
            .into();
        let signable =
            SignableRequest::new(method, uri, headers.iter().copied(), body).expect("signable");
        sign(signable, &params).expect("sign").into_parts().0
    }

    /// `METHOD target HTTP/1.1` plus the signed headers (no blank line).
    pub fn head(
        &self,
        addr: &str,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: SignableBody<'_>,
    ) -> String {
        let mut settings = self.settings();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let mut all: Vec<(&str, &str)> = vec![("host", addr)];
        all.extend_from_slice(headers);
        let uri = format!("http://{addr}{target}");
        let instructions = self.sign_parts(settings, method, &uri, &all, body);
        let mut head = format!("{method} {target} HTTP/1.1\r\n");
        for (k, v) in &all {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        for (k, v) in instructions.headers() {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head
    }

    /// A presigned request target (path and query with the `X-Amz-*` parameters).
    pub fn presign(&self, addr: &str, method: &str, target: &str, expires: Duration) -> String {
        let mut settings = self.settings();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires);
        let uri = format!("http://{addr}{target}");
        let instructions = self.sign_parts(
            settings,
            method,
            &uri,
            &[("host", addr)],
            SignableBody::UnsignedPayload,
        );
        let mut out = target.to_string();
        for (k, v) in instructions.params() {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE)));
        }
        out
    }
}

/// The chunk-signature chain of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body, seeded by the
/// signature of its request head.
pub struct ChunkChain {
    key: Vec<u8>,
    amz_date: String,
    scope: String,
    previous: String,
}

fn head_field<'h>(head: &'h str, name: &str) -> &'h str {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .unwrap_or_else(|| panic!("no {name} in the signed head"))
}

impl ChunkChain {
    /// The chain of a head signed by `signer`.
    pub fn from_head(head: &str, signer: &Signer<'_>) -> Self {
        let amz_date = head_field(head, "x-amz-date").to_string();
        let auth = head_field(head, "authorization");
        let seed = auth
            .rsplit_once("Signature=")
            .map(|(_, s)| s.trim().to_string())
            .expect("seed signature");
        let key = generate_signing_key(signer.secret, signer.time, "us-east-1", "s3")
            .as_ref()
            .to_vec();
        ChunkChain {
            scope: format!("{}/us-east-1/s3/aws4_request", &amz_date[..8]),
            amz_date,
            key,
            previous: seed,
        }
    }

    /// The next chunk's signature.
    pub fn sign(&mut self, data: &[u8]) -> String {
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{EMPTY_SHA256}\n{}",
            self.amz_date,
            self.scope,
            self.previous,
            hex::encode(Sha256::digest(data))
        );
        self.previous = calculate_signature(&self.key, sts.as_bytes());
        self.previous.clone()
    }

    /// `data` as a signed `aws-chunked` body in chunks of `chunk` bytes, final chunk included.
    pub fn encode(&mut self, data: &[u8], chunk: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in data.chunks(chunk).chain(std::iter::once(&[][..])) {
            let sig = self.sign(piece);
            out.extend_from_slice(
                format!("{:x};chunk-signature={sig}\r\n", piece.len()).as_bytes(),
            );
            out.extend_from_slice(piece);
            out.extend_from_slice(b"\r\n");
        }
        out
    }
}

/// `data` as an unsigned `aws-chunked` body ending with `trailer` (`name:value`).
pub fn unsigned_chunked(data: &[u8], chunk: usize, trailer: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in data.chunks(chunk) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("0\r\n{trailer}\r\n\r\n").as_bytes());
    out
}
