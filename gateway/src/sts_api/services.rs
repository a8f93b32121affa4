//! What the STS actions need beyond the identity store: the sealer of session tokens, the
//! verifier of web-identity tokens and the LDAP directory.

use std::sync::Arc;

use strata_sts::session::SessionSealer;
use strata_sts::web_identity::{ConfigError, VerifierConfig, WebIdentityVerifier};

use crate::config::StsConfig;
use crate::ldap::Directory;
use crate::metrics::IdentityMetrics;

/// The STS engines, built once at start.
pub struct StsServices {
    /// Seals new sessions (the request path opens them with the same keyring).
    pub sealer: Arc<SessionSealer>,
    /// Verifies `AssumeRoleWithWebIdentity` tokens; `None` when no provider is configured.
    pub web_identity: Option<WebIdentityVerifier>,
    /// Signs users in for `AssumeRoleWithLDAPIdentity`; `None` without an `[ldap]` table.
    pub ldap: Option<Directory>,
    /// Where issuances and answers are counted (`strata_sts_*`).
    pub metrics: IdentityMetrics,
}

impl StsServices {
    /// The services for `config`, sealing with `sealer`.
    pub fn new(sealer: Arc<SessionSealer>, config: &StsConfig) -> Result<StsServices, ConfigError> {
        let web_identity = if config.providers.is_empty() {
            None
        } else {
            // The verifier's HTTP clients use rustls with the ring provider, as the rest of
            // the gateway does; installing it twice is harmless.
            let _ = rustls::crypto::ring::default_provider().install_default();
            Some(WebIdentityVerifier::new(
                VerifierConfig {
                    providers: config.providers.clone(),
                    settings: Default::default(),
                },
                None,
            )?)
        };
        let ldap = match &config.ldap {
            None => None,
            Some(ldap) => {
                Some(
                    Directory::new(ldap.clone()).map_err(|reason| ConfigError::CaBundle {
                        path: ldap.ca_file.clone().unwrap_or_default(),
                        reason: format!("[ldap] ca_file: {reason}"),
                    })?,
                )
            }
        };
        Ok(StsServices {
            sealer,
            web_identity,
            ldap,
            metrics: IdentityMetrics::default(),
        })
    }

    /// The same services, counting into `metrics` (the families the registry scrapes).
    pub fn counting_into(mut self, metrics: IdentityMetrics) -> StsServices {
        self.metrics = metrics;
        self
    }

    /// Services with a fresh random key and no identity provider, for tests.
    #[cfg(test)]
    pub fn ephemeral() -> StsServices {
        use strata_sts::session::{SessionKey, SessionKeyring};
        let key = SessionKey::generate(1).expect("the system random source works");
        let keyring = SessionKeyring::new(key, []).expect("one key has a unique id");
        StsServices {
            sealer: Arc::new(SessionSealer::new(keyring)),
            web_identity: None,
            ldap: None,
            metrics: IdentityMetrics::default(),
        }
    }

    /// The same services, signing users in against `directory` (tests).
    #[cfg(test)]
    pub fn with_ldap(mut self, directory: Directory) -> StsServices {
        self.ldap = Some(directory);
        self
    }
}
