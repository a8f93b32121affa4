//! `POST /strata/admin/reseal` (`strata:StartReseal`) starts the re-seal after a KMS key
//! rotation in the background, or goes on with a stopped one (202; 200 when one is already
//! running); `GET /strata/admin/reseal` (`strata:GetResealStatus`) reports it. Both answer
//! the status as JSON.

use std::sync::Arc;

use super::server::AdminServer;
use crate::reseal::{Reseal, ResealStatus};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

fn reseal(server: &AdminServer) -> Result<&Arc<Reseal>, S3Error> {
    server
        .reseal
        .as_ref()
        .ok_or_else(|| Code::NotImplemented.with("this server holds no encryption keys to re-seal"))
}

fn answer(status: u16, report: &ResealStatus) -> Result<Response, S3Error> {
    super::json::answer(status, report)
}

/// Starts (or goes on with) the walk.
pub fn start_reseal(server: &AdminServer) -> Result<Response, S3Error> {
    let reseal = reseal(server)?;
    let started = reseal.start();
    answer(if started { 202 } else { 200 }, &reseal.status())
}

/// Where the walk stands.
pub fn get_reseal_status(server: &AdminServer) -> Result<Response, S3Error> {
    answer(200, &reseal(server)?.status())
}
