//! The three phases of a run: prepare (create the objects that reads, overwrites and deletes
//! need), run (workers issue the workload until the duration or operation bound is reached)
//! and cleanup (delete everything the run created), with a progress line once a second.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rand::rngs::SmallRng;
use rand::{Rng, RngCore, SeedableRng};
use tokio::task::JoinSet;

use crate::pool::{Object, Pool};
use crate::report::{CpuUse, Phase, Report};
use crate::s3::{S3Error, S3};
use crate::spec::{format_size, Mix, OpKind, SizeSpec};
use crate::stats::{cpu_time, peak_rss, Live, Recorder};

/// What to run.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Operation mix (a single operation is a mix of one).
    pub mix: Mix,
    /// Object sizes for PUT, multipart and the prepare phase.
    pub sizes: SizeSpec,
    /// Concurrent requests.
    pub concurrency: usize,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Stop after this many operations.
    pub ops: Option<u64>,
    /// Objects to create before the run when the mix reads, overwrites or deletes.
    pub objects: u64,
    /// Delete what the run created afterwards.
    pub cleanup: bool,
    /// Key prefix of every object (and the LIST prefix).
    pub prefix: String,
    /// Length of each ranged GET.
    pub range_size: u64,
    /// Part size of multipart uploads.
    pub part_size: u64,
    /// `max-keys` of each LIST page.
    pub list_max_keys: u32,
    /// Print a progress line to stderr once a second.
    pub progress: bool,
    /// Seed for sizes, keys picked and the payload; random when `None`.
    pub seed: Option<u64>,
    /// Drop the page cache between prepare and run, and read each object at most once, so
    /// reads come from the disk; the run ends when every object has been read.
    pub cold: bool,
}

/// A run could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The bucket could not be created or reached.
    #[error("creating bucket: {0}")]
    Bucket(S3Error),
    /// The prepare phase failed to create an object.
    #[error("prepare phase failed ({failed} of {wanted} objects): first error {first}")]
    Prepare {
        /// Objects wanted.
        wanted: u64,
        /// Objects that failed.
        failed: u64,
        /// The first error seen.
        first: String,
    },
    /// Neither a duration nor an operation count bounds the run.
    #[error("the run needs --duration or --ops")]
    Unbounded,
    /// `--cold` could not drop the page cache.
    #[error("dropping the page cache for --cold (needs root on Linux): {0}")]
    Cold(std::io::Error),
}

struct Ctx {
    s3: S3,
    pool: Pool,
    payload: Bytes,
    work: Workload,
    next_id: AtomicU64,
    live: Live,
    stop: Arc<AtomicBool>,
    issued: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Ctx {
    fn key(&self, id: u64) -> String {
        format!("{}{id:010}", self.work.prefix)
    }

    fn note_error(&self, e: &S3Error) {
        let mut g = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
        if g.is_none() {
            *g = Some(e.to_string());
        }
    }
}

/// Runs prepare, the workload and cleanup; `stop` ends the run early (Ctrl-C).
pub async fn run(
    s3: S3,
    work: Workload,
    endpoint: &str,
    stop: Arc<AtomicBool>,
) -> Result<Report, RunError> {
    if work.duration.is_none() && work.ops.is_none() {
        return Err(RunError::Unbounded);
    }
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut seed_rng = match work.seed {
        Some(s) => SmallRng::seed_from_u64(s),
        None => SmallRng::from_entropy(),
    };
    // One random buffer for every payload: objects are its prefixes, so nothing is allocated
    // per request and the content is incompressible.
    let mut buf = vec![0u8; usize::try_from(work.sizes.max()).unwrap_or(usize::MAX)];
    seed_rng.fill_bytes(&mut buf);
    let workload = describe(&work);

    s3.create_bucket().await.map_err(RunError::Bucket)?;
    let ctx = Arc::new(Ctx {
        s3,
        pool: Pool::new(),
        payload: Bytes::from(buf),
        work,
        next_id: AtomicU64::new(0),
        live: Live::default(),
        stop,
        issued: AtomicU64::new(0),
        first_error: Mutex::new(None),
    });

    let prepare = if ctx.work.mix.needs_objects() && ctx.work.objects > 0 {
        let phase = prepare(&ctx, seed_rng.next_u64()).await;
        let failed = phase.errors();
        if failed > 0 {
            let first = ctx
                .first_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .unwrap_or_default();
            if ctx.work.cleanup {
                cleanup(&ctx).await;
            }
            return Err(RunError::Prepare {
                wanted: ctx.work.objects,
                failed,
                first,
            });
        }
        Some(phase)
    } else {
        None
    };
    if ctx.work.cold {
        drop_page_cache().map_err(RunError::Cold)?;
    }

    let run = measure(&ctx, seed_rng.next_u64()).await;
    let cleanup = if ctx.work.cleanup {
        Some(cleanup(&ctx).await)
    } else {
        None
    };
    Ok(Report {
        tool: "strata-bench",
        version: env!("CARGO_PKG_VERSION"),
        started_unix,
        endpoint: endpoint.to_string(),
        workload,
        prepare,
        run,
        cleanup,
        generator_peak_rss: peak_rss(),
    })
}

fn describe(w: &Workload) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    match w.mix.entries() {
        [(op, _)] => m.insert("op".into(), op.name().to_string()),
        _ => m.insert("mix".into(), w.mix.to_string()),
    };
    m.insert("size".into(), w.sizes.to_string());
    m.insert("concurrency".into(), w.concurrency.to_string());
    if let Some(d) = w.duration {
        m.insert("duration".into(), format!("{}s", d.as_secs_f64()));
    }
    if let Some(n) = w.ops {
        m.insert("ops".into(), n.to_string());
    }
    if w.mix.needs_objects() {
        m.insert("objects".into(), w.objects.to_string());
    }
    if w.mix.contains(OpKind::Rget) {
        m.insert("range_size".into(), format_size(w.range_size));
    }
    if w.mix.contains(OpKind::Multipart) {
        m.insert("part_size".into(), format_size(w.part_size));
    }
    if w.mix.contains(OpKind::List) {
        m.insert("list_max_keys".into(), w.list_max_keys.to_string());
    }
    m.insert("prefix".into(), w.prefix.clone());
    m
}

/// Runs `phase_worker` on `concurrency` tasks with a progress line; merges their recorders.
async fn phase<F, Fut>(ctx: &Arc<Ctx>, label: &'static str, seed: u64, worker: F) -> Phase
where
    F: Fn(Arc<Ctx>, SmallRng) -> Fut,
    Fut: std::future::Future<Output = Recorder> + Send + 'static,
{
    let before = cpu_time();
    let start = Instant::now();
    let mut set = JoinSet::new();
    for i in 0..ctx.work.concurrency.max(1) {
        let rng = SmallRng::seed_from_u64(seed.wrapping_add(i as u64));
        set.spawn(worker(ctx.clone(), rng));
    }
    let progress = ctx
        .work
        .progress
        .then(|| tokio::spawn(progress_line(ctx.clone(), label, start)));
    let mut merged = Recorder::new();
    while let Some(joined) = set.join_next().await {
        // A worker that panicked loses its statistics; the others still count.
        if let Ok(rec) = joined {
            merged.merge(&rec);
        }
    }
    if let Some(p) = progress {
        p.abort();
    }
    let elapsed = start.elapsed();
    let cpu = CpuUse::between(before, cpu_time(), elapsed);
    Phase::new(&merged, elapsed, cpu)
}

async fn progress_line(ctx: Arc<Ctx>, label: &'static str, start: Instant) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let (mut last_ops, mut last_bytes, _) = ctx.live.snapshot();
    loop {
        tick.tick().await;
        let (ops, bytes, errors) = ctx.live.snapshot();
        eprintln!(
            "[{label} {:>4}s] {ops:>9} ops {:>9.1} ops/s {:>9.1} MiB/s {errors} errors",
            start.elapsed().as_secs(),
            (ops - last_ops) as f64,
            (bytes - last_bytes) as f64 / (1024.0 * 1024.0),
        );
        (last_ops, last_bytes) = (ops, bytes);
    }
}

async fn prepare(ctx: &Arc<Ctx>, seed: u64) -> Phase {
    reset_live(ctx);
    phase(ctx, "prepare", seed, |ctx, mut rng| async move {
        let mut rec = Recorder::new();
        loop {
            let id = ctx.next_id.fetch_add(1, Ordering::Relaxed);
            if id >= ctx.work.objects || ctx.stop.load(Ordering::Relaxed) {
                break;
            }
            put_object(&ctx, &mut rng, &mut rec, id, false).await;
        }
        rec
    })
    .await
}

fn reset_live(ctx: &Ctx) {
    ctx.live.ops.store(0, Ordering::Relaxed);
    ctx.live.bytes.store(0, Ordering::Relaxed);
    ctx.live.errors.store(0, Ordering::Relaxed);
}

async fn measure(ctx: &Arc<Ctx>, seed: u64) -> Phase {
    reset_live(ctx);
    let deadline = ctx.work.duration.map(|d| Instant::now() + d);
    phase(ctx, "run", seed, move |ctx, mut rng| async move {
        let mut rec = Recorder::new();
        let mut list_token: Option<String> = None;
        loop {
            if ctx.stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            if let Some(limit) = ctx.work.ops {
                if ctx.issued.fetch_add(1, Ordering::Relaxed) >= limit {
                    break;
                }
            }
            let op = ctx.work.mix.sample(&mut rng);
            if !one_op(&ctx, &mut rng, &mut rec, op, &mut list_token).await {
                break;
            }
        }
        rec
    })
    .await
}

/// Issues one operation; returns false when the worker has nothing left to do (every object
/// deleted and the mix cannot create more).
async fn one_op(
    ctx: &Ctx,
    rng: &mut SmallRng,
    rec: &mut Recorder,
    op: OpKind,
    list_token: &mut Option<String>,
) -> bool {
    let can_put = ctx.work.mix.contains(OpKind::Put) || ctx.work.mix.contains(OpKind::Multipart);
    match op {
        OpKind::Put | OpKind::Multipart => {
            let id = ctx.next_id.fetch_add(1, Ordering::Relaxed);
            put_object(ctx, rng, rec, id, op == OpKind::Multipart).await;
        }
        OpKind::Get | OpKind::Rget | OpKind::Head => {
            // A cold run reads each object once: a second read would come from memory.
            let obj = if ctx.work.cold {
                ctx.pool.borrow_unread()
            } else {
                ctx.pool.borrow(rng)
            };
            let Some(obj) = obj else {
                if ctx.work.cold {
                    return false;
                }
                return fallback_put(ctx, rng, rec, can_put).await;
            };
            let key = ctx.key(obj.id);
            let range = (op == OpKind::Rget && obj.size > 0).then(|| {
                let len = ctx.work.range_size.clamp(1, obj.size);
                let start = rng.gen_range(0..=obj.size - len);
                (start, start + len - 1)
            });
            let t = Instant::now();
            let result = match op {
                OpKind::Head => ctx.s3.head(&key).await.map(|()| 0),
                _ => ctx.s3.get(&key, range).await,
            };
            ctx.pool.release(obj);
            finish(ctx, rec, op, t, result.map(|b| (b, 1)));
        }
        OpKind::Overwrite => {
            let Some(obj) = ctx.pool.take(rng) else {
                return no_object_to_overwrite(ctx, rng, rec, can_put).await;
            };
            overwrite_object(ctx, rng, rec, obj).await;
        }
        OpKind::Delete => {
            let Some(obj) = ctx.pool.take(rng) else {
                return fallback_put(ctx, rng, rec, can_put).await;
            };
            let t = Instant::now();
            let result = ctx.s3.delete(&ctx.key(obj.id)).await;
            if result.is_err() {
                // Probably still there: keep it for cleanup.
                ctx.pool.insert(obj);
            }
            finish(ctx, rec, op, t, result.map(|()| (0, 1)));
        }
        OpKind::List => {
            let t = Instant::now();
            let result = ctx
                .s3
                .list(
                    &ctx.work.prefix,
                    list_token.as_deref(),
                    ctx.work.list_max_keys,
                    false,
                )
                .await;
            let result = result.map(|(page, _xml_bytes)| {
                // Walk the listing page by page and start over at its end.
                *list_token = if page.truncated {
                    page.next_token
                } else {
                    None
                };
                (0, page.count)
            });
            if result.is_err() {
                *list_token = None;
            }
            finish(ctx, rec, op, t, result);
        }
    }
    true
}

async fn fallback_put(ctx: &Ctx, rng: &mut SmallRng, rec: &mut Recorder, can_put: bool) -> bool {
    if !can_put {
        return false;
    }
    let id = ctx.next_id.fetch_add(1, Ordering::Relaxed);
    put_object(ctx, rng, rec, id, false).await;
    true
}

/// What an overwrite does when [`Pool::take`] finds no object: with the pool empty it acts as a
/// read would; when every pick was being read (rare) it skips this turn rather than end the
/// worker, so readers in the mix do not quietly lower the concurrency.
async fn no_object_to_overwrite(
    ctx: &Ctx,
    rng: &mut SmallRng,
    rec: &mut Recorder,
    can_put: bool,
) -> bool {
    if ctx.pool.is_empty() {
        return fallback_put(ctx, rng, rec, can_put).await;
    }
    // Let the readers holding the objects finish before the next try.
    tokio::task::yield_now().await;
    true
}

/// PUTs new bytes to the key of `obj`, which the caller took from the pool so that no other
/// worker reads or writes it meanwhile, then puts it back.
async fn overwrite_object(ctx: &Ctx, rng: &mut SmallRng, rec: &mut Recorder, obj: Object) {
    let (size, data) = payload(ctx, rng);
    let t = Instant::now();
    let result = ctx.s3.put(&ctx.key(obj.id), data).await;
    // A failed PUT most likely left the old object in place; either way the key must stay in
    // the pool so cleanup deletes it.
    let size = if result.is_ok() { size } else { obj.size };
    ctx.pool.restore(Object { id: obj.id, size });
    finish(ctx, rec, OpKind::Overwrite, t, result.map(|b| (b, 1)));
}

/// Draws an object size and slices the payload for it.
fn payload(ctx: &Ctx, rng: &mut SmallRng) -> (u64, Bytes) {
    let size = ctx.work.sizes.sample(rng);
    let end = usize::try_from(size)
        .unwrap_or(usize::MAX)
        .min(ctx.payload.len());
    (size, ctx.payload.slice(..end))
}

async fn put_object(ctx: &Ctx, rng: &mut SmallRng, rec: &mut Recorder, id: u64, multipart: bool) {
    let (size, data) = payload(ctx, rng);
    let key = ctx.key(id);
    let t = Instant::now();
    let (op, result) = if multipart {
        let part = usize::try_from(ctx.work.part_size).unwrap_or(usize::MAX);
        (OpKind::Multipart, ctx.s3.multipart(&key, data, part).await)
    } else {
        (OpKind::Put, ctx.s3.put(&key, data).await)
    };
    if result.is_ok() {
        ctx.pool.insert(Object { id, size });
    }
    finish(ctx, rec, op, t, result.map(|b| (b, 1)));
}

fn finish(
    ctx: &Ctx,
    rec: &mut Recorder,
    op: OpKind,
    started: Instant,
    result: Result<(u64, u64), S3Error>,
) {
    let latency = started.elapsed();
    match result {
        Ok((bytes, items)) => {
            rec.ok(op, latency, bytes, items);
            ctx.live.add(bytes, false);
        }
        Err(e) => {
            ctx.note_error(&e);
            rec.error(op, e.class());
            ctx.live.add(0, true);
        }
    }
}

async fn cleanup(ctx: &Arc<Ctx>) -> Phase {
    reset_live(ctx);
    let todo = Arc::new(Mutex::new(ctx.pool.drain()));
    phase(ctx, "cleanup", 0, move |ctx, _rng| {
        let todo = todo.clone();
        async move {
            let mut rec = Recorder::new();
            loop {
                let next = todo.lock().unwrap_or_else(|p| p.into_inner()).pop();
                let Some(obj) = next else { break };
                let t = Instant::now();
                let result = ctx.s3.delete(&ctx.key(obj.id)).await;
                finish(&ctx, &mut rec, OpKind::Delete, t, result.map(|()| (0, 1)));
            }
            rec
        }
    })
    .await
}

/// Writes back dirty pages, then asks the kernel to drop clean ones (and dentries, inodes).
fn drop_page_cache() -> std::io::Result<()> {
    let status = std::process::Command::new("sync").status()?;
    if !status.success() {
        return Err(std::io::Error::other(format!("sync: {status}")));
    }
    std::fs::write("/proc/sys/vm/drop_caches", "3\n")
}
