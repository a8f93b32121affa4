//! What the dashboard and the rules query: the dashboard's PromQL (with Grafana's variables
//! given values Prometheus can evaluate), the metric families an expression names, and the
//! families an exposition declares.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

/// `manifests/monitoring/` of this checkout (read when the test runs, as the harness does).
pub fn monitoring_dir() -> PathBuf {
    strata_tests::crate_dir().join("../manifests/monitoring")
}

/// Every query of every panel of `dashboards/strata.json`, with `$__rate_interval` as `1m`
/// and the `namespace`/`pod` variables as "All" (`.*`, which also matches a missing label).
pub fn dashboard_queries() -> Vec<(String, String)> {
    let path = monitoring_dir().join("dashboards/strata.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let dashboard: Value = serde_json::from_str(&text).expect("dashboard JSON");
    let mut queries = Vec::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let Some(expr) = target["expr"].as_str() else {
                continue;
            };
            let expr = expr
                .replace("$__rate_interval", "1m")
                .replace("$namespace", ".*")
                .replace("$pod", ".*");
            assert!(!expr.contains('$'), "unsubstituted variable in {expr}");
            let title = panel["title"].as_str().unwrap_or_default().to_owned();
            queries.push((title, expr));
        }
    }
    assert!(queries.len() > 20, "too few dashboard queries: {queries:?}");
    queries
}

/// The metric families `expr` names: `strata_…` words, a histogram's `_bucket`/`_sum`/
/// `_count` series counted as their family.
pub fn families(expr: &str) -> BTreeSet<String> {
    let bytes = expr.as_bytes();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while let Some(found) = expr[i..].find("strata_") {
        let start = i + found;
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut end = start;
        while end < bytes.len() && word(bytes[end]) {
            end += 1;
        }
        if start == 0 || !word(bytes[start - 1]) {
            let mut name = &expr[start..end];
            for suffix in ["_bucket", "_sum", "_count"] {
                if let Some(base) = name.strip_suffix(suffix) {
                    if base.ends_with("_seconds") {
                        name = base;
                    }
                }
            }
            names.insert(name.to_owned());
        }
        i = end;
    }
    names
}

/// The names of the `# TYPE` lines of an exposition.
pub fn declared_families(exposition: &str) -> BTreeSet<String> {
    exposition
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}
