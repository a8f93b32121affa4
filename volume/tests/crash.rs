//! Crash safety: a child process writes objects concurrently (puts in two classes,
//! overwrites, multipart uploads, deletes, versioned puts) and is killed with SIGKILL at random
//! moments. After every restart each acknowledged object and version reads back byte-exact,
//! each acknowledged delete stays deleted, and no partial object is listed; at the end a scan
//! with no grace period leaves no shard file that no record references.
//!
//! The child is this same test binary, re-run with `STRATA_CRASH_CHILD` set. Rounds:
//! `STRATA_CRASH_ROUNDS` (default 6, the short CI form; the long form is e.g. 200).

mod common;
// `index_references`: the shard ids the indexes reference, read with redb directly.
mod pod;

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
    let mut cfg = StoreConfig::new(vec![
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
    ]);
    cfg.min_part_size = 64 * 1024;
    cfg
}

/// A multipart upload of `data` to `key` in two parts; its object when completed.
async fn upload(store: &Store, key: &str, data: &[u8]) -> Result<ObjectInfo, Error> {
    let id = store
        .create_multipart_upload("crash", key, UploadOptions::default())
        .await?;
    let cut = data.len() / 2;
    let mut parts = Vec::new();
    for (n, chunk) in [(1, &data[..cut]), (2, &data[cut..])] {
        let part = upload_part(store, "crash", key, &id, n, chunk, 65_536).await?;
        parts.push(CompletedPart {
            part_number: n,
            etag: part.etag,
        });
    }
    store
        .complete_multipart_upload("crash", key, &id, parts, None)
        .await
}

/// The child: writes forever from 8 tasks. Prints `ACK key version` after each put or
/// completed upload returns, `DEL key` after a delete returns, and `VACK key id version` after
/// a put to the versioned bucket returns.
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
    let _ = store.create_bucket("crashv", None).await;
    store
        .set_versioning("crashv", Versioning::Enabled)
        .await
        .unwrap();
    println!("READY");
    let tasks: Vec<_> = (0..8u64)
        .map(|t| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0u64.. {
                    child_step(&store, round, t, i).await;
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
}

/// Step `i` of task `t`: mostly puts (a few keys overwritten again and again, others new),
/// and in turn a put then delete, a multipart upload, a versioned put.
async fn child_step(store: &Store, round: u64, t: u64, i: u64) {
    let version = (round << 32) | (t << 24) | i;
    let len = [0usize, 100, 5000, 200_000, 1_300_000][(i % 5) as usize];
    let class = if i.is_multiple_of(4) { "bulk" } else { "fast" };
    let fresh = format!("r{round}-t{t}-{i}");
    // A put of `key` into `bucket` (the given class), `version`'s payload of `len` bytes.
    let put = |bucket: &'static str, key: String, class: Option<&'static str>, len: usize| async move {
        let data = payload(&key, version, len);
        let opts = PutOptions::default();
        let info = put_in(store, bucket, &key, class, &data, 65_536, opts).await;
        (key, info.ok())
    };
    match i % 10 {
        6 => {
            if let (key, Some(_)) = put("crash", format!("del-{fresh}"), Some(class), len).await {
                println!("ACK {key} {version}");
                if store.delete_object("crash", &key, None).await.is_ok() {
                    println!("DEL {key}");
                }
            }
        }
        7 => {
            let key = format!("mp-{fresh}");
            let data = payload(&key, version, 300_000);
            if upload(store, &key, &data).await.is_ok() {
                println!("ACK {key} {version}");
            }
        }
        8 => {
            if let (key, Some(info)) = put("crashv", format!("v-t{t}"), None, len).await {
                println!("VACK {key} {} {version}", info.version_id);
            }
        }
        _ => {
            let key = if i.is_multiple_of(3) {
                format!("hot-{}", (t + i) % 5)
            } else {
                fresh
            };
            if let (key, Some(_)) = put("crash", key, Some(class), len).await {
                println!("ACK {key} {version}");
            }
        }
    }
}

/// What the child acknowledged, over all rounds.
#[derive(Default)]
struct Acked {
    /// Latest acknowledged version per key of `crash`.
    puts: std::collections::HashMap<String, u64>,
    /// Keys of `crash` whose delete was acknowledged.
    deleted: std::collections::HashSet<String>,
    /// (key, version id) of `crashv` and the version written.
    versions: Vec<(String, String, u64)>,
    total: u64,
}

impl Acked {
    fn take(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["ACK", key, v] => {
                let Ok(v) = v.parse::<u64>() else { return };
                self.total += 1;
                let e = self.puts.entry(key.to_string()).or_insert(v);
                *e = (*e).max(v);
            }
            ["DEL", key] => {
                self.total += 1;
                self.puts.remove(*key);
                self.deleted.insert(key.to_string());
            }
            ["VACK", key, id, v] => {
                let Ok(v) = v.parse::<u64>() else { return };
                self.total += 1;
                self.versions.push((key.to_string(), id.to_string(), v));
            }
            _ => {}
        }
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
    let mut acked = Acked::default();
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
        for l in &lines {
            acked.take(l);
        }
        rt.block_on(async {
            let store = Store::open(config(dir.path())).await.unwrap();
            // Every acknowledged key reads back whole, at its last acknowledged version or a
            // later (unacknowledged but complete) one.
            for (key, &v) in &acked.puts {
                let bytes = match get(&store, "crash", key).await {
                    Ok(b) => b,
                    // Its delete followed at once: it may have been in flight at the kill.
                    Err(Error::Refused(Refusal::NoSuchKey { .. })) if key.starts_with("del-") => {
                        continue
                    }
                    Err(e) => panic!("round {round}: acked {key} lost: {e}"),
                };
                let got = parse_and_check(key, &bytes)
                    .unwrap_or_else(|| panic!("round {round}: {key} is not a whole object"));
                let same_writer = got >> 24 == v >> 24;
                assert!(
                    !same_writer || got >= v,
                    "round {round}: {key} went back from {v} to {got}"
                );
            }
            for key in &acked.deleted {
                let gone = get(&store, "crash", key).await;
                assert!(
                    matches!(gone, Err(Error::Refused(Refusal::NoSuchKey { .. }))),
                    "round {round}: deleted {key} is back: {:?}",
                    gone.map(|b| b.len())
                );
            }
            for (key, id, v) in &acked.versions {
                let bytes = get_version(&store, "crashv", key, Some(id))
                    .await
                    .unwrap_or_else(|e| panic!("round {round}: version {id} of {key} lost: {e}"));
                assert_eq!(
                    parse_and_check(key, &bytes),
                    Some(*v),
                    "round {round}: version {id} of {key} is not what was written"
                );
            }
            // Every listed key is a whole object.
            for bucket in ["crash", "crashv"] {
                let (keys, _) = list_all(&store, bucket, "", None, 1000).await;
                for key in keys {
                    let bytes = get(&store, bucket, &key).await.unwrap_or_else(|e| {
                        panic!("round {round}: listed {bucket}/{key} unreadable: {e}")
                    });
                    assert!(
                        parse_and_check(&key, &bytes).is_some(),
                        "round {round}: listed {bucket}/{key} is partial"
                    );
                }
            }
        });
    }
    // What the crashes left (staged shard files never committed, unlinks that never ran) goes
    // with the scanner's sweep; afterwards every shard file is one a record references.
    rt.block_on(async {
        let store = Store::open(config(dir.path())).await.unwrap();
        let report = store
            .scan(&settling_scan(), ScanStart::default(), None, |_, _| {})
            .await;
        assert!(
            report.errors.is_empty() && report.heal.failed == 0,
            "{report:?}"
        );
        eprintln!(
            "crash test: the scan removed {} unreferenced shard files",
            report.orphans_removed
        );
    });
    let cfg = config(dir.path());
    let ns = &cfg.classes[0].volumes;
    let mut referenced: std::collections::HashSet<(String, String)> = Default::default();
    for v in ns {
        let index = v.join(format::STRATA_DIR).join("meta.redb");
        for (class, id) in pod::index_references(&index) {
            referenced.insert((class, pod::shard_name(&id)));
        }
    }
    for class in &cfg.classes {
        for v in &class.volumes {
            for file in shard_names(v) {
                assert!(
                    referenced.contains(&(class.name.clone(), file.clone())),
                    "{}: {file} is referenced by no record after the scan",
                    v.display()
                );
            }
        }
    }
    assert!(
        acked.total > 0 && !acked.deleted.is_empty() && !acked.versions.is_empty(),
        "the child acknowledged too little: the test tested nothing ({} acks, {} deletes, {} versions)",
        acked.total,
        acked.deleted.len(),
        acked.versions.len()
    );
    eprintln!(
        "crash test: {rounds} rounds, {} acknowledged operations, {} keys, {} deletes and {} versions checked",
        acked.total,
        acked.puts.len(),
        acked.deleted.len(),
        acked.versions.len()
    );
}
