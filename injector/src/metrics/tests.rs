//! The exposition the injector serves: names and formats as the naming rules and the two
//! text formats say.

use std::time::Duration;

use super::{Format, Metrics};
use crate::admission::Verdict;

/// What Prometheus 2.x sends when it scrapes.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn openmetrics_is_chosen_only_when_the_scraper_accepts_it() {
    assert_eq!(
        Format::from_accept(Some(PROMETHEUS_ACCEPT)),
        Format::OpenMetrics
    );
    assert_eq!(
        Format::from_accept(Some("Application/OpenMetrics-Text")),
        Format::OpenMetrics
    );
    assert_eq!(Format::from_accept(None), Format::Prometheus);
    assert_eq!(Format::from_accept(Some("*/*")), Format::Prometheus);
    assert_eq!(
        Format::from_accept(Some("text/plain;version=0.0.4")),
        Format::Prometheus
    );
    assert_eq!(
        Format::from_accept(Some("application/openmetrics-text;q=0, text/plain")),
        Format::Prometheus
    );
}

#[test]
fn content_types_name_the_format_and_its_version() {
    assert_eq!(
        Format::OpenMetrics.content_type(),
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert_eq!(
        Format::Prometheus.content_type(),
        "text/plain; version=0.0.4; charset=utf-8"
    );
}

#[test]
fn prometheus_text_names_counters_with_total_and_has_no_eof() {
    let metrics = Metrics::new();
    metrics.observe(Some(Verdict::Injected), Duration::from_micros(300));
    metrics.observe(None, Duration::from_millis(2));
    metrics.certificate_loaded(1_900_000_000);
    let text = metrics.render(Format::Prometheus);
    let got = lines(&text);
    for line in [
        "# HELP strata_injector_admissions_total Admission reviews answered, by result.",
        "# TYPE strata_injector_admissions_total counter",
        "strata_injector_admissions_total{result=\"injected\"} 1",
        "strata_injector_admissions_total{result=\"already_injected\"} 0",
        "strata_injector_admissions_total{result=\"skipped\"} 0",
        "strata_injector_admissions_total{result=\"rejected\"} 0",
        "strata_injector_admissions_total{result=\"bad_request\"} 1",
        "# TYPE strata_injector_admission_duration_seconds histogram",
        "strata_injector_admission_duration_seconds_bucket{le=\"0.00025\"} 0",
        "strata_injector_admission_duration_seconds_bucket{le=\"0.0005\"} 1",
        "strata_injector_admission_duration_seconds_bucket{le=\"0.0025\"} 2",
        "strata_injector_admission_duration_seconds_bucket{le=\"+Inf\"} 2",
        "strata_injector_admission_duration_seconds_count 2",
        "# TYPE strata_injector_certificate_expiry_timestamp_seconds gauge",
        "strata_injector_certificate_expiry_timestamp_seconds 1900000000",
        "# TYPE strata_injector_certificate_loads_total counter",
        "strata_injector_certificate_loads_total 1",
    ] {
        assert!(got.contains(&line), "missing {line:?} in\n{text}");
    }
    assert!(
        !got.iter()
            .any(|l| l.starts_with("# EOF") || l.starts_with("# UNIT")),
        "{text}"
    );
}

#[test]
fn openmetrics_names_counter_families_without_total_and_ends_in_eof() {
    let metrics = Metrics::new();
    metrics.observe(Some(Verdict::Rejected), Duration::from_micros(50));
    let text = metrics.render(Format::OpenMetrics);
    let got = lines(&text);
    for line in [
        "# TYPE strata_injector_admissions counter",
        "strata_injector_admissions_total{result=\"rejected\"} 1",
        "# TYPE strata_injector_certificate_loads counter",
        "strata_injector_certificate_loads_total 0",
        "strata_injector_admission_duration_seconds_count 1",
    ] {
        assert!(got.contains(&line), "missing {line:?} in\n{text}");
    }
    assert_eq!(got.last(), Some(&"# EOF"), "{text}");
}

#[test]
fn both_formats_carry_the_same_samples() {
    let metrics = Metrics::new();
    metrics.observe(Some(Verdict::Skipped), Duration::from_millis(7));
    // The same lines; the encoders order a histogram's _sum and _count differently.
    let samples = |format| -> std::collections::BTreeSet<String> {
        metrics
            .render(format)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(samples(Format::OpenMetrics), samples(Format::Prometheus));
}

/// The `strata_injector_…` families the shipped alert rules query, from
/// `manifests/monitoring/rules/strata.rules.yml` (the gateway's monitoring test checks the
/// other families against strata's exposition; these are the injector's).
fn families_the_rules_use() -> Vec<String> {
    // The directory cargo runs the test from, not the one it was compiled in: a build cache
    // shared between clones reuses a test binary compiled elsewhere.
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    let path = crate_dir.join("../manifests/monitoring/rules/strata.rules.yml");
    let rules =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut names: Vec<String> = rules
        .split(|c: char| !word(c))
        .filter(|w| w.starts_with("strata_injector_"))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn every_injector_family_the_alert_rules_use_is_served() {
    let used = families_the_rules_use();
    assert!(
        used.len() >= 3,
        "the rules use the injector's families: {used:?}"
    );
    let text = Metrics::new().render(Format::Prometheus);
    let served: Vec<&str> = lines(&text)
        .into_iter()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    for name in &used {
        assert!(
            served.contains(&name.as_str()),
            "the rules use {name}, which the injector does not serve:\n{text}"
        );
    }
}
