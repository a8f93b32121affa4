//! The HTTPS listener's certificate replaced the way cert-manager and the kubelet do it for a
//! mounted Secret: a new timestamped directory, then one atomic rename of the `..data`
//! symlink that `tls.crt` and `tls.key` point through. The next handshakes get the new
//! certificate, without a restart, and requests keep being served throughout.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use strata_tests::{required_env, run_stdout, self_signed, Layout, Server};

/// The certificate the listener on `port` serves, as PEM text of its DER (Python's `ssl`).
fn served(port: u16) -> String {
    let script =
        format!("import ssl; print(ssl.get_server_certificate(('127.0.0.1', {port})).strip())");
    run_stdout(Command::new(required_env("STRATA_PYTHON")).args(["-c", &script]))
        .trim()
        .to_string()
}

/// The certificate in a PEM file, normalized as `served` prints it.
fn pem_of(path: &Path) -> String {
    let script = format!(
        "import ssl; der = ssl.PEM_cert_to_DER_cert(open({:?}).read()); print(ssl.DER_cert_to_PEM_cert(der).strip())",
        path.display().to_string()
    );
    run_stdout(Command::new(required_env("STRATA_PYTHON")).args(["-c", &script]))
        .trim()
        .to_string()
}

/// Writes a kubelet-style Secret volume version `name` holding a fresh certificate.
fn secret_version(secret: &Path, name: &str) -> std::path::PathBuf {
    let dir = secret.join(name);
    std::fs::create_dir_all(&dir).expect("version dir");
    let made = self_signed(&dir);
    assert!(made.cert.ends_with("tls.crt") && made.key.ends_with("tls.key"));
    dir.join("tls.crt")
}

#[test]
fn a_secret_swapped_by_symlink_is_served_on_the_next_handshake() {
    let secret_dir = tempfile::tempdir().expect("secret");
    let secret = secret_dir.path();
    let first = secret_version(secret, "..2026_12_05_01_00_00.000000001");
    symlink("..2026_12_05_01_00_00.000000001", secret.join("..data")).expect("..data");
    symlink("..data/tls.crt", secret.join("tls.crt")).expect("tls.crt");
    symlink("..data/tls.key", secret.join("tls.key")).expect("tls.key");

    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .tls()
        .env(
            "STRATA_TLS_CERT",
            &secret.join("tls.crt").display().to_string(),
        )
        .env(
            "STRATA_TLS_KEY",
            &secret.join("tls.key").display().to_string(),
        )
        .start();
    let port = server.tls_port.expect("an HTTPS listener");
    let old = pem_of(&first);
    assert_eq!(served(port), old);

    // The renewal: a new version directory, then `..data` replaced in one rename.
    let second = secret_version(secret, "..2026_12_05_02_00_00.000000002");
    symlink("..2026_12_05_02_00_00.000000002", secret.join("..data_tmp")).expect("tmp link");
    std::fs::rename(secret.join("..data_tmp"), secret.join("..data")).expect("swap");
    std::fs::remove_dir_all(secret.join("..2026_12_05_01_00_00.000000001")).expect("old");
    let wanted = pem_of(&second);
    assert_ne!(old, wanted);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = served(port);
        if now == wanted {
            break;
        }
        assert_eq!(now, old, "served neither the old nor the new certificate");
        assert!(
            Instant::now() < deadline,
            "the new certificate was not served within 20 s\n{}",
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
