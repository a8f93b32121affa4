use super::super::{load, ConfigError, ServeArgs};
use super::*;

fn with(pairs: &[(&str, &str)]) -> Result<Telemetry, ConfigError> {
    let mut env: Vec<(String, String)> = [
        ("STRATA_DATA", "/d"),
        ("STRATA_VOLUMES", "fast=/v/0,/v/1,/v/2,/v/3"),
        ("STRATA_ACCESS_KEY", "root"),
        ("STRATA_SECRET_KEY", "rootsecret"),
    ]
    .iter()
    .chain(pairs)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.reverse();
    let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let no_files = |_: &std::path::Path| Err(std::io::Error::from(std::io::ErrorKind::NotFound));
    load(&ServeArgs::default(), &lookup, &no_files).map(|c| c.telemetry)
}

#[test]
fn by_default_no_metrics_listener_no_bucket_series_text_logs_and_access_lines_at_debug() {
    assert_eq!(with(&[]).unwrap(), Telemetry::default());
    assert_eq!(Telemetry::default().access_log, AccessLogLevel::Debug);
}

#[test]
fn each_setting_is_read_from_its_variable() {
    let t = with(&[
        ("STRATA_METRICS_LISTEN", "10.0.0.7:9464"),
        ("STRATA_METRICS_PER_BUCKET", "true"),
        ("STRATA_LOG_FORMAT", "json"),
        ("STRATA_ACCESS_LOG_LEVEL", "info"),
    ])
    .unwrap();
    assert_eq!(t.metrics_listen, Some("10.0.0.7:9464".parse().unwrap()));
    assert!(t.metrics_per_bucket);
    assert_eq!(
        (t.log_format, t.access_log),
        (LogFormat::Json, AccessLogLevel::Info)
    );
}

#[test]
fn bad_values_name_their_setting() {
    for (var, value, flag) in [
        ("STRATA_METRICS_LISTEN", "9464", "--metrics-listen"),
        ("STRATA_METRICS_PER_BUCKET", "maybe", "--metrics-per-bucket"),
        ("STRATA_LOG_FORMAT", "xml", "--log-format"),
        ("STRATA_ACCESS_LOG_LEVEL", "loud", "--access-log-level"),
    ] {
        let err = with(&[(var, value)]).unwrap_err();
        assert!(err.to_string().starts_with(flag), "{err}");
    }
}

#[test]
fn the_metrics_listener_cannot_share_an_s3_listener_address() {
    let err = with(&[("STRATA_METRICS_LISTEN", "127.0.0.1:9000")]).unwrap_err();
    assert!(err.to_string().starts_with("--metrics-listen"), "{err}");
    let err = with(&[
        ("STRATA_TLS_LISTEN", "0.0.0.0:8443"),
        ("STRATA_METRICS_LISTEN", "0.0.0.0:8443"),
    ])
    .unwrap_err();
    assert!(err.to_string().starts_with("--metrics-listen"), "{err}");
}
