//! `x-amz-expiration`: when the bucket's rules expire an object's current version, and by
//! which rule, on the answers that describe it (as AWS sends it); `x-amz-abort-date` and
//! `x-amz-abort-rule-id`: when they abort a new multipart upload.

use std::time::SystemTime;

use strata_volume::ObjectInfo;

use super::clock::LifecycleClock;
use super::rules::{Lifecycle, Subject};
use crate::s3::http::http_date;

/// The header's value for `info`, if a rule expires it; only a current version that is not
/// a delete marker has one.
pub fn expiration_header(
    rules: &Lifecycle,
    clock: &LifecycleClock,
    info: &ObjectInfo,
) -> Option<String> {
    if !info.is_latest || info.delete_marker {
        return None;
    }
    let subject = Subject {
        key: &info.key,
        size: info.size,
        tags: &info.tags,
    };
    let due = rules.current_expiry(clock, subject, info.last_modified)?;
    Some(format!(
        "expiry-date=\"{}\", rule-id=\"{}\"",
        http_date(due.at),
        due.rule_id
    ))
}

/// `x-amz-abort-date` and `x-amz-abort-rule-id` for an upload of `key` started at
/// `initiated`, if a rule aborts it.
pub fn abort_headers(
    rules: &Lifecycle,
    clock: &LifecycleClock,
    key: &str,
    initiated: SystemTime,
) -> Vec<(String, String)> {
    match rules.abort_upload(clock, key, initiated) {
        None => Vec::new(),
        Some(due) => vec![
            ("x-amz-abort-date".to_string(), http_date(due.at)),
            ("x-amz-abort-rule-id".to_string(), due.rule_id),
        ],
    }
}
