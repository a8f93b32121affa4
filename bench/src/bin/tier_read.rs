//! Reads every object of two S3 buckets through OpenDAL, alternating rounds (A B A B ...), and
//! prints each round's throughput, the medians and their ratio: A is strata's bucket whose
//! objects live on a remote tier (every GET reads through), B the tier's own bucket holding
//! the same objects (a direct read). Used by `bench/tier-read.sh`.
//!
//!   tier-read ROUNDS  A_ENDPOINT A_BUCKET A_KEY A_SECRET  B_ENDPOINT B_BUCKET B_KEY B_SECRET

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

/// Reads every object of `side` once, in order; returns (bytes, MiB/s).
async fn round(side: &Side) -> Result<(u64, f64)> {
    let start = Instant::now();
    let mut bytes = 0u64;
    for p in &side.paths {
        let reader = side.op.reader(p).await?;
        let mut chunks = reader.into_bytes_stream(..).await?;
        while let Some(chunk) = chunks.try_next().await? {
            bytes += chunk.len() as u64;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((bytes, bytes as f64 / (1 << 20) as f64 / secs))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
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
    let (mut through, mut direct) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        let (a_bytes, a_rate) = round(&a).await?;
        let (b_bytes, b_rate) = round(&b).await?;
        println!(
            "round {}: read-through {a_rate:.1} MiB/s ({a_bytes} B), direct {b_rate:.1} MiB/s ({b_bytes} B)",
            i + 1
        );
        through.push(a_rate);
        direct.push(b_rate);
    }
    let (t, d) = (median(through), median(direct));
    println!(
        "median: read-through {t:.1} MiB/s, direct {d:.1} MiB/s, ratio {:.3}",
        t / d
    );
    Ok(())
}
