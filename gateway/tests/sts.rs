//! STS end to end: the real `strata` with roles declared in its config file, driven by the
//! real aws CLI v2 (`STRATA_AWS`) and boto3 (`STRATA_PYTHON`), and web-identity tokens
//! minted by the real panva `oidc-provider` (`STRATA_OIDC_SERVER`, `STRATA_NODE`; all from
//! `tests/realparts/install.sh` and `env.sh`). Without those tools these tests fail: they
//! are never skipped.
//!
//! The root account's id is made at the first start, and trust policies name it; so each
//! test starts strata once to learn it, then again with the roles declared.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use strata_tests::{aws_cli, Credentials, Server};

#[path = "support/admin_cli.rs"]
mod admin_cli;
use admin_cli::{admin, admin_as, assert_failed_with, json_of};

#[path = "support/oidc.rs"]
mod oidc;
use oidc::OidcProvider;

const ROOT_KEY: &str = "STSROOTKEY";
const ROOT_SECRET: &str = "sts-root-secret-0123456789";
const CLIENT: &str = "system:serviceaccount:demo:app";

fn root() -> (&'static str, &'static str) {
    (ROOT_KEY, ROOT_SECRET)
}

fn start(dir: &Path, config: Option<&str>) -> Server {
    start_with(dir, config, &[])
}

/// [`start`] with more environment (`STRATA_*` settings).
fn start_with(dir: &Path, config: Option<&str>, env: &[(&str, &str)]) -> Server {
    let mut builder = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .credentials(Credentials::new(ROOT_KEY, ROOT_SECRET))
        .dir(dir.join("server"));
    for (name, value) in env {
        builder = builder.env(name, value);
    }
    if let Some(text) = config {
        let path = dir.join("strata.toml");
        std::fs::write(&path, text).unwrap();
        builder = builder.env("STRATA_CONFIG", path.to_str().unwrap());
    }
    builder.start()
}

/// The aws CLI with static keys (and a session token, for temporary ones).
fn aws(server: &Server, keys: &Keys, args: &[&str]) -> Output {
    let mut command = aws_cli(server, (&keys.0, &keys.1));
    if let Some(token) = &keys.2 {
        command.env("AWS_SESSION_TOKEN", token);
    }
    command.args(args).output().expect("run the aws CLI")
}

/// Access key, secret, session token.
#[derive(Clone)]
struct Keys(String, String, Option<String>);

fn root_keys() -> Keys {
    Keys(root().0.into(), root().1.into(), None)
}

fn ok(server: &Server, keys: &Keys, args: &[&str]) -> String {
    let out = aws(server, keys, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed\n--- stderr\n{}\n--- server\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_tail()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The error code the CLI prints (`An error occurred (CODE) when calling ...`).
fn code_of(out: &Output) -> String {
    assert!(!out.status.success(), "the call succeeded");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .split_once("error occurred (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(code, _)| code.to_string())
        .unwrap_or_else(|| panic!("no error code in: {stderr}"))
}

fn error_code(server: &Server, keys: &Keys, args: &[&str]) -> String {
    code_of(&aws(server, keys, args))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The root account's id, from a first start.
fn root_account_id(dir: &Path) -> String {
    let server = start(dir, None);
    let me = json(&ok(&server, &root_keys(), &["sts", "get-caller-identity"]));
    assert_eq!(
        me["Arn"],
        format!("arn:aws:iam::{}:root", me["Account"].as_str().unwrap())
    );
    assert_eq!(me["UserId"], me["Account"]);
    me["Account"].as_str().unwrap().to_string()
}

const READ_DATA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}"#;

/// Bucket `data` with `hello.txt` ("hello"), made by the root; answers the body file.
fn data_with_hello(server: &Server, dir: &Path) -> String {
    let root = root_keys();
    ok(
        server,
        &root,
        &["s3api", "create-bucket", "--bucket", "data"],
    );
    let body = dir.join("body.txt");
    std::fs::write(&body, "hello").unwrap();
    let body = body.to_str().unwrap().to_string();
    let out = put_to_data(server, &root, "hello.txt", &body);
    assert!(out.status.success(), "{out:?}");
    body
}

/// strata without roles, with bucket `data` as [`data_with_hello`] makes it: the server,
/// the root account's id and the body file.
fn started_with_data(dir: &Path) -> (Server, String, String) {
    let server = start(dir, None);
    let me = json(&ok(&server, &root_keys(), &["sts", "get-caller-identity"]));
    let account = me["Account"].as_str().unwrap().to_string();
    let body = data_with_hello(&server, dir);
    (server, account, body)
}

/// `data/blue/x` and `data/red/x`, made by the root from `body`.
fn put_team_folders(server: &Server, body: &str) {
    for key in ["blue/x", "red/x"] {
        let out = put_to_data(server, &root_keys(), key, body);
        assert!(out.status.success(), "{out:?}");
    }
}

/// GetObject of `data/KEY` signed with `keys`, written into `dir`.
fn get_from_data(server: &Server, keys: &Keys, key: &str, dir: &Path) -> Output {
    let out = dir.join("out.txt");
    let get = [
        "s3api",
        "get-object",
        "--bucket",
        "data",
        "--key",
        key,
        out.to_str().unwrap(),
    ];
    aws(server, keys, &get)
}

/// PutObject of `data/KEY` from the file `body`, signed with `keys`.
fn put_to_data(server: &Server, keys: &Keys, key: &str, body: &str) -> Output {
    let put = [
        "s3api",
        "put-object",
        "--bucket",
        "data",
        "--key",
        key,
        "--body",
        body,
    ];
    aws(server, keys, &put)
}

/// A trust policy that lets `account`'s root (and whom it allows) assume the role.
fn trusting_root(account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

/// Role `name` made through `aws iam` with `trust` and the inline `policy`; answers its ARN.
fn create_role(server: &Server, name: &str, trust: &str, policy: &str) -> String {
    let role = [
        "iam",
        "create-role",
        "--role-name",
        name,
        "--assume-role-policy-document",
        trust,
    ];
    let made = json(&ok(server, &root_keys(), &role));
    let inline = [
        "iam",
        "put-role-policy",
        "--role-name",
        name,
        "--policy-name",
        "own",
        "--policy-document",
        policy,
    ];
    ok(server, &root_keys(), &inline);
    made["Role"]["Arn"].as_str().unwrap().to_string()
}

/// The root's session of `role_arn`, named `session`.
fn root_assumes(server: &Server, role_arn: &str, session: &str) -> Keys {
    let args = [
        "sts",
        "assume-role",
        "--role-arn",
        role_arn,
        "--role-session-name",
        session,
    ];
    session_keys(&ok(server, &root_keys(), &args))
}

fn session_keys(reply: &str) -> Keys {
    let v = json(reply);
    let c = &v["Credentials"];
    Keys(
        c["AccessKeyId"].as_str().unwrap().into(),
        c["SecretAccessKey"].as_str().unwrap().into(),
        Some(c["SessionToken"].as_str().unwrap().into()),
    )
}

#[test]
fn assumed_role_sessions_do_what_the_role_allows_and_no_more() {
    let tmp = tempfile::tempdir().unwrap();
    let account = root_account_id(tmp.path());
    let trust = tmp.path().join("trust.json");
    std::fs::write(
        &trust,
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#),
    )
    .unwrap();
    let policy = tmp.path().join("read.json");
    std::fs::write(&policy, READ_DATA).unwrap();
    let nobody = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}"#;
    let config = format!(
        "[[roles]]\nname = \"reader\"\ntrust_policy_file = \"{}\"\npolicy_file = \"{}\"\nmax_session_secs = 7200\n\n\
         [[roles]]\nname = \"untrusting\"\ntrust_policy = '{nobody}'\npolicy_file = \"{}\"\n",
        trust.display(),
        policy.display(),
        policy.display()
    );
    let server = start(tmp.path(), Some(&config));
    let root = root_keys();
    let body = data_with_hello(&server, tmp.path());
    let body = body.as_str();
    let role_arn = format!("arn:aws:iam::{account}:role/reader");

    let reply = ok(
        &server,
        &root,
        &[
            "sts",
            "assume-role",
            "--role-arn",
            &role_arn,
            "--role-session-name",
            "cli",
            "--duration-seconds",
            "900",
        ],
    );
    let v = json(&reply);
    let session_arn = format!("arn:aws:sts::{account}:assumed-role/reader/cli");
    assert_eq!(v["AssumedRoleUser"]["Arn"], session_arn);
    assert!(v["AssumedRoleUser"]["AssumedRoleId"]
        .as_str()
        .unwrap()
        .ends_with(":cli"));
    let session = session_keys(&reply);
    assert!(session.0.starts_with("ASIA"), "{}", session.0);

    // The session is the role: it reads, lists, and may not write.
    let me = json(&ok(&server, &session, &["sts", "get-caller-identity"]));
    assert_eq!(me["Arn"], session_arn);
    assert_eq!(me["Account"], account.as_str());
    let out = tmp.path().join("out.txt");
    let out = out.to_str().unwrap();
    ok(
        &server,
        &session,
        &[
            "s3api",
            "get-object",
            "--bucket",
            "data",
            "--key",
            "hello.txt",
            out,
        ],
    );
    assert_eq!(std::fs::read_to_string(out).unwrap(), "hello");
    ok(
        &server,
        &session,
        &["s3api", "list-objects-v2", "--bucket", "data"],
    );
    assert_eq!(
        code_of(&put_to_data(&server, &session, "new.txt", body)),
        "AccessDenied"
    );
    assert_eq!(
        error_code(
            &server,
            &session,
            &["s3api", "create-bucket", "--bucket", "other"]
        ),
        "AccessDenied"
    );

    // A session policy narrows it further: listing only.
    let list_only = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
    let narrow = session_keys(&ok(
        &server,
        &root,
        &[
            "sts",
            "assume-role",
            "--role-arn",
            &role_arn,
            "--role-session-name",
            "narrow",
            "--policy",
            list_only,
        ],
    ));
    ok(
        &server,
        &narrow,
        &["s3api", "list-objects-v2", "--bucket", "data"],
    );
    assert_eq!(
        error_code(
            &server,
            &narrow,
            &[
                "s3api",
                "get-object",
                "--bucket",
                "data",
                "--key",
                "hello.txt",
                out
            ],
        ),
        "AccessDenied"
    );

    // A token that was tampered with, or belongs to another session, is refused.
    let token = session.2.clone().unwrap();
    let mut bytes = token.into_bytes();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered = Keys(
        session.0.clone(),
        session.1.clone(),
        Some(String::from_utf8(bytes).unwrap()),
    );
    assert_eq!(
        error_code(
            &server,
            &tampered,
            &["s3api", "list-objects-v2", "--bucket", "data"]
        ),
        "InvalidToken"
    );
    let swapped = Keys(session.0.clone(), session.1.clone(), narrow.2.clone());
    assert_eq!(
        error_code(
            &server,
            &swapped,
            &["s3api", "list-objects-v2", "--bucket", "data"]
        ),
        "InvalidToken"
    );

    // Refusals in STS's own terms.
    let assume = |arn: &str, extra: &[&str]| {
        let mut args = vec![
            "sts",
            "assume-role",
            "--role-arn",
            arn,
            "--role-session-name",
            "x1",
        ];
        args.extend_from_slice(extra);
        error_code(&server, &root, &args)
    };
    assert_eq!(
        assume(&format!("arn:aws:iam::{account}:role/untrusting"), &[]),
        "AccessDenied"
    );
    assert_eq!(
        assume(&format!("arn:aws:iam::{account}:role/missing"), &[]),
        "AccessDenied"
    );
    assert_eq!(
        assume(&role_arn, &["--duration-seconds", "7201"]),
        "ValidationError"
    );
    assert_eq!(
        assume(&role_arn, &["--policy", "{not json"]),
        "MalformedPolicyDocument"
    );

    // Sessions outlive a restart: the sealing key is stored with the identities.
    drop(server);
    let server = start(tmp.path(), Some(&config));
    let me = json(&ok(&server, &session, &["sts", "get-caller-identity"]));
    assert_eq!(me["Arn"], session_arn);
}

/// What the pod runs: read `data/k`, then say who it is.
const POD_SCRIPT: &str = "
import sys, boto3, botocore.config
s3 = boto3.client('s3', config=botocore.config.Config(s3={'addressing_style': 'path'}))
sys.stdout.write(s3.get_object(Bucket='data', Key='k')['Body'].read().decode() + '\\n')
print(boto3.client('sts').get_caller_identity()['Arn'])
";

/// An unsigned-looking JWT with `header` and `claims` (signature of junk).
fn forged(header: &str, claims: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode([7u8; 64])
    )
}

#[test]
fn web_identity_tokens_of_a_configured_issuer_become_role_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let account = root_account_id(tmp.path());
    let idp = OidcProvider::start("strata");
    // A second provider that mints tokens for another audience, configured for `strata`.
    let other = OidcProvider::start("someone-else");
    let host = idp.host();
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{account}:oidc-provider/{host}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{host}:sub":"{CLIENT}","{host}:aud":"strata"}}}}}}]}}"#
    );
    let wrong_sub = trust.replace(CLIENT, "system:serviceaccount:demo:other");
    let config = format!(
        "[[roles]]\nname = \"pod\"\ntrust_policy = '{trust}'\npolicy = '{READ_DATA}'\n\n\
         [[roles]]\nname = \"other-pod\"\ntrust_policy = '{wrong_sub}'\npolicy = '{READ_DATA}'\n\n\
         [[sts.providers]]\nissuer = \"{}\"\naudiences = [\"strata\"]\n\n\
         [[sts.providers]]\nissuer = \"{}\"\naudiences = [\"strata\"]\n",
        idp.issuer, other.issuer
    );
    let server = start(tmp.path(), Some(&config));
    let root = root_keys();
    ok(
        &server,
        &root,
        &["s3api", "create-bucket", "--bucket", "data"],
    );
    let body = tmp.path().join("body.txt");
    std::fs::write(&body, "from the pod").unwrap();
    ok(
        &server,
        &root,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "data",
            "--key",
            "k",
            "--body",
            body.to_str().unwrap(),
        ],
    );
    let role_arn = format!("arn:aws:iam::{account}:role/pod");

    // A pod: boto3's own web-identity credential provider (token file, role ARN and
    // `AWS_ENDPOINT_URL`, which the aws CLI v2 installed here predates) calls
    // AssumeRoleWithWebIdentity on strata, then signs S3 and STS calls with the session.
    let token_file = tmp.path().join("token");
    std::fs::write(&token_file, idp.token()).unwrap();
    let python = std::env::var("STRATA_PYTHON").unwrap_or_else(|_| {
        panic!("STRATA_PYTHON is not set: this test needs boto3 from tests/realparts/install.sh")
    });
    let pod = Command::new(&python)
        .args(["-c", POD_SCRIPT])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file)
        .env("AWS_ROLE_ARN", &role_arn)
        .env("AWS_ROLE_SESSION_NAME", "pod-1")
        .env("AWS_ENDPOINT_URL", server.endpoint())
        .output()
        .unwrap();
    assert!(
        pod.status.success(),
        "{}\n--- server\n{}",
        String::from_utf8_lossy(&pod.stderr),
        server.log_tail()
    );
    assert_eq!(
        String::from_utf8_lossy(&pod.stdout),
        format!("from the pod\narn:aws:sts::{account}:assumed-role/pod/pod-1\n")
    );

    // The call itself, unsigned, as the CLI makes it.
    let assume = |role: &str, token: &str| {
        aws_cli(&server, ("unused", "unused"))
            .args([
                "sts",
                "assume-role-with-web-identity",
                "--role-arn",
                role,
                "--role-session-name",
                "pod-2",
                "--web-identity-token",
                token,
            ])
            .output()
            .unwrap()
    };
    let reply = assume(&role_arn, &idp.token());
    assert!(
        reply.status.success(),
        "{}",
        String::from_utf8_lossy(&reply.stderr)
    );
    let v = json(&String::from_utf8_lossy(&reply.stdout));
    assert_eq!(v["SubjectFromWebIdentityToken"], CLIENT);
    assert_eq!(v["Audience"], "strata");
    assert_eq!(v["Provider"], host);
    assert!(v["Credentials"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("ASIA"));

    // The trust policy's conditions bind: another service account's role refuses it.
    let other_role = format!("arn:aws:iam::{account}:role/other-pod");
    assert_eq!(code_of(&assume(&other_role, &idp.token())), "AccessDenied");
    // Wrong audience, unknown issuer, `alg: none`: InvalidIdentityToken.
    assert_eq!(
        code_of(&assume(&role_arn, &other.token())),
        "InvalidIdentityToken"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = |iss: &str| {
        format!(
            r#"{{"iss":"{iss}","sub":"{CLIENT}","aud":"strata","iat":{now},"exp":{}}}"#,
            now + 600
        )
    };
    let unknown = forged(
        r#"{"alg":"RS256","kid":"x"}"#,
        &claims("https://unknown.example"),
    );
    assert_eq!(
        code_of(&assume(&role_arn, &unknown)),
        "InvalidIdentityToken"
    );
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(claims(&idp.issuer))
    );
    assert_eq!(code_of(&assume(&role_arn, &none)), "InvalidIdentityToken");
}

/// Alice's own policy: read and write `data`, and make federated users named `app-*`.
const ALICE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]},{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::*:federated-user/app-*"}]}"#;

/// A federated user's session policy: reading only.
const GET_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

#[test]
fn session_and_federation_tokens_act_within_the_callers_own_permissions() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, account, body) = started_with_data(tmp.path());
    let root = root_keys();
    let body = body.as_str();
    let put = |keys: &Keys, key: &str| put_to_data(&server, keys, key, body);
    let get = |keys: &Keys| get_from_data(&server, keys, "hello.txt", tmp.path());
    ok(
        &server,
        &root,
        &["iam", "create-user", "--user-name", "alice"],
    );
    ok(
        &server,
        &root,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "alice",
            "--policy-name",
            "own",
            "--policy-document",
            ALICE,
        ],
    );
    let created = json(&ok(
        &server,
        &root,
        &["iam", "create-access-key", "--user-name", "alice"],
    ));
    let alice = Keys(
        created["AccessKey"]["AccessKeyId"].as_str().unwrap().into(),
        created["AccessKey"]["SecretAccessKey"]
            .as_str()
            .unwrap()
            .into(),
        None,
    );
    let alice_arn = format!("arn:aws:iam::{account}:user/alice");

    // GetSessionToken: alice herself, for a while; no IAM, no MFA.
    let reply = ok(
        &server,
        &alice,
        &["sts", "get-session-token", "--duration-seconds", "900"],
    );
    let session = session_keys(&reply);
    assert!(session.0.starts_with("ASIA"), "{reply}");
    let me = json(&ok(&server, &session, &["sts", "get-caller-identity"]));
    assert_eq!(me["Arn"], alice_arn.as_str());
    assert!(get(&session).status.success());
    assert!(put(&session, "from-session.txt").status.success());
    assert_eq!(
        error_code(&server, &session, &["iam", "list-users"]),
        "InvalidClientTokenId"
    );
    assert_eq!(
        error_code(&server, &session, &["sts", "get-session-token"]),
        "AccessDenied"
    );
    assert_eq!(
        error_code(
            &server,
            &alice,
            &[
                "sts",
                "get-session-token",
                "--serial-number",
                "arn:aws:iam::123456789012:mfa/alice",
                "--token-code",
                "123456"
            ],
        ),
        "NotImplemented"
    );

    // GetFederationToken: a federated user with alice's permissions cut to reading.
    let reply = ok(
        &server,
        &alice,
        &[
            "sts",
            "get-federation-token",
            "--name",
            "app-1",
            "--policy",
            GET_ONLY,
            "--tags",
            "Key=team,Value=blue",
        ],
    );
    let federated_arn = format!("arn:aws:sts::{account}:federated-user/app-1");
    let v = json(&reply);
    assert_eq!(v["FederatedUser"]["Arn"], federated_arn.as_str());
    assert_eq!(
        v["FederatedUser"]["FederatedUserId"],
        format!("{account}:app-1").as_str()
    );
    let app = session_keys(&reply);
    let me = json(&ok(&server, &app, &["sts", "get-caller-identity"]));
    assert_eq!(me["Arn"], federated_arn.as_str());
    assert!(get(&app).status.success());
    assert_eq!(code_of(&put(&app, "from-app.txt")), "AccessDenied");
    assert_eq!(
        error_code(&server, &app, &["iam", "list-users"]),
        "AccessDenied"
    );
    // Names alice's policy does not cover, and a role session's tags, are refused.
    assert_eq!(
        error_code(
            &server,
            &alice,
            &[
                "sts",
                "get-federation-token",
                "--name",
                "other",
                "--policy",
                GET_ONLY
            ]
        ),
        "AccessDenied"
    );
}

#[test]
fn managed_session_policies_cap_role_and_federated_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, account, body) = started_with_data(tmp.path());
    let root = root_keys();
    let put = |keys: &Keys| put_to_data(&server, keys, "new.txt", &body);
    let get = |keys: &Keys| get_from_data(&server, keys, "hello.txt", tmp.path());
    let role_arn = create_role(&server, "writer", &trusting_root(&account), ALICE);
    let created = json(&ok(
        &server,
        &root,
        &[
            "iam",
            "create-policy",
            "--policy-name",
            "get-only",
            "--policy-document",
            GET_ONLY,
        ],
    ));
    let policy_arn = created["Policy"]["Arn"].as_str().unwrap().to_string();
    let given = format!("arn={policy_arn}");
    let assume = |arns: &str| {
        let args = [
            "sts",
            "assume-role",
            "--role-arn",
            &role_arn,
            "--role-session-name",
            "s1",
            "--policy-arns",
            arns,
        ];
        aws(&server, &root, &args)
    };

    // The role may write; its session given the managed policy only reads.
    let reply = assume(&given);
    assert!(reply.status.success(), "{reply:?}");
    let reply = String::from_utf8_lossy(&reply.stdout).into_owned();
    assert!(
        json(&reply)["PackedPolicySize"].as_u64().unwrap() > 0,
        "{reply}"
    );
    let session = session_keys(&reply);
    assert!(get(&session).status.success());
    assert_eq!(code_of(&put(&session)), "AccessDenied");

    // A federated user given the ARN alone reads too, and no more.
    let federated = [
        "sts",
        "get-federation-token",
        "--name",
        "app-1",
        "--policy-arns",
        &given,
    ];
    let app = session_keys(&ok(&server, &root, &federated));
    assert!(get(&app).status.success());
    assert_eq!(code_of(&put(&app)), "AccessDenied");

    // A policy that is not the account's is refused, and so is an AWS managed one.
    for arns in [
        format!("arn=arn:aws:iam::{account}:policy/none"),
        "arn=arn:aws:iam::aws:policy/ReadOnlyAccess".to_string(),
    ] {
        assert_eq!(code_of(&assume(&arns)), "MalformedPolicyDocument", "{arns}");
    }

    // Issued sessions follow the policy's version in force: now writing, not reading.
    let write_only = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#;
    let version = [
        "iam",
        "create-policy-version",
        "--policy-arn",
        &policy_arn,
        "--policy-document",
        write_only,
        "--set-as-default",
    ];
    ok(&server, &root, &version);
    assert_eq!(code_of(&get(&session)), "AccessDenied");
    assert!(put(&session).status.success());
}

/// The key id a session token was sealed with (`sts/FORMAT.md`: its second byte).
fn sealing_key_id(keys: &Keys) -> u8 {
    let token = keys.2.as_deref().expect("a session token");
    URL_SAFE_NO_PAD.decode(token).expect("base64url")[1]
}

#[test]
fn rotated_session_keys_seal_new_tokens_and_old_tokens_open_until_they_expire() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, account, _body) = started_with_data(tmp.path());
    let role_arn = create_role(&server, "reader", &trusting_root(&account), READ_DATA);
    let assume = |server: &Server| root_assumes(server, &role_arn, "s1");
    let reads = |server: &Server, keys: &Keys| {
        get_from_data(server, keys, "hello.txt", tmp.path())
            .status
            .success()
    };
    let before = assume(&server);
    assert_eq!(sealing_key_id(&before), 1);
    let listed = json_of(&admin(&server, &["session-keys", "list"]));
    assert_eq!(listed["current"], 1, "{listed}");
    assert_eq!(listed["keys"].as_array().unwrap().len(), 1, "{listed}");

    let rotated = json_of(&admin(&server, &["session-keys", "rotate"]));
    assert_eq!(rotated["current"], 2, "{rotated}");
    assert_eq!(rotated["retired"], serde_json::json!([]), "{rotated}");
    let old = &rotated["keys"][0];
    assert_eq!(
        (old["id"].as_u64(), old["current"].as_bool()),
        (Some(1), Some(false))
    );
    assert!(old["retires_at"].is_string(), "{rotated}");
    let after = assume(&server);
    assert_eq!(sealing_key_id(&after), 2);
    assert!(reads(&server, &before) && reads(&server, &after));

    // Only an admin rotates: a user without a policy for it is refused.
    ok(
        &server,
        &root_keys(),
        &["iam", "create-user", "--user-name", "bob"],
    );
    let created = json(&ok(
        &server,
        &root_keys(),
        &["iam", "create-access-key", "--user-name", "bob"],
    ));
    let bob = (
        created["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        created["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
    );
    assert_failed_with(
        &admin_as(&server, Some(bob), &["session-keys", "rotate"]),
        "AccessDenied",
    );

    // After a restart both keys still open, and the newest seals.
    drop(server);
    let server = start(tmp.path(), None);
    assert!(reads(&server, &before) && reads(&server, &after));
    assert_eq!(sealing_key_id(&assume(&server)), 2);
}

#[test]
fn the_session_key_rotates_on_its_schedule_and_tokens_of_the_old_key_still_open() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start_with(tmp.path(), None, &[("STRATA_SESSION_KEY_ROTATION", "2s")]);
    let me = json(&ok(&server, &root_keys(), &["sts", "get-caller-identity"]));
    let account = me["Account"].as_str().unwrap().to_string();
    data_with_hello(&server, tmp.path());
    let role_arn = create_role(&server, "reader", &trusting_root(&account), READ_DATA);
    let assume = || root_assumes(&server, &role_arn, "scheduled");
    let before = assume();
    let first = sealing_key_id(&before);
    // The key is checked every second (a quarter of the period, at least a second) and
    // replaced once it is 2 s old: a token sealed by another key comes within seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    let after = loop {
        let keys = assume();
        if sealing_key_id(&keys) != first {
            break keys;
        }
        assert!(
            Instant::now() < deadline,
            "no scheduled rotation in 30 s: {}",
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    for keys in [&before, &after] {
        let read = get_from_data(&server, keys, "hello.txt", tmp.path());
        assert!(read.status.success(), "{read:?}");
    }
    let listed = json_of(&admin(&server, &["session-keys", "list"]));
    assert!(listed["keys"].as_array().unwrap().len() >= 2, "{listed}");
}

#[test]
fn session_tags_and_source_identity_reach_the_role_sessions_policies() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, account, body) = started_with_data(tmp.path());
    let root = root_keys();
    put_team_folders(&server, &body);
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}}]}}"#
    );
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/${aws:PrincipalTag/team}/*","Condition":{"StringLike":{"aws:SourceIdentity":"*@example.com"}}}]}"#;
    ok(
        &server,
        &root,
        &[
            "iam",
            "create-role",
            "--role-name",
            "team",
            "--assume-role-policy-document",
            &trust,
        ],
    );
    ok(
        &server,
        &root,
        &[
            "iam",
            "put-role-policy",
            "--role-name",
            "team",
            "--policy-name",
            "folders",
            "--policy-document",
            policy,
        ],
    );
    let role_arn = format!("arn:aws:iam::{account}:role/team");
    let assume_args = |extra: &[&'static str]| {
        let mut args = vec![
            "sts".to_string(),
            "assume-role".into(),
            "--role-arn".into(),
            role_arn.clone(),
            "--role-session-name".into(),
            "s1".into(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    };
    let assume = |extra: &[&'static str]| {
        let args = assume_args(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        session_keys(&ok(&server, &root, &args))
    };
    let get = |keys: &Keys, key: &str| get_from_data(&server, keys, key, tmp.path());
    let blue = assume(&[
        "--tags",
        "Key=team,Value=blue",
        "--transitive-tag-keys",
        "team",
        "--source-identity",
        "alice@example.com",
    ]);
    assert!(get(&blue, "blue/x").status.success());
    assert_eq!(code_of(&get(&blue, "red/x")), "AccessDenied");
    // Without a source identity the condition fails; without the tag the folder is none.
    let untold = assume(&["--tags", "Key=team,Value=blue"]);
    assert_eq!(code_of(&get(&untold, "blue/x")), "AccessDenied");
    let untagged = assume(&["--source-identity", "alice@example.com"]);
    assert_eq!(code_of(&get(&untagged, "blue/x")), "AccessDenied");
    // Tags share the packed limit with the session policies: twenty tags with 200-character
    // values are past it, and the session is refused rather than issued.
    let mut args = assume_args(&["--tags"]);
    args.extend((0..20).map(|i| format!("Key=k{i:02},Value={}", "v".repeat(200))));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(code_of(&aws(&server, &root, &args)), "PackedPolicyTooLarge");
}

#[test]
fn web_identity_tokens_carry_their_session_tags_and_source_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let account = root_account_id(tmp.path());
    let idp = OidcProvider::start("strata");
    let host = idp.host();
    let trust = |actions: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{account}:oidc-provider/{host}"}},"Action":{actions},"Condition":{{"StringEquals":{{"{host}:aud":"strata"}}}}}}]}}"#
        )
    };
    let tagging =
        trust(r#"["sts:AssumeRoleWithWebIdentity","sts:TagSession","sts:SetSourceIdentity"]"#);
    let plain = trust(r#""sts:AssumeRoleWithWebIdentity""#);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/${aws:PrincipalTag/team}/*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice@example.com"}}}]}"#;
    let config = format!(
        "[[roles]]\nname = \"tagging\"\ntrust_policy = '{tagging}'\npolicy = '{policy}'\n\n\
         [[roles]]\nname = \"plain\"\ntrust_policy = '{plain}'\npolicy = '{policy}'\n\n\
         [[sts.providers]]\nissuer = \"{}\"\naudiences = [\"strata\"]\n",
        idp.issuer
    );
    let server = start(tmp.path(), Some(&config));
    let body = data_with_hello(&server, tmp.path());
    put_team_folders(&server, &body);
    let assume = |role: &str, token: &str| {
        aws_cli(&server, ("unused", "unused"))
            .args([
                "sts",
                "assume-role-with-web-identity",
                "--role-arn",
                &format!("arn:aws:iam::{account}:role/{role}"),
                "--role-session-name",
                "pod",
                "--web-identity-token",
                token,
            ])
            .output()
            .unwrap()
    };
    let get = |keys: &Keys, key: &str| get_from_data(&server, keys, key, tmp.path());
    let session = |reply: Output| {
        assert!(
            reply.status.success(),
            "{}",
            String::from_utf8_lossy(&reply.stderr)
        );
        session_keys(&String::from_utf8_lossy(&reply.stdout))
    };

    // The tagged token's session is team=blue with source identity alice@example.com.
    let tagged = session(assume("tagging", &idp.token_for("tagged")));
    assert!(get(&tagged, "blue/x").status.success());
    assert_eq!(code_of(&get(&tagged, "red/x")), "AccessDenied");
    // A role whose trust does not allow tagging refuses the tagged token.
    assert_eq!(
        code_of(&assume("plain", &idp.token_for("tagged"))),
        "AccessDenied"
    );
    // A token without the claims makes a session without tags: no folder is its own.
    let untagged = session(assume("tagging", &idp.token_for("app")));
    assert_eq!(code_of(&get(&untagged, "blue/x")), "AccessDenied");
}
