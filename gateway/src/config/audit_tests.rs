//! `[[audit.sinks]]` in the config file: defaults, every kind, and errors that name the sink
//! and the key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::audit::sink::{BufferSettings, WhenFull};
use crate::audit::SinkTarget;

fn load_file(text: &str) -> Result<Config, ConfigError> {
    let args = ServeArgs {
        config: Some(PathBuf::from("/etc/strata.toml")),
        dev: true,
        ..Default::default()
    };
    let text = text.to_string();
    load(&args, &|_| None, &move |p: &Path| {
        assert_eq!(p, Path::new("/etc/strata.toml"));
        Ok(text.clone())
    })
}

fn sink_error(text: &str) -> (String, String) {
    match load_file(text) {
        Err(ConfigError::AuditSink { sink, key, .. }) => (sink, key),
        other => panic!("expected an audit sink error, got {other:?}"),
    }
}

#[test]
fn a_file_without_audit_tables_has_no_sinks_and_keeps_its_flat_settings() {
    let c = load_file("region = \"eu-west-1\"\n").unwrap();
    assert!(c.audit.sinks.is_empty());
    assert_eq!(c.region, "eu-west-1");
}

#[test]
fn every_kind_parses_with_the_shared_defaults() {
    let c = load_file(
        r#"
region = "eu-west-1"

[[audit.sinks]]
name = "local"
kind = "file"
path = "/var/log/strata/audit.log"
max_files = 3

[[audit.sinks]]
name = "hook"
kind = "webhook"
url = "https://audit.example/in"
auth_header_file = "/run/secrets/hook"
headers = { "x-source" = "strata" }
when_full = "block"
buffer = "disk"
buffer_path = "/scratch/audit/hook"

[[audit.sinks]]
name = "es"
kind = "elasticsearch"
url = "http://es:9200"
index = "audit-strata"
batch_max_events = 100
batch_max_age_ms = 250

[[audit.sinks]]
name = "loki"
kind = "loki"
url = "http://loki:3100"
labels = { app = "strata", env = "prod" }
tenant = "platform"
"#,
    )
    .unwrap();
    assert_eq!(c.region, "eu-west-1", "flat settings still read");
    let s = &c.audit.sinks;
    assert_eq!(s.len(), 4);
    let SinkTarget::File(file) = &s[0].target else {
        panic!("{:?}", s[0].target)
    };
    assert_eq!(file.max_files, 3);
    assert_eq!(file.max_file_size, 100 * 1024 * 1024);
    assert_eq!(file.sync_interval_ms, 1000);
    assert_eq!(s[0].spec.when_full, WhenFull::Drop);
    assert_eq!(s[0].spec.buffer, BufferSettings::default());
    assert_eq!(s[0].spec.batch.max_events, 500);

    assert_eq!(s[1].spec.when_full, WhenFull::Block);
    assert_eq!(
        s[1].spec.buffer,
        BufferSettings::Disk {
            path: "/scratch/audit/hook".into(),
            max_bytes: DEFAULT_DISK_BUFFER_BYTES
        }
    );
    let SinkTarget::Webhook(hook) = &s[1].target else {
        panic!()
    };
    assert_eq!(hook.http.headers["x-source"], "strata");

    let SinkTarget::Elasticsearch(es) = &s[2].target else {
        panic!()
    };
    assert_eq!(es.keys.index, "audit-strata");
    assert_eq!(s[2].spec.batch.max_events, 100);
    assert_eq!(s[2].spec.batch.max_age, Duration::from_millis(250));

    let SinkTarget::Loki(loki) = &s[3].target else {
        panic!()
    };
    assert_eq!(loki.keys.tenant.as_deref(), Some("platform"));
    assert_eq!(loki.keys.labels.len(), 2);
    assert_eq!(s[3].spec.retry.timeout, Duration::from_secs(10));
}

#[test]
fn errors_name_the_sink_and_the_key() {
    let cases: &[(&str, (&str, &str))] = &[
        ("[[audit.sinks]]\nkind = \"file\"\npath = \"/x\"\n", ("#1", "name")),
        ("[[audit.sinks]]\nname = \"a\"\npath = \"/x\"\n", ("a", "kind")),
        ("[[audit.sinks]]\nname = \"a\"\nkind = \"kafka\"\n", ("a", "kind")),
        ("[[audit.sinks]]\nname = \"a\"\nkind = \"webhook\"\n", ("a", "url")),
        (
            "[[audit.sinks]]\nname = \"a\"\nkind = \"webhook\"\nurl = \"http://x\"\nindex = \"i\"\n",
            ("a", "index"),
        ),
        (
            "[[audit.sinks]]\nname = \"a\"\nkind = \"file\"\npath = \"/x\"\nmax_files = \"many\"\n",
            ("a", "max_files"),
        ),
        (
            "[[audit.sinks]]\nname = \"a\"\nkind = \"file\"\npath = \"/x\"\nbatch_max_events = 0\n",
            ("a", "batch_max_events"),
        ),
        (
            "[[audit.sinks]]\nname = \"a\"\nkind = \"file\"\npath = \"/x\"\nbuffer = \"disk\"\n",
            ("a", "buffer_path"),
        ),
        (
            "[[audit.sinks]]\nname = \"a\"\nkind = \"file\"\npath = \"/x\"\nwhen_full = \"wait\"\n",
            ("a", "when_full"),
        ),
        (
            "[[audit.sinks]]\nname = \"a\"\nkind = \"file\"\npath = \"/x\"\n[[audit.sinks]]\nname = \"a\"\nkind = \"file\"\npath = \"/y\"\n",
            ("a", "name"),
        ),
    ];
    for (text, (sink, key)) in cases {
        assert_eq!(
            sink_error(text),
            (sink.to_string(), key.to_string()),
            "{text}"
        );
    }
}

#[test]
fn an_unknown_key_in_the_audit_table_is_refused() {
    assert_eq!(sink_error("[audit]\nsink = 1\n").1, "sink");
}

#[test]
fn sizes_take_units_as_the_size_flags_do() {
    let c = load_file(
        r#"
[[audit.sinks]]
name = "local"
kind = "file"
path = "/var/log/strata/audit.log"
max_file_size = "200MiB"
batch_max_bytes = "512KiB"
buffer_max_bytes = 1048576
"#,
    )
    .unwrap();
    let sink = &c.audit.sinks[0];
    let SinkTarget::File(file) = &sink.target else {
        panic!("a file sink");
    };
    assert_eq!(file.max_file_size, 200 << 20);
    assert_eq!(sink.spec.batch.max_bytes, 512 << 10);
    assert!(matches!(
        sink.spec.buffer,
        BufferSettings::Memory {
            max_bytes: 1048576,
            ..
        }
    ));
    for bad in ["\"200MB\"", "\"0MiB\"", "\"lots\""] {
        let text = format!(
            "[[audit.sinks]]\nname = \"local\"\nkind = \"file\"\npath = \"/a\"\nmax_file_size = {bad}\n"
        );
        assert_eq!(
            sink_error(&text),
            ("local".into(), "max_file_size".into()),
            "{bad}"
        );
    }
}
