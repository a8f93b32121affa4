//! A FAKE Kubernetes API server, as no API server runs on this machine: a small HTTPS server
//! (hyper + rustls) that implements only the endpoints the injector uses, in their documented
//! wire formats, and checks the bearer token: get/create/replace of one Secret with
//! resourceVersion conflicts, get/JSON-patch of one MutatingWebhookConfiguration (patches
//! applied with the `json-patch` crate, as the API server would), and the service-account
//! issuer discovery document and JWKS (`/.well-known/openid-configuration`,
//! `/openid/v1/jwks`), and the list of pods across namespaces by label selector (paged with
//! `limit`/`continue`, at most two a page, as an API server may return fewer than asked) with
//! merge patches of one pod (applied with `json-patch`'s `merge`, RFC 7386).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use strata_injector::metrics::Metrics;
use strata_injector::tls::kube::ApiClient;
use strata_injector::tls::store::{self, CertStore};
use strata_injector::tls::{ca, unix_now};

/// The issuer the fake's discovery document names.
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

pub const SECRET_PATH: &str = "/api/v1/namespaces/strata-system/secrets/strata-injector-tls";
pub const SECRETS_PATH: &str = "/api/v1/namespaces/strata-system/secrets";
pub const WEBHOOK_PATH: &str =
    "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/strata-injector";
pub const TOKEN: &str = "fake-service-account-token";

/// State of the fake API server.
pub struct Fake {
    pub secret: Option<Value>,
    pub version: u64,
    pub webhook: Value,
    pub secret_writes: u32,
    /// The JWKS served; `None` answers 500, as a failing API server would.
    pub jwks: Option<Value>,
    /// Pods, every namespace.
    pub pods: Vec<Value>,
    /// Pod calls answer 403, as without the RBAC.
    pub pods_forbidden: bool,
    /// Names of pods listed but deleted before a patch reaches them (404).
    pub vanishing: Vec<String>,
    /// Merge patches applied to pods.
    pub pod_patches: u32,
    /// Pages of pods listed.
    pub pod_lists: u32,
}

pub struct FakeApi {
    pub addr: SocketAddr,
    pub ca_pem: String,
    pub state: Arc<Mutex<Fake>>,
    _dir: tempfile::TempDir,
    token_file: std::path::PathBuf,
}

impl FakeApi {
    pub async fn start() -> FakeApi {
        let now = unix_now();
        let authority = ca::new_authority(now, 3600).expect("CA");
        let leaf = ca::issue_leaf(&authority, &["localhost".to_owned()], now, 3600).expect("leaf");
        let cert_store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
        cert_store
            .load_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes(), None)
            .expect("load");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(
            store::server_config(cert_store).expect("config"),
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let webhook = json!({
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "strata-injector"},
            "webhooks": [
                {"name": "inject.strata.io", "clientConfig": {"service": {"name": "strata-injector", "namespace": "strata-system"}}},
                {"name": "second.strata.io", "clientConfig": {"service": {"name": "strata-injector", "namespace": "strata-system"}, "caBundle": "Cg=="}}
            ]
        });
        let state = Arc::new(Mutex::new(Fake {
            secret: None,
            version: 1,
            webhook,
            secret_writes: 0,
            jwks: Some(
                json!({"keys": [{"kty": "RSA", "kid": "one", "alg": "RS256", "use": "sig", "n": "sXchD", "e": "AQAB"}]}),
            ),
            pods: Vec::new(),
            pods_forbidden: false,
            vanishing: Vec::new(),
            pod_patches: 0,
            pod_lists: 0,
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, state) = (acceptor.clone(), shared.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(req, &state).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        let dir = tempfile::tempdir().expect("tempdir");
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, TOKEN).expect("token");
        FakeApi {
            addr,
            ca_pem: authority.cert_pem,
            state,
            _dir: dir,
            token_file,
        }
    }

    pub fn client(&self) -> ApiClient {
        ApiClient::new(
            &format!("https://localhost:{}", self.addr.port()),
            self.ca_pem.as_bytes(),
            self.token_file.clone(),
        )
        .expect("client")
    }

    pub fn bundles(&self) -> Vec<String> {
        let state = self.state.lock().expect("lock");
        let decode = |h: &Value| {
            let b64 = h["clientConfig"]["caBundle"].as_str().unwrap_or_default();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap_or_default(),
            )
            .unwrap_or_default()
        };
        state.webhook["webhooks"]
            .as_array()
            .expect("webhooks")
            .iter()
            .map(decode)
            .collect()
    }

    pub fn reset_bundle(&self) {
        let mut state = self.state.lock().expect("lock");
        state.webhook["webhooks"][0]["clientConfig"]["caBundle"] = json!("Cg==");
    }
}

async fn handle(req: Request<Incoming>, state: &Mutex<Fake>) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, body: Value| {
        let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
        *r.status_mut() = status;
        r
    };
    if req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"kind": "Status", "message": "Unauthorized"}),
        );
    }
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let query = req.uri().query().unwrap_or_default().to_owned();
    let content_type = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = req
        .into_body()
        .collect()
        .await
        .map(|b| serde_json::from_slice(&b.to_bytes()).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    let mut s = state.lock().expect("lock");
    match (method, path.as_str()) {
        (Method::GET, SECRET_PATH) => match &s.secret {
            Some(secret) => reply(StatusCode::OK, secret.clone()),
            None => reply(
                StatusCode::NOT_FOUND,
                json!({"kind": "Status", "reason": "NotFound"}),
            ),
        },
        (Method::POST, SECRETS_PATH) if s.secret.is_some() => {
            reply(StatusCode::CONFLICT, json!({"reason": "AlreadyExists"}))
        }
        (Method::POST, SECRETS_PATH) | (Method::PUT, SECRET_PATH) => {
            if let Some(current) = &s.secret {
                if body["metadata"]["resourceVersion"] != current["metadata"]["resourceVersion"] {
                    return reply(StatusCode::CONFLICT, json!({"reason": "Conflict"}));
                }
            }
            s.version += 1;
            s.secret_writes += 1;
            let mut stored = body;
            stored["metadata"]["resourceVersion"] = json!(s.version.to_string());
            s.secret = Some(stored.clone());
            reply(
                if s.secret_writes == 1 {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                },
                stored,
            )
        }
        (Method::GET, WEBHOOK_PATH) if s.webhook.is_null() => {
            reply(StatusCode::NOT_FOUND, json!({"reason": "NotFound"}))
        }
        (Method::GET, WEBHOOK_PATH) => reply(StatusCode::OK, s.webhook.clone()),
        (Method::GET, "/.well-known/openid-configuration") => reply(
            StatusCode::OK,
            json!({"issuer": ISSUER, "jwks_uri": format!("{ISSUER}/openid/v1/jwks")}),
        ),
        (Method::GET, "/openid/v1/jwks") => match &s.jwks {
            Some(jwks) => reply(StatusCode::OK, jwks.clone()),
            None => reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"kind": "Status", "message": "etcd is down"}),
            ),
        },
        (Method::PATCH, WEBHOOK_PATH) => {
            let Ok(patch) = serde_json::from_value::<json_patch::Patch>(body) else {
                return reply(StatusCode::BAD_REQUEST, json!({"reason": "BadRequest"}));
            };
            let mut next = s.webhook.clone();
            match json_patch::patch(&mut next, &patch) {
                Ok(()) => {
                    s.webhook = next.clone();
                    reply(StatusCode::OK, next)
                }
                Err(e) => reply(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"message": e.to_string()}),
                ),
            }
        }
        (_, p)
            if p == "/api/v1/pods"
                || p.starts_with("/api/v1/namespaces/") && p.contains("/pods/") =>
        {
            if s.pods_forbidden {
                return reply(
                    StatusCode::FORBIDDEN,
                    json!({"kind": "Status", "reason": "Forbidden", "message": "pods is forbidden"}),
                );
            }
            if p == "/api/v1/pods" {
                s.pod_lists += 1;
                list_pods(&s, &query).map_or_else(
                    |message| reply(StatusCode::BAD_REQUEST, json!({"message": message})),
                    |list| reply(StatusCode::OK, list),
                )
            } else {
                patch_pod(&mut s, p, &content_type, &body).map_or_else(
                    |(status, message)| reply(status, json!({"message": message})),
                    |pod| reply(StatusCode::OK, pod),
                )
            }
        }
        _ => reply(StatusCode::NOT_FOUND, json!({"reason": "NotFound"})),
    }
}

/// The query's parameters, percent-decoded.
fn params(query: &str) -> Vec<(String, String)> {
    let decode = |v: &str| {
        let bytes = v.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                out.push(u8::from_str_radix(hex, 16).expect("percent escape"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("utf-8 query")
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// One page of the pods whose labels match a `key=value` selector.
fn list_pods(s: &Fake, query: &str) -> Result<Value, String> {
    let params = params(query);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let selector = get("labelSelector").ok_or("the fake wants a labelSelector")?;
    let (key, value) = selector.split_once('=').ok_or("only key=value selectors")?;
    let number = |name: &str, default: usize| {
        get(name).map_or(Ok(default), |v| {
            v.parse::<usize>().map_err(|e| e.to_string())
        })
    };
    let limit = number("limit", 500)?;
    let from = number("continue", 0)?;
    let matching: Vec<&Value> = s
        .pods
        .iter()
        .filter(|p| p["metadata"]["labels"][key].as_str() == Some(value))
        .collect();
    let end = (from + limit.min(2)).min(matching.len());
    let page: Vec<Value> = matching[from.min(end)..end]
        .iter()
        .map(|p| (*p).clone())
        .collect();
    let next = if end < matching.len() {
        end.to_string()
    } else {
        String::new()
    };
    Ok(
        json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"continue": next}, "items": page}),
    )
}

/// Applies a merge patch to `/api/v1/namespaces/NS/pods/NAME`.
fn patch_pod(
    s: &mut Fake,
    path: &str,
    content_type: &str,
    body: &Value,
) -> Result<Value, (StatusCode, String)> {
    if content_type != "application/merge-patch+json" {
        return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, content_type.to_owned()));
    }
    let rest = path.trim_start_matches("/api/v1/namespaces/");
    let (namespace, name) = rest
        .split_once("/pods/")
        .ok_or((StatusCode::NOT_FOUND, path.to_owned()))?;
    let not_found = || (StatusCode::NOT_FOUND, format!("pods \"{name}\" not found"));
    if s.vanishing.iter().any(|v| v == name) {
        return Err(not_found());
    }
    let pod = s
        .pods
        .iter_mut()
        .find(|p| p["metadata"]["namespace"] == namespace && p["metadata"]["name"] == name)
        .ok_or_else(not_found)?;
    json_patch::merge(pod, body);
    s.pod_patches += 1;
    Ok(pod.clone())
}
