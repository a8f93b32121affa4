//! A remote tier with no static keys reaches S3 with the pod's workload identity, through
//! OpenDAL's credential chain (reqsign), as EKS gives it:
//!
//! - IRSA: `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` in strata's environment; the
//!   token is exchanged for temporary credentials at STS. reqsign calls
//!   `https://sts.amazonaws.com/` (no endpoint setting exists), so the test gives strata
//!   alone a hosts file (a mount namespace, `unshare`) that puts that name on a loopback
//!   address where nginx (apt) terminates TLS with a certificate of a test CA
//!   (`SSL_CERT_FILE`) in front of moto's STS.
//! - Pod Identity: `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//!   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`; the EKS Pod Identity Agent has no emulator
//!   here, so nginx stands in for it: it answers the documented JSON (`AccessKeyId`,
//!   `SecretAccessKey`, `Token`, `Expiration`) to a request carrying the token, 403 otherwise.
//!
//! The tier's S3 is moto, through an nginx listener that logs each request's credential and
//! session token: every PUT, GET and DELETE strata sends must carry a key the identity
//! issued, with its token. Without the identity's variables the same PUT answers 503.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use strata_tests::{ca_signed, free_port, required_env, CertAndKey, Layout, Server};

#[path = "support/services.rs"]
mod services;
use services::{moto, python, Running};

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/strata-tier";
/// What the pod's projected token would hold; moto's STS does not check it.
const TOKEN: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXBwOnN0cmF0YSJ9.c2ln";
/// The Pod Identity Agent's token (the pod's projected token; the agent checks it).
const AGENT_TOKEN: &str = "pod-identity-token-for-strata";
/// What the agent hands out.
const AGENT_KEY: &str = "ASIAPODIDENTITYTEST01";
const AGENT_SESSION: &str = "pod-identity-session-token";

/// The `server {}` block of nginx standing for STS: TLS on `ip:443` with `tls`, in front of
/// moto; it logs in `dir`.
fn sts_server(dir: &Path, tls: &CertAndKey, ip: &str, moto: u16) -> String {
    let run = dir.display();
    let (cert, key) = (tls.cert.display(), tls.key.display());
    format!(
        r#"
    log_format sts '$request_method $host $status $request_body';
    server {{
        listen {ip}:443 ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        access_log {run}/sts.log sts;
        location / {{
            proxy_pass http://127.0.0.1:{moto};
            proxy_set_header Host $host;
        }}
    }}"#
    )
}

/// The `server {}` block of nginx standing for the EKS Pod Identity Agent on 127.0.0.1:`port`.
fn agent_server(dir: &Path, port: u16) -> String {
    let run = dir.display();
    format!(
        r#"
    log_format agent '$request_method $uri $status $http_authorization';
    server {{
        listen 127.0.0.1:{port};
        access_log {run}/agent.log agent;
        location = /v1/credentials {{
            if ($http_authorization != "{AGENT_TOKEN}") {{ return 403; }}
            default_type application/json;
            alias {run}/credentials.json;
        }}
    }}"#
    )
}

/// nginx with moto's S3 in plain HTTP on 127.0.0.1:`s3_port` and the `servers` blocks.
fn nginx(dir: &Path, s3_port: u16, moto: u16, servers: &str) -> Running {
    let run = dir.display();
    let conf = format!(
        r#"
daemon off;
pid {run}/nginx.pid;
error_log stderr warn;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    client_max_body_size 0;
    log_format s3 '$request_method $uri $status token=$http_x_amz_security_token $http_authorization';
    server {{
        listen 127.0.0.1:{s3_port};
        access_log {run}/s3.log s3;
        location / {{
            proxy_pass http://127.0.0.1:{moto};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_request_buffering off;
            proxy_buffering off;
        }}
    }}
{servers}
}}
"#
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let conf = dir.join("nginx.conf").display().to_string();
    let child = Command::new(required_env("STRATA_NGINX"))
        .args(["-e", "stderr", "-p", &run.to_string(), "-c", &conf])
        .spawn()
        .expect("start nginx");
    let nginx = Running(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", s3_port)).is_err() {
        assert!(Instant::now() < deadline, "nginx did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

/// A launcher that runs strata with `hosts` over `/etc/hosts`, seen by strata alone (a
/// private mount namespace); the harness starts it as it would start strata.
fn strata_with_hosts(dir: &Path, hosts: &Path) -> PathBuf {
    let launcher = dir.join("strata-with-hosts");
    std::fs::write(
        &launcher,
        format!(
            "#!/bin/sh\nexec /usr/bin/unshare --mount --propagation private -- /bin/sh -c \
             '/usr/bin/mount --bind {} /etc/hosts && exec \"$0\" \"$@\"' {} \"$@\"\n",
            hosts.display(),
            env!("CARGO_BIN_EXE_strata"),
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&launcher, std::fs::Permissions::from_mode(0o755)).unwrap();
    launcher
}

/// strata (`binary`) over a keyless S3 tier at 127.0.0.1:`s3_port`, with `env`.
fn strata(binary: PathBuf, dir: &Path, s3_port: u16, env: &[(&str, String)]) -> Server {
    let config = dir.join("strata.toml");
    std::fs::write(
        &config,
        format!(
            "[[tiers]]\nname = \"cloud\"\nstorage_class = \"COLD\"\nservice = \"s3\"\n\
             options = {{ endpoint = \"http://127.0.0.1:{s3_port}\", bucket = \"cold\", \
             region = \"us-east-1\", disable_ec2_metadata = \"true\" }}\n"
        ),
    )
    .unwrap();
    let mut builder = Server::builder()
        .binary(binary)
        .layout(Layout::fast_2x2_bulk_mirror())
        .arg("--config")
        .arg(config.to_str().unwrap())
        .arg("--sse-default")
        .arg("none");
    for (name, value) in env {
        builder = builder.env(name, value);
    }
    builder.start()
}

/// An object written to the tier, read whole and by range, and deleted, through `server`.
const PUT_READ_DELETE: &str = r#"
import os
s3.create_bucket(Bucket='apps')
data = os.urandom(3 * 1024 * 1024 + 17)
s3.put_object(Bucket='apps', Key='k', Body=data, StorageClass='COLD')
assert s3.head_object(Bucket='apps', Key='k')['StorageClass'] == 'COLD'
assert s3.get_object(Bucket='apps', Key='k')['Body'].read() == data
got = s3.get_object(Bucket='apps', Key='k', Range='bytes=1000000-1999999')['Body'].read()
assert got == data[1000000:2000000]
s3.delete_object(Bucket='apps', Key='k')
print('ok')
"#;

/// Python that checks, after [`PUT_READ_DELETE`], that the remote object is gone and that
/// every S3 request nginx logged in `dir` was signed with a key of `issued` (a dict from
/// access key to session token the preceding lines define) and carried its token.
fn signed_with_issued(dir: &Path, moto_port: u16) -> String {
    format!(
        r#"
import time, boto3
moto = 'http://127.0.0.1:{moto_port}'
s3 = boto3.client('s3', endpoint_url=moto, aws_access_key_id='testing', aws_secret_access_key='testing', region_name='us-east-1')
deadline = time.time() + 20
while s3.list_objects_v2(Bucket='cold').get('KeyCount', 0) != 0:
    assert time.time() < deadline, 'the remote object was not deleted'
    time.sleep(0.2)
s3_log = open('{dir}/s3.log').read().splitlines()
methods = set()
for line in s3_log:
    method, uri, status, token, authorization = line.split(' ', 4)
    key = authorization.split('Credential=', 1)[1].split('/', 1)[0]
    assert key in issued, line
    assert token == 'token=' + issued[key], line
    assert status in ('200', '204', '206'), line
    methods.add(method)
assert {{'PUT', 'GET', 'DELETE'}} <= methods, s3_log
print('ok')
"#,
        dir = dir.display()
    )
}

/// The same PUT without the identity's variables: no credentials, so the tier is unavailable.
fn refused_without_identity(dir: &Path, s3_port: u16) {
    let keyless = dir.join("keyless");
    std::fs::create_dir_all(&keyless).unwrap();
    let server = strata(env!("CARGO_BIN_EXE_strata").into(), &keyless, s3_port, &[]);
    strata_tests::boto3_ok(
        &server,
        r#"
from botocore.exceptions import ClientError
s3.create_bucket(Bucket='apps')
try:
    s3.put_object(Bucket='apps', Key='k', Body=b'x', StorageClass='COLD')
    raise SystemExit('a keyless tier took a PUT')
except ClientError as e:
    assert e.response['ResponseMetadata']['HTTPStatusCode'] == 503, e.response
print('ok')
"#,
    );
}

#[test]
fn a_keyless_tier_signs_with_what_sts_issued_for_the_pods_web_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let tls = ca_signed(dir, &["sts.amazonaws.com", "sts.us-east-1.amazonaws.com"]);
    // A loopback address of this test's own, so that port 443 is free on it.
    let n = std::process::id();
    let sts_ip = format!(
        "127.{}.{}.{}",
        10 + n % 200,
        (n >> 8) % 250 + 1,
        n % 250 + 2
    );
    let hosts = dir.join("hosts");
    std::fs::write(
        &hosts,
        format!("127.0.0.1 localhost\n{sts_ip} sts.amazonaws.com sts.us-east-1.amazonaws.com\n"),
    )
    .unwrap();
    let moto_port = free_port();
    let _moto = moto(moto_port);
    let s3_port = free_port();
    let _nginx = nginx(
        dir,
        s3_port,
        moto_port,
        &sts_server(dir, &tls.server, &sts_ip, moto_port),
    );
    std::fs::write(dir.join("token"), TOKEN).unwrap();
    let identity = [
        ("AWS_ROLE_ARN", ROLE_ARN.to_string()),
        (
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            dir.join("token").display().to_string(),
        ),
        ("AWS_ROLE_SESSION_NAME", "strata-tier".to_string()),
        ("SSL_CERT_FILE", tls.ca.display().to_string()),
    ];
    let server = strata(strata_with_hosts(dir, &hosts), dir, s3_port, &identity);
    strata_tests::boto3_ok(&server, PUT_READ_DELETE);
    python(&format!(
        r#"
import json, urllib.request, urllib.parse
# What STS issued, and to whom.
roles = json.loads(urllib.request.urlopen('http://127.0.0.1:{moto_port}/moto-api/data.json').read())['sts']['AssumedRole']
issued = {{r['access_key_id']: r['session_token'] for r in roles}}
assert issued and all(r['role_arn'] == '{ROLE_ARN}' and r['session_name'] == 'strata-tier' for r in roles), roles
# STS was asked over TLS, with the token from the file, for the role.
sts = open('{dir}/sts.log').read().splitlines()
assert sts, 'STS was never called'
for line in sts:
    method, host, status, body = line.split(' ', 3)
    form = urllib.parse.parse_qs(body)
    assert (method, host, status) == ('POST', 'sts.amazonaws.com', '200'), line
    assert form['Action'] == ['AssumeRoleWithWebIdentity'] and form['RoleArn'] == ['{ROLE_ARN}'], form
    assert form['WebIdentityToken'] == ['{TOKEN}'], form
{check}"#,
        dir = dir.display(),
        check = signed_with_issued(dir, moto_port),
    ));
    refused_without_identity(dir, s3_port);
}

#[test]
fn a_keyless_tier_signs_with_what_the_pod_identity_agent_gave() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let moto_port = free_port();
    let _moto = moto(moto_port);
    let (s3_port, agent_port) = (free_port(), free_port());
    let _nginx = nginx(dir, s3_port, moto_port, &agent_server(dir, agent_port));
    std::fs::write(
        dir.join("credentials.json"),
        format!(
            r#"{{"AccessKeyId": "{AGENT_KEY}", "SecretAccessKey": "agent-secret-key",
                "Token": "{AGENT_SESSION}", "AccountId": "123456789012",
                "Expiration": "2099-01-01T00:00:00Z"}}"#
        ),
    )
    .unwrap();
    std::fs::write(dir.join("agent-token"), AGENT_TOKEN).unwrap();
    let identity = [
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("http://127.0.0.1:{agent_port}/v1/credentials"),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            dir.join("agent-token").display().to_string(),
        ),
    ];
    let server = strata(env!("CARGO_BIN_EXE_strata").into(), dir, s3_port, &identity);
    strata_tests::boto3_ok(&server, PUT_READ_DELETE);
    python(&format!(
        r#"
issued = {{'{AGENT_KEY}': '{AGENT_SESSION}'}}
agent = open('{dir}/agent.log').read().splitlines()
assert agent and all(line == 'GET /v1/credentials 200 {AGENT_TOKEN}' for line in agent), agent
{check}"#,
        dir = dir.display(),
        check = signed_with_issued(dir, moto_port),
    ));
    refused_without_identity(dir, s3_port);
}
