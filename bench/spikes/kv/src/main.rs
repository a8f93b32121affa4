//! Spike: redb vs fjall as the per-volume object metadata index (issue 2, DESIGN decision 3).
//!
//!   cargo run --release --manifest-path bench/spikes/kv/Cargo.toml -- [DIR] [ROUNDS]
//!
//! DIR must be on the real disk (not tmpfs); it is created and removed. Each round runs the
//! whole suite on each engine in a fresh directory; the table gives the median of the rounds.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use rand::{rngs::StdRng, Rng, RngCore, SeedableRng};

const N_KEYS: u64 = 1_000_000;
const LOAD_BATCH: usize = 10_000;
const PAGE: usize = 1_000;
const PAGES: usize = 200;
const LOOKUPS_WARM: usize = 10_000;
const LOOKUPS_COLD: usize = 1_000;
const COMMIT_SECS: u64 = 3;
/// Same memory budget for both engines' own caches (redb's default is 1 GiB, fjall's 32 MiB).
const CACHE_BYTES: usize = 64 << 20;

type Pair = (Vec<u8>, Vec<u8>);

/// What the spike needs from an engine. Every `commit` is durable (fsync) when it returns.
trait Kv {
    fn commit(&self, batch: &[Pair]) -> Result<()>;
    fn get(&self, key: &[u8]) -> Result<Option<usize>>;
    /// Reads up to `n` pairs from `start` on; returns how many and the bytes seen.
    fn scan(&self, start: &[u8], n: usize) -> Result<(usize, usize)>;
}

// ---------------------------------------------------------------- redb

const TABLE: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("objects");

struct Redb(redb::Database);

impl Redb {
    fn open(dir: &Path) -> Result<Self> {
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(dir.join("index.redb"))?;
        let tx = db.begin_write()?;
        tx.open_table(TABLE)?;
        tx.commit()?;
        Ok(Redb(db))
    }
}

impl Kv for Redb {
    fn commit(&self, batch: &[Pair]) -> Result<()> {
        let mut tx = self.0.begin_write()?;
        tx.set_durability(redb::Durability::Immediate)?; // the default, said out loud
        {
            let mut t = tx.open_table(TABLE)?;
            for (k, v) in batch {
                t.insert(k.as_slice(), v.as_slice())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<usize>> {
        use redb::ReadableDatabase;
        let t = self.0.begin_read()?.open_table(TABLE)?;
        Ok(t.get(key)?.map(|v| v.value().len()))
    }

    fn scan(&self, start: &[u8], n: usize) -> Result<(usize, usize)> {
        use redb::ReadableDatabase;
        let t = self.0.begin_read()?.open_table(TABLE)?;
        let (mut count, mut bytes) = (0, 0);
        for item in t.range(start..)?.take(n) {
            let (k, v) = item?;
            bytes += k.value().len() + v.value().len();
            count += 1;
        }
        Ok((count, bytes))
    }
}

// ---------------------------------------------------------------- fjall

struct Fjall {
    db: fjall::Database,
    ks: fjall::Keyspace,
}

impl Fjall {
    fn open(dir: &Path) -> Result<Self> {
        let db = fjall::Database::builder(dir.join("index.fjall"))
            .cache_size(CACHE_BYTES as u64)
            .open()?;
        let ks = db.keyspace("objects", fjall::KeyspaceCreateOptions::default)?;
        Ok(Fjall { db, ks })
    }
}

impl Kv for Fjall {
    fn commit(&self, batch: &[Pair]) -> Result<()> {
        let mut b = self.db.batch().durability(Some(fjall::PersistMode::SyncAll));
        for (k, v) in batch {
            b.insert(&self.ks, k.as_slice(), v.as_slice());
        }
        b.commit()?;
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<usize>> {
        Ok(self.ks.get(key)?.map(|v| v.len()))
    }

    fn scan(&self, start: &[u8], n: usize) -> Result<(usize, usize)> {
        let (mut count, mut bytes) = (0, 0);
        for guard in self.ks.range(start..).take(n) {
            let (k, v) = guard.into_inner()?;
            bytes += k.len() + v.len();
            count += 1;
        }
        Ok((count, bytes))
    }
}

#[derive(Clone, Copy, Debug)]
enum Engine {
    Redb,
    Fjall,
}

fn open(engine: Engine, dir: &Path) -> Result<Box<dyn Kv>> {
    Ok(match engine {
        Engine::Redb => Box::new(Redb::open(dir)?),
        Engine::Fjall => Box::new(Fjall::open(dir)?),
    })
}

// ---------------------------------------------------------------- test data

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser: spreads consecutive ids over the key space
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

/// `bucket \0 object-key`, object keys of about 20-100 bytes in a few realistic shapes.
fn key(i: u64) -> Vec<u8> {
    let h = mix(i);
    let (bucket, object) = match h % 20 {
        0..=11 => (
            "logs-prod",
            format!(
                "logs/2026/{:02}/{:02}/host-{:03}/part-{:09}.json",
                1 + (h >> 8) % 12,
                1 + (h >> 12) % 28,
                (h >> 20) % 200,
                i
            ),
        ),
        12..=16 => (
            "media",
            format!("images/user-{:07}/{:016x}/photo-{i}.jpg", (h >> 8) % 50_000, mix(h)),
        ),
        _ => (
            "backups",
            format!(
                "cluster-eu-west-{}/postgres/wal/{:016x}{:08x}/segment-{i:010}.zst",
                (h >> 8) % 4,
                mix(h),
                (h >> 32) as u32
            ),
        ),
    };
    let mut k = Vec::with_capacity(bucket.len() + 1 + object.len());
    k.extend_from_slice(bucket.as_bytes());
    k.push(0);
    k.extend_from_slice(object.as_bytes());
    k
}

/// 150-300 bytes, shaped like serialized metadata: readable fields plus hashes (incompressible).
fn value(i: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(i);
    let len: usize = rng.gen_range(150..=300);
    let mut v = format!(
        "{{\"v\":1,\"size\":{},\"etag\":\"{:032x}\",\"ct\":\"application/json\",\"mtime\":{},\"shards\":\"",
        rng.gen_range(0..1u64 << 30),
        rng.gen::<u128>(),
        1_790_000_000 + i
    )
    .into_bytes();
    let mut tail = vec![0u8; len.saturating_sub(v.len())];
    rng.fill_bytes(&mut tail);
    v.extend_from_slice(&tail);
    v.truncate(len);
    v
}

// ---------------------------------------------------------------- helpers

fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx].as_secs_f64() * 1e3 // ms
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            files(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn dir_bytes(dir: &Path) -> Result<u64> {
    let mut fs = Vec::new();
    files(dir, &mut fs)?;
    fs.iter().map(|f| Ok(std::fs::metadata(f)?.len())).sum()
}

/// Drops this directory's pages from the OS page cache (only ours: the machine is shared).
fn evict(dir: &Path) -> Result<()> {
    use std::os::fd::AsRawFd;
    let mut fs = Vec::new();
    files(dir, &mut fs)?;
    for f in fs {
        let file = std::fs::File::open(&f)?;
        file.sync_all()?;
        // SAFETY: plain syscall on a descriptor we own.
        let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        ensure!(rc == 0, "posix_fadvise {}: {rc}", f.display());
    }
    Ok(())
}

fn pages(kv: &dyn Kv, keys: &[Vec<u8>], rng: &mut StdRng) -> Result<Vec<Duration>> {
    let mut lat = Vec::with_capacity(PAGES);
    for _ in 0..PAGES {
        let start = &keys[rng.gen_range(0..keys.len() - PAGE)];
        let t = Instant::now();
        let (n, bytes) = kv.scan(start, PAGE)?;
        lat.push(t.elapsed());
        ensure!(n == PAGE, "page too short: {n}");
        black_box(bytes);
    }
    Ok(lat)
}

fn lookups(kv: &dyn Kv, keys: &[Vec<u8>], n: usize, rng: &mut StdRng) -> Result<Vec<Duration>> {
    let mut lat = Vec::with_capacity(n);
    for _ in 0..n {
        let k = &keys[rng.gen_range(0..keys.len())];
        let t = Instant::now();
        let v = kv.get(k)?;
        lat.push(t.elapsed());
        ensure!(v.is_some(), "missing key");
    }
    Ok(lat)
}

/// Durable commits of `per_tx` new keys each for COMMIT_SECS; returns (commits/s, keys/s).
fn commits(kv: &dyn Kv, per_tx: usize, next_id: &mut u64) -> Result<(f64, f64)> {
    let t = Instant::now();
    let mut n = 0u64;
    while t.elapsed() < Duration::from_secs(COMMIT_SECS) {
        let batch: Vec<Pair> = (0..per_tx as u64).map(|j| (key(*next_id + j), value(*next_id + j))).collect();
        *next_id += per_tx as u64;
        kv.commit(&batch)?;
        n += 1;
    }
    let secs = t.elapsed().as_secs_f64();
    Ok((n as f64 / secs, (n * per_tx as u64) as f64 / secs))
}

// ---------------------------------------------------------------- the suite

fn suite(engine: Engine, dir: &Path, keys: &[Vec<u8>], seed: u64) -> Result<Vec<(&'static str, f64)>> {
    let mut r = Vec::new();
    let mut rng = StdRng::seed_from_u64(seed);

    // 2. bulk load, 10,000 keys per durable transaction, in id order (= random key order)
    let kv = open(engine, dir)?;
    let t = Instant::now();
    for chunk in (0..N_KEYS).collect::<Vec<_>>().chunks(LOAD_BATCH) {
        let batch: Vec<Pair> = chunk.iter().map(|&i| (keys[i as usize].clone(), value(i))).collect();
        kv.commit(&batch)?;
    }
    r.push(("load 1M: s", t.elapsed().as_secs_f64()));
    drop(kv);
    r.push(("load 1M: size on disk MiB", dir_bytes(dir)? as f64 / (1 << 20) as f64));

    let mut sorted = keys.to_vec();
    sorted.sort();

    // 3. range pages, cold: reopen with the files evicted from the page cache
    evict(dir)?;
    let t = Instant::now();
    let kv = open(engine, dir)?;
    r.push(("reopen: ms", t.elapsed().as_secs_f64() * 1e3));
    let mut lat = pages(&*kv, &sorted, &mut rng)?;
    r.push(("page of 1000, cold: p50 ms", pct(&mut lat, 0.5)));
    r.push(("page of 1000, cold: p99 ms", pct(&mut lat, 0.99)));
    drop(kv);

    // 4. point lookups, cold
    evict(dir)?;
    let kv = open(engine, dir)?;
    let mut lat = lookups(&*kv, keys, LOOKUPS_COLD, &mut rng)?;
    r.push(("get, cold: p50 ms", pct(&mut lat, 0.5)));
    drop(kv);

    // 3. full scan, cold then warm
    evict(dir)?;
    let kv = open(engine, dir)?;
    for name in ["full scan 1M, cold: s", "full scan 1M, warm: s"] {
        let t = Instant::now();
        let (n, bytes) = kv.scan(b"", usize::MAX)?;
        r.push((name, t.elapsed().as_secs_f64()));
        ensure!(n as u64 == N_KEYS, "full scan saw {n} keys");
        black_box(bytes);
    }

    // 3./4. warm
    let mut lat = pages(&*kv, &sorted, &mut rng)?;
    r.push(("page of 1000, warm: p50 ms", pct(&mut lat, 0.5)));
    r.push(("page of 1000, warm: p99 ms", pct(&mut lat, 0.99)));
    let mut lat = lookups(&*kv, keys, LOOKUPS_WARM, &mut rng)?;
    r.push(("get, warm: p50 ms", pct(&mut lat, 0.5)));
    r.push(("get, warm: p99 ms", pct(&mut lat, 0.99)));

    // 1. durable commits of new keys, on top of the 1M index, one thread
    let mut next_id = N_KEYS + seed * 10_000_000;
    let (c1, _) = commits(&*kv, 1, &mut next_id)?;
    r.push(("commit 1 key/tx (fsync): commits/s", c1));
    let (_, k8) = commits(&*kv, 8, &mut next_id)?;
    r.push(("commit 8 keys/tx: keys/s", k8));
    let (_, k64) = commits(&*kv, 64, &mut next_id)?;
    r.push(("commit 64 keys/tx: keys/s", k64));
    Ok(r)
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let base = PathBuf::from(args.next().unwrap_or_else(|| "/root/.cache/strata-spike-kv".into()));
    let rounds: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3);

    let t = Instant::now();
    let keys: Vec<Vec<u8>> = (0..N_KEYS).map(key).collect();
    let avg = keys.iter().map(Vec::len).sum::<usize>() as f64 / keys.len() as f64;
    let vavg = (0..10_000).map(|i| value(i).len()).sum::<usize>() as f64 / 10_000.0;
    eprintln!("keys: {N_KEYS}, avg key {avg:.0} B, avg value {vavg:.0} B, e.g. {:?} ({:.1?})",
        String::from_utf8_lossy(&keys[0]), t.elapsed());

    // metric -> engine -> one value per round
    let mut all: BTreeMap<&str, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    let mut order = Vec::new();
    for round in 0..rounds {
        for engine in [Engine::Redb, Engine::Fjall] {
            let dir = base.join(format!("{engine:?}-{round}"));
            std::fs::create_dir_all(&dir).with_context(|| format!("mkdir {}", dir.display()))?;
            let t = Instant::now();
            let res = suite(engine, &dir, &keys, round + 1);
            std::fs::remove_dir_all(&dir)?;
            let res = res?;
            eprintln!("round {round} {engine:?} ({:.0?}): {res:?}", t.elapsed());
            for (name, v) in res {
                if !order.contains(&name) {
                    order.push(name);
                }
                all.entry(name).or_default().entry(format!("{engine:?}")).or_default().push(v);
            }
        }
    }
    std::fs::remove_dir(&base).ok();

    println!("| measurement | redb (median) | fjall (median) | redb rounds | fjall rounds |");
    println!("| --- | ---: | ---: | --- | --- |");
    let fmt = |v: f64| if v >= 100.0 { format!("{v:.0}") } else if v >= 1.0 { format!("{v:.2}") } else { format!("{v:.3}") };
    for name in order {
        let e = &all[name];
        let cells: Vec<String> = ["Redb", "Fjall"].iter().map(|n| fmt(median(&e[*n]))).collect();
        let raw: Vec<String> = ["Redb", "Fjall"]
            .iter()
            .map(|n| e[*n].iter().map(|v| fmt(*v)).collect::<Vec<_>>().join(" / "))
            .collect();
        println!("| {name} | {} | {} | {} | {} |", cells[0], cells[1], raw[0], raw[1]);
    }
    Ok(())
}
