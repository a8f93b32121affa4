//! Writing a handler's answer (or an S3 error) to the exchange, streaming bodies.

use bytes::Bytes;
use futures::StreamExt;
use http::request::Parts;

use super::exchange::{CommonHeaders, Exchange, ResponseHead};
use crate::observe::RequestIds;
use crate::s3::error::S3Error;
use crate::s3::http::http_date;
use crate::s3::response::{Response, ResponseBody};

/// What was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The status, or `None` when the connection failed before the answer was complete.
    pub status: Option<u16>,
    /// Body bytes written.
    pub bytes_out: u64,
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
    let chunked = matches!(resp.body, ResponseBody::Chunked(_));
    // 204 and 304 must not announce a length.
    let content_length = (!has_length && !chunked && status != 204 && status != 304)
        .then(|| resp.body.announced_len().unwrap_or(0));
    let mut headers = resp.headers;
    if chunked {
        headers.push(("transfer-encoding".into(), "chunked".into()));
    }
    let request_id = ids.request_id.clone();
    let head = ResponseHead {
        status,
        headers,
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
            ResponseBody::Stream { mut stream, .. } | ResponseBody::Chunked(mut stream) => {
                while let Some(chunk) = stream.next().await {
                    match chunk {
                        Ok(bytes) => {
                            sent.bytes_out += bytes.len() as u64;
                            x.send_body(bytes, false).await.ok()?;
                        }
                        Err(e) => {
                            // Headers are out; the only honest signal left is a cut connection.
                            tracing::error!(request_id, error = %e, "body failed mid-way");
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
        ..Response::ok()
    }
}
