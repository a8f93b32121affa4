//! A PUT to a remote tier's class: the bytes stream to the tier, no local copy. The intent
//! entry is committed first (naming the null version: the commit that creates the version
//! rewrites it with the version's id, `FORMAT.md` "Remote tiers"), so a crash mid-write
//! leaves an orphan the scanner finds without listing the remote bucket.

use std::sync::Arc;

use bytes::Bytes;
use futures::{SinkExt, Stream, StreamExt};

use super::object::CommitTo;
use super::put::{client_facts, new_version, Staging};
use super::remote::{entry_op, remote_data_record, Moving};
use super::staged::{Held, StagedData};
use super::Inner;
use crate::error::{Error, Invalid, Result, WriteError};
use crate::record::{PartData, RemoteData};
use crate::tier::Tier;
use crate::types::{EtagBy, ObjectInfo, PutOptions};

/// Bytes on a remote tier that no version references yet.
pub(crate) struct RemoteStaged {
    /// Keeps the object from being reaped while the write is uncommitted; `None` once kept.
    moving: Option<Moving>,
    pub(super) data: RemoteData,
    pub(super) md5: Option<[u8; 16]>,
}

impl RemoteStaged {
    /// Starts a new remote object of `tier` for a version of `bucket/key` to be: its intent
    /// entry is committed first, naming the null version. Dropped unkept from then on, the
    /// object is queued for deletion.
    pub(super) async fn begin(
        inner: &Arc<Inner>,
        tier: &Tier,
        bucket: &str,
        key: &str,
    ) -> Result<Self> {
        tier.writable()?;
        let id: [u8; 16] = rand::random();
        let moving = Moving::start(inner, id);
        inner
            .commit_all(vec![entry_op(&id, &tier.name, bucket, key, [0; 16])])
            .await?;
        Ok(RemoteStaged {
            moving: Some(moving),
            data: RemoteData {
                tier: tier.name.clone(),
                id,
                size: 0,
                xxh3: [0; 16],
            },
            md5: None,
        })
    }

    /// The commit now references the object: it stays.
    pub(super) fn keep(mut self) {
        self.moving.take();
    }
}

impl Drop for RemoteStaged {
    fn drop(&mut self) {
        if let Some(m) = self.moving.take() {
            m.abandon();
        }
    }
}

impl Inner {
    /// Streams `body` to `tier` as a new remote object for a version of `bucket/key`.
    pub(super) async fn stage_remote<S, E>(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        tier: Arc<Tier>,
        body: S,
        how: Staging,
    ) -> Result<StagedData, WriteError<E>>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + Unpin,
    {
        let mut staged = RemoteStaged::begin(self, &tier, bucket, key).await?;
        // The body is read (and hashed) here and handed to the tier through a channel, so
        // that its own failure is the caller's to see, not the tier's error it causes.
        let (tx, rx) = futures::channel::mpsc::channel::<Result<Bytes>>(2);
        let hasher = (how.etag == EtagBy::Store).then(|| self.md5.stream());
        let (fed, written) = tokio::join!(feed(body, hasher, tx), tier.put(&staged.data.id, rx));
        let md5 = fed?;
        let (size, xxh3) = written?;
        if let Some(expected) = how.expected_len.filter(|e| *e != size) {
            return Err(Error::from(Invalid::BodyLength {
                expected,
                got: size,
            })
            .into());
        }
        staged.data.size = size;
        staged.data.xxh3 = xxh3;
        staged.md5 = md5;
        Ok(StagedData::holding(bucket, key, Held::Remote(staged)))
    }

    /// Commits staged remote bytes as the new version of `key` (or its null version).
    pub(super) async fn put_remote(
        &self,
        bucket: &str,
        key: &str,
        staged: RemoteStaged,
        mut opts: PutOptions,
    ) -> Result<ObjectInfo> {
        // Any failure from here drops `staged` unkept: its object is queued for deletion.
        self.check_lock_allowed(bucket, opts.lock.as_ref())?;
        let stored = staged.data.size;
        let (size, etag) = client_facts(opts.client.take(), stored, staged.md5)?;
        let part = PartData {
            number: 1,
            size: stored,
            etag: etag.clone(),
            checksums: opts.checksums.clone(),
            data_id: None,
            object_size: (size != stored).then_some(size),
        };
        let data = remote_data_record(staged.data.clone(), vec![part]);
        let precondition = opts.precondition.take();
        let to = CommitTo {
            bucket,
            key,
            promised: opts.promised.take(),
        };
        let rec = new_version(size, etag, opts, data);
        let info = self
            .commit_version(to, rec, None, precondition.as_ref())
            .await?;
        staged.keep();
        Ok(info)
    }
}

/// Sends `body` into `tx`, hashing it when `hasher` is given; returns its MD5.
async fn feed<S, E>(
    mut body: S,
    mut hasher: Option<crate::etag::Md5Stream>,
    mut tx: futures::channel::mpsc::Sender<Result<Bytes>>,
) -> Result<Option<[u8; 16]>, WriteError<E>>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send + Unpin,
{
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => {
                if let Some(h) = hasher.as_mut() {
                    h.update(chunk.clone()).await?;
                }
                if tx.send(Ok(chunk)).await.is_err() {
                    // The tier stopped reading: its own error is reported.
                    return Ok(None);
                }
            }
            Err(e) => {
                let _ = tx
                    .send(Err(Error::argument("the request body failed")))
                    .await;
                return Err(WriteError::Body(e));
            }
        }
    }
    drop(tx);
    match hasher {
        Some(h) => Ok(Some(h.finish().await?)),
        None => Ok(None),
    }
}
