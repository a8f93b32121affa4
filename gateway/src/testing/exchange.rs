//! An in-memory exchange: the request body comes from a channel (filled up front, or fed
//! while the stack waits), the response is captured.

use std::io;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::observe::Peer;
use crate::server::{Exchange, ResponseHead};

/// One request's transport, in memory.
pub struct MemoryExchange {
    peer: Peer,
    body: mpsc::Receiver<Bytes>,
    read: u64,
    /// `100 Continue` responses sent.
    pub continues: usize,
    /// Response status, once the head was sent.
    pub status: Option<u16>,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body_out: Vec<u8>,
    /// Whether the response was finished.
    pub finished: bool,
}

impl MemoryExchange {
    /// A request whose whole body is `body` (sent in pieces of 64 KiB).
    pub fn with_body(body: &[u8]) -> Self {
        let (tx, rx) = mpsc::channel(body.len() / 65_536 + 1);
        for piece in body.chunks(65_536) {
            // Capacity covers every piece, so this never fails.
            let _ = tx.try_send(Bytes::copy_from_slice(piece));
        }
        Self::new(rx)
    }

    /// A request whose body arrives through the returned sender (it ends when dropped).
    pub fn fed() -> (Self, mpsc::Sender<Bytes>) {
        let (tx, rx) = mpsc::channel(16);
        (Self::new(rx), tx)
    }

    fn new(body: mpsc::Receiver<Bytes>) -> Self {
        MemoryExchange {
            peer: Peer {
                addr: Some("127.0.0.1:40000".parse().expect("a socket address")),
                tls: None,
                ..Default::default()
            },
            body,
            read: 0,
            continues: 0,
            status: None,
            headers: Vec::new(),
            body_out: Vec::new(),
            finished: false,
        }
    }

    /// The same exchange from another client.
    pub fn with_peer(mut self, peer: Peer) -> Self {
        self.peer = peer;
        self
    }

    /// Request body bytes the stack read.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// A response header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `<Code>` of an S3 error document, if the body is one.
    pub fn error_code(&self) -> Option<String> {
        let text = String::from_utf8_lossy(&self.body_out);
        let start = text.find("<Code>")? + "<Code>".len();
        let end = text[start..].find("</Code>")? + start;
        Some(text[start..end].to_string())
    }
}

impl Exchange for MemoryExchange {
    fn peer(&self) -> Peer {
        self.peer.clone()
    }

    async fn read_body(&mut self) -> io::Result<Option<Bytes>> {
        let piece = self.body.recv().await;
        self.read += piece.as_ref().map_or(0, |p| p.len() as u64);
        Ok(piece)
    }

    async fn send_continue(&mut self) -> io::Result<()> {
        self.continues += 1;
        Ok(())
    }

    fn body_bytes_read(&self) -> u64 {
        self.read
    }

    async fn send_head(&mut self, head: ResponseHead) -> io::Result<()> {
        self.status = Some(head.status);
        self.headers = head.headers;
        self.headers.extend(
            head.common
                .pairs()
                .into_iter()
                .map(|(n, v)| (n.to_string(), v)),
        );
        Ok(())
    }

    async fn send_body(&mut self, chunk: Bytes, _end: bool) -> io::Result<()> {
        self.body_out.extend_from_slice(&chunk);
        Ok(())
    }

    async fn finish(&mut self) -> io::Result<()> {
        self.finished = true;
        Ok(())
    }
}
