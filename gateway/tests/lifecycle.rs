//! Bucket lifecycle rules end to end, through boto3 and the real `strata` with 1-second
//! lifecycle days (`--lifecycle-day 1`): the configuration API with AWS's validation, the
//! `x-amz-expiration` header, and one scanner pass (`strata admin scan --wait`) carrying out
//! Expiration (a delete marker on a versioned bucket, a removal on an unversioned one),
//! NoncurrentVersionExpiration with NewerNoncurrentVersions, ExpiredObjectDeleteMarker and
//! AbortIncompleteMultipartUpload as AWS documents them for the same history, while prefix,
//! tag and object-lock limits keep what they must; and Transition and
//! NoncurrentVersionTransition moving multipart objects of every SSE mode and unencrypted from
//! the fast class to the bulk one, read back byte-exact whole, by range across parts and by
//! part number, with the old shards reclaimed.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use strata_tests::{free_port, scrape, series_value, Layout, Receiver, Server};

#[path = "support/admin_cli.rs"]
mod admin_cli;
#[path = "support/sse_objects.rs"]
mod sse_objects;
#[path = "support/volume_scan.rs"]
mod volume_scan;
use admin_cli::{admin, json_of};
use sse_objects::SSE_OBJECTS;
use volume_scan::shard_file_sizes;

const API: &str = r#"
s3.create_bucket(Bucket='cfg')
assert refused(lambda: s3.get_bucket_lifecycle_configuration(Bucket='cfg')) == ('NoSuchLifecycleConfiguration', 404)
def put(rules, **kw):
    return s3.put_bucket_lifecycle_configuration(Bucket='cfg', LifecycleConfiguration={'Rules': rules}, **kw)
def rule(**kw):
    return dict({'ID': 'r', 'Filter': {}, 'Status': 'Enabled'}, **kw)
days = {'Days': 1}
assert refused(lambda: put([rule(Expiration={'Days': 0})])) == ('InvalidArgument', 400)
assert refused(lambda: put([rule(Expiration=days), rule(Expiration=days)])) == ('InvalidArgument', 400)
assert refused(lambda: put([rule(Status='On', Expiration=days)])) == ('MalformedXML', 400)
assert refused(lambda: put([rule()])) == ('InvalidRequest', 400)
assert refused(lambda: put([rule(Filter={'Tag': {'Key': 'k', 'Value': 'v'}}, AbortIncompleteMultipartUpload={'DaysAfterInitiation': 1})])) == ('InvalidRequest', 400)
assert refused(lambda: put([rule(Transitions=[{'Days': 1, 'StorageClass': 'STANDARD_IA'}])])) == ('InvalidStorageClass', 400), 'one class only'
assert refused(lambda: put([rule(Expiration=days)], TransitionDefaultMinimumObjectSize='bogus')) == ('InvalidArgument', 400)
# Refused documents leave nothing behind.
assert refused(lambda: s3.get_bucket_lifecycle_configuration(Bucket='cfg')) == ('NoSuchLifecycleConfiguration', 404)
out = put([rule(Expiration=days), {'Filter': {'Prefix': 'a/'}, 'Status': 'Disabled', 'Expiration': {'Days': 5}}],
          TransitionDefaultMinimumObjectSize='varies_by_storage_class')
assert out['TransitionDefaultMinimumObjectSize'] == 'varies_by_storage_class', out
got = s3.get_bucket_lifecycle_configuration(Bucket='cfg')
assert got['TransitionDefaultMinimumObjectSize'] == 'varies_by_storage_class', got
rules = got['Rules']
assert rules[0] == rule(Expiration=days), rules
assert len(rules[1]['ID']) == 32 and rules[1]['Status'] == 'Disabled' and rules[1]['Filter'] == {'Prefix': 'a/'}, rules
s3.delete_bucket_lifecycle(Bucket='cfg')
assert refused(lambda: s3.get_bucket_lifecycle_configuration(Bucket='cfg')) == ('NoSuchLifecycleConfiguration', 404)
print('ok')
"#;

const BEFORE: &str = r#"
s3.create_bucket(Bucket='life')
s3.put_bucket_versioning(Bucket='life', VersioningConfiguration={'Status': 'Enabled'})
rules = [
    {'ID': 'expire-logs', 'Filter': {'Prefix': 'logs/'}, 'Status': 'Enabled', 'Expiration': {'Days': 2}},
    {'ID': 'tagged', 'Filter': {'Tag': {'Key': 'keep', 'Value': 'no'}}, 'Status': 'Enabled', 'Expiration': {'Days': 1}},
    {'ID': 'docs', 'Filter': {'Prefix': 'docs/'}, 'Status': 'Enabled',
     'NoncurrentVersionExpiration': {'NoncurrentDays': 1, 'NewerNoncurrentVersions': 1}},
    {'ID': 'markers', 'Filter': {'Prefix': 'gone/'}, 'Status': 'Enabled', 'Expiration': {'ExpiredObjectDeleteMarker': True}},
    {'ID': 'uploads', 'Filter': {'Prefix': 'up/'}, 'Status': 'Enabled', 'AbortIncompleteMultipartUpload': {'DaysAfterInitiation': 1}},
]
s3.put_bucket_lifecycle_configuration(Bucket='life', LifecycleConfiguration={'Rules': rules})
# The header names the rule and the day boundary it falls on.
out = s3.put_object(Bucket='life', Key='logs/a', Body=b'log line')
assert 'rule-id="expire-logs"' in out['Expiration'], out
assert 'rule-id="expire-logs"' in s3.head_object(Bucket='life', Key='logs/a')['Expiration']
assert 'Expiration' not in s3.put_object(Bucket='life', Key='other/x', Body=b'kept')
s3.put_object(Bucket='life', Key='t/1', Body=b'tagged', Tagging='keep=no')
s3.put_object(Bucket='life', Key='t/2', Body=b'tagged', Tagging='keep=yes')
for i in range(4):
    s3.put_object(Bucket='life', Key='docs/d', Body=b'v%d' % i)
s3.put_object(Bucket='life', Key='gone/g', Body=b'still has a version')
s3.delete_object(Bucket='life', Key='gone/g')
s3.delete_object(Bucket='life', Key='gone/h')
up = s3.create_multipart_upload(Bucket='life', Key='up/u')
assert up['AbortRuleId'] == 'uploads' and 'AbortDate' in up, up
assert 'AbortRuleId' not in s3.create_multipart_upload(Bucket='life', Key='other/u')

# Unversioned: the expired object is removed.
s3.create_bucket(Bucket='plain')
s3.put_bucket_lifecycle_configuration(Bucket='plain', LifecycleConfiguration={'Rules': [
    {'ID': 'all', 'Filter': {}, 'Status': 'Enabled', 'Expiration': {'Days': 1}}]})
s3.put_object(Bucket='plain', Key='k', Body=b'x')

# Object lock: a noncurrent version under a legal hold stays.
s3.create_bucket(Bucket='held', ObjectLockEnabledForBucket=True)
s3.put_bucket_lifecycle_configuration(Bucket='held', LifecycleConfiguration={'Rules': [
    {'ID': 'nc', 'Filter': {}, 'Status': 'Enabled', 'NoncurrentVersionExpiration': {'NoncurrentDays': 1}}]})
v1 = s3.put_object(Bucket='held', Key='k', Body=b'held')['VersionId']
s3.put_object_legal_hold(Bucket='held', Key='k', VersionId=v1, LegalHold={'Status': 'ON'})
s3.put_object(Bucket='held', Key='k', Body=b'newer')
print('ok')
"#;

const AFTER: &str = r#"
def history(bucket, key):
    out = s3.list_object_versions(Bucket=bucket, Prefix=key)
    entries = [(v['VersionId'], False, v['LastModified']) for v in out.get('Versions', []) if v['Key'] == key]
    entries += [(m['VersionId'], True, m['LastModified']) for m in out.get('DeleteMarkers', []) if m['Key'] == key]
    return sorted(entries, key=lambda e: e[2], reverse=True)

# Expiration on a versioned bucket: a delete marker over the version, which stays.
logs = history('life', 'logs/a')
assert [m for _, m, _ in logs] == [True, False], logs
assert refused(lambda: s3.head_object(Bucket='life', Key='logs/a'))[1] == 404
assert [m for _, m, _ in history('life', 't/1')] == [True, False]
assert [m for _, m, _ in history('life', 't/2')] == [False], 'another tag value'
assert [m for _, m, _ in history('life', 'other/x')] == [False], 'another prefix'
# NoncurrentVersionExpiration keeps the current version and one noncurrent one.
docs = history('life', 'docs/d')
assert len(docs) == 2, docs
assert s3.get_object(Bucket='life', Key='docs/d')['Body'].read() == b'v3'
assert s3.get_object(Bucket='life', Key='docs/d', VersionId=docs[1][0])['Body'].read() == b'v2'
# ExpiredObjectDeleteMarker: only the marker with no version under it goes.
assert [m for _, m, _ in history('life', 'gone/g')] == [True, False]
assert history('life', 'gone/h') == []
# AbortIncompleteMultipartUpload, under its prefix only.
assert [u['Key'] for u in s3.list_multipart_uploads(Bucket='life').get('Uploads', [])] == ['other/u']
# Unversioned: gone.
assert s3.list_object_versions(Bucket='plain').get('Versions', []) == []
# Object lock: the held noncurrent version stays.
assert len(history('held', 'k')) == 2
print('ok')
"#;

#[test]
fn the_lifecycle_api_validates_as_aws_does() {
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .start();
    strata_tests::boto3_ok(&server, API);
}

#[test]
fn a_scanner_pass_carries_out_the_rules_as_aws_documents_them() {
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .arg("--lifecycle-day")
        .arg("1")
        .arg("--scan-interval")
        .arg("off")
        .arg("--deep-scan-interval")
        .arg("off")
        .arg("--metrics-listen")
        .arg(&metrics)
        .start();
    strata_tests::boto3_ok(&server, BEFORE);
    // Lifecycle days are wall-clock seconds here: the longest rule (2 days) falls due at most
    // 3 s after its object was written.
    std::thread::sleep(Duration::from_millis(3500));
    let pass = json_of(&admin(&server, &["scan", "--wait"]));
    assert_eq!(pass["last_scan"]["uploads_aborted"], 1, "{pass}");
    strata_tests::boto3_ok(&server, AFTER);
    let exposition = scrape(&metrics);
    let count = |action: &str, outcome: &str| {
        series_value(
            &exposition,
            &format!("strata_lifecycle_actions_total{{action=\"{action}\",outcome=\"{outcome}\"}}"),
        )
        .unwrap_or(0.0)
    };
    // logs/a, t/1 and plain/k; docs/d's two oldest; gone/h's marker; held/k's first version.
    assert_eq!(count("expire_current", "done"), 3.0, "{exposition}");
    assert_eq!(count("expire_noncurrent", "done"), 2.0, "{exposition}");
    assert_eq!(count("remove_delete_marker", "done"), 1.0, "{exposition}");
    assert_eq!(count("expire_noncurrent", "locked"), 1.0, "{exposition}");
}

const TIERED: &str = r#"
import os, time
s3.create_bucket(Bucket='tier')
s3.put_bucket_versioning(Bucket='tier', VersioningConfiguration={'Status': 'Enabled'})
# A class no class has, and STANDARD, are refused as targets.
bad = {'ID': 'x', 'Filter': {}, 'Status': 'Enabled', 'Transitions': [{'Days': 1, 'StorageClass': 'GLACIER'}]}
assert refused(lambda: s3.put_bucket_lifecycle_configuration(Bucket='tier', LifecycleConfiguration={'Rules': [bad]})) == ('InvalidStorageClass', 400)
bad['Transitions'][0]['StorageClass'] = 'STANDARD'
assert refused(lambda: s3.put_bucket_lifecycle_configuration(Bucket='tier', LifecycleConfiguration={'Rules': [bad]})) == ('InvalidArgument', 400)

{SSE_OBJECTS}
assert 'StorageClass' not in s3.head_object(Bucket='tier', Key='mp-s3')
# The rule comes last: the scanner (every second here) moves everything a day after it was
# written.
s3.put_bucket_lifecycle_configuration(Bucket='tier', LifecycleConfiguration={'Rules': [
    {'ID': 'down', 'Filter': {}, 'Status': 'Enabled',
     'Transitions': [{'Days': 1, 'StorageClass': 'STANDARD_IA'}],
     'NoncurrentVersionTransitions': [{'NoncurrentDays': 1, 'StorageClass': 'STANDARD_IA'}]}]})

def classes():
    out = {o['Key']: o['StorageClass'] for o in s3.list_objects_v2(Bucket='tier')['Contents']}
    out['v1'] = [v['StorageClass'] for v in s3.list_object_versions(Bucket='tier', Prefix='versioned')['Versions'] if v['VersionId'] == v1][0]
    return out
deadline = time.time() + 60
while set(classes().values()) != {'STANDARD_IA'}:
    assert time.time() < deadline, classes()
    time.sleep(0.5)

for name, (data, enc) in objects.items():
    assert s3.head_object(Bucket='tier', Key=name, **enc)['StorageClass'] == 'STANDARD_IA', name
    assert s3.get_object(Bucket='tier', Key=name, **enc)['Body'].read() == data, name
    if name.startswith('mp-'):
        # Across the first part boundary and the package boundaries near it, and one part.
        lo, hi = sizes[0] - 70000, sizes[0] + 70000
        got = s3.get_object(Bucket='tier', Key=name, Range='bytes=%d-%d' % (lo, hi), **enc)['Body'].read()
        assert got == data[lo:hi + 1], name
        got = s3.get_object(Bucket='tier', Key=name, PartNumber=2, **enc)['Body'].read()
        assert got == data[sizes[0]:sizes[0] + sizes[1]], name
assert s3.get_object(Bucket='tier', Key='versioned', VersionId=v1)['Body'].read() == old
assert s3.get_object(Bucket='tier', Key='versioned')['Body'].read() == b'current'
print('ok')
"#;

/// The largest shard file of the volume `dir`.
fn largest_shard(dir: &Path) -> u64 {
    shard_file_sizes(dir).into_iter().max().unwrap_or(0)
}

/// Bytes under the volume `dir`'s shard files.
fn shard_bytes(dir: &Path) -> u64 {
    shard_file_sizes(dir).into_iter().sum()
}

#[test]
fn transitions_move_objects_of_every_sse_mode_to_the_bulk_class_byte_exact() {
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2_bulk_mirror())
        .arg("--storage-classes")
        .arg("bulk=STANDARD_IA")
        .arg("--sse-default")
        .arg("none")
        .arg("--lifecycle-day")
        .arg("1")
        .arg("--scan-interval")
        .arg("1s")
        .arg("--scan-share")
        .arg("100")
        .arg("--metrics-listen")
        .arg(&metrics)
        .start();
    strata_tests::boto3_ok(&server, &TIERED.replace("{SSE_OBJECTS}", SSE_OBJECTS));
    let exposition = scrape(&metrics);
    let count = |action: &str| {
        let series =
            format!("strata_lifecycle_actions_total{{action=\"{action}\",outcome=\"done\"}}");
        series_value(&exposition, &series).unwrap_or(0.0)
    };
    // Four multipart objects, the small one and the current 'versioned'; its older version.
    assert_eq!(count("transition"), 6.0, "{exposition}");
    assert_eq!(count("transition_noncurrent"), 1.0, "{exposition}");
    // The data is on the bulk class's mirror (whole parts, so 5 MiB files), and the fast
    // class's shard files are reclaimed.
    for i in 0..2 {
        let bulk = server.dir().join(format!("bulk{i}"));
        assert!(largest_shard(&bulk) >= 5 << 20, "{}", bulk.display());
    }
    wait_until_fast_class_is_empty(server.dir());
}

/// Waits until the fast class's volumes under `dir` hold no shard bytes: everything was moved
/// and the old shards reclaimed (queued removals run once no write is staging).
fn wait_until_fast_class_is_empty(dir: &Path) {
    let fast = || {
        (0..4)
            .map(|i| shard_bytes(&dir.join(format!("fast{i}"))))
            .sum::<u64>()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while fast() > 0 {
        assert!(
            Instant::now() < deadline,
            "fast shards left: {} bytes",
            fast()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A server on the kept directory `dir` with a bulk class named STANDARD_IA and 1-second
/// lifecycle days.
fn tiered_server(dir: &Path, extra: &[&str]) -> Server {
    let mut builder = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2_bulk_mirror())
        .dir(dir)
        .arg("--storage-classes")
        .arg("bulk=STANDARD_IA")
        .arg("--lifecycle-day")
        .arg("1");
    for a in extra {
        builder = builder.arg(a);
    }
    builder.start()
}

#[test]
fn a_transition_cut_by_kill_9_leaves_one_readable_copy_and_no_orphan() {
    const SIZE: usize = 48 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let file = tmp.path().join("big");
    strata_tests::write_random(&file, SIZE, 7);
    let server = tiered_server(&dir, &["--scan-interval", "1s", "--scan-share", "100"]);
    let setup = format!(
        r#"
s3.create_bucket(Bucket='cut')
s3.upload_file('{}', 'cut', 'big')
s3.put_bucket_lifecycle_configuration(Bucket='cut', LifecycleConfiguration={{'Rules': [
    {{'ID': 'down', 'Filter': {{}}, 'Status': 'Enabled', 'Transitions': [{{'Days': 1, 'StorageClass': 'STANDARD_IA'}}]}}]}})
print('ok')
"#,
        file.display()
    );
    strata_tests::boto3_ok(&server, &setup);
    // Killed as soon as the copy into the bulk class has begun.
    let bulk = |i: usize| dir.join(format!("bulk{i}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while shard_bytes(&bulk(0)) == 0 {
        assert!(Instant::now() < deadline, "no transition began");
        std::thread::sleep(Duration::from_millis(5));
    }
    let copied = shard_bytes(&bulk(0));
    drop(server);
    eprintln!("killed with {copied} bytes copied into bulk0");

    // After the restart one pass finishes the move and sweeps what the kill left behind.
    let server = tiered_server(&dir, &["--scan-interval", "off", "--orphan-grace", "0s"]);
    json_of(&admin(&server, &["scan", "--wait"]));
    let check = format!(
        r#"
assert s3.head_object(Bucket='cut', Key='big')['StorageClass'] == 'STANDARD_IA'
assert s3.get_object(Bucket='cut', Key='big')['Body'].read() == open('{}', 'rb').read()
print('ok')
"#,
        file.display()
    );
    strata_tests::boto3_ok(&server, &check);
    // One copy on each bulk volume (a mirror: the bytes and their block hashes), none left
    // in the fast class once the old shards are reclaimed.
    for i in 0..2 {
        let held = shard_bytes(&bulk(i));
        assert!(
            (SIZE as u64..SIZE as u64 + (1 << 20)).contains(&held),
            "bulk{i} holds {held}"
        );
    }
    wait_until_fast_class_is_empty(&dir);
}

/// The records of every message `receiver` accepted (webhook batches: JSON arrays of
/// messages; the test event has no records).
fn records(receiver: &Receiver) -> Vec<Value> {
    receiver
        .accepted()
        .iter()
        .flat_map(|r| serde_json::from_slice::<Vec<Value>>(&r.body).expect("a JSON batch"))
        .flat_map(|m| m["Records"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[test]
fn lifecycle_actions_are_notified_under_awss_lifecycle_event_names() {
    let receiver = Receiver::start();
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("strata.toml");
    std::fs::write(
        &config,
        format!(
            "[[notify.targets]]\nname = \"events\"\nkind = \"webhook\"\nurl = \"{}\"\n\
             batch_max_age_ms = 50\n",
            receiver.url("/s3-events")
        ),
    )
    .unwrap();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2_bulk_mirror())
        .env("STRATA_CONFIG", config.to_str().unwrap())
        .arg("--storage-classes")
        .arg("bulk=STANDARD_IA")
        .arg("--lifecycle-day")
        .arg("1")
        .arg("--scan-interval")
        .arg("1s")
        .arg("--scan-share")
        .arg("100")
        .start();
    strata_tests::boto3_ok(
        &server,
        r#"
s3.create_bucket(Bucket='events')
s3.put_bucket_versioning(Bucket='events', VersioningConfiguration={'Status': 'Enabled'})
arn = 'arn:strata:sqs:us-east-1::events'
s3.put_bucket_notification_configuration(Bucket='events', NotificationConfiguration={'QueueConfigurations': [
    {'Id': 'life', 'QueueArn': arn, 'Events': ['s3:LifecycleExpiration:*', 's3:LifecycleTransition']},
    {'Id': 'removed', 'QueueArn': arn, 'Events': ['s3:ObjectRemoved:*']}]})
s3.put_object(Bucket='events', Key='exp/a', Body=b'expires')
s3.put_object(Bucket='events', Key='move/b', Body=b'm' * 1000)
s3.put_bucket_lifecycle_configuration(Bucket='events', LifecycleConfiguration={'Rules': [
    {'ID': 'expire', 'Filter': {'Prefix': 'exp/'}, 'Status': 'Enabled', 'Expiration': {'Days': 1}},
    {'ID': 'move', 'Filter': {'Prefix': 'move/'}, 'Status': 'Enabled',
     'Transitions': [{'Days': 1, 'StorageClass': 'STANDARD_IA'}]}]})
print('ok')
"#,
    );
    receiver.wait_for(Duration::from_secs(30), "both lifecycle events", |_| {
        records(&receiver).len() >= 2
    });
    let got = records(&receiver);
    let mut names: Vec<(&str, &str)> = got
        .iter()
        .map(|r| {
            (
                r["eventName"].as_str().unwrap_or_default(),
                r["s3"]["object"]["key"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            ("LifecycleExpiration:DeleteMarkerCreated", "exp/a"),
            ("LifecycleTransition", "move/b")
        ],
        "{got:#?}"
    );
    for r in &got {
        assert_eq!(r["eventVersion"], "2.3", "{r:#}");
        assert_eq!(
            r["userIdentity"]["principalId"], "s3.amazonaws.com",
            "{r:#}"
        );
        assert_eq!(r["s3"]["configurationId"], "life", "{r:#}");
        assert!(r["s3"]["object"]["versionId"].is_string(), "{r:#}");
    }
    let moved = got.iter().find(|r| r["eventName"] == "LifecycleTransition");
    assert_eq!(
        moved.map(|r| r["s3"]["object"]["size"].clone()),
        Some(1000.into())
    );
}
