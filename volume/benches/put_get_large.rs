//! 64 MiB put and get on a 4-volume class with scheme 2+2, volumes on the real disk.
//!
//! The body is 64 slices of 1 MiB of one random buffer made once. `put_64MiB_2+2` overwrites
//! the same key each iteration (so the disk does not fill up; the old version's shard files
//! are queued and removed once writes pause, or at once above 1 GiB queued, as in
//! production); `put_64MiB_2+2_new_key` writes a new key
//! each time (no removals). Get drains the body stream, once with the
//! shard files in the page cache (warm: right after they were written) and once after
//! dropping our volume files from the page cache (cold: read from the disk).

mod common;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use futures::StreamExt;
use strata_volume::Store;

const SIZE: usize = 64 * common::MIB;
const BUCKET: &str = "bench";
const KEY: &str = "large/object-64MiB";

async fn drain(store: &Store) -> u64 {
    let mut body = store
        .open_object(BUCKET, KEY, None)
        .await
        .expect("open the 64 MiB object")
        .read(None)
        .expect("start reading the 64 MiB object");
    let mut got = 0u64;
    while let Some(chunk) = body.next().await {
        got += chunk.expect("read a chunk of the 64 MiB object").len() as u64;
    }
    assert_eq!(got, SIZE as u64, "get returned a different length");
    got
}

fn bench(c: &mut Criterion) {
    common::print_load("put_get_large start");
    let rt = common::runtime();
    let dir = common::temp_dir("put-get-large-");
    let store = rt.block_on(common::open_store(dir.path()));
    rt.block_on(store.create_bucket(BUCKET, None))
        .expect("create the bench bucket");
    let buf = common::random_bytes(SIZE);

    let mut g = c.benchmark_group("put_get_large");
    g.throughput(Throughput::Bytes(SIZE as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(15)
        .warm_up_time(Duration::from_secs(3))
        .measurement_time(Duration::from_secs(25));

    g.bench_function("put_64MiB_2+2", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    common::put(&store, BUCKET, KEY, &buf, common::MIB).await;
                }
                start.elapsed()
            })
        })
    });

    // Each put a new key: nothing is replaced, so no old shard files are unlinked in the
    // background while the next put writes (on ext4 those unlinks cost about as much disk
    // time as the writes). Uses up to ~13 GiB of disk until the bench ends.
    let mut fresh = 0u64;
    g.bench_function("put_64MiB_2+2_new_key", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    fresh += 1;
                    let key = format!("large/new-{fresh}");
                    common::put(&store, BUCKET, &key, &buf, common::MIB).await;
                }
                start.elapsed()
            })
        })
    });

    // The object was just written: its shards are in the page cache.
    g.bench_function("get_64MiB_2+2_warm", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    drain(&store).await;
                }
                start.elapsed()
            })
        })
    });

    g.bench_function("get_64MiB_2+2_cold", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                common::evict(dir.path());
                total += rt.block_on(async {
                    let start = Instant::now();
                    drain(&store).await;
                    start.elapsed()
                });
            }
            total
        })
    });
    g.finish();
    common::print_load("put_get_large end");
}

criterion_group!(benches, bench);
criterion_main!(benches);
