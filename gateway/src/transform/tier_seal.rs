//! What leaves for a remote tier is never plaintext: a version stored unencrypted is sealed
//! as SSE-KMS under its tier's KMS key and marked as the tier's seal, so that it keeps
//! answering as the plaintext object it was (`volume/ENCRYPTION.md`, "Tier seal"). Moves
//! (lifecycle) and writes naming a tier's class share this one decision.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue};

use super::sse::Record;
use super::{BodyTransform, Internal, Target, TransformError};

/// Each remote tier's KMS key (`None`: the default SSE-KMS key).
#[derive(Clone, Default)]
pub struct TierSeal {
    kms_keys: Arc<BTreeMap<String, Option<String>>>,
}

impl TierSeal {
    /// The seal of tiers given as `(name, KMS key)`.
    pub fn new(tiers: impl IntoIterator<Item = (String, Option<String>)>) -> Self {
        TierSeal {
            kms_keys: Arc::new(tiers.into_iter().collect()),
        }
    }

    /// Whether bytes stored under `internal` are the client's plaintext.
    pub fn is_plaintext(transform: &dyn BodyTransform, internal: &Internal) -> bool {
        transform.stored_len(internal, 1) == 1
    }

    /// How a plaintext stream of `target` is sealed for `tier`, and the request headers its
    /// encoder is made with.
    pub async fn seal(
        &self,
        transform: &dyn BodyTransform,
        target: Target<'_>,
        tier: &str,
    ) -> Result<(Internal, HeaderMap), TransformError> {
        let headers = self.headers(tier)?;
        let mut sealed = transform.seal(target, &headers, None).await?;
        let (k, v) = Record::tier_entry(tier);
        sealed.insert(k, v);
        Ok((sealed, headers))
    }

    /// The request an SSE-KMS write under the tier's key would carry.
    fn headers(&self, tier: &str) -> Result<HeaderMap, TransformError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amz-server-side-encryption",
            HeaderValue::from_static("aws:kms"),
        );
        if let Some(Some(key)) = self.kms_keys.get(tier) {
            let value = HeaderValue::from_str(key)
                .map_err(|_| TransformError::Invalid(format!("tier {tier}: bad KMS key id")))?;
            headers.insert("x-amz-server-side-encryption-aws-kms-key-id", value);
        }
        Ok(headers)
    }
}
