//! Bucket lifecycle rules end to end, through boto3 and the real `strata` with 1-second
//! lifecycle days (`--lifecycle-day 1`): the configuration API with AWS's validation, the
//! `x-amz-expiration` header, and one scanner pass (`strata admin scan --wait`) carrying out
//! Expiration (a delete marker on a versioned bucket, a removal on an unversioned one),
//! NoncurrentVersionExpiration with NewerNoncurrentVersions, ExpiredObjectDeleteMarker and
//! AbortIncompleteMultipartUpload as AWS documents them for the same history, while prefix,
//! tag and object-lock limits keep what they must.

use std::time::Duration;

use strata_tests::{free_port, scrape, series_value, Layout, Server};

#[path = "support/admin_cli.rs"]
mod admin_cli;
use admin_cli::{admin, json_of};

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
assert refused(lambda: put([rule(Transitions=[{'Days': 1, 'StorageClass': 'STANDARD_IA'}])])) == ('NotImplemented', 501)
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
