//! Buckets: create, delete, list, versioning and configuration documents.

use std::collections::{BTreeMap, BTreeSet};

use super::{Inner, Store};
use crate::disk::meta_db::{MetaOp, Step, Table};
use crate::error::{Error, Invalid, Refusal, Result};
use crate::keys;
use crate::record::{self, now_ns, time_of, BucketRecord};
use crate::types::{BucketInfo, Versioning};

fn info(name: &str, r: &BucketRecord) -> BucketInfo {
    BucketInfo {
        name: name.to_string(),
        created: time_of(r.created_ns),
        location: r.location.clone(),
        versioning: r.versioning,
        owner: r.owner.clone(),
        object_lock: r.object_lock,
    }
}

fn config_kind(kind: &str) -> Result<()> {
    if kind.is_empty()
        || kind.len() > 32
        || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
    {
        return Err(Error::argument(format!(
            "bucket configuration kind {kind:?}"
        )));
    }
    Ok(())
}

impl Inner {
    /// Buckets that a read quorum of namespace volumes holds.
    pub(super) fn load_buckets(&self) -> Result<BTreeMap<String, BucketRecord>> {
        let mut out = BTreeMap::new();
        for (name, value) in self.scan_agreed(Table::Buckets, b"")? {
            out.insert(
                String::from_utf8_lossy(&name).into_owned(),
                record::decode(&value)?,
            );
        }
        Ok(out)
    }

    async fn write_bucket(&self, name: &str, rec: BucketRecord) -> Result<()> {
        self.commit_all(vec![MetaOp::Put {
            table: Table::Buckets,
            key: name.as_bytes().to_vec(),
            value: record::encode(&rec),
        }])
        .await?;
        self.buckets
            .write()
            .map_err(|_| Error::internal("bucket cache poisoned"))?
            .insert(name.to_string(), rec);
        Ok(())
    }

    /// Whether any serving namespace volume holds a version (an object or a delete marker)
    /// in the bucket.
    fn bucket_has_objects(&self, name: &str) -> Result<bool> {
        let prefix = keys::join(name, b"");
        for (_, v) in self.ns().online() {
            let mut any = false;
            v.meta()?.scan(Table::Versions, &prefix, |k, _| {
                any = k.starts_with(&prefix);
                Ok(Step::Stop)
            })?;
            if any {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The uploads in progress in `bucket`, (key, upload id), as any serving namespace
    /// volume holds them.
    fn uploads_of(&self, bucket: &str) -> Result<BTreeSet<(String, String)>> {
        let prefix = keys::join(bucket, b"");
        let mut all = BTreeSet::new();
        for (_, v) in self.ns().online() {
            v.meta()?.scan(Table::Uploads, &prefix, |k, _| {
                if !k.starts_with(&prefix) {
                    return Ok(Step::Stop);
                }
                if let Some((_, key, id)) = keys::split_upload(k) {
                    all.insert((key, id));
                }
                Ok(Step::Next)
            })?;
        }
        Ok(all)
    }
}

impl Store {
    /// Creates a bucket with no recorded owner.
    pub async fn create_bucket(&self, name: &str, location: Option<&str>) -> Result<()> {
        self.create_bucket_owned(name, location, None).await
    }

    /// Creates a bucket owned by the account `owner`.
    pub async fn create_bucket_owned(
        &self,
        name: &str,
        location: Option<&str>,
        owner: Option<&str>,
    ) -> Result<()> {
        self.create_bucket_with(name, location, owner, false).await
    }

    /// Creates a bucket owned by `owner`; with `object_lock`, versioned and locked from the
    /// start.
    pub async fn create_bucket_with(
        &self,
        name: &str,
        location: Option<&str>,
        owner: Option<&str>,
        object_lock: bool,
    ) -> Result<()> {
        crate::validate::bucket_name(name)?;
        let inner = &self.inner;
        let _g = inner.locks.lock(name, "").await;
        if inner.bucket(name).is_ok() {
            return Err(Refusal::BucketAlreadyOwnedByYou.into());
        }
        let rec = BucketRecord {
            created_ns: now_ns(),
            location: location.map(str::to_string),
            versioning: if object_lock {
                Versioning::Enabled
            } else {
                Versioning::Unversioned
            },
            owner: owner.map(str::to_string),
            object_lock,
        };
        inner.write_bucket(name, rec).await
    }

    /// Deletes an empty bucket and its configuration.
    pub async fn delete_bucket(&self, name: &str) -> Result<()> {
        let inner = &self.inner;
        let _g = inner.locks.lock(name, "").await;
        inner.bucket(name)?;
        if inner.bucket_has_objects(name)? {
            return Err(Refusal::BucketNotEmpty.into());
        }
        // Uploads in progress do not keep a bucket: they go with it, as on AWS, so that a
        // bucket made again under the name lists none.
        self.abort_uploads_of(name).await?;
        inner
            .commit_all(vec![
                MetaOp::Delete {
                    table: Table::Buckets,
                    key: name.as_bytes().to_vec(),
                },
                MetaOp::DeletePrefix {
                    table: Table::BucketConfig,
                    prefix: keys::join(name, b""),
                },
            ])
            .await?;
        inner
            .buckets
            .write()
            .map_err(|_| Error::internal("bucket cache poisoned"))?
            .remove(name);
        // One begun while the bucket went (it had checked the bucket before) goes too.
        self.abort_uploads_of(name).await
    }

    /// Aborts every upload in progress in `bucket`.
    async fn abort_uploads_of(&self, bucket: &str) -> Result<()> {
        for (key, id) in self.inner.uploads_of(bucket)? {
            match self.abort_multipart_upload(bucket, &key, &id).await {
                Ok(()) | Err(Error::Refused(Refusal::NoSuchUpload)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// One bucket.
    pub async fn bucket_info(&self, name: &str) -> Result<BucketInfo> {
        Ok(info(name, &self.inner.bucket(name)?))
    }

    /// A bucket's recorded owner, from memory (no I/O: the authorizer asks per request);
    /// `NoSuchBucket` if there is no such bucket.
    pub fn bucket_owner(&self, name: &str) -> Result<Option<String>> {
        self.cached_bucket(name, |record| record.owner.clone())
    }

    /// Whether the bucket has object lock enabled, from memory (no I/O and no copy: every
    /// write asks, for its default retention). `NoSuchBucket` if there is none.
    pub fn bucket_object_lock(&self, name: &str) -> Result<bool> {
        self.cached_bucket(name, |record| record.object_lock)
    }

    /// When the bucket named `name` was made, from memory: tells a bucket from a later one
    /// of the same name. `NoSuchBucket` if there is none.
    pub fn bucket_created_ns(&self, name: &str) -> Result<u64> {
        self.cached_bucket(name, |record| record.created_ns)
    }

    /// `read` of the bucket's record in memory; `NoSuchBucket` if there is none.
    fn cached_bucket<T>(&self, name: &str, read: impl FnOnce(&BucketRecord) -> T) -> Result<T> {
        let buckets = self
            .inner
            .buckets
            .read()
            .map_err(|_| Error::internal("bucket cache poisoned"))?;
        let record = buckets
            .get(name)
            .ok_or(Error::from(Refusal::NoSuchBucket))?;
        Ok(read(record))
    }

    /// All buckets, by name.
    pub async fn list_buckets(&self) -> Result<Vec<BucketInfo>> {
        let b = self
            .inner
            .buckets
            .read()
            .map_err(|_| Error::internal("bucket cache poisoned"))?;
        Ok(b.iter().map(|(n, r)| info(n, r)).collect())
    }

    /// Sets the versioning state. A bucket that was versioned can only be suspended.
    pub async fn set_versioning(&self, name: &str, state: Versioning) -> Result<()> {
        let inner = &self.inner;
        let _g = inner.locks.lock(name, "").await;
        let mut rec = inner.bucket(name)?;
        if rec.object_lock && state != Versioning::Enabled {
            return Err(Refusal::InvalidBucketState(
                "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.".into(),
            )
            .into());
        }
        if state == Versioning::Unversioned && rec.versioning != Versioning::Unversioned {
            return Err(
                Invalid::Argument("a versioned bucket can only be suspended".into()).into(),
            );
        }
        rec.versioning = state;
        inner.write_bucket(name, rec).await
    }

    /// Enables object lock on a bucket whose versioning is enabled; it stays enabled.
    pub async fn enable_object_lock(&self, name: &str) -> Result<()> {
        let inner = &self.inner;
        let _g = inner.locks.lock(name, "").await;
        let mut rec = inner.bucket(name)?;
        if rec.object_lock {
            return Ok(());
        }
        if rec.versioning != Versioning::Enabled {
            return Err(Refusal::InvalidBucketState(
                "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"
                    .into(),
            )
            .into());
        }
        rec.object_lock = true;
        inner.write_bucket(name, rec).await
    }

    /// Stores a configuration document (`policy`, `tagging`, `lifecycle`, ...), opaque here.
    pub async fn put_bucket_config(&self, bucket: &str, kind: &str, doc: Vec<u8>) -> Result<()> {
        config_kind(kind)?;
        self.inner.bucket(bucket)?;
        let op = MetaOp::Put {
            table: Table::BucketConfig,
            key: keys::bucket_config(bucket, kind),
            value: doc,
        };
        self.inner.commit_all(vec![op]).await.map(|_| ())
    }

    /// Reads a configuration document.
    pub async fn get_bucket_config(&self, bucket: &str, kind: &str) -> Result<Option<Vec<u8>>> {
        self.bucket_config_now(bucket, kind)
    }

    /// Reads a configuration document on the calling thread (index reads, no waiting on a
    /// commit): for callers that cache a compiled form and are not async.
    pub fn bucket_config_now(&self, bucket: &str, kind: &str) -> Result<Option<Vec<u8>>> {
        config_kind(kind)?;
        self.inner.bucket(bucket)?;
        let answers = self
            .inner
            .read_all(Table::BucketConfig, &keys::bucket_config(bucket, kind))?;
        Ok(self
            .inner
            .agreed(answers.into_iter().map(|(_, v)| v).collect()))
    }

    /// Removes a configuration document (absent is fine).
    pub async fn delete_bucket_config(&self, bucket: &str, kind: &str) -> Result<()> {
        config_kind(kind)?;
        self.inner.bucket(bucket)?;
        let op = MetaOp::Delete {
            table: Table::BucketConfig,
            key: keys::bucket_config(bucket, kind),
        };
        self.inner.commit_all(vec![op]).await.map(|_| ())
    }
}
