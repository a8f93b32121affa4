//! Audit events end to end: a real `strata serve` with all four sink kinds configured,
//! driven by real clients (boto3 and the aws CLI v2).
//!
//! No Elasticsearch or Loki server (and no webhook service) can be installed here, so their
//! receivers are small in-test HTTP servers (`strata_tests::Receiver`) that speak the
//! documented wire formats: JSON arrays, `_bulk` NDJSON with per-item statuses, Loki's push
//! JSON. They are made to fail (500), stall (no answer past the sink's timeout) and recover;
//! every event must then arrive at least once, and only retries may repeat one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use strata_tests::{
    ca_signed, kms_key_of_arn, required_env, run_stdout, scrape_s3_listener, series_value, Answer,
    Received, Receiver, Server,
};

#[path = "support/services.rs"]
mod services;

const WAIT: Duration = Duration::from_secs(60);

/// The shared keys that make a test sink quick: small batches, short waits.
const QUICK: &str = "batch_max_age_ms = 100\nretry_initial_backoff_ms = 50\nretry_max_backoff_ms = 400\ntimeout_ms = 700\n";

fn start(dir: &Path, config: &str) -> Server {
    let path = dir.join("strata.toml");
    std::fs::write(&path, config).unwrap();
    Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .dir(dir.join("server"))
        .arg("--config")
        .arg(path.to_str().unwrap())
        .start()
}

/// `request_id`s of JSON documents.
fn ids<'a>(docs: impl IntoIterator<Item = &'a serde_json::Value>) -> Vec<String> {
    docs.into_iter()
        .map(|d| d["request_id"].as_str().expect("request_id").to_string())
        .collect()
}

/// Events in the file sink's file.
fn file_events(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Events of the webhook requests the receiver accepted (each body a JSON array).
fn webhook_events(r: &Receiver) -> Vec<serde_json::Value> {
    r.accepted()
        .iter()
        .flat_map(|q| {
            let v: serde_json::Value = serde_json::from_slice(&q.body).expect("a JSON array");
            v.as_array().expect("an array").clone()
        })
        .collect()
}

/// Events of the Loki pushes the receiver accepted.
fn loki_events(r: &Receiver) -> Vec<serde_json::Value> {
    r.accepted()
        .iter()
        .flat_map(|q| {
            let v: serde_json::Value = serde_json::from_slice(&q.body).unwrap();
            v["streams"][0]["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|pair| serde_json::from_str(pair[1].as_str().unwrap()).unwrap())
                .collect::<Vec<serde_json::Value>>()
        })
        .collect()
}

/// The documents of a `_bulk` body (every second line).
fn bulk_docs(q: &Received) -> Vec<serde_json::Value> {
    let text = q.text();
    assert!(text.ends_with('\n'), "a _bulk body ends with a newline");
    assert_eq!(q.header("content-type"), Some("application/x-ndjson"));
    text.lines()
        .skip(1)
        .step_by(2)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn count(ids: &[String]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for id in ids {
        *m.entry(id.clone()).or_insert(0) += 1;
    }
    m
}

/// boto3 requests; prints one `op request-id` line per answer (errors included).
const BOTO3: &str = r#"
import sys, boto3, botocore
from botocore.config import Config
endpoint, ak, sk = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak, aws_secret_access_key=sk,
                  region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
def show(op, r):
    print(op, r["ResponseMetadata"]["RequestId"])
show("CreateBucket", s3.create_bucket(Bucket="audited"))
for i in range(12):
    show("PutObject", s3.put_object(Bucket="audited", Key=f"k{i}", Body=b"x" * (i * 100)))
for i in range(12):
    show("GetObject", s3.get_object(Bucket="audited", Key=f"k{i}"))
show("PutObject", s3.put_object(Bucket="audited", Key="kms", Body=b"secret", ServerSideEncryption="aws:kms"))
show("ListObjectsV2", s3.list_objects_v2(Bucket="audited"))
show("HeadObject", s3.head_object(Bucket="audited", Key="k1"))
try:
    s3.get_object(Bucket="audited", Key="missing")
    sys.exit("expected NoSuchKey")
except botocore.exceptions.ClientError as e:
    show("GetObject", e.response)
show("DeleteObject", s3.delete_object(Bucket="audited", Key="k0"))
"#;

fn boto3(server: &Server, dir: &Path) -> Vec<(String, String)> {
    let script = dir.join("audit_traffic.py");
    std::fs::write(&script, BOTO3).unwrap();
    let out = run_stdout(
        Command::new(required_env("STRATA_PYTHON"))
            .arg(&script)
            .arg(server.endpoint())
            .arg(&server.credentials.access_key)
            .arg(&server.credentials.secret_key)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL"),
    );
    out.lines()
        .map(|l| {
            let (op, id) = l.split_once(' ').expect("op id");
            (op.to_string(), id.to_string())
        })
        .collect()
}

fn aws_cli(server: &Server, dir: &Path, args: &[&str]) {
    run_stdout(
        Command::new(required_env("STRATA_AWS"))
            .env("AWS_ACCESS_KEY_ID", &server.credentials.access_key)
            .env("AWS_SECRET_ACCESS_KEY", &server.credentials.secret_key)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_CA_BUNDLE")
            .current_dir(dir)
            .args(["--endpoint-url", &server.endpoint()])
            .args(args),
    );
}

#[test]
fn every_request_reaches_all_four_sinks_through_failures_stalls_and_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let audit_log = dir.path().join("audit/audit.log");

    // Webhook: the first 2 attempts get 500, the next 2 stall, then it recovers.
    let webhook = Receiver::start();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    webhook.answer(move |_| match c.fetch_add(1, Ordering::SeqCst) {
        0 | 1 => Answer::Status(500, "down".into()),
        2 | 3 => Answer::Stall,
        _ => Answer::Status(200, String::new()),
    });

    // `_bulk`: the first reply to a batch of more than 2 events fails its first item (429)
    // and its last one (503); other replies index everything. What the receiver "indexed" is
    // kept, item by item, and which request got the partial failure.
    let bulk = Receiver::start();
    let indexed = Arc::new(Mutex::new(Vec::<serde_json::Value>::new()));
    let partial = Arc::new(Mutex::new(None::<usize>));
    let bulk_calls = Arc::new(AtomicUsize::new(0));
    let (ix, pa, bc) = (indexed.clone(), partial.clone(), bulk_calls.clone());
    bulk.answer(move |q| {
        let docs = bulk_docs(q);
        let call = bc.fetch_add(1, Ordering::SeqCst);
        let mut pa = pa.lock().unwrap();
        let first = pa.is_none() && docs.len() > 2;
        if first {
            *pa = Some(call);
        }
        let mut items = Vec::new();
        for (i, doc) in docs.iter().enumerate() {
            let failed = first && (i == 0 || i == docs.len() - 1);
            let status = match (failed, i) {
                (false, _) => 201,
                (true, 0) => 429,
                (true, _) => 503,
            };
            if status == 201 {
                ix.lock().unwrap().push(doc.clone());
            }
            items.push(serde_json::json!({"create": {"status": status}}));
        }
        let errors = items.iter().any(|i| i["create"]["status"] != 201);
        Answer::Status(
            200,
            serde_json::json!({"errors": errors, "items": items}).to_string(),
        )
    });

    // Loki: the first push stalls, the second gets 503, then it recovers with 204.
    let loki = Receiver::start();
    let loki_calls = Arc::new(AtomicUsize::new(0));
    let lc = loki_calls.clone();
    loki.answer(move |_| match lc.fetch_add(1, Ordering::SeqCst) {
        0 => Answer::Stall,
        1 => Answer::Status(503, String::new()),
        _ => Answer::Status(204, String::new()),
    });

    let config = format!(
        r#"
[[audit.sinks]]
name = "local"
kind = "file"
path = "{log}"
{QUICK}
[[audit.sinks]]
name = "hook"
kind = "webhook"
url = "{hook}"
auth_header = "Bearer t0ken"
buffer = "disk"
buffer_path = "{buf}"
{QUICK}
[[audit.sinks]]
name = "es"
kind = "elasticsearch"
url = "{es}"
index = "audit"
batch_max_events = 8
{QUICK}
[[audit.sinks]]
name = "loki"
kind = "loki"
url = "{loki}"
tenant = "t1"
labels = {{ app = "strata" }}
{QUICK}"#,
        log = audit_log.display(),
        hook = webhook.url("/hook"),
        buf = dir.path().join("hook-buffer").display(),
        es = bulk.url(""),
        loki = loki.url(""),
    );
    let server = start(dir.path(), &config);
    let answered = boto3(&server, dir.path());
    assert_eq!(answered.len(), 30, "{answered:?}");
    let local = dir.path().join("upload.txt");
    std::fs::write(&local, b"from the aws cli").unwrap();
    aws_cli(
        &server,
        dir.path(),
        &["s3", "cp", "upload.txt", "s3://audited/cli.txt"],
    );
    aws_cli(&server, dir.path(), &["s3", "ls", "s3://audited/"]);
    aws_cli(
        &server,
        dir.path(),
        &[
            "s3api",
            "head-object",
            "--bucket",
            "audited",
            "--key",
            "cli.txt",
        ],
    );

    // The file sink: exactly one event per request, ids as in the responses.
    let boto_ids: Vec<String> = answered.iter().map(|(_, id)| id.clone()).collect();
    let wait_file = |pred: &dyn Fn(&[serde_json::Value]) -> bool| {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let events = file_events(&audit_log);
            if pred(&events) {
                return events;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "file sink: {} events",
                events.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let events = wait_file(&|e| {
        let have: BTreeSet<String> = ids(e).into_iter().collect();
        boto_ids.iter().all(|id| have.contains(id))
            && e.iter()
                .filter(|v| {
                    v["user_agent"]
                        .as_str()
                        .is_some_and(|u| u.starts_with("aws-cli"))
                })
                .count()
                >= 3
    });
    let per_id = count(&ids(&events));
    assert!(
        per_id.values().all(|n| *n == 1),
        "one event per request: {per_id:?}"
    );
    for (op, id) in &answered {
        let e = events
            .iter()
            .find(|e| e["request_id"] == id.as_str())
            .unwrap();
        assert_eq!(e["operation"], op.as_str(), "{e}");
        assert_eq!(e["principal"], "root");
        assert_eq!(e["access_key"], server.credentials.access_key.as_str());
        assert_eq!(e["tls"], false);
    }
    let missing = events.iter().find(|e| e["key"] == "missing").unwrap();
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["error_code"], "NoSuchKey");
    let put = events
        .iter()
        .find(|e| e["key"] == "k5" && e["operation"] == "PutObject")
        .unwrap();
    assert_eq!(put["bytes_in"], 500);
    // The encryption each answer reported: SSE-S3 by default, SSE-KMS under the default
    // key where asked, nothing for a listing.
    assert_eq!(
        (&put["sse"], &put["kms_key_id"]),
        (&json!("AES256"), &json!(null))
    );
    let kms = events.iter().find(|e| e["key"] == "kms").unwrap();
    assert_eq!(
        (
            &kms["sse"],
            &json!(kms_key_of_arn(
                kms["kms_key_id"].as_str().unwrap_or_default()
            ))
        ),
        (&json!("aws:kms"), &json!("strata-sse-kms"))
    );
    let list = events
        .iter()
        .find(|e| e["operation"] == "ListObjectsV2")
        .unwrap();
    assert_eq!(list["sse"], serde_json::Value::Null);
    let all_ids: BTreeSet<String> = per_id.keys().cloned().collect();

    // The webhook: every event arrives; accepted batches repeat none (failed and stalled
    // attempts are not accepted, so repeats could only come from a retry of an accepted one).
    webhook.wait_for(WAIT, "every event", |_| {
        ids(&webhook_events(&webhook))
            .into_iter()
            .collect::<BTreeSet<_>>()
            == all_ids
    });
    let hook_ids = ids(&webhook_events(&webhook));
    assert_eq!(
        hook_ids.len(),
        all_ids.len(),
        "no duplicates among accepted batches"
    );
    assert!(
        webhook.all().len() >= 5,
        "the failures and stalls were exercised"
    );
    let first = &webhook.accepted()[0];
    assert_eq!(first.header("authorization"), Some("Bearer t0ken"));
    assert_eq!(first.path, "/hook");

    // `_bulk`: every event indexed exactly once; the failed items were sent again alone.
    let bulk_done = || {
        ids(indexed.lock().unwrap().iter())
            .into_iter()
            .collect::<BTreeSet<_>>()
            == all_ids
    };
    bulk.wait_for(WAIT, "every event indexed", |_| bulk_done());
    let indexed_ids = ids(indexed.lock().unwrap().iter());
    assert_eq!(indexed_ids.len(), all_ids.len(), "indexed once each");
    // Every `_bulk` reply is a 200, so accepted requests are all of them, in order.
    let requests = bulk.accepted();
    let at = partial
        .lock()
        .unwrap()
        .expect("a batch of more than 2 events");
    let first_docs = bulk_docs(&requests[at]);
    let second_docs = bulk_docs(&requests[at + 1]);
    assert_eq!(
        ids(&second_docs),
        ids([&first_docs[0], first_docs.last().unwrap()]),
        "the second request re-sends only the two failed items"
    );

    // Loki: every event pushed once after the stall and the 503.
    loki.wait_for(WAIT, "every event", |_| {
        ids(&loki_events(&loki))
            .into_iter()
            .collect::<BTreeSet<_>>()
            == all_ids
    });
    assert_eq!(ids(&loki_events(&loki)).len(), all_ids.len());
    assert_eq!(loki.accepted()[0].header("x-scope-orgid"), Some("t1"));
    assert!(loki.all().len() >= 3);
    drop(server);
}

#[test]
fn the_disk_buffer_delivers_after_a_kill_9_what_a_dead_receiver_never_took() {
    let dir = tempfile::tempdir().unwrap();
    let webhook = Receiver::start();
    webhook.answer(|_| Answer::Status(503, String::new()));
    let config = format!(
        "[[audit.sinks]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\nbuffer = \"disk\"\nbuffer_path = \"{}\"\n{QUICK}",
        webhook.url("/"),
        dir.path().join("hook-buffer").display()
    );
    let server = start(dir.path(), &config);
    let mut pushed = Vec::new();
    for (method, path) in [
        ("PUT", "/kept"),
        ("PUT", "/kept/a"),
        ("PUT", "/kept/b"),
        ("GET", "/kept/a"),
    ] {
        let body: &[u8] = if method == "PUT" && path != "/kept" {
            b"payload"
        } else {
            b""
        };
        let reply = server.request(method, path, body);
        assert!(reply.status < 300, "{method} {path}: {}", reply.status);
        pushed.push(
            reply
                .header("x-amz-request-id")
                .expect("request id")
                .to_string(),
        );
    }
    // The receiver has refused at least one attempt: the events sit in the disk buffer.
    let deadline = std::time::Instant::now() + WAIT;
    while webhook.all().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "no attempt reached the receiver"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(server); // SIGKILL: no flush, no goodbye.
    assert!(webhook.accepted().is_empty());

    webhook.answer(|_| Answer::Status(200, String::new()));
    let server = start(dir.path(), &config);
    webhook.wait_for(WAIT, "the events from before the kill", |_| {
        let got: BTreeSet<String> = ids(&webhook_events(&webhook)).into_iter().collect();
        pushed.iter().all(|id| got.contains(id))
    });
    drop(server);
}

/// boto3 over one keep-alive connection: a bucket, then `count` PUTs, each answer's request id
/// printed (and flushed) as it comes.
const KEEP_ALIVE_PUTS: &str = r#"
import sys, boto3
from botocore.config import Config
endpoint, ak, sk, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak, aws_secret_access_key=sk,
                  region_name="us-east-1",
                  config=Config(retries={"max_attempts": 1}, max_pool_connections=1, read_timeout=300))
r = s3.create_bucket(Bucket="held")
print(r["ResponseMetadata"]["RequestId"], flush=True)
for i in range(count):
    r = s3.put_object(Bucket="held", Key=f"k{i}", Body=b"x")
    print(r["ResponseMetadata"]["RequestId"], flush=True)
"#;

#[test]
fn a_blocking_sink_holds_new_requests_while_full_and_loses_no_event() {
    let dir = tempfile::tempdir().unwrap();
    let webhook = Receiver::start();
    webhook.answer(|_| Answer::Status(503, "down".into()));
    let config = format!(
        "[[audit.sinks]]\nname = \"held\"\nkind = \"webhook\"\nurl = \"{}\"\nwhen_full = \"block\"\nbuffer_max_events = 4\n{QUICK}",
        webhook.url("/")
    );
    let server = start(dir.path(), &config);
    let script = dir.path().join("keep_alive_puts.py");
    std::fs::write(&script, KEEP_ALIVE_PUTS).unwrap();
    let mut client = Command::new(required_env("STRATA_PYTHON"))
        .arg(&script)
        .arg(server.endpoint())
        .arg(&server.credentials.access_key)
        .arg(&server.credentials.secret_key)
        .arg("12")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start python");
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let reader = {
        let answered = answered.clone();
        let stdout = client.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                answered.lock().unwrap().push(line.expect("a line"));
            }
        })
    };
    // The receiver refuses every batch: once four events are held, new requests wait for
    // room before they are served, on the client's keep-alive connection and on a new one.
    let held = "strata_sink_buffer_events{sink=\"held\",kind=\"audit\"}";
    let deadline = std::time::Instant::now() + WAIT;
    while series_value(&scrape_s3_listener(&server), held) != Some(4.0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the buffer never filled"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let before = answered.lock().unwrap().len();
    assert!(
        (4..13).contains(&before),
        "{before} answers while the buffer was full"
    );
    let dropped = "strata_sink_events_total{sink=\"held\",kind=\"audit\",outcome=\"dropped\"}";
    let other_answered = std::sync::atomic::AtomicBool::new(false);
    // What happened while the sink was full is looked at after it recovers: an assertion
    // inside the scope would leave the held request (and the test) waiting forever.
    let (during, other_served, exposition) = std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            let reply = server.request("GET", "/held/k0", b"");
            other_answered.store(true, Ordering::SeqCst);
            reply
        });
        std::thread::sleep(Duration::from_millis(1000));
        let seen = (
            answered.lock().unwrap().len(),
            other_answered.load(Ordering::SeqCst),
            scrape_s3_listener(&server),
        );
        webhook.answer(|_| Answer::Status(200, String::new()));
        let reply = other.join().expect("the other request");
        assert_eq!(reply.status, 200);
        seen
    });
    assert_eq!(during, before, "the client went on while the sink was full");
    assert!(
        !other_served,
        "a request on a new connection was served while the sink was full"
    );
    assert_eq!(
        series_value(&exposition, dropped),
        Some(0.0),
        "{exposition}"
    );
    assert!(client.wait().expect("python").success());
    reader.join().unwrap();
    let answered = answered.lock().unwrap().clone();
    assert_eq!(answered.len(), 13, "{answered:?}");
    webhook.wait_for(WAIT, "every request's event", |_| {
        let got: BTreeSet<String> = ids(&webhook_events(&webhook)).into_iter().collect();
        answered.iter().all(|id| got.contains(id))
    });
    let exposition = scrape_s3_listener(&server);
    assert_eq!(
        series_value(&exposition, dropped),
        Some(0.0),
        "{exposition}"
    );
    let blocked = "strata_sink_blocked_seconds_total{sink=\"held\",kind=\"audit\"}";
    assert!(
        series_value(&exposition, blocked).is_some_and(|s| s >= 1.0),
        "{exposition}"
    );
}

#[test]
fn an_https_receiver_is_trusted_through_ca_file_and_refused_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start();
    let tls = ca_signed(dir.path(), &["localhost"]);
    let (_nginx, port) = services::nginx_https_to(dir.path(), &tls.server, &receiver.addr);
    let config = format!(
        "[[audit.sinks]]\nname = \"trusted\"\nkind = \"webhook\"\nurl = \"https://localhost:{port}/trusted\"\nca_file = \"{}\"\n{QUICK}\n\
         [[audit.sinks]]\nname = \"untrusted\"\nkind = \"webhook\"\nurl = \"https://localhost:{port}/untrusted\"\n{QUICK}",
        tls.ca.display()
    );
    let server = start(dir.path(), &config);
    let mut pushed = Vec::new();
    for (method, path) in [("PUT", "/tls"), ("PUT", "/tls/a"), ("GET", "/tls/a")] {
        let reply = server.request(method, path, b"");
        assert!(reply.status < 300, "{method} {path}: {}", reply.status);
        pushed.push(reply.header("x-amz-request-id").expect("id").to_string());
    }
    receiver.wait_for(WAIT, "the events over HTTPS", |_| {
        let got: BTreeSet<String> = ids(&webhook_events(&receiver)).into_iter().collect();
        pushed.iter().all(|id| got.contains(id))
    });
    // The sink without the CA refuses the receiver's certificate: its attempts fail before
    // anything reaches nginx, and its events stay buffered.
    let failed =
        "strata_sink_send_attempts_total{sink=\"untrusted\",kind=\"audit\",outcome=\"error\"}";
    let deadline = std::time::Instant::now() + WAIT;
    while series_value(&scrape_s3_listener(&server), failed).unwrap_or(0.0) < 2.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the untrusted sink never failed an attempt"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(receiver.all().iter().all(|q| q.path == "/trusted"));
    let exposition = scrape_s3_listener(&server);
    let waiting = "strata_sink_buffer_events{sink=\"untrusted\",kind=\"audit\"}";
    assert_eq!(
        series_value(&exposition, waiting),
        Some(3.0),
        "{exposition}"
    );
}
