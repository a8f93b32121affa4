//! A multipart completion to a remote tier, a copy to it and a part copied to it, each taking
//! longer than the client's read timeout, through boto3 and the real `strata`, with moto as
//! the tier behind a paced link (a small TCP relay in the test script that forwards 2 MiB/s
//! each way and can be cut).
//!
//! The completion streams the parts down from the tier and the object up again, so it runs
//! for seconds; boto3 reads with a 2-second timeout and no retry. The answer's head goes out
//! after `--keep-alive-interval` (1 s), spaces follow every second, then the document: the
//! completion succeeds, with the version id of the head; so do the copies. With the link cut
//! while a completion, a copy and a part copy run, each error comes in its `200`'s body, as
//! AWS sends it, and boto3 raises it; nothing is half made, the upload is kept, and each
//! succeeds once the link is back. The audit trail records both outcomes of the completion.

use std::path::Path;
use std::time::{Duration, Instant};

use strata_tests::{free_port, Layout, Server};

#[path = "support/services.rs"]
mod services;
use services::moto;

/// The paced relay, and clients with a short read timeout: one that does not retry, one that
/// tries twice.
const LINK: &str = r#"
import socket, threading, time
from botocore.config import Config

class Link:
    """Forwards 127.0.0.1:port to target at `rate` bytes a second each way."""
    def __init__(self, port, target, rate):
        self.port, self.target, self.rate = port, target, rate
        self.lock, self.socks = threading.Lock(), []
        self.up()

    def up(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(('127.0.0.1', self.port))
        self.listener.listen(64)
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(('127.0.0.1', self.target))
            with self.lock:
                self.socks += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    def pipe(self, a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
                time.sleep(len(data) / self.rate)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def down(self):
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for s in self.socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.socks = []

def client(attempts):
    return boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                        aws_secret_access_key=sys.argv[3], region_name='us-east-1',
                        config=Config(retries={'total_max_attempts': attempts, 'mode': 'standard'},
                                      read_timeout=2, s3={'addressing_style': 'path'}))
impatient, retrying = client(1), client(2)
"#;

#[test]
fn completions_and_copies_to_a_slow_tier_outlast_the_read_timeout_and_errors_come_in_the_200() {
    let tmp = tempfile::tempdir().unwrap();
    let (moto_port, link_port) = (free_port(), free_port());
    let secret = tmp.path().join("secret");
    std::fs::write(&secret, "testing\n").unwrap();
    let audit = tmp.path().join("audit.jsonl");
    let config = tmp.path().join("strata.toml");
    std::fs::write(
        &config,
        format!(
            "[[tiers]]\nname = \"cloud\"\nstorage_class = \"COLD\"\nservice = \"s3\"\n\
             options = {{ endpoint = \"http://127.0.0.1:{link_port}\", region = \"us-east-1\", \
             bucket = \"cold\", access_key_id = \"testing\", disable_config_load = \"true\", \
             disable_ec2_metadata = \"true\" }}\n\
             option_files = {{ secret_access_key = \"{}\" }}\n\
             [[audit.sinks]]\nname = \"local\"\nkind = \"file\"\npath = \"{}\"\n\
             batch_max_age_ms = 100\n",
            secret.display(),
            audit.display()
        ),
    )
    .unwrap();
    let _moto = moto(moto_port);
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2_bulk_mirror())
        .dir(tmp.path().join("server"))
        .arg("--config")
        .arg(config.to_str().unwrap())
        .arg("--keep-alive-interval")
        .arg("1s")
        .start();
    strata_tests::boto3_ok(
        &server,
        &format!(
            r#"{LINK}
link = Link({link_port}, {moto_port}, 2 * 1024 * 1024)
s3.create_bucket(Bucket='slowbkt')
s3.put_bucket_versioning(Bucket='slowbkt', VersioningConfiguration={{'Status': 'Enabled'}})
import os
data = os.urandom(6 * 1024 * 1024), os.urandom(1024 * 1024 + 7)

def upload(key):
    up = s3.create_multipart_upload(Bucket='slowbkt', Key=key, StorageClass='COLD')['UploadId']
    parts = [{{'PartNumber': n + 1, 'ETag': s3.upload_part(Bucket='slowbkt', Key=key, UploadId=up, PartNumber=n + 1, Body=d)['ETag']}}
             for n, d in enumerate(data)]
    return up, {{'Parts': parts}}

# Seven MiB down from the tier and up again at 2 MiB/s: seconds past the 2-second timeout.
up, parts = upload('slow')
started = time.time()
done = impatient.complete_multipart_upload(Bucket='slowbkt', Key='slow', UploadId=up, MultipartUpload=parts)
took = time.time() - started
assert took > 3, took
versions = s3.list_object_versions(Bucket='slowbkt', Prefix='slow')['Versions']
assert [v['VersionId'] for v in versions] == [done['VersionId']], (versions, done)
assert s3.head_object(Bucket='slowbkt', Key='slow')['StorageClass'] == 'COLD'
assert s3.get_object(Bucket='slowbkt', Key='slow', Range='bytes=6291000-6292000')['Body'].read() == b''.join(data)[6291000:6292001]

# A copy to the tier reads the object down and writes it up again: as slow, answered alike.
started = time.time()
copied = impatient.copy_object(Bucket='slowbkt', Key='copy', CopySource={{'Bucket': 'slowbkt', 'Key': 'slow'}}, StorageClass='COLD')
took = time.time() - started
assert took > 3, took
assert copied['CopySourceVersionId'] == done['VersionId'], copied
assert copied['VersionId'] == s3.head_object(Bucket='slowbkt', Key='copy')['VersionId'], copied
assert s3.get_object(Bucket='slowbkt', Key='copy', Range='bytes=-100')['Body'].read() == data[1][-100:]
# ...and so does a part copied from it into an upload to the tier.
copy_up = s3.create_multipart_upload(Bucket='slowbkt', Key='partcopy', StorageClass='COLD')['UploadId']
started = time.time()
part = impatient.upload_part_copy(Bucket='slowbkt', Key='partcopy', UploadId=copy_up, PartNumber=1,
                                  CopySource={{'Bucket': 'slowbkt', 'Key': 'slow'}})
took = time.time() - started
assert took > 3, took
assert part['CopySourceVersionId'] == done['VersionId'], part
listed = s3.list_parts(Bucket='slowbkt', Key='partcopy', UploadId=copy_up)['Parts']
assert [(p['PartNumber'], p['ETag'], p['Size']) for p in listed] == [(1, part['CopyPartResult']['ETag'], 7 * 1024 * 1024 + 7)], listed
s3.abort_multipart_upload(Bucket='slowbkt', Key='partcopy', UploadId=copy_up)

# The link is cut once the heads are out, while a completion, a copy and a part copy run:
# each error arrives in its 200's body.
up, parts = upload('cut')
cut_up = s3.create_multipart_upload(Bucket='slowbkt', Key='partcut', StorageClass='COLD')['UploadId']
source = {{'Bucket': 'slowbkt', 'Key': 'slow'}}
slow_calls = {{
    'complete': lambda c: c.complete_multipart_upload(Bucket='slowbkt', Key='cut', UploadId=up, MultipartUpload=parts),
    'copy': lambda c: c.copy_object(Bucket='slowbkt', Key='copycut', CopySource=source, StorageClass='COLD'),
    'part copy': lambda c: c.upload_part_copy(Bucket='slowbkt', Key='partcut', UploadId=cut_up, PartNumber=1, CopySource=source),
}}
failed = {{}}
def call(name):
    try:
        slow_calls[name](retrying)
        failed[name] = 'succeeded'
    except botocore.exceptions.ClientError as e:
        failed[name] = e.response['Error']['Code']
calls = [threading.Thread(target=call, args=(name,)) for name in slow_calls]
for t in calls:
    t.start()
time.sleep(1.8)
link.down()
for t in calls:
    t.join(120)
    assert not t.is_alive(), 'a slow call never answered'
# botocore found each error in its 200 and tried once more (the audit trail shows both).
assert failed == dict.fromkeys(slow_calls, 'ServiceUnavailable'), failed
# Nothing was lost or half made: the upload keeps its parts, the copy made no version and the
# part copy no part; each succeeds once the link is back.
assert [p['PartNumber'] for p in s3.list_parts(Bucket='slowbkt', Key='cut', UploadId=up)['Parts']] == [1, 2]
assert 'Versions' not in s3.list_object_versions(Bucket='slowbkt', Prefix='copycut')
assert 'Parts' not in s3.list_parts(Bucket='slowbkt', Key='partcut', UploadId=cut_up)
link.up()
# strata tries the tier again 10 s after its last failure: 503 SlowDown-style refusals until then.
deadline = time.time() + 40
while True:
    try:
        done = impatient.complete_multipart_upload(Bucket='slowbkt', Key='cut', UploadId=up, MultipartUpload=parts)
        break
    except botocore.exceptions.ClientError as e:
        assert e.response['Error']['Code'] == 'ServiceUnavailable' and time.time() < deadline, e.response
        time.sleep(1)
assert s3.head_object(Bucket='slowbkt', Key='cut')['VersionId'] == done['VersionId']
assert s3.get_object(Bucket='slowbkt', Key='cut', Range='bytes=-100')['Body'].read() == data[1][-100:]
slow_calls['copy'](impatient)
assert s3.get_object(Bucket='slowbkt', Key='copycut', Range='bytes=-100')['Body'].read() == data[1][-100:]
slow_calls['part copy'](impatient)
assert [p['Size'] for p in s3.list_parts(Bucket='slowbkt', Key='partcut', UploadId=cut_up)['Parts']] == [7 * 1024 * 1024 + 7]
s3.abort_multipart_upload(Bucket='slowbkt', Key='partcut', UploadId=cut_up)
print('ok')
"#
        ),
    );
    let completions = audit_events(&audit, "CompleteMultipartUpload", 4);
    let outcome = |e: &serde_json::Value| {
        let text = |k: &str| e[k].as_str().unwrap_or("-").to_string();
        (
            text("key"),
            e["status"].as_u64(),
            text("error_code"),
            text("tier"),
        )
    };
    let outcomes: Vec<_> = completions.iter().map(outcome).collect();
    let expect = |key: &str, status: u64, error: &str| {
        (
            key.to_string(),
            Some(status),
            error.to_string(),
            "cloud".to_string(),
        )
    };
    // Each slow answer went out as a 200, its outcome recorded when it came; between the
    // cut and the success, botocore's second try and the attempts refused while the tier was
    // not yet usable again.
    assert!(outcomes.len() >= 4, "{completions:?}");
    assert_eq!(outcomes[0], expect("slow", 200, "-"), "{completions:?}");
    assert_eq!(
        outcomes[1],
        expect("cut", 200, "ServiceUnavailable"),
        "{completions:?}"
    );
    assert_eq!(
        outcomes.last(),
        Some(&expect("cut", 200, "-")),
        "{completions:?}"
    );
    // An attempt refused at once is a 503; one that reached the tier first and failed there
    // after its head went out is a 200 with the error.
    for o in &outcomes[2..outcomes.len() - 1] {
        let refused = [503, 200].map(|status| expect("cut", status, "ServiceUnavailable"));
        assert!(refused.contains(o), "{o:?} in {completions:?}");
    }
    assert!(completions[0]["version_id"].is_string(), "{completions:?}");

    // The copies cut with the link: a 200 carrying the error, botocore's second try (refused
    // at once, or failed after its head), then the success once the link was back.
    for (operation, key) in [("CopyObject", "copycut"), ("UploadPartCopy", "partcut")] {
        let attempts: Vec<_> = audit_events(&audit, operation, 4)
            .into_iter()
            .filter(|e| e["key"] == key)
            .map(|e| {
                (
                    e["status"].as_u64(),
                    e["error_code"].as_str().map(String::from),
                )
            })
            .collect();
        let unavailable = |status| (Some(status), Some("ServiceUnavailable".to_string()));
        assert_eq!(attempts.len(), 3, "{operation}: {attempts:?}");
        assert_eq!(attempts[0], unavailable(200), "{operation}: {attempts:?}");
        assert!(
            [unavailable(503), unavailable(200)].contains(&attempts[1]),
            "{operation}: {attempts:?}"
        );
        assert_eq!(attempts[2], (Some(200), None), "{operation}: {attempts:?}");
    }
}

/// The audit events of `operation`, once there are `n`.
fn audit_events(log: &Path, operation: &str, n: usize) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let events: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .filter(|e: &serde_json::Value| e["operation"] == operation)
            .collect();
        if events.len() >= n || Instant::now() > deadline {
            return events;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
