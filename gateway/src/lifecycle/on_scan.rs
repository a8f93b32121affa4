//! Lifecycle rules riding the scanner's pass (the store's `ScanHook`): each version the
//! walk meets is checked against its bucket's rules and expired when one is due, and each
//! upload in progress is judged by the bucket's abort rules before the scanner's default
//! age. The walk gives a key's versions together, newest first; the hook follows each key to
//! know when a version became noncurrent and how many noncurrent versions are newer.
//!
//! Every expiration goes through the store's own delete, so object locks hold (a locked
//! version stays and is counted), and a current version is expired only if it is still the
//! one the walk saw. A transition moves a version's data down the class order (never up) with
//! the store's `transition_version`, or to a remote tier with `to_tier`; an expiration due at
//! the same time wins, as on AWS.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use strata_volume::{
    DeletePrecondition, Error as VolumeError, ListVersionsOptions, ObjectInfo, Refusal, ScanHook,
    Store, Transitioned, UploadInfo, UploadVerdict,
};

use super::clock::LifecycleClock;
use super::rules::{Lifecycle, Subject};
use super::to_tier::{MoveError, TierMover};
use crate::audit::{Auditor, LifecycleRecord};
use crate::bucket_access::BucketAccess;
use crate::config::StorageClassNames;
use crate::metrics::LifecycleMetrics;
use crate::notify::{EventType, Notifier};
use crate::transform::TransformError;

/// The hook.
pub struct LifecycleOnScan {
    store: Store,
    buckets: BucketAccess,
    names: StorageClassNames,
    clock: LifecycleClock,
    metrics: LifecycleMetrics,
    /// Bucket notifications, once the notifier is running.
    notifier: OnceLock<Arc<Notifier>>,
    /// The audit trail, once its sinks are running.
    auditor: OnceLock<Auditor>,
    /// The key whose versions the walk is in.
    walk: Mutex<Option<KeyWalk>>,
    /// Moves to remote tiers, once the server's transform is known.
    to_tier: OnceLock<TierMover>,
}

/// What the walk has shown of one key so far.
struct KeyWalk {
    bucket: String,
    key: String,
    /// When the last version seen (the next newer one) was written.
    newer_written: SystemTime,
    /// Noncurrent versions seen (delete markers aside).
    noncurrent_seen: u64,
    /// A version of the key was missed: counts are short, so nothing older is judged.
    short: bool,
}

/// Where a version stands in its key's history.
enum Place {
    Current,
    Noncurrent {
        since: SystemTime,
        newer: u64,
    },
    /// Not known for sure this pass: left alone.
    Unknown,
}

/// One action done (or tried).
struct Acted<'a> {
    action: &'static str,
    outcome: &'static str,
    started: SystemTime,
    /// A transition's target storage class (S3 name).
    target: Option<&'a str>,
}

/// The actions, as the metrics name them.
const EXPIRE_CURRENT: &str = "expire_current";
const REMOVE_DELETE_MARKER: &str = "remove_delete_marker";
const EXPIRE_NONCURRENT: &str = "expire_noncurrent";
const TRANSITION: &str = "transition";
const TRANSITION_NONCURRENT: &str = "transition_noncurrent";

impl LifecycleOnScan {
    /// The hook over `store`, reading each bucket's rules through `buckets` and the classes'
    /// S3 names in `names`.
    pub fn new(
        store: Store,
        buckets: BucketAccess,
        names: StorageClassNames,
        clock: LifecycleClock,
        metrics: LifecycleMetrics,
    ) -> Self {
        LifecycleOnScan {
            store,
            buckets,
            names,
            clock,
            metrics,
            notifier: OnceLock::new(),
            auditor: OnceLock::new(),
            walk: Mutex::new(None),
            to_tier: OnceLock::new(),
        }
    }

    /// Moves versions to remote tiers with `mover` from now on (until then, such a move
    /// counts as failed and is tried again at the next pass).
    pub fn move_to_tiers_with(&self, mover: TierMover) {
        let _ = self.to_tier.set(mover);
    }

    /// Records what the rules do in the audit trail of `auditor` from now on.
    pub fn audit_through(&self, auditor: Auditor) {
        let _ = self.auditor.set(auditor);
    }

    /// Sends the `s3:LifecycleExpiration:*` and `s3:LifecycleTransition` events of what the
    /// rules do through `notifier` from now on.
    pub fn notify_through(&self, notifier: Arc<Notifier>) {
        let _ = self.notifier.set(notifier);
    }

    async fn notify(&self, event: EventType, info: &ObjectInfo, version: Option<String>) {
        if let Some(n) = self.notifier.get() {
            let version = version.filter(|v| v != "null");
            n.lifecycle(event, &info.bucket, &info.key, version).await;
        }
    }

    fn rules(&self, bucket: &str) -> Option<Arc<Lifecycle>> {
        match self.buckets.get(bucket) {
            Ok(controls) => controls.lifecycle.clone(),
            Err(e) => {
                tracing::debug!(bucket, error = %e, "lifecycle: bucket controls unreadable");
                None
            }
        }
    }

    /// Follows the walk to `info` and says where it stands.
    fn place(&self, info: &ObjectInfo) -> Place {
        let mut walk = lock(&self.walk);
        let Some(w) = walk
            .as_mut()
            .filter(|w| w.bucket == info.bucket && w.key == info.key)
        else {
            // A key's first version is its current one, unless the walk missed it.
            *walk = Some(KeyWalk {
                bucket: info.bucket.clone(),
                key: info.key.clone(),
                newer_written: info.last_modified,
                noncurrent_seen: 0,
                short: !info.is_latest,
            });
            return if info.is_latest {
                Place::Current
            } else {
                Place::Unknown
            };
        };
        // A version after the key's first is noncurrent, whatever the walk says of it.
        let place = match w.short {
            true => Place::Unknown,
            false => Place::Noncurrent {
                since: w.newer_written,
                newer: w.noncurrent_seen,
            },
        };
        w.newer_written = info.last_modified;
        if !info.delete_marker {
            w.noncurrent_seen += 1;
        }
        place
    }

    async fn visit_version(&self, info: &ObjectInfo) {
        // A bucket without rules costs no key bookkeeping. Rules put while the walk is inside
        // a key only see the rest of it as `Unknown` (left alone), never as current.
        let Some(rules) = self.rules(&info.bucket) else {
            return;
        };
        let place = self.place(info);
        let now = SystemTime::now();
        let due = |d: Option<super::rules::Due>| d.is_some_and(|d| d.at <= now);
        let subject = Subject {
            key: &info.key,
            size: info.size,
            tags: &info.tags,
        };
        let rank = |class: &str| self.names.rank(class);
        match place {
            Place::Current if !info.delete_marker => {
                if due(rules.current_expiry(&self.clock, subject, info.last_modified)) {
                    // Only if it is still the current version the walk saw.
                    let cond = DeletePrecondition {
                        if_match: Some(info.etag.clone()),
                        size: Some(info.size),
                        last_modified_secs: Some(secs(info.last_modified)),
                        bypass_governance: false,
                    };
                    self.act(EXPIRE_CURRENT, info, None, &cond).await;
                } else if let Some(target) =
                    rules.current_transition(&self.clock, subject, info.last_modified, now, &rank)
                {
                    self.transition(TRANSITION, info, &target).await;
                }
            }
            Place::Current => {
                if due(rules.marker_expiry(&self.clock, &info.key, info.last_modified))
                    && self.only_version(info).await
                {
                    let vid = Some(info.version_id.as_str());
                    self.act(
                        REMOVE_DELETE_MARKER,
                        info,
                        vid,
                        &DeletePrecondition::default(),
                    )
                    .await;
                }
            }
            Place::Noncurrent { since, newer } => {
                if due(rules.noncurrent_expiry(&self.clock, subject, since, newer)) {
                    let vid = Some(info.version_id.as_str());
                    self.act(EXPIRE_NONCURRENT, info, vid, &DeletePrecondition::default())
                        .await;
                } else if info.delete_marker {
                    // A marker has no data to move.
                } else if let Some(target) =
                    rules.noncurrent_transition(&self.clock, subject, since, newer, now, &rank)
                {
                    self.transition(TRANSITION_NONCURRENT, info, &target).await;
                }
            }
            Place::Unknown => {}
        }
    }

    /// Whether the delete marker `info` is the only version its key has.
    async fn only_version(&self, info: &ObjectInfo) -> bool {
        let opts = ListVersionsOptions {
            prefix: info.key.clone(),
            max_keys: 2,
            ..ListVersionsOptions::default()
        };
        match self.store.list_object_versions(&info.bucket, opts).await {
            Ok(page) => {
                let of_key: Vec<_> = page.versions.iter().filter(|v| v.key == info.key).collect();
                of_key.len() == 1 && of_key[0].version_id == info.version_id
            }
            Err(e) => {
                tracing::debug!(bucket = info.bucket, key = info.key, error = %e, "lifecycle: versions unreadable");
                false
            }
        }
    }

    /// Deletes `version` of `info`'s key (the current one when `None`) and counts how it went.
    async fn act(
        &self,
        action: &'static str,
        info: &ObjectInfo,
        version: Option<&str>,
        cond: &DeletePrecondition,
    ) {
        let (bucket, key) = (&info.bucket, &info.key);
        let started = SystemTime::now();
        let outcome = match self
            .store
            .delete_object_if(bucket, key, version, cond)
            .await
        {
            Ok(done) => {
                let (event, removed) = match version {
                    None if done.delete_marker => (
                        EventType::LifecycleExpirationDeleteMarkerCreated,
                        done.version_id,
                    ),
                    None => (EventType::LifecycleExpirationDelete, done.version_id),
                    Some(v) => (EventType::LifecycleExpirationDelete, Some(v.to_string())),
                };
                self.notify(event, info, removed).await;
                "done"
            }
            // Replaced or removed since the walk saw it: the next pass judges what is there.
            Err(VolumeError::Refused(Refusal::PreconditionFailed | Refusal::NoSuchKey { .. }))
            | Err(VolumeError::Refused(Refusal::NoSuchVersion)) => "changed",
            Err(VolumeError::Refused(Refusal::ObjectLocked(_))) => "locked",
            Err(e) => {
                tracing::warn!(bucket, key, action, error = %e, "lifecycle action failed");
                "failed"
            }
        };
        let done = Acted {
            action,
            outcome,
            started,
            target: None,
        };
        self.counted(info, done).await;
    }

    /// Counts what an action did and records it in the audit trail.
    async fn counted(&self, info: &ObjectInfo, done: Acted<'_>) {
        let (bucket, key, version) = (&info.bucket, &info.key, &info.version_id);
        let (action, outcome) = (done.action, done.outcome);
        tracing::debug!(bucket, key, version, action, outcome, "lifecycle");
        self.metrics.acted(action, outcome);
        if let Some(auditor) = self.auditor.get() {
            let tier = done
                .target
                .and_then(|t| self.names.from_client(t))
                .filter(|c| self.names.is_tier(c));
            let record = LifecycleRecord {
                time: done.started,
                duration: done.started.elapsed().unwrap_or_default(),
                action,
                outcome,
                bucket,
                key,
                version_id: version,
                storage_class: done.target,
                tier,
            };
            auditor.record_lifecycle(&record).await;
        }
    }

    /// Moves `info`'s data to the class whose S3 name is `target`, if that is further down
    /// the class order than where it is.
    async fn transition(&self, action: &'static str, info: &ObjectInfo, target: &str) {
        let Some(class) = self.names.from_client(target) else {
            return;
        };
        let here = self.names.for_client(&info.storage_class);
        if self.names.rank(target) <= self.names.rank(&here) {
            return;
        }
        let (bucket, key) = (&info.bucket, &info.key);
        let started = SystemTime::now();
        let moved = if self.names.is_tier(class) {
            match self.to_tier.get() {
                Some(mover) => {
                    mover
                        .move_version(bucket, key, &info.version_id, class)
                        .await
                }
                None => Err(MoveError::Seal(TransformError::Invalid(
                    "remote tiers are not ready yet".into(),
                ))),
            }
        } else {
            self.store
                .transition_version(bucket, key, &info.version_id, class)
                .await
                .map_err(MoveError::from)
        };
        let outcome = match moved {
            Ok(Transitioned::Moved) => {
                let version = Some(info.version_id.clone());
                self.notify(EventType::LifecycleTransition, info, version)
                    .await;
                "done"
            }
            Ok(Transitioned::AlreadyThere | Transitioned::Empty) => return,
            Ok(Transitioned::Changed)
            | Err(MoveError::Store(VolumeError::Refused(
                Refusal::NoSuchKey { .. } | Refusal::NoSuchVersion,
            ))) => "changed",
            Err(e) => {
                tracing::warn!(bucket, key, action, error = %e, "lifecycle transition failed; the next pass tries again");
                "failed"
            }
        };
        let done = Acted {
            action,
            outcome,
            started,
            target: Some(target),
        };
        self.counted(info, done).await;
    }

    fn judge(&self, bucket: &str, upload: &UploadInfo) -> UploadVerdict {
        let Some(rules) = self.rules(bucket) else {
            return UploadVerdict::Default;
        };
        match rules.abort_upload(&self.clock, &upload.key, upload.initiated) {
            None => UploadVerdict::Default,
            Some(due) if due.at <= SystemTime::now() => UploadVerdict::Abort,
            Some(_) => UploadVerdict::Keep,
        }
    }
}

impl ScanHook for LifecycleOnScan {
    fn begin_pass(&self) -> BoxFuture<'_, ()> {
        *lock(&self.walk) = None;
        Box::pin(async {})
    }

    fn judge_upload<'a>(
        &'a self,
        bucket: &'a str,
        upload: &'a UploadInfo,
    ) -> BoxFuture<'a, UploadVerdict> {
        let verdict = self.judge(bucket, upload);
        Box::pin(async move { verdict })
    }

    fn visit<'a>(&'a self, info: &'a ObjectInfo) -> BoxFuture<'a, ()> {
        Box::pin(self.visit_version(info))
    }

    fn unreadable(&self, bucket: &str, key: &str) {
        let mut walk = lock(&self.walk);
        match walk.as_mut().filter(|w| w.bucket == bucket && w.key == key) {
            Some(w) => w.short = true,
            None => {
                *walk = Some(KeyWalk {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                    newer_written: UNIX_EPOCH,
                    noncurrent_seen: 0,
                    short: true,
                })
            }
        }
    }
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Each update is whole: a poisoned lock still holds a whole record.
    m.lock().unwrap_or_else(|p| p.into_inner())
}
