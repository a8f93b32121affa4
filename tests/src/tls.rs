//! Certificates for tests' TLS listeners, made with the openssl CLI: a self-signed one for a
//! server on loopback, or one signed by a test CA for a name a client is led to (a hosts
//! file), trusted through the CA.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::run_ok;

/// A certificate and its key, as PEM files.
#[derive(Debug, Clone)]
pub struct CertAndKey {
    /// The certificate (clients of a self-signed one trust it as their CA).
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A certificate signed by a test CA.
#[derive(Debug, Clone)]
pub struct CaSigned {
    /// The CA's certificate: what clients trust.
    pub ca: PathBuf,
    /// The server's certificate and key.
    pub server: CertAndKey,
}

/// A new RSA key at `key` and a self-signed certificate for it at `cert`, for `subject`,
/// valid for two days; `extra` adds openssl arguments.
fn new_self_signed(subject: &str, extra: &[&str], key: &Path, cert: &Path) {
    run_ok(
        Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", subject])
            .args(extra)
            .arg("-keyout")
            .arg(key)
            .arg("-out")
            .arg(cert),
    );
}

/// Writes `tls.crt` and `tls.key` into `dir`: a self-signed certificate for `127.0.0.1` and
/// `localhost`.
pub fn self_signed(dir: &Path) -> CertAndKey {
    let cert = dir.join("tls.crt");
    let key = dir.join("tls.key");
    new_self_signed(
        "/CN=127.0.0.1",
        &["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        &key,
        &cert,
    );
    CertAndKey { cert, key }
}

/// Writes a test CA (`ca.crt`) and a certificate it signed for the DNS `names`
/// (`server.crt`, `server.key`) into `dir`, valid for two days.
pub fn ca_signed(dir: &Path, names: &[&str]) -> CaSigned {
    let ca = dir.join("ca.crt");
    let ca_key = dir.join("ca.key");
    new_self_signed("/CN=strata test CA", &[], &ca_key, &ca);
    let key = dir.join("server.key");
    let csr = dir.join("server.csr");
    let cert = dir.join("server.crt");
    let first = format!("/CN={}", names.first().copied().unwrap_or("localhost"));
    run_ok(
        Command::new("openssl")
            .args(["req", "-newkey", "rsa:2048", "-nodes", "-subj", &first])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&csr),
    );
    let alt: Vec<String> = names.iter().map(|n| format!("DNS:{n}")).collect();
    let ext = dir.join("server.ext");
    std::fs::write(&ext, format!("subjectAltName={}\n", alt.join(","))).expect("write server.ext");
    run_ok(
        Command::new("openssl")
            .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
            .arg("-in")
            .arg(&csr)
            .arg("-CA")
            .arg(&ca)
            .arg("-CAkey")
            .arg(&ca_key)
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(&cert),
    );
    CaSigned {
        ca,
        server: CertAndKey { cert, key },
    }
}
