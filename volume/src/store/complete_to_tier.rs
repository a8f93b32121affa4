//! Completing a multipart upload to a remote tier's class (`FORMAT.md`, `UploadRecord.tier`):
//! the chosen parts' stored bytes (sealed as the gateway sealed each part) stream from their
//! local shard files into one new remote object, then one commit writes the version and
//! removes the upload, then every part's shard files are unreferenced. The key is not locked
//! while the bytes stream; the commit checks again that the upload and its chosen parts are
//! still those that were read.

use std::sync::Arc;

use super::multipart::{completed_version, discard_parts, forget_upload, Chosen, Completion};
use super::remote::remote_data_record;
use super::stage_remote::RemoteStaged;
use super::Inner;
use crate::erasure::layout::rotation_for;
use crate::error::{Error, Refusal, Result};
use crate::heal::HealQueue;
use crate::object::body::ObjectBody;
use crate::object::read::{self, ReadContext, ReadPlan};
use crate::record::{DataRecord, PartData, UploadRecord};
use crate::types::{ObjectInfo, WritePrecondition};

impl Inner {
    /// Streams `chosen` to `upload`'s tier and commits the version it completes.
    pub(super) async fn complete_to_tier(
        self: &Arc<Self>,
        to: Completion<'_>,
        upload: UploadRecord,
        chosen: Chosen,
        precondition: Option<WritePrecondition>,
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
        let body = self.read_parts(bucket, key, &upload.class, &chosen.parts)?;
        let (size, xxh3) = tier.put(&staged.data.id, body).await?;
        let stored: u64 = chosen.parts.iter().map(|p| p.size).sum();
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
            .parts
            .iter()
            .find(|c| !all.iter().any(|p| p.data.data_id == c.data_id));
        if let Some(p) = replaced {
            return Err(Refusal::InvalidPart(format!(
                "part {} was uploaded again while the upload completed",
                p.number
            ))
            .into());
        }
        let parts = chosen.parts.iter().map(|p| PartData {
            data_id: None,
            ..p.clone()
        });
        let data = DataRecord {
            upload: Some(upload_id.to_string()),
            ..remote_data_record(staged.data.clone(), parts.collect())
        };
        let rec = completed_version(&now, &chosen, data);
        let extra = forget_upload(bucket, key, upload_id);
        let info = self
            .commit_version_locked(bucket, key, rec, None, precondition.as_ref(), extra)
            .await?;
        staged.keep();
        discard_parts(self, &upload.class, all.iter());
        Ok(info)
    }

    /// The stored bytes of `parts` of an upload, one part after the other.
    fn read_parts(
        &self,
        bucket: &str,
        key: &str,
        class: &str,
        parts: &[PartData],
    ) -> Result<ObjectBody> {
        let set = self.class(Some(class))?.clone();
        let total = parts.iter().map(|p| p.size).sum();
        read::start(ReadPlan {
            layout: set.layout,
            rotation: rotation_for(key.as_bytes(), set.layout.total()),
            parts: parts.to_vec(),
            inline: None,
            range: 0..total,
            ctx: ReadContext {
                bucket: bucket.into(),
                key: key.into(),
                version_id: String::new(),
                // Parts are not healed: their shard files go once the object is remote.
                heal: Arc::new(HealQueue::default()),
            },
            set,
        })
    }
}
