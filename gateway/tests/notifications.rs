//! Bucket notifications end to end: the real `strata` with a webhook target pointing at an
//! in-test receiver, configured and exercised with the real aws CLI v2 (`STRATA_AWS`). The
//! receiver stands in for an event consumer; it speaks the webhook sink's wire format (a
//! JSON array of S3 event messages per POST).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use md5::{Digest, Md5};
use serde_json::Value;
use strata_tests::{aws_cli, pattern, Receiver, Server};

/// The target's ARN on a server of the default region.
const ARN: &str = "arn:strata:sqs:us-east-1::events";

/// A server whose config file declares the target `events` posting to `receiver`, with
/// bucket `photos`.
fn start(receiver: &Receiver, dir: &Path) -> Server {
    let config = dir.join("strata.toml");
    std::fs::write(
        &config,
        format!(
            "[[notify.targets]]\nname = \"events\"\nkind = \"webhook\"\nurl = \"{}\"\n\
             batch_max_age_ms = 50\n",
            receiver.url("/s3-events")
        ),
    )
    .unwrap();
    Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .buckets("photos")
        .env("STRATA_CONFIG", config.to_str().unwrap())
        .start()
}

/// The aws CLI against `server` with its root keys, however it exits.
fn aws(server: &Server, args: &[&str]) -> Output {
    let keys = (
        server.credentials.access_key.as_str(),
        server.credentials.secret_key.as_str(),
    );
    aws_cli(server, keys)
        .args(args)
        .output()
        .expect("run the aws CLI")
}

fn aws_ok(server: &Server, args: &[&str]) -> String {
    let out = aws(server, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `put-bucket-notification-configuration` of `config` (JSON); stderr when it fails.
fn put_config(server: &Server, dir: &Path, config: &Value) -> Result<(), String> {
    let file = dir.join("notification.json");
    std::fs::write(&file, config.to_string()).unwrap();
    let arg = format!("file://{}", file.display());
    let out = aws(
        server,
        &[
            "s3api",
            "put-bucket-notification-configuration",
            "--bucket",
            "photos",
            "--notification-configuration",
            &arg,
        ],
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Every message the receiver accepted, in order.
fn messages(receiver: &Receiver) -> Vec<Value> {
    receiver
        .accepted()
        .iter()
        .flat_map(|r| {
            let batch: Value = serde_json::from_slice(&r.body).expect("a JSON batch");
            batch.as_array().expect("a JSON array").clone()
        })
        .collect()
}

fn wait_for_messages(receiver: &Receiver, n: usize) -> Vec<Value> {
    receiver.wait_for(Duration::from_secs(20), "all messages", |got| {
        got.iter()
            .map(|r| {
                serde_json::from_slice::<Value>(&r.body)
                    .ok()
                    .and_then(|v| v.as_array().map(Vec::len))
                    .unwrap_or(0)
            })
            .sum::<usize>()
            >= n
    });
    messages(receiver)
}

fn the_configuration() -> Value {
    serde_json::json!({
        "QueueConfigurations": [{
            "Id": "incoming",
            "QueueArn": ARN,
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}
        }],
        "TopicConfigurations": [{
            "Id": "removals",
            "TopicArn": ARN,
            "Events": ["s3:ObjectRemoved:*"]
        }]
    })
}

#[test]
fn notifications_reach_a_webhook_after_put_bucket_notification_configuration() {
    let receiver = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    let server = start(&receiver, dir.path());
    put_config(&server, dir.path(), &the_configuration()).expect("the configuration is taken");

    // Get returns what was put.
    let got: Value = serde_json::from_str(&aws_ok(
        &server,
        &[
            "s3api",
            "get-bucket-notification-configuration",
            "--bucket",
            "photos",
        ],
    ))
    .unwrap();
    assert_eq!(got, the_configuration());

    // A small object under the prefix, one outside it, a multipart one under it (the CLI
    // splits above 8 MiB), then removals.
    let small = dir.path().join("small");
    std::fs::write(&small, b"hello notifications").unwrap();
    let big = dir.path().join("big");
    let big_bytes = pattern(20 * 1024 * 1024, 3);
    std::fs::write(&big, &big_bytes).unwrap();
    let small_arg = small.to_str().unwrap();
    aws_ok(&server, &["s3", "cp", small_arg, "s3://photos/in/a b.txt"]);
    aws_ok(
        &server,
        &["s3", "cp", small_arg, "s3://photos/out/skipped.txt"],
    );
    aws_ok(
        &server,
        &["s3", "cp", big.to_str().unwrap(), "s3://photos/in/big.bin"],
    );
    aws_ok(&server, &["s3", "rm", "s3://photos/in/a b.txt"]);
    aws_ok(&server, &["s3", "rm", "s3://photos/out/skipped.txt"]);

    let all = wait_for_messages(&receiver, 5);
    assert_eq!(all[0]["Event"], "s3:TestEvent", "{all:#?}");
    assert_eq!(all[0]["Bucket"], "photos");
    let records: Vec<&Value> = all[1..].iter().map(|m| &m["Records"][0]).collect();
    let summary: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["eventName"].as_str().unwrap(),
                r["s3"]["object"]["key"].as_str().unwrap(),
                r["s3"]["configurationId"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("ObjectCreated:Put", "in/a+b.txt", "incoming"),
            (
                "ObjectCreated:CompleteMultipartUpload",
                "in/big.bin",
                "incoming"
            ),
            ("ObjectRemoved:Delete", "in/a+b.txt", "removals"),
            ("ObjectRemoved:Delete", "out/skipped.txt", "removals"),
        ],
        "the object outside the prefix is created unnotified: {all:#?}"
    );
    for r in &records {
        assert_eq!(r["eventSource"], "aws:s3");
        assert_eq!(r["awsRegion"], "us-east-1");
        assert_eq!(r["s3"]["bucket"]["name"], "photos");
        assert_eq!(r["s3"]["bucket"]["arn"], "arn:aws:s3:::photos");
        assert_eq!(
            r["userIdentity"]["principalId"],
            server.credentials.access_key.as_str()
        );
        assert_eq!(r["requestParameters"]["sourceIPAddress"], "127.0.0.1");
        assert_eq!(
            r["responseElements"]["x-amz-request-id"]
                .as_str()
                .unwrap()
                .len(),
            16
        );
    }
    let put = &records[0]["s3"]["object"];
    assert_eq!(put["size"], 19);
    assert_eq!(
        put["eTag"],
        hex::encode(Md5::digest(b"hello notifications"))
    );
    let multipart = &records[1]["s3"]["object"];
    assert_eq!(multipart["size"], big_bytes.len() as u64);
    assert!(
        multipart["eTag"].as_str().unwrap().ends_with("-3"),
        "three 8 MiB parts: {multipart}"
    );
    assert!(records[2]["s3"]["object"].get("size").is_none());
}

#[test]
fn bad_configurations_get_awss_errors_and_change_nothing() {
    let receiver = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    let server = start(&receiver, dir.path());
    let refused = |config: Value, code: &str, message: &str| {
        let err = put_config(&server, dir.path(), &config).expect_err("refused");
        assert!(err.contains(&format!("({code})")), "{config}: {err}");
        assert!(err.contains(message), "{config}: {err}");
    };
    refused(
        serde_json::json!({"QueueConfigurations": [{
            "QueueArn": "arn:aws:sqs:us-east-1:123456789012:elsewhere",
            "Events": ["s3:ObjectCreated:*"]}]}),
        "InvalidArgument",
        "Unable to validate the following destination configurations",
    );
    refused(
        serde_json::json!({"QueueConfigurations": [
            {"QueueArn": ARN, "Events": ["s3:ObjectCreated:*"]},
            {"QueueArn": ARN, "Events": ["s3:ObjectCreated:Put"],
             "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}}}]}),
        "InvalidArgument",
        "Configuration is ambiguously defined",
    );
    refused(
        serde_json::json!({"QueueConfigurations": [{
            "QueueArn": ARN, "Events": ["s3:ObjectCreated:Sideways"]}]}),
        "InvalidArgument",
        "The event is not supported for notifications",
    );
    refused(
        serde_json::json!({"QueueConfigurations": [{
            "QueueArn": ARN, "Events": ["s3:ObjectRestore:Completed"]}]}),
        "NotImplemented",
        "s3:ObjectRestore:Completed",
    );
    refused(
        serde_json::json!({"LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "Events": ["s3:ObjectCreated:*"]}]}),
        "NotImplemented",
        "CloudFunctionConfiguration",
    );
    refused(
        serde_json::json!({"EventBridgeConfiguration": {}}),
        "NotImplemented",
        "EventBridgeConfiguration",
    );
    // Nothing was stored, nothing is delivered.
    let got = aws_ok(
        &server,
        &[
            "s3api",
            "get-bucket-notification-configuration",
            "--bucket",
            "photos",
        ],
    );
    let got: Value = serde_json::from_str(if got.trim().is_empty() { "{}" } else { &got }).unwrap();
    assert_eq!(got, serde_json::json!({}));
    std::thread::sleep(Duration::from_millis(300));
    assert!(receiver.all().is_empty(), "{:?}", receiver.all());
}
