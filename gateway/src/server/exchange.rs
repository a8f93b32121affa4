//! One request's connection as the request stack sees it: read the body, answer. pingora's
//! session implements it for serving (`server::session`); tests drive the same stack through
//! an in-memory exchange.

use std::future::Future;
use std::io;

use bytes::Bytes;

use crate::observe::Peer;

/// A response's head as the stack writes it.
pub struct ResponseHead {
    /// Status code.
    pub status: u16,
    /// The handler's headers.
    pub headers: Vec<(String, String)>,
    /// The headers every response carries, kept apart so a transport can write them under
    /// their static names.
    pub common: CommonHeaders,
}

/// What every response carries besides the handler's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonHeaders {
    /// `Content-Length`, unless the handler set it or the status forbids one.
    pub content_length: Option<u64>,
    /// `x-amz-request-id`.
    pub request_id: String,
    /// `x-amz-id-2`.
    pub host_id: String,
    /// `Date`.
    pub date: String,
}

impl CommonHeaders {
    /// `Server`.
    pub const SERVER: &'static str = "strata";

    /// Every one of them as a name and a value.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(5);
        if let Some(len) = self.content_length {
            out.push(("content-length", len.to_string()));
        }
        out.push(("x-amz-request-id", self.request_id.clone()));
        out.push(("x-amz-id-2", self.host_id.clone()));
        out.push(("server", Self::SERVER.to_string()));
        out.push(("date", self.date.clone()));
        out
    }
}

/// The transport under one request.
pub trait Exchange: Send {
    /// Who is on the other end.
    fn peer(&self) -> Peer;

    /// The next piece of the request body; `None` once it has ended.
    fn read_body(&mut self) -> impl Future<Output = io::Result<Option<Bytes>>> + Send;

    /// Answers `Expect: 100-continue` (sent once the request is worth its body).
    fn send_continue(&mut self) -> impl Future<Output = io::Result<()>> + Send;

    /// Bytes of request body read off the connection so far.
    fn body_bytes_read(&self) -> u64;

    /// Writes the response head.
    fn send_head(&mut self, head: ResponseHead) -> impl Future<Output = io::Result<()>> + Send;

    /// Writes a piece of the response body; `end` with the last one.
    fn send_body(&mut self, chunk: Bytes, end: bool)
        -> impl Future<Output = io::Result<()>> + Send;

    /// Ends the response (after its last body piece, or at once when it has none).
    fn finish(&mut self) -> impl Future<Output = io::Result<()>> + Send;
}
