//! The HTTP application on pingora's server-app API: one request at a time per connection,
//! each served by the request stack over the session.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pingora::apps::{HttpPersistentSettings, HttpServerApp, ReusedHttpStream};
use pingora::protocols::http::ServerSession;
use pingora::server::ShutdownWatch;

use super::lifecycle::Inflight;
use super::session::{reject_unparsable, PingoraExchange};
use super::stack::Stack;

/// Time a client may stay silent while sending a request body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The S3 gateway as a pingora HTTP app.
pub struct Gateway {
    stack: Stack,
    inflight: Inflight,
}

impl Gateway {
    /// Serves `stack`, counting requests in `inflight` for graceful shutdown.
    pub fn new(stack: Stack, inflight: Inflight) -> Self {
        Gateway { stack, inflight }
    }
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
        // No keep-alive once shutdown began, so clients move on before we exit.
        session.set_keepalive(if *shutdown.borrow() { None } else { Some(60) });
        session.set_read_timeout(Some(BODY_READ_TIMEOUT));
        let head = session.req_header().as_owned_parts();
        let sent = {
            let mut exchange = PingoraExchange::new(&mut session, &head);
            self.stack.serve(&mut exchange, &head).await
        };
        sent.status?;
        let settings = HttpPersistentSettings::for_session(&session);
        match session.finish().await {
            Ok(Some(stream)) => Some(ReusedHttpStream::from_reusable_stream(stream, settings)),
            _ => None,
        }
    }
}
