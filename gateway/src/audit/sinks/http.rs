//! What the HTTP sinks (webhook, Elasticsearch, Loki) share: where to send, the headers to
//! send along, and a client that trusts the system's CAs (plus an optional bundle).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::Deserialize;

use super::error::BuildError;
use crate::audit::sink::SendError;

/// The receiver of an HTTP sink (the `url`, `auth_header*`, `headers`, `ca_file` keys).
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpOptions {
    /// Where batches are POSTed (`http://` or `https://`).
    pub url: String,
    /// `Authorization` header value, e.g. `Bearer TOKEN` (prefer `auth_header_file`).
    #[serde(default)]
    pub auth_header: Option<String>,
    /// A file holding the `Authorization` value (read at start, trailing newline trimmed).
    #[serde(default)]
    pub auth_header_file: Option<PathBuf>,
    /// More headers sent with every batch.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// PEM CA bundle trusted besides the system's store.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for HttpOptions {
    // The auth header is a secret: never in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("url", &self.url)
            .field(
                "auth_header",
                &self.auth_header.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_header_file", &self.auth_header_file)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// A receiver ready to POST to.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    client: reqwest::Client,
    url: reqwest::Url,
    headers: HeaderMap,
}

/// A receiver's answer: its status and body.
#[derive(Debug)]
pub struct HttpReply {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: bytes::Bytes,
}

impl HttpTarget {
    /// The client and headers for `options`; `url` is the path to POST to.
    pub fn new(options: &HttpOptions, url: &str, timeout: Duration) -> Result<Self, BuildError> {
        let parsed = reqwest::Url::parse(url).map_err(|e| BuildError::Url {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(BuildError::Url {
                url: url.to_string(),
                reason: "expected http:// or https://".into(),
            });
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &options.headers {
            let bad = || BuildError::Header { name: name.clone() };
            let name_ = HeaderName::try_from(name.as_str()).map_err(|_| bad())?;
            headers.insert(
                name_,
                HeaderValue::try_from(value.as_str()).map_err(|_| bad())?,
            );
        }
        if let Some(auth) = auth_value(options)? {
            let mut value = HeaderValue::try_from(auth).map_err(|_| BuildError::Header {
                name: "authorization".into(),
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(options.ca_file.as_ref())?)
            .timeout(timeout)
            .connect_timeout(timeout)
            .no_proxy()
            .build()
            .map_err(|e| BuildError::Tls(e.to_string()))?;
        Ok(HttpTarget {
            client,
            url: parsed,
            headers,
        })
    }

    /// POSTs `body`; a transport failure (refused, reset, timeout) is retryable.
    pub async fn post(
        &self,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<HttpReply, SendError> {
        let reply = self
            .client
            .post(self.url.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Retryable(e.to_string()))?;
        let status = reply.status().as_u16();
        let body = reply
            .bytes()
            .await
            .map_err(|e| SendError::Retryable(e.to_string()))?;
        Ok(HttpReply { status, body })
    }
}

fn auth_value(options: &HttpOptions) -> Result<Option<String>, BuildError> {
    if let Some(path) = &options.auth_header_file {
        let text = std::fs::read_to_string(path).map_err(|source| BuildError::File {
            setting: "auth_header_file",
            path: path.clone(),
            source,
        })?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()));
    }
    Ok(options.auth_header.clone())
}

/// rustls on the ring provider (the one pingora uses), trusting the system's CAs and
/// `ca_file`.
fn tls_config(ca_file: Option<&PathBuf>) -> Result<rustls::ClientConfig, BuildError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        let bad = |e: String| BuildError::File {
            setting: "ca_file",
            path: path.clone(),
            source: std::io::Error::other(e),
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
    } else if added == 0 {
        tracing::debug!("sink: no system CA certificates found; https receivers will fail");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
