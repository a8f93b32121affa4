//! The KMS's keys through the admin API and `strata admin kms-key`, over the local keyring:
//! a key is created, listed and shown; an SSE-KMS object is written under it; the key
//! rotates and the re-seal moves the object's data key to the new version, on disk in the
//! keyring (the keyring file then holds two versions); the object reads back. Mistakes get
//! KMS's error names, an unknown query parameter is refused, and each call is an audit event
//! naming its key. SSE-KMS objects the local keyring sealed still read, and re-seal, once a
//! transit engine (a real OpenBao, `STRATA_BAO`) serves SSE-KMS.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use strata_tests::{aws_ok as ok, kms_key_of_arn, Bao, Layout, Server, BAO_TOKEN};

#[path = "support/admin_cli.rs"]
mod admin_cli;
use admin_cli::{admin, assert_failed_with, json_of};

const BUCKET: &str = "keys";

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

/// Puts `data` (through the file `via`) as `key`, SSE-KMS under `kms_key`; the CLI's answer.
fn put_kms(server: &Server, via: &Path, key: &str, data: &[u8], kms_key: &str) -> Value {
    std::fs::write(via, data).unwrap();
    let answer = ok(
        server,
        &[
            "s3api",
            "put-object",
            "--bucket",
            BUCKET,
            "--key",
            key,
            "--body",
            via.to_str().unwrap(),
            "--server-side-encryption",
            "aws:kms",
            "--ssekms-key-id",
            kms_key,
        ],
    );
    serde_json::from_str(&answer).expect("put-object answers JSON")
}

/// A server under `tmp` whose SSE-KMS keys are the keyring file `keyring`, with `extra` args.
fn keyring_server(tmp: &Path, keyring: &Path, extra: &[&str]) -> Server {
    let mut builder = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .dir(tmp.join("server"))
        .arg("--sse-keyring")
        .arg(keyring.to_str().unwrap());
    for a in extra {
        builder = builder.arg(a);
    }
    builder.start()
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
    let server = keyring_server(
        tmp.path(),
        &keyring,
        &["--config", config.to_str().unwrap()],
    );

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
    let put = put_kms(&server, &tmp.path().join("body"), "doc", &data, "team-a");
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

fn get_object(server: &Server, key: &str, out: &Path) -> Vec<u8> {
    let _ = std::fs::remove_file(out);
    ok(
        server,
        &[
            "s3api",
            "get-object",
            "--bucket",
            BUCKET,
            "--key",
            key,
            out.to_str().unwrap(),
        ],
    );
    std::fs::read(out).unwrap()
}

/// A store whose SSE-KMS objects were sealed by the local keyring gets a transit engine: the
/// old objects read through the keyring (which transit cannot open), new ones go to transit,
/// and a re-seal after the keyring key rotates seals the old data keys again through the
/// keyring, so that both kinds read back after a restart.
#[test]
fn keyring_objects_read_and_reseal_once_transit_serves_sse_kms() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("server");
    let keyring = tmp.path().join("keyring.json");
    let out = tmp.path().join("out");
    let file = tmp.path().join("body");
    let old = strata_tests::pattern(150_000, 3);
    let new = strata_tests::pattern(90_000, 4);
    let put = |server: &Server, key: &str, data: &[u8], kms_key: &str| {
        put_kms(server, &file, key, data, kms_key);
    };
    // The server on `dir` with the keyring, and `extra` arguments.
    let start = |extra: &[&str]| {
        let mut builder = Server::builder()
            .binary(env!("CARGO_BIN_EXE_strata"))
            .layout(Layout::fast_2x2())
            .dir(&dir)
            .arg("--sse-keyring")
            .arg(keyring.to_str().unwrap());
        for arg in extra {
            builder = builder.arg(arg);
        }
        builder.start()
    };
    let keyring_only = || start(&[]);
    {
        let server = keyring_only();
        json_of(&admin(&server, &["kms-key", "create", "legacy"]));
        ok(&server, &["s3", "mb", &format!("s3://{BUCKET}")]);
        put(&server, "old", &old, "legacy");
    }
    let bao = Bao::start();
    bao.transit_key("strata-sse-kms");
    bao.transit_key("app");
    let token = tmp.path().join("kms-token");
    std::fs::write(&token, BAO_TOKEN).unwrap();
    let address = bao.url();
    let with_transit = || {
        start(&[
            "--kms-address",
            &address,
            "--kms-token-file",
            token.to_str().unwrap(),
        ])
    };
    {
        let server = with_transit();
        assert!(
            get_object(&server, "old", &out) == old,
            "the keyring's object reads"
        );
        put(&server, "new", &new, "app");
        assert!(get_object(&server, "new", &out) == new);
    }
    // The keyring key rotates (through a keyring-only start: with transit configured, the
    // admin API manages transit's keys); then a re-seal with transit configured seals the
    // old object's data key again through the keyring, under its new version.
    {
        let server = keyring_only();
        let rotated = json_of(&admin(&server, &["kms-key", "rotate", "legacy"]));
        assert_eq!(rotated["current_version"], 2);
    }
    let server = with_transit();
    let resealed = json_of(&admin(&server, &["reseal", "--wait"]));
    assert_eq!(resealed["state"], "finished", "{resealed}");
    assert_eq!(resealed["failed"], 0, "{resealed}");
    assert_eq!(resealed["resealed"], 1, "{resealed}");
    assert_eq!(resealed["current"], 1, "{resealed}");
    drop(server);
    let server = with_transit();
    assert!(
        get_object(&server, "old", &out) == old,
        "re-sealed, it reads"
    );
    assert!(get_object(&server, "new", &out) == new);
}

/// The same calls against a transit engine (a real OpenBao): its keys are created, listed and
/// rotated through strata, and a re-seal moves an object's data key to the new version.
#[test]
fn transit_keys_are_created_rotated_and_resealed_through_the_admin_api() {
    let tmp = tempfile::tempdir().unwrap();
    let bao = Bao::start();
    // The key that seals the store's SSE-S3 key is made by its operators, as in production.
    bao.transit_key("strata-sse-s3");
    let token = tmp.path().join("kms-token");
    std::fs::write(&token, BAO_TOKEN).unwrap();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .dir(tmp.path().join("server"))
        .arg("--kms-address")
        .arg(&bao.url())
        .arg("--kms-token-file")
        .arg(token.to_str().unwrap())
        .start();
    let made = json_of(&admin(&server, &["kms-key", "create", "team-t"]));
    assert_eq!(made["key_id"], "team-t");
    assert_eq!(made["current_version"], 1);
    assert_failed_with(
        &admin(&server, &["kms-key", "create", "team-t"]),
        "KMS.AlreadyExistsException",
    );
    // OpenBao has the key: strata made it there.
    let read = bao.ok("GET", "transit/keys/team-t", "");
    assert!(
        read.text().contains("\"latest_version\":1"),
        "{}",
        read.text()
    );
    ok(&server, &["s3", "mb", &format!("s3://{BUCKET}")]);
    let data = strata_tests::pattern(120_000, 9);
    put_kms(&server, &tmp.path().join("body"), "doc", &data, "team-t");
    let rotated = json_of(&admin(&server, &["kms-key", "rotate", "team-t"]));
    assert_eq!(rotated["current_version"], 2, "{rotated}");
    let listed = json_of(&admin(&server, &["kms-key", "list"]));
    assert!(
        listed["keys"]
            .as_array()
            .expect("a list of keys")
            .iter()
            .any(|k| k["key_id"] == "team-t" && k["current_version"] == 2),
        "{listed}"
    );
    let resealed = json_of(&admin(&server, &["reseal", "--wait"]));
    assert_eq!(resealed["state"], "finished", "{resealed}");
    assert_eq!(resealed["resealed"], 1, "{resealed}");
    let out = tmp.path().join("out");
    assert!(
        get_object(&server, "doc", &out) == data,
        "the object reads back"
    );
}

/// After a rotation, a routine scanner pass re-seals what it meets (the re-seal rides the
/// scanner's hook): versions, an upload in progress and the SSE-S3 key file; an operator's
/// re-seal afterwards finds nothing left to do.
#[test]
fn a_scanner_pass_reseals_data_keys_after_a_rotation() {
    let tmp = tempfile::tempdir().unwrap();
    let keyring = tmp.path().join("keyring.json");
    let server = keyring_server(tmp.path(), &keyring, &["--scan-interval", "off"]);
    json_of(&admin(&server, &["kms-key", "create", "team-b"]));
    ok(&server, &["s3", "mb", &format!("s3://{BUCKET}")]);
    let data = strata_tests::pattern(300_000, 11);
    let via = tmp.path().join("body");
    for key in ["one", "two"] {
        put_kms(&server, &via, key, &data, "team-b");
    }
    let plain = tmp.path().join("plain");
    std::fs::write(&plain, b"not encrypted by a KMS key").unwrap();
    let target = format!("s3://{BUCKET}/plain");
    ok(&server, &["s3", "cp", plain.to_str().unwrap(), &target]);
    // An upload in progress under the same key, with one part.
    let upload: Value = serde_json::from_str(&ok(
        &server,
        &[
            "s3api",
            "create-multipart-upload",
            "--bucket",
            BUCKET,
            "--key",
            "pending",
            "--server-side-encryption",
            "aws:kms",
            "--ssekms-key-id",
            "team-b",
        ],
    ))
    .unwrap();
    let upload_id = upload["UploadId"]
        .as_str()
        .expect("an upload id")
        .to_string();
    let on_upload = |op: &'static str| {
        let id: &str = &upload_id;
        vec![
            "s3api",
            op,
            "--bucket",
            BUCKET,
            "--key",
            "pending",
            "--upload-id",
            id,
        ]
    };
    let mut part_args = on_upload("upload-part");
    part_args.extend_from_slice(&["--part-number", "1", "--body", via.to_str().unwrap()]);
    let part: Value = serde_json::from_str(&ok(&server, &part_args)).unwrap();
    let before = json_of(&admin(&server, &["reseal-status"]));
    assert_eq!(before["scanner"]["resealed"], 0, "{before}");

    json_of(&admin(&server, &["kms-key", "rotate", "team-b"]));
    let pass = json_of(&admin(&server, &["scan", "--wait"]));
    assert_eq!(pass["last_scan"]["versions"]["failed"], 0, "{pass:#}");
    let status = json_of(&admin(&server, &["reseal-status"]));
    // The two versions and the upload; the SSE-S3 key file was looked at and is current
    // (its key did not rotate).
    assert_eq!(status["scanner"]["resealed"], 3, "{status}");
    assert_eq!(status["scanner"]["failed"], 0, "{status}");
    assert_eq!(status["scanner"]["sse_s3_key"], "current", "{status}");
    // Nothing is left for an operator's re-seal: all three are current.
    let walk = json_of(&admin(&server, &["reseal", "--wait"]));
    assert_eq!(walk["resealed"], 0, "{walk}");
    assert_eq!(walk["current"], 3, "{walk}");
    // The upload completes under its re-sealed key and reads back.
    let parts = serde_json::json!({"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]});
    let mut complete = on_upload("complete-multipart-upload");
    let parts = parts.to_string();
    complete.extend_from_slice(&["--multipart-upload", &parts]);
    ok(&server, &complete);
    let out = tmp.path().join("pending.out");
    assert!(
        get_object(&server, "pending", &out) == data,
        "the completed upload reads back"
    );
    // A second pass finds them current too.
    json_of(&admin(&server, &["scan", "--wait"]));
    let again = json_of(&admin(&server, &["reseal-status"]));
    assert_eq!(again["scanner"]["resealed"], 3, "{again}");
    for key in ["one", "two"] {
        let out = tmp.path().join(format!("{key}.out"));
        let src = format!("s3://{BUCKET}/{key}");
        ok(&server, &["s3", "cp", &src, out.to_str().unwrap()]);
        assert!(std::fs::read(&out).unwrap() == data, "{key} reads back");
    }
}
