//! The serving certificate: self-managed (own CA, renewal, CA rotation, caBundle kept in
//! the webhook configuration, shared by replicas through a Secret) and cert-manager files
//! (reloaded when they change).
//!
//! The self-managed loop talks to the Kubernetes API. No API server runs on this machine,
//! so these tests use a FAKE (`common/fake_api.rs`): a small HTTPS server that implements
//! only the endpoints the injector uses.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::fake_api::FakeApi;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use strata_injector::config::InjectorConfig;
use strata_injector::metrics::Metrics;
use strata_injector::server::Server;
use strata_injector::tls::managed::{ManagedConfig, Manager};
use strata_injector::tls::store::CertStore;
use strata_injector::tls::{ca, files, unix_now};

fn managed(cert_lifetime: u64, ca_lifetime: u64) -> ManagedConfig {
    ManagedConfig {
        namespace: "strata-system".to_owned(),
        secret: "strata-injector-tls".to_owned(),
        webhook_config: "strata-injector".to_owned(),
        // The certificate always covers the bare service name; naming the service
        // "localhost" lets the test connect to 127.0.0.1 and verify it.
        service: "localhost".to_owned(),
        ca_lifetime: Duration::from_secs(ca_lifetime),
        cert_lifetime: Duration::from_secs(cert_lifetime),
        resync: Duration::from_millis(100),
    }
}

/// A webhook server on a random port serving whatever `store` holds.
async fn webhook_on(store: Arc<CertStore>) -> SocketAddr {
    let server = Server::bind(
        "127.0.0.1:0",
        InjectorConfig::default(),
        store,
        Arc::new(Metrics::default()),
    )
    .await
    .expect("bind");
    let addr = server.local_addr().expect("addr");
    tokio::spawn(server.run(std::future::pending()));
    addr
}

/// Handshakes with `addr` trusting only `bundle_pem`; returns the served leaf (DER).
async fn served_cert(addr: SocketAddr, bundle_pem: &str) -> Result<Vec<u8>, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(bundle_pem.as_bytes()) {
        roots
            .add(cert.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    let (_, conn) = tls.get_ref();
    Ok(conn
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .unwrap_or_default())
}

async fn eventually<T>(
    what: &str,
    timeout: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn pem_count(bundle: &str) -> usize {
    bundle.matches("BEGIN CERTIFICATE").count()
}

#[tokio::test]
async fn first_start_creates_the_secret_patches_every_ca_bundle_and_serves_a_trusted_certificate() {
    let api = FakeApi::start().await;
    let store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
    Manager::new(api.client(), managed(3600, 36_000), store.clone())
        .reconcile()
        .await
        .expect("reconcile");
    assert!(
        api.state.lock().expect("lock").secret.is_some(),
        "Secret created"
    );
    let bundles = api.bundles();
    assert_eq!(bundles.len(), 2);
    assert_eq!(
        bundles[0], bundles[1],
        "every webhook of the configuration gets the bundle"
    );
    assert_eq!(pem_count(&bundles[0]), 1);
    let addr = webhook_on(store).await;
    served_cert(addr, &bundles[0])
        .await
        .expect("the webhook's certificate verifies against the patched caBundle");
}

#[tokio::test]
async fn a_reset_ca_bundle_is_patched_back_on_the_next_resync() {
    let api = FakeApi::start().await;
    let store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
    let loop_task = tokio::spawn(Manager::new(api.client(), managed(3600, 36_000), store).run());
    let good = eventually("initial caBundle", Duration::from_secs(10), async || {
        api.bundles().first().filter(|b| pem_count(b) == 1).cloned()
    })
    .await;
    api.reset_bundle();
    eventually("caBundle restored", Duration::from_secs(10), async || {
        (api.bundles()[0] == good).then_some(())
    })
    .await;
    loop_task.abort();
}

#[tokio::test]
async fn the_serving_certificate_is_renewed_before_expiry_without_a_restart() {
    let api = FakeApi::start().await;
    let store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
    // 3 s certificates are renewed with a third (1 s) left.
    let loop_task =
        tokio::spawn(Manager::new(api.client(), managed(3, 36_000), store.clone()).run());
    let bundle = eventually("caBundle", Duration::from_secs(10), async || {
        api.bundles().first().filter(|b| pem_count(b) == 1).cloned()
    })
    .await;
    let addr = webhook_on(store).await;
    let first = served_cert(addr, &bundle).await.expect("first certificate");
    let second = eventually(
        "a renewed certificate",
        Duration::from_secs(10),
        async || {
            served_cert(addr, &bundle)
                .await
                .ok()
                .filter(|c| *c != first)
        },
    )
    .await;
    assert_ne!(first, second);
    assert_eq!(
        api.bundles()[0],
        bundle,
        "renewing the certificate keeps the CA"
    );
    loop_task.abort();
}

#[tokio::test]
async fn ca_rotation_keeps_the_old_ca_in_the_bundle_until_it_expires() {
    let api = FakeApi::start().await;
    let store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
    // A 6 s CA is rotated with 2 s left; the retired CA stays until its own expiry.
    let loop_task = tokio::spawn(Manager::new(api.client(), managed(3, 6), store.clone()).run());
    let original = eventually("caBundle", Duration::from_secs(10), async || {
        api.bundles().first().filter(|b| pem_count(b) == 1).cloned()
    })
    .await;
    let addr = webhook_on(store).await;
    let rolled = eventually(
        "a bundle with the new and the old CA",
        Duration::from_secs(15),
        async || api.bundles().first().filter(|b| pem_count(b) == 2).cloned(),
    )
    .await;
    assert!(
        rolled.ends_with(&original),
        "the old CA is kept after the new one"
    );
    served_cert(addr, &rolled)
        .await
        .expect("served certificate verifies against the rolled bundle");
    let old_only = original.clone();
    eventually(
        "the expired CA leaves the bundle",
        Duration::from_secs(15),
        async || {
            api.bundles()
                .first()
                .filter(|b| pem_count(b) == 1 && **b != old_only)
                .cloned()
        },
    )
    .await;
    loop_task.abort();
}

#[tokio::test]
async fn without_a_webhook_configuration_the_first_certificate_is_still_served_and_the_pass_fails()
{
    let api = FakeApi::start().await;
    api.state.lock().expect("lock").webhook = Value::Null;
    let store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
    let result = Manager::new(api.client(), managed(3600, 36_000), store.clone())
        .reconcile()
        .await;
    assert!(
        result.is_err(),
        "a missing MutatingWebhookConfiguration is an error to retry"
    );
    assert!(
        store.is_loaded(),
        "but the injector can become ready with its first certificate"
    );
}

#[tokio::test]
async fn two_replicas_share_one_ca_through_the_secret() {
    let api = FakeApi::start().await;
    let (a, b) = (
        Arc::new(CertStore::new(Arc::new(Metrics::default()))),
        Arc::new(CertStore::new(Arc::new(Metrics::default()))),
    );
    let (ma, mb) = (
        Manager::new(api.client(), managed(3600, 36_000), a.clone()),
        Manager::new(api.client(), managed(3600, 36_000), b.clone()),
    );
    let (ra, rb) = tokio::join!(ma.reconcile(), mb.reconcile());
    ra.expect("replica a");
    rb.expect("replica b");
    assert_eq!(
        api.state.lock().expect("lock").secret_writes,
        1,
        "one Secret, written once"
    );
    let bundle = api.bundles()[0].clone();
    let (ca_, cb) = (webhook_on(a).await, webhook_on(b).await);
    assert_eq!(
        served_cert(ca_, &bundle).await,
        served_cert(cb, &bundle).await,
        "both serve the same certificate"
    );
}

#[tokio::test]
async fn certificate_files_are_reloaded_when_they_change_and_bad_files_keep_the_old_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    let now = unix_now();
    let authority = ca::new_authority(now, 3600).expect("CA");
    let write = |leaf: &ca::Leaf| {
        std::fs::write(&cert, &leaf.cert_pem).expect("cert");
        std::fs::write(&key, &leaf.key_pem).expect("key");
    };
    write(&ca::issue_leaf(&authority, &["localhost".to_owned()], now, 3600).expect("leaf"));
    let store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
    files::load(&store, &cert, &key).expect("initial load");
    let watcher = tokio::spawn(files::watch(
        store.clone(),
        cert.clone(),
        key.clone(),
        Duration::from_millis(100),
    ));
    let addr = webhook_on(store).await;
    let first = served_cert(addr, &authority.cert_pem).await.expect("first");

    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n",
    )
    .expect("garbage");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        served_cert(addr, &authority.cert_pem)
            .await
            .expect("still served"),
        first,
        "a bad key keeps the old pair"
    );

    write(&ca::issue_leaf(&authority, &["localhost".to_owned()], now, 3600).expect("leaf"));
    eventually(
        "reloaded certificate",
        Duration::from_secs(10),
        async || {
            served_cert(addr, &authority.cert_pem)
                .await
                .ok()
                .filter(|c| *c != first)
        },
    )
    .await;
    watcher.abort();
}
