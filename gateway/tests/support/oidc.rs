//! The real panva `oidc-provider` (`STRATA_OIDC_SERVER`, run by `STRATA_NODE`), playing an
//! OpenID provider and a Kubernetes service-account issuer (its JWKS at `/openid/v1/jwks`),
//! shared by the STS and injected-pod tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use strata_tests::free_port;

/// A running oidc-provider on a random port, minting access tokens for `audience`; killed
/// (by its PID) when dropped.
pub struct OidcProvider {
    child: Child,
    /// `http://127.0.0.1:PORT`: the tokens' `iss`.
    pub issuer: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl OidcProvider {
    /// Starts the provider; panics (never skips) without `STRATA_OIDC_SERVER`.
    pub fn start(audience: &str) -> OidcProvider {
        let script = std::env::var("STRATA_OIDC_SERVER").unwrap_or_else(|_| {
            panic!(
                "STRATA_OIDC_SERVER is not set: this test needs the real oidc-provider; run \
                 `bash tests/realparts/install.sh` then `source ~/.cache/strata-tools/env.sh`"
            )
        });
        let node = std::env::var("STRATA_NODE").unwrap_or_else(|_| "node".into());
        // The free port is found by binding and letting go, so another process may take it
        // before the provider binds it: then it is started again on another.
        for _ in 0..4 {
            match Self::start_on(&node, &script, audience, free_port()) {
                Ok(idp) => return idp,
                Err(log) if log.contains("EADDRINUSE") => continue,
                Err(log) => panic!("oidc-provider exited: {log}"),
            }
        }
        panic!("oidc-provider found no free port in 4 tries");
    }

    /// One start on `port`: the provider once ready, or its log if it exited.
    fn start_on(
        node: &str,
        script: &str,
        audience: &str,
        port: u16,
    ) -> Result<OidcProvider, String> {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("oidc.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(node)
            .arg(script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_AUDIENCE", audience)
            .env("OIDC_JWKS_PATH", "/openid/v1/jwks")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {node} {script}: {e}"));
        let mut idp = OidcProvider {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        for _ in 0..300 {
            if let Ok(Some(status)) = idp.child.try_wait() {
                return Err(format!("({status}) {}", idp.log_text()));
            }
            if block_on(async {
                http()
                    .get(format!("{}/.well-known/openid-configuration", idp.issuer))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }) {
                return Ok(idp);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("oidc-provider not ready after 30 s: {}", idp.log_text());
    }

    /// The provider's output so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// An access token of the Kubernetes-looking client `system:serviceaccount:demo:app`
    /// (client_credentials grant).
    pub fn token(&self) -> String {
        self.token_for("app")
    }

    /// An access token of service account `demo:NAME` (`app`, `other` or `tagged`, the clients of
    /// `tests/realparts/oidc/oidc-server.mjs`), whose secret is `NAME-secret`.
    pub fn token_for(&self, name: &str) -> String {
        let text = block_on(async {
            http()
                .post(format!("{}/token", self.issuer))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("grant_type=client_credentials&client_id=system%3Aserviceaccount%3Ademo%3A{name}&client_secret={name}-secret"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        });
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
            ["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token in {text}"))
            .to_string()
    }

    /// `HOST:PORT`: the issuer as condition keys and `Federated` principals name it.
    pub fn host(&self) -> &str {
        self.issuer.trim_start_matches("http://")
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

impl OidcProvider {
    /// The provider's JWKS document, as the API server's `/openid/v1/jwks` serves it.
    pub fn jwks(&self) -> Vec<u8> {
        block_on(async {
            let r = http()
                .get(format!("{}/openid/v1/jwks", self.issuer))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "JWKS: {}", r.status());
            r.bytes().await.unwrap().to_vec()
        })
    }
}
