//! A minimal OpenID discovery + JWKS server on a random port, whose answers a test
//! changes while it runs (key rotation, outages) and whose JWKS fetches it counts.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

struct State {
    jwks: Value,
    failing: bool,
    discovery_issuer: Option<String>,
    jwks_hits: usize,
}

/// The server; stops (its accept task is aborted) when dropped.
pub struct JwksServer {
    /// `http://127.0.0.1:PORT`, also the issuer its discovery document names.
    pub base: String,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl JwksServer {
    /// Serves `jwks` at `/jwks` and a discovery document at
    /// `/.well-known/openid-configuration`.
    pub async fn start(jwks: Value) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            jwks,
            failing: false,
            discovery_issuer: None,
            jwks_hits: 0,
        }));
        let (task_state, task_base) = (Arc::clone(&state), base.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (state, base) = (Arc::clone(&task_state), task_base.clone());
                tokio::spawn(async move {
                    let _ = answer(stream, &state, &base).await;
                });
            }
        });
        JwksServer { base, state, task }
    }

    /// The JWKS URL.
    pub fn jwks_url(&self) -> String {
        format!("{}/jwks", self.base)
    }

    /// Serve `jwks` from now on.
    pub fn set_jwks(&self, jwks: Value) {
        self.state.lock().unwrap().jwks = jwks;
    }

    /// Answer 503 to everything (an outage) or recover.
    pub fn set_failing(&self, failing: bool) {
        self.state.lock().unwrap().failing = failing;
    }

    /// Make the discovery document name another issuer.
    pub fn set_discovery_issuer(&self, issuer: &str) {
        self.state.lock().unwrap().discovery_issuer = Some(issuer.to_string());
    }

    /// How many times `/jwks` was requested.
    pub fn jwks_hits(&self) -> usize {
        self.state.lock().unwrap().jwks_hits
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(mut stream: TcpStream, state: &Mutex<State>, base: &str) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut chunk = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
    let (status, body) = {
        let mut state = state.lock().unwrap();
        if path == "/jwks" {
            state.jwks_hits += 1;
        }
        if state.failing {
            ("503 Service Unavailable", "{}".to_string())
        } else if path == "/.well-known/openid-configuration" {
            let issuer = state.discovery_issuer.clone().unwrap_or(base.to_string());
            let doc = json!({ "issuer": issuer, "jwks_uri": format!("{base}/jwks") });
            ("200 OK", doc.to_string())
        } else if path == "/jwks" {
            ("200 OK", state.jwks.to_string())
        } else {
            ("404 Not Found", "{}".to_string())
        }
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await
}
