//! Request bodies: nothing, one shared slice, or an aws-chunked stream with a signature per
//! chunk.
//!
//! Every payload is a `Bytes` slice of the run's one random buffer, so sending a body copies
//! nothing in user space and allocates nothing per request except, for aws-chunked, each
//! chunk's short header line.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use crate::sign::{Signature, Signer};

/// The body of one request.
#[derive(Debug)]
pub enum ReqBody {
    /// No body (GET, HEAD, DELETE, LIST).
    Empty,
    /// The whole payload in one frame.
    Full(Option<Bytes>),
    /// aws-chunked encoding with chained chunk signatures.
    Chunked(Box<ChunkedBody>),
}

impl ReqBody {
    /// A body of one frame.
    pub fn full(data: Bytes) -> Self {
        ReqBody::Full(Some(data))
    }
}

impl Body for ReqBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        let next = match this {
            ReqBody::Empty => None,
            ReqBody::Full(data) => data.take().map(Frame::data),
            ReqBody::Chunked(c) => c.next_frame().map(Frame::data),
        };
        Poll::Ready(next.map(Ok))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ReqBody::Empty => true,
            ReqBody::Full(data) => data.is_none(),
            ReqBody::Chunked(c) => c.done,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReqBody::Empty => SizeHint::with_exact(0),
            ReqBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            ReqBody::Chunked(c) => SizeHint::with_exact(c.remaining_encoded()),
        }
    }
}

/// Length of `;chunk-signature=` plus the 64 hex digits of a signature.
const SIG_FIELD: u64 = 17 + 64;

/// The encoded length of an aws-chunked body carrying `len` bytes in chunks of `chunk`.
pub fn chunked_encoded_len(len: u64, chunk: u64) -> u64 {
    let chunk = chunk.max(1);
    let full = len / chunk;
    let last = len % chunk;
    let per = |size: u64| hex_len(size) + SIG_FIELD + 2 + size + 2;
    let mut total = full * per(chunk);
    if last > 0 {
        total += per(last);
    }
    // The final zero-length chunk: "0;chunk-signature=...\r\n\r\n".
    total + 1 + SIG_FIELD + 4
}

fn hex_len(n: u64) -> u64 {
    if n == 0 {
        1
    } else {
        u64::from((64 - n.leading_zeros()).div_ceil(4))
    }
}

/// An aws-chunked (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) body, signed lazily chunk by chunk as
/// the connection asks for data, so the hashing is spread over the upload.
pub struct ChunkedBody {
    signer: Arc<Signer>,
    seed: Signature,
    previous: String,
    data: Bytes,
    pos: usize,
    chunk: usize,
    pending: Option<Bytes>,
    done: bool,
    sent: u64,
    total: u64,
}

impl std::fmt::Debug for ChunkedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedBody")
            .field("len", &self.data.len())
            .field("pos", &self.pos)
            .field("chunk", &self.chunk)
            .finish_non_exhaustive()
    }
}

impl ChunkedBody {
    /// A body for `data`, chained from the request's seed signature.
    pub fn new(signer: Arc<Signer>, seed: Signature, data: Bytes, chunk: usize) -> Self {
        let chunk = chunk.max(1);
        let total = chunked_encoded_len(data.len() as u64, chunk as u64);
        ChunkedBody {
            signer,
            previous: seed.signature.clone(),
            seed,
            data,
            pos: 0,
            chunk,
            pending: None,
            done: false,
            sent: 0,
            total,
        }
    }

    fn remaining_encoded(&self) -> u64 {
        self.total - self.sent
    }

    fn next_frame(&mut self) -> Option<Bytes> {
        let frame = self.produce()?;
        self.sent += frame.len() as u64;
        Some(frame)
    }

    fn produce(&mut self) -> Option<Bytes> {
        if let Some(data) = self.pending.take() {
            return Some(data);
        }
        if self.done {
            return None;
        }
        let end = (self.pos + self.chunk).min(self.data.len());
        let piece = self.data.slice(self.pos..end);
        let sig = self.signer.sign_chunk(&self.seed, &self.previous, &piece);
        // The CRLF closing the previous chunk's data rides at the front of this header, which
        // saves one frame per chunk.
        let lead = if self.pos > 0 { "\r\n" } else { "" };
        let header = if piece.is_empty() {
            self.done = true;
            format!("{lead}0;chunk-signature={sig}\r\n\r\n")
        } else {
            self.pending = Some(piece.clone());
            format!("{lead}{:x};chunk-signature={sig}\r\n", piece.len())
        };
        // Once `pos` reaches the end, the next call's slice is empty: the final zero chunk.
        self.pos = end;
        self.previous = sig;
        Some(Bytes::from(header))
    }
}
