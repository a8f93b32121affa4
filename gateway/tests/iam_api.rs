//! The IAM query API end to end: the real `strata` driven by the real aws CLI v2
//! (`STRATA_AWS`, `aws iam --endpoint-url`), unmodified. An account's root makes users, keys
//! and policies; a user's keys then do exactly what its policies allow; what is made
//! survives a restart.

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use strata_tests::{aws_cli, scrape_s3_listener, series_value, Credentials, Server};

const ROOT_KEY: &str = "ROOTIAMKEY";
const ROOT_SECRET: &str = "root-iam-secret-0123456789";
const ROOT: (&str, &str) = (ROOT_KEY, ROOT_SECRET);

const GET_TEAM_OBJECTS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/team/*"}]}"#;

fn start(dir: &Path) -> Server {
    Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .credentials(Credentials::new(ROOT_KEY, ROOT_SECRET))
        .dir(dir.join("server"))
        .start()
}

fn aws(server: &Server, keys: (&str, &str), args: &[&str]) -> Output {
    aws_cli(server, keys)
        .args(args)
        .output()
        .expect("run the aws CLI")
}

/// The JSON a successful call prints (`Null` for calls that print nothing).
fn ok(server: &Server, keys: (&str, &str), args: &[&str]) -> Value {
    let out = aws(server, keys, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("aws {args:?}: {e}: {text}"))
    }
}

/// The error code of a failed call (the CLI prints `... (CODE) when calling ...`).
fn error_code(server: &Server, keys: (&str, &str), args: &[&str]) -> String {
    code_of(&aws(server, keys, args))
}

/// The error code of a failed call's output.
fn code_of(out: &Output) -> String {
    assert!(!out.status.success(), "the call succeeded");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .split_once("error occurred (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(code, _)| code.to_string())
        .unwrap_or_else(|| panic!("no error code in: {stderr}"))
}

fn get_object(key: &str) -> [&str; 7] {
    [
        "s3api",
        "get-object",
        "--bucket",
        "data",
        "--key",
        key,
        "/dev/null",
    ]
}

/// The files under `dir` (all of it, volumes and state) whose bytes contain `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

fn new_key(server: &Server, user: &str) -> (String, String) {
    let v = ok(
        server,
        ROOT,
        &["iam", "create-access-key", "--user-name", user],
    );
    let key = &v["AccessKey"];
    assert_eq!(key["UserName"], user);
    assert_eq!(key["Status"], "Active");
    (
        key["AccessKeyId"].as_str().unwrap().to_string(),
        key["SecretAccessKey"].as_str().unwrap().to_string(),
    )
}

#[test]
fn a_user_does_what_its_policies_allow_and_keeps_it_across_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    ok(
        &server,
        ROOT,
        &["s3api", "create-bucket", "--bucket", "data"],
    );
    for key in ["team/a.txt", "other/b.txt"] {
        ok(
            &server,
            ROOT,
            &["s3api", "put-object", "--bucket", "data", "--key", key],
        );
    }

    let user = ok(
        &server,
        ROOT,
        &[
            "iam",
            "create-user",
            "--user-name",
            "alice",
            "--path",
            "/team/",
        ],
    );
    assert_eq!(user["User"]["UserName"], "alice");
    assert!(user["User"]["Arn"]
        .as_str()
        .unwrap()
        .ends_with(":user/team/alice"));
    assert!(user["User"]["UserId"].as_str().unwrap().starts_with("AIDA"));
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &["iam", "create-user", "--user-name", "alice"]
        ),
        "EntityAlreadyExists"
    );
    let (ak, sk) = new_key(&server, "alice");
    let alice = (ak.as_str(), sk.as_str());

    // No policy: nothing, neither S3 nor IAM.
    assert_eq!(
        error_code(&server, alice, &get_object("team/a.txt")),
        "AccessDenied"
    );
    let denied = |server: &Server| {
        let scrape = scrape_s3_listener(server);
        series_value(
            &scrape,
            r#"strata_iam_policy_denials_total{reason="no_allow"}"#,
        )
        .unwrap_or(0.0)
    };
    let before = denied(&server);
    assert_eq!(
        error_code(&server, alice, &["iam", "list-users"]),
        "AccessDenied"
    );
    // Refused inside the IAM API, and counted there like any policy refusal.
    assert_eq!(denied(&server), before + 1.0);

    // A malformed policy is refused with the parser's reason.
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "put-user-policy",
                "--user-name",
                "alice",
                "--policy-name",
                "bad",
                "--policy-document",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}"#,
            ]
        ),
        "MalformedPolicyDocument"
    );
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "alice",
            "--policy-name",
            "read-team",
            "--policy-document",
            GET_TEAM_OBJECTS,
        ],
    );
    let doc = ok(
        &server,
        ROOT,
        &[
            "iam",
            "get-user-policy",
            "--user-name",
            "alice",
            "--policy-name",
            "read-team",
        ],
    );
    let expected: Value = serde_json::from_str(GET_TEAM_OBJECTS).unwrap();
    assert_eq!(doc["PolicyDocument"], expected);

    // The policy allows GetObject under team/ and nothing else.
    ok(&server, alice, &get_object("team/a.txt"));
    assert_eq!(
        error_code(&server, alice, &get_object("other/b.txt")),
        "AccessDenied"
    );
    assert_eq!(
        error_code(
            &server,
            alice,
            &["s3api", "put-object", "--bucket", "data", "--key", "team/c"]
        ),
        "AccessDenied"
    );
    // IAM needs an iam: allow: none yet, then one for GetUser on herself only.
    assert_eq!(
        error_code(&server, alice, &["iam", "get-user"]),
        "AccessDenied"
    );
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "alice",
            "--policy-name",
            "self",
            "--policy-document",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#,
        ],
    );
    assert_eq!(
        ok(&server, alice, &["iam", "get-user"])["User"]["UserName"],
        "alice"
    );
    ok(&server, ROOT, &["iam", "create-user", "--user-name", "bob"]);
    assert_eq!(
        error_code(&server, alice, &["iam", "get-user", "--user-name", "bob"]),
        "AccessDenied"
    );
    assert_eq!(
        error_code(
            &server,
            alice,
            &["iam", "delete-user", "--user-name", "bob"]
        ),
        "AccessDenied"
    );
    // A user with no policy can do nothing.
    let (bk, bs) = new_key(&server, "bob");
    let bob = (bk.as_str(), bs.as_str());
    assert_eq!(
        error_code(&server, bob, &get_object("team/a.txt")),
        "AccessDenied"
    );
    assert_eq!(
        error_code(&server, bob, &["iam", "get-user"]),
        "AccessDenied"
    );

    // Two keys per user; a third is refused.
    let (ak2, sk2) = new_key(&server, "alice");
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &["iam", "create-access-key", "--user-name", "alice"]
        ),
        "LimitExceeded"
    );
    let listed = ok(
        &server,
        ROOT,
        &["iam", "list-access-keys", "--user-name", "alice"],
    );
    assert_eq!(listed["AccessKeyMetadata"].as_array().unwrap().len(), 2);
    assert!(listed["AccessKeyMetadata"][0]
        .get("SecretAccessKey")
        .is_none());

    // An inactive key is refused as unknown; the other still signs.
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "update-access-key",
            "--user-name",
            "alice",
            "--access-key-id",
            &ak,
            "--status",
            "Inactive",
        ],
    );
    assert_eq!(
        error_code(&server, alice, &get_object("team/a.txt")),
        "InvalidAccessKeyId"
    );
    ok(&server, (&ak2, &sk2), &get_object("team/a.txt"));

    // A user with keys (and policies) cannot be deleted.
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &["iam", "delete-user", "--user-name", "alice"]
        ),
        "DeleteConflict"
    );
    // What strata does not implement says so.
    assert_eq!(
        error_code(&server, ROOT, &["iam", "list-instance-profiles"]),
        "InvalidAction"
    );
    // Listings page as AWS pages them: the CLI follows the markers of pages of two, and
    // its own --max-items resumes from the NextToken it built on them.
    for i in 0..5 {
        ok(
            &server,
            ROOT,
            &["iam", "create-user", "--user-name", &format!("paged-{i}")],
        );
    }
    let user_names = |v: &Value| -> Vec<String> {
        v["Users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["UserName"].as_str().unwrap().to_string())
            .collect()
    };
    let whole = user_names(&ok(&server, ROOT, &["iam", "list-users"]));
    assert!(whole.len() >= 6, "{whole:?}");
    let paged = user_names(&ok(
        &server,
        ROOT,
        &["iam", "list-users", "--page-size", "2"],
    ));
    assert_eq!(paged, whole);
    // One call, as the server answered it: two users, more to come, and where to resume.
    let one_page = |input: String| {
        let args = [
            "iam",
            "list-users",
            "--no-paginate",
            "--cli-input-json",
            &input,
        ];
        ok(&server, ROOT, &args)
    };
    let one = one_page(r#"{"MaxItems":2}"#.to_string());
    assert_eq!(user_names(&one), whole[..2]);
    assert_eq!(one["IsTruncated"], true, "{one}");
    let marker = one["Marker"].as_str().expect("a Marker").to_string();
    let next = one_page(format!(r#"{{"MaxItems":2,"Marker":"{marker}"}}"#));
    assert_eq!(user_names(&next), whole[2..4]);
    let first = ok(&server, ROOT, &["iam", "list-users", "--max-items", "3"]);
    let token = first["NextToken"]
        .as_str()
        .expect("a NextToken")
        .to_string();
    let rest = ok(
        &server,
        ROOT,
        &["iam", "list-users", "--starting-token", &token],
    );
    let mut both = user_names(&first);
    both.extend(user_names(&rest));
    assert_eq!(both, whole);
    assert_eq!(
        error_code(&server, ROOT, &["iam", "list-users", "--page-size", "1001"]),
        "ValidationError"
    );
    for i in 0..5 {
        ok(
            &server,
            ROOT,
            &["iam", "delete-user", "--user-name", &format!("paged-{i}")],
        );
    }
    drop(server);
    // Secret keys are sealed on the volumes: no file holds one in clear.
    for secret in [&sk, &sk2] {
        assert_eq!(
            files_holding(tmp.path(), secret.as_bytes()),
            Vec::<String>::new()
        );
    }

    // A restart keeps users, keys (and their status) and policies.
    let server = start(tmp.path());
    ok(&server, (&ak2, &sk2), &get_object("team/a.txt"));
    assert_eq!(
        error_code(&server, (&ak2, &sk2), &get_object("other/b.txt")),
        "AccessDenied"
    );
    assert_eq!(
        error_code(&server, alice, &get_object("team/a.txt")),
        "InvalidAccessKeyId"
    );
    let users = ok(&server, ROOT, &["iam", "list-users"]);
    let names: Vec<&str> = users["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    let policies = ok(
        &server,
        ROOT,
        &["iam", "list-user-policies", "--user-name", "alice"],
    );
    assert_eq!(
        policies["PolicyNames"],
        serde_json::json!(["read-team", "self"])
    );
}

#[test]
fn managed_policies_groups_roles_and_oidc_providers_follow_aws_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    ok(
        &server,
        ROOT,
        &["s3api", "create-bucket", "--bucket", "data"],
    );
    ok(
        &server,
        ROOT,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "data",
            "--key",
            "team/a.txt",
        ],
    );

    let created = ok(
        &server,
        ROOT,
        &[
            "iam",
            "create-policy",
            "--policy-name",
            "read-team",
            "--description",
            "team objects",
            "--policy-document",
            GET_TEAM_OBJECTS,
        ],
    );
    let arn = created["Policy"]["Arn"].as_str().unwrap().to_string();
    assert!(arn.ends_with(":policy/read-team"), "{arn}");
    assert_eq!(created["Policy"]["DefaultVersionId"], "v1");

    // A user in a group with the policy attached may read.
    ok(
        &server,
        ROOT,
        &["iam", "create-user", "--user-name", "carol"],
    );
    new_group_with(&server, "team", "carol");
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "attach-group-policy",
            "--group-name",
            "team",
            "--policy-arn",
            &arn,
        ],
    );
    let group = ok(&server, ROOT, &["iam", "get-group", "--group-name", "team"]);
    assert_eq!(group["Users"][0]["UserName"], "carol");
    let (ck, cs) = new_key(&server, "carol");
    ok(&server, (&ck, &cs), &get_object("team/a.txt"));
    let entities = ok(
        &server,
        ROOT,
        &["iam", "list-entities-for-policy", "--policy-arn", &arn],
    );
    assert_eq!(entities["PolicyGroups"][0]["GroupName"], "team");
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &["iam", "delete-policy", "--policy-arn", &arn]
        ),
        "DeleteConflict"
    );
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &["iam", "delete-group", "--group-name", "team"]
        ),
        "DeleteConflict"
    );

    // Five versions at most; the default one cannot be deleted.
    for _ in 2..=5 {
        ok(
            &server,
            ROOT,
            &[
                "iam",
                "create-policy-version",
                "--policy-arn",
                &arn,
                "--policy-document",
                GET_TEAM_OBJECTS,
            ],
        );
    }
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "create-policy-version",
                "--policy-arn",
                &arn,
                "--policy-document",
                GET_TEAM_OBJECTS,
            ]
        ),
        "LimitExceeded"
    );
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "delete-policy-version",
                "--policy-arn",
                &arn,
                "--version-id",
                "v1"
            ]
        ),
        "DeleteConflict"
    );
    // Another version becomes the default; then the old default may go.
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "set-default-policy-version",
            "--policy-arn",
            &arn,
            "--version-id",
            "v5",
        ],
    );
    let version = ok(
        &server,
        ROOT,
        &[
            "iam",
            "get-policy-version",
            "--policy-arn",
            &arn,
            "--version-id",
            "v5",
        ],
    );
    assert_eq!(version["PolicyVersion"]["IsDefaultVersion"], true);
    assert_eq!(
        version["PolicyVersion"]["Document"],
        serde_json::from_str::<Value>(GET_TEAM_OBJECTS).unwrap()
    );
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "delete-policy-version",
            "--policy-arn",
            &arn,
            "--version-id",
            "v1",
        ],
    );
    let versions = ok(
        &server,
        ROOT,
        &["iam", "list-policy-versions", "--policy-arn", &arn],
    );
    assert_eq!(versions["Versions"].as_array().unwrap().len(), 4);

    // AWS managed policies do not exist here.
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "attach-user-policy",
                "--user-name",
                "carol",
                "--policy-arn",
                "arn:aws:iam::aws:policy/AdministratorAccess",
            ]
        ),
        "NoSuchEntity"
    );

    // Roles: the trust policy is checked as one (the CLI itself refuses sessions outside 1
    // to 12 hours, so that bound is not reachable from here).
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "create-role",
                "--role-name",
                "reader",
                "--assume-role-policy-document",
                GET_TEAM_OBJECTS,
            ]
        ),
        "MalformedPolicyDocument"
    );
    let role = ok(
        &server,
        ROOT,
        &[
            "iam",
            "create-role",
            "--role-name",
            "reader",
            "--assume-role-policy-document",
            trust,
            "--max-session-duration",
            "7200",
            "--tags",
            "Key=team,Value=a",
        ],
    );
    assert_eq!(role["Role"]["MaxSessionDuration"], 7200);
    assert_eq!(
        role["Role"]["AssumeRolePolicyDocument"],
        serde_json::from_str::<Value>(trust).unwrap()
    );
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "attach-role-policy",
            "--role-name",
            "reader",
            "--policy-arn",
            &arn,
        ],
    );
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &["iam", "delete-role", "--role-name", "reader"]
        ),
        "DeleteConflict"
    );
    let tags = ok(
        &server,
        ROOT,
        &["iam", "list-role-tags", "--role-name", "reader"],
    );
    assert_eq!(tags["Tags"][0]["Key"], "team");
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "detach-role-policy",
            "--role-name",
            "reader",
            "--policy-arn",
            &arn,
        ],
    );
    ok(
        &server,
        ROOT,
        &["iam", "delete-role", "--role-name", "reader"],
    );
    assert_eq!(
        error_code(&server, ROOT, &["iam", "get-role", "--role-name", "reader"]),
        "NoSuchEntity"
    );

    // OpenID Connect providers, named by their URL in their ARN.
    let thumbprint = "0123456789abcdef0123456789abcdef01234567";
    let created = ok(
        &server,
        ROOT,
        &[
            "iam",
            "create-open-id-connect-provider",
            "--url",
            "https://issuer.example.com/tenant",
            "--client-id-list",
            "strata",
            "--thumbprint-list",
            thumbprint,
        ],
    );
    let provider = created["OpenIDConnectProviderArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        provider.ends_with(":oidc-provider/issuer.example.com/tenant"),
        "{provider}"
    );
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "create-open-id-connect-provider",
                "--url",
                "https://issuer.example.com/tenant/",
                "--thumbprint-list",
                thumbprint,
            ]
        ),
        "EntityAlreadyExists"
    );
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "add-client-id-to-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            &provider,
            "--client-id",
            "other",
        ],
    );
    let got = ok(
        &server,
        ROOT,
        &[
            "iam",
            "get-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            &provider,
        ],
    );
    assert_eq!(got["Url"], "issuer.example.com/tenant");
    assert_eq!(got["ClientIDList"], serde_json::json!(["strata", "other"]));
    assert_eq!(got["ThumbprintList"], serde_json::json!([thumbprint]));
    let listed = ok(&server, ROOT, &["iam", "list-open-id-connect-providers"]);
    assert_eq!(
        listed["OpenIDConnectProviderList"][0]["Arn"],
        provider.as_str()
    );
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "delete-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            &provider,
        ],
    );
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "get-open-id-connect-provider",
                "--open-id-connect-provider-arn",
                &provider,
            ]
        ),
        "NoSuchEntity"
    );
}

/// Everything on bucket `data`: a boundary then decides.
const ALL_OF_DATA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}"#;

#[test]
fn boundaries_given_at_creation_hold_and_parameters_strata_lacks_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    ok(
        &server,
        ROOT,
        &["s3api", "create-bucket", "--bucket", "data"],
    );
    let put_team = [
        "s3api",
        "put-object",
        "--bucket",
        "data",
        "--key",
        "team/a.txt",
    ];
    ok(&server, ROOT, &put_team);
    let boundary = create_policy(&server, "read-team", GET_TEAM_OBJECTS);

    let user = ok(
        &server,
        ROOT,
        &[
            "iam",
            "create-user",
            "--user-name",
            "dave",
            "--permissions-boundary",
            &boundary,
        ],
    );
    assert_eq!(
        user["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"],
        boundary.as_str()
    );
    let got = ok(&server, ROOT, &["iam", "get-user", "--user-name", "dave"]);
    assert_eq!(
        got["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"],
        boundary.as_str()
    );
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "dave",
            "--policy-name",
            "all",
            "--policy-document",
            ALL_OF_DATA,
        ],
    );
    let (key, secret) = new_key(&server, "dave");
    let dave = (key.as_str(), secret.as_str());
    ok(&server, dave, &get_object("team/a.txt"));
    assert_eq!(error_code(&server, dave, &put_team), "AccessDenied");

    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let role = ok(
        &server,
        ROOT,
        &[
            "iam",
            "create-role",
            "--role-name",
            "bounded",
            "--assume-role-policy-document",
            trust,
            "--permissions-boundary",
            &boundary,
        ],
    );
    assert_eq!(
        role["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"],
        boundary.as_str()
    );

    let missing = boundary.replace("read-team", "no-such-policy");
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "create-user",
                "--user-name",
                "erin",
                "--permissions-boundary",
                &missing
            ],
        ),
        "NoSuchEntity"
    );
    assert_eq!(
        error_code(&server, ROOT, &["iam", "get-user", "--user-name", "erin"]),
        "NoSuchEntity"
    );
    // Parameters AWS has and strata does not honour are refused, not ignored.
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "list-attached-user-policies",
                "--user-name",
                "dave",
                "--path-prefix",
                "/x/"
            ],
        ),
        "NotImplemented"
    );
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "list-policies",
                "--policy-usage-filter",
                "PermissionsPolicy"
            ],
        ),
        "NotImplemented"
    );
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "get-policy",
                "--policy-arn",
                &boundary.replace("read-team", "tagged")
            ]
        ),
        "NoSuchEntity"
    );
}

/// A new user `name` whose only permissions are one inline policy, `document`; answers
/// its access key.
fn user_with_policy(server: &Server, name: &str, document: &str) -> (String, String) {
    ok(server, ROOT, &["iam", "create-user", "--user-name", name]);
    ok(
        server,
        ROOT,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            name,
            "--policy-name",
            "only",
            "--policy-document",
            document,
        ],
    );
    new_key(server, name)
}

/// A new group `group` with `user` in it.
fn new_group_with(server: &Server, group: &str, user: &str) {
    ok(
        server,
        ROOT,
        &["iam", "create-group", "--group-name", group],
    );
    let add = [
        "iam",
        "add-user-to-group",
        "--user-name",
        user,
        "--group-name",
        group,
    ];
    ok(server, ROOT, &add);
}

/// A managed policy `name` of the root's account holding `document`; answers its ARN.
fn create_policy(server: &Server, name: &str, document: &str) -> String {
    let created = ok(
        server,
        ROOT,
        &[
            "iam",
            "create-policy",
            "--policy-name",
            name,
            "--policy-document",
            document,
        ],
    );
    created["Policy"]["Arn"].as_str().unwrap().to_string()
}

#[test]
fn a_delegated_admin_is_held_to_a_boundary_and_to_the_policies_and_tags_it_may_give() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    let boundary = create_policy(&server, "boundary", GET_TEAM_OBJECTS);
    let reader = create_policy(&server, "reader", GET_TEAM_OBJECTS);
    let other = create_policy(&server, "other", ALL_OF_DATA);
    // The delegate makes users only under the boundary, edits the policies only of users
    // under it, and attaches only `reader`.
    let delegation = format!(
        r#"{{"Version":"2012-10-17","Statement":[
 {{"Effect":"Allow","Action":["iam:CreateUser","iam:PutUserPolicy","iam:AttachUserPolicy"],"Resource":"*","Condition":{{"StringEquals":{{"iam:PermissionsBoundary":"{boundary}"}}}}}},
 {{"Effect":"Deny","Action":"iam:AttachUserPolicy","Resource":"*","Condition":{{"ArnNotEquals":{{"iam:PolicyARN":"{reader}"}}}}}},
 {{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{{"StringEquals":{{"iam:ResourceTag/team":"blue","aws:RequestTag/team":"blue"}},"ForAllValues:StringEquals":{{"aws:TagKeys":["team"]}}}}}}]}}"#
    );
    let (key, secret) = user_with_policy(&server, "delegate", &delegation);
    let delegate = (key.as_str(), secret.as_str());

    let create = |name: &str, boundary: Option<&str>| {
        let mut args = vec![
            "iam",
            "create-user",
            "--user-name",
            name,
            "--tags",
            "Key=team,Value=blue",
        ];
        if let Some(arn) = boundary {
            args.extend(["--permissions-boundary", arn]);
        }
        aws(&server, delegate, &args)
    };
    assert_eq!(code_of(&create("free", None)), "AccessDenied");
    assert_eq!(code_of(&create("free", Some(&other))), "AccessDenied");
    assert_eq!(
        error_code(&server, ROOT, &["iam", "get-user", "--user-name", "free"]),
        "NoSuchEntity"
    );
    let made = create("bounded", Some(&boundary));
    assert!(made.status.success(), "{made:?}");

    let put_policy = |user: &str| {
        let args = [
            "iam",
            "put-user-policy",
            "--user-name",
            user,
            "--policy-name",
            "all",
            "--policy-document",
            ALL_OF_DATA,
        ];
        aws(&server, delegate, &args)
    };
    assert!(put_policy("bounded").status.success());
    ok(
        &server,
        ROOT,
        &["iam", "create-user", "--user-name", "unbounded"],
    );
    assert_eq!(code_of(&put_policy("unbounded")), "AccessDenied");

    let attach = |user: &str, arn: &str| {
        let args = [
            "iam",
            "attach-user-policy",
            "--user-name",
            user,
            "--policy-arn",
            arn,
        ];
        aws(&server, delegate, &args)
    };
    assert!(attach("bounded", &reader).status.success());
    assert_eq!(code_of(&attach("bounded", &other)), "AccessDenied");
    assert_eq!(code_of(&attach("unbounded", &reader)), "AccessDenied");
    // Tags: only on the team's users, only the team's tag, only to its own value.
    let tag = |user: &str, tags: &[&str]| {
        let mut args = vec!["iam", "tag-user", "--user-name", user, "--tags"];
        args.extend_from_slice(tags);
        aws(&server, delegate, &args)
    };
    assert!(tag("bounded", &["Key=team,Value=blue"]).status.success());
    assert_eq!(
        code_of(&tag("bounded", &["Key=team,Value=red"])),
        "AccessDenied"
    );
    assert_eq!(
        code_of(&tag(
            "bounded",
            &["Key=team,Value=blue", "Key=cost,Value=1"]
        )),
        "AccessDenied"
    );
    assert_eq!(
        code_of(&tag("unbounded", &["Key=team,Value=blue"])),
        "AccessDenied"
    );
    // Removing the boundary is not delegated.
    let unbound = [
        "iam",
        "delete-user-permissions-boundary",
        "--user-name",
        "bounded",
    ];
    assert_eq!(error_code(&server, delegate, &unbound), "AccessDenied");
}

#[test]
fn iam_and_sts_decisions_see_the_requests_global_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    // The CLI reaches strata over plain HTTP on loopback.
    let policy = r#"{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"},"StringLike":{"aws:UserAgent":"aws-cli/*"}}},
 {"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}},
 {"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
 {"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}"#;
    let (key, secret) = user_with_policy(&server, "ops", policy);
    let ops = (key.as_str(), secret.as_str());
    let user = ok(&server, ops, &["iam", "get-user", "--user-name", "ops"]);
    assert_eq!(user["User"]["UserName"], "ops");
    assert_eq!(
        error_code(&server, ops, &["iam", "list-users"]),
        "AccessDenied"
    );
    ok(&server, ops, &["iam", "list-groups"]);
    assert_eq!(
        error_code(&server, ops, &["iam", "list-roles"]),
        "AccessDenied"
    );
    ok(
        &server,
        ops,
        &["sts", "get-federation-token", "--name", "visitor"],
    );

    // Trust policies see them too: one role may be assumed from loopback, the other only
    // from a network the caller is not on.
    let user_arn = user["User"]["Arn"].as_str().unwrap();
    for (role, network) in [("near", "127.0.0.0/8"), ("far", "198.51.100.0/24")] {
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{user_arn}"}},"Action":"sts:AssumeRole","Condition":{{"IpAddress":{{"aws:SourceIp":"{network}"}}}}}}]}}"#
        );
        ok(
            &server,
            ROOT,
            &[
                "iam",
                "create-role",
                "--role-name",
                role,
                "--assume-role-policy-document",
                &trust,
            ],
        );
    }
    let assume = |role: &str| {
        let arn = user_arn.replace(":user/ops", &format!(":role/{role}"));
        aws(
            &server,
            ops,
            &[
                "sts",
                "assume-role",
                "--role-arn",
                &arn,
                "--role-session-name",
                "from-here",
            ],
        )
    };
    let near = assume("near");
    assert!(near.status.success(), "{near:?}");
    assert_eq!(code_of(&assume("far")), "AccessDenied");
}

#[test]
fn a_renamed_user_keeps_its_id_keys_groups_and_policies() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    let (key, secret) = user_with_policy(&server, "carol", GET_TEAM_OBJECTS);
    let carol = (key.as_str(), secret.as_str());
    new_group_with(&server, "team", "carol");
    let before = ok(&server, ROOT, &["iam", "get-user", "--user-name", "carol"]);
    ok(&server, ROOT, &["iam", "create-user", "--user-name", "dan"]);
    let update = |args: &[&str]| {
        let mut all = vec!["iam", "update-user", "--user-name"];
        all.extend_from_slice(args);
        aws(&server, ROOT, &all)
    };
    assert_eq!(
        code_of(&update(&["carol", "--new-user-name", "dan"])),
        "EntityAlreadyExists"
    );
    assert_eq!(
        code_of(&update(&["nobody", "--new-path", "/x/"])),
        "NoSuchEntity"
    );
    assert_eq!(
        code_of(&update(&["carol", "--new-path", "x"])),
        "ValidationError"
    );
    let renamed = update(&[
        "carol",
        "--new-user-name",
        "caroline",
        "--new-path",
        "/ops/",
    ]);
    assert!(renamed.status.success(), "{renamed:?}");

    assert_eq!(
        error_code(&server, ROOT, &["iam", "get-user", "--user-name", "carol"]),
        "NoSuchEntity"
    );
    let after = ok(
        &server,
        ROOT,
        &["iam", "get-user", "--user-name", "caroline"],
    );
    assert_eq!(after["User"]["UserId"], before["User"]["UserId"]);
    assert_eq!(after["User"]["Path"], "/ops/");
    // Its key signs as the new name, and its policies and group went with it.
    let me = ok(&server, carol, &["sts", "get-caller-identity"]);
    assert!(
        me["Arn"].as_str().unwrap().ends_with(":user/ops/caroline"),
        "{me}"
    );
    let keys = ok(
        &server,
        ROOT,
        &["iam", "list-access-keys", "--user-name", "caroline"],
    );
    assert_eq!(keys["AccessKeyMetadata"][0]["AccessKeyId"], key.as_str());
    assert_eq!(keys["AccessKeyMetadata"][0]["UserName"], "caroline");
    let groups = ok(
        &server,
        ROOT,
        &["iam", "list-groups-for-user", "--user-name", "caroline"],
    );
    assert_eq!(groups["Groups"][0]["GroupName"], "team");
    let policies = ok(
        &server,
        ROOT,
        &["iam", "list-user-policies", "--user-name", "caroline"],
    );
    assert_eq!(policies["PolicyNames"], serde_json::json!(["only"]));
}

#[test]
fn managed_policies_carry_tags_that_conditions_see() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    let created = ok(
        &server,
        ROOT,
        &[
            "iam",
            "create-policy",
            "--policy-name",
            "tagged",
            "--policy-document",
            GET_TEAM_OBJECTS,
            "--tags",
            "Key=team,Value=blue",
        ],
    );
    assert_eq!(
        created["Policy"]["Tags"],
        serde_json::json!([{"Key": "team", "Value": "blue"}])
    );
    let arn = created["Policy"]["Arn"].as_str().unwrap().to_string();
    let tags_of = |server: &Server| {
        let listed = ok(
            server,
            ROOT,
            &["iam", "list-policy-tags", "--policy-arn", &arn],
        );
        listed["Tags"].clone()
    };
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "tag-policy",
            "--policy-arn",
            &arn,
            "--tags",
            "Key=cost,Value=1",
            "Key=team,Value=red",
        ],
    );
    assert_eq!(
        tags_of(&server),
        serde_json::json!([{"Key": "cost", "Value": "1"}, {"Key": "team", "Value": "red"}]),
        "listed by key"
    );
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "untag-policy",
            "--policy-arn",
            &arn,
            "--tag-keys",
            "cost",
        ],
    );
    let got = ok(&server, ROOT, &["iam", "get-policy", "--policy-arn", &arn]);
    assert_eq!(
        got["Policy"]["Tags"],
        serde_json::json!([{"Key": "team", "Value": "red"}])
    );

    // A delegate may read only the red team's policies, and tag only with its own team.
    let delegate = r#"{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iam:GetPolicy","Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/team":"red"}}},
 {"Effect":"Allow","Action":"iam:TagPolicy","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}]}"#;
    let (key, secret) = user_with_policy(&server, "delegate", delegate);
    let keys = (key.as_str(), secret.as_str());
    ok(&server, keys, &["iam", "get-policy", "--policy-arn", &arn]);
    let blue = create_policy(&server, "blue", GET_TEAM_OBJECTS);
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "tag-policy",
            "--policy-arn",
            &blue,
            "--tags",
            "Key=team,Value=blue",
        ],
    );
    assert_eq!(
        error_code(&server, keys, &["iam", "get-policy", "--policy-arn", &blue]),
        "AccessDenied"
    );
    let tag = |value: &str| {
        let tags = format!("Key=team,Value={value}");
        aws(
            &server,
            keys,
            &["iam", "tag-policy", "--policy-arn", &arn, "--tags", &tags],
        )
    };
    assert_eq!(code_of(&tag("green")), "AccessDenied");
    assert!(tag("red").status.success());

    // Tags survive a restart.
    drop(server);
    let server = start(tmp.path());
    assert_eq!(
        tags_of(&server),
        serde_json::json!([{"Key": "team", "Value": "red"}])
    );
}

#[test]
fn account_authorization_details_list_every_entity_with_its_policies_page_by_page() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path());
    let json = |text: &str| serde_json::from_str::<Value>(text).unwrap();
    let (key, secret) = user_with_policy(&server, "alice", GET_TEAM_OBJECTS);
    new_group_with(&server, "team", "alice");
    let readers = create_policy(&server, "readers", GET_TEAM_OBJECTS);
    ok(
        &server,
        ROOT,
        &[
            "iam",
            "create-policy-version",
            "--policy-arn",
            &readers,
            "--policy-document",
            ALL_OF_DATA,
            "--set-as-default",
        ],
    );
    let attach = [
        "iam",
        "attach-group-policy",
        "--group-name",
        "team",
        "--policy-arn",
        &readers,
    ];
    ok(&server, ROOT, &attach);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let create_role = [
        "iam",
        "create-role",
        "--role-name",
        "app",
        "--assume-role-policy-document",
        trust,
        "--permissions-boundary",
        &readers,
        "--tags",
        "Key=team,Value=a",
    ];
    ok(&server, ROOT, &create_role);
    let put_role_policy = [
        "iam",
        "put-role-policy",
        "--role-name",
        "app",
        "--policy-name",
        "data",
        "--policy-document",
        ALL_OF_DATA,
    ];
    ok(&server, ROOT, &put_role_policy);

    let all = ok(&server, ROOT, &["iam", "get-account-authorization-details"]);
    let users = all["UserDetailList"].as_array().unwrap();
    assert_eq!(users.len(), 1, "{all}");
    assert_eq!(users[0]["UserName"], "alice");
    assert_eq!(users[0]["GroupList"], serde_json::json!(["team"]));
    assert_eq!(users[0]["UserPolicyList"][0]["PolicyName"], "only");
    assert_eq!(
        users[0]["UserPolicyList"][0]["PolicyDocument"],
        json(GET_TEAM_OBJECTS)
    );
    let groups = all["GroupDetailList"].as_array().unwrap();
    assert_eq!(groups[0]["GroupName"], "team");
    assert_eq!(
        groups[0]["AttachedManagedPolicies"][0]["PolicyArn"],
        readers.as_str()
    );
    let roles = all["RoleDetailList"].as_array().unwrap();
    assert_eq!(roles[0]["RoleName"], "app");
    assert_eq!(roles[0]["AssumeRolePolicyDocument"], json(trust));
    assert_eq!(
        roles[0]["RolePolicyList"][0]["PolicyDocument"],
        json(ALL_OF_DATA)
    );
    assert_eq!(
        roles[0]["PermissionsBoundary"]["PermissionsBoundaryArn"],
        readers.as_str()
    );
    assert_eq!(roles[0]["Tags"][0]["Key"], "team");
    assert_eq!(roles[0]["InstanceProfileList"], serde_json::json!([]));
    let policies = all["Policies"].as_array().unwrap();
    assert_eq!(policies[0]["Arn"], readers.as_str());
    assert_eq!(policies[0]["AttachmentCount"], 1);
    assert_eq!(policies[0]["PermissionsBoundaryUsageCount"], 1);
    assert_eq!(policies[0]["DefaultVersionId"], "v2");
    let versions = policies[0]["PolicyVersionList"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    let v2 = versions.iter().find(|v| v["VersionId"] == "v2").unwrap();
    assert_eq!(v2["IsDefaultVersion"], true);
    assert_eq!(v2["Document"], json(ALL_OF_DATA));
    // No secret of any kind is listed.
    let text = all.to_string();
    assert!(!text.contains(&secret) && !text.contains(&key), "{text}");

    // One entity a page (the CLI follows each page's Marker): the same listing.
    let paged = ok(
        &server,
        ROOT,
        &[
            "iam",
            "get-account-authorization-details",
            "--page-size",
            "1",
        ],
    );
    assert_eq!(paged, all);
    // Filters pick kinds; strata has no AWS managed policy.
    let only_roles = ok(
        &server,
        ROOT,
        &[
            "iam",
            "get-account-authorization-details",
            "--filter",
            "Role",
        ],
    );
    assert_eq!(only_roles["RoleDetailList"], all["RoleDetailList"]);
    for list in ["UserDetailList", "GroupDetailList", "Policies"] {
        assert_eq!(only_roles[list], serde_json::json!([]), "{list}");
    }
    let aws_managed = ok(
        &server,
        ROOT,
        &[
            "iam",
            "get-account-authorization-details",
            "--filter",
            "AWSManagedPolicy",
        ],
    );
    assert_eq!(aws_managed["Policies"], serde_json::json!([]));
    assert_eq!(
        error_code(
            &server,
            ROOT,
            &[
                "iam",
                "get-account-authorization-details",
                "--filter",
                "Users"
            ]
        ),
        "ValidationError"
    );
    // A user needs iam:GetAccountAuthorizationDetails on "*".
    let alice = (key.as_str(), secret.as_str());
    assert_eq!(
        error_code(
            &server,
            alice,
            &["iam", "get-account-authorization-details"]
        ),
        "AccessDenied"
    );
    let (auditor_key, auditor_secret) = user_with_policy(
        &server,
        "auditor",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccountAuthorizationDetails","Resource":"*"}]}"#,
    );
    let seen = ok(
        &server,
        (auditor_key.as_str(), auditor_secret.as_str()),
        &[
            "iam",
            "get-account-authorization-details",
            "--filter",
            "User",
        ],
    );
    let names: Vec<&Value> = seen["UserDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["UserName"])
        .collect();
    assert_eq!(names, ["alice", "auditor"]);
}
