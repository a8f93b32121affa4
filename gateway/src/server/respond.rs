//! Writing a handler's answer (or an S3 error) to the pingora session, streaming bodies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use bytes::Bytes;
use futures::StreamExt;
use http::request::Parts;
use pingora::http::ResponseHeader;
use pingora::protocols::http::ServerSession;

use crate::s3::body::ResponseBody;
use crate::s3::error::{Code, S3Error};
use crate::s3::http::http_date;
use crate::s3::ops::Response;

/// A request body larger than this that is left unread is not drained for keep-alive: the
/// connection is closed instead (as S3 does after an early error).
const MAX_DRAIN: u64 = 1024 * 1024;

/// What every response carries.
pub struct Outcome<'a> {
    /// The request head.
    pub head: &'a Parts,
    /// `x-amz-request-id`.
    pub request_id: &'a str,
    /// `x-amz-id-2`.
    pub host_id: &'a str,
}

/// A new request id (16 upper-case hex digits like S3's) and host id (this process's random
/// id, then the request id). Ids count up from a random start: unique within the process,
/// unlikely to repeat across restarts, and no `getrandom` call per request (a random id
/// each time cost a small GET 1% of its CPU).
pub fn request_ids() -> (String, String) {
    static IDS: OnceLock<(u64, AtomicU64)> = OnceLock::new();
    let (process, next) = IDS.get_or_init(|| {
        let (process, start) = uuid::Uuid::new_v4().as_u64_pair();
        (process, AtomicU64::new(start))
    });
    let id = next.fetch_add(1, Ordering::Relaxed);
    (format!("{id:016X}"), format!("{process:016X}{id:016X}"))
}

/// Writes the response; returns its status, or `None` when the connection is unusable.
pub async fn write_response(
    session: &mut ServerSession,
    outcome: &Outcome<'_>,
    result: Result<Response, S3Error>,
) -> Option<u16> {
    let is_head = outcome.head.method == http::Method::HEAD;
    let resp = match result {
        Ok(r) => r,
        Err(e) => error_response(&e, outcome, is_head),
    };
    let status = resp.status;
    let mut header = ResponseHeader::build(status, Some(resp.headers.len() + 6)).ok()?;
    for (name, value) in &resp.headers {
        // Values come from stored metadata; one that is not a valid header is dropped, not
        // allowed to fail the whole response.
        if header.append_header(name.clone(), value.as_str()).is_err() {
            tracing::warn!(request_id = outcome.request_id, header = %name, "unsendable header value");
        }
    }
    let has_length = header.headers.contains_key("content-length");
    let body_len = match &resp.body {
        ResponseBody::Empty => None,
        ResponseBody::Full(b) => Some(b.len() as u64),
        ResponseBody::Stream { len, .. } => Some(*len),
    };
    // 204 and 304 must not announce a length.
    if !has_length && status != 204 && status != 304 {
        let len = body_len.unwrap_or(0);
        header
            .insert_header("content-length", len.to_string())
            .ok()?;
    }
    header
        .insert_header("x-amz-request-id", outcome.request_id)
        .ok()?;
    header.insert_header("x-amz-id-2", outcome.host_id).ok()?;
    header.insert_header("server", "strata").ok()?;
    header
        .insert_header("date", http_date(std::time::SystemTime::now()))
        .ok()?;
    prepare_reuse(session, outcome);
    session.write_response_header(Box::new(header)).await.ok()?;
    if is_head {
        return finish_body(session, status).await;
    }
    match resp.body {
        ResponseBody::Empty => {}
        ResponseBody::Full(bytes) => {
            session.write_response_body(bytes, true).await.ok()?;
        }
        ResponseBody::Stream { mut stream, .. } => {
            while let Some(chunk) = stream.next().await {
                match chunk {
                    Ok(bytes) => session.write_response_body(bytes, false).await.ok()?,
                    Err(e) => {
                        // Headers are out; the only honest signal left is a cut connection.
                        tracing::error!(request_id = outcome.request_id, error = %e, "object read failed mid-body");
                        return None;
                    }
                }
            }
            session.write_response_body(Bytes::new(), true).await.ok()?;
        }
    }
    finish_body(session, status).await
}

/// Answers a request whose head could not be parsed (S3's `400 BadRequest`) and closes.
pub async fn reject_unparsable(session: &mut ServerSession) {
    let (request_id, host_id) = request_ids();
    let body = Code::BadRequest
        .with("an error occurred when parsing the HTTP request")
        .to_document("", &request_id);
    let Ok(mut header) = ResponseHeader::build(400, Some(7)) else {
        return;
    };
    let headers = [
        ("content-type", "application/xml".to_string()),
        ("content-length", body.len().to_string()),
        ("connection", "close".to_string()),
        ("x-amz-request-id", request_id.clone()),
        ("x-amz-id-2", host_id),
        ("server", "strata".to_string()),
        ("date", http_date(std::time::SystemTime::now())),
    ];
    for (name, value) in headers {
        if header.insert_header(name, value).is_err() {
            return;
        }
    }
    let written = session.write_error_response(header, body).await;
    tracing::info!(request_id = %request_id, status = 400, ok = written.is_ok(), "unparsable request head");
}

async fn finish_body(session: &mut ServerSession, status: u16) -> Option<u16> {
    session.finish_body().await.ok()?;
    Some(status)
}

/// Keep-alive only when the rest of the request body is small enough to drain, and never
/// when a `100 Continue` was withheld (the client may not send the body at all).
fn prepare_reuse(session: &mut ServerSession, outcome: &Outcome<'_>) {
    if session.is_body_done() {
        return;
    }
    let expect = outcome
        .head
        .headers
        .get("expect")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let declared = outcome
        .head
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let unread = declared.map(|d| d.saturating_sub(session.body_bytes_read() as u64));
    if expect || unread.is_none_or(|u| u > MAX_DRAIN) {
        session.set_keepalive(None);
    }
}

fn error_response(e: &S3Error, outcome: &Outcome<'_>, is_head: bool) -> Response {
    if e.is_server_error() {
        tracing::error!(request_id = outcome.request_id, code = e.code, message = %e.message, "request failed");
    }
    let mut headers: Vec<(String, String)> = e
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    // HEAD and 304 carry no body, as in S3.
    let body = if is_head || e.status == 304 {
        ResponseBody::Empty
    } else {
        headers.push(("content-type".into(), "application/xml".into()));
        ResponseBody::Full(e.to_document(outcome.head.uri.path(), outcome.request_id))
    };
    Response {
        status: e.status,
        headers,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::request_ids;

    #[test]
    fn request_ids_are_s3_shaped_and_distinct() {
        let ids: Vec<(String, String)> = (0..1000).map(|_| request_ids()).collect();
        for (id, host) in &ids {
            assert_eq!(id.len(), 16);
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()));
            assert_eq!(host.len(), 32);
            assert!(host.ends_with(id.as_str()));
        }
        let mut unique: Vec<&String> = ids.iter().map(|(id, _)| id).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }
}
