//! Body verification, sans-IO and push-based: feed the body as it arrives, get the decoded
//! payload back, and call [`PayloadVerifier::finish`] before committing anything.

use bytes::BytesMut;
use http::HeaderMap;
use sha2::{Digest as _, Sha256};

use super::chunked::{ChunkSigner, ChunkedDecoder};
use super::error::AuthError;
use super::headers::header_str;
use crate::checksum::{self, ChecksumAlgorithm, ChecksumHasher, ChecksumValue, Md5Hasher};

/// How the body is protected, from `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayloadMode {
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
    /// A hex SHA-256: the body must hash to it.
    Sha256([u8; 32]),
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: `aws-chunked` with chained chunk signatures.
    StreamingSigned,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: `aws-chunked`, no signatures, checksum trailer.
    StreamingUnsignedTrailer,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks plus a signed trailer.
    StreamingSignedTrailer,
}

impl PayloadMode {
    /// Parses an `x-amz-content-sha256` value.
    pub fn parse(value: &str) -> Result<Self, AuthError> {
        Ok(match value {
            "UNSIGNED-PAYLOAD" => PayloadMode::Unsigned,
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => PayloadMode::StreamingSigned,
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => PayloadMode::StreamingUnsignedTrailer,
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => PayloadMode::StreamingSignedTrailer,
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
            | "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER" => {
                return Err(AuthError::NotImplemented("Signature Version 4a"))
            }
            hash => {
                let mut digest = [0u8; 32];
                hex::decode_to_slice(hash, &mut digest).map_err(|_| {
                    AuthError::InvalidArgument(
                        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value, or a valid sha256 value".into(),
                    )
                })?;
                PayloadMode::Sha256(digest)
            }
        })
    }

    /// Whether the body is `aws-chunked` encoded.
    pub fn is_streaming(&self) -> bool {
        matches!(
            self,
            PayloadMode::StreamingSigned
                | PayloadMode::StreamingUnsignedTrailer
                | PayloadMode::StreamingSignedTrailer
        )
    }

    /// Whether chunks carry signatures chained from the request signature.
    pub fn is_signed_streaming(&self) -> bool {
        matches!(
            self,
            PayloadMode::StreamingSigned | PayloadMode::StreamingSignedTrailer
        )
    }

    /// Whether the body ends with trailer fields.
    pub fn has_trailer(&self) -> bool {
        matches!(
            self,
            PayloadMode::StreamingUnsignedTrailer | PayloadMode::StreamingSignedTrailer
        )
    }
}

/// What the request headers say about the body, besides the payload mode.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayloadSpec {
    /// How the body is protected.
    pub mode: PayloadMode,
    /// `x-amz-decoded-content-length`: the payload length after `aws-chunked` decoding.
    pub decoded_length: Option<u64>,
    /// `Content-MD5`, decoded.
    pub content_md5: Option<[u8; 16]>,
    /// An `x-amz-checksum-*` header value.
    pub header_checksum: Option<ChecksumValue>,
    /// The checksum announced by `x-amz-trailer`, to arrive after the body.
    pub trailer_checksum: Option<ChecksumAlgorithm>,
    /// `x-amz-sdk-checksum-algorithm`: computed and reported even without a value to check.
    pub sdk_checksum_algorithm: Option<ChecksumAlgorithm>,
}

/// `x-amz-checksum-*` headers that carry no value of an algorithm.
const NOT_VALUES: [&str; 3] = [
    "x-amz-checksum-algorithm",
    "x-amz-checksum-mode",
    "x-amz-checksum-type",
];

impl PayloadSpec {
    /// A spec with nothing but the mode.
    pub fn new(mode: PayloadMode) -> Self {
        Self {
            mode,
            decoded_length: None,
            content_md5: None,
            header_checksum: None,
            trailer_checksum: None,
            sdk_checksum_algorithm: None,
        }
    }

    /// Reads the body-related headers of a request whose payload mode is `mode`.
    pub fn from_headers(mode: PayloadMode, headers: &HeaderMap) -> Result<Self, AuthError> {
        let mut spec = Self::new(mode);
        if let Some(value) = header_str(headers, "x-amz-decoded-content-length")? {
            let parsed = value
                .parse::<u64>()
                .ok()
                .filter(|_| value.bytes().all(|b| b.is_ascii_digit()));
            spec.decoded_length = Some(parsed.ok_or_else(|| {
                AuthError::InvalidArgument("x-amz-decoded-content-length is not a number".into())
            })?);
        }
        if mode.is_streaming() && spec.decoded_length.is_none() {
            return Err(AuthError::MissingContentLength);
        }
        if let Some(value) = header_str(headers, "content-md5")? {
            spec.content_md5 =
                Some(checksum::parse_content_md5(value).map_err(|_| AuthError::InvalidDigest)?);
        }
        // A checksum of an algorithm strata does not compute (AWS's later ones: SHA512,
        // XXHASH64, ...) is refused, never left unchecked.
        if let Some(name) = headers.keys().map(|n| n.as_str()).find(|n| {
            n.starts_with("x-amz-checksum-")
                && !NOT_VALUES.contains(n)
                && ChecksumAlgorithm::from_header_name(n).is_none()
        }) {
            return Err(AuthError::InvalidRequest(format!(
                "{name}: strata does not compute that checksum algorithm"
            )));
        }
        for alg in ChecksumAlgorithm::ALL {
            let Some(value) = header_str(headers, alg.header_name())? else {
                continue;
            };
            if spec.header_checksum.is_some() {
                return Err(AuthError::InvalidRequest(
                    "expecting a single x-amz-checksum- header; multiple checksum types are not allowed".into(),
                ));
            }
            let parsed = ChecksumValue::from_base64(alg, value).map_err(|_| {
                AuthError::InvalidRequest(format!(
                    "value for {} header is invalid",
                    alg.header_name()
                ))
            })?;
            spec.header_checksum = Some(parsed);
        }
        if let Some(value) = header_str(headers, "x-amz-trailer")? {
            if !mode.has_trailer() {
                return Err(AuthError::InvalidRequest(
                    "x-amz-trailer needs a STREAMING-*-TRAILER x-amz-content-sha256".into(),
                ));
            }
            let alg = ChecksumAlgorithm::from_header_name(value.trim()).ok_or_else(|| {
                AuthError::InvalidRequest(format!("unsupported x-amz-trailer {value:?}"))
            })?;
            if spec.header_checksum.is_some() {
                return Err(AuthError::InvalidRequest(
                    "a checksum may come in a header or in a trailer, not both".into(),
                ));
            }
            spec.trailer_checksum = Some(alg);
        }
        if let Some(value) = header_str(headers, "x-amz-sdk-checksum-algorithm")? {
            let alg: ChecksumAlgorithm = value.parse().map_err(|_| {
                AuthError::InvalidRequest(format!(
                    "unsupported x-amz-sdk-checksum-algorithm {value:?}"
                ))
            })?;
            let declared = spec
                .header_checksum
                .map(|v| v.algorithm())
                .or(spec.trailer_checksum);
            if declared.is_some_and(|d| d != alg) {
                return Err(AuthError::InvalidRequest(
                    "x-amz-sdk-checksum-algorithm does not match the checksum sent".into(),
                ));
            }
            spec.sdk_checksum_algorithm = Some(alg);
        }
        Ok(spec)
    }
}

/// What a verified body turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayloadSummary {
    /// Length of the decoded payload.
    pub decoded_length: u64,
    /// SHA-256 of the payload, when the mode required it.
    pub sha256: Option<[u8; 32]>,
    /// MD5 of the payload, when `Content-MD5` was sent or [`PayloadVerifier::with_md5`] asked.
    pub md5: Option<[u8; 16]>,
    /// Every checksum computed (the client's, verified, and any asked for), one per algorithm.
    pub checksums: Vec<ChecksumValue>,
    /// The algorithm of the checksum the client sent (header or trailer), if any.
    pub client_checksum: Option<ChecksumAlgorithm>,
}

impl PayloadSummary {
    /// The computed checksum of one algorithm.
    pub fn checksum(&self, algorithm: ChecksumAlgorithm) -> Option<&ChecksumValue> {
        self.checksums.iter().find(|v| v.algorithm() == algorithm)
    }
}

/// Verifies (and for `aws-chunked`, decodes) one request body.
///
/// Push every piece of the body with [`push`](Self::push) (or [`observe`](Self::observe) for
/// identity bodies), then call [`finish`](Self::finish); an object may be committed only
/// if `finish` succeeds. After an error every later call returns the same error.
#[derive(Debug)]
pub struct PayloadVerifier {
    spec: PayloadSpec,
    decoder: Option<ChunkedDecoder>,
    sha256: Option<Sha256>,
    md5: Option<Md5Hasher>,
    hashers: Vec<ChecksumHasher>,
    decoded: u64,
    failed: Option<AuthError>,
}

impl PayloadVerifier {
    /// A verifier for `spec`. Signed streaming modes need the `signer` of the request.
    pub fn new(spec: PayloadSpec, signer: Option<ChunkSigner>) -> Result<Self, AuthError> {
        let decoder = match spec.mode {
            PayloadMode::Unsigned | PayloadMode::Sha256(_) => None,
            PayloadMode::StreamingUnsignedTrailer => {
                Some(ChunkedDecoder::new(None, true, spec.decoded_length))
            }
            PayloadMode::StreamingSigned | PayloadMode::StreamingSignedTrailer => {
                let signer = signer.ok_or(AuthError::AccessDenied(
                    "signed aws-chunked bodies need a signed request",
                ))?;
                Some(ChunkedDecoder::new(
                    Some(signer),
                    spec.mode.has_trailer(),
                    spec.decoded_length,
                ))
            }
        };
        let sha256 = matches!(spec.mode, PayloadMode::Sha256(_)).then(Sha256::new);
        let md5 = spec.content_md5.map(|_| Md5Hasher::new());
        let mut verifier = Self {
            decoder,
            sha256,
            md5,
            hashers: Vec::new(),
            decoded: 0,
            failed: None,
            spec,
        };
        if let Some(alg) = verifier.client_checksum() {
            verifier = verifier.with_checksum(alg);
        }
        Ok(verifier)
    }

    /// A verifier for an unsigned body without digests: it counts the bytes, checks nothing.
    pub fn unsigned() -> Self {
        Self {
            spec: PayloadSpec::new(PayloadMode::Unsigned),
            decoder: None,
            sha256: None,
            md5: None,
            hashers: Vec::new(),
            decoded: 0,
            failed: None,
        }
    }

    /// The checksum algorithm the client's request names: by a value header, a trailer or
    /// `x-amz-sdk-checksum-algorithm`.
    pub fn client_checksum(&self) -> Option<ChecksumAlgorithm> {
        self.spec
            .header_checksum
            .map(|v| v.algorithm())
            .or(self.spec.trailer_checksum)
            .or(self.spec.sdk_checksum_algorithm)
    }

    /// Also compute the MD5 of the payload (for an ETag).
    pub fn with_md5(mut self) -> Self {
        self.md5.get_or_insert_with(Md5Hasher::new);
        self
    }

    /// Whether the MD5 of the payload is taken.
    pub fn hashes_md5(&self) -> bool {
        self.md5.is_some()
    }

    /// Also compute `algorithm` over the payload (e.g. the one chosen at multipart creation).
    pub fn with_checksum(mut self, algorithm: ChecksumAlgorithm) -> Self {
        if !self.hashers.iter().any(|h| h.algorithm() == algorithm) {
            self.hashers.push(algorithm.hasher());
        }
        self
    }

    /// The payload mode being verified.
    pub fn mode(&self) -> PayloadMode {
        self.spec.mode
    }

    /// Whether the body is the payload itself (not `aws-chunked`), so that
    /// [`observe`](Self::observe) can be used instead of copying through [`push`](Self::push).
    pub fn is_identity(&self) -> bool {
        self.decoder.is_none()
    }

    /// Payload bytes seen so far.
    pub fn decoded_length(&self) -> u64 {
        self.decoded
    }

    /// Feeds the next piece of the body; the decoded payload is appended to `out`.
    pub fn push(&mut self, input: &[u8], out: &mut BytesMut) -> Result<(), AuthError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let start = out.len();
        let result = match &mut self.decoder {
            Some(decoder) => decoder.push(input, out),
            None => {
                out.extend_from_slice(input);
                Ok(())
            }
        };
        let emitted = out.get(start..).unwrap_or_default();
        self.absorb(emitted);
        result
            .and_then(|()| self.check_length())
            .inspect_err(|err| {
                self.failed = Some(err.clone());
            })
    }

    /// Feeds a piece of an identity body without copying it. Refused for `aws-chunked`
    /// bodies, whose payload must be decoded through [`push`](Self::push).
    pub fn observe(&mut self, data: &[u8]) -> Result<(), AuthError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if self.decoder.is_some() {
            return Err(AuthError::InvalidRequest(
                "an aws-chunked body must be decoded, not observed".into(),
            ));
        }
        self.absorb(data);
        self.check_length().inspect_err(|err| {
            self.failed = Some(err.clone());
        })
    }

    /// Ends the body: checks completeness, lengths, hashes and checksums.
    pub fn finish(self) -> Result<PayloadSummary, AuthError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let trailers = match self.decoder {
            Some(decoder) => decoder.finish()?.1,
            None => Vec::new(),
        };
        if self.spec.decoded_length.is_some_and(|n| n != self.decoded) {
            return Err(AuthError::IncompleteBody);
        }
        let sha256: Option<[u8; 32]> = self.sha256.map(|h| h.finalize().into());
        if let (PayloadMode::Sha256(expected), Some(actual)) = (self.spec.mode, sha256) {
            if expected != actual {
                return Err(AuthError::XAmzContentSha256Mismatch);
            }
        }
        let md5 = self.md5.map(Md5Hasher::finalize);
        if let (Some(expected), Some(actual)) = (self.spec.content_md5, md5) {
            if expected != actual {
                return Err(AuthError::BadDigest("Content-MD5"));
            }
        }
        let checksums: Vec<ChecksumValue> = self
            .hashers
            .into_iter()
            .map(ChecksumHasher::finalize)
            .collect();
        let expected = match self.spec.trailer_checksum {
            Some(alg) => Some(trailer_value(alg, &trailers)?),
            None if !trailers.is_empty() => {
                return Err(AuthError::InvalidRequest(
                    "trailers were sent but none was announced in x-amz-trailer".into(),
                ))
            }
            None => self.spec.header_checksum,
        };
        if let Some(expected) = expected {
            let actual = checksums
                .iter()
                .find(|v| v.algorithm() == expected.algorithm());
            if actual != Some(&expected) {
                return Err(AuthError::BadDigest(expected.algorithm().as_str()));
            }
        }
        Ok(PayloadSummary {
            decoded_length: self.decoded,
            sha256,
            md5,
            checksums,
            client_checksum: expected.map(|v| v.algorithm()),
        })
    }

    fn absorb(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        self.decoded = self.decoded.saturating_add(data.len() as u64);
        if let Some(h) = &mut self.sha256 {
            h.update(data);
        }
        if let Some(h) = &mut self.md5 {
            h.update(data);
        }
        for h in &mut self.hashers {
            h.update(data);
        }
    }

    /// An identity body longer than `x-amz-decoded-content-length` fails early.
    fn check_length(&self) -> Result<(), AuthError> {
        match self.spec.decoded_length {
            Some(max) if self.decoded > max => Err(AuthError::InvalidRequest(
                "the body is longer than x-amz-decoded-content-length".into(),
            )),
            _ => Ok(()),
        }
    }
}

/// The announced checksum trailer's value; it must be the only trailer.
fn trailer_value(
    alg: ChecksumAlgorithm,
    trailers: &[(String, String)],
) -> Result<ChecksumValue, AuthError> {
    let mut value = None;
    for (name, field) in trailers {
        if name != alg.header_name() {
            return Err(AuthError::InvalidRequest(format!(
                "trailer {name:?} was not announced in x-amz-trailer"
            )));
        }
        value = Some(field);
    }
    let field = value.ok_or_else(|| {
        AuthError::InvalidRequest(format!(
            "the announced trailer {} is missing",
            alg.header_name()
        ))
    })?;
    ChecksumValue::from_base64(alg, field).map_err(|_| {
        AuthError::InvalidRequest(format!(
            "value for {} trailer is invalid",
            alg.header_name()
        ))
    })
}
