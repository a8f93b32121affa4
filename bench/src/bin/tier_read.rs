//! Reads every object of two S3 buckets through OpenDAL, alternating rounds (A B A B ...), and
//! prints each round's throughput and median time to first byte, the medians and their
//! ratio: A is strata's bucket whose objects live on a remote tier (every GET reads
//! through), B the tier's own bucket holding the same objects (a direct read). Used by
//! `bench/tier-read.sh`.
//!
//!   tier-read ROUNDS  A_ENDPOINT A_BUCKET A_KEY A_SECRET  B_ENDPOINT B_BUCKET B_KEY B_SECRET
//!
//! It also prints the CPU time it spent itself, and each process of `WATCH_PIDS=name:pid,...`,
//! per GiB read in each kind of round (their medians): where a read-through's cost goes.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use futures::TryStreamExt;
use opendal::services::S3;
use opendal::Operator;

/// One bucket and its objects.
struct Side {
    op: Operator,
    paths: Vec<String>,
}

async fn side(endpoint: &str, bucket: &str, key: &str, secret: &str) -> Result<Side> {
    let builder = S3::default()
        .endpoint(endpoint)
        .region("us-east-1")
        .bucket(bucket)
        .access_key_id(key)
        .secret_access_key(secret)
        .disable_config_load()
        .disable_ec2_metadata();
    let op = Operator::new(builder)?.finish();
    let mut paths: Vec<String> = op
        .list("/")
        .await
        .with_context(|| format!("listing {bucket} at {endpoint}"))?
        .into_iter()
        .map(|e| e.path().to_string())
        .filter(|p| !p.ends_with('/'))
        .collect();
    paths.sort();
    if paths.is_empty() {
        bail!("{bucket} at {endpoint} holds no object");
    }
    Ok(Side { op, paths })
}

/// A process whose CPU time is followed.
struct Watched {
    name: String,
    pid: u32,
}

fn watched() -> Result<Vec<Watched>> {
    let reader = Watched {
        name: "the reader".to_string(),
        pid: std::process::id(),
    };
    let Ok(list) = std::env::var("WATCH_PIDS") else {
        return Ok(vec![reader]);
    };
    list.split(',')
        .map(|item| {
            let (name, pid) = item.split_once(':').context("WATCH_PIDS: name:pid,...")?;
            let pid = pid.parse().context("WATCH_PIDS: a pid")?;
            Ok(Watched {
                name: name.to_string(),
                pid,
            })
        })
        .chain([Ok(reader)])
        .collect()
}

/// User and system CPU seconds of process `pid` so far, all its threads.
fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces): utime and stime are the
    // 12th and 13th, in USER_HZ ticks (100 per second on Linux).
    let after = stat.rsplit_once(") ").context("/proc stat")?.1;
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    Ok(ticks as f64 / 100.0)
}

/// What one round measured.
struct Round {
    bytes: u64,
    mib_per_s: f64,
    /// The median time from asking for an object to its first bytes, in ms.
    first_byte_ms: f64,
    /// Each watched process's CPU seconds per GiB read.
    cpu_per_gib: Vec<f64>,
}

/// Reads every object of `side` once, in order.
async fn round(side: &Side, watch: &[Watched]) -> Result<Round> {
    let cpu_before: Vec<f64> = watch
        .iter()
        .map(|w| cpu_seconds(w.pid))
        .collect::<Result<_>>()?;
    let start = Instant::now();
    let mut bytes = 0u64;
    let mut first_bytes = Vec::new();
    for p in &side.paths {
        let asked = Instant::now();
        let reader = side.op.reader(p).await?;
        let mut chunks = reader.into_bytes_stream(..).await?;
        let mut first = None;
        while let Some(chunk) = chunks.try_next().await? {
            first.get_or_insert_with(|| asked.elapsed().as_secs_f64() * 1000.0);
            bytes += chunk.len() as u64;
        }
        first_bytes.extend(first);
    }
    let secs = start.elapsed().as_secs_f64();
    let gib = bytes as f64 / (1u64 << 30) as f64;
    let mut cpu_per_gib = Vec::new();
    for (w, before) in watch.iter().zip(cpu_before) {
        cpu_per_gib.push((cpu_seconds(w.pid)? - before) / gib);
    }
    Ok(Round {
        bytes,
        mib_per_s: bytes as f64 / (1 << 20) as f64 / secs,
        first_byte_ms: median(first_bytes),
        cpu_per_gib,
    })
}

/// The middle value (NaN for none).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [rounds, a_ep, a_bucket, a_key, a_secret, b_ep, b_bucket, b_key, b_secret] =
        args.as_slice()
    else {
        bail!("usage: tier-read ROUNDS A_ENDPOINT A_BUCKET A_KEY A_SECRET B_ENDPOINT B_BUCKET B_KEY B_SECRET");
    };
    let rounds: usize = rounds.parse().context("ROUNDS")?;
    // OpenDAL's HTTP client is built on rustls without a provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let a = side(a_ep, a_bucket, a_key, a_secret).await?;
    let b = side(b_ep, b_bucket, b_key, b_secret).await?;
    if a.paths.len() != b.paths.len() {
        bail!(
            "{} objects read through, {} on the tier",
            a.paths.len(),
            b.paths.len()
        );
    }
    let watch = watched()?;
    let (mut through, mut direct) = (Vec::new(), Vec::new());
    let (mut through_cpu, mut direct_cpu) =
        (vec![Vec::new(); watch.len()], vec![Vec::new(); watch.len()]);
    for i in 0..rounds {
        let a_round = round(&a, &watch).await?;
        let b_round = round(&b, &watch).await?;
        println!(
            "round {}: read-through {:.1} MiB/s ({} B, first byte {:.1} ms), direct {:.1} MiB/s ({} B, first byte {:.1} ms)",
            i + 1,
            a_round.mib_per_s,
            a_round.bytes,
            a_round.first_byte_ms,
            b_round.mib_per_s,
            b_round.bytes,
            b_round.first_byte_ms,
        );
        through.push(a_round.mib_per_s);
        direct.push(b_round.mib_per_s);
        for (k, (a, b)) in a_round
            .cpu_per_gib
            .into_iter()
            .zip(b_round.cpu_per_gib)
            .enumerate()
        {
            through_cpu[k].push(a);
            direct_cpu[k].push(b);
        }
    }
    let (t, d) = (median(through), median(direct));
    println!(
        "median: read-through {t:.1} MiB/s, direct {d:.1} MiB/s, ratio {:.3}",
        t / d
    );
    for (k, w) in watch.iter().enumerate() {
        println!(
            "median CPU-s per GiB of {}: read-through {:.3}, direct {:.3}",
            w.name,
            median(through_cpu[k].clone()),
            median(direct_cpu[k].clone())
        );
    }
    Ok(())
}
