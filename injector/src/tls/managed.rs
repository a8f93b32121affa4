//! Self-managed certificates: an own CA, short-lived serving certificates, a Secret shared
//! by the replicas, and the CA bundle kept in the MutatingWebhookConfiguration.
//!
//! One pass of [`Manager::reconcile`] (run every `resync`, and at each renewal time):
//! 1. read the Secret; create it (new CA + certificate) when absent;
//! 2. rotate what is due: the serving certificate when a third of its life is left, the
//!    CA likewise, keeping the old CA in the bundle until it expires: the other replica
//!    serves a certificate signed by it until it reloads the Secret;
//! 3. write the Secret back with its resourceVersion (a replica that loses the race gets
//!    409, re-reads, and adopts the winner's certificates);
//! 4. patch every webhook's `caBundle` that differs (an `kubectl apply` of the manifests
//!    resets it to the placeholder);
//! 5. only then serve the new certificate, so the API server trusts it before it sees it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::tls::ca::{self, Authority, Leaf};
use crate::tls::kube::{ApiClient, KubeError};
use crate::tls::store::CertStore;
use crate::tls::{unix_now, TlsError};

/// Secret keys. `tls.crt`/`tls.key`/`ca.crt` follow the kubernetes.io/tls convention.
const CERT_KEY: &str = "tls.crt";
const KEY_KEY: &str = "tls.key";
const BUNDLE_KEY: &str = "ca.crt";
const STATE_KEY: &str = "strata-state.json";

/// Where and how long.
#[derive(Debug, Clone)]
pub struct ManagedConfig {
    /// Namespace of the injector (and its Secret).
    pub namespace: String,
    /// Secret holding CA, certificate and state.
    pub secret: String,
    /// MutatingWebhookConfiguration whose caBundle is kept.
    pub webhook_config: String,
    /// Service name; the certificate covers `svc`, `svc.ns`, `svc.ns.svc` (+ cluster.local).
    pub service: String,
    /// CA lifetime.
    pub ca_lifetime: Duration,
    /// Serving certificate lifetime.
    pub cert_lifetime: Duration,
    /// How often to check the Secret and the webhook configuration.
    pub resync: Duration,
}

/// What the Secret holds besides the PEM files: the active CA with its key, the retired
/// CAs still in the bundle, and the serving certificate's expiry.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    ca: Authority,
    retired: Vec<Retired>,
    cert_not_after: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Retired {
    cert_pem: String,
    not_after: i64,
}

/// Everything the Secret carries, decoded.
#[derive(Debug, Clone)]
struct Material {
    state: State,
    leaf: Leaf,
}

impl Material {
    fn bundle(&self) -> String {
        let mut bundle = self.state.ca.cert_pem.clone();
        for old in &self.state.retired {
            bundle.push_str(&old.cert_pem);
        }
        bundle
    }
}

/// Runs the certificate loop for one replica.
#[derive(Debug)]
pub struct Manager {
    api: ApiClient,
    cfg: ManagedConfig,
    store: Arc<CertStore>,
}

impl Manager {
    /// A manager that talks to `api` and serves through `store`.
    pub fn new(api: ApiClient, cfg: ManagedConfig, store: Arc<CertStore>) -> Manager {
        Manager { api, cfg, store }
    }

    /// Reconciles forever; errors are logged and retried after a short pause.
    pub async fn run(self) {
        loop {
            let wait = match self.reconcile().await {
                Ok(next_renewal) => self.cfg.resync.min(next_renewal),
                Err(e) => {
                    tracing::warn!(error = %e, "certificate reconcile failed; retrying");
                    self.cfg.resync.min(Duration::from_secs(5))
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(50))).await;
        }
    }

    /// One pass (see the module docs). Returns the time until the next renewal is due.
    pub async fn reconcile(&self) -> Result<Duration, TlsError> {
        let now = unix_now();
        let material = self.ensure_secret(now).await?;
        if let Err(e) = self.patch_ca_bundle(&material.bundle()).await {
            // On a first start there is no older certificate that the API server trusts
            // better, so serving this one (and becoming ready) loses nothing; on a
            // rotation the new certificate waits until its CA is in the bundle.
            if !self.store.is_loaded() {
                self.store.load_pem(
                    material.leaf.cert_pem.as_bytes(),
                    material.leaf.key_pem.as_bytes(),
                    Some(material.leaf.not_after),
                )?;
            }
            return Err(e.into());
        }
        if self.store.load_pem(
            material.leaf.cert_pem.as_bytes(),
            material.leaf.key_pem.as_bytes(),
            Some(material.leaf.not_after),
        )? {
            tracing::info!(not_after = material.leaf.not_after, ca = %material.state.ca.name, "serving certificate loaded");
        }
        let due = (renew_at(material.leaf.not_after, self.cert_lifetime()) - unix_now()).max(0);
        Ok(Duration::from_secs(u64::try_from(due).unwrap_or_default()))
    }

    fn cert_lifetime(&self) -> i64 {
        i64::try_from(self.cfg.cert_lifetime.as_secs())
            .unwrap_or(i64::MAX)
            .max(1)
    }

    fn ca_lifetime(&self) -> i64 {
        i64::try_from(self.cfg.ca_lifetime.as_secs())
            .unwrap_or(i64::MAX)
            .max(1)
    }

    fn secret_path(&self, named: bool) -> String {
        let base = format!("/api/v1/namespaces/{}/secrets", self.cfg.namespace);
        if named {
            format!("{base}/{}", self.cfg.secret)
        } else {
            base
        }
    }

    async fn ensure_secret(&self, now: i64) -> Result<Material, TlsError> {
        let (status, body) = self
            .api
            .expect(
                Method::GET,
                &self.secret_path(true),
                "application/json",
                None,
                &[StatusCode::OK, StatusCode::NOT_FOUND],
            )
            .await?;
        if status == StatusCode::NOT_FOUND {
            let fresh = self.fresh(now, Vec::new())?;
            let body = serde_json::to_vec(&self.secret_object(&fresh, None)).map_err(json_err)?;
            let (status, _) = self
                .api
                .expect(
                    Method::POST,
                    &self.secret_path(false),
                    "application/json",
                    Some(body),
                    &[StatusCode::CREATED, StatusCode::OK, StatusCode::CONFLICT],
                )
                .await?;
            if status == StatusCode::CONFLICT {
                // The other replica created it first: use theirs.
                return Box::pin(self.ensure_secret(now)).await;
            }
            tracing::info!(secret = %self.cfg.secret, "created CA and serving certificate");
            return Ok(fresh);
        }
        let secret: Value = serde_json::from_slice(&body).map_err(json_err)?;
        let version = secret["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_owned);
        let current = decode(&secret);
        let next = match &current {
            None => {
                tracing::warn!(secret = %self.cfg.secret, "Secret unreadable; replacing CA and certificate");
                Some(self.fresh(now, Vec::new())?)
            }
            Some(m) => self.rotate(m, now)?,
        };
        let Some(next) = next else {
            // `current` is Some here: `next` is only None when rotate found nothing due.
            return current.ok_or_else(|| TlsError::Pem("Secret state vanished".to_owned()));
        };
        let body =
            serde_json::to_vec(&self.secret_object(&next, version.as_deref())).map_err(json_err)?;
        let (status, _) = self
            .api
            .expect(
                Method::PUT,
                &self.secret_path(true),
                "application/json",
                Some(body),
                &[StatusCode::OK, StatusCode::CONFLICT],
            )
            .await?;
        if status == StatusCode::CONFLICT {
            // The other replica rotated at the same time: adopt its result.
            return Box::pin(self.ensure_secret(unix_now())).await;
        }
        Ok(next)
    }

    /// What must change, or `None` when nothing is due.
    fn rotate(&self, m: &Material, now: i64) -> Result<Option<Material>, TlsError> {
        let mut retired: Vec<Retired> = m
            .state
            .retired
            .iter()
            .filter(|r| r.not_after > now)
            .cloned()
            .collect();
        let pruned = retired.len() != m.state.retired.len();
        if now >= renew_at(m.state.ca.not_after, self.ca_lifetime()) {
            tracing::info!(old = %m.state.ca.name, "rotating CA; the old one stays in the bundle until it expires");
            retired.insert(
                0,
                Retired {
                    cert_pem: m.state.ca.cert_pem.clone(),
                    not_after: m.state.ca.not_after,
                },
            );
            return self.fresh(now, retired).map(Some);
        }
        if now >= renew_at(m.leaf.not_after, self.cert_lifetime()) {
            tracing::info!(not_after = m.leaf.not_after, "renewing serving certificate");
            let leaf = ca::issue_leaf(&m.state.ca, &self.dns_names(), now, self.cert_lifetime())?;
            let state = State {
                ca: m.state.ca.clone(),
                retired,
                cert_not_after: leaf.not_after,
            };
            return Ok(Some(Material { state, leaf }));
        }
        if pruned {
            let state = State {
                retired,
                ..m.state.clone()
            };
            return Ok(Some(Material {
                state,
                leaf: m.leaf.clone(),
            }));
        }
        Ok(None)
    }

    fn fresh(&self, now: i64, retired: Vec<Retired>) -> Result<Material, TlsError> {
        let authority = ca::new_authority(now, self.ca_lifetime())?;
        let leaf = ca::issue_leaf(&authority, &self.dns_names(), now, self.cert_lifetime())?;
        Ok(Material {
            state: State {
                ca: authority,
                retired,
                cert_not_after: leaf.not_after,
            },
            leaf,
        })
    }

    fn dns_names(&self) -> Vec<String> {
        let (svc, ns) = (&self.cfg.service, &self.cfg.namespace);
        vec![
            format!("{svc}.{ns}.svc"),
            format!("{svc}.{ns}.svc.cluster.local"),
            format!("{svc}.{ns}"),
            svc.clone(),
        ]
    }

    fn secret_object(&self, m: &Material, resource_version: Option<&str>) -> Value {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let state = serde_json::to_string(&m.state).unwrap_or_default();
        let mut metadata = json!({
            "name": self.cfg.secret,
            "namespace": self.cfg.namespace,
            "labels": {"app.kubernetes.io/name": "strata-injector", "app.kubernetes.io/component": "webhook-certificate"}
        });
        if let Some(rv) = resource_version {
            metadata["resourceVersion"] = json!(rv);
        }
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": metadata,
            "data": {
                CERT_KEY: b64(&m.leaf.cert_pem),
                KEY_KEY: b64(&m.leaf.key_pem),
                BUNDLE_KEY: b64(&m.bundle()),
                STATE_KEY: b64(&state),
            }
        })
    }

    async fn patch_ca_bundle(&self, bundle: &str) -> Result<(), KubeError> {
        let path = format!(
            "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/{}",
            self.cfg.webhook_config
        );
        let body = self.api.get_ok(&path).await?;
        let config: Value = serde_json::from_slice(&body)
            .map_err(|e| KubeError::Config(format!("webhook configuration: {e}")))?;
        let wanted = base64::engine::general_purpose::STANDARD.encode(bundle);
        let mut ops = Vec::new();
        for (i, hook) in config["webhooks"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if hook["clientConfig"]["caBundle"].as_str() != Some(wanted.as_str()) {
                // The `test` pins the index to the webhook we looked at, in case the list
                // changed between our GET and this PATCH.
                ops.push(json!({"op": "test", "path": format!("/webhooks/{i}/name"), "value": hook["name"]}));
                ops.push(json!({"op": "add", "path": format!("/webhooks/{i}/clientConfig/caBundle"), "value": wanted}));
            }
        }
        if ops.is_empty() {
            return Ok(());
        }
        let body = serde_json::to_vec(&ops).map_err(|e| KubeError::Config(e.to_string()))?;
        self.api
            .expect(
                Method::PATCH,
                &path,
                "application/json-patch+json",
                Some(body),
                &[StatusCode::OK],
            )
            .await?;
        tracing::info!(
            webhooks = ops.len() / 2,
            "caBundle patched into {}",
            self.cfg.webhook_config
        );
        Ok(())
    }
}

/// Renew when a third of the lifetime is left.
fn renew_at(not_after: i64, lifetime: i64) -> i64 {
    not_after - lifetime / 3
}

fn decode(secret: &Value) -> Option<Material> {
    let data: BTreeMap<String, String> = serde_json::from_value(secret["data"].clone()).ok()?;
    let get = |k: &str| -> Option<String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.get(k)?)
            .ok()?;
        String::from_utf8(bytes).ok()
    };
    let state: State = serde_json::from_str(&get(STATE_KEY)?).ok()?;
    let leaf = Leaf {
        cert_pem: get(CERT_KEY)?,
        key_pem: get(KEY_KEY)?,
        not_after: state.cert_not_after,
    };
    Some(Material { state, leaf })
}

fn json_err(e: serde_json::Error) -> TlsError {
    TlsError::Pem(format!("JSON: {e}"))
}
