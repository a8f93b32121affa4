//! A real OpenLDAP `slapd` for one test (`STRATA_SLAPD`, `STRATA_SLAPTEST`, `STRATA_LDAPADD`
//! from tests/realparts/install.sh): its own directory and config (`ldap/slapd.conf.in`), a
//! CA and a server certificate for `127.0.0.1` made with rcgen, plain LDAP and LDAPS on free
//! ports, the entries of `ldap/base.ldif`. Stopped by its PID (on drop, or by `stop`).
//! Without the tools the test fails: it is never skipped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use strata_tests::{free_port, required_env, run_ok};

/// The suffix of the test directory.
pub const BASE_DN: &str = "dc=example,dc=org";

pub struct Slapd {
    child: Option<Child>,
    dir: PathBuf,
    /// `ldap://127.0.0.1:PORT` (StartTLS is offered on it).
    pub ldap_url: String,
    /// `ldaps://127.0.0.1:PORT`.
    pub ldaps_url: String,
    /// The CA that signed the server's certificate (PEM).
    pub ca_file: PathBuf,
    /// Another CA, which signed nothing slapd serves (PEM).
    pub wrong_ca_file: PathBuf,
}

fn fixture(name: &str) -> PathBuf {
    // Where cargo runs the test, not where it was compiled (a shared build cache).
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf())
        .join("tests/ldap")
        .join(name)
}

/// A CA (its PEM certificate and its issuer) named `name`.
fn make_ca(name: &str) -> (String, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let key = rcgen::KeyPair::generate().expect("generate a CA key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let cert = params.self_signed(&key).expect("self-sign the CA");
    (cert.pem(), rcgen::Issuer::new(params, key))
}

impl Slapd {
    /// Starts slapd in `dir` (made if missing) and loads the test entries.
    pub fn start(dir: &Path) -> Slapd {
        let slapd = required_env("STRATA_SLAPD");
        let slaptest = required_env("STRATA_SLAPTEST");
        let ldapadd = required_env("STRATA_LDAPADD");
        std::fs::create_dir_all(dir.join("data")).unwrap();

        let (ca_pem, ca) = make_ca("strata test LDAP CA");
        let (wrong_pem, _) = make_ca("a CA that signed nothing here");
        let server_key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "127.0.0.1");
        let server_cert = params.signed_by(&server_key, &ca).unwrap();
        std::fs::write(dir.join("tls.crt"), server_cert.pem()).unwrap();
        std::fs::write(dir.join("tls.key"), server_key.serialize_pem()).unwrap();
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca_pem).unwrap();
        let wrong_ca_file = dir.join("wrong-ca.pem");
        std::fs::write(&wrong_ca_file, wrong_pem).unwrap();

        let template = std::fs::read_to_string(fixture("slapd.conf.in")).unwrap();
        let conf = dir.join("slapd.conf");
        std::fs::write(&conf, template.replace("@LDAP_DIR@", dir.to_str().unwrap())).unwrap();
        run_ok(
            Command::new(&slaptest)
                .arg("-Q")
                .arg("-u")
                .arg("-f")
                .arg(&conf),
        );

        // A free port can be taken by another test before slapd binds it: start again on
        // other ports when that is why it stopped (seen once in a full run).
        let mut attempt = 0;
        let server = loop {
            attempt += 1;
            let (port, tls_port) = (free_port(), free_port());
            let ldap_url = format!("ldap://127.0.0.1:{port}");
            let ldaps_url = format!("ldaps://127.0.0.1:{tls_port}");
            let log = std::fs::File::create(dir.join("slapd.log")).unwrap();
            let child = Command::new(&slapd)
                .arg("-f")
                .arg(&conf)
                .arg("-h")
                .arg(format!("{ldap_url}/ {ldaps_url}/"))
                // `-d` keeps slapd in the foreground, so its PID is the child's.
                .args(["-d", "stats"])
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("start {slapd}: {e}"));
            let mut server = Slapd {
                child: Some(child),
                dir: dir.to_path_buf(),
                ldap_url,
                ldaps_url,
                ca_file: ca_file.clone(),
                wrong_ca_file: wrong_ca_file.clone(),
            };
            match server.wait_listening(&[port, tls_port]) {
                Ok(()) => break server,
                Err(log) if attempt < 3 && log.contains("Address already in use") => continue,
                Err(log) => panic!("slapd did not start listening:\n{log}"),
            }
        };
        run_ok(
            Command::new(&ldapadd)
                .args(["-x", "-H", &server.ldap_url, "-D"])
                .arg(format!("cn=admin,{BASE_DN}"))
                .args(["-w", "adminpass", "-f"])
                .arg(fixture("base.ldif")),
        );
        server
    }

    /// Waits until slapd listens on `ports`; its log if it stopped or never did.
    fn wait_listening(&mut self, ports: &[u16]) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        for port in ports {
            while TcpStream::connect(("127.0.0.1", *port)).is_err() {
                if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                    self.child = None;
                    return Err(format!("slapd exited ({status}):\n{}", self.log()));
                }
                if Instant::now() >= deadline {
                    return Err(format!("slapd does not listen on {port}:\n{}", self.log()));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }

    /// slapd's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("slapd.log")).unwrap_or_default()
    }

    /// Stops slapd (by its PID) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}
