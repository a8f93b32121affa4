//! The metrics endpoints of the real binary: what a scrape shows after real requests, a volume
//! missing at start, a shard lost under an object, and a bad signature.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use strata_tests::{free_port, pattern, raw, series_value as value, Layout, Reply, Server};

fn get(addr: &str, path: &str, accept: Option<&str>) -> Reply {
    let accept = accept.map_or(String::new(), |a| format!("accept: {a}\r\n"));
    raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nhost: x\r\n{accept}"),
        b"",
    )
    .expect("scrape")
}

/// Scrapes until `series` reads `want`: a request is counted just after its answer is sent, so
/// a scrape right after the answer may not see it yet. Returns the last exposition.
fn scrape_until(addr: &str, series: &str, want: f64) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = get(addr, "/metrics", None).text();
        if value(&text, series) == Some(want) || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start_with_metrics_listener() -> (Server, String) {
    let port = free_port();
    let s = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .arg("--metrics-listen")
        .arg(&format!("127.0.0.1:{port}"))
        .start();
    (s, format!("127.0.0.1:{port}"))
}

#[test]
fn requests_are_counted_by_operation_status_and_bytes_on_the_metrics_listener() {
    let (s, metrics) = start_with_metrics_listener();
    assert_eq!(s.request("PUT", "/counted", b"").status, 200);
    assert_eq!(s.request("PUT", "/counted/k", &[7u8; 1000]).status, 200);
    assert_eq!(s.request("GET", "/counted/k", b"").status, 200);
    assert_eq!(s.request("GET", "/counted/missing", b"").status, 404);
    let last = r#"strata_s3_requests_total{op="GetObject",status_class="4xx"}"#;
    scrape_until(&metrics, last, 1.0);
    let scrape = get(&metrics, "/metrics", None);
    assert_eq!(scrape.status, 200);
    assert!(scrape
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = scrape.text();
    let v = |series: &str| value(&text, series).unwrap_or_else(|| panic!("{series} in\n{text}"));
    assert_eq!(
        v(r#"strata_s3_requests_total{op="CreateBucket",status_class="2xx"}"#),
        1.0
    );
    assert_eq!(
        v(r#"strata_s3_requests_total{op="PutObject",status_class="2xx"}"#),
        1.0
    );
    assert_eq!(
        v(r#"strata_s3_requests_total{op="GetObject",status_class="2xx"}"#),
        1.0
    );
    assert_eq!(
        v(r#"strata_s3_requests_total{op="GetObject",status_class="4xx"}"#),
        1.0
    );
    assert_eq!(v(r#"strata_s3_errors_total{code="NoSuchKey"}"#), 1.0);
    assert_eq!(
        v(r#"strata_s3_received_bytes_total{op="PutObject"}"#),
        1000.0
    );
    assert!(v(r#"strata_s3_sent_bytes_total{op="GetObject"}"#) >= 1000.0);
    assert_eq!(
        v(r#"strata_s3_request_duration_seconds_count{op="GetObject"}"#),
        2.0
    );
    assert_eq!(v("strata_s3_requests_in_flight_limit"), 256.0);
    assert_eq!(v(r#"strata_class_volumes_online{class="fast"}"#), 4.0);
    assert_eq!(v(r#"strata_class_write_quorum{class="fast"}"#), 3.0);
    assert!(v(r#"strata_build_info{version="0.1.0"}"#) == 1.0);
    // Only /metrics is served there; S3 is not.
    assert_eq!(get(&metrics, "/counted/k", None).status, 404);
    // OpenMetrics when asked for.
    let om = get(
        &metrics,
        "/metrics",
        Some("application/openmetrics-text;version=1.0.0"),
    );
    assert!(om
        .header("content-type")
        .unwrap()
        .starts_with("application/openmetrics-text"));
    assert!(om.text().ends_with("# EOF\n"));
}

#[test]
fn the_s3_listener_serves_metrics_under_strata_and_a_plain_metrics_path_is_s3() {
    let s = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .start();
    let scrape = get(&s.addr, "/strata/metrics", None);
    assert_eq!(scrape.status, 200);
    assert!(scrape.text().contains("# TYPE strata_volume_online gauge"));
    // `/metrics` is a bucket named `metrics` to S3: unsigned, it is refused as S3 refuses.
    let plain = get(&s.addr, "/metrics", None);
    assert_eq!(plain.status, 403, "{}", plain.text());
    assert!(!plain.text().contains("strata_"));
}

#[test]
fn a_bad_signature_is_an_auth_failure_by_reason() {
    let (s, metrics) = start_with_metrics_listener();
    let wrong = s.signed_head("GET", "/", &[], "not-the-secret-key");
    let reply = raw(&s.addr, &wrong, b"").unwrap();
    assert_eq!(reply.status, 403);
    let series =
        r#"strata_auth_failures_total{stage="authenticate",reason="SignatureDoesNotMatch"}"#;
    let text = scrape_until(&metrics, series, 1.0);
    assert_eq!(value(&text, series), Some(1.0), "{text}");
}

#[test]
fn a_volume_missing_at_start_reads_zero_and_its_class_one_less_online() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("srv");
    let vols: Vec<String> = (0..4)
        .map(|i| d.join(format!("v{i}")).display().to_string())
        .collect();
    for v in &vols {
        std::fs::create_dir_all(v).unwrap();
    }
    let port = free_port();
    let start = || {
        Server::builder()
            .binary(env!("CARGO_BIN_EXE_strata"))
            .dir(&d)
            .env("STRATA_VOLUMES", &format!("fast={}", vols.join(",")))
            .env("STRATA_ERASURE", "fast=2+2")
            .arg("--metrics-listen")
            .arg(&format!("127.0.0.1:{port}"))
            .start()
    };
    // A set is made whole; then one volume's directory is gone (its PV was not mounted).
    drop(start());
    std::fs::remove_dir_all(&vols[3]).unwrap();
    let _s = start();
    let text = get(&format!("127.0.0.1:{port}"), "/metrics", None).text();
    let online = |v: &str| {
        value(
            &text,
            &format!(r#"strata_volume_online{{class="fast",volume="{v}"}}"#),
        )
    };
    assert_eq!(online(&vols[0]), Some(1.0), "{text}");
    assert_eq!(online(&vols[3]), Some(0.0), "{text}");
    assert_eq!(
        value(&text, r#"strata_class_volumes_online{class="fast"}"#),
        Some(3.0)
    );
    assert_eq!(
        value(&text, r#"strata_class_volumes{class="fast"}"#),
        Some(4.0)
    );
    let free = format!(
        r#"strata_volume_free_bytes{{class="fast",volume="{}"}}"#,
        vols[0]
    );
    assert!(value(&text, &free).is_some_and(|b| b > 0.0), "{text}");
    let offline_space = format!(
        r#"strata_volume_free_bytes{{class="fast",volume="{}"}}"#,
        vols[3]
    );
    assert_eq!(value(&text, &offline_space), None);
}

/// Every shard file under a volume directory.
fn shard_files(volume: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(fans) = std::fs::read_dir(volume.join(".strata/data")) else {
        return out;
    };
    for fan in fans.flatten() {
        for f in std::fs::read_dir(fan.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            out.push(f.path());
        }
    }
    out
}

#[test]
fn a_read_around_a_lost_shard_is_counted_as_degraded_and_healed() {
    let (s, metrics) = start_with_metrics_listener();
    assert_eq!(s.request("PUT", "/healme", b"").status, 200);
    // Larger than the inline limit, so its shards are files.
    let body = pattern(600 * 1024, 7);
    assert_eq!(s.request("PUT", "/healme/k", &body).status, 200);
    let lost = shard_files(&s.dir().join("fast0"));
    assert_eq!(lost.len(), 1, "one shard file on fast0: {lost:?}");
    std::fs::remove_file(&lost[0]).unwrap();
    let got = s.request("GET", "/healme/k", b"");
    assert_eq!(got.status, 200);
    assert!(got.body == body, "the object reads back whole");
    let degraded = r#"strata_degraded_reads_total{class="fast"}"#;
    let text = scrape_until(&metrics, degraded, 1.0);
    let v = |series: &str| value(&text, series);
    assert_eq!(
        v(r#"strata_shard_problems_total{class="fast",problem="missing"}"#),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        v(r#"strata_shard_problems_total{class="fast",problem="corrupt"}"#),
        Some(0.0)
    );
    assert_eq!(v(r#"strata_degraded_reads_total{class="fast"}"#), Some(1.0));
    // The healer takes the report off the queue and puts the shard file back.
    let healed = r#"strata_heal_versions_total{source="healer",outcome="healed"}"#;
    let text = scrape_until(&metrics, healed, 1.0);
    let v = |series: &str| value(&text, series);
    assert_eq!(v(healed), Some(1.0), "{text}");
    assert_eq!(v(r#"strata_heal_shards_total{source="healer"}"#), Some(1.0));
    assert_eq!(v("strata_heal_queue_depth"), Some(0.0));
    assert!(lost[0].exists(), "the shard file is back");
}
