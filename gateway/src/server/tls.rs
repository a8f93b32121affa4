//! The TLS listener's certificate: from PEM files (reloaded when they change, e.g. when
//! cert-manager renews the Secret) or self-signed with rcgen when no files are given.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pingora::tls::sign::CertifiedKey;

use crate::metrics::TlsExpiry;
use pingora::tls::{
    install_default_crypto_provider, ClientHello, CryptoProvider, PrivateKeyDer, ResolvesServerCert,
};

/// How often the files' modification times are looked at (at most once per handshake).
const RELOAD_CHECK: Duration = Duration::from_secs(2);

/// Why a certificate could not be loaded or made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The PEM files are unreadable or hold no certificate / key.
    #[error("--tls-cert/--tls-key: {0}")]
    Files(String),
    /// rcgen could not make a certificate.
    #[error("self-signed certificate: {0}")]
    SelfSigned(String),
    /// rustls refused the key.
    #[error("certificate key: {0}")]
    Key(String),
}

/// Serves the current certificate and swaps in a new one when the files change.
#[derive(Debug)]
pub struct CertResolver {
    files: Option<(PathBuf, PathBuf)>,
    current: RwLock<(Option<SystemTime>, Arc<CertifiedKey>)>,
    last_check: AtomicU64,
    expiry: TlsExpiry,
}

impl CertResolver {
    /// Loads the files now (a bad file fails the start), or makes a self-signed certificate.
    /// `expiry` follows the served certificate's notAfter.
    pub fn new(files: Option<(PathBuf, PathBuf)>, expiry: TlsExpiry) -> Result<Self, TlsError> {
        install_default_crypto_provider();
        let (stamp, key) = match &files {
            Some((cert, key)) => (modified(cert, key), load(cert, key)?),
            None => (None, self_signed()?),
        };
        expiry.set(not_after(&key));
        Ok(CertResolver {
            files,
            current: RwLock::new((stamp, Arc::new(key))),
            last_check: AtomicU64::new(now_secs()),
            expiry,
        })
    }

    fn maybe_reload(&self) {
        let Some((cert, key)) = &self.files else {
            return;
        };
        let now = now_secs();
        let last = self.last_check.load(Ordering::Relaxed);
        if now < last + RELOAD_CHECK.as_secs()
            || self
                .last_check
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let stamp = modified(cert, key);
        let unchanged = self.current.read().map(|c| c.0 == stamp).unwrap_or(true);
        if unchanged {
            return;
        }
        // A half-written renewal fails to parse; keep serving the old one until it settles.
        match load(cert, key) {
            Ok(new) => {
                self.expiry.set(not_after(&new));
                if let Ok(mut cur) = self.current.write() {
                    *cur = (stamp, Arc::new(new));
                    tracing::info!(cert = %cert.display(), "TLS certificate reloaded");
                }
            }
            Err(e) => tracing::warn!(error = %e, "TLS certificate changed but does not load yet"),
        }
    }
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.maybe_reload();
        self.current.read().ok().map(|c| c.1.clone())
    }
}

/// The leaf certificate's notAfter in unix seconds (0 if it does not parse; rustls accepted
/// it, so that does not happen in practice).
fn not_after(key: &CertifiedKey) -> i64 {
    key.cert
        .first()
        .and_then(|der| x509_parser::parse_x509_certificate(der).ok())
        .map_or(0, |(_, cert)| cert.validity().not_after.timestamp())
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The later of the two files' modification times.
fn modified(cert: &Path, key: &Path) -> Option<SystemTime> {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    m(cert).max(m(key))
}

fn provider() -> Result<&'static Arc<CryptoProvider>, TlsError> {
    CryptoProvider::get_default().ok_or_else(|| TlsError::Key("no rustls crypto provider".into()))
}

fn load(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let (c, k) = (cert.display().to_string(), key.display().to_string());
    let (chain, key) = pingora::tls::load_certs_and_key_files(&c, &k)
        .map_err(|e| TlsError::Files(e.to_string()))?
        .ok_or_else(|| TlsError::Files(format!("no certificate in {c} or no key in {k}")))?;
    let chain = chain.into_iter().map(|c| c.into_owned()).collect();
    CertifiedKey::from_der(chain, key.clone_key(), provider()?)
        .map_err(|e| TlsError::Key(e.to_string()))
}

fn self_signed() -> Result<CertifiedKey, TlsError> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let made = rcgen::generate_simple_self_signed(names)
        .map_err(|e| TlsError::SelfSigned(e.to_string()))?;
    let key = PrivateKeyDer::try_from(made.signing_key.serialize_der())
        .map_err(|e| TlsError::SelfSigned(e.to_string()))?;
    CertifiedKey::from_der(vec![made.cert.der().clone()], key, provider()?)
        .map_err(|e| TlsError::Key(e.to_string()))
}
