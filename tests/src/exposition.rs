//! Linting a metrics exposition with the real `promtool check metrics`.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::tools::required_env;

/// Runs `promtool check metrics` (`STRATA_PROMTOOL`) on `text`; panics unless it is accepted.
///
/// promtool reads only the Prometheus 0.0.4 text format: given OpenMetrics (`openmetrics`
/// true) it parses the samples the same way, but an OpenMetrics counter's `# HELP`/`# TYPE`
/// name has no `_total`, so promtool reports its `_total` samples as having no help text.
/// For OpenMetrics exactly those findings are allowed, and only for a `_total` name whose
/// family is declared a counter without the suffix; a parse error (exit 1) or any other
/// finding still fails.
pub fn promtool_check_metrics(text: &str, openmetrics: bool) {
    let promtool = required_env("STRATA_PROMTOOL");
    let mut child = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {promtool}: {e}"));
    child
        .stdin
        .take()
        .expect("promtool's stdin")
        .write_all(text.as_bytes())
        .expect("write the exposition to promtool");
    let out = child.wait_with_output().expect("promtool");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let accepted = match out.status.code() {
        Some(0) => true,
        // Exit 3: lint findings only (no parse error).
        Some(3) if openmetrics => report
            .lines()
            .filter(|l| !l.trim().is_empty())
            .all(|l| is_openmetrics_counter_help(text, l)),
        _ => false,
    };
    assert!(
        accepted,
        "promtool check metrics rejects the {} exposition ({}):\n{report}\n--- exposition\n{text}",
        if openmetrics {
            "OpenMetrics"
        } else {
            "Prometheus 0.0.4"
        },
        out.status
    );
}

/// Whether `finding` is `NAME_total no help text` for a counter declared as `NAME`.
fn is_openmetrics_counter_help(text: &str, finding: &str) -> bool {
    let Some(name) = finding.strip_suffix(" no help text") else {
        return false;
    };
    let Some(family) = name.strip_suffix("_total") else {
        return false;
    };
    text.lines()
        .any(|l| l == format!("# TYPE {family} counter"))
}

/// `GET /metrics` from a metrics listener at `addr`: the exposition's text.
pub fn scrape(addr: &str) -> String {
    crate::http::raw(addr, "GET /metrics HTTP/1.1\r\nhost: x\r\n", b"")
        .expect("scrape")
        .text()
}

/// `GET /strata/metrics` from a server's S3 listener: the exposition's text.
pub fn scrape_s3_listener(server: &crate::server::Server) -> String {
    crate::http::raw(
        &server.addr,
        "GET /strata/metrics HTTP/1.1\r\nhost: x\r\n",
        b"",
    )
    .expect("scrape")
    .text()
}

/// The value of the series written exactly as `series` (name and labels), if present.
pub fn series_value(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|l| {
        let (name, v) = l.rsplit_once(' ')?;
        (name == series).then(|| v.parse().ok()).flatten()
    })
}
