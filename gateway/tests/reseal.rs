//! Re-sealing after a KMS key rotates, over a real OpenBao transit engine (`STRATA_BAO`):
//! objects written under SSE-KMS (with and without S3 Bucket Keys, several versions) and
//! SSE-S3; the transit keys rotate; `strata admin reseal --wait` seals every data key (and
//! the SSE-S3 key file) again under the new versions without touching object data. Then
//! transit refuses the old versions (`min_decryption_version`), and after a restart every
//! object still reads back: only re-sealed keys can. Before the re-seal, the same refusal
//! makes a read fail, which shows the test can fail. A re-seal the KMS refuses stops,
//! and goes on by itself at the next start once the KMS allows it.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use strata_tests::{aws_ok as ok, aws_run, Bao, Layout, Server};

#[path = "support/admin_cli.rs"]
mod admin_cli;
use admin_cli::{admin, admin_as, assert_failed_with, json_of};

const BUCKET: &str = "rot";

fn strata(dir: &Path, bao: &Bao, token_file: &Path) -> Server {
    Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .dir(dir)
        .arg("--kms-address")
        .arg(&bao.url())
        .arg("--kms-token-file")
        .arg(token_file.to_str().unwrap())
        .start()
}

fn body(seed: u32, len: usize) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(31).wrapping_add(seed) % 251) as u8)
        .collect()
}

/// Puts `data` as `key` with `extra` put-object arguments; its version id.
fn put(server: &Server, tmp: &Path, key: &str, data: &[u8], extra: &[&str]) -> String {
    let file = tmp.join("put-body");
    std::fs::write(&file, data).unwrap();
    let mut args = vec![
        "s3api",
        "put-object",
        "--bucket",
        BUCKET,
        "--key",
        key,
        "--body",
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let reply: Value = serde_json::from_str(&ok(server, &args)).unwrap();
    reply["VersionId"]
        .as_str()
        .expect("a version id")
        .to_string()
}

/// Reads version `version` of `key`; its bytes, or the CLI's error.
fn get(server: &Server, tmp: &Path, key: &str, version: &str) -> Result<Vec<u8>, String> {
    let out = tmp.join("get-body");
    let _ = std::fs::remove_file(&out);
    let run = aws_run(
        server,
        &[
            "s3api",
            "get-object",
            "--bucket",
            BUCKET,
            "--key",
            key,
            "--version-id",
            version,
            out.to_str().unwrap(),
        ],
    );
    if !run.status.success() {
        return Err(String::from_utf8_lossy(&run.stderr).into_owned());
    }
    Ok(std::fs::read(&out).unwrap())
}

/// Turns versioning on for the test bucket.
fn versioned(server: &Server) {
    ok(
        server,
        &[
            "s3api",
            "put-bucket-versioning",
            "--bucket",
            BUCKET,
            "--versioning-configuration",
            "Status=Enabled",
        ],
    );
}

fn min_decryption_version(bao: &Bao, key: &str, version: u32) {
    let body = format!(r#"{{"min_decryption_version":{version}}}"#);
    bao.ok("POST", &format!("transit/keys/{key}/config"), &body);
}

fn counts(status: &Value) -> (u64, u64, u64, u64) {
    let n = |name: &str| status[name].as_u64().unwrap_or(u64::MAX);
    (n("examined"), n("resealed"), n("current"), n("failed"))
}

#[test]
fn after_a_rotation_a_reseal_keeps_every_object_readable_under_the_new_key_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let bao = Bao::start();
    for key in ["app", "strata-sse-kms", "strata-sse-s3"] {
        bao.transit_key(key);
    }
    // First a token that may serve but not re-seal.
    bao.transit_policy("strata-serve");
    bao.transit_reseal_policy("strata-reseal");
    let token_file = tmp.path().join("kms-token");
    std::fs::write(&token_file, bao.token("strata-serve")).unwrap();
    let dir = tmp.path().join("server");
    let server = strata(&dir, &bao, &token_file);
    ok(&server, &["s3api", "create-bucket", "--bucket", BUCKET]);
    versioned(&server);
    let kms = [
        "--server-side-encryption",
        "aws:kms",
        "--ssekms-key-id",
        "app",
    ];
    let bucket_key = [
        "--server-side-encryption",
        "aws:kms",
        "--ssekms-key-id",
        "app",
        "--bucket-key-enabled",
    ];
    // (key, version, bytes): two versions of one key, two objects under one Bucket Key,
    // an SSE-S3 object (the default), and a delete marker over one of them.
    let mut written = Vec::new();
    for (i, (key, extra)) in [
        ("kms", &kms[..]),
        ("kms", &kms[..]),
        ("bk-1", &bucket_key[..]),
        ("bk-2", &bucket_key[..]),
        ("sse-s3", &[][..]),
    ]
    .into_iter()
    .enumerate()
    {
        let data = body(i as u32, 70_000 + i * 1000);
        let version = put(&server, tmp.path(), key, &data, extra);
        written.push((key, version, data));
    }
    ok(
        &server,
        &[
            "s3api",
            "delete-object",
            "--bucket",
            BUCKET,
            "--key",
            "bk-2",
        ],
    );
    // And a multipart upload in progress, sealed under the same key, completed only after
    // the old key version is retired.
    let mut create = vec!["s3api", "create-multipart-upload", "--bucket", BUCKET];
    create.extend_from_slice(&["--key", "in-progress"]);
    create.extend_from_slice(&kms);
    let created: Value = serde_json::from_str(&ok(&server, &create)).unwrap();
    let upload_id = created["UploadId"].as_str().unwrap().to_string();
    let part = body(99, 123_456);
    let part_file = tmp.path().join("part");
    std::fs::write(&part_file, &part).unwrap();
    // `s3api OP` on the upload through `server`, with `extra`.
    let on_upload = |server: &Server, op: &str, extra: &[&str]| {
        let mut args = vec!["s3api", op, "--bucket", BUCKET, "--key", "in-progress"];
        args.extend_from_slice(&["--upload-id", &upload_id]);
        args.extend_from_slice(extra);
        ok(server, &args)
    };
    let part_path = part_file.to_str().unwrap();
    let uploaded = on_upload(
        &server,
        "upload-part",
        &["--part-number", "1", "--body", part_path],
    );
    let uploaded: Value = serde_json::from_str(&uploaded).unwrap();
    let kms_versions = 4;
    let kms_uploads = 1;

    // The keys rotate; transit then refuses version 1 of `app`: after a restart (no data
    // key cached), an object sealed under it does not read.
    for key in ["app", "strata-sse-s3"] {
        bao.ok("POST", &format!("transit/keys/{key}/rotate"), "");
    }
    drop(server);
    min_decryption_version(&bao, "app", 2);
    let server = strata(&dir, &bao, &token_file);
    let (key, version, _) = &written[0];
    assert!(
        get(&server, tmp.path(), key, version).is_err(),
        "an object sealed under a refused key version read back"
    );
    min_decryption_version(&bao, "app", 1);

    // A re-seal the KMS refuses (the token may not rewrap) stops and says why.
    let out = admin(&server, &["reseal", "--wait"]);
    assert!(!out.status.success(), "a refused re-seal reported success");
    let status = json_of(&out);
    assert_eq!(status["state"], "stopped", "{status}");
    let why = status["last_error"].as_str().unwrap_or_default();
    assert!(why.contains("refused") || why.contains("403"), "{status}");

    // Allowed now (the policy a re-seal needs), the cut-off walk goes on by itself at the
    // next start.
    drop(server);
    std::fs::write(&token_file, bao.token("strata-reseal")).unwrap();
    let server = strata(&dir, &bao, &token_file);
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let status = json_of(&admin(&server, &["reseal-status"]));
        if status["state"] != "running" {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the re-seal did not end: {status}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status["state"], "finished", "{status}");
    assert_eq!(
        status["last_error"],
        Value::Null,
        "the stop's reason is past: {status}"
    );
    assert_eq!(status["sse_s3_key"], "resealed", "{status}");
    // Five versions (the delete marker is not one to look at) and the upload; the SSE-S3
    // object has no KMS data key.
    let resealed = kms_versions + kms_uploads;
    assert_eq!(counts(&status), (6, resealed, 0, 0), "{status}");
    let sealed = std::fs::read(dir.join("data/sse-s3.key")).unwrap();
    assert!(
        sealed.starts_with(b"vault:v2:"),
        "the SSE-S3 key file is not under v2"
    );

    // Transit now refuses version 1 of both keys; after a restart (nothing cached, the
    // SSE-S3 key unsealed again) every version reads back, whole.
    drop(server);
    min_decryption_version(&bao, "app", 2);
    min_decryption_version(&bao, "strata-sse-s3", 2);
    let server = strata(&dir, &bao, &token_file);
    for (key, version, data) in &written {
        let got = get(&server, tmp.path(), key, version)
            .unwrap_or_else(|e| panic!("{key} {version}: {e}\n{}", server.log_tail()));
        assert!(got == *data, "{key} {version} read back other bytes");
    }

    // The upload completes under the re-sealed key and reads back.
    let parts = serde_json::json!({"Parts": [{"PartNumber": 1, "ETag": uploaded["ETag"]}]});
    on_upload(
        &server,
        "complete-multipart-upload",
        &["--multipart-upload", &parts.to_string()],
    );
    let listed: Value = serde_json::from_str(&ok(
        &server,
        &[
            "s3api",
            "list-object-versions",
            "--bucket",
            BUCKET,
            "--prefix",
            "in-progress",
        ],
    ))
    .unwrap();
    let version = listed["Versions"][0]["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    let got = get(&server, tmp.path(), "in-progress", &version)
        .unwrap_or_else(|e| panic!("the completed upload: {e}\n{}", server.log_tail()));
    assert!(got == part, "the completed upload read back other bytes");

    // A second re-seal finds everything current (the completed upload is a version now).
    let status = json_of(&admin(&server, &["reseal", "--wait"]));
    assert_eq!(status["state"], "finished", "{status}");
    assert_eq!(status["sse_s3_key"], "current", "{status}");
    assert_eq!(counts(&status), (6, 0, resealed, 0), "{status}");
}

#[test]
fn the_reseal_command_needs_a_signature_and_finds_nothing_to_do_without_a_kms_seal() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    // No credentials: not sent.
    let out = admin_as(&server, None, &["reseal-status"]);
    assert_failed_with(&out, "AWS_ACCESS_KEY_ID is not set");
    // A wrong secret: the server's SigV4 error.
    let wrong = (server.credentials.access_key.as_str(), "not-the-secret");
    let out = admin_as(&server, Some(wrong), &["reseal"]);
    assert_failed_with(&out, "SignatureDoesNotMatch");
    // The root: idle before any walk; a walk over a store with nothing sealed by a KMS
    // finishes with nothing to do (the SSE-S3 key file is sealed by the local keyring,
    // under its current version).
    let status = json_of(&admin(&server, &["reseal-status"]));
    assert_eq!(status["state"], "idle", "{status}");
    let status = json_of(&admin(&server, &["reseal", "--wait"]));
    assert_eq!(status["state"], "finished", "{status}");
    assert_eq!(status["sse_s3_key"], "current", "{status}");
    assert_eq!(counts(&status), (0, 0, 0, 0), "{status}");
}

#[test]
fn a_store_made_before_its_transit_engine_moves_its_sse_s3_key_under_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let data = body(7, 90_000);
    // Made with the local keyring only: the SSE-S3 key is sealed by it.
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .dir(&dir)
        .start();
    ok(&server, &["s3api", "create-bucket", "--bucket", BUCKET]);
    versioned(&server);
    let version = put(&server, tmp.path(), "sse-s3", &data, &[]);
    drop(server);
    let key_file = dir.join("data/sse-s3.key");
    assert!(!std::fs::read(&key_file).unwrap().starts_with(b"vault:"));

    // A transit engine is configured: the key still unseals with the keyring, and a
    // re-seal moves it under transit.
    let bao = Bao::start();
    bao.transit_key("strata-sse-s3");
    bao.transit_reseal_policy("strata-reseal");
    let token_file = tmp.path().join("kms-token");
    std::fs::write(&token_file, bao.token("strata-reseal")).unwrap();
    let server = strata(&dir, &bao, &token_file);
    let status = json_of(&admin(&server, &["reseal", "--wait"]));
    assert_eq!(status["state"], "finished", "{status}");
    assert_eq!(status["sse_s3_key"], "moved-to-transit", "{status}");
    assert!(std::fs::read(&key_file).unwrap().starts_with(b"vault:v1:"));
    drop(server);

    // After a restart the key unseals through transit, and the object reads back.
    let server = strata(&dir, &bao, &token_file);
    let got = get(&server, tmp.path(), "sse-s3", &version)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log_tail()));
    assert!(got == data, "the SSE-S3 object read back other bytes");
    // Moved once: a second re-seal finds it current.
    let status = json_of(&admin(&server, &["reseal", "--wait"]));
    assert_eq!(status["sse_s3_key"], "current", "{status}");
}
