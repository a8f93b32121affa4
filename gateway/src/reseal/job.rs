//! [`Reseal`]: the walk. One at a time: a second start while one runs reports the running
//! one. The SSE-S3 key file goes first (one KMS call), then every version of every bucket,
//! in name order, a page at a time, then the bucket's multipart uploads in progress; after
//! each page of versions the progress is stored.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use strata_volume::{Error as StoreError, ListUploadsOptions, ListVersionsOptions, Refusal, Store};

use super::on_scan::ResealOnScan;
use super::progress::{Position, Progress, ResealStatus};
use crate::iam::{now_ns, KeyFiles};
use crate::transform::sse::{Entries, KmsKeys, KmsSet, ObjectReseal, Resealer, S3KeySource};
use crate::transform::TransformError;

/// Versions per page of the walk (and per stored progress).
const PAGE: usize = 1000;

/// What the walk works on.
#[derive(Clone)]
pub struct ResealParts {
    /// The store.
    pub store: Store,
    /// SSE-KMS's keys.
    pub keys: Arc<KmsKeys>,
    /// The KMSes of this start (for the SSE-S3 key file).
    pub kmses: Arc<KmsSet>,
    /// The SSE-S3 key file and its KMS key.
    pub s3_key: S3KeySource,
    /// The durable copies of the key files.
    pub key_files: Arc<KeyFiles>,
}

/// The re-seal of one server.
pub struct Reseal {
    parts: ResealParts,
    on_scan: Arc<ResealOnScan>,
    runtime: tokio::runtime::Handle,
    running: AtomicBool,
    progress: Mutex<Option<Progress>>,
}

/// Why a walk stopped before its end.
type Stop = String;

impl Reseal {
    /// The re-seal over `parts`, whose walks run on `runtime` (the store's); `stored` is the
    /// progress record found at start.
    pub fn new(
        parts: ResealParts,
        runtime: tokio::runtime::Handle,
        stored: Option<Progress>,
    ) -> Arc<Self> {
        let on_scan = Arc::new(ResealOnScan::new(parts.clone()));
        Arc::new(Reseal {
            on_scan,
            parts,
            runtime,
            running: AtomicBool::new(false),
            progress: Mutex::new(stored),
        })
    }

    /// Whether a walk was cut off (by a crash or a stop) and should go on.
    pub fn unfinished(&self) -> bool {
        lock(&self.progress)
            .as_ref()
            .is_some_and(|p| p.finished_ns.is_none())
    }

    /// Where things stand.
    pub fn status(&self) -> ResealStatus {
        let progress = lock(&self.progress).clone();
        let state = match &progress {
            None => "idle",
            Some(_) if self.running.load(Ordering::SeqCst) => "running",
            Some(p) if p.finished_ns.is_some() => "finished",
            Some(_) => "stopped",
        };
        ResealStatus {
            state,
            progress,
            scanner: self.on_scan.counts(),
        }
    }

    /// The re-seal as the scanner's hook: its routine passes re-seal what they meet.
    pub fn scan_hook(&self) -> Arc<ResealOnScan> {
        self.on_scan.clone()
    }

    /// Starts a walk in the background unless one runs: an unfinished one goes on from its
    /// position, else a new one begins. Returns whether this call started it.
    pub fn start(self: &Arc<Self>) -> bool {
        if self.running.swap(true, Ordering::SeqCst) {
            return false;
        }
        let progress = {
            let mut slot = lock(&self.progress);
            let resumed = slot
                .clone()
                .filter(|p| p.finished_ns.is_none())
                .map(|mut p| {
                    // Why it stopped is past once it goes on; a failed object's error stays.
                    if p.failed == 0 {
                        p.last_error = None;
                    }
                    p
                });
            let progress = resumed.unwrap_or_else(|| Progress {
                started_ns: now_ns(),
                ..Progress::default()
            });
            *slot = Some(progress.clone());
            progress
        };
        let this = self.clone();
        self.runtime.spawn(async move {
            this.run(progress).await;
            this.running.store(false, Ordering::SeqCst);
        });
        true
    }

    async fn run(&self, mut progress: Progress) {
        tracing::info!(position = ?progress.position, "re-seal: started");
        let outcome = self.walk(&mut progress).await;
        match outcome {
            Ok(()) => {
                progress.finished_ns = Some(now_ns());
                tracing::info!(
                    resealed = progress.resealed,
                    current = progress.current,
                    failed = progress.failed,
                    "re-seal: finished"
                );
            }
            Err(why) => {
                tracing::warn!(error = %why, "re-seal: stopped");
                progress.last_error = Some(why);
            }
        }
        self.keep(&progress).await;
    }

    /// Publishes `progress` for the status and stores it.
    async fn keep(&self, progress: &Progress) {
        *lock(&self.progress) = Some(progress.clone());
        if let Err(e) = progress.save(&self.parts.store).await {
            tracing::warn!(error = %e, "re-seal: progress not stored");
        }
    }

    async fn walk(&self, progress: &mut Progress) -> Result<(), Stop> {
        if progress.sse_s3_key.is_none() {
            progress.sse_s3_key = Some(reseal_s3_key(&self.parts).await?);
            self.keep(progress).await;
        }
        let mut resealer = Resealer::new(self.parts.keys.clone());
        let mut buckets: Vec<String> = (self.parts.store.list_buckets().await)
            .map_err(|e| format!("listing buckets: {e}"))?
            .into_iter()
            .map(|b| b.name)
            .collect();
        buckets.sort();
        let start = progress.position.clone();
        for bucket in buckets {
            let mut marker = match &start {
                Some(p) if bucket < p.bucket => continue,
                Some(p) if bucket == p.bucket => Some((p.key.clone(), p.version_id.clone())),
                _ => None,
            };
            loop {
                let opts = ListVersionsOptions {
                    key_marker: marker.as_ref().map(|m| m.0.clone()),
                    version_id_marker: marker.as_ref().map(|m| m.1.clone()),
                    max_keys: PAGE,
                    ..ListVersionsOptions::default()
                };
                let page = match self.parts.store.list_object_versions(&bucket, opts).await {
                    Ok(page) => page,
                    Err(StoreError::Refused(Refusal::NoSuchBucket)) => break,
                    Err(e) => return Err(format!("listing {bucket}: {e}")),
                };
                for version in &page.versions {
                    if !version.delete_marker {
                        let (key, id) = (&version.key, &version.version_id);
                        self.version(&mut resealer, &bucket, key, id, progress)
                            .await?;
                    }
                    marker = Some((version.key.clone(), version.version_id.clone()));
                }
                if let Some((key, version_id)) = &marker {
                    progress.position = Some(Position {
                        bucket: bucket.clone(),
                        key: key.clone(),
                        version_id: version_id.clone(),
                    });
                }
                self.keep(progress).await;
                if !page.is_truncated || page.versions.is_empty() {
                    break;
                }
            }
            self.uploads(&mut resealer, &bucket, progress).await?;
        }
        Ok(())
    }

    /// The bucket's multipart uploads in progress (all of them again after a restart: there
    /// are few, and a current one costs no KMS call).
    async fn uploads(
        &self,
        resealer: &mut Resealer,
        bucket: &str,
        progress: &mut Progress,
    ) -> Result<(), Stop> {
        let store = &self.parts.store;
        let mut marker: Option<(String, String)> = None;
        loop {
            let opts = ListUploadsOptions {
                key_marker: marker.as_ref().map(|m| m.0.clone()),
                upload_id_marker: marker.as_ref().map(|m| m.1.clone()),
                max_uploads: PAGE,
                ..ListUploadsOptions::default()
            };
            let page = match store.list_multipart_uploads(bucket, opts).await {
                Ok(page) => page,
                Err(StoreError::Refused(Refusal::NoSuchBucket)) => return Ok(()),
                Err(e) => return Err(format!("listing the uploads of {bucket}: {e}")),
            };
            for upload in &page.uploads {
                let (key, id) = (&upload.key, &upload.upload_id);
                let what = format!("{bucket}/{key} (upload {id})");
                let change = resealer.object(bucket, key, &upload.internal).await;
                if let Some((expect, set)) = self.tally(change, &what, progress)? {
                    let changed = store
                        .set_upload_internal(bucket, key, id, expect, set)
                        .await
                        .map_err(|e| format!("writing {what}: {e}"))?;
                    self.counted(changed, progress);
                }
                marker = Some((key.clone(), id.clone()));
            }
            if !page.is_truncated || page.uploads.is_empty() {
                return Ok(());
            }
        }
    }

    /// Counts one examined record's outcome; the change to write, if any. A KMS that is
    /// down or refuses stops the walk (nothing further would get through).
    fn tally(
        &self,
        outcome: Result<ObjectReseal, TransformError>,
        what: &str,
        progress: &mut Progress,
    ) -> Result<Option<(Entries, Entries)>, Stop> {
        progress.examined += 1;
        match outcome {
            Ok(ObjectReseal::NotKms) => Ok(None),
            Ok(ObjectReseal::Current) => {
                progress.current += 1;
                Ok(None)
            }
            Ok(ObjectReseal::Change { expect, set }) => Ok(Some((expect, set))),
            Err(e @ (TransformError::KmsUnavailable(_) | TransformError::Denied(_))) => {
                Err(format!("{what}: {e}"))
            }
            Err(e) => {
                progress.failed += 1;
                progress.last_error = Some(format!("{what}: {e}"));
                Ok(None)
            }
        }
    }

    /// Counts a change written (`changed`) or found replaced meanwhile.
    fn counted(&self, changed: bool, progress: &mut Progress) {
        if changed {
            progress.resealed += 1;
        } else {
            progress.replaced += 1;
        }
    }

    /// One version: its data key sealed again if it needs it.
    async fn version(
        &self,
        resealer: &mut Resealer,
        bucket: &str,
        key: &str,
        version_id: &str,
        progress: &mut Progress,
    ) -> Result<(), Stop> {
        let store = &self.parts.store;
        let what = format!("{bucket}/{key} ({version_id})");
        let info = match store.object_info(bucket, key, Some(version_id)) {
            Ok(info) => info,
            Err(StoreError::Refused(_)) => {
                progress.examined += 1;
                progress.replaced += 1;
                return Ok(());
            }
            Err(e) => return Err(format!("reading {what}: {e}")),
        };
        let change = resealer.object(bucket, key, &info.internal).await;
        if let Some((expect, set)) = self.tally(change, &what, progress)? {
            let changed = store
                .set_object_internal(bucket, key, version_id, expect, set)
                .await
                .map_err(|e| format!("writing {what}: {e}"))?;
            self.counted(changed, progress);
        }
        Ok(())
    }
}

/// The SSE-S3 key file sealed again: `resealed`, `moved-to-transit` or `current`.
pub(super) async fn reseal_s3_key(parts: &ResealParts) -> Result<String, Stop> {
    let source = &parts.s3_key;
    let why = |e: &dyn std::fmt::Display| format!("the SSE-S3 key: {e}");
    match source.reseal(&parts.kmses).await.map_err(|e| why(&e))? {
        None => Ok("current".into()),
        Some(sealed) => {
            parts
                .key_files
                .replace(&source.sealed_file, &sealed.old, &sealed.new)
                .await
                .map_err(|e| why(&e))?;
            let done = match sealed.moved_to_transit {
                true => "moved-to-transit",
                false => "resealed",
            };
            Ok(done.into())
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a whole record: keep going.
    m.lock().unwrap_or_else(|p| p.into_inner())
}
