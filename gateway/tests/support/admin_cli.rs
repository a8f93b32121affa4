//! Running `strata admin` (the real binary's command-line client) against a test server.
#![allow(dead_code)]

use std::process::Output;

use serde_json::Value;
use strata_tests::Server;

/// `strata admin ARGS` against `server`, with its root keys.
pub fn admin(server: &Server, args: &[&str]) -> Output {
    let keys = (
        server.credentials.access_key.as_str(),
        server.credentials.secret_key.as_str(),
    );
    admin_as(server, Some(keys), args)
}

/// `strata admin ARGS` against `server` with `keys` (access key, secret), or none.
pub fn admin_as(server: &Server, keys: Option<(&str, &str)>, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_strata"));
    command
        .arg("admin")
        .arg("--endpoint")
        .arg(server.endpoint())
        .args(args)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN");
    if let Some((access_key, secret)) = keys {
        command
            .env("AWS_ACCESS_KEY_ID", access_key)
            .env("AWS_SECRET_ACCESS_KEY", secret);
    }
    command.output().expect("run strata admin")
}

/// That `out` is a failure whose stderr says `text`.
pub fn assert_failed_with(out: &Output, text: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains(text), "{stderr}");
}

/// The JSON `strata admin` printed.
pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "strata admin printed no JSON ({e})\n--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
