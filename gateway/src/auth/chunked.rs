//! The `aws-chunked` content encoding, decoded push-style with bounded memory.
//!
//! ```text
//! 10000;chunk-signature=<64 hex>\r\n <65536 bytes> \r\n
//! 0;chunk-signature=<64 hex>\r\n
//! x-amz-checksum-crc32c:sOO8/Q==\r\n            (trailer modes)
//! x-amz-trailer-signature:<64 hex>\r\n          (signed trailer mode)
//! \r\n
//! ```
//!
//! Data is emitted as it arrives (never a whole chunk buffered); its chunk signature is
//! checked when the chunk ends, so a caller must not commit anything before `finish`.
//! Only a header or trailer line is buffered, and both are capped.

use std::fmt;
use std::time::SystemTime;

use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use bytes::BytesMut;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::error::AuthError;

/// Largest chunk accepted. SDKs send 8 KiB to 1 MiB; this bounds what a peer can announce.
pub const MAX_CHUNK_SIZE: u64 = 16 * 1024 * 1024;
/// Longest chunk-header or trailer line (a signed header is about 100 bytes).
pub const MAX_LINE: usize = 4096;
/// Most bytes of trailer lines in one body.
pub const MAX_TRAILER_BYTES: usize = 16 * 1024;
/// Most trailer fields in one body.
const MAX_TRAILERS: usize = 16;

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const TRAILER_SIGNATURE: &str = "x-amz-trailer-signature";

/// The running signature chain of a signed `aws-chunked` body.
#[derive(Clone)]
pub struct ChunkSigner {
    key: Vec<u8>,
    amz_date: String,
    scope: String,
    previous: String,
}

impl ChunkSigner {
    /// Starts a chain from the request's (seed) signature, for a request signed at
    /// `request_time` with scope `region`/`service`.
    pub fn new(
        secret_key: &str,
        request_time: SystemTime,
        region: &str,
        service: &str,
        seed_signature: &str,
    ) -> Self {
        let amz_date = super::time::format_amz_date(request_time);
        let scope = format!(
            "{}/{region}/{service}/aws4_request",
            amz_date.get(..8).unwrap_or_default()
        );
        let key = generate_signing_key(secret_key, request_time, region, service)
            .as_ref()
            .to_vec();
        Self {
            key,
            amz_date,
            scope,
            previous: seed_signature.to_ascii_lowercase(),
        }
    }

    /// Checks the next signature of the chain and advances it.
    fn verify(&mut self, algorithm: &str, hashes: &str, provided: &[u8]) -> Result<(), AuthError> {
        let sts = format!(
            "{algorithm}\n{}\n{}\n{}\n{hashes}",
            self.amz_date, self.scope, self.previous
        );
        let computed = calculate_signature(&self.key, sts.as_bytes());
        let provided = provided.to_ascii_lowercase();
        if bool::from(computed.as_bytes().ct_eq(&provided)) {
            self.previous = computed;
            Ok(())
        } else {
            Err(AuthError::SignatureDoesNotMatch)
        }
    }

    fn verify_chunk(&mut self, chunk_sha256: &[u8], provided: &[u8]) -> Result<(), AuthError> {
        let hashes = format!("{EMPTY_SHA256}\n{}", hex::encode(chunk_sha256));
        self.verify("AWS4-HMAC-SHA256-PAYLOAD", &hashes, provided)
    }

    fn verify_trailer(&mut self, trailer_sha256: &[u8], provided: &[u8]) -> Result<(), AuthError> {
        self.verify(
            "AWS4-HMAC-SHA256-TRAILER",
            &hex::encode(trailer_sha256),
            provided,
        )
    }
}

impl fmt::Debug for ChunkSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("amz_date", &self.amz_date)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a `size[;ext]` line.
    Header,
    /// Inside a chunk's data.
    Data {
        remaining: u64,
    },
    /// After a chunk's data: expecting `\r`, then `\n`.
    DataCr,
    DataLf,
    /// After the zero-size chunk: trailer lines up to an empty line.
    Trailer,
    /// The body is complete.
    Done,
}

fn malformed(what: &str) -> AuthError {
    AuthError::InvalidRequest(format!("malformed aws-chunked body: {what}"))
}

/// Decoder for one `aws-chunked` body.
#[derive(Debug)]
pub(crate) struct ChunkedDecoder {
    signer: Option<ChunkSigner>,
    expects_trailer: bool,
    max_decoded: Option<u64>,
    state: State,
    line: Vec<u8>,
    chunk_signature: Option<Vec<u8>>,
    chunk_hash: Sha256,
    decoded: u64,
    trailers: Vec<(String, String)>,
    trailer_bytes: usize,
    trailer_signed: bool,
}

impl ChunkedDecoder {
    /// `signer` is `Some` for the signed modes; `expects_trailer` for the `-TRAILER` modes;
    /// `max_decoded` is `x-amz-decoded-content-length`.
    pub(crate) fn new(
        signer: Option<ChunkSigner>,
        expects_trailer: bool,
        max_decoded: Option<u64>,
    ) -> Self {
        Self {
            signer,
            expects_trailer,
            max_decoded,
            state: State::Header,
            line: Vec::new(),
            chunk_signature: None,
            chunk_hash: Sha256::new(),
            decoded: 0,
            trailers: Vec::new(),
            trailer_bytes: 0,
            trailer_signed: false,
        }
    }

    /// Decodes `input`, appending payload bytes to `out`.
    pub(crate) fn push(&mut self, mut input: &[u8], out: &mut BytesMut) -> Result<(), AuthError> {
        while !input.is_empty() {
            input = match self.state {
                State::Header | State::Trailer => self.take_line(input)?,
                State::Data { remaining } => {
                    let n = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    let (data, rest) = input.split_at(n);
                    out.extend_from_slice(data);
                    if self.signer.is_some() {
                        self.chunk_hash.update(data);
                    }
                    let remaining = remaining - n as u64;
                    if remaining == 0 {
                        self.end_of_chunk_data()?;
                        self.state = State::DataCr;
                    } else {
                        self.state = State::Data { remaining };
                    }
                    rest
                }
                State::DataCr | State::DataLf => {
                    let (&b, rest) = input.split_first().ok_or_else(|| malformed("empty"))?;
                    self.state = match (self.state, b) {
                        (State::DataCr, b'\r') => State::DataLf,
                        (State::DataLf, b'\n') => State::Header,
                        _ => return Err(malformed("chunk data not followed by CRLF")),
                    };
                    rest
                }
                State::Done => {
                    // Stray line ends after the final empty line carry nothing; refuse data.
                    if input.iter().all(|&b| b == b'\r' || b == b'\n') {
                        &[]
                    } else {
                        return Err(malformed("data after the end of the body"));
                    }
                }
            };
        }
        Ok(())
    }

    /// Checks that the body ended where it may end; returns (decoded length, trailers).
    pub(crate) fn finish(self) -> Result<(u64, Vec<(String, String)>), AuthError> {
        let complete = match self.state {
            State::Done => true,
            // Some clients stop after the last trailer line (or after the final chunk when
            // there are no trailers) without the closing empty line: nothing is lost then.
            State::Trailer => {
                self.line.is_empty()
                    && (self.signer.is_none() || !self.expects_trailer || self.trailer_signed)
            }
            _ => false,
        };
        if !complete {
            return Err(AuthError::IncompleteBody);
        }
        Ok((self.decoded, self.trailers))
    }

    /// Accumulates one CRLF-terminated line, then handles it.
    fn take_line<'i>(&mut self, input: &'i [u8]) -> Result<&'i [u8], AuthError> {
        let room = MAX_LINE.saturating_sub(self.line.len());
        let window = input.get(..room.min(input.len())).unwrap_or_default();
        match window.iter().position(|&b| b == b'\n') {
            Some(lf) => {
                self.line
                    .extend_from_slice(window.get(..lf).unwrap_or_default());
                let rest = input.get(lf + 1..).unwrap_or_default();
                if self.line.pop() != Some(b'\r') {
                    return Err(malformed("line not terminated by CRLF"));
                }
                let line = std::mem::take(&mut self.line);
                if self.state == State::Header {
                    self.chunk_header(&line)?;
                } else {
                    self.trailer_line(&line)?;
                }
                Ok(rest)
            }
            None if window.len() == input.len() => {
                self.line.extend_from_slice(window);
                Ok(&[])
            }
            None => Err(malformed("chunk header or trailer line too long")),
        }
    }

    fn chunk_header(&mut self, line: &[u8]) -> Result<(), AuthError> {
        let mut parts = line.split(|&b| b == b';');
        let size = parts.next().unwrap_or_default().trim_ascii();
        if size.is_empty() || size.len() > 16 || !size.iter().all(u8::is_ascii_hexdigit) {
            return Err(malformed("invalid chunk size"));
        }
        let size = std::str::from_utf8(size)
            .ok()
            .and_then(|s| u64::from_str_radix(s, 16).ok())
            .ok_or_else(|| malformed("invalid chunk size"))?;
        if size > MAX_CHUNK_SIZE {
            return Err(AuthError::InvalidRequest(format!(
                "aws-chunked chunk of {size} bytes exceeds the limit of {MAX_CHUNK_SIZE}"
            )));
        }
        let mut signature = None;
        for ext in parts {
            let (name, value) = match ext.iter().position(|&b| b == b'=') {
                Some(eq) => (ext.get(..eq), ext.get(eq + 1..)),
                None => (Some(ext), None),
            };
            if name.map(<[u8]>::trim_ascii) == Some(b"chunk-signature") {
                let value = value.unwrap_or_default().trim_ascii();
                if signature.replace(value.to_vec()).is_some() {
                    return Err(malformed("chunk-signature appears twice"));
                }
            }
        }
        if self.signer.is_some() && signature.is_none() {
            return Err(AuthError::SignatureDoesNotMatch);
        }
        let decoded = self.decoded.saturating_add(size);
        if self.max_decoded.is_some_and(|max| decoded > max) {
            return Err(AuthError::InvalidRequest(
                "the aws-chunked body is longer than x-amz-decoded-content-length".into(),
            ));
        }
        self.decoded = decoded;
        self.chunk_signature = signature;
        if size == 0 {
            self.end_of_chunk_data()?;
            self.state = State::Trailer;
        } else {
            self.state = State::Data { remaining: size };
        }
        Ok(())
    }

    /// Verifies the signature of the chunk whose data just ended.
    fn end_of_chunk_data(&mut self) -> Result<(), AuthError> {
        let hash = std::mem::take(&mut self.chunk_hash).finalize();
        let provided = self.chunk_signature.take();
        match (&mut self.signer, provided) {
            (Some(signer), Some(provided)) => signer.verify_chunk(&hash, &provided),
            (Some(_), None) => Err(AuthError::SignatureDoesNotMatch),
            (None, _) => Ok(()),
        }
    }

    fn trailer_line(&mut self, line: &[u8]) -> Result<(), AuthError> {
        if line.is_empty() {
            if self.signer.is_some() && self.expects_trailer && !self.trailer_signed {
                return Err(AuthError::SignatureDoesNotMatch);
            }
            self.state = State::Done;
            return Ok(());
        }
        if !self.expects_trailer {
            return Err(malformed("trailer in a body that declared none"));
        }
        if self.trailer_signed {
            return Err(malformed("trailer after x-amz-trailer-signature"));
        }
        self.trailer_bytes = self.trailer_bytes.saturating_add(line.len());
        if self.trailer_bytes > MAX_TRAILER_BYTES {
            return Err(malformed("trailers too large"));
        }
        let text = std::str::from_utf8(line).map_err(|_| malformed("trailer is not text"))?;
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| malformed("trailer without ':'"))?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if name.is_empty() {
            return Err(malformed("trailer with an empty name"));
        }
        if name == TRAILER_SIGNATURE {
            let Some(signer) = &mut self.signer else {
                return Err(malformed("x-amz-trailer-signature in an unsigned body"));
            };
            let mut sorted: Vec<&(String, String)> = self.trailers.iter().collect();
            sorted.sort();
            let mut hasher = Sha256::new();
            for (name, value) in sorted {
                hasher.update(name.as_bytes());
                hasher.update(b":");
                hasher.update(value.as_bytes());
                hasher.update(b"\n");
            }
            signer.verify_trailer(&hasher.finalize(), value.as_bytes())?;
            self.trailer_signed = true;
            return Ok(());
        }
        if self.trailers.len() == MAX_TRAILERS || self.trailers.iter().any(|(n, _)| n == &name) {
            return Err(malformed("too many or repeated trailers"));
        }
        self.trailers.push((name, value.to_owned()));
        Ok(())
    }
}
