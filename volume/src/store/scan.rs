//! One scanner pass over the namespace index: abort uploads past their age, check and heal
//! every uploaded part and every version, count each bucket's usage, let a hook see each
//! version, and sweep shard files that nothing references. Paced: it sleeps so that its
//! work stays a set share of wall time.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;

use super::multipart::upload_info;
use super::object::info_of;
use super::resolve::Resolved;
use super::walk::UploadEntry;
use super::{Inner, Store};
use crate::disk::meta_db::Table;
use crate::keys;
use crate::object::rebuild::Depth;
use crate::pace::Pacer;
use crate::record::{self, PartRecord, VersionRecord};
use crate::types::{BucketUsage, ObjectInfo, ScanDepth, ScanOptions, ScanReport, UploadInfo};

/// Entries read per index page.
const PAGE: usize = 256;

/// What rides the scanner's pass: asked about every upload in progress, then called once
/// for every version a quorum holds, after the version was checked and healed, in index
/// order (a key's versions newest first; lifecycle rules and key re-sealing live behind it).
pub trait ScanHook: Send + Sync {
    /// A pass begins (what a hook caches for one pass starts afresh).
    fn begin_pass(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// Whether an upload in progress of `bucket` is to be aborted: the bucket's own rules
    /// decide before the scanner's `upload_max_age`.
    fn judge_upload<'a>(
        &'a self,
        bucket: &'a str,
        upload: &'a UploadInfo,
    ) -> BoxFuture<'a, UploadVerdict> {
        let _ = (bucket, upload);
        Box::pin(async { UploadVerdict::Default })
    }

    /// Looks at one multipart upload in progress of `bucket`. No lock is held: the hook may
    /// change the upload through the store.
    fn visit_upload<'a>(&'a self, bucket: &'a str, upload: &'a UploadInfo) -> BoxFuture<'a, ()> {
        let _ = (bucket, upload);
        Box::pin(async {})
    }

    /// Looks at one version; `info.is_latest` says whether it is the key's current one. No
    /// lock is held: the hook may change the version through the store.
    fn visit<'a>(&'a self, info: &'a ObjectInfo) -> BoxFuture<'a, ()>;

    /// A version of `bucket/key` could not be checked and is not visited this pass (a hook
    /// that counts a key's versions knows its count is short).
    fn unreadable(&self, bucket: &str, key: &str) {
        let _ = (bucket, key);
    }
}

/// What a hook says of an upload in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadVerdict {
    /// No rule of the hook's applies: the scanner's `upload_max_age` decides.
    Default,
    /// A rule applies and keeps the upload for now.
    Keep,
    /// A rule applies and the upload is to be aborted.
    Abort,
}

/// Where one pass starts and what it sweeps.
#[derive(Debug, Clone)]
pub struct ScanStart {
    /// Continue the version walk after this index key (a pass resumed after a restart).
    pub after: Option<Vec<u8>>,
    /// The fan-out directories (first byte of the shard id) whose orphans this pass removes.
    pub sweep: Range<u16>,
}

impl Default for ScanStart {
    fn default() -> Self {
        ScanStart {
            after: None,
            sweep: 0..256,
        }
    }
}

impl Store {
    /// Runs one pass; `progress` is told the index key of each version done, so that a caller
    /// can persist where to resume.
    pub async fn scan(
        &self,
        opts: &ScanOptions,
        start: ScanStart,
        hook: Option<&dyn ScanHook>,
        mut progress: impl FnMut(&[u8], &ScanReport),
    ) -> ScanReport {
        let inner = &self.inner;
        let started = SystemTime::now();
        let mut report = ScanReport {
            depth: opts.depth,
            started: Some(started),
            ..ScanReport::default()
        };
        let mut pacer = Pacer::new(opts.work_share);
        if let Some(h) = hook {
            h.begin_pass().await;
        }
        report.resumed = start.after.is_some();
        // A resumed walk does not see the versions before its start: their files would look
        // unreferenced.
        let sweep = if report.resumed {
            0..0
        } else {
            start.sweep.clone()
        };
        let mut refs = References::new(sweep);
        match inner.heal_tables(&mut pacer).await {
            Ok((written, removed)) => {
                report.heal.records_written += written;
                report.heal.records_removed += removed;
            }
            Err(e) => report.errors.push(format!("tables: {e}")),
        }
        if let Err(e) = inner.collect_part_refs(&mut refs).await {
            // Without the parts' references the sweep could remove an upload's data.
            report.errors.push(format!("parts: {e}"));
            refs.sweep = 0..0;
        }
        let depth = match opts.depth {
            ScanDepth::Cheap => Depth::Cheap,
            ScanDepth::Deep => Depth::Deep,
        };
        match inner.uploads_in_progress().await {
            Ok(uploads) => {
                let uploads = self
                    .expire_uploads(uploads, opts, hook, &mut report, &mut pacer)
                    .await;
                let healed = inner
                    .heal_parts(&uploads, depth, &mut report.parts, &mut pacer)
                    .await
                    .unwrap_or_else(|e| {
                        report.errors.push(format!("healing parts: {e}"));
                        Default::default()
                    });
                // The files of part records that went are swept in this pass, unless a
                // version (walked next) uses them.
                refs.forget(&healed.unreferenced);
                let cutoff = cutoff(started, opts.orphan_grace);
                match inner
                    .remove_orphan_parts(&healed.strays, cutoff, &mut pacer)
                    .await
                {
                    Ok((n, files)) => {
                        report.parts.records_removed += n;
                        refs.forget(&files);
                    }
                    Err(e) => report.errors.push(format!("parts of no upload: {e}")),
                }
                if let Some(h) = hook {
                    for u in &uploads {
                        h.visit_upload(&u.bucket, &upload_info(&u.key, &u.id, &u.record))
                            .await;
                        pacer.tick().await;
                    }
                }
            }
            Err(e) => report.errors.push(format!("uploads in progress: {e}")),
        }
        let mut usage: BTreeMap<String, BucketUsage> = BTreeMap::new();
        let mut last_key: Option<(String, String)> = None;
        // A resumed walk starts again at the first version of the key it was in: a key's
        // versions are seen together, newest first, so `is_latest` stays true.
        let mut after = start.after.map(|a| key_start(&a).unwrap_or(a));
        let walked_all = loop {
            let page = match inner
                .walk_page(Table::Versions, after.as_deref(), PAGE)
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    report.errors.push(format!("versions: {e}"));
                    break false;
                }
            };
            for (vkey, raw) in &page.entries {
                // What a volume holds keeps its files unless the heal settles the version:
                // removed as a write no quorum took, its files are garbage for this sweep.
                let Some((bucket, key, vid)) = split_version_key(vkey) else {
                    refs.add_raw(raw);
                    continue;
                };
                let healed = inner.heal_version(&bucket, &key, vid, depth).await;
                report
                    .heal
                    .add(&healed.as_ref().map(|(r, _)| *r).map_err(clone_err));
                if let Err(e) = &healed {
                    refs.add_raw(raw);
                    if let Some(h) = hook {
                        h.unreadable(&bucket, &key);
                    }
                    tracing::warn!(bucket, key, error = %e, "scan: heal failed");
                    if report.failures.len() < ScanReport::FAILURES_KEPT {
                        report.failures.push(format!("{bucket}/{key}: {e}"));
                    }
                }
                if let Ok((_, Some(rec))) = healed {
                    refs.add_version(&rec);
                    let expired = rec.data.as_ref().and_then(|d| d.restored.as_ref());
                    if expired.is_some_and(|c| !c.serves_reads()) {
                        match inner.expire_copy(&bucket, &key, vid).await {
                            Ok(true) => report.restores_expired += 1,
                            Ok(false) => {}
                            Err(e) => report
                                .errors
                                .push(format!("{bucket}/{key}: restored copy: {e}")),
                        }
                    }
                    let this = (bucket.clone(), key.clone());
                    let is_latest = last_key.as_ref() != Some(&this);
                    last_key = Some(this);
                    count(usage.entry(bucket.clone()).or_default(), &rec, is_latest);
                    if let Some(h) = hook {
                        let resolved = Resolved {
                            record: rec,
                            inline: None,
                            is_latest,
                        };
                        h.visit(&info_of(&bucket, &key, &resolved)).await;
                    }
                }
                progress(vkey, &report);
                pacer.tick().await;
            }
            match page.next {
                Some(n) => after = Some(n),
                None => break true,
            }
        };
        if report.resumed {
            usage.clear();
        }
        report.usage = usage
            .into_iter()
            .map(|(bucket, u)| BucketUsage { bucket, ..u })
            .collect();
        if walked_all {
            let cutoff = cutoff(started, opts.orphan_grace);
            let ids = std::sync::Arc::new(std::mem::take(&mut refs.ids));
            inner
                .sweep(refs.sweep.clone(), ids, cutoff, &mut report, &mut pacer)
                .await;
        }
        // Remote entries are checked against their own version, not the walk: a resumed
        // pass sweeps them too.
        let cutoff = cutoff(started, opts.orphan_grace);
        inner.sweep_remote(cutoff, &mut report, &mut pacer).await;
        report.finished = Some(SystemTime::now());
        report
    }
}

/// The index's errors are not `Clone`; a pass only counts them.
fn clone_err(e: &crate::Error) -> crate::Error {
    crate::Error::internal(e.to_string())
}

fn count(u: &mut BucketUsage, rec: &VersionRecord, is_latest: bool) {
    u.versions += 1;
    u.bytes += rec.size;
    if rec.delete_marker {
        u.delete_markers += 1;
    } else if is_latest {
        u.objects += 1;
    }
}

/// `bucket NUL key NUL time id` split into its names and version id.
fn split_version_key(vkey: &[u8]) -> Option<(String, String, [u8; 16])> {
    let sep = vkey.iter().position(|b| *b == keys::SEP)?;
    let bucket = std::str::from_utf8(&vkey[..sep]).ok()?.to_string();
    let key = keys::object_of_version(&bucket, vkey)?;
    let vid: [u8; 16] = vkey.get(vkey.len().checked_sub(16)?..)?.try_into().ok()?;
    Some((bucket, key, vid))
}

/// Shard ids referenced by versions and parts, kept only for the fan-out directories being
/// swept (so memory stays a fraction of the index's size).
pub(super) struct References {
    pub(super) sweep: Range<u16>,
    pub(super) ids: HashSet<[u8; 16]>,
}

impl References {
    fn new(sweep: Range<u16>) -> Self {
        References {
            sweep,
            ids: HashSet::new(),
        }
    }

    pub(super) fn add(&mut self, id: [u8; 16]) {
        if self.sweep.contains(&u16::from(id[0])) {
            self.ids.insert(id);
        }
    }

    /// Takes back references whose records are gone.
    fn forget(&mut self, ids: &[[u8; 16]]) {
        for id in ids {
            self.ids.remove(id);
        }
    }

    /// The references of a version record as a volume holds it, if it decodes.
    fn add_raw(&mut self, raw: &[u8]) {
        if let Ok(rec) = record::decode::<VersionRecord>(raw) {
            self.add_version(&rec);
        }
    }

    fn add_version(&mut self, rec: &VersionRecord) {
        for p in rec.data.iter().flat_map(|d| &d.parts) {
            if let Some(id) = p.data_id {
                self.add(id);
            }
        }
        if let Some(c) = rec.data.as_ref().and_then(|d| d.restored.as_ref()) {
            self.add(c.data_id);
        }
    }
}

impl Store {
    /// Aborts the uploads that the hook's rules, or else the options' age, expire; the
    /// others are returned.
    async fn expire_uploads(
        &self,
        uploads: Vec<UploadEntry>,
        opts: &ScanOptions,
        hook: Option<&dyn ScanHook>,
        report: &mut ScanReport,
        pacer: &mut Pacer,
    ) -> Vec<UploadEntry> {
        let oldest = opts.upload_max_age.map(|age| {
            record::now_ns().saturating_sub(age.as_nanos().min(u128::from(u64::MAX)) as u64)
        });
        let mut kept = Vec::with_capacity(uploads.len());
        for up in uploads {
            let verdict = match hook {
                Some(h) => {
                    h.judge_upload(&up.bucket, &upload_info(&up.key, &up.id, &up.record))
                        .await
                }
                None => UploadVerdict::Default,
            };
            let expired = match verdict {
                UploadVerdict::Abort => true,
                UploadVerdict::Keep => false,
                UploadVerdict::Default => oldest.is_some_and(|o| up.record.initiated_ns < o),
            };
            if !expired {
                kept.push(up);
                continue;
            }
            let (bucket, key) = (&up.bucket, &up.key);
            match self.abort_multipart_upload(bucket, key, &up.id).await {
                Ok(()) => report.uploads_aborted += 1,
                Err(e) => {
                    tracing::warn!(bucket, key, error = %e, "scan: aborting an expired upload failed");
                    kept.push(up);
                }
            }
            pacer.tick().await;
        }
        kept
    }
}

impl Inner {
    /// Adds the shard ids of every uploaded part (walked before the versions: a part that
    /// becomes a version meanwhile is then seen as one or the other).
    async fn collect_part_refs(&self, refs: &mut References) -> crate::Result<()> {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self.walk_page(Table::Parts, after.as_deref(), PAGE).await?;
            for (_, raw) in &page.entries {
                if let Some(id) = record::decode::<PartRecord>(raw)
                    .ok()
                    .and_then(|p| p.data.data_id)
                {
                    refs.add(id);
                }
            }
            match page.next {
                Some(n) => after = Some(n),
                None => return Ok(()),
            }
        }
    }
}

/// Where a walk resumed after the version `vkey` starts: just before the first version of
/// its key (`bucket NUL key`, so the walk's next key is `bucket NUL key NUL ...`).
fn key_start(vkey: &[u8]) -> Option<Vec<u8>> {
    let (bucket, key, _) = split_version_key(vkey)?;
    Some(keys::latest(&bucket, &key))
}

/// The sweep's age cutoff for a pass that started at `started`.
pub(super) fn cutoff(started: SystemTime, grace: Duration) -> SystemTime {
    started.checked_sub(grace).unwrap_or(SystemTime::UNIX_EPOCH)
}
