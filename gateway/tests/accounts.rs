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
    // Made again by its owner in us-east-1 (strata's default region): AWS's legacy 200,
    // changing nothing; stating a setting it would not apply is refused instead.
    ok(
        &server,
        root,
        &["s3api", "create-bucket", "--bucket", "root-data"],
    );
    assert_eq!(
        error_code(
            &server,
            root,
            &[
                "s3api",
                "create-bucket",
                "--bucket",
                "root-data",
                "--object-ownership",
                "ObjectWriter"
            ]
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

/// Bucket policies end to end: a grant to another account, a Deny that binds the owner's
/// root (who can still remove the policy), an anonymous read pinned to the loopback
/// network, and the documents PutBucketPolicy refuses.
#[test]
fn bucket_policies_grant_other_accounts_bind_the_owner_and_refuse_public_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let root_keys = Credentials::new("ROOTPOLICYKEY", "root-policy-secret-0123456789");
    let root = (root_keys.access_key.as_str(), root_keys.secret_key.as_str());
    let team = (TEAM_KEY, TEAM_SECRET);
    let server = start(tmp.path(), root_keys.clone());
    let team_account: Value =
        serde_json::from_str(&ok(&server, team, &["sts", "get-caller-identity"])).unwrap();
    let team_root = format!(
        "arn:aws:iam::{}:root",
        team_account["Account"].as_str().unwrap()
    );
    ok(
        &server,
        root,
        &["s3api", "create-bucket", "--bucket", "pol"],
    );
    for key in ["shared/a", "keep/b", "lan/c"] {
        ok(
            &server,
            root,
            &["s3api", "put-object", "--bucket", "pol", "--key", key],
        );
    }
    // get-object of `key`, unsigned when the keys are empty.
    let get = |keys: (&str, &str), key: &str| -> Vec<String> {
        let mut v: Vec<String> = [
            "s3api",
            "get-object",
            "--bucket",
            "pol",
            "--key",
            key,
            "/dev/null",
        ]
        .map(String::from)
        .to_vec();
        if keys.0.is_empty() {
            v.push("--no-sign-request".into());
        }
        v
    };
    assert_eq!(
        error_code(&server, team, &strs(&get(team, "shared/a"))),
        "AccessDenied"
    );

    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Effect":"Allow","Principal":{{"AWS":"{team_root}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/shared/*"}},
          {{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::pol/keep/*"}},
          {{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/lan/*",
            "Condition":{{"IpAddress":{{"aws:SourceIp":"127.0.0.0/8"}}}}}}]}}"#
    );
    ok(
        &server,
        root,
        &[
            "s3api",
            "put-bucket-policy",
            "--bucket",
            "pol",
            "--policy",
            &policy,
        ],
    );
    let status: Value = serde_json::from_str(&ok(
        &server,
        root,
        &["s3api", "get-bucket-policy-status", "--bucket", "pol"],
    ))
    .unwrap();
    assert_eq!(status["PolicyStatus"]["IsPublic"], false, "{status}");

    // The other account reads what the policy grants it, and nothing else.
    ok(&server, team, &strs(&get(team, "shared/a")));
    assert_eq!(
        error_code(&server, team, &strs(&get(team, "keep/b"))),
        "AccessDenied"
    );
    // The Deny binds the owner's root too.
    let delete_keep = [
        "s3api",
        "delete-object",
        "--bucket",
        "pol",
        "--key",
        "keep/b",
    ];
    assert_eq!(error_code(&server, root, &delete_keep), "AccessDenied");
    // Unsigned: only the statement pinned to the loopback network admits it.
    let anonymous = ("", "");
    ok(&server, anonymous, &strs(&get(anonymous, "lan/c")));
    assert_eq!(
        error_code(&server, anonymous, &strs(&get(anonymous, "shared/a"))),
        "AccessDenied"
    );

    // Refused documents: public grants (Block Public Access is on) and malformed ones.
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}]}"#;
    let put = |doc: &str| {
        error_code(
            &server,
            root,
            &[
                "s3api",
                "put-bucket-policy",
                "--bucket",
                "pol",
                "--policy",
                doc,
            ],
        )
    };
    assert_eq!(put(public), "AccessDenied");
    assert_eq!(
        put(r#"{"Statement":[{"Effect":"Allow"}]}"#),
        "MalformedPolicy"
    );
    assert_eq!(put("{not json"), "MalformedPolicy");

    // The owner's root removes the policy despite it; the grant goes with it.
    ok(
        &server,
        root,
        &["s3api", "delete-bucket-policy", "--bucket", "pol"],
    );
    assert_eq!(
        error_code(&server, team, &strs(&get(team, "shared/a"))),
        "AccessDenied"
    );
    ok(&server, root, &delete_keep);
    assert_eq!(
        error_code(
            &server,
            root,
            &["s3api", "get-bucket-policy-status", "--bucket", "pol"]
        ),
        "NoSuchBucketPolicy"
    );
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// ACLs, Object Ownership and Block Public Access end to end with the aws CLI: a new bucket
/// enforces ownership and blocks public access (ACLs refused, reads show the owner alone);
/// with `ObjectWriter` and the block lifted, grants to the other account by canonical id and
/// to everyone work, and each setting reads back as it was put.
#[test]
fn bucket_acls_ownership_and_public_access_block_act_as_on_aws() {
    let tmp = tempfile::tempdir().unwrap();
    let root_keys = Credentials::new("ROOTACLKEY", "root-acl-secret-0123456789");
    let root = (root_keys.access_key.as_str(), root_keys.secret_key.as_str());
    let team = (TEAM_KEY, TEAM_SECRET);
    let anonymous = ("", "");
    let server = start(tmp.path(), root_keys.clone());
    let s3api = |keys: (&str, &str), args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = std::iter::once("s3api")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        if keys.0.is_empty() {
            v.push("--no-sign-request".into());
        }
        v
    };
    let ok_json = |keys, args: &[&str]| -> Value {
        let out = ok(&server, keys, &strs(&s3api(keys, args)));
        serde_json::from_str(&out).unwrap_or(Value::Null)
    };
    let code = |keys, args: &[&str]| error_code(&server, keys, &strs(&s3api(keys, args)));
    let team_id = {
        ok(
            &server,
            team,
            &["s3api", "create-bucket", "--bucket", "team-own"],
        );
        let v = ok_json(team, &["list-buckets"]);
        v["Owner"]["ID"].as_str().unwrap().to_string()
    };

    // A new bucket: AWS's defaults since 2023.
    ok(
        &server,
        root,
        &["s3api", "create-bucket", "--bucket", "acl"],
    );
    let ownership = ok_json(root, &["get-bucket-ownership-controls", "--bucket", "acl"]);
    assert_eq!(
        ownership["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
        "BucketOwnerEnforced"
    );
    let block = ok_json(root, &["get-public-access-block", "--bucket", "acl"]);
    for setting in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            block["PublicAccessBlockConfiguration"][setting], true,
            "{setting}"
        );
    }
    let acl = ok_json(root, &["get-bucket-acl", "--bucket", "acl"]);
    assert_eq!(acl["Grants"].as_array().unwrap().len(), 1, "{acl}");
    assert_eq!(acl["Grants"][0]["Permission"], "FULL_CONTROL");
    let grant_team = format!("id={team_id}");
    assert_eq!(
        code(
            root,
            &[
                "put-bucket-acl",
                "--bucket",
                "acl",
                "--grant-read",
                &grant_team
            ]
        ),
        "AccessControlListNotSupported"
    );
    assert_eq!(
        code(
            root,
            &[
                "put-object",
                "--bucket",
                "acl",
                "--key",
                "k",
                "--acl",
                "public-read"
            ]
        ),
        "AccessControlListNotSupported"
    );
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &[
                "put-object",
                "--bucket",
                "acl",
                "--key",
                "k",
                "--acl",
                "bucket-owner-full-control",
            ],
        )),
    );
    assert_eq!(
        code(
            root,
            &["create-bucket", "--bucket", "acl2", "--acl", "public-read"]
        ),
        "InvalidBucketAclWithObjectOwnership"
    );

    // ACLs in force: the other account lists by its grant, and reads nothing more.
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &[
                "put-bucket-ownership-controls",
                "--bucket",
                "acl",
                "--ownership-controls",
                "Rules=[{ObjectOwnership=ObjectWriter}]",
            ],
        )),
    );
    assert_eq!(
        code(team, &["list-objects-v2", "--bucket", "acl"]),
        "AccessDenied"
    );
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &[
                "put-bucket-acl",
                "--bucket",
                "acl",
                "--grant-read",
                &grant_team,
            ],
        )),
    );
    let listed = ok_json(team, &["list-objects-v2", "--bucket", "acl"]);
    assert_eq!(listed["Contents"][0]["Key"], "k", "{listed}");
    assert_eq!(
        code(
            team,
            &["get-object", "--bucket", "acl", "--key", "k", "/dev/null"]
        ),
        "AccessDenied"
    );
    let acl = ok_json(root, &["get-bucket-acl", "--bucket", "acl"]);
    assert!(
        acl["Grants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["Grantee"]["ID"] == team_id.as_str() && g["Permission"] == "READ"),
        "{acl}"
    );
    // Enforcing ownership again is refused while the ACL grants the other account.
    assert_eq!(
        code(
            root,
            &[
                "put-bucket-ownership-controls",
                "--bucket",
                "acl",
                "--ownership-controls",
                "Rules=[{ObjectOwnership=BucketOwnerEnforced}]"
            ]
        ),
        "InvalidBucketAclWithObjectOwnership"
    );

    // Public grants: refused while blocked, ignored while ignored, honoured once lifted.
    assert_eq!(
        code(
            root,
            &["put-bucket-acl", "--bucket", "acl", "--acl", "public-read"]
        ),
        "AccessDenied"
    );
    ok(&server, root, &strs(&s3api(root, &["put-public-access-block", "--bucket", "acl", "--public-access-block-configuration", "BlockPublicAcls=false,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"])));
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &["put-bucket-acl", "--bucket", "acl", "--acl", "public-read"],
        )),
    );
    assert_eq!(
        code(anonymous, &["list-objects-v2", "--bucket", "acl"]),
        "AccessDenied"
    );
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &["delete-public-access-block", "--bucket", "acl"],
        )),
    );
    assert_eq!(
        code(root, &["get-public-access-block", "--bucket", "acl"]),
        "NoSuchPublicAccessBlockConfiguration"
    );
    let listed = ok_json(anonymous, &["list-objects-v2", "--bucket", "acl"]);
    assert_eq!(listed["Contents"][0]["Key"], "k", "{listed}");
    // `public-read` replaced the grant to the other account.
    let acl = ok_json(root, &["get-bucket-acl", "--bucket", "acl"]);
    assert_eq!(acl["Grants"].as_array().unwrap().len(), 2, "{acl}");

    // Without ownership controls the ACL stays in force; Get says there are none.
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &["delete-bucket-ownership-controls", "--bucket", "acl"],
        )),
    );
    assert_eq!(
        code(root, &["get-bucket-ownership-controls", "--bucket", "acl"]),
        "OwnershipControlsNotFoundError"
    );
    ok_json(anonymous, &["list-objects-v2", "--bucket", "acl"]);
    // Object ACLs: a public object, a grant added by PutObjectAcl, another account's object.
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &[
                "put-object",
                "--bucket",
                "acl",
                "--key",
                "pub",
                "--acl",
                "public-read",
            ],
        )),
    );
    ok(
        &server,
        anonymous,
        &strs(&s3api(
            anonymous,
            &["get-object", "--bucket", "acl", "--key", "pub", "/dev/null"],
        )),
    );
    assert_eq!(
        code(
            anonymous,
            &["get-object", "--bucket", "acl", "--key", "k", "/dev/null"]
        ),
        "AccessDenied"
    );
    assert_eq!(
        code(
            team,
            &["get-object", "--bucket", "acl", "--key", "k", "/dev/null"]
        ),
        "AccessDenied"
    );
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &[
                "put-object-acl",
                "--bucket",
                "acl",
                "--key",
                "k",
                "--grant-read",
                &grant_team,
            ],
        )),
    );
    ok(
        &server,
        team,
        &strs(&s3api(
            team,
            &["get-object", "--bucket", "acl", "--key", "k", "/dev/null"],
        )),
    );
    let object_acl = ok_json(root, &["get-object-acl", "--bucket", "acl", "--key", "k"]);
    assert!(
        object_acl["Grants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["Grantee"]["ID"] == team_id.as_str() && g["Permission"] == "READ"),
        "{object_acl}"
    );
    // The other account writes by the bucket's grant and owns what it writes.
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &[
                "put-bucket-acl",
                "--bucket",
                "acl",
                "--grant-write",
                &grant_team,
            ],
        )),
    );
    ok(
        &server,
        team,
        &strs(&s3api(
            team,
            &["put-object", "--bucket", "acl", "--key", "theirs"],
        )),
    );
    let theirs = ok_json(
        team,
        &["get-object-acl", "--bucket", "acl", "--key", "theirs"],
    );
    assert_eq!(theirs["Owner"]["ID"], team_id.as_str(), "{theirs}");
    assert_eq!(
        code(team, &["get-object-acl", "--bucket", "acl", "--key", "k"]),
        "AccessDenied"
    );
    // Its object is its to grant: the bucket owner reads it only once its ACL says so, as
    // on AWS (the reason for `bucket-owner-full-control`); deleting it needs no grant.
    let read_theirs = [
        "get-object",
        "--bucket",
        "acl",
        "--key",
        "theirs",
        "/dev/null",
    ];
    assert_eq!(code(root, &read_theirs), "AccessDenied");
    let root_id = acl["Owner"]["ID"].as_str().unwrap().to_string();
    ok(
        &server,
        team,
        &strs(&s3api(
            team,
            &[
                "put-object-acl",
                "--bucket",
                "acl",
                "--key",
                "theirs",
                "--grant-read",
                &format!("id={root_id}"),
            ],
        )),
    );
    ok(&server, root, &strs(&s3api(root, &read_theirs)));
    ok(
        &server,
        team,
        &strs(&s3api(
            team,
            &["put-object", "--bucket", "acl", "--key", "theirs-too"],
        )),
    );
    ok(
        &server,
        root,
        &strs(&s3api(
            root,
            &["delete-object", "--bucket", "acl", "--key", "theirs-too"],
        )),
    );
    // Grants the server cannot resolve are refused.
    assert_eq!(
        code(
            root,
            &[
                "put-bucket-acl",
                "--bucket",
                "acl",
                "--grant-read",
                "id=0123"
            ]
        ),
        "InvalidArgument"
    );
    assert_eq!(
        code(
            root,
            &[
                "put-bucket-acl",
                "--bucket",
                "acl",
                "--grant-read",
                "emailAddress=a@example.com"
            ]
        ),
        "UnresolvableGrantByEmailAddress"
    );
}

/// `--bucket-defaults legacy` (here by its environment variable): new buckets have no
/// ownership controls and no public access block, so a public canned ACL works at once, as on
/// AWS before April 2023.
#[test]
fn legacy_bucket_defaults_leave_acls_in_force_and_nothing_blocked() {
    let tmp = tempfile::tempdir().unwrap();
    let root_keys = Credentials::new("ROOTLEGACYKEY", "root-legacy-secret-0123456789");
    let root = (root_keys.access_key.as_str(), root_keys.secret_key.as_str());
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .credentials(root_keys.clone())
        .dir(tmp.path().join("server"))
        .env("STRATA_BUCKET_DEFAULTS", "legacy")
        .start();
    ok(
        &server,
        root,
        &[
            "s3api",
            "create-bucket",
            "--bucket",
            "old",
            "--acl",
            "public-read",
        ],
    );
    assert_eq!(
        error_code(
            &server,
            root,
            &["s3api", "get-bucket-ownership-controls", "--bucket", "old"]
        ),
        "OwnershipControlsNotFoundError"
    );
    assert_eq!(
        error_code(
            &server,
            root,
            &["s3api", "get-public-access-block", "--bucket", "old"]
        ),
        "NoSuchPublicAccessBlockConfiguration"
    );
    ok(
        &server,
        root,
        &["s3api", "put-object", "--bucket", "old", "--key", "k"],
    );
    ok(
        &server,
        ("", ""),
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            "old",
            "--no-sign-request",
        ],
    );
    // Anonymous curl too: the bucket's public-read lists, an object without a grant does not read.
    let curl = |path: &str| {
        let out = std::process::Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
            .arg(format!("{}{path}", server.endpoint()))
            .output()
            .expect("run curl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(curl("/old?list-type=2"), "200");
    assert_eq!(curl("/old/k"), "403");
}
