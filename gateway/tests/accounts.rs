//! Accounts end to end: the real `strata` with a second account declared in its config file,
//! driven by the real aws CLI v2 (`STRATA_AWS`) with each account's root keys. Buckets record
//! their owning account; another account is refused (`AccessDenied`, not
//! `InvalidAccessKeyId`); account ids outlive keys (a restart with new root keys keeps the
//! root account's buckets).

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use strata_tests::{aws_cli, Credentials, Server};

const TEAM_KEY: &str = "TEAMBACCESSKEY";
const TEAM_SECRET: &str = "team-b-secret-0123456789";

fn start(dir: &Path, root: Credentials) -> Server {
    let config = dir.join("strata.toml");
    std::fs::write(
        &config,
        format!(
            "[[accounts]]\nname = \"team-b\"\naccess_key = \"{TEAM_KEY}\"\nsecret_key = \"{TEAM_SECRET}\"\n"
        ),
    )
    .unwrap();
    Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .credentials(root)
        .dir(dir.join("server"))
        .env("STRATA_CONFIG", config.to_str().unwrap())
        .start()
}

/// The aws CLI against `server` with the given keys, however it exits.
fn aws(server: &Server, keys: (&str, &str), args: &[&str]) -> Output {
    aws_cli(server, keys)
        .args(args)
        .output()
        .expect("run the aws CLI")
}

fn ok(server: &Server, keys: (&str, &str), args: &[&str]) -> String {
    let out = aws(server, keys, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The S3 error code of a failed call (the CLI prints `... (CODE) when calling ...`).
fn error_code(server: &Server, keys: (&str, &str), args: &[&str]) -> String {
    let out = aws(server, keys, args);
    assert!(!out.status.success(), "aws {args:?} succeeded");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .split_once("error occurred (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(code, _)| code.to_string())
        .unwrap_or_else(|| panic!("no error code in: {stderr}"))
}

fn list_buckets(server: &Server, keys: (&str, &str)) -> (Vec<String>, Value) {
    let v: Value = serde_json::from_str(&ok(server, keys, &["s3api", "list-buckets"])).unwrap();
    let names = v["Buckets"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| b["Name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (names, v["Owner"].clone())
}

#[test]
fn accounts_own_their_buckets_and_keep_them_across_new_root_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let first_root = Credentials::new("ROOTKEYONE", "root-secret-one-0123456789");
    let root = (first_root.access_key.clone(), first_root.secret_key.clone());
    let root = (root.0.as_str(), root.1.as_str());
    let team = (TEAM_KEY, TEAM_SECRET);
    let server = start(tmp.path(), first_root.clone());

    ok(
        &server,
        root,
        &["s3api", "create-bucket", "--bucket", "root-data"],
    );
    ok(
        &server,
        team,
        &["s3api", "create-bucket", "--bucket", "team-data"],
    );
    ok(
        &server,
        team,
        &["s3api", "put-object", "--bucket", "team-data", "--key", "k"],
    );

    // Each account lists its own buckets, with itself as the owner.
    let (names, owner) = list_buckets(&server, root);
    assert_eq!(names, ["root-data"]);
    assert_eq!(owner["DisplayName"], "root");
    let root_canonical = owner["ID"].as_str().unwrap().to_string();
    assert_eq!(root_canonical.len(), 64, "{owner}");
    let (names, owner) = list_buckets(&server, team);
    assert_eq!(names, ["team-data"]);
    assert_eq!(owner["DisplayName"], "team-b");
    assert_ne!(owner["ID"].as_str().unwrap(), root_canonical);

    // Another account's bucket: AccessDenied, whatever the operation; its key is known.
    for args in [
        &["s3api", "list-objects-v2", "--bucket", "team-data"][..],
        &[
            "s3api",
            "head-object",
            "--bucket",
            "team-data",
            "--key",
            "k",
        ][..],
        &["s3api", "delete-bucket", "--bucket", "team-data"][..],
    ] {
        let code = error_code(&server, root, args);
        assert!(code == "AccessDenied" || code == "403", "{args:?}: {code}");
    }
    assert_eq!(
        error_code(
            &server,
            team,
            &[
                "s3api",
                "get-object",
                "--bucket",
                "root-data",
                "--key",
                "x",
                "/dev/null"
            ]
        ),
        "AccessDenied"
    );
    // Bucket names are global: taking another account's name is BucketAlreadyExists.
    assert_eq!(
        error_code(
            &server,
            team,
            &["s3api", "create-bucket", "--bucket", "root-data"]
        ),
        "BucketAlreadyExists"
    );
    assert_eq!(
        error_code(
            &server,
            root,
            &["s3api", "create-bucket", "--bucket", "root-data"]
        ),
        "BucketAlreadyOwnedByYou"
    );
    // Object listings show the bucket's owning account.
    let listed: Value = serde_json::from_str(&ok(
        &server,
        team,
        &["s3api", "list-objects", "--bucket", "team-data"],
    ))
    .unwrap();
    assert_eq!(listed["Contents"][0]["Owner"]["DisplayName"], "team-b");
    drop(server);

    // New root keys (an injected sidecar gets new ones at each start): same account.
    let second_root = Credentials::new("ROOTKEYTWO", "root-secret-two-0123456789");
    let server = start(tmp.path(), second_root.clone());
    let root = (
        second_root.access_key.as_str(),
        second_root.secret_key.as_str(),
    );
    let (names, owner) = list_buckets(&server, root);
    assert_eq!(names, ["root-data"]);
    assert_eq!(owner["ID"].as_str().unwrap(), root_canonical);
    ok(
        &server,
        root,
        &["s3api", "list-objects-v2", "--bucket", "root-data"],
    );
    // The old key is gone.
    assert_eq!(
        error_code(
            &server,
            ("ROOTKEYONE", "root-secret-one-0123456789"),
            &["s3api", "list-buckets"]
        ),
        "InvalidAccessKeyId"
    );
}
