//! Writing a handler's answer (or an S3 error) to the exchange, streaming bodies.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use bytes::Bytes;
use futures::StreamExt;
use http::request::Parts;

use super::exchange::{CommonHeaders, Exchange, ResponseHead};
use crate::s3::error::S3Error;
use crate::s3::http::http_date;
use crate::s3::response::{Response, ResponseBody};

/// The ids every response carries.
#[derive(Debug, Clone)]
pub struct RequestIds {
    /// `x-amz-request-id`.
    pub request_id: String,
    /// `x-amz-id-2`.
    pub host_id: String,
}

/// What was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The status, or `None` when the connection failed before the answer was complete.
    pub status: Option<u16>,
    /// Body bytes written.
    pub bytes_out: u64,
}

/// A new request id (16 upper-case hex digits like S3's) and host id (this process's random
/// id, then the request id). Ids count up from a random start: unique within the process,
/// unlikely to repeat across restarts, and no `getrandom` call per request (a random id
/// each time cost a small GET 1% of its CPU).
pub fn request_ids() -> RequestIds {
    static IDS: OnceLock<(u64, AtomicU64)> = OnceLock::new();
    let (process, next) = IDS.get_or_init(|| {
        let (process, start) = uuid::Uuid::new_v4().as_u64_pair();
        (process, AtomicU64::new(start))
    });
    let id = next.fetch_add(1, Ordering::Relaxed);
    RequestIds {
        request_id: format!("{id:016X}"),
        host_id: format!("{process:016X}{id:016X}"),
    }
}

/// Writes the response with the server's own headers.
pub async fn respond<X: Exchange>(
    x: &mut X,
    head: &Parts,
    ids: RequestIds,
    result: Result<Response, S3Error>,
) -> Sent {
    let is_head = head.method == http::Method::HEAD;
    let resp = match result {
        Ok(r) => r,
        Err(e) => error_response(&e, head, &ids.request_id, is_head),
    };
    let status = resp.status;
    let has_length = resp.headers.iter().any(|(n, _)| n == "content-length");
    // 204 and 304 must not announce a length.
    let content_length = (!has_length && status != 204 && status != 304)
        .then(|| resp.body.announced_len().unwrap_or(0));
    let request_id = ids.request_id.clone();
    let head = ResponseHead {
        status,
        headers: resp.headers,
        common: CommonHeaders {
            content_length,
            request_id: ids.request_id,
            host_id: ids.host_id,
            date: http_date(std::time::SystemTime::now()),
        },
    };
    let mut sent = Sent {
        status: None,
        bytes_out: 0,
    };
    let written = write(x, head, resp.body, is_head, &request_id, &mut sent).await;
    if written.is_some() {
        sent.status = Some(status);
    }
    sent
}

async fn write<X: Exchange>(
    x: &mut X,
    head: ResponseHead,
    body: ResponseBody,
    is_head: bool,
    request_id: &str,
    sent: &mut Sent,
) -> Option<()> {
    x.send_head(head).await.ok()?;
    if !is_head {
        match body {
            ResponseBody::Empty => {}
            ResponseBody::Full(bytes) => {
                sent.bytes_out += bytes.len() as u64;
                x.send_body(bytes, true).await.ok()?;
            }
            ResponseBody::Stream { mut stream, .. } => {
                while let Some(chunk) = stream.next().await {
                    match chunk {
                        Ok(bytes) => {
                            sent.bytes_out += bytes.len() as u64;
                            x.send_body(bytes, false).await.ok()?;
                        }
                        Err(e) => {
                            // Headers are out; the only honest signal left is a cut connection.
                            tracing::error!(request_id, error = %e, "object read failed mid-body");
                            return None;
                        }
                    }
                }
                x.send_body(Bytes::new(), true).await.ok()?;
            }
        }
    }
    x.finish().await.ok()
}

fn error_response(e: &S3Error, head: &Parts, request_id: &str, is_head: bool) -> Response {
    if e.is_server_error() {
        tracing::error!(request_id, code = e.code.as_str(), message = %e.message, "request failed");
    }
    let mut headers: Vec<(String, String)> = e
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    // HEAD and 304 carry no body, as in S3.
    let body = if is_head || e.status() == 304 {
        ResponseBody::Empty
    } else {
        headers.push(("content-type".into(), "application/xml".into()));
        ResponseBody::Full(e.to_document(head.uri.path(), request_id))
    };
    Response {
        status: e.status(),
        headers,
        body,
        removed: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::request_ids;

    #[test]
    fn request_ids_are_s3_shaped_and_distinct() {
        let ids: Vec<(String, String)> = (0..1000)
            .map(|_| {
                let ids = request_ids();
                (ids.request_id, ids.host_id)
            })
            .collect();
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
