//! Admission latency: how long the webhook takes to answer a pod that gets injected.
//!
//! Starts the HTTPS webhook in-process on a random port, sends `N` AdmissionReviews (the
//! StatefulSet pod of the tests, six volumes) over one keep-alive HTTPS connection, as the
//! API server does, and prints percentiles of the client-side round trip, plus the same
//! for the bare `admission::review` call (wall clock and on-CPU time). No assertion: this
//! is a measurement.
//!
//!     cargo run -p strata-injector --example admission_latency [-- N]

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::json;
use strata_injector::admission;
use strata_injector::config::InjectorConfig;
use strata_injector::metrics::Metrics;
use strata_injector::server::Server;
use strata_injector::tls::store::CertStore;
use strata_injector::tls::{ca, unix_now};

fn review() -> Vec<u8> {
    let claim = |n: &str| json!({"name": n, "persistentVolumeClaim": {"claimName": format!("{n}-reports-0")}});
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "reports-0", "labels": {"strata.io/inject": "true"}, "annotations": {
            "strata.io/volumes": "fast=nvme-0,nvme-1,nvme-2,nvme-3; bulk=hdd-0,hdd-1",
            "strata.io/erasure": "fast=2+2; bulk=mirror", "strata.io/buckets": "uploads,reports"}},
        "spec": {"containers": [{"name": "app", "image": "example.org/app:1"}],
                 "volumes": [claim("nvme-0"), claim("nvme-1"), claim("nvme-2"), claim("nvme-3"), claim("hdd-0"), claim("hdd-1")]}
    });
    let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "bench", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "operation": "CREATE",
        "namespace": "demo", "object": pod}});
    serde_json::to_vec(&review).unwrap_or_default()
}

/// This thread's on-CPU time (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid, exclusively borrowed `ts`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| {
        Duration::new(
            u64::try_from(ts.tv_sec).unwrap_or_default(),
            u32::try_from(ts.tv_nsec).unwrap_or_default(),
        )
    })
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{what}: n={} p50={:?} p90={:?} p99={:?} p99.9={:?} max={:?}",
        samples.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(0.999),
        samples[samples.len() - 1]
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let body = review();
    let cfg = InjectorConfig::default();

    let mut bare = Vec::with_capacity(n);
    let mut on_cpu = Vec::with_capacity(n);
    for _ in 0..n {
        let cpu = thread_cpu();
        let t = Instant::now();
        let (out, _) = admission::review(&body, &cfg)?;
        bare.push(t.elapsed());
        if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
            on_cpu.push(after.saturating_sub(before));
        }
        std::hint::black_box(out);
    }
    report("admission::review (in-process, wall clock)", bare);
    if !on_cpu.is_empty() {
        // On a shared machine the wall clock includes time spent waiting for a core;
        // on-CPU time is what the code itself costs.
        report("admission::review (in-process, on-CPU time)", on_cpu);
    }

    let now = unix_now();
    let authority = ca::new_authority(now, 3600)?;
    let leaf = ca::issue_leaf(&authority, &["localhost".to_owned()], now, 3600)?;
    let store = Arc::new(CertStore::new(Arc::new(Metrics::default())));
    store.load_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes(), None)?;
    let server = Server::bind("127.0.0.1:0", cfg, store, Arc::new(Metrics::default())).await?;
    let addr = server.local_addr()?;
    tokio::spawn(server.run(std::future::pending()));

    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(authority.cert_pem.as_bytes()) {
        roots.add(cert?)?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
        .connect(ServerName::try_from("localhost")?, tcp)
        .await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut https = Vec::with_capacity(n);
    for _ in 0..n {
        let request = http::Request::post("/mutate")
            .header(http::header::HOST, "localhost")
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.clone())))?;
        let t = Instant::now();
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let bytes = response.into_body().collect().await?.to_bytes();
        https.push(t.elapsed());
        std::hint::black_box(bytes);
    }
    report("POST /mutate over HTTPS keep-alive (round trip)", https);
    Ok(())
}
