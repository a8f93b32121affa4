//! The request body as handlers see it: the client's bytes, decoded (`aws-chunked`) and
//! verified (payload hash, chunk signatures, `Content-MD5`, checksums) as they stream, never
//! whole in memory. The stream ends only once verification passed, and then
//! [`Body::finish`] gives what it found; any failure is the stream's last item and stays the
//! answer of `finish`.

use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{ready, Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::stream::{BoxStream, Stream, StreamExt};

use crate::auth::{AuthError, PayloadSummary, PayloadVerifier};
use crate::checksum::ChecksumAlgorithm;

/// The body as it comes off the connection, before decoding and verification.
pub type WireBody<'a> = BoxStream<'a, io::Result<Bytes>>;

/// Why a request body failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// Decoding or verification failed (signature, hash, checksum, framing).
    #[error(transparent)]
    Verify(#[from] AuthError),
    /// The client went away or the connection broke mid-body.
    #[error("the request body ended early: {0}")]
    Truncated(String),
    /// The body is longer than the operation accepts.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(u64),
    /// A document was expected and the body is empty.
    #[error("the request body is empty")]
    Empty,
    /// A handler asked for the summary before reading the body to its end (a bug).
    #[error("the request body was not read to its end")]
    Unfinished,
}

enum State {
    Streaming,
    Ended(PayloadSummary),
    Failed(BodyError),
}

/// The decoded, verified request body.
pub struct Body<'a> {
    /// Behind a mutex only so that the body is `Sync` (handlers hold `&Request` across awaits);
    /// it is only reached through `&mut self`, so the mutex is never locked.
    wire: Option<Mutex<WireBody<'a>>>,
    verifier: Option<PayloadVerifier>,
    /// Decoded bytes of an `aws-chunked` body, handed on as they come.
    out: BytesMut,
    state: State,
    /// Length of the decoded body when the client announced it.
    pub length: Option<u64>,
    /// Most decoded bytes taken: a body of unknown length fails past it.
    max: Option<u64>,
}

impl<'a> Body<'a> {
    /// A body read from `wire` through `verifier`.
    pub fn new(wire: WireBody<'a>, verifier: PayloadVerifier, length: Option<u64>) -> Self {
        Body {
            wire: Some(Mutex::new(wire)),
            verifier: Some(verifier),
            out: BytesMut::new(),
            state: State::Streaming,
            length,
            max: None,
        }
    }

    /// The same body, failing with [`BodyError::TooLarge`] once it passes `max` decoded
    /// bytes (a body sent without a length, whose size is known only at its end).
    pub fn with_limit(mut self, max: u64) -> Self {
        self.max = Some(max);
        self
    }

    /// No body at all.
    pub fn empty() -> Self {
        Self::from_bytes(Bytes::new())
    }

    /// A body already read and verified (a form that authenticated the request).
    pub fn from_bytes(bytes: Bytes) -> Self {
        let length = Some(bytes.len() as u64);
        let wire = futures::stream::iter((!bytes.is_empty()).then_some(Ok(bytes))).boxed();
        Body::new(wire, PayloadVerifier::unsigned(), length)
    }

    /// Whether verification takes the MD5 of the client's bytes (to check a `Content-MD5`):
    /// then [`PayloadSummary::md5`] has it.
    pub fn hashes_md5(&self) -> bool {
        self.verifier
            .as_ref()
            .is_some_and(PayloadVerifier::hashes_md5)
    }

    /// The checksum algorithm the client's request names for this body, if any.
    pub fn client_checksum(&self) -> Option<ChecksumAlgorithm> {
        self.verifier
            .as_ref()
            .and_then(PayloadVerifier::client_checksum)
    }

    /// Also compute `algorithm` over the client's bytes (the one an upload announced).
    pub fn with_checksum(&mut self, algorithm: ChecksumAlgorithm) {
        self.verifier = self.verifier.take().map(|v| v.with_checksum(algorithm));
    }

    /// What verification found, once the stream has ended; the failure if it failed.
    pub fn finish(&mut self) -> Result<PayloadSummary, BodyError> {
        match &self.state {
            State::Ended(summary) => Ok(summary.clone()),
            State::Failed(e) => Err(e.clone()),
            State::Streaming => Err(BodyError::Unfinished),
        }
    }

    /// Reads the whole body for small documents (XML, policies), refusing more than `limit`
    /// bytes before buffering them.
    pub async fn collect(mut self, limit: usize) -> Result<Bytes, BodyError> {
        if self.length.is_some_and(|l| l > limit as u64) {
            return Err(BodyError::TooLarge(limit as u64));
        }
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            if buf.len() + chunk.len() > limit {
                return Err(BodyError::TooLarge(limit as u64));
            }
            buf.extend_from_slice(&chunk);
        }
        self.finish()?;
        Ok(buf.freeze())
    }

    /// Reads a document that must not be empty (S3's `MissingRequestBodyError` is reported
    /// as `MalformedXML` by most stores; we do the same).
    pub async fn collect_document(self, limit: usize) -> Result<Bytes, BodyError> {
        let body = self.collect(limit).await?;
        if body.is_empty() {
            return Err(BodyError::Empty);
        }
        Ok(body)
    }

    fn fail(&mut self, e: BodyError) -> BodyError {
        self.wire = None;
        self.verifier = None;
        self.state = State::Failed(e.clone());
        e
    }

    /// The wire body ended: verification decides whether the body did.
    fn end(&mut self) -> Option<Result<Bytes, BodyError>> {
        self.wire = None;
        let verdict = self
            .verifier
            .take()
            .map_or(Err(BodyError::Unfinished), |v| {
                v.finish().map_err(BodyError::from)
            });
        match verdict {
            Ok(summary) => {
                self.state = State::Ended(summary);
                None
            }
            Err(e) => Some(Err(self.fail(e))),
        }
    }
}

impl Stream for Body<'_> {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if !matches!(this.state, State::Streaming) {
                return Poll::Ready(None);
            }
            let wire = match this.wire.as_mut().map(Mutex::get_mut) {
                None => return Poll::Ready(this.end()),
                Some(Ok(wire)) => wire,
                // Never locked, so never poisoned; were it, the body could not be trusted.
                Some(Err(_)) => return Poll::Ready(Some(Err(this.fail(BodyError::Unfinished)))),
            };
            let Some(read) = ready!(wire.poll_next_unpin(cx)) else {
                return Poll::Ready(this.end());
            };
            let chunk = match read {
                Ok(chunk) => chunk,
                Err(e) => {
                    return Poll::Ready(Some(Err(this.fail(BodyError::Truncated(e.to_string())))))
                }
            };
            let Some(verifier) = this.verifier.as_mut() else {
                return Poll::Ready(Some(Err(this.fail(BodyError::Unfinished))));
            };
            let decoded = if verifier.is_identity() {
                verifier.observe(&chunk).map(|()| chunk)
            } else {
                verifier
                    .push(&chunk, &mut this.out)
                    .map(|()| this.out.split().freeze())
            };
            if this.max.is_some_and(|max| verifier.decoded_length() > max) {
                let max = this.max.unwrap_or_default();
                return Poll::Ready(Some(Err(this.fail(BodyError::TooLarge(max)))));
            }
            match decoded {
                Ok(bytes) if bytes.is_empty() => continue,
                Ok(bytes) => return Poll::Ready(Some(Ok(bytes))),
                Err(e) => return Poll::Ready(Some(Err(this.fail(e.into())))),
            }
        }
    }
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
