//! Listing 1,000 keys from a random start point in a bucket of 1,000,000 keys, and a full
//! listing of the 1M keys page by page.
//!
//! The bucket is seeded once (64 concurrent writers, 64-byte bodies, keys inserted in a
//! scattered order) into `$STRATA_BENCH_DIR/list-1m-v1` and reused by later runs; a
//! `SEEDED` file there records how long the seeding took. Delete the directory to re-seed.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rand::Rng;
use strata_volume::{ListOptions, Store};

const KEYS: u64 = 1_000_000;
const PAGE: usize = 1000;
const BUCKET: &str = "listing";
const SEED_WRITERS: u64 = 64;
/// Coprime with `KEYS`: `i * STRIDE mod KEYS` visits every key once, in a scattered order.
const STRIDE: u64 = 999_983;

/// The `i`-th key in sort order (the zero padding keeps sort order = index order).
fn key(i: u64) -> String {
    format!("logs/2026/11/22/host-{:04}/part-{:09}.json", i / 1000, i)
}

async fn seed(store: &Store, root: &Path) {
    let marker = root.join("SEEDED");
    if let Ok(text) = std::fs::read_to_string(&marker) {
        eprintln!(
            "[list_1000_of_1m] reusing the seeded bucket: {}",
            text.trim()
        );
        return;
    }
    store
        .create_bucket(BUCKET, None)
        .await
        .expect("create the listing bucket (delete the bench's list-1m-v1 directory after an interrupted seeding)");
    let body = common::random_bytes(64);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..SEED_WRITERS)
        .map(|_| {
            let (store, body, next) = (store.clone(), body.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= KEYS {
                        return;
                    }
                    let k = key(j * STRIDE % KEYS);
                    common::put(&store, BUCKET, &k, &body, 64).await;
                    if (j + 1) % 50_000 == 0 {
                        let s = start.elapsed().as_secs_f64();
                        eprintln!(
                            "[list_1000_of_1m] seeded {} keys in {s:.1} s ({:.0}/s)",
                            j + 1,
                            (j + 1) as f64 / s
                        );
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("seeding task");
    }
    let secs = start.elapsed().as_secs_f64();
    let text = format!(
        "{KEYS} keys, 64-byte bodies, {SEED_WRITERS} writers, seeded in {secs:.1} s ({:.0} puts/s)\n",
        KEYS as f64 / secs
    );
    std::fs::write(&marker, &text).expect("write the SEEDED marker");
    eprintln!("[list_1000_of_1m] {}", text.trim());
}

async fn page(store: &Store, after: Option<String>) -> strata_volume::ListPage {
    store
        .list_objects(
            BUCKET,
            ListOptions {
                prefix: String::new(),
                delimiter: None,
                start_after: after,
                max_keys: PAGE,
            },
        )
        .await
        .expect("list a page")
}

/// Lists every key, page by page; checks the count and the order. Returns the key count.
async fn full_listing(store: &Store) -> u64 {
    let mut after: Option<String> = None;
    let mut count = 0u64;
    loop {
        let p = page(store, after.clone()).await;
        for o in &p.objects {
            assert_eq!(o.key, key(count), "listing out of order or missing a key");
            count += 1;
        }
        if !p.is_truncated {
            return count;
        }
        after = Some(
            p.next_marker
                .expect("a truncated page names its next marker"),
        );
    }
}

fn random_start() -> Option<String> {
    let i = rand::thread_rng().gen_range(0..KEYS - PAGE as u64);
    Some(key(i))
}

fn bench(c: &mut Criterion) {
    common::print_load("list_1000_of_1m start");
    let rt = common::runtime();
    let root = common::bench_dir().join("list-1m-v1");
    let store = rt.block_on(common::open_store(&root));
    rt.block_on(seed(&store, &root));

    // One checked full listing, timed, before criterion's runs.
    let t = Instant::now();
    let n = rt.block_on(full_listing(&store));
    assert_eq!(n, KEYS, "the seeded bucket does not hold {KEYS} keys");
    eprintln!(
        "[list_1000_of_1m] checked full listing: {n} keys in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let mut g = c.benchmark_group("list_1000_of_1m");
    g.sample_size(100)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(15));
    g.bench_function("page_1000_random_start_warm", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let after = random_start();
                    let t = Instant::now();
                    let p = page(&store, after).await;
                    total += t.elapsed();
                    assert_eq!(p.objects.len(), PAGE);
                }
                total
            })
        })
    });
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(30)
        .measurement_time(Duration::from_secs(20));
    g.bench_function("page_1000_random_start_cold", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                common::evict(&root);
                let after = random_start();
                total += rt.block_on(async {
                    let t = Instant::now();
                    let p = page(&store, after).await;
                    let e = t.elapsed();
                    assert_eq!(p.objects.len(), PAGE);
                    e
                });
            }
            total
        })
    });
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("full_listing_1m_by_pages_of_1000", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let t = Instant::now();
                for _ in 0..iters {
                    assert_eq!(full_listing(&store).await, KEYS);
                }
                t.elapsed()
            })
        })
    });
    g.finish();
    common::print_load("list_1000_of_1m end");
}

criterion_group!(benches, bench);
criterion_main!(benches);
