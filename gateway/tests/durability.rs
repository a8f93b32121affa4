//! Healing end to end: the real `strata` with objects written by the real aws CLI v2
//! (`STRATA_AWS`). A volume wiped while the server is down is refilled when it starts, byte for
//! byte; shard files lost while it serves come back through a read (the healer), through
//! `strata admin heal`, and through `strata admin scan --deep --wait`; a stray shard file is
//! swept; `strata admin heal-status`, `status` and the metrics listener say what happened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use strata_tests::{
    aws_ok, aws_run, free_port, scrape, series_value, write_random, Layout, Server,
};

#[path = "support/admin_cli.rs"]
mod admin_cli;
use admin_cli::{admin, assert_failed_with, json_of};

const BUCKET: &str = "dur";

/// A server on `dir` that scans only when asked, with its metrics listener.
fn start(dir: &Path, extra: &[&str]) -> (Server, String) {
    let port = free_port();
    let mut builder = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .dir(dir)
        .arg("--scan-interval")
        .arg("off")
        .arg("--deep-scan-interval")
        .arg("off")
        .arg("--metrics-listen")
        .arg(&format!("127.0.0.1:{port}"));
    for a in extra {
        builder = builder.arg(a);
    }
    (builder.start(), format!("127.0.0.1:{port}"))
}

/// Every shard file of volume `fast{i}`, with its bytes.
fn shard_files(dir: &Path, i: usize) -> BTreeMap<PathBuf, Vec<u8>> {
    let data = dir.join(format!("fast{i}")).join(".strata").join("data");
    let mut out = BTreeMap::new();
    for fan in std::fs::read_dir(&data).unwrap().flatten() {
        for f in std::fs::read_dir(fan.path()).unwrap().flatten() {
            out.insert(f.path(), std::fs::read(f.path()).unwrap());
        }
    }
    out
}

fn all_shard_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    (0..4).flat_map(|i| shard_files(dir, i)).collect()
}

/// Writes the objects: a small one, a 5 MB one and a 20 MB one the CLI sends as a multipart
/// upload. Returns key and local file.
fn write_objects(server: &Server, dir: &Path) -> Vec<(String, PathBuf)> {
    aws_ok(server, &["s3", "mb", &format!("s3://{BUCKET}")]);
    let mut objects = Vec::new();
    for (key, len) in [("small", 10_000), ("large", 5 << 20), ("multi", 20 << 20)] {
        let local = dir.join(format!("{key}.src"));
        write_random(&local, len, len as u64);
        aws_ok(
            server,
            &[
                "s3",
                "cp",
                local.to_str().unwrap(),
                &format!("s3://{BUCKET}/{key}"),
            ],
        );
        objects.push((key.to_string(), local));
    }
    objects
}

fn read_back(server: &Server, dir: &Path, objects: &[(String, PathBuf)]) {
    for (key, local) in objects {
        let got = dir.join(format!("{key}.got"));
        aws_ok(
            server,
            &[
                "s3",
                "cp",
                &format!("s3://{BUCKET}/{key}"),
                got.to_str().unwrap(),
            ],
        );
        assert!(
            std::fs::read(&got).unwrap() == std::fs::read(local).unwrap(),
            "{key} differs"
        );
    }
}

/// `strata admin heal-status` until `done` holds (60 s at most); the last answer.
fn heal_status_until(server: &Server, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = json_of(&admin(server, &["heal-status"]));
        if done(&status) {
            return status;
        }
        assert!(Instant::now() < deadline, "waiting for {what}: {status:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The value of the series written exactly as `series` (absent: a failure).
fn value(exposition: &str, series: &str) -> f64 {
    series_value(exposition, series)
        .unwrap_or_else(|| panic!("no series {series} in\n{exposition}"))
}

#[test]
fn a_volume_wiped_while_down_is_refilled_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let (server, _) = start(&dir, &[]);
    let objects = write_objects(&server, tmp.path());
    drop(server);
    let before = shard_files(&dir, 1);
    assert!(before.len() >= 3, "{}", before.len());
    // A new, empty PV in the volume's place.
    let vol = dir.join("fast1");
    std::fs::remove_dir_all(&vol).unwrap();
    std::fs::create_dir(&vol).unwrap();

    let (server, metrics) = start(&dir, &[]);
    let status = heal_status_until(&server, "the refill", |s| {
        s["rebuilding"].as_array().is_some_and(Vec::is_empty) && s["scans"]["cheap_passes"] == 1
    });
    let pass = &status["last_scan"];
    assert_eq!(pass["versions"]["failed"], 0, "{status:#}");
    assert_eq!(
        pass["versions"]["shard_files_rebuilt"],
        before.len(),
        "{status:#}"
    );
    assert_eq!(shard_files(&dir, 1), before);
    assert!(!vol.join(".strata").join("rebuild.json").exists());
    read_back(&server, tmp.path(), &objects);

    let text = scrape(&metrics);
    let rebuilt = before.len() as f64;
    assert_eq!(
        value(&text, r#"strata_heal_shards_total{source="scanner"}"#),
        rebuilt
    );
    assert_eq!(
        value(&text, r#"strata_heal_volumes_rebuilding{class="fast"}"#),
        0.0
    );
    assert_eq!(
        value(&text, r#"strata_scanner_passes_total{depth="cheap"}"#),
        1.0
    );
    assert_eq!(value(&text, "strata_scanner_running"), 0.0);
    let full = json_of(&admin(&server, &["status"]));
    assert_eq!(full["maintenance"]["scans"]["cheap_passes"], 1, "{full:#}");
}

#[test]
fn shards_lost_while_serving_come_back_and_strays_are_swept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let (server, metrics) = start(&dir, &["--orphan-grace", "0s"]);
    let objects = write_objects(&server, tmp.path());
    let before = all_shard_files(&dir);
    // One volume loses every shard file.
    for path in shard_files(&dir, 0).keys() {
        std::fs::remove_file(path).unwrap();
    }
    // A read works around the loss, and the healer repairs what it met.
    read_back(&server, tmp.path(), &objects[1..2]);
    let status = heal_status_until(&server, "the healer", |s| s["healer"]["healed"] == 1);
    assert_eq!(status["healer"]["failed"], 0, "{status:#}");
    // One object by hand.
    let healed = json_of(&admin(
        &server,
        &["heal", "--bucket", BUCKET, "--key", "multi"],
    ));
    assert!(
        healed["shard_files_rebuilt"].as_u64() >= Some(1),
        "{healed:#}"
    );
    assert_eq!(healed["incomplete"], false);
    let out = admin(
        &server,
        &["heal", "--bucket", BUCKET, "--key", "nothing-here"],
    );
    assert_failed_with(&out, "NoSuchKey");
    // The rest by a deep pass: everything is back, byte for byte.
    let pass = json_of(&admin(&server, &["scan", "--deep", "--wait"]));
    assert_eq!(pass["last_scan"]["depth"], "deep", "{pass:#}");
    assert_eq!(pass["last_scan"]["versions"]["checked"], 3, "{pass:#}");
    assert_eq!(all_shard_files(&dir), before);

    // A shard file nothing references goes (grace 0 here).
    let stray = dir
        .join("fast3")
        .join(".strata")
        .join("data")
        .join("ab")
        .join("ab000000000000000000000000000001");
    std::fs::write(&stray, b"left by a crash").unwrap();
    let pass = json_of(&admin(&server, &["scan", "--wait"]));
    assert_eq!(pass["last_scan"]["orphans_removed"], 1, "{pass:#}");
    assert!(!stray.exists());
    assert_eq!(all_shard_files(&dir), before);
    read_back(&server, tmp.path(), &objects);

    let text = scrape(&metrics);
    assert_eq!(
        value(
            &text,
            r#"strata_heal_versions_total{source="healer",outcome="healed"}"#
        ),
        1.0
    );
    assert_eq!(
        value(&text, r#"strata_scanner_passes_total{depth="deep"}"#),
        1.0
    );
    assert_eq!(value(&text, "strata_scanner_orphans_removed_total"), 1.0);
    // Without --metrics-per-bucket, no bucket is named.
    assert!(!text.contains("strata_bucket_objects"), "{text}");
    let out = aws_run(
        &server,
        &["s3api", "head-object", "--bucket", BUCKET, "--key", "small"],
    );
    assert!(out.status.success());
}

#[test]
fn a_volume_short_of_its_reserve_refuses_writes_with_507_and_still_deletes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let (server, _) = start(&dir, &[]);
    let objects = write_objects(&server, tmp.path());
    drop(server);
    // More reserve than any disk here has free: every volume is "full" for data.
    let (server, _) = start(&dir, &["--volume-reserve", "1000TiB"]);
    let before = all_shard_files(&dir);
    let local = &objects[1].1;
    let out = aws_run(
        &server,
        &[
            "s3api",
            "put-object",
            "--bucket",
            BUCKET,
            "--key",
            "more",
            "--body",
            local.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("XStrataStorageFull"),
        "{stderr}"
    );
    assert_eq!(all_shard_files(&dir), before, "nothing was stored");
    // Reads work, and a delete (metadata only) frees space.
    read_back(&server, tmp.path(), &objects);
    aws_ok(&server, &["s3", "rm", &format!("s3://{BUCKET}/large")]);
    let out = aws_run(
        &server,
        &["s3api", "head-object", "--bucket", BUCKET, "--key", "large"],
    );
    assert!(!out.status.success());
}

/// `GET /strata/health/ready`'s status code.
fn ready(server: &Server) -> u16 {
    let head = "GET /strata/health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    strata_tests::raw(&server.addr, head, b"").unwrap().status
}

/// The admin status entry of volume `fast{i}`.
fn volume_entry(server: &Server, i: usize) -> Value {
    let status = json_of(&admin(server, &["status"]));
    let suffix = format!("fast{i}");
    status["classes"][0]["volumes"]
        .as_array()
        .and_then(|vs| {
            vs.iter()
                .find(|v| v["path"].as_str().is_some_and(|p| p.ends_with(&suffix)))
        })
        .cloned()
        .unwrap_or_else(|| panic!("no fast{i} in {status:#}"))
}

/// Polls `done` every 200 ms for up to 60 s.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_volume_that_goes_away_while_serving_is_reported_and_brought_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let (server, metrics) = start(&dir, &["--volume-check-interval", "1s"]);
    let mut objects = write_objects(&server, tmp.path());
    let online = |i: usize| {
        let path = volume_entry(&server, i)["path"]
            .as_str()
            .unwrap()
            .to_string();
        let series = format!(r#"strata_volume_online{{class="fast",volume="{path}"}}"#);
        value(&scrape(&metrics), &series)
    };
    assert_eq!(online(2), 1.0);

    // The volume's directory goes away (an unmounted PV): out of service, the pod ready.
    let vol = dir.join("fast2");
    let aside = dir.join("fast2.aside");
    std::fs::rename(&vol, &aside).unwrap();
    wait_for("fast2 out of service", || online(2) == 0.0);
    let entry = volume_entry(&server, 2);
    assert_eq!(entry["online"], false, "{entry:#}");
    assert!(
        entry["reason"].as_str().unwrap().contains("does not exist"),
        "{entry:#}"
    );
    assert!(entry["down_since_unix"].as_u64().is_some(), "{entry:#}");
    assert_eq!(ready(&server), 200);
    let local = tmp.path().join("while-away.src");
    write_random(&local, 3 << 20, 99);
    let target = format!("s3://{BUCKET}/while-away");
    aws_ok(&server, &["s3", "cp", local.to_str().unwrap(), &target]);
    objects.push(("while-away".into(), local));

    // A second one gone takes the class below its write quorum: not ready.
    std::fs::rename(dir.join("fast3"), dir.join("fast3.aside")).unwrap();
    wait_for("not ready", || ready(&server) == 503);
    std::fs::rename(dir.join("fast3.aside"), dir.join("fast3")).unwrap();
    wait_for("ready again", || ready(&server) == 200);

    // Both come back, and what fast2 missed is refilled without a restart.
    std::fs::rename(&aside, &vol).unwrap();
    let status = heal_status_until(&server, "the refill", |s| {
        s["rebuilding"].as_array().is_some_and(Vec::is_empty)
            && s["last_scan"]["versions"]["shard_files_rebuilt"].as_u64() >= Some(1)
            && online(2) == 1.0
    });
    assert_eq!(status["last_scan"]["versions"]["failed"], 0, "{status:#}");
    let pass = json_of(&admin(&server, &["scan", "--deep", "--wait"]));
    assert_eq!(pass["last_scan"]["versions"]["healed"], 0, "{pass:#}");
    read_back(&server, tmp.path(), &objects);
}
