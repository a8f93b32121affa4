//! Every admin answer is a JSON document: encoded here, once.

use serde::Serialize;

use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// `doc` as pretty JSON with HTTP `status`.
pub fn answer<T: Serialize>(status: u16, doc: &T) -> Result<Response, S3Error> {
    let body = serde_json::to_vec_pretty(doc)
        .map_err(|e| Code::InternalError.with(format!("encoding the answer: {e}")))?;
    Ok(Response {
        status,
        ..Response::bytes("application/json", body.into())
    })
}
