//! The metrics listener (`--metrics-listen`): `/metrics` and nothing else, for Prometheus. A
//! listener of its own, so scrapes reach the pod IP while S3 stays on loopback or TLS.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use pingora::apps::{HttpPersistentSettings, HttpServerApp, ReusedHttpStream};
use pingora::http::ResponseHeader;
use pingora::protocols::http::ServerSession;
use pingora::server::ShutdownWatch;

use crate::metrics::Exposition;

/// A scraper that sends a head this slowly is not waited for.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves the registry at `/metrics`.
pub struct MetricsApp {
    exposition: Exposition,
}

impl MetricsApp {
    /// Serves `exposition`.
    pub fn new(exposition: Exposition) -> Self {
        MetricsApp { exposition }
    }

    /// Status, content type and body for one request.
    fn answer(
        &self,
        method: &http::Method,
        path: &str,
        accept: Option<&str>,
    ) -> (u16, &'static str, Bytes) {
        let plain = "text/plain; charset=utf-8";
        if path != "/metrics" {
            return (
                404,
                plain,
                Bytes::from_static(b"only /metrics is served here\n"),
            );
        }
        if method != http::Method::GET && method != http::Method::HEAD {
            return (405, plain, Bytes::from_static(b"GET or HEAD\n"));
        }
        match self.exposition.render(accept) {
            Some(m) => (200, m.content_type, Bytes::from(m.body)),
            None => (503, plain, Bytes::from_static(b"metrics are not ready\n")),
        }
    }
}

#[async_trait]
impl HttpServerApp for MetricsApp {
    async fn process_new_http(
        self: &Arc<Self>,
        mut session: ServerSession,
        shutdown: &ShutdownWatch,
    ) -> Option<ReusedHttpStream> {
        session.set_read_timeout(Some(READ_TIMEOUT));
        if !matches!(session.read_request().await, Ok(true)) {
            return None;
        }
        session.set_keepalive(if *shutdown.borrow() { None } else { Some(60) });
        let req = session.req_header();
        let accept = req.headers.get("accept").and_then(|v| v.to_str().ok());
        let head_only = req.method == http::Method::HEAD;
        let (status, content_type, body) = self.answer(&req.method, req.uri.path(), accept);
        let mut header = ResponseHeader::build(status, Some(2)).ok()?;
        header.insert_header("content-type", content_type).ok()?;
        header
            .insert_header("content-length", body.len().to_string())
            .ok()?;
        session.write_response_header(Box::new(header)).await.ok()?;
        let body = if head_only { Bytes::new() } else { body };
        session.write_response_body(body, true).await.ok()?;
        let settings = HttpPersistentSettings::for_session(&session);
        match session.finish().await {
            Ok(Some(stream)) => Some(ReusedHttpStream::from_reusable_stream(stream, settings)),
            _ => None,
        }
    }
}
