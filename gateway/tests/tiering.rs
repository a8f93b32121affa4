//! Remote tiers end to end, through boto3 and the real `strata` with 1-second lifecycle days:
//! objects written to the fast class move to the bulk class and then to a remote tier (a
//! directory through OpenDAL's `fs` service, moto as S3, Azurite as Azure Blob, inspected
//! with boto3 and azure-storage-blob), every SSE mode and plaintext,
//! multipart objects of several parts; they read back byte-exact whole, by ranges across
//! part and package boundaries and by part number (the `fs` tier reading ahead by 8 MiB
//! chunks, the moto tier with one GET per read); the remote side holds only opaque names
//! and no plaintext; deleting a version deletes its remote object. PUTs and copies naming
//! the tier's class stream there (sealed, no local copy); a copy as STANDARD brings an
//! object back; multipart uploads naming it write each part there (sealed, no local copy)
//! and complete into one sealed remote object, the parts' objects then deleted, or, while
//! the tier is down, answer 503 and keep the upload. Faults: a tier that is down when moves are due leaves objects local and
//! readable until it is back; a GET or a PUT while it is down answers 503, never bytes and
//! nothing stored; a delete while it is down is retried by the scanner;
//! an archive tier (`GLACIER`) is read only through a restored copy (RestoreObject), which
//! expires and is removed by the scanner;
//! a move cut by kill -9 leaves one readable copy and no orphan, a part upload to the tier cut
//! by kill -9 leaves no orphan and an upload that completes; remote objects changed on
//! the tier (flipped, cut, swapped) fail their reads and never give wrong bytes. GCS has no
//! emulator here: its configuration is tested alone (`gateway/src/remote_tier.rs`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use strata_tests::{free_port, scrape, series_value, Layout, Server};

#[path = "support/admin_cli.rs"]
mod admin_cli;
#[path = "support/services.rs"]
mod services;
#[path = "support/sse_objects.rs"]
mod sse_objects;
#[path = "support/volume_scan.rs"]
mod volume_scan;
use admin_cli::{admin, json_of};
use services::{azurite, moto, AZURITE_ACCOUNT, AZURITE_KEY};
use sse_objects::SSE_OBJECTS;
use volume_scan::shard_file_sizes;

/// The objects of `SSE_OBJECTS`, an older version of `versioned`, and helpers that wait for
/// a class and check every read. `{SSE_OBJECTS}` is filled in by [`write`].
const WRITE: &str = r#"
import os, time, json
s3.create_bucket(Bucket='tier')
s3.put_bucket_versioning(Bucket='tier', VersioningConfiguration={'Status': 'Enabled'})
{SSE_OBJECTS}
answered = ('ETag', 'ServerSideEncryption', 'SSEKMSKeyId')
heads = {n: s3.head_object(Bucket='tier', Key=n, **e) for n, (d, e) in objects.items()}
heads = {n: {k: h.get(k) for k in answered} for n, h in heads.items()}

def classes():
    out = {o['Key']: o['StorageClass'] for o in s3.list_objects_v2(Bucket='tier')['Contents']}
    out['v1'] = [v['StorageClass'] for v in s3.list_object_versions(Bucket='tier', Prefix='versioned')['Versions'] if v['VersionId'] == v1][0]
    return out

def wait_for(cls, with_v1=True, seconds=90):
    deadline = time.time() + seconds
    while set(c for k, c in classes().items() if with_v1 or k != 'v1') != {cls}:
        assert time.time() < deadline, classes()
        time.sleep(0.5)

def check_reads(cls):
    for name, (data, enc) in objects.items():
        head = s3.head_object(Bucket='tier', Key=name, **enc)
        assert head['StorageClass'] == cls, (name, head)
        # What the object answers is what it answered before it moved.
        before = heads[name]
        assert head['ETag'] == before['ETag'], (name, head)
        assert head.get('ServerSideEncryption') == before.get('ServerSideEncryption'), (name, head)
        assert head.get('SSEKMSKeyId') == before.get('SSEKMSKeyId'), (name, head)
        assert s3.get_object(Bucket='tier', Key=name, **enc)['Body'].read() == data, name
        if name.startswith('mp-'):
            # Across the first part boundary and the package boundaries near it, one part,
            # and the last bytes.
            lo, hi = sizes[0] - 70000, sizes[0] + 70000
            got = s3.get_object(Bucket='tier', Key=name, Range='bytes=%d-%d' % (lo, hi), **enc)['Body'].read()
            assert got == data[lo:hi + 1], name
            got = s3.get_object(Bucket='tier', Key=name, PartNumber=2, **enc)['Body'].read()
            assert got == data[sizes[0]:sizes[0] + sizes[1]], name
            got = s3.get_object(Bucket='tier', Key=name, Range='bytes=-100', **enc)['Body'].read()
            assert got == data[-100:], name
            # More than one 8 MiB chunk of a remote read, from inside the object.
            lo, hi = 1000, len(data) - 1001
            got = s3.get_object(Bucket='tier', Key=name, Range='bytes=%d-%d' % (lo, hi), **enc)['Body'].read()
            assert got == data[lo:hi + 1], name
    assert s3.get_object(Bucket='tier', Key='versioned', VersionId=v1)['Body'].read() == old
    assert s3.get_object(Bucket='tier', Key='versioned')['Body'].read() == b'current'

def needles():
    # Pieces of every object's plaintext that must appear nowhere on the remote side.
    out = []
    for data, _ in list(objects.values()) + [(old, {})]:
        for at in (0, len(data) // 2, len(data) - 48):
            out.append(data[at:at + 48].hex())
    return out
"#;

/// The script of [`WRITE`].
fn write() -> String {
    WRITE.replace("{SSE_OBJECTS}", SSE_OBJECTS)
}

/// First everything current moves to the bulk class after a day...
const RULES_BULK: &str = r#"
s3.put_bucket_lifecycle_configuration(Bucket='tier', LifecycleConfiguration={'Rules': [
    {'ID': 'down', 'Filter': {}, 'Status': 'Enabled',
     'Transitions': [{'Days': 1, 'StorageClass': 'STANDARD_IA'}]}]})
"#;

/// ...then to the tier after two, noncurrent versions too.
const RULES_COLD: &str = r#"
s3.put_bucket_lifecycle_configuration(Bucket='tier', LifecycleConfiguration={'Rules': [
    {'ID': 'down', 'Filter': {}, 'Status': 'Enabled',
     'Transitions': [{'Days': 1, 'StorageClass': 'STANDARD_IA'}, {'Days': 2, 'StorageClass': 'COLD'}],
     'NoncurrentVersionTransitions': [{'NoncurrentDays': 2, 'StorageClass': 'COLD'}]}]})
"#;

/// A server on the kept directory `dir` with a bulk class named STANDARD_IA, the remote tier
/// `tier_toml` (a `[[tiers]]` table, written next to `dir`), 1-second lifecycle days, a
/// scanner pass every second (unless `extra` says otherwise) and plaintext by default.
fn server_with_tier(dir: &Path, tier_toml: &str, extra: &[&str]) -> Server {
    let config = dir.with_extension("toml");
    std::fs::write(&config, tier_toml).unwrap();
    let mut builder = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2_bulk_mirror())
        .dir(dir)
        .arg("--config")
        .arg(config.to_str().unwrap())
        .arg("--storage-classes")
        .arg("bulk=STANDARD_IA")
        .arg("--lifecycle-day")
        .arg("1")
        .arg("--scan-share")
        .arg("100")
        // Objects written without encryption headers are plaintext, so that the tier's seal
        // is what keeps them from leaving in the clear.
        .arg("--sse-default")
        .arg("none");
    if !extra.contains(&"--scan-interval") {
        builder = builder.arg("--scan-interval").arg("1s");
    }
    for a in extra {
        builder = builder.arg(a);
    }
    builder.start()
}

/// A server under `dir` over an `fs` tier in `dir/remote` (its `[[tiers]]` table made by
/// `table`), with metrics on a free port: the remote directory, the metrics address, the
/// server.
fn server_on_fs(dir: &Path, table: fn(&Path) -> String) -> (PathBuf, String, Server) {
    let remote = dir.join("remote");
    std::fs::create_dir_all(&remote).unwrap();
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = server_with_tier(
        &dir.join("server"),
        &table(&remote),
        &["--metrics-listen", &metrics],
    );
    (remote, metrics, server)
}

/// Files under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Shard bytes in the local classes' volumes under `dir`.
fn local_shard_bytes(dir: &Path) -> u64 {
    let fast = (0..4).map(|i| dir.join(format!("fast{i}")));
    let bulk = (0..2).map(|i| dir.join(format!("bulk{i}")));
    fast.chain(bulk)
        .map(|v| shard_file_sizes(&v).into_iter().sum::<u64>())
        .sum()
}

/// Waits until the local classes' volumes under `dir` hold no shard bytes.
fn wait_until_local_classes_are_empty(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while local_shard_bytes(dir) > 0 {
        assert!(
            Instant::now() < deadline,
            "local shards left: {} bytes",
            local_shard_bytes(dir)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn objects_move_fast_to_bulk_to_an_fs_tier_opaque_encrypted_and_byte_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let (remote, metrics, server) = server_on_fs(tmp.path(), fs_tier_audited);
    let script = format!(
        r#"{}
{RULES_BULK}
wait_for('STANDARD_IA', with_v1=False)
check_reads('STANDARD_IA')
{RULES_COLD}
wait_for('COLD')
check_reads('COLD')
remote = {remote:?}
names = [os.path.relpath(os.path.join(d, f), remote) for d, _, fs in os.walk(remote) for f in fs]
# One remote object per version moved (4 multipart, small, and both versions of 'versioned').
assert len(names) == 7, names
for n in names:
    assert len(n) == 32 and all(c in '0123456789abcdef' for c in n), n
blob = b''.join(open(os.path.join(remote, n), 'rb').read() for n in names).hex()
for needle in needles():
    assert needle not in blob, 'plaintext reached the tier'
# Deleting versions deletes their remote objects.
for v in s3.list_object_versions(Bucket='tier', Prefix='versioned')['Versions']:
    s3.delete_object(Bucket='tier', Key='versioned', VersionId=v['VersionId'])
deadline = time.time() + 20
while len([f for _, _, fs in os.walk(remote) for f in fs]) != 5:
    assert time.time() < deadline, os.listdir(remote)
    time.sleep(0.2)
print('ok')
"#,
        write()
    );
    strata_tests::boto3_ok(&server, &script);
    let exposition = scrape(&metrics);
    let done = series_value(
        &exposition,
        "strata_lifecycle_actions_total{action=\"transition\",outcome=\"done\"}",
    )
    .unwrap_or(0.0);
    // Six current versions moved twice (to bulk, then to the tier), the noncurrent one once.
    assert_eq!(done, 12.0, "{exposition}");
    let noncurrent = series_value(
        &exposition,
        "strata_lifecycle_actions_total{action=\"transition_noncurrent\",outcome=\"done\"}",
    );
    assert_eq!(noncurrent, Some(1.0), "{exposition}");
    // The tier's own families: seven objects written, reads through, two deletes.
    let tier = |op: &str, outcome: &str| {
        let series = format!(
            "strata_tier_requests_total{{tier=\"cloud\",op=\"{op}\",outcome=\"{outcome}\"}}"
        );
        series_value(&exposition, &series).unwrap_or(-1.0)
    };
    assert_eq!(tier("write", "ok"), 7.0, "{exposition}");
    assert_eq!(tier("write", "error"), 0.0, "{exposition}");
    assert!(tier("read", "ok") >= 7.0, "{exposition}");
    assert_eq!(tier("delete", "ok"), 2.0, "{exposition}");
    let read = series_value(
        &exposition,
        "strata_tier_bytes_total{tier=\"cloud\",direction=\"read\"}",
    );
    assert!(read.is_some_and(|b| b > 44e6), "{exposition}");
    // Reads of the multipart objects (over 8 MiB stored) fetched chunks ahead (`read_ahead`).
    let ahead = series_value(
        &exposition,
        "strata_tier_read_ahead_chunks_total{tier=\"cloud\"}",
    );
    assert!(ahead.is_some_and(|n| n >= 4.0), "{exposition}");
    let spent = series_value(
        &exposition,
        "strata_tier_read_ahead_budget_spent_total{tier=\"cloud\"}",
    );
    assert_eq!(spent, Some(0.0), "{exposition}");
    wait_until_local_classes_are_empty(server.dir());
    assert_eq!(files_under(&remote).len(), 5);
    check_lifecycle_audit(&remote);
}

/// The audit trail of the move test: every transition is an event naming its target class
/// (and the tier, for moves to it), and the reads through the tier name it.
fn check_lifecycle_audit(remote: &Path) {
    let moves = |e: &&serde_json::Value| e["operation"] == "LifecycleTransition";
    let events = audit_events(remote, |events| events.iter().filter(moves).count() >= 13);
    let done_to = |class: &str, action: &str| {
        events
            .iter()
            .filter(|e| {
                e["operation"] == "LifecycleTransition"
                    && e["lifecycle_outcome"] == "done"
                    && e["lifecycle_action"] == action
                    && e["storage_class"] == class
            })
            .collect::<Vec<_>>()
    };
    let to_bulk = done_to("STANDARD_IA", "transition");
    let to_tier = done_to("COLD", "transition");
    let noncurrent = done_to("COLD", "transition_noncurrent");
    assert_eq!((to_bulk.len(), to_tier.len(), noncurrent.len()), (6, 6, 1));
    for e in to_tier.iter().chain(&noncurrent) {
        assert_eq!(e["tier"], "cloud", "{e}");
        assert_eq!(e["principal"], serde_json::Value::Null, "{e}");
        assert_eq!(e["bucket"], "tier", "{e}");
        assert!(
            e["version_id"].as_str().is_some_and(|v| !v.is_empty()),
            "{e}"
        );
    }
    assert!(to_bulk.iter().all(|e| e["tier"].is_null()));
    let ids: std::collections::HashSet<_> =
        events.iter().map(|e| e["request_id"].clone()).collect();
    assert_eq!(
        ids.len(),
        events.len(),
        "every event has its own request id"
    );
    // check_reads('COLD') read every object back through the tier.
    let read_through = events
        .iter()
        .filter(|e| e["operation"] == "GetObject" && e["tier"] == "cloud" && e["status"] == 200)
        .count();
    assert!(read_through >= 7, "{read_through} reads through the tier");
    let local_reads = events
        .iter()
        .filter(|e| e["operation"] == "GetObject" && e["tier"].is_null() && e["status"] == 200)
        .count();
    assert!(local_reads >= 7, "reads before the move name no tier");
}

/// The events of [`audit_log`], once `enough` holds for them (or after 10 s).
fn audit_events(
    remote: &Path,
    enough: impl Fn(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    let log = audit_log(remote);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let events: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        if enough(&events) || Instant::now() > deadline {
            return events;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Where [`fs_tier_audited`] writes the audit trail.
fn audit_log(remote: &Path) -> PathBuf {
    remote.with_extension("audit.jsonl")
}

/// [`fs_tier`] and a file audit sink at [`audit_log`].
fn fs_tier_audited(remote: &Path) -> String {
    format!(
        "{}[[audit.sinks]]\nname = \"local\"\nkind = \"file\"\npath = \"{}\"\nbatch_max_age_ms = 100\n",
        fs_tier(remote),
        audit_log(remote).display()
    )
}

/// Python that waits for the scanner to finish `n` more passes (its metrics at `metrics`),
/// for checks that something stays as it is across passes.
fn wait_passes_py(metrics: &str) -> String {
    format!(
        r#"
import re, time, urllib.request
def scanner_passes():
    text = urllib.request.urlopen('http://{metrics}/metrics').read().decode()
    return sum(float(v) for v in re.findall(r'^strata_scanner_passes_total\{{[^}}]*\}} (\S+)', text, re.M))
def wait_passes(n, seconds=30):
    start, deadline = scanner_passes(), time.time() + seconds
    while scanner_passes() < start + n:
        assert time.time() < deadline, 'the scanner finished no pass'
        time.sleep(0.1)
"#
    )
}

/// Objects put straight to the tier in every SSE mode (`direct` maps each name to its bytes,
/// the arguments a read needs, and the PUT's answer), and a check of every read.
const DIRECT: &str = r#"
import os, time, hashlib
s3.create_bucket(Bucket='direct')
key = os.urandom(32)
sse_c = {'SSECustomerAlgorithm': 'AES256', 'SSECustomerKey': key}
modes = {'none': {}, 's3': {'ServerSideEncryption': 'AES256'}, 'kms': {'ServerSideEncryption': 'aws:kms'}, 'c': sse_c}
direct = {}
for mode, enc in modes.items():
    data = os.urandom(6 * 1024 * 1024 + 77)
    answer = s3.put_object(Bucket='direct', Key='put-' + mode, Body=data, StorageClass='COLD', **enc)
    direct['put-' + mode] = (data, sse_c if mode == 'c' else {}, answer)

def check_direct():
    for name, (data, enc, answer) in direct.items():
        head = s3.head_object(Bucket='direct', Key=name, **enc)
        assert head['StorageClass'] == 'COLD', (name, head)
        assert head['ETag'] == answer['ETag'], (name, head)
        assert head.get('ServerSideEncryption') == answer.get('ServerSideEncryption'), (name, head)
        assert s3.get_object(Bucket='direct', Key=name, **enc)['Body'].read() == data, name
        for lo, hi in ((1000000, 3000000), (len(data) - 100, len(data) - 1)):
            got = s3.get_object(Bucket='direct', Key=name, Range='bytes=%d-%d' % (lo, hi), **enc)['Body'].read()
            assert got == data[lo:hi + 1], (name, lo)
    # Plaintext answers as plaintext: no encryption header, the MD5 as its ETag.
    data, _, answer = direct['put-none']
    assert 'ServerSideEncryption' not in answer, answer
    assert answer['ETag'] == '"%s"' % hashlib.md5(data).hexdigest(), answer
    assert {o['Key']: o['StorageClass'] for o in s3.list_objects_v2(Bucket='direct')['Contents']} == {n: 'COLD' for n in direct}

check_direct()
# Scanner passes with a 1-second orphan grace keep every object (each entry names its version).
time.sleep(1.5)  # a pass leaves entries younger than the orphan grace alone: let it elapse
wait_passes(2)
check_direct()
print('ok')
"#;

#[test]
fn puts_and_copies_naming_the_tier_stream_there_sealed_with_no_local_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote");
    std::fs::create_dir_all(&remote).unwrap();
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = server_with_tier(
        &tmp.path().join("server"),
        &fs_tier(&remote),
        &["--orphan-grace", "1s", "--metrics-listen", &metrics],
    );
    strata_tests::boto3_ok(&server, &(wait_passes_py(&metrics) + DIRECT));
    // Nothing of them here; one opaque object each there.
    wait_until_local_classes_are_empty(server.dir());
    assert_eq!(files_under(&remote).len(), 4);
    let script = format!(
        r#"
import os, time, hashlib
local = os.urandom(3 * 1024 * 1024)
s3.put_object(Bucket='direct', Key='local', Body=local)
# Copies to and from the tier.
s3.copy_object(Bucket='direct', Key='copied-cold', CopySource={{'Bucket': 'direct', 'Key': 'local'}}, StorageClass='COLD')
head = s3.head_object(Bucket='direct', Key='copied-cold')
assert head['StorageClass'] == 'COLD' and 'ServerSideEncryption' not in head, head
assert head['ETag'] == '"%s"' % hashlib.md5(local).hexdigest(), head
assert s3.get_object(Bucket='direct', Key='copied-cold')['Body'].read() == local, 'copied-cold'
# A copy without a class is STANDARD, whatever its source's class, as on AWS.
s3.copy_object(Bucket='direct', Key='copied-default', CopySource={{'Bucket': 'direct', 'Key': 'copied-cold'}})
head = s3.head_object(Bucket='direct', Key='copied-default')
assert head.get('StorageClass', 'STANDARD') == 'STANDARD', head
assert s3.get_object(Bucket='direct', Key='copied-default')['Body'].read() == local, 'copied-default'
cold = s3.get_object(Bucket='direct', Key='put-none')['Body'].read()
s3.copy_object(Bucket='direct', Key='copied-back', CopySource={{'Bucket': 'direct', 'Key': 'put-none'}}, StorageClass='STANDARD')
head = s3.head_object(Bucket='direct', Key='copied-back')
assert head.get('StorageClass', 'STANDARD') == 'STANDARD', head
assert s3.get_object(Bucket='direct', Key='copied-back')['Body'].read() == cold, 'copied-back'
# Copied onto itself as STANDARD, a tier object comes back (and its remote object goes).
put_s3 = s3.get_object(Bucket='direct', Key='put-s3')['Body'].read()
s3.copy_object(Bucket='direct', Key='put-s3', CopySource={{'Bucket': 'direct', 'Key': 'put-s3'}}, StorageClass='STANDARD')
head = s3.head_object(Bucket='direct', Key='put-s3')
assert head.get('StorageClass', 'STANDARD') == 'STANDARD', head
assert s3.get_object(Bucket='direct', Key='put-s3')['Body'].read() == put_s3, 'put-s3'
# Replacing a tier object removes the old remote object.
s3.put_object(Bucket='direct', Key='put-none', Body=b'replaced', StorageClass='COLD')
assert s3.get_object(Bucket='direct', Key='put-none')['Body'].read() == b'replaced', 'replaced'
remote = {remote:?}
deadline = time.time() + 20
while len([f for _, _, fs in os.walk(remote) for f in fs]) != 4:
    assert time.time() < deadline, os.listdir(remote)
    time.sleep(0.2)
names = os.listdir(remote)
for n in names:
    assert len(n) == 32 and all(c in '0123456789abcdef' for c in n), n
blob = b''.join(open(os.path.join(remote, n), 'rb').read() for n in names).hex()
for data in (cold, local):
    for at in (0, len(data) // 2, len(data) - 48):
        assert data[at:at + 48].hex() not in blob, 'plaintext reached the tier'
print('ok')
"#
    );
    strata_tests::boto3_ok(&server, &script);
}

/// Remote objects changed on the tier after they were written: a byte flipped in a package
/// and in a stream header, the end cut off, two objects' bytes swapped, the two equal parts
/// of a multipart object swapped. Every read of a changed span fails; what was sent before
/// the failure is the object's own first bytes. Unchanged spans still read.
const DAMAGED: &str = r#"
import os, time
from botocore.exceptions import ClientError
s3.create_bucket(Bucket='damage')
remote = 'REMOTE'
objects, files = {}, {}

def landed(name, data, write):
    before = set(os.listdir(remote))
    write()
    # A multipart upload's parts are objects of their own until its completion deletes them.
    deadline = time.time() + 10
    while len(set(os.listdir(remote)) - before) != 1:
        assert time.time() < deadline, set(os.listdir(remote)) - before
        time.sleep(0.1)
    (new,) = set(os.listdir(remote)) - before
    objects[name], files[name] = data, os.path.join(remote, new)

size = 3 * 1024 * 1024 + 5
for name in ('flipped', 'header', 'cut', 'swap-a', 'swap-b'):
    data = os.urandom(size)
    landed(name, data, lambda: s3.put_object(Bucket='damage', Key=name, Body=data, StorageClass='COLD'))
part = 5 * 1024 * 1024
pieces = [os.urandom(part), os.urandom(part)]
def multipart():
    up = s3.create_multipart_upload(Bucket='damage', Key='parts', StorageClass='COLD')['UploadId']
    done = [{'PartNumber': n, 'ETag': s3.upload_part(Bucket='damage', Key='parts', UploadId=up, PartNumber=n, Body=p)['ETag']}
            for n, p in enumerate(pieces, 1)]
    s3.complete_multipart_upload(Bucket='damage', Key='parts', UploadId=up, MultipartUpload={'Parts': done})
landed('parts', b''.join(pieces), multipart)
for name, data in objects.items():
    assert s3.get_object(Bucket='damage', Key=name)['Body'].read() == data, name

def flip(path, at):
    with open(path, 'r+b') as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 1]))
flip(files['flipped'], 2 * 1024 * 1024)
flip(files['header'], 3)
os.truncate(files['cut'], os.path.getsize(files['cut']) - 100)
def swap(a, b):
    x, y = open(a, 'rb').read(), open(b, 'rb').read()
    assert len(x) == len(y)
    open(a, 'wb').write(y)
    open(b, 'wb').write(x)
swap(files['swap-a'], files['swap-b'])
stored = open(files['parts'], 'rb').read()
half = len(stored) // 2
open(files['parts'], 'wb').write(stored[half:] + stored[:half])

def read(name, **args):
    got = b''
    try:
        body = s3.get_object(Bucket='damage', Key=name, **args)['Body']
        while True:
            piece = body.read(65536)
            if not piece:
                return got, None
            got += piece
    except ClientError as e:
        return got, e.response['Error']['Code']
    except Exception as e:  # the body cut short: botocore's streaming errors
        return got, type(e).__name__

# (name, arguments, the first byte the read asks for)
for name, args, start in (('flipped', {}, 0), ('flipped', {'Range': 'bytes=2000000-2200000'}, 2000000),
                          ('header', {}, 0), ('header', {'Range': 'bytes=100-200'}, 100), ('cut', {}, 0),
                          ('cut', {'Range': 'bytes=-10'}, size - 10), ('swap-a', {}, 0), ('swap-b', {}, 0),
                          ('parts', {}, 0), ('parts', {'PartNumber': 2}, part)):
    got, failure = read(name, **args)
    assert failure is not None, (name, args, len(got))
    assert got == objects[name][start:start + len(got)], (name, args, 'wrong bytes')
# Spans the changes do not touch still read.
got, failure = read('flipped', Range='bytes=0-999999')
assert failure is None and got == objects['flipped'][:1000000], failure
print('ok')
"#;

#[test]
fn remote_objects_changed_on_the_tier_fail_their_reads_and_never_give_wrong_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (remote, _, server) = server_on_fs(tmp.path(), fs_tier);
    let script = DAMAGED.replace("REMOTE", remote.to_str().unwrap());
    strata_tests::boto3_ok(&server, &script);
}

const MULTIPART: &str = r#"
import os, time, hashlib
s3.create_bucket(Bucket='parts')
sse_c = {'SSECustomerAlgorithm': 'AES256', 'SSECustomerKey': os.urandom(32)}
modes = {'none': {}, 's3': {'ServerSideEncryption': 'AES256'}, 'kms': {'ServerSideEncryption': 'aws:kms'}, 'c': sse_c}
sizes = [5 * 1024 * 1024, 1024 * 1024 + 123]

def upload(name, enc):
    part_enc = sse_c if enc is sse_c else {}
    up = s3.create_multipart_upload(Bucket='parts', Key=name, StorageClass='COLD', **enc)
    parts, pieces = [], []
    for n, size in enumerate(sizes, 1):
        piece = os.urandom(size)
        answer = s3.upload_part(Bucket='parts', Key=name, UploadId=up['UploadId'], PartNumber=n, Body=piece, **part_enc)
        parts.append({'PartNumber': n, 'ETag': answer['ETag']})
        pieces.append(piece)
    if enc is not sse_c:  # its parts' checksums are sealed, and botocore sends no key MD5 here
        listed = s3.list_parts(Bucket='parts', Key=name, UploadId=up['UploadId'])
        assert listed['StorageClass'] == 'COLD', listed
    return up['UploadId'], parts, b''.join(pieces)

remote = 'REMOTE'
def opaque_and_sealed(count):
    deadline = time.time() + 20
    while len(os.listdir(remote)) != count:
        assert time.time() < deadline, (count, os.listdir(remote))
        time.sleep(0.2)
    names = os.listdir(remote)
    for n in names:
        assert len(n) == 32 and all(c in '0123456789abcdef' for c in n), n
    blob = b''.join(open(os.path.join(remote, n), 'rb').read() for n in names).hex()
    plain = uploads['mp-none'][3]
    for at in (0, edge - 24, len(plain) - 48):
        assert plain[at:at + 48].hex() not in blob, 'plaintext reached the tier'

uploads = {'mp-' + mode: (enc,) + upload('mp-' + mode, enc) for mode, enc in modes.items()}
edge = sizes[0]
# Every part is one sealed remote object already (nothing local: checked by the caller).
opaque_and_sealed(8)
open('PARTS_UPLOADED', 'w').write('')
deadline = time.time() + 60
while not os.path.exists('LOCAL_CHECKED'):
    assert time.time() < deadline, 'the local volumes were never checked'
    time.sleep(0.1)
listed = s3.list_multipart_uploads(Bucket='parts')['Uploads']
assert {u['Key']: u['StorageClass'] for u in listed} == {n: 'COLD' for n in uploads}, listed
for name, (enc, upload_id, parts, data) in uploads.items():
    read_enc = sse_c if enc is sse_c else {}
    done = s3.complete_multipart_upload(Bucket='parts', Key=name, UploadId=upload_id, MultipartUpload={'Parts': parts}, **read_enc)
    head = s3.head_object(Bucket='parts', Key=name, **read_enc)
    assert head['StorageClass'] == 'COLD', (name, head)
    assert head['ETag'] == done['ETag'] and done['ETag'].endswith('-2"'), (name, head, done)
    assert head.get('ServerSideEncryption') == enc.get('ServerSideEncryption'), (name, head)
    assert s3.get_object(Bucket='parts', Key=name, **read_enc)['Body'].read() == data, name
    got = s3.get_object(Bucket='parts', Key=name, Range='bytes=%d-%d' % (edge - 100, edge + 100), **read_enc)['Body'].read()
    assert got == data[edge - 100:edge + 101], name
    assert s3.get_object(Bucket='parts', Key=name, PartNumber=2, **read_enc)['Body'].read() == data[edge:], name
assert s3.list_multipart_uploads(Bucket='parts').get('Uploads', []) == []
# Parts of an upload whose completion finds the tier gone stay, for a later completion.
later = upload('later', {})
open('STATE', 'wb').write(repr((later[0], later[1])).encode())
# The four objects and the open upload's two parts; the completed uploads' parts are gone.
opaque_and_sealed(6)
open('DATA', 'wb').write(later[2])
print('ok')
"#;

#[test]
fn multipart_uploads_naming_the_tier_write_parts_there_and_complete_there_sealed() {
    let tmp = tempfile::tempdir().unwrap();
    let (remote, _metrics, server) = server_on_fs(tmp.path(), fs_tier_audited);
    let (state, data) = (tmp.path().join("state"), tmp.path().join("data"));
    let (uploaded, checked) = (tmp.path().join("uploaded"), tmp.path().join("checked"));
    let script = MULTIPART
        .replace("PARTS_UPLOADED", uploaded.to_str().unwrap())
        .replace("LOCAL_CHECKED", checked.to_str().unwrap())
        .replace("STATE", state.to_str().unwrap())
        .replace("DATA", data.to_str().unwrap())
        .replace("REMOTE", remote.to_str().unwrap());
    // While the parts are uploaded and the uploads open, no shard byte is written locally.
    std::thread::scope(|s| {
        let uploads = s.spawn(|| strata_tests::boto3_ok(&server, &script));
        let deadline = Instant::now() + Duration::from_secs(120);
        while !uploaded.exists() && !uploads.is_finished() {
            assert!(Instant::now() < deadline, "the parts were never uploaded");
            std::thread::sleep(Duration::from_millis(100));
        }
        if !uploads.is_finished() {
            assert_eq!(
                local_shard_bytes(server.dir()),
                0,
                "a part was kept locally"
            );
            std::fs::write(&checked, b"").unwrap();
        }
        uploads.join().unwrap();
    });
    // The tier's root becomes a file: the completion cannot write there.
    let away = tmp.path().join("remote.away");
    std::fs::rename(&remote, &away).unwrap();
    std::fs::write(&remote, b"not a directory").unwrap();
    let script = r#"
import time
upload_id, parts = eval(open('STATE').read())
complete = lambda: s3.complete_multipart_upload(Bucket='parts', Key='later', UploadId=upload_id, MultipartUpload={'Parts': parts})
assert refused(complete) == ('ServiceUnavailable', 503)
assert refused(lambda: s3.head_object(Bucket='parts', Key='later')) == ('404', 404)
part = lambda: s3.upload_part(Bucket='parts', Key='later', UploadId=upload_id, PartNumber=3, Body=b'x' * 1000)
assert refused(part) == ('ServiceUnavailable', 503)
assert len(s3.list_parts(Bucket='parts', Key='later', UploadId=upload_id)['Parts']) == 2
print('ok')
"#;
    strata_tests::boto3_ok(&server, &script.replace("STATE", state.to_str().unwrap()));
    std::fs::remove_file(&remote).unwrap();
    std::fs::rename(&away, &remote).unwrap();
    // Back: the same completion succeeds once the tier's write backoff (10 s) has passed.
    let script = r#"
import time
upload_id, parts = eval(open('STATE').read())
deadline = time.time() + 40
while refused(lambda: s3.complete_multipart_upload(Bucket='parts', Key='later', UploadId=upload_id, MultipartUpload={'Parts': parts})) is not None:
    assert time.time() < deadline, 'the completion never succeeded'
    time.sleep(1)
assert s3.head_object(Bucket='parts', Key='later')['StorageClass'] == 'COLD'
assert s3.get_object(Bucket='parts', Key='later')['Body'].read() == open('DATA', 'rb').read()
print('ok')
"#;
    let script = script
        .replace("STATE", state.to_str().unwrap())
        .replace("DATA", data.to_str().unwrap());
    strata_tests::boto3_ok(&server, &script);
    // Nothing was ever kept here; the last upload's parts leave the tier after it completes.
    assert_eq!(local_shard_bytes(server.dir()), 0);
    let deadline = Instant::now() + Duration::from_secs(20);
    while files_under(&remote).len() != 5 {
        assert!(Instant::now() < deadline, "{:?}", files_under(&remote));
        std::thread::sleep(Duration::from_millis(200));
    }
    // Each part and completion names the tier in its audit event, the refused ones too.
    let named = |events: &[serde_json::Value], operation: &str, status: u64| {
        let done = events
            .iter()
            .filter(|e| e["operation"] == operation && e["status"] == status);
        done.map(|e| e["tier"].clone()).collect::<Vec<_>>()
    };
    let done = |events: &[serde_json::Value]| named(events, "CompleteMultipartUpload", 200);
    let events = audit_events(&remote, |events| done(events).len() >= 5);
    assert_eq!(done(&events), vec![serde_json::json!("cloud"); 5]);
    assert_eq!(
        named(&events, "UploadPart", 200),
        vec![serde_json::json!("cloud"); 10]
    );
    for operation in ["CompleteMultipartUpload", "UploadPart"] {
        let refused = named(&events, operation, 503);
        assert!(
            !refused.is_empty() && refused.iter().all(|t| t == "cloud"),
            "{operation}: {refused:?}"
        );
    }
}

/// An archive tier (`GLACIER`) in the directory `remote`.
fn fs_archive(remote: &Path) -> String {
    fs_tier(remote)
        .replace("name = \"cloud\"", "name = \"vault\"")
        .replace("COLD", "GLACIER")
}

#[test]
fn a_restore_cut_by_a_missing_tier_and_a_restart_is_resumed_by_the_scanner() {
    let tmp = tempfile::tempdir().unwrap();
    let (remote, metrics, server) = server_on_fs(tmp.path(), fs_archive);
    let put = r#"
import os
s3.create_bucket(Bucket='vault')
data = os.urandom(3 * 1024 * 1024 + 5)
open('DATA_FILE', 'wb').write(data)
s3.put_object(Bucket='vault', Key='a', Body=data, StorageClass='GLACIER')
print('ok')
"#;
    let data_file = tmp.path().join("data");
    let data_file = data_file.to_str().unwrap();
    strata_tests::boto3_ok(&server, &put.replace("DATA_FILE", data_file));
    // The tier goes away: the restore asked for now cannot copy, and stays asked for.
    let away = tmp.path().join("remote.away");
    std::fs::rename(&remote, &away).unwrap();
    let ask = r#"
import time
answer = s3.restore_object(Bucket='vault', Key='a', RestoreRequest={'Days': 30})
assert answer['ResponseMetadata']['HTTPStatusCode'] == 202, answer
wait_passes(2)  # the copy failed and scanner passes tried it again, in vain
assert s3.head_object(Bucket='vault', Key='a')['Restore'] == 'ongoing-request="true"'
assert refused(lambda: s3.get_object(Bucket='vault', Key='a')) == ('InvalidObjectState', 403)
print('ok')
"#;
    strata_tests::boto3_ok(&server, &(wait_passes_py(&metrics) + ask));
    drop(server);
    let server = server_with_tier(&tmp.path().join("server"), &fs_archive(&remote), &[]);
    let still = r#"
listed = s3.list_objects_v2(Bucket='vault', OptionalObjectAttributes=['RestoreStatus'])['Contents']
assert listed[0]['RestoreStatus'] == {'IsRestoreInProgress': True}, listed
assert s3.head_object(Bucket='vault', Key='a')['Restore'] == 'ongoing-request="true"'
print('ok')
"#;
    strata_tests::boto3_ok(&server, still);
    // Back: the scanner's next pass makes the copy the request asked for.
    if remote.exists() {
        std::fs::remove_dir(&remote).unwrap();
    }
    std::fs::rename(&away, &remote).unwrap();
    let done = r#"
import os, time
deadline = time.time() + 30
while not s3.head_object(Bucket='vault', Key='a').get('Restore', '').startswith('ongoing-request="false"'):
    assert time.time() < deadline, s3.head_object(Bucket='vault', Key='a')
    time.sleep(0.2)
assert s3.get_object(Bucket='vault', Key='a')['Body'].read() == open('DATA_FILE', 'rb').read()
print('ok')
"#;
    strata_tests::boto3_ok(&server, &done.replace("DATA_FILE", data_file));
}

#[test]
fn an_archive_tier_is_read_only_through_a_restored_copy_that_expires() {
    let tmp = tempfile::tempdir().unwrap();
    let (remote, metrics, server) = server_on_fs(tmp.path(), fs_archive);
    let script = r#"
import os, time
s3.create_bucket(Bucket='vault')
data = os.urandom(5 * 1024 * 1024 + 11)
s3.put_object(Bucket='vault', Key='a', Body=data, StorageClass='GLACIER')
head = s3.head_object(Bucket='vault', Key='a')
assert head['StorageClass'] == 'GLACIER' and 'Restore' not in head, head
never = s3.list_objects_v2(Bucket='vault', OptionalObjectAttributes=['RestoreStatus'])['Contents']
assert [o['Key'] for o in never] == ['a'] and 'RestoreStatus' not in never[0], never
assert refused(lambda: s3.list_objects_v2(Bucket='vault', OptionalObjectAttributes=['Owner'])) == ('InvalidArgument', 400)
# Archived: no reads, no copies, until restored.
assert refused(lambda: s3.get_object(Bucket='vault', Key='a')) == ('InvalidObjectState', 403)
assert refused(lambda: s3.copy_object(Bucket='vault', Key='b', CopySource={'Bucket': 'vault', 'Key': 'a'}, StorageClass='STANDARD')) == ('InvalidObjectState', 403)
assert refused(lambda: s3.restore_object(Bucket='vault', Key='a', RestoreRequest={'GlacierJobParameters': {'Tier': 'Standard'}})) == ('MalformedXML', 400)
assert refused(lambda: s3.restore_object(Bucket='vault', Key='a', RestoreRequest={'Days': 1, 'Type': 'SELECT'})) == ('NotImplemented', 501)
answer = s3.restore_object(Bucket='vault', Key='a', RestoreRequest={'Days': 30, 'GlacierJobParameters': {'Tier': 'Bulk'}})
assert answer['ResponseMetadata']['HTTPStatusCode'] == 202, answer
deadline = time.time() + 30
while True:
    head = s3.head_object(Bucket='vault', Key='a')
    if head.get('Restore', '').startswith('ongoing-request="false"'):
        break
    assert head.get('Restore') in (None, 'ongoing-request="true"'), head
    assert time.time() < deadline, head
    time.sleep(0.1)
assert 'expiry-date="' in head['Restore'] and head['StorageClass'] == 'GLACIER', head
# Listings asked for it show the restore; the expiry is the header's.
from email.utils import parsedate_to_datetime
until = parsedate_to_datetime(head['Restore'].split('expiry-date="')[1].rstrip('"'))
want = {'IsRestoreInProgress': False, 'RestoreExpiryDate': until}
listed = s3.list_objects_v2(Bucket='vault', OptionalObjectAttributes=['RestoreStatus'])['Contents']
assert [o.get('RestoreStatus') for o in listed] == [want], listed
listed = s3.list_objects(Bucket='vault', OptionalObjectAttributes=['RestoreStatus'])['Contents']
assert [o.get('RestoreStatus') for o in listed] == [want], listed
listed = s3.list_object_versions(Bucket='vault', OptionalObjectAttributes=['RestoreStatus'])['Versions']
assert [o.get('RestoreStatus') for o in listed] == [want], listed
assert 'RestoreStatus' not in s3.list_objects_v2(Bucket='vault')['Contents'][0]
got = s3.get_object(Bucket='vault', Key='a')
assert got['Body'].read() == data
assert got['Restore'] == head['Restore'], got
got = s3.get_object(Bucket='vault', Key='a', Range='bytes=1000000-4000000')['Body'].read()
assert got == data[1000000:4000001]
s3.copy_object(Bucket='vault', Key='b', CopySource={'Bucket': 'vault', 'Key': 'a'}, StorageClass='STANDARD')
assert s3.get_object(Bucket='vault', Key='b')['Body'].read() == data
assert refused(lambda: s3.restore_object(Bucket='vault', Key='b', RestoreRequest={'Days': 1})) == ('InvalidObjectState', 403)
listed = s3.list_objects_v2(Bucket='vault', OptionalObjectAttributes=['RestoreStatus'])['Contents']
assert [(o['Key'], o.get('RestoreStatus')) for o in listed] == [('a', want), ('b', None)], listed
# Restored already: the expiry moves (one lifecycle day is a second here).
again = s3.restore_object(Bucket='vault', Key='a', RestoreRequest={'Days': 1})
assert again['ResponseMetadata']['HTTPStatusCode'] == 200, again
deadline = time.time() + 30
while refused(lambda: s3.get_object(Bucket='vault', Key='a')) != ('InvalidObjectState', 403):
    assert time.time() < deadline
    time.sleep(0.2)
assert 'Restore' not in s3.head_object(Bucket='vault', Key='a')
print('ok')
"#;
    strata_tests::boto3_ok(&server, script);
    // The scanner removed the expired copy.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let expired = series_value(&scrape(&metrics), "strata_scanner_restores_expired_total");
        if expired == Some(1.0) {
            break;
        }
        assert!(Instant::now() < deadline, "{expired:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(files_under(&remote).len(), 1);
}

#[test]
fn a_moto_tier_that_is_down_delays_moves_answers_503_and_gets_deletes_retried() {
    let tmp = tempfile::tempdir().unwrap();
    let moto_port = free_port();
    let secret = tmp.path().join("secret");
    std::fs::write(&secret, "testing\n").unwrap();
    let tier = format!(
        "[[tiers]]\nname = \"cloud\"\nstorage_class = \"COLD\"\nservice = \"s3\"\n\
         options = {{ endpoint = \"http://127.0.0.1:{moto_port}\", region = \"us-east-1\", \
         bucket = \"cold\", access_key_id = \"testing\", disable_config_load = \"true\", \
         disable_ec2_metadata = \"true\" }}\n\
         option_files = {{ secret_access_key = \"{}\" }}\n",
        secret.display()
    );
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let server = server_with_tier(
        &tmp.path().join("server"),
        &tier,
        &["--metrics-listen", &metrics, "--orphan-grace", "1s"],
    );
    let state = tmp.path().join("state.pickle");
    // The tier is not there yet: moves fail and are tried again, objects stay readable.
    strata_tests::boto3_ok(
        &server,
        &format!(
            r#"{WRITE}
{RULES_BULK}
wait_for('STANDARD_IA', with_v1=False)
{RULES_COLD}
time.sleep(4)
check_reads('STANDARD_IA')
import pickle
pickle.dump((objects, v1, old, key, heads), open({state:?}, 'wb'))
print('ok')
"#,
            WRITE = write()
        ),
    );
    let failed = series_value(
        &scrape(&metrics),
        "strata_lifecycle_actions_total{action=\"transition\",outcome=\"failed\"}",
    )
    .unwrap_or(0.0);
    assert!(
        failed >= 1.0,
        "moves to a tier that is down count as failed"
    );
    // The tier comes up: the next passes move everything.
    let running = moto(moto_port);
    strata_tests::boto3_ok(
        &server,
        &format!(
            r#"{WRITE_NOTHING}
wait_for('COLD')
check_reads('COLD')
import boto3
moto = boto3.client('s3', endpoint_url='http://127.0.0.1:{moto_port}', aws_access_key_id='testing', aws_secret_access_key='testing', region_name='us-east-1')
names = [o['Key'] for o in moto.list_objects_v2(Bucket='cold').get('Contents', [])]
assert len(names) == 7, names
blob = b''.join(moto.get_object(Bucket='cold', Key=n)['Body'].read() for n in names).hex()
for n in names:
    assert len(n) == 32 and all(c in '0123456789abcdef' for c in n), n
for needle in needles():
    assert needle not in blob, 'plaintext reached the tier'
# A PUT naming the tier streams to it.
direct = os.urandom(7 * 1024 * 1024 + 3)
s3.put_object(Bucket='tier', Key='direct', Body=direct, StorageClass='COLD')
assert s3.head_object(Bucket='tier', Key='direct')['StorageClass'] == 'COLD'
assert s3.get_object(Bucket='tier', Key='direct')['Body'].read() == direct
assert len(moto.list_objects_v2(Bucket='cold')['Contents']) == 8
s3.delete_object(Bucket='tier', Key='direct')
print('ok')
"#,
            WRITE_NOTHING = reload(&state)
        ),
    );
    // The tier goes down: metadata still answers, reads answer 503, deletes still work.
    drop(running);
    strata_tests::boto3_ok(
        &server,
        &format!(
            r#"{WRITE_NOTHING}
assert s3.head_object(Bucket='tier', Key='mp-none')['StorageClass'] == 'COLD'
# A PUT naming the tier fails as a whole and leaves nothing.
assert refused(lambda: s3.put_object(Bucket='tier', Key='down', Body=b'x' * 1000, StorageClass='COLD')) == ('ServiceUnavailable', 503)
assert len(s3.list_objects_v2(Bucket='tier')['Contents']) == 6
for name, (data, enc) in objects.items():
    assert refused(lambda: s3.get_object(Bucket='tier', Key=name, **enc)['Body'].read()) == ('ServiceUnavailable', 503), name
s3.delete_object(Bucket='tier', Key='versioned', VersionId=v1)
print('ok')
"#,
            WRITE_NOTHING = reload(&state)
        ),
    );
    let read_errors = series_value(
        &scrape(&metrics),
        "strata_tier_requests_total{tier=\"cloud\",op=\"read\",outcome=\"error\"}",
    );
    assert!(read_errors.is_some_and(|n| n >= 5.0), "{read_errors:?}");
    // Back (empty, as moto keeps nothing): the scanner deletes what the delete could not.
    let _moto = moto(moto_port);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = admin(&server, &["scan", "--wait"]);
        let report = json_of(&out);
        if report["scans"]["remote_orphans_removed"].as_u64() >= Some(1) {
            break;
        }
        assert!(Instant::now() < deadline, "{report:#}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Python that loads what the first script saved and defines its helpers, without writing.
fn reload(state: &Path) -> String {
    let helpers = &WRITE[WRITE.find("def classes").expect("helpers")..];
    format!(
        r#"
import os, time, json, pickle
objects, v1, old, key, heads = pickle.load(open({state:?}, 'rb'))
sizes = [5 * 1024 * 1024, 5 * 1024 * 1024, 1024 * 1024 + 123]
{helpers}
"#
    )
}

/// The `[[tiers]]` table of a tier in the directory `remote` (OpenDAL's `fs` service),
/// reading ahead (the moto tier reads with one GET).
fn fs_tier(remote: &Path) -> String {
    format!(
        "[[tiers]]\nname = \"cloud\"\nstorage_class = \"COLD\"\nservice = \"fs\"\n\
         read_ahead = 3\noptions = {{ root = \"{}\" }}\n",
        remote.display()
    )
}

#[test]
fn a_move_to_a_tier_cut_by_kill_9_leaves_one_readable_copy_and_no_orphan() {
    const SIZE: usize = 48 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let remote = tmp.path().join("remote");
    std::fs::create_dir_all(&remote).unwrap();
    let file = tmp.path().join("big");
    strata_tests::write_random(&file, SIZE, 18);
    let server = server_with_tier(&dir, &fs_tier(&remote), &["--orphan-grace", "0s"]);
    let setup = format!(
        r#"
s3.create_bucket(Bucket='cut')
s3.put_object(Bucket='cut', Key='big', Body=open('{}', 'rb').read())
s3.put_bucket_lifecycle_configuration(Bucket='cut', LifecycleConfiguration={{'Rules': [
    {{'ID': 'cold', 'Filter': {{}}, 'Status': 'Enabled', 'Transitions': [{{'Days': 1, 'StorageClass': 'COLD'}}]}}]}})
print('ok')
"#,
        file.display()
    );
    strata_tests::boto3_ok(&server, &setup);
    // Killed as soon as the remote object has begun.
    let deadline = Instant::now() + Duration::from_secs(60);
    while remote_bytes(&remote) == 0 {
        assert!(Instant::now() < deadline, "no move began");
        std::thread::sleep(Duration::from_millis(2));
    }
    let written = remote_bytes(&remote);
    drop(server);
    eprintln!("killed with {written} bytes written to the tier");

    // After the restart one pass finishes the move and deletes what the kill left behind.
    let server = server_with_tier(
        &dir,
        &fs_tier(&remote),
        &["--scan-interval", "off", "--orphan-grace", "0s"],
    );
    json_of(&admin(&server, &["scan", "--wait"]));
    let check = format!(
        r#"
assert s3.head_object(Bucket='cut', Key='big')['StorageClass'] == 'COLD'
assert s3.get_object(Bucket='cut', Key='big')['Body'].read() == open('{}', 'rb').read()
print('ok')
"#,
        file.display()
    );
    strata_tests::boto3_ok(&server, &check);
    // One remote object, sealed (so a little larger than the plaintext), and no local shard.
    let objects = files_under(&remote);
    assert_eq!(objects.len(), 1, "{objects:?}");
    let len = std::fs::metadata(&objects[0]).unwrap().len();
    assert!(
        (SIZE as u64 + 1..SIZE as u64 + (1 << 20)).contains(&len),
        "{len}"
    );
    wait_until_local_classes_are_empty(&dir);
}

#[test]
fn a_part_to_a_tier_cut_by_kill_9_leaves_no_orphan_and_the_upload_completes_after() {
    const SIZE: usize = 48 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let remote = tmp.path().join("remote");
    std::fs::create_dir_all(&remote).unwrap();
    let file = tmp.path().join("part");
    strata_tests::write_random(&file, SIZE, 19);
    let quiet = ["--scan-interval", "off", "--orphan-grace", "0s"];
    let server = server_with_tier(&dir, &fs_tier(&remote), &quiet);
    let id_file = tmp.path().join("upload-id");
    strata_tests::boto3_ok(
        &server,
        &format!(
            r#"
s3.create_bucket(Bucket='cutpart')
up = s3.create_multipart_upload(Bucket='cutpart', Key='big', StorageClass='COLD')['UploadId']
open('{}', 'w').write(up)
print('ok')
"#,
            id_file.display()
        ),
    );
    let upload_id = std::fs::read_to_string(&id_file).unwrap();
    // The AWS CLI uploads the part; strata is killed once the part's remote object has begun.
    let keys = (
        server.credentials.access_key.as_str(),
        server.credentials.secret_key.as_str(),
    );
    let mut uploading = strata_tests::aws_cli(&server, keys)
        .args([
            "s3api",
            "upload-part",
            "--bucket",
            "cutpart",
            "--key",
            "big",
        ])
        .args(["--upload-id", &upload_id, "--part-number", "1", "--body"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while remote_bytes(&remote) == 0 {
        assert!(Instant::now() < deadline, "the part never reached the tier");
        std::thread::sleep(Duration::from_millis(2));
    }
    let written = remote_bytes(&remote);
    drop(server);
    let _ = uploading.kill();
    let _ = uploading.wait();
    eprintln!("killed with {written} bytes of the part on the tier");

    // After the restart one pass deletes what the kill left; the upload has no part.
    let server = server_with_tier(&dir, &fs_tier(&remote), &quiet);
    json_of(&admin(&server, &["scan", "--wait"]));
    assert_eq!(files_under(&remote), Vec::<PathBuf>::new());
    strata_tests::boto3_ok(
        &server,
        &format!(
            r#"
up = {upload_id:?}
assert 'Parts' not in s3.list_parts(Bucket='cutpart', Key='big', UploadId=up), 'a part that was cut is listed'
data = open('{file}', 'rb').read()
etag = s3.upload_part(Bucket='cutpart', Key='big', UploadId=up, PartNumber=1, Body=data)['ETag']
s3.complete_multipart_upload(Bucket='cutpart', Key='big', UploadId=up,
                             MultipartUpload={{'Parts': [{{'PartNumber': 1, 'ETag': etag}}]}})
assert s3.head_object(Bucket='cutpart', Key='big')['StorageClass'] == 'COLD'
assert s3.get_object(Bucket='cutpart', Key='big')['Body'].read() == data
print('ok')
"#,
            file = file.display()
        ),
    );
    // The completed object, alone: the part's object goes once the completion commits.
    let deadline = Instant::now() + Duration::from_secs(20);
    while files_under(&remote).len() != 1 {
        assert!(Instant::now() < deadline, "{:?}", files_under(&remote));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(local_shard_bytes(&dir), 0);
}

/// Bytes of the files under the fs tier's root `remote`.
fn remote_bytes(remote: &Path) -> u64 {
    files_under(remote)
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}

/// Python that connects `cold` as the container client of the Azurite on `port`.
fn azure_container(port: u16) -> String {
    services::azure_container(&format!("http://127.0.0.1:{port}"), None)
}

#[test]
fn an_azurite_tier_holds_only_opaque_sealed_objects_and_reads_through() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let _azurite = azurite(port, &[], &azure_container(port));
    let key = tmp.path().join("account-key");
    std::fs::write(&key, format!("{AZURITE_KEY}\n")).unwrap();
    let tier = format!(
        "[[tiers]]\nname = \"cloud\"\nstorage_class = \"COLD\"\nservice = \"azblob\"\n\
         options = {{ endpoint = \"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}\", \
         account_name = \"{AZURITE_ACCOUNT}\", container = \"cold\" }}\n\
         option_files = {{ account_key = \"{}\" }}\n",
        key.display()
    );
    let server = server_with_tier(&tmp.path().join("server"), &tier, &[]);
    let script = format!(
        r#"{WRITE}
{AZURE}
{RULES_COLD}
wait_for('COLD')
check_reads('COLD')
names = [b.name for b in cold.list_blobs()]
assert len(names) == 7, names
for n in names:
    assert len(n) == 32 and all(c in '0123456789abcdef' for c in n), n
blob = b''.join(cold.download_blob(n).readall() for n in names).hex()
for needle in needles():
    assert needle not in blob, 'plaintext reached the tier'
for v in s3.list_object_versions(Bucket='tier', Prefix='versioned')['Versions']:
    s3.delete_object(Bucket='tier', Key='versioned', VersionId=v['VersionId'])
deadline = time.time() + 20
while len(list(cold.list_blobs())) != 5:
    assert time.time() < deadline, [b.name for b in cold.list_blobs()]
    time.sleep(0.2)
print('ok')
"#,
        WRITE = write(),
        AZURE = azure_container(port)
    );
    strata_tests::boto3_ok(&server, &script);
}
