//! S3 Object Lock, enforced here where no gateway bug can get around it: a version's
//! retention and legal hold, changed only as S3 allows, and every removal of a version asks
//! them first (FORMAT.md, `ObjectLock`).

use super::{Inner, Store};
use crate::disk::meta_db::MetaOp;
use crate::error::{Error, Refusal, Result};
use crate::record::{self, now_ns};
use crate::types::{LockMode, ObjectLock};

/// What a version's removal is refused with.
fn locked(why: &str) -> Error {
    Refusal::ObjectLocked(why.to_string()).into()
}

impl Store {
    /// Sets (or, with `None`, removes) the retention of a version (the current one by
    /// default); returns its version id. A `COMPLIANCE` retention in force can only be kept
    /// or lengthened; a `GOVERNANCE` one shortened, removed or made `GOVERNANCE` again
    /// with an earlier date only with `bypass_governance`.
    pub async fn set_object_retention(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        retention: Option<(LockMode, u64)>,
        bypass_governance: bool,
    ) -> Result<String> {
        self.change_lock(bucket, key, version_id, |old| {
            let now = now_ns();
            if let Some((mode, until)) = old.retention_at(now) {
                let keeps = match retention {
                    None => false,
                    Some((new_mode, new_until)) => {
                        new_until >= until
                            && (mode == LockMode::Governance || new_mode == LockMode::Compliance)
                    }
                };
                let may = keeps || (mode == LockMode::Governance && bypass_governance);
                if !may {
                    return Err(locked(
                        "the version's retention can only be kept or lengthened (a GOVERNANCE one shortened with s3:BypassGovernanceRetention)",
                    ));
                }
            }
            if retention.is_some_and(|(_, until)| until <= now) {
                return Err(Error::argument("the retain-until date must be in the future"));
            }
            Ok(ObjectLock {
                mode: retention.map(|r| r.0),
                retain_until_ns: retention.map(|r| r.1),
                legal_hold: old.legal_hold,
            })
        })
        .await
    }

    /// Turns a version's legal hold on or off; returns its version id.
    pub async fn set_object_legal_hold(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        on: bool,
    ) -> Result<String> {
        self.change_lock(bucket, key, version_id, |old| {
            Ok(ObjectLock {
                legal_hold: on,
                ..old.clone()
            })
        })
        .await
    }

    /// Replaces a version's lock with what `change` makes of it, under the key's lock, in a
    /// bucket with object lock; delete markers have none.
    async fn change_lock(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        change: impl FnOnce(&ObjectLock) -> Result<ObjectLock>,
    ) -> Result<String> {
        let inner = &self.inner;
        if !inner.bucket(bucket)?.object_lock {
            return Err(Refusal::ObjectLockNotEnabled.into());
        }
        let _g = inner.locks.lock(bucket, key).await;
        let found = inner.resolve_object(bucket, key, version_id)?.record;
        if found.delete_marker {
            return Err(Refusal::MethodNotAllowed {
                delete_marker_version: Some(record::version_text(&found.version_id)),
            }
            .into());
        }
        let new = change(&found.lock.unwrap_or_default())?;
        inner
            .commit_all(vec![MetaOp::SetLock {
                bucket: bucket.into(),
                key: key.into(),
                version_id: found.version_id,
                // Kept even when empty: a hold turned off reads back as OFF, as on S3.
                lock: Some(new),
            }])
            .await?;
        Ok(record::version_text(&found.version_id))
    }
}

impl Inner {
    /// Refuses a lock on a write to a bucket without object lock, and half a retention.
    pub(super) fn check_lock_allowed(&self, bucket: &str, lock: Option<&ObjectLock>) -> Result<()> {
        let b = self.bucket(bucket)?;
        if lock.is_some_and(|l| !l.is_empty()) && !b.object_lock {
            return Err(Refusal::ObjectLockNotEnabled.into());
        }
        if lock.is_some_and(|l| l.mode.is_some() != l.retain_until_ns.is_some()) {
            return Err(Error::argument("a retention needs both a mode and a date"));
        }
        Ok(())
    }

    /// Whether version `id` of `key` may be removed now; the caller holds the key's lock.
    /// A version that is not there passes (the removal then finds nothing).
    pub(super) fn check_removal(
        &self,
        bucket: &str,
        key: &str,
        id: [u8; 16],
        bypass_governance: bool,
    ) -> Result<()> {
        let Some(found) = self.resolve(bucket, key, Some(id))? else {
            return Ok(());
        };
        match found.record.lock {
            Some(lock) if !lock.allows_removal(now_ns(), bypass_governance) => {
                Err(locked(if lock.legal_hold {
                    "Access Denied because object protected by object lock (legal hold)"
                } else {
                    "Access Denied because object protected by object lock"
                }))
            }
            _ => Ok(()),
        }
    }
}
