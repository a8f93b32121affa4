//! `[[notify.targets]]` in the config file: webhook sinks of kind `notify`, beside the flat
//! settings and the audit sinks.

use std::path::{Path, PathBuf};

use super::*;
use crate::audit::sink::SinkKind;

fn load_file(text: &str) -> Result<Config, ConfigError> {
    let args = ServeArgs {
        config: Some(PathBuf::from("/etc/strata.toml")),
        dev: true,
        ..Default::default()
    };
    let text = text.to_string();
    load(&args, &|_| None, &move |_: &Path| Ok(text.clone()))
}

fn file_error(text: &str) -> String {
    match load_file(text) {
        Err(ConfigError::File(msg)) => msg,
        other => panic!("expected a config file error, got {other:?}"),
    }
}

#[test]
fn a_webhook_target_is_a_sink_of_kind_notify_beside_audit_sinks_and_flat_settings() {
    let c = load_file(
        "region = \"eu-west-1\"\n\
         [[audit.sinks]]\nname = \"trail\"\nkind = \"webhook\"\nurl = \"http://a/\"\n\
         [[notify.targets]]\nname = \"events\"\nkind = \"webhook\"\nurl = \"http://n/hook\"\n\
         batch_max_events = 7\n",
    )
    .unwrap();
    assert_eq!(c.region, "eu-west-1");
    assert_eq!(c.audit.sinks.len(), 1);
    let t = &c.notify.targets;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].spec.name, "events");
    assert_eq!(t[0].spec.kind, SinkKind::Notify);
    assert_eq!(t[0].spec.batch.max_events, 7);
    assert_eq!(t[0].webhook.http.url, "http://n/hook");
}

#[test]
fn only_webhook_targets_with_distinct_names_are_taken() {
    let file_kind =
        file_error("[[notify.targets]]\nname = \"f\"\nkind = \"file\"\npath = \"/tmp/x\"\n");
    assert!(file_kind.contains("\"f\": kind"), "{file_kind}");
    let twice = file_error(
        "[[notify.targets]]\nname = \"e\"\nkind = \"webhook\"\nurl = \"http://a/\"\n\
         [[notify.targets]]\nname = \"e\"\nkind = \"webhook\"\nurl = \"http://b/\"\n",
    );
    assert!(twice.contains("two targets have this name"), "{twice}");
    let missing_url = file_error("[[notify.targets]]\nname = \"e\"\nkind = \"webhook\"\n");
    assert!(
        missing_url.contains("[[notify.targets]] \"e\": url"),
        "{missing_url}"
    );
    let stray = file_error("[notify]\nqueues = 1\n");
    assert!(stray.contains("unknown key \"queues\""), "{stray}");
}
