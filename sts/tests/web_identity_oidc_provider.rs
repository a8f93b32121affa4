//! End to end against the real panva `oidc-provider` (installed by
//! `tests/realparts/install.sh`, found through `STRATA_OIDC_SERVER`): discovery, JWKS and
//! RS256 JWT access tokens of a Kubernetes-looking client, verified by the real verifier.
//! Without the provider these tests fail: they are never skipped.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use strata_sts::web_identity::{
    InvalidIdentityToken, KeySource, ProviderConfig, VerifierConfig, VerifierSettings,
    WebIdentityError, WebIdentityVerifier,
};
use support::install_crypto_provider;

const CLIENT: &str = "system:serviceaccount:demo:app";
const CLIENT_FORM: &str = "grant_type=client_credentials&client_id=system%3Aserviceaccount%3Ademo%3Aapp&client_secret=app-secret";

/// A running oidc-provider on a random port; killed (by its PID) when dropped.
struct OidcProvider {
    child: Child,
    issuer: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl OidcProvider {
    async fn start() -> OidcProvider {
        let script = std::env::var("STRATA_OIDC_SERVER").unwrap_or_else(|_| {
            panic!(
                "STRATA_OIDC_SERVER is not set: these tests need the real oidc-provider; run \
                 `bash tests/realparts/install.sh` then `source ~/.cache/strata-tools/env.sh`"
            )
        });
        assert!(
            Path::new(&script).is_file(),
            "STRATA_OIDC_SERVER={script} does not exist"
        );
        let node = std::env::var("STRATA_NODE").unwrap_or_else(|_| "node".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("oidc.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(&node)
            .arg(&script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_AUDIENCE", "strata")
            // The path shape of a Kubernetes cluster's issuer.
            .env("OIDC_JWKS_PATH", "/openid/v1/jwks")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {node} {script}: {e}"));
        install_crypto_provider();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let mut provider = OidcProvider {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
            http,
        };
        provider.wait_ready().await;
        provider
    }

    async fn wait_ready(&mut self) {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        for _ in 0..300 {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("oidc-provider exited ({status}): {}", self.log_text());
            }
            if let Ok(reply) = self.http.get(&url).send().await {
                if reply.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("oidc-provider not ready after 30 s: {}", self.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// An access token for the Kubernetes-looking client (client_credentials grant).
    async fn service_account_token(&self) -> String {
        let text = self
            .http
            .post(format!("{}/token", self.issuer))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(CLIENT_FORM)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let reply: Value = serde_json::from_str(&text).unwrap();
        reply["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token in {reply}"))
            .to_string()
    }

    async fn get_text(&self, path: &str) -> String {
        let reply = self
            .http
            .get(format!("{}{path}", self.issuer))
            .send()
            .await
            .unwrap();
        assert!(
            reply.status().is_success(),
            "GET {path}: {}",
            reply.status()
        );
        reply.text().await.unwrap()
    }

    fn verifier(&self, audience: &str, keys: KeySource) -> WebIdentityVerifier {
        WebIdentityVerifier::new(
            VerifierConfig {
                providers: vec![ProviderConfig {
                    issuer: self.issuer.clone(),
                    audiences: vec![audience.to_string()],
                    keys,
                    ca_bundle: None,
                }],
                settings: VerifierSettings::default(),
            },
            None,
        )
        .unwrap()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn discovery_then_jwks_verifies_a_service_account_token() {
    let idp = OidcProvider::start().await;
    let token = idp.service_account_token().await;
    let verifier = idp.verifier("strata", KeySource::Discovery);
    let identity = verifier.verify(&token).await.unwrap();
    assert_eq!(identity.issuer, idp.issuer);
    assert_eq!(
        identity.condition_key_prefix,
        idp.issuer.trim_start_matches("http://")
    );
    assert_eq!(identity.subject, CLIENT);
    assert_eq!(identity.audience, "strata");
    assert!(identity.expires_at > support::now());
    assert_eq!(identity.claims["client_id"], CLIENT);
    assert_eq!(identity.claims["kubernetes.io"]["namespace"], "demo");
    assert_eq!(
        identity.claims["kubernetes.io"]["serviceaccount"]["name"],
        "app"
    );
}

#[tokio::test]
async fn a_provider_configured_for_another_audience_refuses_the_token() {
    let idp = OidcProvider::start().await;
    let token = idp.service_account_token().await;
    let verifier = idp.verifier("sts.amazonaws.com", KeySource::Discovery);
    assert_eq!(
        verifier.verify(&token).await.unwrap_err(),
        WebIdentityError::InvalidIdentityToken(InvalidIdentityToken::WrongAudience(vec![
            "strata".into()
        ]))
    );
}

#[tokio::test]
async fn a_jwks_file_holding_the_providers_keys_verifies_its_tokens() {
    let idp = OidcProvider::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, idp.get_text("/openid/v1/jwks").await).unwrap();
    let verifier = idp.verifier("strata", KeySource::JwksFile(path));
    let token = idp.service_account_token().await;
    assert_eq!(verifier.verify(&token).await.unwrap().subject, CLIENT);
}

#[tokio::test]
async fn a_token_from_the_provider_with_a_forged_payload_is_refused() {
    let idp = OidcProvider::start().await;
    let token = idp.service_account_token().await;
    let mut body = support::part(&token, 1);
    body["sub"] = "system:serviceaccount:kube-system:admin".into();
    let forged = support::replace_part(&token, 1, &body);
    let verifier = idp.verifier(
        "strata",
        KeySource::JwksUrl(format!("{}/openid/v1/jwks", idp.issuer)),
    );
    assert_eq!(
        verifier.verify(&forged).await.unwrap_err(),
        WebIdentityError::InvalidIdentityToken(InvalidIdentityToken::BadSignature)
    );
    assert!(verifier.verify(&token).await.is_ok());
}
