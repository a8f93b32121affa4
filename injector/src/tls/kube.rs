//! A minimal Kubernetes API client: HTTPS with the pod's service-account token, one
//! connection per call. It serves the certificate loop only (a few calls a minute), never
//! the admission path, so connection reuse is not worth a pool.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use thiserror::Error;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Where a pod finds its service-account credentials.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// Bound on one API call, connection included.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// An API call failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KubeError {
    /// Not running in a pod, or the service-account files are unreadable.
    #[error("in-cluster configuration: {0}")]
    Config(String),
    /// Connection, TLS or HTTP failure.
    #[error("API request {method} {path}: {reason}")]
    Transport {
        /// Method.
        method: Method,
        /// Path.
        path: String,
        /// What failed.
        reason: String,
    },
    /// The API server answered with an unexpected status.
    #[error("API request {method} {path}: HTTP {status}: {body}")]
    Status {
        /// Method.
        method: Method,
        /// Path.
        path: String,
        /// Status.
        status: StatusCode,
        /// Start of the body (the API's Status message).
        body: String,
    },
}

/// HTTPS client for one API server.
#[derive(Clone)]
pub struct ApiClient {
    authority: String,
    server_name: ServerName<'static>,
    connector: TlsConnector,
    token_file: PathBuf,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// The in-cluster API server, from `KUBERNETES_SERVICE_HOST`/`_PORT` and the
    /// service-account CA and token.
    pub fn in_cluster() -> Result<ApiClient, KubeError> {
        let host = std::env::var("KUBERNETES_SERVICE_HOST")
            .map_err(|_| KubeError::Config("KUBERNETES_SERVICE_HOST is not set".to_owned()))?;
        let port = std::env::var("KUBERNETES_SERVICE_PORT").unwrap_or_else(|_| "443".to_owned());
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host
        };
        let ca_path = format!("{SERVICE_ACCOUNT_DIR}/ca.crt");
        let ca =
            std::fs::read(&ca_path).map_err(|e| KubeError::Config(format!("{ca_path}: {e}")))?;
        ApiClient::new(
            &format!("https://{host}:{port}"),
            &ca,
            format!("{SERVICE_ACCOUNT_DIR}/token").into(),
        )
    }

    /// A client for `url` (`https://host:port`) trusting the PEM CAs in `ca_pem`, sending
    /// the token read from `token_file` (re-read per call: the kubelet rotates it).
    pub fn new(url: &str, ca_pem: &[u8], token_file: PathBuf) -> Result<ApiClient, KubeError> {
        let uri: Uri = url
            .parse()
            .map_err(|e| KubeError::Config(format!("API URL {url}: {e}")))?;
        if uri.scheme_str() != Some("https") {
            return Err(KubeError::Config(format!("API URL {url} must be https")));
        }
        let host = uri
            .host()
            .ok_or_else(|| KubeError::Config(format!("API URL {url} has no host")))?;
        let port = uri.port_u16().unwrap_or(443);
        let bare = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let server_name = ServerName::try_from(bare)
            .map_err(|e| KubeError::Config(format!("API host {host}: {e}")))?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem) {
            let cert = cert.map_err(|e| KubeError::Config(format!("API CA: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| KubeError::Config(format!("API CA: {e}")))?;
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| KubeError::Config(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(ApiClient {
            authority: format!("{host}:{port}"),
            server_name,
            connector: TlsConnector::from(Arc::new(config)),
            token_file,
        })
    }

    /// Sends one request; returns the status and body for any status (callers decide
    /// which are expected, e.g. 404 or 409).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Bytes), KubeError> {
        let transport = |reason: String| KubeError::Transport {
            method: method.clone(),
            path: path.to_owned(),
            reason,
        };
        let work = async {
            let token = tokio::fs::read_to_string(&self.token_file)
                .await
                .map_err(|e| transport(format!("token {}: {e}", self.token_file.display())))?;
            let tcp = TcpStream::connect(&self.authority)
                .await
                .map_err(|e| transport(e.to_string()))?;
            let tls = self
                .connector
                .connect(self.server_name.clone(), tcp)
                .await
                .map_err(|e| transport(e.to_string()))?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
                .await
                .map_err(|e| transport(e.to_string()))?;
            tokio::spawn(async move {
                // The connection ends with the call; its error, if any, shows in the call.
                let _ = conn.await;
            });
            let request = Request::builder()
                .method(method.clone())
                .uri(path)
                .header(http::header::HOST, &self.authority)
                .header(
                    http::header::AUTHORIZATION,
                    format!("Bearer {}", token.trim()),
                )
                .header(http::header::ACCEPT, "application/json")
                .header(http::header::CONTENT_TYPE, content_type)
                .body(Full::new(Bytes::from(body.unwrap_or_default())))
                .map_err(|e| transport(e.to_string()))?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| transport(e.to_string()))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| transport(e.to_string()))?
                .to_bytes();
            Ok((status, body))
        };
        tokio::time::timeout(CALL_TIMEOUT, work)
            .await
            .map_err(|_| transport("timed out".to_owned()))?
    }

    /// Like [`ApiClient::call`], but any status outside `expected` is an error.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Option<Vec<u8>>,
        expected: &[StatusCode],
    ) -> Result<(StatusCode, Bytes), KubeError> {
        let (status, bytes) = self.call(method.clone(), path, content_type, body).await?;
        if expected.contains(&status) {
            Ok((status, bytes))
        } else {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned();
            Err(KubeError::Status {
                method,
                path: path.to_owned(),
                status,
                body: text,
            })
        }
    }

    /// `GET path`, whose answer must be 200: its body.
    pub async fn get_ok(&self, path: &str) -> Result<Bytes, KubeError> {
        let (_, body) = self
            .expect(
                Method::GET,
                path,
                "application/json",
                None,
                &[StatusCode::OK],
            )
            .await?;
        Ok(body)
    }
}
