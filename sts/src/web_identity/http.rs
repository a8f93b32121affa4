//! HTTP for providers: building a client that trusts a CA bundle, and bounded GETs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;

use super::error::ConfigError;

/// A client on rustls with ring (the provider the gateway uses), trusting the system's CAs
/// and `ca_bundle`.
pub(super) fn build_client(
    ca_bundle: Option<&Path>,
    timeout: Duration,
) -> Result<reqwest::Client, ConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_bundle {
        let bad = |reason: String| ConfigError::CaBundle {
            path: path.to_path_buf(),
            reason,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("no certificate in the file".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| bad(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::HttpClient(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .connect_timeout(timeout)
        // Keys must come from where the configuration says, never via a proxy's answer.
        .no_proxy()
        .build()
        .map_err(|e| ConfigError::HttpClient(e.to_string()))
}

/// The body of `GET url` when it answers 200, read up to `max_bytes`.
pub(super) async fn get_bounded(
    client: &reqwest::Client,
    url: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, String> {
    let mut reply = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| format!("GET {url}: {}", with_causes(&e)))?;
    if reply.status() != reqwest::StatusCode::OK {
        return Err(format!("GET {url}: HTTP {}", reply.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = reply
        .chunk()
        .await
        .map_err(|e| format!("GET {url}: {}", with_causes(&e)))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(format!("GET {url}: body over {max_bytes} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error and its causes on one line: reqwest's own message leaves out why it failed.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
