//! The HTTPS server: `POST /mutate`, `GET /healthz`, `GET /metrics`.
//!
//! One task per connection (TLS handshake, then hyper's HTTP/1.1 connection); the
//! admission handler is synchronous and allocation-light, so it runs inline on the
//! connection's task without a blocking pool.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::admission;
use crate::config::InjectorConfig;
use crate::metrics::{Format, Metrics};
use crate::tls::store::{self, CertStore};
use crate::tls::TlsError;

/// The API server sends objects up to about 3 MiB; anything larger is not a review.
const MAX_BODY: usize = 4 << 20;
/// A client that does not finish its handshake in this time is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The server could not start.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding the listen address failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// TLS configuration failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// What every request handler shares.
#[derive(Debug)]
struct Shared {
    cfg: InjectorConfig,
    metrics: Arc<Metrics>,
    store: Arc<CertStore>,
}

/// A bound, not yet running, webhook server.
pub struct Server {
    listener: TcpListener,
    acceptor: TlsAcceptor,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds `addr` (use port 0 in tests) and serves the certificate in `store`.
    pub async fn bind(
        addr: &str,
        cfg: InjectorConfig,
        store: Arc<CertStore>,
        metrics: Arc<Metrics>,
    ) -> Result<Server, ServerError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: addr.to_owned(),
                source,
            })?;
        let acceptor = TlsAcceptor::from(Arc::new(store::server_config(store.clone())?));
        Ok(Server {
            listener,
            acceptor,
            shared: Arc::new(Shared {
                cfg,
                metrics,
                store,
            }),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until `shutdown` completes. Connections already accepted
    /// finish on their own tasks.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                _ = &mut shutdown => return,
                accepted = self.listener.accept() => accepted,
            };
            let (tcp, peer) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Usually EMFILE: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = self.acceptor.clone();
            let shared = self.shared.clone();
            tokio::spawn(async move {
                let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(e)) => return tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => return tracing::debug!(%peer, "TLS handshake timed out"),
                };
                let service = service_fn(move |req| {
                    let shared = shared.clone();
                    async move { Ok::<_, Infallible>(handle(req, &shared).await) }
                });
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await
                {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
            });
        }
    }
}

async fn handle(req: Request<Incoming>, shared: &Shared) -> Response<Full<Bytes>> {
    match (req.method(), req.uri().path()) {
        (&Method::POST, "/mutate") => mutate(req, shared).await,
        (&Method::GET, "/healthz") if shared.store.is_loaded() => text(StatusCode::OK, "ok\n"),
        (&Method::GET, "/healthz") => text(
            StatusCode::SERVICE_UNAVAILABLE,
            "no serving certificate yet\n",
        ),
        (&Method::GET, "/metrics") => {
            let accept = req
                .headers()
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok());
            let format = Format::from_accept(accept);
            let mut response = text(StatusCode::OK, &shared.metrics.render(format));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(format.content_type()),
            );
            response
        }
        (_, "/mutate" | "/healthz" | "/metrics") => {
            text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

async fn mutate(req: Request<Incoming>, shared: &Shared) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            shared.metrics.observe(None, started.elapsed());
            return text(StatusCode::BAD_REQUEST, &format!("cannot read body: {e}\n"));
        }
    };
    match admission::review(&body, &shared.cfg) {
        Ok((json, verdict)) => {
            shared.metrics.observe(Some(verdict), started.elapsed());
            let mut response = Response::new(Full::new(Bytes::from(json)));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => {
            shared.metrics.observe(None, started.elapsed());
            tracing::warn!(error = %e, "bad admission request");
            text(StatusCode::BAD_REQUEST, &format!("{e}\n"))
        }
    }
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response
}
