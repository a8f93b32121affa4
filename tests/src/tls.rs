//! A self-signed certificate for a test server's HTTPS listener, made with the openssl CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::run_ok;

/// A certificate for `127.0.0.1` and `localhost` and its key, as PEM files.
#[derive(Debug, Clone)]
pub struct SelfSigned {
    /// The certificate; clients trust it as their CA.
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Writes `tls.crt` and `tls.key` into `dir`, valid for two days.
pub fn self_signed(dir: &Path) -> SelfSigned {
    let cert = dir.join("tls.crt");
    let key = dir.join("tls.key");
    run_ok(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert),
    );
    SelfSigned { cert, key }
}
