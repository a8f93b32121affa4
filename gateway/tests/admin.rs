//! The admin API end to end: the real `strata`, called with curl's own SigV4 signer
//! (`curl --aws-sigv4`), users and roles made with the real aws CLI v2 (`STRATA_AWS`), and
//! the identity metrics scraped from the metrics listener.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use strata_tests::{aws_cli, free_port, required_tool, scrape, series_value, Credentials, Server};

const ROOT_KEY: &str = "ROOTADMINKEY";
const ROOT_SECRET: &str = "root-admin-secret-0123456789";

/// SHA-256 of an empty body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Access key, secret, session token.
#[derive(Clone)]
struct Keys(String, String, Option<String>);

fn root() -> Keys {
    Keys(ROOT_KEY.into(), ROOT_SECRET.into(), None)
}

fn start(dir: &Path) -> (Server, String) {
    let port = free_port();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .credentials(Credentials::new(ROOT_KEY, ROOT_SECRET))
        .dir(dir.join("server"))
        .arg("--metrics-listen")
        .arg(&format!("127.0.0.1:{port}"))
        .start();
    (server, format!("127.0.0.1:{port}"))
}

/// What curl got: the status and the body.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn code(&self) -> String {
        let start = self.body.find("<Code>").map(|i| i + "<Code>".len());
        let end = self.body.find("</Code>");
        match (start, end) {
            (Some(s), Some(e)) => self.body[s..e].to_string(),
            _ => panic!("no error code in: {}", self.body),
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// `method path` on the server with curl, signed by `keys` (SigV4, service `s3`) or unsigned.
fn curl(server: &Server, keys: Option<&Keys>, method: &str, path: &str) -> Answer {
    let mut command = Command::new(required_tool("curl"));
    command
        .args(["--silent", "--show-error", "--max-time", "20"])
        .args(["--write-out", "\n%{http_code}", "-X", method]);
    if let Some(Keys(access, secret, token)) = keys {
        // S3's SigV4 needs `x-amz-content-sha256`, which curl does not add: the empty body's.
        command
            .args(["--aws-sigv4", "aws:amz:us-east-1:s3", "--user"])
            .arg(format!("{access}:{secret}"))
            .args(["-H", &format!("x-amz-content-sha256: {EMPTY_SHA256}")]);
        if let Some(token) = token {
            command
                .arg("-H")
                .arg(format!("x-amz-security-token: {token}"));
        }
    }
    command.arg(format!("{}{path}", server.endpoint()));
    let out = command.output().expect("run curl");
    assert!(
        out.status.success(),
        "curl {method} {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("curl printed the status");
    Answer {
        status: status.parse().expect("a status"),
        body: body.to_string(),
    }
}

fn aws(server: &Server, keys: &Keys, args: &[&str]) -> Output {
    let mut command = aws_cli(server, (&keys.0, &keys.1));
    if let Some(token) = &keys.2 {
        command.env("AWS_SESSION_TOKEN", token);
    }
    command.args(args).output().expect("run the aws CLI")
}

fn ok(server: &Server, keys: &Keys, args: &[&str]) -> Value {
    let out = aws(server, keys, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed\n--- stderr\n{}\n--- server\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_tail()
    );
    let text = String::from_utf8_lossy(&out.stdout);
    if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("aws {args:?}: {e}: {text}"))
    }
}

/// A user with the inline policy `policy` (if any) and an access key.
fn user(server: &Server, name: &str, policy: Option<&str>) -> Keys {
    ok(
        server,
        &root(),
        &["iam", "create-user", "--user-name", name],
    );
    if let Some(policy) = policy {
        ok(
            server,
            &root(),
            &[
                "iam",
                "put-user-policy",
                "--user-name",
                name,
                "--policy-name",
                "admin",
                "--policy-document",
                policy,
            ],
        );
    }
    let v = ok(
        server,
        &root(),
        &["iam", "create-access-key", "--user-name", name],
    );
    let key = &v["AccessKey"];
    Keys(
        key["AccessKeyId"].as_str().unwrap().into(),
        key["SecretAccessKey"].as_str().unwrap().into(),
        None,
    )
}

/// The value of the series written exactly as `series`, or 0 when it is absent.
fn value(exposition: &str, series: &str) -> f64 {
    series_value(exposition, series).unwrap_or(0.0)
}

/// Scrapes until every `(series, value)` reads as expected (a request is counted just after
/// its answer is out), then asserts them.
fn assert_series(metrics: &str, expected: &[(&str, f64)]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = scrape(metrics);
        let all = expected.iter().all(|(s, want)| value(&text, s) == *want);
        if all || Instant::now() > deadline {
            for (series, want) in expected {
                assert_eq!(value(&text, series), *want, "{series} in\n{text}");
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

const GET_STATUS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"strata:GetStatus","Resource":"arn:aws:strata:::admin"}]}"#;
const ALL_BUT_SHUTDOWN: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"strata:*","Resource":"*"},{"Effect":"Deny","Action":"strata:Shutdown","Resource":"*"}]}"#;

#[test]
fn the_admin_api_answers_each_caller_as_its_policies_allow_and_root_shuts_down() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut server, metrics) = start(tmp.path());
    let viewer = user(&server, "viewer", Some(GET_STATUS));
    let careful = user(&server, "careful", Some(ALL_BUT_SHUTDOWN));
    let nobody = user(&server, "nobody", None);

    // Root: the status report, from what the store says.
    let status = curl(&server, Some(&root()), "GET", "/strata/admin/status");
    assert_eq!(status.status, 200, "{}", status.body);
    let v = status.json();
    assert_eq!(v["ready"], true);
    assert!(v["version"].as_str().is_some_and(|s| !s.is_empty()));
    let class = &v["classes"][0];
    assert_eq!(class["volumes_online"], class["volumes_total"]);
    assert!(class["write_quorum"].as_u64().unwrap() >= 1);
    assert_eq!(
        class["volumes"].as_array().unwrap().len() as u64,
        class["volumes_total"].as_u64().unwrap()
    );

    // A user granted strata:GetStatus reads the status, and may not shut down.
    assert_eq!(
        curl(&server, Some(&viewer), "GET", "/strata/admin/status").status,
        200
    );
    let refused = curl(&server, Some(&viewer), "POST", "/strata/admin/shutdown");
    assert_eq!(
        (refused.status, refused.code()),
        (403, "AccessDenied".into())
    );
    assert!(refused.body.contains("strata:Shutdown"), "{}", refused.body);
    // strata:* with a Deny of Shutdown: the Deny wins.
    assert_eq!(
        curl(&server, Some(&careful), "GET", "/strata/admin/status").status,
        200
    );
    let refused = curl(&server, Some(&careful), "POST", "/strata/admin/shutdown");
    assert_eq!(
        (refused.status, refused.code()),
        (403, "AccessDenied".into())
    );
    // A user with no policy can do nothing.
    for (method, path) in [
        ("GET", "/strata/admin/status"),
        ("POST", "/strata/admin/shutdown"),
    ] {
        let refused = curl(&server, Some(&nobody), method, path);
        assert_eq!(
            (refused.status, refused.code()),
            (403, "AccessDenied".into())
        );
    }
    // Unsigned: AccessDenied, never a quiet success; a wrong secret: the SigV4 error.
    let unsigned = curl(&server, None, "POST", "/strata/admin/shutdown");
    assert_eq!(
        (unsigned.status, unsigned.code()),
        (403, "AccessDenied".into())
    );
    let forged = Keys(ROOT_KEY.into(), "not-the-secret".into(), None);
    let forged = curl(&server, Some(&forged), "POST", "/strata/admin/shutdown");
    assert_eq!(
        (forged.status, forged.code()),
        (403, "SignatureDoesNotMatch".into())
    );
    // Unknown paths and wrong methods.
    let missing = curl(&server, Some(&root()), "GET", "/strata/admin/repair");
    assert_eq!((missing.status, missing.code()), (404, "NoSuchKey".into()));
    let wrong = curl(&server, Some(&root()), "GET", "/strata/admin/shutdown");
    assert_eq!(
        (wrong.status, wrong.code()),
        (405, "MethodNotAllowed".into())
    );
    // A heal names its object; a parameter the call does not take is refused, not ignored.
    let unnamed = curl(
        &server,
        Some(&root()),
        "POST",
        "/strata/admin/heal?bucket=b",
    );
    assert_eq!(
        (unnamed.status, unnamed.code()),
        (400, "InvalidArgument".into())
    );
    let extra = curl(
        &server,
        Some(&root()),
        "POST",
        "/strata/admin/scan?depth=deep",
    );
    assert_eq!(
        (extra.status, extra.code()),
        (400, "InvalidArgument".into())
    );
    let bad = curl(
        &server,
        Some(&root()),
        "POST",
        "/strata/admin/scan?deep=yes",
    );
    assert_eq!((bad.status, bad.code()), (400, "InvalidArgument".into()));
    let refused = curl(&server, Some(&viewer), "POST", "/strata/admin/scan");
    assert_eq!(
        (refused.status, refused.code()),
        (403, "AccessDenied".into())
    );
    assert_eq!(server.try_wait(), None, "the server stopped early");

    // Every refusal counted by the layer that refused; the calls counted like any request.
    assert_series(
        &metrics,
        &[
            (r#"strata_iam_policy_denials_total{reason="no_allow"}"#, 4.0),
            (
                r#"strata_iam_policy_denials_total{reason="explicit_deny"}"#,
                1.0,
            ),
            (
                r#"strata_iam_policy_denials_total{reason="anonymous"}"#,
                1.0,
            ),
            (
                r#"strata_s3_requests_total{op="AdminGetStatus",status_class="2xx"}"#,
                3.0,
            ),
            (
                r#"strata_s3_requests_total{op="AdminShutdown",status_class="4xx"}"#,
                5.0,
            ),
            (
                r#"strata_s3_requests_total{op="AdminStartScan",status_class="4xx"}"#,
                3.0,
            ),
            (
                r#"strata_s3_requests_total{op="AdminHealObject",status_class="4xx"}"#,
                1.0,
            ),
            (
                r#"strata_auth_failures_total{stage="authenticate",reason="SignatureDoesNotMatch"}"#,
                1.0,
            ),
        ],
    );

    // Root shuts the server down: 202, then the process exits 0.
    let bye = curl(&server, Some(&root()), "POST", "/strata/admin/shutdown");
    assert_eq!(bye.status, 202, "{}", bye.body);
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(status) = server.try_wait() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after shutdown");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}\n{}", server.log_tail());
}

#[test]
fn role_sessions_use_the_admin_api_as_their_policies_allow_and_sts_is_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, metrics) = start(tmp.path());
    let me = ok(&server, &root(), &["sts", "get-caller-identity"]);
    let account = me["Account"].as_str().unwrap().to_string();
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    ok(
        &server,
        &root(),
        &[
            "iam",
            "create-role",
            "--role-name",
            "ops",
            "--assume-role-policy-document",
            &trust,
        ],
    );
    ok(
        &server,
        &root(),
        &[
            "iam",
            "put-role-policy",
            "--role-name",
            "ops",
            "--policy-name",
            "status",
            "--policy-document",
            GET_STATUS,
        ],
    );
    let role_arn = format!("arn:aws:iam::{account}:role/ops");
    let assume = |extra: &[&str]| {
        let mut args = vec![
            "sts",
            "assume-role",
            "--role-arn",
            &role_arn,
            "--role-session-name",
            "admin-test",
        ];
        args.extend_from_slice(extra);
        let v = ok(&server, &root(), &args);
        let c = &v["Credentials"];
        Keys(
            c["AccessKeyId"].as_str().unwrap().into(),
            c["SecretAccessKey"].as_str().unwrap().into(),
            Some(c["SessionToken"].as_str().unwrap().into()),
        )
    };
    // A session of the role: the status with its session token; no shutdown.
    let session = assume(&[]);
    let status = curl(&server, Some(&session), "GET", "/strata/admin/status");
    assert_eq!(status.status, 200, "{}", status.body);
    let refused = curl(&server, Some(&session), "POST", "/strata/admin/shutdown");
    assert_eq!(
        (refused.status, refused.code()),
        (403, "AccessDenied".into())
    );
    // A session policy that leaves strata:GetStatus out caps the role.
    let capped = assume(&[
        "--policy",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    ]);
    let refused = curl(&server, Some(&capped), "GET", "/strata/admin/status");
    assert_eq!(
        (refused.status, refused.code()),
        (403, "AccessDenied".into())
    );
    // A role that does not exist: refused by STS, counted as such.
    let out = aws(
        &server,
        &root(),
        &[
            "sts",
            "assume-role",
            "--role-arn",
            &format!("arn:aws:iam::{account}:role/none"),
            "--role-session-name",
            "nobody-here",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("(AccessDenied)"),
        "{stderr}"
    );
    assert_series(
        &metrics,
        &[
            (
                r#"strata_sts_credentials_issued_total{api="AssumeRole"}"#,
                2.0,
            ),
            (
                r#"strata_sts_requests_total{api="AssumeRole",outcome="success"}"#,
                2.0,
            ),
            (
                r#"strata_sts_requests_total{api="AssumeRole",outcome="AccessDenied"}"#,
                1.0,
            ),
            (
                r#"strata_sts_requests_total{api="GetCallerIdentity",outcome="success"}"#,
                1.0,
            ),
            (
                r#"strata_sts_credentials_issued_total{api="GetCallerIdentity"}"#,
                0.0,
            ),
            (r#"strata_iam_policy_denials_total{reason="no_allow"}"#, 1.0),
            (
                r#"strata_iam_policy_denials_total{reason="session_policy"}"#,
                1.0,
            ),
        ],
    );
}
