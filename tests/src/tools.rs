//! What an end-to-end test needs from its surroundings (environment variables, tools on PATH)
//! and running those tools. Anything missing is a failure, never a skip.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// An environment variable that must be set (by `tests/realparts/install.sh` / the runner).
pub fn required_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: run `bash tests/realparts/install.sh; source ~/.cache/strata-tools/env.sh` \
             and set STRATA_BIN (tests/run-all.sh does both)"
        ),
    }
}

/// Path of a tool on PATH; panics when it is missing.
pub fn required_tool(name: &str) -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    for dir in path.split(':') {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p.display().to_string();
        }
    }
    panic!("{name} is not on PATH: run `bash tests/realparts/install.sh`");
}

/// Runs a command, panics with its output unless it exits 0; returns the output.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "command failed ({}): {cmd:?}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// Runs a command and returns stdout as a string, panicking unless it exits 0.
pub fn run_stdout(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&run_ok(cmd).stdout).into_owned()
}
