//! 4 KiB durable puts (each acknowledged only once fsynced on a write quorum) at 1, 8 and 64
//! concurrent writers (tokio tasks on a multi-thread runtime), as objects/s.
//!
//! Every put goes to a new key (no overwrites). 4 KiB is below the inline limit, so each put
//! is one metadata commit per volume: the group commit of the index is what is measured.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use strata_volume::Store;

const SIZE: usize = 4096;
const BUCKET: &str = "bench";

/// Runs `iters` puts over `writers` tasks; returns the wall time.
async fn run(
    store: &Store,
    body: &Bytes,
    writers: u64,
    iters: u64,
    next_key: &Arc<AtomicU64>,
) -> Duration {
    let left = Arc::new(AtomicU64::new(iters));
    let start = Instant::now();
    let tasks: Vec<_> = (0..writers.min(iters))
        .map(|_| {
            let (store, body, left, next_key) =
                (store.clone(), body.clone(), left.clone(), next_key.clone());
            tokio::spawn(async move {
                // Take one put at a time until `iters` are done.
                while left
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
                    .is_ok()
                {
                    let key = format!("small/{:012}", next_key.fetch_add(1, Ordering::Relaxed));
                    common::put(&store, BUCKET, &key, &body, SIZE).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("writer task");
    }
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    common::print_load("put_small_durable start");
    let rt = common::runtime();
    let dir = common::temp_dir("put-small-");
    let store = rt.block_on(common::open_store(dir.path()));
    rt.block_on(store.create_bucket(BUCKET, None))
        .expect("create the bench bucket");
    let body = common::random_bytes(SIZE);
    let next_key = Arc::new(AtomicU64::new(0));

    let mut g = c.benchmark_group("put_small_durable");
    g.throughput(Throughput::Elements(1))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(3))
        .measurement_time(Duration::from_secs(15));
    for writers in [1u64, 8, 64] {
        g.bench_with_input(
            BenchmarkId::new("put_4KiB_fsync_writers", writers),
            &writers,
            |b, &w| b.iter_custom(|iters| rt.block_on(run(&store, &body, w, iters, &next_key))),
        );
    }
    g.finish();
    common::print_load("put_small_durable end");
}

criterion_group!(benches, bench);
criterion_main!(benches);
