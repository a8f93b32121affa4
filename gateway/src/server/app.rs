//! The HTTP application on pingora's server-app API: one request at a time per connection,
//! bodies streamed both ways. [`Gateway::serve`] is the request path as one stack.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use http::request::Parts;
use pingora::apps::{HttpPersistentSettings, HttpServerApp, ReusedHttpStream};
use pingora::protocols::http::ServerSession;
use pingora::server::ShutdownWatch;

use super::body::request_body;
use super::lifecycle::{Inflight, ShutdownTrigger};
use super::respond::{reject_unparsable, request_ids, write_response, Outcome};
use crate::auth::{AuthOutcome, StaticCredentials, Verifier};
use crate::s3::error::{Code, S3Error};
use crate::s3::http::header;
use crate::s3::names::RESERVED_BUCKET;
use crate::s3::ops::{self, Ctx, Request, Response};
use crate::s3::{route_head, Operation};

/// Time a client may stay silent while sending a request body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The S3 gateway as a pingora HTTP app.
pub struct Gateway {
    /// What handlers get.
    pub ctx: Ctx,
    /// SigV4 verification against the root credentials.
    pub verifier: Verifier<StaticCredentials>,
    /// Virtual-host-style base domain.
    pub domain: Option<String>,
    /// Requests being served, for graceful shutdown.
    pub inflight: Inflight,
    /// The admin endpoint's way to stop the server.
    pub shutdown: ShutdownTrigger,
}

#[async_trait]
impl HttpServerApp for Gateway {
    async fn process_new_http(
        self: &Arc<Self>,
        mut session: ServerSession,
        shutdown: &ShutdownWatch,
    ) -> Option<ReusedHttpStream> {
        match session.read_request().await {
            Ok(true) => {}
            // The client closed an idle connection: nothing to answer.
            Ok(false) => return None,
            // A head that does not parse (bad syntax, more header lines than pingora takes,
            // over its 1 MiB limit) still gets S3's 400 rather than a silently cut connection.
            Err(e) => {
                if matches!(e.etype(), pingora::ErrorType::InvalidHTTPHeader) {
                    reject_unparsable(&mut session).await;
                }
                return None;
            }
        }
        let _guard = self.inflight.enter();
        let started = Instant::now();
        // No keep-alive once shutdown began, so clients move on before we exit.
        session.set_keepalive(if *shutdown.borrow() { None } else { Some(60) });
        session.set_read_timeout(Some(BODY_READ_TIMEOUT));
        let head = session.req_header().as_owned_parts();
        let (request_id, host_id) = request_ids();

        let (op, result) = self.serve(&mut session, &head).await;

        let outcome = Outcome {
            head: &head,
            request_id: &request_id,
            host_id: &host_id,
        };
        let status = write_response(&mut session, &outcome, result).await;
        log_request(&head, op, &request_id, status, started);
        status?;
        let settings = HttpPersistentSettings::for_session(&session);
        match session.finish().await {
            Ok(Some(stream)) => Some(ReusedHttpStream::from_reusable_stream(stream, settings)),
            _ => None,
        }
    }
}

impl Gateway {
    /// The request path. Each stage may end the request with an S3 error; the order is
    /// part of the security argument, so it is spelled out here in one place.
    async fn serve(
        &self,
        session: &mut ServerSession,
        head: &Parts,
    ) -> (Option<Operation>, Result<Response, S3Error>) {
        // 0. strata's own endpoints (health, admin) live under the reserved bucket name and
        //    never reach S3 routing or authentication.
        if let Some(resp) = self.internal(session, head) {
            return (None, resp);
        }
        // 1. Route: pure and cheap; it names the operation every later stage talks about.
        //    An oversized head is refused here, before anything parses or signs over it.
        let route = match route_head(head, self.domain.as_deref()) {
            Ok(r) => r,
            Err(e) => return (None, Err(e)),
        };
        let op = route.op;
        let result = async {
            // 2. Authenticate the head: signature, clock skew, presign expiry, token. The
            //    body is verified while it streams (stage 5).
            let parts = crate::auth::RequestParts::new(&head.method, &head.uri, &head.headers);
            let identity = self.verifier.verify(&parts, SystemTime::now())?;
            // 3. Authorize: the root credential may do everything; anonymous requests are
            //    denied until bucket policies are enforced (IAM comes later).
            authorize(&identity, op)?;
            // 4. Unsupported operations answer after authorization, so probing needs keys.
            if !op.is_supported() {
                return Err(Code::NotImplemented
                    .with(format!("{} is not implemented by strata", op.name())));
            }
            // 5. Body: the payload verifier sits between the socket and the handler; a bad
            //    chunk signature or checksum fails the stream before the store commits.
            let verifier = identity.payload_verifier(&head.headers)?;
            let length = body_length(head, op)?;
            let expect = header(&head.headers, "expect")
                .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
            let payload = Arc::new(Mutex::new(None));
            let body = request_body(session, verifier, payload.clone(), expect, length);
            // 6. Handler: one match over the operation.
            let req = Request {
                op,
                bucket: route.bucket,
                key: route.key,
                query: route.query,
                headers: &head.headers,
                body,
                payload,
            };
            ops::dispatch(&self.ctx, req).await
        }
        .await;
        (Some(op), result)
    }

    /// Health and admin endpoints; `None` for everything else.
    fn internal(&self, session: &ServerSession, head: &Parts) -> Option<Result<Response, S3Error>> {
        let path = head.uri.path();
        let rest = path.strip_prefix('/')?.strip_prefix(RESERVED_BUCKET)?;
        let text = |status: u16, body: &'static str| Response {
            status,
            ..Response::bytes("text/plain", body.into())
        };
        Some(Ok(match (head.method.as_str(), rest) {
            ("GET" | "HEAD", "/health/live") => text(200, "ok\n"),
            ("GET" | "HEAD", "/health/ready") => {
                if !self.shutdown.is_requested() && self.ctx.store.status().ready {
                    text(200, "ready\n")
                } else {
                    text(503, "not ready\n")
                }
            }
            ("POST", "/admin/shutdown") => {
                let loopback = session
                    .client_addr()
                    .and_then(|a| a.as_inet())
                    .is_some_and(|a| a.ip().is_loopback());
                if !loopback {
                    return Some(Err(
                        Code::AccessDenied.with("the admin endpoint answers loopback only")
                    ));
                }
                self.shutdown.trigger();
                text(202, "shutting down\n")
            }
            // `/strata` itself and anything else under it is S3 (and gets NoSuchBucket).
            _ if rest.is_empty() || rest == "/" => return None,
            _ => return Some(Err(Code::NoSuchKey.with("no such strata endpoint"))),
        }))
    }
}

/// One line per request; the request id ties it to the client's error. Server faults (5xx)
/// and dropped connections always log; everything else at debug, since formatting and writing
/// a line costs a small GET a few percent of its CPU (audit events are their own sink).
fn log_request(
    head: &Parts,
    op: Option<Operation>,
    request_id: &str,
    status: Option<u16>,
    started: Instant,
) {
    let status = status.unwrap_or(0);
    let fault = status == 0 || status >= 500;
    if !fault && !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let op = op.map_or("-", Operation::name);
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let path = head.uri.path();
    if fault {
        tracing::warn!(request_id, op, method = %head.method, path, status, elapsed_ms, "request");
    } else {
        tracing::debug!(request_id, op, method = %head.method, path, status, elapsed_ms, "request");
    }
}

/// Root only for now: any authenticated identity is root (the only credential there is).
fn authorize(identity: &AuthOutcome, _op: Operation) -> Result<(), S3Error> {
    match identity {
        AuthOutcome::Authenticated(_) => Ok(()),
        AuthOutcome::Anonymous => Err(Code::AccessDenied.with("anonymous access is denied")),
    }
}

/// The decoded body length the client announced. Writes of objects and parts need one.
fn body_length(head: &Parts, op: Operation) -> Result<Option<u64>, S3Error> {
    let parse = |name: &str| -> Result<Option<u64>, S3Error> {
        match header(&head.headers, name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| Code::InvalidArgument.with(format!("{name} is not a number"))),
        }
    };
    let length = match parse("x-amz-decoded-content-length")? {
        Some(n) => Some(n),
        None => parse("content-length")?,
    };
    // An object write must say how long it is (S3 answers 411 even for an empty PUT without
    // `Content-Length`); defaulting to zero would store an empty object the client never sent.
    if length.is_none() && matches!(op, Operation::PutObject | Operation::UploadPart) {
        return Err(
            Code::MissingContentLength.with("you must provide the Content-Length HTTP header")
        );
    }
    // Anything else without a length has no body, unless it is chunked (length unknown).
    if length.is_none() && !head.headers.contains_key("transfer-encoding") {
        return Ok(Some(0));
    }
    Ok(length)
}
