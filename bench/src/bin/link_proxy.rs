//! A TCP proxy that gives each connection a link of a fixed rate in each direction, as a
//! network between a pod and a cloud object store would (one stream's throughput is the
//! link's, not the remote's CPU). This machine's `tc` has no qdisc modules, so shaping is done
//! here, in user space. Used by `bench/tier-read.sh` (`LINK_MIBPS`).
//!
//!   link-proxy UPSTREAM_ADDR MIB_PER_SECOND
//!
//! Prints `127.0.0.1:PORT` (where it listens) on its first line, then serves until killed.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// Bytes moved per step: small enough that a step is about a millisecond at the rates
/// measured, so the link's pace shows within a single object.
const STEP: usize = 256 * 1024;
/// How far the link may run behind its schedule before a step waits.
const SLACK: Duration = Duration::from_millis(2);

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [upstream, rate] = args.as_slice() else {
        bail!("usage: link-proxy UPSTREAM_ADDR MIB_PER_SECOND");
    };
    let mib_per_second: f64 = rate.parse().context("MIB_PER_SECOND")?;
    if mib_per_second.is_nan() || mib_per_second <= 0.0 {
        bail!("MIB_PER_SECOND must be above 0");
    }
    let bytes_per_second = mib_per_second * 1024.0 * 1024.0;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?);
    loop {
        let (client, _) = listener.accept().await?;
        let upstream = upstream.clone();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(&upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::join!(
                paced_copy(client_read, server_write, bytes_per_second),
                paced_copy(server_read, client_write, bytes_per_second),
            );
        });
    }
}

/// Copies `from` to `to` no faster than `bytes_per_second`, until either side closes.
async fn paced_copy(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, bytes_per_second: f64) {
    let mut buf = vec![0u8; STEP];
    // When the bytes sent so far may all have left: each step starts no earlier.
    let mut link_free_at = Instant::now();
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let now = Instant::now();
        let start = link_free_at.max(now);
        link_free_at = start + Duration::from_secs_f64(n as f64 / bytes_per_second);
        // Timers tick in milliseconds: sleeping after every small read would cost a tick
        // each. Bytes go out at once while the link is less than a couple of ticks behind;
        // the schedule still holds the average to the rate.
        if link_free_at > now + SLACK {
            tokio::time::sleep_until(link_free_at - SLACK).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
