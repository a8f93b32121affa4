//! Completing a multipart upload to a remote tier's class (`FORMAT.md`, `UploadRecord.tier`):
//! the chosen parts' stored bytes (sealed as the gateway sealed each part) stream from their
//! remote objects (or, for an upload of an older strata, their local shard files) into one
//! new remote object, then one commit writes the version and removes the upload, then every
//! part's remote object is queued for deletion and its shard files unreferenced. The key is
//! not locked while the bytes stream; the commit checks again that the upload and its chosen
//! parts are still those that were read.

use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};

use super::multipart::{
    completed_version, discard_parts, forget_upload, same_bytes, Chosen, Completion,
};
use super::object::CommitTo;
use super::remote::remote_data_record;
use super::stage_remote::RemoteStaged;
use super::Inner;
use crate::erasure::layout::rotation_for;
use crate::error::{Error, Refusal, Result};
use crate::heal::HealQueue;
use crate::object::body::ObjectBody;
use crate::object::read::{self, ReadContext, ReadPlan};
use crate::record::{DataRecord, PartData, PartRecord, RemoteData, UploadRecord};
use crate::set::ErasureSet;
use crate::tier::Tier;
use crate::types::{ObjectInfo, PromisedVersion, WritePrecondition};

impl Inner {
    /// Streams `chosen` to `upload`'s tier and commits the version it completes.
    pub(super) async fn complete_to_tier(
        self: &Arc<Self>,
        to: Completion<'_>,
        upload: UploadRecord,
        chosen: Chosen,
        precondition: Option<WritePrecondition>,
        promised: Option<PromisedVersion>,
    ) -> Result<ObjectInfo> {
        let Completion {
            bucket,
            key,
            upload_id,
            asked,
        } = to;
        let tier = self
            .tiers
            .of_data(upload.tier.as_deref().unwrap_or_default())?
            .clone();
        let mut staged = RemoteStaged::begin(self, &tier, bucket, key).await?;
        let body = self.read_parts(bucket, key, &upload.class, chosen.picked.clone())?;
        let (size, xxh3) = tier.put(&staged.data.id, body).await?;
        let stored: u64 = chosen.picked.iter().map(|p| p.data.size).sum();
        if size != stored {
            return Err(Error::internal(format!(
                "{size} bytes of the parts' {stored} reached tier {}",
                tier.name
            )));
        }
        staged.data.size = size;
        staged.data.xxh3 = xxh3;

        let _g = self.locks.lock(bucket, key).await;
        let Some(now) = self.open_upload(bucket, key, upload_id)? else {
            // Completed (or aborted) meanwhile: the remote object just written goes.
            return self
                .completed_by(bucket, key, upload_id, asked)?
                .ok_or_else(|| Refusal::NoSuchUpload.into());
        };
        let all = self.all_parts(upload_id).await?;
        let replaced = chosen
            .picked
            .iter()
            .find(|c| !all.iter().any(|p| same_bytes(p, c)));
        if let Some(p) = replaced {
            return Err(Refusal::InvalidPart(format!(
                "part {} was uploaded again while the upload completed",
                p.data.number
            ))
            .into());
        }
        let parts = chosen.picked.iter().map(|p| PartData {
            data_id: None,
            ..p.data.clone()
        });
        let data = DataRecord {
            upload: Some(upload_id.to_string()),
            ..remote_data_record(staged.data.clone(), parts.collect())
        };
        let rec = completed_version(&now, &chosen, data);
        let extra = forget_upload(bucket, key, upload_id);
        let to = CommitTo {
            bucket,
            key,
            promised,
        };
        let info = self
            .commit_version_as(to, rec, None, precondition.as_ref(), extra)
            .await?;
        staged.keep();
        discard_parts(self, &upload.class, all.iter());
        Ok(info)
    }

    /// The stored bytes of `parts` of an upload, one part after the other: each part's read
    /// starts only when the one before it has ended.
    fn read_parts(
        &self,
        bucket: &str,
        key: &str,
        class: &str,
        parts: Vec<PartRecord>,
    ) -> Result<BoxStream<'static, Result<Bytes>>> {
        let set = self.class(Some(class))?.clone();
        let local = LocalParts {
            rotation: rotation_for(key.as_bytes(), set.layout.total()),
            set,
            ctx: ReadContext {
                bucket: bucket.into(),
                key: key.into(),
                version_id: String::new(),
                // Parts are not healed: their shard files go once the object is remote.
                heal: Arc::new(HealQueue::default()),
            },
        };
        let mut sources = Vec::with_capacity(parts.len());
        for p in parts {
            sources.push(match p.remote {
                Some(r) => PartSource::Remote(self.tiers.of_data(&r.tier)?.clone(), r),
                None => PartSource::Local(p.data),
            });
        }
        let bodies = sources.into_iter().map(move |source| {
            let body = match source {
                PartSource::Remote(tier, r) => Ok(tier.read(&r.id, 0..r.size, Some(r.xxh3))),
                PartSource::Local(part) => local.read(part),
            };
            match body {
                Ok(body) => body.boxed(),
                Err(e) => stream::once(async { Err(e) }).boxed(),
            }
        });
        Ok(stream::iter(bodies).flatten().boxed())
    }
}

/// Where one part's stored bytes are.
enum PartSource {
    /// One remote object of a tier.
    Remote(Arc<Tier>, RemoteData),
    /// Shard files (an upload begun by a strata before record version 10).
    Local(PartData),
}

/// Where the local parts of an upload of an older strata are read from.
struct LocalParts {
    set: Arc<ErasureSet>,
    rotation: usize,
    ctx: ReadContext,
}

impl LocalParts {
    fn read(&self, part: PartData) -> Result<ObjectBody> {
        read::start(ReadPlan {
            layout: self.set.layout,
            rotation: self.rotation,
            range: 0..part.size,
            parts: vec![part],
            inline: None,
            ctx: self.ctx.clone(),
            set: self.set.clone(),
        })
    }
}
