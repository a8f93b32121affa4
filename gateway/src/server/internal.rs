//! strata's own endpoints under the reserved bucket name: health and admin. They answer before
//! admission, routing and authentication: a probe must work under any load and without keys.

use http::request::Parts;
use strata_volume::Store;

use super::lifecycle::ShutdownTrigger;
use crate::observe::Peer;
use crate::s3::error::{Code, S3Error};
use crate::s3::names::RESERVED_BUCKET;
use crate::s3::response::Response;

/// Health and admin.
#[derive(Clone)]
pub struct Internal {
    store: Store,
    shutdown: ShutdownTrigger,
}

impl Internal {
    /// Readiness asks `store`; the admin endpoint pulls `shutdown`.
    pub fn new(store: Store, shutdown: ShutdownTrigger) -> Self {
        Internal { store, shutdown }
    }

    /// The answer to one of strata's endpoints; `None` for everything else (S3).
    pub fn answer(&self, head: &Parts, peer: &Peer) -> Option<Result<Response, S3Error>> {
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
            ("POST", "/admin/shutdown") => {
                if !peer.addr.is_some_and(|a| a.ip().is_loopback()) {
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
