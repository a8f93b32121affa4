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
    /// Every header, the server's own included.
    pub headers: Vec<(String, String)>,
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
