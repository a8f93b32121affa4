//! An OpenBao dev server (`$STRATA_BAO`, installed by `tests/realparts/install.sh`) with the
//! transit engine mounted: the real Vault-compatible KMS of the encryption tests. Killed by
//! its own handle when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::{free_port, raw, Reply};
use crate::tools::required_env;

/// The dev server's root token.
pub const BAO_TOKEN: &str = "root";

/// The transit paths strata needs to serve.
const SERVE: &str = r#"path "transit/datakey/plaintext/*" { capabilities = ["update"] }
path "transit/decrypt/*" { capabilities = ["update"] }"#;
/// The transit paths a re-seal needs besides.
const RESEAL: &str = r#"path "transit/keys/*" { capabilities = ["read"] }
path "transit/rewrap/*" { capabilities = ["update"] }
path "transit/encrypt/*" { capabilities = ["update"] }"#;

/// A running dev server.
pub struct Bao {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Drop for Bao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Bao {
    /// Starts a dev server on a free port and mounts transit at `transit`.
    pub fn start() -> Bao {
        let bin = required_env("STRATA_BAO");
        assert!(Path::new(&bin).is_file(), "STRATA_BAO={bin} is not a file");
        // The dev server also listens on its port + 1 (the cluster listener); when that one
        // is taken (another test's connection, say) it exits at once: try another port.
        let mut started = None;
        for _attempt in 0..5 {
            let port = free_port();
            let child = Command::new(&bin)
                .args([
                    "server",
                    "-dev",
                    &format!("-dev-root-token-id={BAO_TOKEN}"),
                    &format!("-dev-listen-address=127.0.0.1:{port}"),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start the OpenBao dev server");
            let mut bao = Bao {
                child,
                addr: format!("127.0.0.1:{port}"),
            };
            if bao.wait_ready() {
                started = Some(bao);
                break;
            }
        }
        let bao = started.expect("OpenBao not ready (5 ports tried, 20 s each)");
        bao.ok("POST", "sys/mounts/transit", r#"{"type":"transit"}"#);
        bao
    }

    /// Waits until the server answers its health check (true), exits (false), or 20 s pass.
    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self
                .call("GET", "sys/health", "")
                .is_ok_and(|r| r.status == 200)
            {
                return true;
            }
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// One API call with the root token.
    pub fn call(&self, method: &str, path: &str, json: &str) -> std::io::Result<Reply> {
        let head = format!(
            "{method} /v1/{path} HTTP/1.1\r\nhost: {}\r\nx-vault-token: {BAO_TOKEN}\r\ncontent-type: application/json\r\n",
            self.addr
        );
        raw(&self.addr, &head, json.as_bytes())
    }

    /// A call that must succeed (2xx); its reply.
    pub fn ok(&self, method: &str, path: &str, json: &str) -> Reply {
        let reply = self
            .call(method, path, json)
            .unwrap_or_else(|e| panic!("OpenBao {method} {path}: {e}"));
        assert!(
            (200..300).contains(&reply.status),
            "OpenBao {method} {path}: HTTP {} {}",
            reply.status,
            reply.text()
        );
        reply
    }

    /// Makes transit key `name` as strata expects it (`aes256-gcm96`, derived).
    pub fn transit_key(&self, name: &str) {
        self.ok(
            "POST",
            &format!("transit/keys/{name}"),
            r#"{"type":"aes256-gcm96","derived":true}"#,
        );
    }

    /// Uploads policy `name`: what strata needs of transit to serve (data keys and
    /// decryption under any key), nothing else.
    pub fn transit_policy(&self, name: &str) {
        self.policy(name, SERVE);
    }

    /// Uploads policy `name`: what strata needs to serve and to re-seal after a rotation
    /// (reading keys' versions, rewrapping), nothing else.
    pub fn transit_reseal_policy(&self, name: &str) {
        self.policy(name, &format!("{SERVE}\n{RESEAL}"));
    }

    fn policy(&self, name: &str, hcl: &str) {
        let body = serde_json::json!({ "policy": hcl }).to_string();
        self.ok("PUT", &format!("sys/policies/acl/{name}"), &body);
    }

    /// A token with policy `policy` (and no other).
    pub fn token(&self, policy: &str) -> String {
        let body = serde_json::json!({ "policies": [policy], "no_default_policy": true });
        let reply = self.ok("POST", "auth/token/create", &body.to_string());
        let doc: serde_json::Value = serde_json::from_slice(&reply.body).expect("token JSON");
        doc["auth"]["client_token"]
            .as_str()
            .expect("a client token")
            .to_string()
    }

    /// Enables the `jwt` auth method trusting `issuer` (through its OIDC discovery and
    /// JWKS, verified offline), with role `role` for tokens of `subject` and `audience`,
    /// granted policy `policy`.
    pub fn jwt_role(&self, issuer: &str, audience: &str, subject: &str, role: &str, policy: &str) {
        self.ok("POST", "sys/auth/jwt", r#"{"type":"jwt"}"#);
        let config = serde_json::json!({"oidc_discovery_url": issuer, "bound_issuer": issuer});
        self.ok("POST", "auth/jwt/config", &config.to_string());
        let role_doc = serde_json::json!({
            "role_type": "jwt",
            "bound_audiences": [audience],
            "user_claim": "sub",
            "bound_subject": subject,
            "token_policies": [policy],
            "token_ttl": "20m",
        });
        self.ok(
            "POST",
            &format!("auth/jwt/role/{role}"),
            &role_doc.to_string(),
        );
    }
}
