//! pingora's server session as the request stack's [`Exchange`], and what only pingora's
//! connection handling needs: keep-alive decisions and the answer to an unparsable head.

use std::io;

use bytes::Bytes;
use http::request::Parts;
use pingora::http::ResponseHeader;
use pingora::protocols::http::ServerSession;

use super::exchange::{CommonHeaders, Exchange, ResponseHead};
use crate::observe::request_ids;
use crate::observe::{Peer, TlsInfo};
use crate::s3::error::Code;
use crate::s3::http::http_date;

/// A request body larger than this that is left unread is not drained for keep-alive: the
/// connection is closed instead (as S3 does after an early error).
const MAX_DRAIN: u64 = 1024 * 1024;

/// One request on a pingora session.
pub struct PingoraExchange<'s> {
    session: &'s mut ServerSession,
    head: &'s Parts,
}

impl<'s> PingoraExchange<'s> {
    /// The request whose head is `head` on `session`.
    pub fn new(session: &'s mut ServerSession, head: &'s Parts) -> Self {
        PingoraExchange { session, head }
    }

    /// Keep-alive only when the rest of the request body is small enough to drain, and never
    /// when a `100 Continue` was withheld (the client may not send the body at all).
    fn prepare_reuse(&mut self) {
        if self.session.is_body_done() {
            return;
        }
        let headers = &self.head.headers;
        let expect = headers
            .get("expect")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        let declared = headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let unread = declared.map(|d| d.saturating_sub(self.session.body_bytes_read() as u64));
        if expect || unread.is_none_or(|u| u > MAX_DRAIN) {
            self.session.set_keepalive(None);
        }
    }
}

fn io_error(e: Box<pingora::Error>) -> io::Error {
    io::Error::other(e.to_string())
}

impl Exchange for PingoraExchange<'_> {
    fn peer(&self) -> Peer {
        let tls = self
            .session
            .digest()
            .and_then(|d| d.ssl_digest.as_ref())
            .map(|d| TlsInfo {
                version: d.version.to_string(),
                cipher: d.cipher.to_string(),
            });
        Peer {
            addr: self
                .session
                .client_addr()
                .and_then(|a| a.as_inet())
                .copied(),
            tls,
            ..Default::default()
        }
    }

    async fn read_body(&mut self) -> io::Result<Option<Bytes>> {
        self.session.read_request_body().await.map_err(io_error)
    }

    async fn send_continue(&mut self) -> io::Result<()> {
        // pingora turns keep-alive off for any response written before the body is read,
        // the interim `100 Continue` included: every upload from boto3 (which always expects
        // it) then cost a new connection. The final answer decides (`prepare_reuse`).
        let keepalive = self.session.get_keepalive();
        self.session
            .write_continue_response()
            .await
            .map_err(io_error)?;
        self.session.set_keepalive(keepalive);
        Ok(())
    }

    fn body_bytes_read(&self) -> u64 {
        self.session.body_bytes_read() as u64
    }

    async fn send_head(&mut self, head: ResponseHead) -> io::Result<()> {
        let mut header =
            ResponseHeader::build(head.status, Some(head.headers.len() + 5)).map_err(io_error)?;
        for (name, value) in head.headers {
            // Values come from stored metadata; one that is not a valid header is dropped,
            // not allowed to fail the whole response.
            if let Err(e) = header.append_header(name, value.as_str()) {
                tracing::warn!(error = %e, "unsendable header value");
            }
        }
        // Static names: no parsing of a name per response.
        let common = head.common;
        if let Some(len) = common.content_length {
            header
                .insert_header("content-length", len.to_string())
                .map_err(io_error)?;
        }
        header
            .insert_header("x-amz-request-id", common.request_id)
            .map_err(io_error)?;
        header
            .insert_header("x-amz-id-2", common.host_id)
            .map_err(io_error)?;
        header
            .insert_header("server", CommonHeaders::SERVER)
            .map_err(io_error)?;
        header
            .insert_header("date", common.date)
            .map_err(io_error)?;
        self.prepare_reuse();
        self.session
            .write_response_header(Box::new(header))
            .await
            .map_err(io_error)
    }

    async fn send_body(&mut self, chunk: Bytes, end: bool) -> io::Result<()> {
        self.session
            .write_response_body(chunk, end)
            .await
            .map_err(io_error)
    }

    async fn finish(&mut self) -> io::Result<()> {
        self.session.finish_body().await.map_err(io_error)
    }
}

/// Answers a request whose head could not be parsed (S3's `400 BadRequest`) and closes.
pub async fn reject_unparsable(session: &mut ServerSession) {
    let ids = request_ids();
    let body = Code::BadRequest
        .with("an error occurred when parsing the HTTP request")
        .to_document("", &ids.request_id);
    let Ok(mut header) = ResponseHeader::build(400, Some(7)) else {
        return;
    };
    let headers = [
        ("content-type", "application/xml".to_string()),
        ("content-length", body.len().to_string()),
        ("connection", "close".to_string()),
        ("x-amz-request-id", ids.request_id.clone()),
        ("x-amz-id-2", ids.host_id),
        ("server", "strata".to_string()),
        ("date", http_date(std::time::SystemTime::now())),
    ];
    for (name, value) in headers {
        if header.insert_header(name, value).is_err() {
            return;
        }
    }
    let written = session.write_error_response(header, body).await;
    tracing::info!(request_id = %ids.request_id, status = 400, ok = written.is_ok(), "unparsable request head");
}
