//! The monitoring chain for real: `strata serve --metrics-listen` under real `aws` CLI traffic,
//! scraped every second by a real Prometheus loading `manifests/monitoring/rules/`, alerting a
//! real Alertmanager that delivers to a webhook receiver in this test.
//!
//! - every PromQL expression of the dashboard and of the rules evaluates without error, and
//!   every metric family they name is in strata's exposition (but those not exported yet:
//!   `NOT_YET_EXPORTED`, and the injector's, which its own tests check);
//! - `promtool check metrics` accepts the exposition in both formats;
//! - a volume whose format record is unreadable at start fires StrataVolumeOffline (the
//!   rules file as shipped, `for: 1m` included) through Alertmanager to the webhook.
//!
//! Needs `STRATA_PROMETHEUS`, `STRATA_PROMTOOL`, `STRATA_ALERTMANAGER` and `STRATA_AWS`
//! (`tests/realparts/install.sh`, then `source ~/.cache/strata-tools/env.sh`); without them
//! the tests fail.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use strata_tests::{
    free_port, promtool_check_metrics, required_env, run_ok, templates_dir, Layout, Received,
    Receiver, Server, ACCESS_KEY, SECRET_KEY,
};

#[path = "monitoring/processes.rs"]
mod processes;
#[path = "monitoring/promql.rs"]
mod promql;

use processes::{get_accepting, Tool};
use promql::{dashboard_queries, declared_families, families, monitoring_dir};

const STRATA: &str = env!("CARGO_BIN_EXE_strata");

/// Families of docs/OBSERVABILITY.md that rules and panels use before strata exports them:
/// the KMS family is reserved for the encryption issue. Each must still be missing from the
/// exposition, so that the list shrinks when they land.
const NOT_YET_EXPORTED: [&str; 1] = ["strata_kms_requests_total"];

#[test]
fn every_dashboard_and_rule_query_evaluates_on_a_scraped_strata_after_real_traffic() {
    let metrics = format!("127.0.0.1:{}", free_port());
    // With the HTTPS listener, so that its certificate's expiry is exported too, and an audit
    // file sink, so that the sink families have series.
    let config = tempfile::tempdir().expect("tempdir");
    let config_file = config.path().join("strata.toml");
    let trail = config.path().join("audit.log");
    std::fs::write(
        &config_file,
        format!(
            "[[audit.sinks]]\nname = \"trail\"\nkind = \"file\"\npath = \"{}\"\n",
            trail.display()
        ),
    )
    .expect("write the config file");
    let server = Server::builder()
        .binary(STRATA)
        .layout(Layout::fast_2x2_bulk_mirror())
        .tls()
        .arg("--metrics-listen")
        .arg(&metrics)
        .arg("--config")
        .arg(&config_file.display().to_string())
        .start();
    aws_traffic(&server);

    let text = exposition(&metrics, "text/plain", "text/plain; version=0.0.4");
    let open = exposition(
        &metrics,
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        "application/openmetrics-text; version=1.0.0",
    );
    assert!(open.ends_with("# EOF\n"), "OpenMetrics ends in # EOF");
    assert!(!text.contains("# EOF"), "the 0.0.4 text has no # EOF");
    promtool_check_metrics(&text, false);
    promtool_check_metrics(&open, true);

    let prometheus = Tool::prometheus(&prometheus_config(&metrics, None));
    wait_until(
        &prometheus,
        Duration::from_secs(60),
        "the traffic is scraped",
        |p| {
            !p.query(r#"strata_s3_requests_total{op="GetObject", status_class="2xx"} > 0"#)
                ["result"]
                .as_array()
                .expect("result")
                .is_empty()
        },
    );

    // Every series name of the exposition is in Prometheus, found through its HTTP API.
    let stored: BTreeSet<String> = prometheus
        .api("/api/v1/label/__name__/values")
        .as_array()
        .expect("names")
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    let exposed: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap_or_default().to_owned())
        .collect();
    let missing: Vec<_> = exposed.difference(&stored).collect();
    assert!(
        missing.is_empty(),
        "scraped but not in Prometheus: {missing:?}"
    );
    for family in [
        "strata_s3_requests_total",
        "strata_s3_request_duration_seconds_bucket",
        "strata_s3_errors_total",
        "strata_volume_online",
        "strata_class_write_quorum",
        "strata_heal_queue_depth",
        "strata_tls_certificate_expiry_timestamp_seconds",
        "strata_build_info",
    ] {
        assert!(
            stored.contains(family),
            "{family} not in Prometheus: {stored:?}"
        );
    }

    // Every dashboard query evaluates; the request panel shows the traffic.
    let dashboard = dashboard_queries();
    for (title, expr) in &dashboard {
        prometheus.query_for(&format!("dashboard panel {title:?}"), expr);
    }
    let (_, requests) = dashboard
        .iter()
        .find(|(title, _)| title == "Request rate by operation")
        .expect("request rate panel");
    // A rate needs two scrapes of the counters.
    wait_until(
        &prometheus,
        Duration::from_secs(30),
        "the request rate panel shows the traffic",
        |p| {
            !p.query(requests)["result"]
                .as_array()
                .expect("result")
                .is_empty()
        },
    );

    // Every rule Prometheus loaded from the shipped file evaluates, and did so without error.
    let rules = loaded_rules(&prometheus);
    let shipped = std::fs::read_to_string(monitoring_dir().join("rules/strata.rules.yml"))
        .expect("rules file")
        .lines()
        .filter(|l| l.trim_start().starts_with("- alert:"))
        .count();
    assert_eq!(
        rules.len(),
        shipped,
        "Prometheus loaded every alert of the file"
    );
    wait_until(
        &prometheus,
        Duration::from_secs(30),
        "every rule is evaluated",
        |p| loaded_rules(p).iter().all(|r| r["health"] == "ok"),
    );
    for rule in &rules {
        let name = rule["name"].as_str().unwrap_or_default();
        prometheus.query_for(
            &format!("rule {name}"),
            rule["query"].as_str().expect("query"),
        );
    }

    // Every metric a rule or a panel names is in strata's real exposition.
    let declared = declared_families(&text);
    let used: BTreeSet<String> = rules
        .iter()
        .map(|r| r["query"].as_str().unwrap_or_default().to_owned())
        .chain(dashboard.into_iter().map(|(_, expr)| expr))
        .flat_map(|expr| families(&expr))
        .collect();
    // The injector's own families are checked against its exposition, by its tests.
    let undeclared: Vec<_> = used
        .iter()
        .filter(|f| !f.starts_with("strata_injector_"))
        .filter(|f| !declared.contains(*f) && !NOT_YET_EXPORTED.contains(&f.as_str()))
        .collect();
    assert!(
        undeclared.is_empty(),
        "used by a rule or panel, not in the exposition: {undeclared:?}\n{text}"
    );
    for family in NOT_YET_EXPORTED {
        assert!(
            !declared.contains(family),
            "{family} is exported now: remove it from NOT_YET_EXPORTED"
        );
    }
    drop(prometheus);
    drop(server);
}

#[test]
fn a_volume_unreadable_at_start_fires_strata_volume_offline_through_alertmanager_to_a_webhook() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("server");
    // The first start formats the volumes; then one format record is made unreadable.
    drop(Server::builder().binary(STRATA).dir(&dir).start());
    let broken = dir.join("fast1");
    std::fs::write(broken.join(".strata/format.json"), b"not a format record")
        .expect("break the format record");
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = Server::builder()
        .binary(STRATA)
        .dir(&dir)
        .arg("--metrics-listen")
        .arg(&metrics)
        .start();
    let text = exposition(&metrics, "*/*", "text/plain; version=0.0.4");
    let volume = broken.display().to_string();
    assert!(
        text.lines().any(|l| l.starts_with("strata_volume_online{")
            && l.contains(&format!("volume=\"{volume}\""))
            && l.ends_with(" 0")),
        "{volume} is not exported as offline:\n{text}"
    );

    // The webhook Alertmanager delivers to (standing in for PagerDuty's events API).
    let hook = Receiver::start();
    let alertmanager = Tool::alertmanager(&format!(
        "route: {{receiver: hook, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}}\n\
         receivers:\n  - name: hook\n    webhook_configs: [{{url: \"{}\"}}]\n",
        hook.url("/alerts")
    ));
    let prometheus = Tool::prometheus(&prometheus_config(&metrics, Some(&alertmanager.addr)));
    // First scrape ~5 s after start, then the rule's `for: 1m`, then Alertmanager's group_wait.
    let firing = |r: &Received| {
        let body = r.text();
        body.contains("\"StrataVolumeOffline\"") && body.contains("\"firing\"")
    };
    let deadline = Instant::now() + Duration::from_secs(180);
    let delivered = loop {
        if let Some(r) = hook.accepted().iter().find(|r| firing(r)) {
            break Some(r.text());
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let Some(body) = delivered else {
        let received: Vec<String> = hook.all().iter().map(Received::text).collect();
        panic!(
            "no StrataVolumeOffline reached the webhook in 180 s; received {:?}\n\
             alerts in Prometheus: {}\n--- prometheus log\n{}\n--- alertmanager log\n{}",
            received,
            prometheus.api("/api/v1/alerts"),
            prometheus.log_text(),
            alertmanager.log_text()
        );
    };
    let message: Value = serde_json::from_str(&body).expect("webhook JSON");
    assert_eq!(message["receiver"], "hook");
    let alert = message["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .find(|a| a["labels"]["alertname"] == "StrataVolumeOffline")
        .expect("the alert");
    assert_eq!(alert["status"], "firing");
    assert_eq!(alert["labels"]["volume"], volume.as_str());
    assert_eq!(alert["labels"]["class"], "fast");
    assert_eq!(alert["labels"]["severity"], "warning");
    assert_eq!(
        alert["annotations"]["summary"],
        format!("strata volume {volume} of class fast is offline")
    );
    assert!(!alert["annotations"]["runbook"]
        .as_str()
        .unwrap_or_default()
        .is_empty());
    drop(prometheus);
    drop(alertmanager);
    drop(server);
}

/// mb, cp up, ls, cp down, a GET of a missing key (404) and a listing signed with a wrong
/// secret key (403), with the real aws CLI v2.
fn aws_traffic(server: &Server) {
    let work = tempfile::tempdir().expect("tempdir");
    let file = work.path().join("object.bin");
    std::fs::write(&file, vec![7u8; 100_000]).expect("write object");
    let aws_with = |secret: &str| {
        let mut c = Command::new(required_env("STRATA_AWS"));
        c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", templates_dir().join("aws.config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_CA_BUNDLE")
            .env_remove("AWS_PROFILE")
            .args(["--endpoint-url", &server.endpoint()]);
        c
    };
    let aws = || aws_with(SECRET_KEY);
    run_ok(aws().args(["s3", "mb", "s3://watched"]));
    run_ok(
        aws()
            .args(["s3", "cp"])
            .arg(&file)
            .arg("s3://watched/object.bin"),
    );
    run_ok(aws().args(["s3", "ls", "s3://watched/"]));
    run_ok(
        aws()
            .args(["s3", "cp", "s3://watched/object.bin"])
            .arg(work.path().join("back.bin")),
    );
    let missing = aws()
        .args([
            "s3api",
            "get-object",
            "--bucket",
            "watched",
            "--key",
            "missing",
        ])
        .arg(work.path().join("missing.bin"))
        .stdin(Stdio::null())
        .output()
        .expect("run aws");
    assert!(
        !missing.status.success() && String::from_utf8_lossy(&missing.stderr).contains("NoSuchKey"),
        "a missing key is NoSuchKey: {}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let forged = aws_with("not-the-secret-key")
        .args(["s3", "ls", "s3://watched/"])
        .stdin(Stdio::null())
        .output()
        .expect("run aws");
    assert!(
        !forged.status.success()
            && String::from_utf8_lossy(&forged.stderr).contains("SignatureDoesNotMatch"),
        "a wrong secret key is SignatureDoesNotMatch: {}",
        String::from_utf8_lossy(&forged.stderr)
    );
}

/// GETs `/metrics` with `accept`; checks the answer is 200 of `content_type` (a prefix).
fn exposition(addr: &str, accept: &str, content_type: &str) -> String {
    let (status, got, body) =
        get_accepting(addr, "/metrics", accept).expect("the metrics listener answers");
    assert_eq!(status, 200, "{body}");
    assert!(
        got.starts_with(content_type),
        "Content-Type {got:?} for Accept {accept:?}"
    );
    body
}

/// Scrape `target` every second, evaluate the shipped rules every second, and alert
/// `alertmanager` when given.
fn prometheus_config(target: &str, alertmanager: Option<&str>) -> String {
    let rules = monitoring_dir().join("rules/strata.rules.yml");
    let rules = rules
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", rules.display()));
    let mut config = format!(
        "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\n\
         rule_files: [\"{}\"]\n\
         scrape_configs:\n  - job_name: strata\n    static_configs: [{{targets: [\"{target}\"]}}]\n",
        rules.display()
    );
    if let Some(am) = alertmanager {
        config.push_str(&format!(
            "alerting:\n  alertmanagers: [{{static_configs: [{{targets: [\"{am}\"]}}]}}]\n"
        ));
    }
    config
}

/// The rules Prometheus has loaded, as its `/api/v1/rules` lists them.
fn loaded_rules(prometheus: &Tool) -> Vec<Value> {
    prometheus.api("/api/v1/rules")["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn wait_until(prometheus: &Tool, within: Duration, what: &str, done: impl Fn(&Tool) -> bool) {
    let deadline = Instant::now() + within;
    while !done(prometheus) {
        assert!(
            Instant::now() < deadline,
            "not within {within:?}: {what}\n--- prometheus log\n{}",
            prometheus.log_text()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}
