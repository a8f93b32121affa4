//! strata's own unauthenticated endpoints under the reserved bucket name: health and metrics.
//! They answer before admission, routing and authentication: a probe must work under any load
//! and without keys. The admin API (`/strata/admin/`) is not one of them: it is authenticated
//! and runs through the stack (`crate::admin`).

use http::request::Parts;
use strata_volume::Store;

use super::lifecycle::ShutdownTrigger;
use crate::admin;
use crate::metrics::Exposition;
use crate::observe::Peer;
use crate::s3::error::{Code, S3Error};
use crate::s3::names::RESERVED_BUCKET;
use crate::s3::response::Response;

/// Health and metrics.
#[derive(Clone)]
pub struct Internal {
    store: Store,
    shutdown: ShutdownTrigger,
    metrics: Exposition,
}

impl Internal {
    /// Readiness asks `store` and `shutdown`; metrics come from `metrics`.
    pub fn new(store: Store, shutdown: ShutdownTrigger, metrics: Exposition) -> Self {
        Internal {
            store,
            shutdown,
            metrics,
        }
    }

    /// The answer to one of strata's endpoints; `None` for everything else (S3, admin).
    pub fn answer(&self, head: &Parts, peer: &Peer) -> Option<Result<Response, S3Error>> {
        if admin::addresses(head.uri.path()) {
            return None;
        }
        let rest = head
            .uri
            .path()
            .strip_prefix('/')?
            .strip_prefix(RESERVED_BUCKET)?;
        let text = |status: u16, body: &'static str| Response {
            status,
            ..Response::bytes("text/plain", body.into())
        };
        Some(Ok(match (head.method.as_str(), rest) {
            ("GET" | "HEAD", "/health/live") => text(200, "ok\n"),
            ("GET" | "HEAD", "/health/ready") => {
                if !self.shutdown.is_requested() && self.store.status().ready {
                    text(200, "ready\n")
                } else {
                    text(503, "not ready\n")
                }
            }
            // Loopback only: the S3 listener may be public, and the series describe the pod.
            ("GET" | "HEAD", "/metrics") => {
                if let Err(e) = loopback_only(peer, "the metrics endpoint") {
                    return Some(Err(e));
                }
                let accept = head.headers.get("accept").and_then(|v| v.to_str().ok());
                match self.metrics.render(accept) {
                    Some(m) => Response::bytes(m.content_type, m.body.into()),
                    None => text(503, "metrics are not ready\n"),
                }
            }
            // `/strata` itself and anything else under it is S3 (and gets NoSuchBucket).
            _ if rest.is_empty() || rest == "/" => return None,
            _ => return Some(Err(Code::NoSuchKey.with("no such strata endpoint"))),
        }))
    }
}

fn loopback_only(peer: &Peer, what: &str) -> Result<(), S3Error> {
    if peer.addr.is_some_and(|a| a.ip().is_loopback()) {
        Ok(())
    } else {
        Err(Code::AccessDenied.with(format!("{what} answers loopback only")))
    }
}
