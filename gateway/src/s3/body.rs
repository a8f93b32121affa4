//! Request and response bodies as the handlers see them: streams of bytes, never whole
//! objects in memory.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::stream::{BoxStream, Stream, StreamExt};

use super::error::{BodyError, Code, S3Error};

/// The decoded, verified request body. Whoever builds it (the server) has already put the
/// payload verifier in the way, so bytes that come out are the object's bytes.
pub struct Body<'a> {
    stream: BoxStream<'a, io::Result<Bytes>>,
    /// Length of the decoded body when the client announced it.
    pub length: Option<u64>,
}

impl<'a> Body<'a> {
    /// A body from a stream of chunks.
    pub fn new(stream: BoxStream<'a, io::Result<Bytes>>, length: Option<u64>) -> Self {
        Body { stream, length }
    }

    /// No body.
    pub fn empty() -> Self {
        Body {
            stream: futures::stream::empty().boxed(),
            length: Some(0),
        }
    }

    /// Reads the whole body for small documents (XML, policies), refusing more than `limit`
    /// bytes before buffering them.
    pub async fn collect(mut self, limit: usize) -> Result<Bytes, S3Error> {
        if self.length.is_some_and(|l| l > limit as u64) {
            return Err(BodyError::TooLarge(limit as u64).into());
        }
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.stream.next().await {
            let chunk = chunk.map_err(S3Error::from)?;
            if buf.len() + chunk.len() > limit {
                return Err(BodyError::TooLarge(limit as u64).into());
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    /// Reads the whole body, requiring it to be non-empty (S3's `MissingRequestBodyError` is
    /// reported as `MalformedXML` by most stores; we do the same).
    pub async fn collect_xml(self, limit: usize) -> Result<Bytes, S3Error> {
        let body = self.collect(limit).await?;
        if body.is_empty() {
            return Err(Code::MalformedXML.with("request body is empty"));
        }
        Ok(body)
    }
}

impl Stream for Body<'_> {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

/// A response body.
pub enum ResponseBody {
    /// Nothing (HEAD, 204, ...).
    Empty,
    /// A small document held in memory (XML).
    Full(Bytes),
    /// Object bytes streamed from the store; `len` is what Content-Length announces.
    Stream {
        /// The bytes.
        stream: BoxStream<'static, Result<Bytes, S3Error>>,
        /// Their total length.
        len: u64,
    },
}
