//! `POST /strata/admin/shutdown` (`strata:Shutdown`): a graceful stop, as SIGTERM.

use super::server::AdminServer;
use crate::s3::error::S3Error;
use crate::s3::response::Response;

/// Begins the shutdown; 202, since the server stops after answering.
pub fn shutdown(server: &AdminServer) -> Result<Response, S3Error> {
    server.stop.stop();
    Ok(Response {
        status: 202,
        ..Response::bytes("text/plain", "shutting down\n".into())
    })
}
