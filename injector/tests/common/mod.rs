//! Shared harness: a running HTTPS webhook on a random port, an HTTPS client that trusts
//! its test CA, AdmissionReview builders, and JSON Patch application (crate `json-patch`,
//! independent of the injector's own code).
#![allow(dead_code)]

pub mod fake_api;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use http::{Method, StatusCode};
use serde_json::{json, Value};
use strata_injector::cluster::{self, ClusterIdentity, ClusterKeys, RunningPods};
use strata_injector::config::InjectorConfig;
use strata_injector::metrics::{Format, Metrics};
use strata_injector::server::Server;
use strata_injector::tls::ca;
use strata_injector::tls::kube::ApiClient;
use strata_injector::tls::store::CertStore;
use strata_injector::tls::unix_now;

/// A webhook serving on 127.0.0.1 with a certificate from a test CA.
pub struct Webhook {
    pub client: ApiClient,
    pub addr: std::net::SocketAddr,
    pub ca_pem: String,
    _dir: tempfile::TempDir,
    _task: tokio::task::JoinHandle<()>,
}

impl Webhook {
    pub async fn start() -> Webhook {
        Webhook::start_with(test_config()).await
    }

    pub async fn start_with(cfg: InjectorConfig) -> Webhook {
        let now = unix_now();
        let authority = ca::new_authority(now, 3600).expect("CA");
        let leaf = ca::issue_leaf(&authority, &["localhost".to_owned()], now, 3600).expect("leaf");
        let store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
        store
            .load_pem(
                leaf.cert_pem.as_bytes(),
                leaf.key_pem.as_bytes(),
                Some(leaf.not_after),
            )
            .expect("load");
        let server = Server::bind("127.0.0.1:0", cfg, store, Arc::new(Metrics::default()))
            .await
            .expect("bind");
        let addr = server.local_addr().expect("addr");
        let task = tokio::spawn(server.run(std::future::pending()));
        let (dir, client) = client_for(addr, &authority.cert_pem);
        Webhook {
            client,
            addr,
            ca_pem: authority.cert_pem,
            _dir: dir,
            _task: task,
        }
    }

    /// POSTs a review and returns the parsed response review.
    pub async fn review(&self, review: &Value) -> Value {
        let body = serde_json::to_vec(review).expect("json");
        let (status, bytes) = self
            .client
            .call(Method::POST, "/mutate", "application/json", Some(body))
            .await
            .expect("POST /mutate");
        assert_eq!(
            status,
            StatusCode::OK,
            "body: {}",
            String::from_utf8_lossy(&bytes)
        );
        let out: Value = serde_json::from_slice(&bytes).expect("response JSON");
        assert_eq!(out["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(out["kind"], "AdmissionReview");
        assert_eq!(
            out["response"]["uid"], review["request"]["uid"],
            "uid echoed"
        );
        out
    }

    /// `GET path` with the given `Accept` header (the API client always sends JSON's):
    /// the status, the `Content-Type` and the body.
    pub async fn get_accepting(&self, path: &str, accept: &str) -> (StatusCode, String, String) {
        use http_body_util::BodyExt as _;
        use rustls_pki_types::pem::PemObject as _;
        use rustls_pki_types::{CertificateDer, ServerName};

        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(self.ca_pem.as_bytes()) {
            roots.add(cert.expect("CA PEM")).expect("CA");
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(ServerName::try_from("localhost").expect("name"), tcp)
            .await
            .expect("TLS handshake");
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .expect("HTTP handshake");
        tokio::spawn(conn);
        let request = http::Request::builder()
            .uri(path)
            .header(http::header::HOST, "localhost")
            .header(http::header::ACCEPT, accept)
            .body(http_body_util::Full::new(bytes::Bytes::new()))
            .expect("request");
        let response = sender.send_request(request).await.expect("response");
        let status = response.status();
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            content_type,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    /// Sends `pod` for admission and returns the patched pod (must be allowed).
    pub async fn admit(&self, pod: &Value, namespace: &str) -> Value {
        let out = self.review(&review(pod, namespace, false)).await;
        assert_eq!(
            out["response"]["allowed"], true,
            "rejected: {}",
            out["response"]["status"]
        );
        apply(pod, &out)
    }
}

/// The cluster issuer the test webhooks know (web identity needs the cluster's keys).
pub const TEST_ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// The default config, with the cluster's issuer and a JWKS already fetched.
pub fn test_config() -> InjectorConfig {
    InjectorConfig {
        cluster: ClusterKeys::with(ClusterIdentity {
            issuer: TEST_ISSUER.to_owned(),
            jwks: r#"{"keys":[{"kty":"RSA","kid":"test","alg":"RS256","use":"sig","n":"AQAB","e":"AQAB"}]}"#.to_owned(),
        }),
        ..InjectorConfig::default()
    }
}

/// An HTTPS client for `addr` that trusts `ca_pem` and names the server `localhost`.
/// (The injector's API client is reused: it is a plain hyper + rustls client; the bearer
/// token it sends is ignored by the webhook.)
pub fn client_for(addr: std::net::SocketAddr, ca_pem: &str) -> (tempfile::TempDir, ApiClient) {
    let dir = tempfile::tempdir().expect("tempdir");
    let token: PathBuf = dir.path().join("token");
    std::fs::write(&token, "test-token").expect("token");
    let client = ApiClient::new(
        &format!("https://localhost:{}", addr.port()),
        ca_pem.as_bytes(),
        token,
    )
    .expect("client");
    (dir, client)
}

/// An AdmissionReview v1 request for creating `pod` in `namespace`.
pub fn review(pod: &Value, namespace: &str, dry_run: bool) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": format!("uid-{}", rand_suffix()),
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
            "requestResource": {"group": "", "version": "v1", "resource": "pods"},
            "name": pod["metadata"]["name"].as_str().unwrap_or(""),
            "namespace": namespace,
            "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:kube-system:statefulset-controller"},
            "object": pod,
            "oldObject": null,
            "dryRun": dry_run,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
        }
    })
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// The JSON Patch of a response, decoded (empty when there is none).
pub fn patch_of(response: &Value) -> Vec<Value> {
    let Some(b64) = response["response"]["patch"].as_str() else {
        return Vec::new();
    };
    assert_eq!(response["response"]["patchType"], "JSONPatch");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64 patch");
    serde_json::from_slice(&bytes).expect("patch JSON")
}

/// Applies the response's patch to `pod` with the `json-patch` crate.
pub fn apply(pod: &Value, response: &Value) -> Value {
    let mut out = pod.clone();
    let ops = patch_of(response);
    if ops.is_empty() {
        return out;
    }
    let patch: json_patch::Patch =
        serde_json::from_value(Value::Array(ops)).expect("RFC 6902 patch");
    json_patch::patch(&mut out, &patch).expect("patch applies to the pod it was made for");
    out
}

/// A StatefulSet-made pod: six PVC volumes, one app container, the documented annotations.
pub fn pod() -> Value {
    let claim = |name: &str| json!({"name": name, "persistentVolumeClaim": {"claimName": format!("{name}-reports-0")}});
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "reports-0",
            "labels": {"app": "reports", "strata.io/inject": "true"},
            "annotations": {
                "strata.io/volumes": "fast=nvme-0,nvme-1,nvme-2,nvme-3; bulk=hdd-0,hdd-1",
                "strata.io/erasure": "fast=2+2; bulk=mirror",
                "strata.io/buckets": "uploads,reports"
            }
        },
        "spec": {
            "serviceAccountName": "reports",
            "containers": [{
                "name": "app",
                "image": "example.org/app:1.0",
                "ports": [{"containerPort": 8080, "name": "http"}],
                "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}}
            }],
            "volumes": [claim("nvme-0"), claim("nvme-1"), claim("nvme-2"), claim("nvme-3"), claim("hdd-0"), claim("hdd-1")]
        }
    })
}

/// Finds a container by name in `initContainers` or `containers`.
pub fn container<'a>(pod: &'a Value, list: &str, name: &str) -> &'a Value {
    pod["spec"][list]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no {list} entry named {name} in {pod:#}"))
}

/// The value of env var `name` in container `c`.
pub fn env<'a>(c: &'a Value, name: &str) -> Option<&'a Value> {
    c["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)
        .map(|e| e.get("value").unwrap_or(&e["valueFrom"]))
}

/// The value of `series` in the injector's exposition.
pub fn series(metrics: &Metrics, series: &str) -> f64 {
    let text = metrics.render(Format::Prometheus);
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

/// Waits (at most 10 s) until `done`.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The injector's refresher of the cluster's keys against `api`, every 50 ms: the keys it
/// holds and its metrics.
pub fn refresh_every_50ms(
    api: &fake_api::FakeApi,
    running: RunningPods,
) -> (ClusterKeys, Arc<Metrics>) {
    let keys = ClusterKeys::default();
    let metrics = Arc::new(Metrics::default());
    tokio::spawn(cluster::keep_fresh(
        api.client(),
        keys.clone(),
        Duration::from_millis(50),
        metrics.clone(),
        running,
    ));
    (keys, metrics)
}
