//! The JSON documents targets receive: AWS's S3 event message (one record per message) and
//! the test event sent when a configuration is put. Field names are AWS's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use super::events::EventType;
use crate::s3::http::iso8601;

/// What happened to one object, with the request that did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectEvent {
    /// The event type.
    pub event: EventType,
    /// When the request finished.
    pub time: SystemTime,
    /// Region the server reports.
    pub region: String,
    /// Who made the request (the access key; `anonymous` for unsigned requests).
    pub principal: String,
    /// The client's address (`-` when unknown, as on a Unix socket).
    pub source_ip: String,
    /// `x-amz-request-id`.
    pub request_id: String,
    /// `x-amz-id-2`.
    pub host_id: String,
    /// The bucket.
    pub bucket: String,
    /// The bucket owner's id.
    pub owner: String,
    /// The key (not encoded).
    pub key: String,
    /// The version created or removed; `None` on a bucket that never had versioning.
    pub version_id: Option<String>,
    /// Size and ETag, for events whose object exists afterwards.
    pub facts: Option<ObjectFacts>,
    /// Orders the events of one key: later events have greater sequencers.
    pub sequencer: String,
}

/// What the store says of an object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectFacts {
    /// Size in bytes.
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
}

/// A sequencer: 16 upper-case hex digits, increasing within the process (the clock in
/// nanoseconds, or one more than the last when the clock has not moved on).
pub fn next_sequencer(now: SystemTime) -> String {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let nanos = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut prev = LAST.load(Ordering::Relaxed);
    loop {
        let next = nanos.max(prev + 1);
        match LAST.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return format!("{next:016X}"),
            Err(actual) => prev = actual,
        }
    }
}

/// Characters of a key AWS writes as they are in an event: letters, digits, `-_.*~` and
/// `/`; a space becomes `+` and everything else `%XX` (form encoding).
const KEY_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'*')
    .remove(b'~')
    .remove(b'/')
    .remove(b' ');

/// A key as an event message writes it.
pub fn encode_key(key: &str) -> String {
    utf8_percent_encode(key, KEY_KEEP)
        .to_string()
        .replace(' ', "+")
}

impl ObjectEvent {
    /// The message for the rule `configuration_id`: `{"Records":[ one record ]}`.
    pub fn to_message(&self, configuration_id: &str) -> Vec<u8> {
        let record = Record {
            eventVersion: self.event.message_version(),
            eventSource: "aws:s3",
            awsRegion: &self.region,
            eventTime: iso8601(self.time),
            eventName: self.event.message_name(),
            userIdentity: Principal {
                principalId: &self.principal,
            },
            requestParameters: RequestParameters {
                sourceIPAddress: &self.source_ip,
            },
            responseElements: ResponseElements {
                request_id: &self.request_id,
                host_id: &self.host_id,
            },
            s3: S3Entity {
                s3SchemaVersion: "1.0",
                configurationId: configuration_id,
                bucket: Bucket {
                    name: &self.bucket,
                    ownerIdentity: Principal {
                        principalId: &self.owner,
                    },
                    arn: format!("arn:aws:s3:::{}", self.bucket),
                },
                object: Object {
                    key: encode_key(&self.key),
                    size: self.facts.as_ref().map(|f| f.size),
                    eTag: self.facts.as_ref().map(|f| f.etag.as_str()),
                    versionId: self.version_id.as_deref(),
                    sequencer: &self.sequencer,
                },
            },
        };
        // Serializing plain structs of strings and numbers cannot fail.
        serde_json::to_vec(&Records { Records: [record] }).unwrap_or_default()
    }
}

/// The test event AWS sends to each destination when a configuration is put.
pub fn test_event(bucket: &str, time: SystemTime, request_id: &str, host_id: &str) -> Vec<u8> {
    let doc = TestEvent {
        Service: "Amazon S3",
        Event: "s3:TestEvent",
        Time: iso8601(time),
        Bucket: bucket,
        RequestId: request_id,
        HostId: host_id,
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}

#[allow(non_snake_case)]
#[derive(Serialize)]
struct Records<'a> {
    Records: [Record<'a>; 1],
}

#[allow(non_snake_case)]
#[derive(Serialize)]
struct Record<'a> {
    eventVersion: &'static str,
    eventSource: &'static str,
    awsRegion: &'a str,
    eventTime: String,
    eventName: &'static str,
    userIdentity: Principal<'a>,
    requestParameters: RequestParameters<'a>,
    responseElements: ResponseElements<'a>,
    s3: S3Entity<'a>,
}

#[allow(non_snake_case)]
#[derive(Serialize)]
struct Principal<'a> {
    principalId: &'a str,
}

#[allow(non_snake_case)]
#[derive(Serialize)]
struct RequestParameters<'a> {
    sourceIPAddress: &'a str,
}

#[derive(Serialize)]
struct ResponseElements<'a> {
    #[serde(rename = "x-amz-request-id")]
    request_id: &'a str,
    #[serde(rename = "x-amz-id-2")]
    host_id: &'a str,
}

#[allow(non_snake_case)]
#[derive(Serialize)]
struct S3Entity<'a> {
    s3SchemaVersion: &'static str,
    configurationId: &'a str,
    bucket: Bucket<'a>,
    object: Object<'a>,
}

#[allow(non_snake_case)]
#[derive(Serialize)]
struct Bucket<'a> {
    name: &'a str,
    ownerIdentity: Principal<'a>,
    arn: String,
}

#[allow(non_snake_case)]
#[derive(Serialize)]
struct Object<'a> {
    key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eTag: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    versionId: Option<&'a str>,
    sequencer: &'a str,
}

#[allow(non_snake_case)]
#[derive(Serialize)]
struct TestEvent<'a> {
    Service: &'static str,
    Event: &'static str,
    Time: String,
    Bucket: &'a str,
    RequestId: &'a str,
    HostId: &'a str,
}
