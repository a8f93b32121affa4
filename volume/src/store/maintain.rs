//! Background maintenance: the healer drains what reads reported (kept in the `heal` table
//! until healed, so a restart does not forget it), and the scanner runs its passes: a refill
//! at once when a volume was replaced (resumed where it got to after a restart), a cheap pass
//! every `scan_interval`, a deep one every `deep_interval`, and one whenever an operator asks.
//! Between passes nothing runs: an idle store stays idle.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::task::JoinHandle;

use super::scan::{ScanHook, ScanStart};
use super::{Inner, Store};
use crate::disk::meta_db::{MetaOp, Table};
use crate::disk::rebuild_mark::{self, RebuildMark};
use crate::keys;
use crate::object::rebuild::Depth;
use crate::pace::Pacer;
use crate::record::{self, HealRecord};
use crate::types::*;

/// How often a refill records how far it got.
const MARK_EVERY: Duration = Duration::from_secs(2);
/// The least share of wall time a refill works.
const REFILL_SHARE: f64 = 0.5;
/// Wait before a refill that left failures is tried again.
const REFILL_RETRY: Duration = Duration::from_secs(60);
/// A pass that checked more versions than this sweeps only part of the fan-out directories
/// (fewer per pass the more there are), so the references it holds stay small.
const SWEEP_ALL_UP_TO: u64 = 65_536;

/// The running healer and scanner; dropping it stops both.
pub struct Maintenance {
    shared: Arc<Shared>,
    store: Store,
    tasks: Vec<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    wake: tokio::sync::Notify,
}

#[derive(Default)]
struct State {
    healer: HealTotals,
    running: Option<ScanReport>,
    last: Option<ScanReport>,
    last_deep: Option<SystemTime>,
    requested: Option<ScanDepth>,
    scans: ScanTotals,
    usage: Vec<BucketUsage>,
    next_cheap: Option<Instant>,
    next_deep: Option<Instant>,
    /// A volume came (back) into service and needs a refill.
    refill_due: bool,
    /// The first fan-out directory the next pass sweeps, and how many.
    sweep_next: u16,
    sweep_dirs: u16,
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Store {
    /// Starts the healer and the scanner on the current tokio runtime.
    pub fn start_maintenance(
        &self,
        cfg: MaintenanceConfig,
        hook: Option<Arc<dyn ScanHook>>,
    ) -> Maintenance {
        let now = Instant::now();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                next_cheap: cfg.scan_interval.map(|i| now + i),
                next_deep: cfg.deep_interval.map(|i| now + i),
                sweep_dirs: 256,
                ..State::default()
            }),
            wake: tokio::sync::Notify::new(),
        });
        let healer = tokio::spawn(heal_loop(self.clone(), shared.clone(), cfg.scan.work_share));
        let refill = shared.clone();
        let watcher = tokio::spawn(super::watch::watch_loop(
            self.clone(),
            cfg.volume_check,
            move || refill.request_refill(),
        ));
        let scanner = tokio::spawn(scan_loop(self.clone(), shared.clone(), cfg, hook));
        Maintenance {
            shared,
            store: self.clone(),
            tasks: vec![healer, watcher, scanner],
        }
    }

    /// Volumes formatted as replacements and not refilled yet.
    pub fn rebuilding(&self) -> Vec<RebuildStatus> {
        self.inner
            .marked()
            .into_iter()
            .map(|(class, path, mark)| RebuildStatus {
                class,
                path,
                since: record::time_of(mark.since_ns),
            })
            .collect()
    }
}

impl Maintenance {
    /// Stops the healer and the scanner and waits until they let go of the store (so that
    /// it can be opened again at once). A heal in progress stops at its next step; what it
    /// wrote is whole (rebuilt files are renamed into place only when complete).
    pub async fn stop(mut self) {
        for t in std::mem::take(&mut self.tasks) {
            t.abort();
            let _ = t.await;
        }
    }

    /// What the healer and the scanner are doing and have done.
    pub fn status(&self) -> MaintenanceStatus {
        let heal_queue = self.store.read_health().queue_depth;
        let rebuilding = self.store.rebuilding();
        let Ok(s) = self.shared.state.lock() else {
            return MaintenanceStatus::default();
        };
        let now = Instant::now();
        MaintenanceStatus {
            healer: s.healer,
            heal_queue,
            scan_running: s.running.clone(),
            last_scan: s.last.clone(),
            last_deep_scan: s.last_deep,
            next_scan_in: [s.next_cheap, s.next_deep]
                .into_iter()
                .flatten()
                .min()
                .map(|t| t.saturating_duration_since(now)),
            scan_requested: s.requested,
            scans: s.scans,
            usage: s.usage.clone(),
            rebuilding,
        }
    }

    /// Asks for a pass as soon as the running one (if any) ends; a deep request outranks a
    /// cheap one.
    pub fn request_scan(&self, depth: ScanDepth) {
        if let Ok(mut s) = self.shared.state.lock() {
            s.requested = match (s.requested, depth) {
                (Some(ScanDepth::Deep), _) => Some(ScanDepth::Deep),
                _ => Some(depth),
            };
        }
        self.shared.wake.notify_one();
    }
}

impl Shared {
    fn update(&self, f: impl FnOnce(&mut State)) {
        if let Ok(mut s) = self.state.lock() {
            f(&mut s);
        }
    }

    /// Starts a refill pass as soon as the running pass (if any) ends.
    fn request_refill(&self) {
        self.update(|s| s.refill_due = true);
        self.wake.notify_one();
    }
}

async fn scan_loop(
    store: Store,
    shared: Arc<Shared>,
    cfg: MaintenanceConfig,
    hook: Option<Arc<dyn ScanHook>>,
) {
    loop {
        let mut marked = store.inner.marked();
        let mut depth = ScanDepth::Cheap;
        if marked.is_empty() {
            depth = next_turn(&shared).await;
            // A volume may have come (back) into service meanwhile.
            marked = store.inner.marked();
        }
        let after = if marked.is_empty() {
            None
        } else {
            tracing::info!(
                volumes = marked.len(),
                "refilling volumes that were replaced or away"
            );
            resume_point(&marked)
        };
        let sweep = shared
            .state
            .lock()
            .map(|s| s.sweep_next..(s.sweep_next + s.sweep_dirs).min(256))
            .unwrap_or(0..256);
        let start = ScanStart { after, sweep };
        // A refill restores redundancy the class is running without: it takes at least
        // half of the time, whatever the routine passes' share.
        let work_share = if marked.is_empty() {
            cfg.scan.work_share
        } else {
            cfg.scan.work_share.max(REFILL_SHARE)
        };
        let opts = ScanOptions {
            depth,
            work_share,
            ..cfg.scan.clone()
        };
        let mut last_mark = Instant::now();
        let report = store
            .scan(&opts, start.clone(), hook.as_deref(), |vkey, report| {
                shared.update(|s| s.running = Some(report.clone()));
                if !marked.is_empty() && last_mark.elapsed() >= MARK_EVERY {
                    last_mark = Instant::now();
                    save_marks(&marked, vkey);
                }
            })
            .await;
        log_pass(&report);
        let refilled = !marked.is_empty() && report.errors.is_empty() && report.heal.failed == 0;
        if refilled {
            for (_, path, mark) in &marked {
                if !rebuild_mark::unchanged(path, mark) {
                    continue; // marked again while this pass ran: the next pass refills it
                }
                if let Err(e) = rebuild_mark::clear(path) {
                    tracing::warn!(path = %path.display(), error = %e, "could not clear a rebuild mark");
                }
            }
        } else if !marked.is_empty() {
            // Start over from the beginning after a pause (the failed versions are somewhere
            // in the whole walk).
            save_marks(&marked, &[]);
            tokio::time::sleep(REFILL_RETRY).await;
        }
        let now = Instant::now();
        shared.update(|s| {
            s.running = None;
            if !report.resumed && report.errors.is_empty() {
                s.usage = report.usage.clone();
                s.sweep_next = if start.sweep.end >= 256 {
                    0
                } else {
                    start.sweep.end
                };
                s.sweep_dirs = sweep_dirs_for(report.heal.checked);
            }
            s.next_cheap = cfg.scan_interval.map(|i| now + i);
            if depth == ScanDepth::Deep {
                s.last_deep = report.finished;
                s.next_deep = cfg.deep_interval.map(|i| now + i);
            }
            s.scans.add(&report);
            s.last = Some(report);
        });
    }
}

/// Waits for the next pass that is due or asked for, and says how deep it is.
async fn next_turn(shared: &Shared) -> ScanDepth {
    loop {
        let now = Instant::now();
        let (due, wait) = {
            let Ok(mut s) = shared.state.lock() else {
                return ScanDepth::Cheap;
            };
            if let Some(d) = s.requested.take() {
                return d;
            }
            if std::mem::take(&mut s.refill_due) {
                return ScanDepth::Cheap;
            }
            if s.next_deep.is_some_and(|t| t <= now) {
                return ScanDepth::Deep;
            }
            if s.next_cheap.is_some_and(|t| t <= now) {
                return ScanDepth::Cheap;
            }
            let next = [s.next_cheap, s.next_deep].into_iter().flatten().min();
            (next, next.map(|t| t - now))
        };
        match (due, wait) {
            (Some(_), Some(w)) => {
                tokio::select! {
                    _ = tokio::time::sleep(w) => {}
                    _ = shared.wake.notified() => {}
                }
            }
            _ => shared.wake.notified().await,
        }
    }
}

/// Fan-out directories per pass for a store of `versions` versions.
fn sweep_dirs_for(versions: u64) -> u16 {
    if versions <= SWEEP_ALL_UP_TO {
        return 256;
    }
    (256 * SWEEP_ALL_UP_TO / versions).clamp(1, 256) as u16
}

/// Where a refill continues: the earliest point any marked volume got to.
fn resume_point(marked: &[(String, std::path::PathBuf, RebuildMark)]) -> Option<Vec<u8>> {
    let mut points = Vec::new();
    for (_, _, m) in marked {
        points.push(hex::decode(m.after.as_deref()?).ok()?);
    }
    points.into_iter().min()
}

fn save_marks(marked: &[(String, std::path::PathBuf, RebuildMark)], after: &[u8]) {
    for (_, path, mark) in marked {
        if !rebuild_mark::unchanged(path, mark) {
            continue;
        }
        let m = RebuildMark {
            since_ns: mark.since_ns,
            after: (!after.is_empty()).then(|| hex::encode(after)),
        };
        if let Err(e) = rebuild_mark::write(path, &m) {
            tracing::warn!(path = %path.display(), error = %e, "could not record the refill's progress");
        }
    }
}

fn log_pass(r: &ScanReport) {
    tracing::info!(
        depth = ?r.depth,
        checked = r.heal.checked,
        healed = r.heal.healed,
        failed = r.heal.failed,
        shard_files = r.heal.shard_files,
        records = r.heal.records_written,
        orphans = r.orphans_removed,
        uploads_aborted = r.uploads_aborted,
        errors = r.errors.len(),
        "scanner pass done"
    );
}

/// A version the healer must look at.
type Target = (String, String, [u8; 16]);

async fn heal_loop(store: Store, shared: Arc<Shared>, work_share: f64) {
    let inner = &store.inner;
    let mut pacer = Pacer::new(work_share);
    // What an earlier run queued and did not finish.
    let mut pending: BTreeMap<Target, bool> = match inner.queued_heals().await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the heal queue");
            BTreeMap::new()
        }
    };
    loop {
        if pending.is_empty() {
            let events = inner.heal.drain();
            if events.is_empty() {
                inner.heal.pushed().await;
                continue;
            }
            pending = inner.persist_heals(events).await;
        }
        let mut done = Vec::new();
        for ((bucket, key, vid), corrupt) in std::mem::take(&mut pending) {
            let depth = if corrupt { Depth::Deep } else { Depth::Cheap };
            let r = inner
                .heal_version(&bucket, &key, vid, depth)
                .await
                .map(|(r, _)| r);
            if let Err(e) = &r {
                tracing::warn!(bucket, key, error = %e, "heal failed; the scanner will try again");
            } else {
                done.push(keys::heal(&bucket, &key, &vid));
            }
            shared.update(|s| s.healer.add(&r));
            pacer.tick().await;
        }
        let ops = done
            .into_iter()
            .map(|key| MetaOp::Delete {
                table: Table::Heal,
                key,
            })
            .collect::<Vec<_>>();
        if !ops.is_empty() {
            if let Err(e) = inner.commit_all(ops).await {
                tracing::warn!(error = %e, "could not remove healed entries from the heal queue");
            }
        }
    }
}

impl Inner {
    /// Online volumes with a rebuild mark: class, path, mark.
    fn marked(&self) -> Vec<(String, std::path::PathBuf, RebuildMark)> {
        self.classes
            .iter()
            .flat_map(|set| {
                set.online().filter_map(|(_, v)| {
                    Some((
                        set.name.clone(),
                        v.root.clone(),
                        rebuild_mark::read(&v.root)?,
                    ))
                })
            })
            .collect()
    }

    /// The heal table as every namespace volume holds it: target -> whether a corrupt shard
    /// was seen.
    async fn queued_heals(&self) -> crate::Result<BTreeMap<Target, bool>> {
        let mut out = BTreeMap::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self.walk_page(Table::Heal, after.as_deref(), 256).await?;
            for (k, v) in &page.entries {
                let Some(target) = keys::split_heal(k) else {
                    continue;
                };
                let corrupt = record::decode::<HealRecord>(v).is_ok_and(|r| r.problem == "corrupt");
                out.insert(target, corrupt);
            }
            match page.next {
                Some(n) => after = Some(n),
                None => return Ok(out),
            }
        }
    }

    /// Records the versions reads reported in the heal table (one commit) and returns them.
    async fn persist_heals(&self, events: Vec<HealEvent>) -> BTreeMap<Target, bool> {
        let mut targets: BTreeMap<Target, bool> = BTreeMap::new();
        for e in events {
            let Some(vid) = record::parse_version(&e.version_id) else {
                continue;
            };
            let corrupt = targets.entry((e.bucket, e.key, vid)).or_default();
            *corrupt |= e.problem == ShardProblem::Corrupt;
        }
        let now = record::now_ns();
        let ops = targets
            .iter()
            .map(|((bucket, key, vid), corrupt)| MetaOp::Put {
                table: Table::Heal,
                key: keys::heal(bucket, key, vid),
                value: record::encode(&HealRecord {
                    queued_ns: now,
                    problem: if *corrupt { "corrupt" } else { "missing" }.into(),
                }),
            })
            .collect();
        if let Err(e) = self.commit_all(ops).await {
            tracing::warn!(error = %e, "could not persist the heal queue; healing from memory");
        }
        targets
    }
}
