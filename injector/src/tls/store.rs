//! The serving certificate, swappable while connections are being accepted: both the
//! file watcher and the self-managed loop replace it here, and each new handshake picks up
//! the current one. Established connections keep theirs, which is what rotation needs.

use std::sync::{Arc, RwLock};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::metrics::Metrics;
use crate::tls::TlsError;

/// Current serving certificate, shared by the TLS acceptor and whoever renews it.
#[derive(Debug)]
pub struct CertStore {
    current: RwLock<Option<Arc<Loaded>>>,
    metrics: Arc<Metrics>,
}

#[derive(Debug)]
struct Loaded {
    key: Arc<CertifiedKey>,
    cert_pem: Vec<u8>,
}

impl CertStore {
    /// An empty store; handshakes fail until [`CertStore::load_pem`] succeeds.
    pub fn new(metrics: Arc<Metrics>) -> CertStore {
        CertStore {
            current: RwLock::new(None),
            metrics,
        }
    }

    /// Replaces the certificate with a PEM chain and key, unless they equal the current
    /// ones. Returns whether it changed. On error the current certificate stays.
    pub fn load_pem(
        &self,
        cert_pem: &[u8],
        key_pem: &[u8],
        not_after: Option<i64>,
    ) -> Result<bool, TlsError> {
        if self.read().is_some_and(|l| l.cert_pem == cert_pem) {
            return Ok(false);
        }
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<_, _>>()
            .map_err(|e| TlsError::Pem(format!("certificate: {e}")))?;
        if chain.is_empty() {
            return Err(TlsError::Pem(
                "certificate: no CERTIFICATE block".to_owned(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| TlsError::Pem(format!("key: {e}")))?;
        let signer =
            rustls::crypto::ring::sign::any_supported_type(&key).map_err(TlsError::Rustls)?;
        let certified = CertifiedKey::new(chain, signer);
        // A key that does not match the certificate would fail every handshake later;
        // refuse it now and keep serving the old pair.
        certified.keys_match().map_err(TlsError::Rustls)?;
        let loaded = Arc::new(Loaded {
            key: Arc::new(certified),
            cert_pem: cert_pem.to_vec(),
        });
        match self.current.write() {
            Ok(mut slot) => *slot = Some(loaded),
            Err(poisoned) => *poisoned.into_inner() = Some(loaded),
        }
        self.metrics
            .certificate_loaded(not_after.unwrap_or_default());
        Ok(true)
    }

    /// Whether a certificate is loaded (the injector is ready only then).
    pub fn is_loaded(&self) -> bool {
        self.read().is_some()
    }

    fn read(&self) -> Option<Arc<Loaded>> {
        match self.current.read() {
            Ok(slot) => slot.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.read().map(|l| l.key.clone())
    }
}

/// A rustls server config that serves whatever `store` holds, HTTP/1.1 only.
pub fn server_config(store: Arc<CertStore>) -> Result<rustls::ServerConfig, TlsError> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(TlsError::Rustls)?
    .with_no_client_auth()
    .with_cert_resolver(store);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
