//! Moving a version to a remote tier: its bytes leave encrypted, always. A version stored
//! encrypted (any SSE mode) goes as it is stored; a plaintext one is sealed on its way out
//! as SSE-KMS under the tier's KMS key, one stream per part, and keeps answering as the
//! plaintext object it was (`volume/ENCRYPTION.md`, "Tier seal"). The store does the rest:
//! the intent record, the remote write, the switch in one commit (`volume/FORMAT.md`).

use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use strata_volume::{Error as VolumeError, Fault, Store, StoredObject, TierMove, Transitioned};

use crate::transform::{BodyTransform, Target, TierSeal, TransformError, Transformed};

/// Why a move failed.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    /// The store or the tier failed.
    #[error(transparent)]
    Store(#[from] VolumeError),
    /// Sealing the plaintext failed (the KMS, most likely).
    #[error("sealing for the tier: {0}")]
    Seal(#[from] TransformError),
}

/// Moves versions to remote tiers.
pub struct TierMover {
    store: Store,
    transform: Arc<dyn BodyTransform>,
    seal: TierSeal,
}

impl TierMover {
    /// A mover over `store`, sealing with `transform` as `seal` says.
    pub fn new(store: Store, transform: Arc<dyn BodyTransform>, seal: TierSeal) -> Self {
        TierMover {
            store,
            transform,
            seal,
        }
    }

    /// Moves version `version_id` of `bucket/key` to `tier`.
    pub async fn move_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        tier: &str,
    ) -> Result<Transitioned, MoveError> {
        let obj = self
            .store
            .open_object(bucket, key, Some(version_id))
            .await?;
        let internal = obj.info().internal.clone();
        if obj.tier().is_some() || !TierSeal::is_plaintext(&*self.transform, &internal) {
            // Already encrypted (or already remote: the store says so): the stored bytes go.
            let body = stored_bytes(&obj, None);
            let how = TierMove::default();
            return Ok(self.store.transition_to_tier(&obj, tier, body, how).await?);
        }
        let target = Target::object(bucket, key);
        let (sealed, headers) = self.seal.seal(&*self.transform, target, tier).await?;
        let mut pieces = Vec::new();
        let mut sizes = Vec::new();
        let mut at = 0;
        for (part, size) in streams(&obj) {
            let target = Target { bucket, key, part };
            let codec = self
                .transform
                .encoder(target, &sealed, &headers)
                .await?
                .ok_or_else(|| TransformError::Invalid("the seal made no encoder".into()))?;
            pieces.push((at..at + size, codec));
            sizes.push(self.transform.stored_len(&sealed, size));
            at += size;
        }
        // Each part's bytes are read when the one before is done.
        let body = stream::iter(pieces)
            .map(|(span, codec)| {
                Transformed::new(stored_bytes(&obj, Some(span)), Some(codec))
                    .map_err(|e| fault(e.to_string()))
            })
            .flatten()
            .boxed();
        let how = TierMove {
            stored_sizes: Some(sizes),
            internal: sealed.into_iter().collect(),
        };
        Ok(self.store.transition_to_tier(&obj, tier, body, how).await?)
    }
}

/// The client's streams of a plaintext version: `(part number, size)`, one whole-object
/// stream for an object put in one request.
fn streams(obj: &StoredObject) -> Vec<(Option<u32>, u64)> {
    let info = obj.info();
    if info.parts.is_empty() {
        return vec![(None, info.size)];
    }
    info.parts
        .iter()
        .map(|p| (Some(p.part_number), p.size))
        .collect()
}

/// Stored bytes `span` of `obj` (`None`: all), as the store streams them.
fn stored_bytes(
    obj: &StoredObject,
    span: Option<std::ops::Range<u64>>,
) -> BoxStream<'static, Result<Bytes, VolumeError>> {
    let body = match span {
        Some(span) => obj.read_span(span),
        None => obj.read_span(0..obj.info().stored_size),
    };
    match body {
        Ok(b) => b.boxed(),
        Err(e) => stream::once(async move { Err(e) }).boxed(),
    }
}

fn fault(what: String) -> VolumeError {
    VolumeError::Fault(Fault::Internal(what))
}
