//! The KMS's keys through the admin API and `strata admin kms-key`, over the local keyring:
//! a key is created, listed and shown; an SSE-KMS object is written under it; the key
//! rotates and the re-seal moves the object's data key to the new version, on disk in the
//! keyring (the keyring file then holds two versions); the object reads back. Mistakes get
//! KMS's error names, an unknown query parameter is refused, and each call is an audit event
//! naming its key.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use strata_tests::{aws_ok as ok, kms_key_of_arn, Layout, Server};

const BUCKET: &str = "keys";

/// `strata admin ARGS` with the server's root keys.
fn admin(server: &Server, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("admin")
        .arg("--endpoint")
        .arg(server.endpoint())
        .args(args)
        .env("AWS_ACCESS_KEY_ID", &server.credentials.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &server.credentials.secret_key)
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .expect("run strata admin")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "strata admin failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("strata admin prints JSON")
}

fn assert_failed_with(out: &Output, text: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains(text), "{stderr}");
}

/// The audit events in `trail` once one with `operation` has arrived.
fn audit_events(trail: &Path, operation: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(trail).unwrap_or_default();
        let events: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
            .collect();
        if events.iter().any(|e| e["operation"] == operation) {
            return events;
        }
        assert!(
            Instant::now() < deadline,
            "no {operation} event in {}",
            trail.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn keys_are_created_rotated_and_resealed_through_the_admin_api() {
    let tmp = tempfile::tempdir().unwrap();
    let keyring = tmp.path().join("keyring.json");
    let trail = tmp.path().join("audit.log");
    let config = tmp.path().join("strata.toml");
    std::fs::write(
        &config,
        format!(
            "[[audit.sinks]]\nname = \"trail\"\nkind = \"file\"\npath = \"{}\"\n",
            trail.display()
        ),
    )
    .unwrap();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .dir(tmp.path().join("server"))
        .arg("--sse-keyring")
        .arg(keyring.to_str().unwrap())
        .arg("--config")
        .arg(config.to_str().unwrap())
        .start();

    let made = json_of(&admin(&server, &["kms-key", "create", "team-a"]));
    assert_eq!(made["key_id"], "team-a");
    assert_eq!(made["current_version"], 1);
    assert_eq!(made["versions"], serde_json::json!([1]));
    assert_failed_with(
        &admin(&server, &["kms-key", "create", "team-a"]),
        "KMS.AlreadyExistsException",
    );
    assert_failed_with(
        &admin(&server, &["kms-key", "status", "nope"]),
        "KMS.NotFoundException",
    );
    let listed = json_of(&admin(&server, &["kms-key", "list"]));
    let ids: Vec<&str> = listed["keys"]
        .as_array()
        .expect("a list of keys")
        .iter()
        .filter_map(|k| k["key_id"].as_str())
        .collect();
    assert!(ids.contains(&"team-a"), "{listed}");

    // An object under the new key; then the key rotates and the re-seal moves its data key.
    ok(&server, &["s3", "mb", &format!("s3://{BUCKET}")]);
    let data = strata_tests::pattern(200_000, 7);
    let file = tmp.path().join("body");
    std::fs::write(&file, &data).unwrap();
    let put: Value = serde_json::from_str(&ok(
        &server,
        &[
            "s3api",
            "put-object",
            "--bucket",
            BUCKET,
            "--key",
            "doc",
            "--body",
            file.to_str().unwrap(),
            "--server-side-encryption",
            "aws:kms",
            "--ssekms-key-id",
            "team-a",
        ],
    ))
    .unwrap();
    assert_eq!(
        kms_key_of_arn(put["SSEKMSKeyId"].as_str().unwrap()),
        Some("team-a")
    );
    let rotated = json_of(&admin(&server, &["kms-key", "rotate", "team-a"]));
    assert_eq!(rotated["current_version"], 2);
    assert_eq!(rotated["versions"], serde_json::json!([1, 2]));
    let shown = json_of(&admin(&server, &["kms-key", "status", "team-a"]));
    assert_eq!(shown, rotated);
    let keyring_text = std::fs::read_to_string(&keyring).unwrap();
    assert!(
        keyring_text.contains("team-a"),
        "the keyring file keeps the key"
    );
    let resealed = json_of(&admin(&server, &["reseal", "--wait"]));
    assert_eq!(resealed["state"], "finished", "{resealed}");
    assert_eq!(resealed["resealed"], 1, "{resealed}");
    let out = tmp.path().join("out");
    ok(
        &server,
        &[
            "s3api",
            "get-object",
            "--bucket",
            BUCKET,
            "--key",
            "doc",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        std::fs::read(&out).unwrap() == data,
        "the object reads back"
    );

    // A parameter the endpoint does not take is refused, not ignored.
    let answer = server.request(
        "POST",
        "/strata/admin/kms/key/rotate?key-id=team-a&force=true",
        b"",
    );
    let text = String::from_utf8_lossy(&answer.body);
    assert_eq!(answer.status, 400, "{text}");
    assert!(text.contains("InvalidArgument"), "{text}");
    let still = json_of(&admin(&server, &["kms-key", "status", "team-a"]));
    assert_eq!(
        still["current_version"], 2,
        "the refused call rotated nothing"
    );

    // Each call is an audit event naming the key it acted on.
    let events = audit_events(&trail, "AdminRotateKmsKey");
    let rotations: Vec<&Value> = events
        .iter()
        .filter(|e| e["operation"] == "AdminRotateKmsKey" && e["status"] == 200)
        .collect();
    assert_eq!(rotations.len(), 1, "{events:?}");
    assert_eq!(rotations[0]["kms_key_id"], "team-a");
    assert!(events.iter().any(|e| e["operation"] == "AdminCreateKmsKey"
        && e["error_code"] == "KMS.AlreadyExistsException"));
}

/// The default keyring under `--data` has a copy in the store that a runtime change would
/// leave stale: its keys are listed, but creating or rotating one is refused and changes
/// nothing.
#[test]
fn the_default_keyring_under_data_is_listed_but_not_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .dir(tmp.path().join("server"))
        .start();
    let listed = json_of(&admin(&server, &["kms-key", "list"]));
    let first = listed["keys"][0].clone();
    let id = first["key_id"]
        .as_str()
        .expect("the default keyring holds a key");
    assert_failed_with(
        &admin(&server, &["kms-key", "rotate", id]),
        "InvalidRequest",
    );
    assert_failed_with(
        &admin(&server, &["kms-key", "create", "more"]),
        "InvalidRequest",
    );
    assert_eq!(json_of(&admin(&server, &["kms-key", "status", id])), first);
}
