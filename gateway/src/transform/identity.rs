//! The transform of a store without encryption: stored bytes are the client's bytes.

use std::ops::Range;

use async_trait::async_trait;
use http::HeaderMap;
use strata_volume::ObjectInfo;

use super::sse::BucketEncryption;
use super::{BodyTransform, Codec, Internal, ReadPlan, Target, TransformError};

/// Stores what the client sent and refuses the server-side encryption headers: without them
/// honoured, an SSE-C key would leave the object in plaintext and a 200.
#[derive(Debug, Default, Clone, Copy)]
pub struct Identity;

/// Request headers of server-side encryption (SSE-S3, SSE-KMS, SSE-C, and SSE-C of a copy
/// source): any of them is refused.
const SSE_PREFIXES: [&str; 2] = [
    "x-amz-server-side-encryption",
    "x-amz-copy-source-server-side-encryption",
];

#[async_trait]
impl BodyTransform for Identity {
    fn check(&self, headers: &HeaderMap, _confidential: bool) -> Result<(), TransformError> {
        let sse = headers
            .keys()
            .find(|name| SSE_PREFIXES.iter().any(|p| name.as_str().starts_with(p)));
        match sse {
            Some(name) => Err(TransformError::Unsupported(format!(
                "server-side encryption ({name})"
            ))),
            None => Ok(()),
        }
    }

    async fn seal(
        &self,
        _target: Target<'_>,
        _headers: &HeaderMap,
        bucket: Option<&BucketEncryption>,
    ) -> Result<Internal, TransformError> {
        match bucket {
            // The bucket asks for encryption this store cannot give: never store plaintext.
            Some(_) => Err(TransformError::Unsupported(
                "the bucket's default encryption".into(),
            )),
            None => Ok(Internal::new()),
        }
    }

    async fn encoder(
        &self,
        _target: Target<'_>,
        _internal: &Internal,
        _headers: &HeaderMap,
    ) -> Result<Option<Box<dyn Codec>>, TransformError> {
        Ok(None)
    }

    fn stored_len(&self, _internal: &Internal, len: u64) -> u64 {
        len
    }

    async fn reader(
        &self,
        _info: &ObjectInfo,
        span: Range<u64>,
        _headers: &HeaderMap,
    ) -> Result<ReadPlan, TransformError> {
        Ok(ReadPlan {
            header: None,
            stored: span,
            decoder: None,
            skip: 0,
        })
    }

    fn describe(&self, _internal: &Internal) -> Vec<(String, String)> {
        Vec::new()
    }
}
