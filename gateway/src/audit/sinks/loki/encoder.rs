//! A batch as a push request: `{"streams":[{"stream":{labels},"values":[[ns, line],...]}]}`,
//! timestamps as decimal strings of nanoseconds, entries in time order.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::audit::sink::Record;

#[derive(Serialize)]
struct Push<'a> {
    streams: [Stream<'a>; 1],
}

#[derive(Serialize)]
struct Stream<'a> {
    stream: &'a BTreeMap<String, String>,
    values: Vec<(String, &'a str)>,
}

/// The push body of `batch` under `labels`.
pub fn encode_push(labels: &BTreeMap<String, String>, batch: &[Record]) -> Vec<u8> {
    let mut values: Vec<(u64, &str)> = batch
        .iter()
        // Documents are serde_json output, so UTF-8; anything else is skipped, not mangled.
        .filter_map(|r| {
            std::str::from_utf8(&r.doc)
                .ok()
                .map(|line| (r.time_ns, line))
        })
        .collect();
    values.sort_by_key(|v| v.0);
    let push = Push {
        streams: [Stream {
            stream: labels,
            values: values
                .into_iter()
                .map(|(t, line)| (t.to_string(), line))
                .collect(),
        }],
    };
    serde_json::to_vec(&push).expect("strings and maps of strings always encode")
}
