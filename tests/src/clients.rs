//! Setting up real S3 clients against a test server: their config templates, and the one
//! step (creating a bucket) that some of them cannot do themselves.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::Server;
use crate::tools::{required_env, run_ok};

/// This crate's directory, read when the test runs: cargo sets it for every test, while the
/// compile-time value is the path of whichever checkout last built the binary into a shared
/// target directory (a CI clone elsewhere, say). From another package's tests it is that
/// package's directory; the client templates are this crate's, for this crate's tests.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Directory of the client config templates.
pub fn templates_dir() -> PathBuf {
    crate_dir().join("realparts/s3clients")
}

/// Renders a template for `server`, replacing `@PORT@`, `@ACCESS_KEY@`, `@SECRET_KEY@`.
pub fn render_template(name: &str, server: &Server, out: &Path) {
    let text = std::fs::read_to_string(templates_dir().join(name)).expect("read template");
    let text = text
        .replace("@PORT@", &server.port.to_string())
        .replace("@ACCESS_KEY@", &server.credentials.access_key)
        .replace("@SECRET_KEY@", &server.credentials.secret_key);
    std::fs::write(out, text).expect("write rendered template");
}

/// The real aws CLI v2 (`STRATA_AWS`) aimed at `server` with the keys `(access, secret)`,
/// with nothing of the caller's AWS setup (profiles, CA bundles) leaking in; add the
/// command's arguments.
pub fn aws_cli(server: &Server, keys: (&str, &str)) -> Command {
    let mut command = Command::new(required_env("STRATA_AWS"));
    command
        .env("AWS_ACCESS_KEY_ID", keys.0)
        .env("AWS_SECRET_ACCESS_KEY", keys.1)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", templates_dir().join("aws.config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_CA_BUNDLE")
        .env_remove("AWS_PROFILE")
        .args(["--endpoint-url", &server.endpoint()])
        .stdin(std::process::Stdio::null());
    command
}

/// The aws CLI with `server`'s root keys, no retries (a 503 under test is the answer), run
/// with `args`.
pub fn aws_run(server: &Server, args: &[&str]) -> std::process::Output {
    let keys = (
        server.credentials.access_key.as_str(),
        server.credentials.secret_key.as_str(),
    );
    aws_cli(server, keys)
        .env("AWS_MAX_ATTEMPTS", "1")
        .args(args)
        .output()
        .expect("run the aws CLI")
}

/// [`aws_run`] that must succeed; its stdout. A failure shows the CLI's stderr and the
/// server's log.
pub fn aws_ok(server: &Server, args: &[&str]) -> String {
    let out = aws_run(server, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed\n--- stderr\n{}\n--- server log\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_tail()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Creates `bucket` on `server` with the aws CLI (clients such as restic and OpenDAL cannot).
pub fn create_bucket_with_aws_cli(server: &Server, bucket: &str) {
    let keys = (
        server.credentials.access_key.as_str(),
        server.credentials.secret_key.as_str(),
    );
    run_ok(
        aws_cli(server, keys)
            .args(["s3", "mb"])
            .arg(format!("s3://{bucket}")),
    );
}

/// What every [`boto3_ok`] script starts with: `s3`, a boto3 client of the server with its
/// root keys (path style, no retries), `bare`, the same sending no checksum unless told, and
/// `refused(call)`, the `(code, status)` of a call that fails (`None` when it succeeds).
const BOTO3_PRELUDE: &str = r#"
import sys, boto3, botocore
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                  aws_secret_access_key=sys.argv[3], region_name='us-east-1',
                  config=Config(retries={'max_attempts': 1}, s3={'addressing_style': 'path'}))
# The same, sending no checksum unless told (boto3 otherwise adds a CRC32 to every upload).
bare = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                    aws_secret_access_key=sys.argv[3], region_name='us-east-1',
                    config=Config(retries={'max_attempts': 1}, s3={'addressing_style': 'path'},
                                  request_checksum_calculation='when_required',
                                  response_checksum_validation='when_required'))

def refused(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return (e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])
    return None
"#;

/// Runs `script` after [`BOTO3_PRELUDE`] with the tests' boto3 (`STRATA_PYTHON`), as `python
/// -c PROGRAM ENDPOINT ACCESS_KEY SECRET_KEY` with `server`'s root keys and nothing of the
/// caller's AWS setup; the script must print `ok` as its last line. A failure shows its
/// output and the server's log.
pub fn boto3_ok(server: &Server, script: &str) {
    let program = format!("{BOTO3_PRELUDE}\n{script}");
    let out = Command::new(required_env("STRATA_PYTHON"))
        .args([
            "-c",
            &program,
            &server.endpoint(),
            &server.credentials.access_key,
            &server.credentials.secret_key,
        ])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CA_BUNDLE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.lines().last() == Some("ok"),
        "{stdout}\n--- stderr\n{}\n--- server log\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_tail()
    );
}
