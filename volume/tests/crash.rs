//! Crash safety: a child process writes objects concurrently and is killed with SIGKILL at
//! random moments. After every restart each acknowledged object reads back byte-exact and no
//! partial object is listed.
//!
//! The child is this same test binary, re-run with `STRATA_CRASH_CHILD` set. Rounds:
//! `STRATA_CRASH_ROUNDS` (default 6, the short CI form; the long form is e.g. 200).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use strata_volume::*;

/// Object content: a header naming key, version and length, then bytes derived from them, so
/// any object read back can be checked on its own.
fn payload(key: &str, version: u64, len: usize) -> Vec<u8> {
    let mut out = format!("{key}|{version}|{len}|").into_bytes();
    let seed = version
        ^ key
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    out.extend(content(seed, len));
    out
}

fn parse_and_check(key: &str, bytes: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
    let mut it = text.splitn(4, '|');
    let (k, v, l) = (
        it.next()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    (k == key && payload(key, v, l) == bytes).then_some(v)
}

fn config(root: &std::path::Path) -> StoreConfig {
    let vols = |class: &str, n: usize| {
        (0..n)
            .map(|i| root.join(class).join(i.to_string()))
            .collect::<Vec<_>>()
    };
    for v in vols("fast", 4).iter().chain(vols("bulk", 2).iter()) {
        std::fs::create_dir_all(v).unwrap();
    }
    StoreConfig::new(vec![
        ClassConfig {
            name: "fast".into(),
            volumes: vols("fast", 4),
            scheme: Some(Scheme::Erasure { data: 2, parity: 2 }),
        },
        ClassConfig {
            name: "bulk".into(),
            volumes: vols("bulk", 2),
            scheme: Some(Scheme::Mirror),
        },
    ])
}

/// The child: writes forever from 8 tasks; prints `ACK key version` after each put returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Ok(root) = std::env::var("STRATA_CRASH_CHILD") else {
        return;
    };
    let round: u64 = std::env::var("STRATA_CRASH_ROUND")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let store = Store::open(config(std::path::Path::new(&root)))
        .await
        .unwrap();
    let _ = store.create_bucket("crash", None).await;
    println!("READY");
    let tasks: Vec<_> = (0..8u64)
        .map(|t| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0u64.. {
                    // A few keys are overwritten again and again; others are new each time.
                    let key = if i % 3 == 0 {
                        format!("hot-{}", (t + i) % 5)
                    } else {
                        format!("r{round}-t{t}-{i}")
                    };
                    let version = (round << 32) | (t << 24) | i;
                    let len = [0usize, 100, 5000, 200_000, 1_300_000][(i % 5) as usize];
                    let class = if i % 4 == 0 { "bulk" } else { "fast" };
                    let data = payload(&key, version, len);
                    let opts = PutOptions::default();
                    if put_in(&store, "crash", &key, Some(class), &data, 65_536, opts)
                        .await
                        .is_ok()
                    {
                        println!("ACK {key} {version}");
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
}

#[test]
fn killed_writers_lose_no_acknowledged_object_and_leave_no_partial_one() {
    let rounds: u64 = std::env::var("STRATA_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(6);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Latest acknowledged version per key, over all rounds.
    let mut acked: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut total_acks = 0;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env("STRATA_CRASH_CHILD", dir.path())
            .env("STRATA_CRASH_ROUND", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait for the child to be up, then kill it at a pseudo-random moment.
        // The test harness prints its own lines first.
        while !rx
            .recv_timeout(Duration::from_secs(120))
            .expect("child started")
            .contains("READY")
        {}
        let delay = Duration::from_millis(300 + (round * 7919 % 1700));
        let start = Instant::now();
        let mut lines = Vec::new();
        while start.elapsed() < delay {
            if let Ok(l) = rx.recv_timeout(Duration::from_millis(10)) {
                lines.push(l);
            }
        }
        // SIGKILL: no destructor, no flush, nothing runs.
        child.kill().unwrap();
        child.wait().unwrap();
        lines.extend(rx.try_iter());
        reader.join().unwrap();
        for l in lines {
            let mut it = l.split_whitespace();
            if let (Some("ACK"), Some(k), Some(v)) = (
                it.next(),
                it.next(),
                it.next().and_then(|v| v.parse::<u64>().ok()),
            ) {
                total_acks += 1;
                let e = acked.entry(k.to_string()).or_insert(v);
                *e = (*e).max(v);
            }
        }
        rt.block_on(async {
            let store = Store::open(config(dir.path())).await.unwrap();
            // Every acknowledged key reads back whole, at its last acknowledged version or a
            // later (unacknowledged but complete) one.
            for (key, &v) in &acked {
                let bytes = get(&store, "crash", key)
                    .await
                    .unwrap_or_else(|e| panic!("round {round}: acked {key} lost: {e}"));
                let got = parse_and_check(key, &bytes)
                    .unwrap_or_else(|| panic!("round {round}: {key} is not a whole object"));
                let same_writer = got >> 24 == v >> 24;
                assert!(
                    !same_writer || got >= v,
                    "round {round}: {key} went back from {v} to {got}"
                );
            }
            // Every listed key is a whole object.
            let (keys, _) = list_all(&store, "crash", "", None, 1000).await;
            for key in keys {
                let bytes = get(&store, "crash", &key)
                    .await
                    .unwrap_or_else(|e| panic!("round {round}: listed {key} unreadable: {e}"));
                assert!(
                    parse_and_check(&key, &bytes).is_some(),
                    "round {round}: listed {key} is partial"
                );
            }
        });
    }
    assert!(
        total_acks > 0,
        "the child acknowledged nothing: the test tested nothing"
    );
    eprintln!(
        "crash test: {rounds} rounds, {total_acks} acknowledged puts, {} keys checked",
        acked.len()
    );
}
