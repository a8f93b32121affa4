//! The HTTP side: the target endpoint (and the loopback guard), TLS, a keep-alive connection
//! pool on hyper-util's client, and sending one request with its response drained.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Uri};
use http_body_util::BodyExt;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::body::ReqBody;

/// Why the client could not be built or a request could not be completed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The endpoint is not an absolute `http://` or `https://` URL with a host.
    #[error("invalid endpoint {0:?}: expected http://HOST:PORT or https://HOST:PORT")]
    Endpoint(String),
    /// The endpoint is not on this machine and `--allow-remote` was not given.
    #[error(
        "refusing endpoint host {0:?}: not a loopback address (pass --allow-remote to override)"
    )]
    Remote(String),
    /// The CA file could not be read or holds no certificate.
    #[error("cannot load CA certificates from {path}: {reason}")]
    CaCert {
        /// The file given with `--ca-cert`.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
    /// A request URL or header could not be built (a bucket or key with odd characters).
    #[error("building request: {0}")]
    Request(#[from] http::Error),
    /// Connecting, sending or receiving failed.
    #[error("transport: {0}")]
    Transport(String),
    /// The request did not finish within the per-request timeout.
    #[error("request timed out")]
    Timeout,
}

/// Where requests go and how they are addressed.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http` or `https`.
    pub scheme: String,
    /// `host:port` as given, used in every request URI.
    pub authority: String,
    /// Host name (without brackets or port), for virtual-host names.
    pub host: String,
    /// Port if given explicitly.
    pub port: Option<u16>,
    /// Address buckets as `BUCKET.DOMAIN` instead of `/BUCKET/`.
    pub virtual_host: Option<String>,
}

impl Target {
    /// Parses `endpoint` and applies the loopback guard.
    pub fn parse(
        endpoint: &str,
        allow_remote: bool,
        virtual_host_domain: Option<String>,
    ) -> Result<Self, ClientError> {
        let bad = || ClientError::Endpoint(endpoint.to_string());
        let uri: Uri = endpoint.trim_end_matches('/').parse().map_err(|_| bad())?;
        let scheme = uri.scheme_str().ok_or_else(bad)?.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad());
        }
        let authority = uri.authority().ok_or_else(bad)?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if !allow_remote && !is_loopback(&host) {
            return Err(ClientError::Remote(host));
        }
        let virtual_host = virtual_host_domain.map(|d| if d.is_empty() { host.clone() } else { d });
        Ok(Target {
            scheme,
            authority: authority.as_str().to_string(),
            host,
            port: authority.port_u16(),
            virtual_host,
        })
    }

    /// The `Host` header for a request to `bucket` (or to the service when `None`).
    pub fn host_header(&self, bucket: Option<&str>) -> String {
        match (&self.virtual_host, bucket) {
            (Some(domain), Some(b)) => match self.port {
                Some(p) => format!("{b}.{domain}:{p}"),
                None => format!("{b}.{domain}"),
            },
            _ => self.authority.clone(),
        }
    }

    /// The request path for `bucket`/`key`; `key` must already be URI-encoded.
    pub fn path(&self, bucket: Option<&str>, encoded_key: Option<&str>) -> String {
        let key = encoded_key.unwrap_or("");
        match (bucket, self.virtual_host.is_some()) {
            (None, _) => "/".to_string(),
            (Some(_), true) => format!("/{key}"),
            (Some(b), false) if key.is_empty() => format!("/{b}"),
            (Some(b), false) => format!("/{b}/{key}"),
        }
    }
}

/// Whether `host` names this machine: `localhost` or a loopback IP (127.0.0.0/8, ::1).
pub fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// TLS choices for `https://` endpoints.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Trust only the certificates in this PEM file.
    pub ca_cert: Option<PathBuf>,
    /// Accept any server certificate (self-signed test servers).
    pub insecure: bool,
}

/// What came back for one request.
#[derive(Debug, Default)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Response body bytes received (drained, not kept, unless `body` was asked for).
    pub received: u64,
    /// The S3 error code from an error body, if any.
    pub code: Option<String>,
    /// The response body, kept only when the caller asked for it (XML replies).
    pub body: Option<Bytes>,
    /// Response headers (ETag of an uploaded part).
    pub headers: HeaderMap,
}

impl Reply {
    /// 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A pooled HTTP/1.1 client for plain and TLS endpoints.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, ReqBody>,
    timeout: Duration,
}

impl HttpClient {
    /// Builds the client; `pool` bounds idle keep-alive connections (one per worker is enough).
    pub fn new(tls: &TlsOptions, pool: usize, timeout: Duration) -> Result<Self, ClientError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let config = if tls.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
                .with_no_client_auth()
        } else {
            builder
                .with_root_certificates(root_store(tls.ca_cert.as_ref())?)
                .with_no_client_auth()
        };
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        // Small requests must not wait for Nagle's algorithm.
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let inner = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(pool.max(1))
            .pool_idle_timeout(Duration::from_secs(90))
            // Every request carries the Host header it was signed with.
            .set_host(false)
            .build(connector);
        Ok(HttpClient { inner, timeout })
    }

    /// Sends `req`; the body is drained (counted, not kept) unless `keep_body` or the status
    /// is an error, in which case it is collected to read the S3 error code.
    pub async fn send(&self, req: Request<ReqBody>, keep_body: bool) -> Result<Reply, ClientError> {
        match tokio::time::timeout(self.timeout, self.exchange(req, keep_body)).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout),
        }
    }

    async fn exchange(&self, req: Request<ReqBody>, keep_body: bool) -> Result<Reply, ClientError> {
        let is_head = req.method() == http::Method::HEAD;
        let resp = self
            .inner
            .request(req)
            .await
            .map_err(|e| ClientError::Transport(error_chain(&e)))?;
        let (parts, mut body) = resp.into_parts();
        let status = parts.status.as_u16();
        let mut reply = Reply {
            status,
            headers: parts.headers,
            ..Reply::default()
        };
        let is_error = !(200..300).contains(&status);
        if keep_body || (is_error && !is_head) {
            let data = body
                .collect()
                .await
                .map_err(|e| ClientError::Transport(error_chain(&e)))?
                .to_bytes();
            reply.received = data.len() as u64;
            if is_error {
                reply.code = crate::xml::error_code(&data);
            }
            reply.body = Some(data);
        } else {
            // Drain frame by frame: each frame is dropped after counting, nothing is copied.
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| ClientError::Transport(error_chain(&e)))?;
                if let Some(data) = frame.data_ref() {
                    reply.received += data.len() as u64;
                }
            }
        }
        Ok(reply)
    }
}

/// An error with its sources, because hyper's top-level messages ("client error (Connect)")
/// hide the cause.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

fn root_store(ca: Option<&PathBuf>) -> Result<rustls::RootCertStore, ClientError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca {
        Some(path) => {
            let err = |reason: String| ClientError::CaCert {
                path: path.clone(),
                reason,
            };
            let certs = CertificateDer::pem_file_iter(path).map_err(|e| err(e.to_string()))?;
            for cert in certs {
                let cert = cert.map_err(|e| err(e.to_string()))?;
                roots.add(cert).map_err(|e| err(e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(err("no certificate in file".to_string()));
            }
        }
        None => {
            // System roots; unreadable ones are skipped, as a browser would.
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = roots.add(cert);
            }
        }
    }
    Ok(roots)
}

/// `--insecure`: accepts any certificate but still checks the handshake signatures, so the
/// connection is encrypted to whoever answers.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
