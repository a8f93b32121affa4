//! Reading an object's client bytes as its transform planned: a header read apart and fed
//! to the decoder first (so that the stored bytes before a range are not read), then the
//! stored span, decoded, cut to the span. GetObject and the copies read through here.

use bytes::{Bytes, BytesMut};
use futures::TryStreamExt;
use strata_volume::{ObjectBody, StoredObject};

use crate::s3::error::{Code, S3Error};
use crate::transform::{ReadPlan, Transformed};

/// The `len` client bytes `plan` describes, from `object`.
pub async fn read_planned(
    object: StoredObject,
    mut plan: ReadPlan,
    len: u64,
) -> Result<Transformed<ObjectBody>, S3Error> {
    if let Some(header) = plan.header.take() {
        let decoder = plan
            .decoder
            .as_mut()
            .ok_or_else(|| Code::InternalError.with("a header to read without a decoder"))?;
        let chunks: Vec<Bytes> = object.read_span(header)?.try_collect().await?;
        let mut out = BytesMut::new();
        for chunk in chunks {
            decoder.push(chunk, &mut out)?;
        }
        if !out.is_empty() {
            return Err(Code::InternalError.with("a stream header decoded into bytes"));
        }
    }
    // A read that cannot start is an error answer, not a response cut short.
    let authenticated = plan.decoder.as_ref().is_some_and(|d| d.authenticates());
    let stored = if authenticated {
        object.read_authenticated(Some(plan.stored))?
    } else {
        object.read(Some(plan.stored))?
    };
    let stored = stored.started().await?;
    Ok(Transformed::new(stored, plan.decoder).span(plan.skip, len))
}
