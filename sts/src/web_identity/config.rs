//! What a verifier is configured with: providers and the bounds of its caches and checks.

use std::path::PathBuf;
use std::time::Duration;

/// A verifier's whole configuration.
#[derive(Debug, Clone, Default)]
pub struct VerifierConfig {
    /// The trusted identity providers; issuers must be distinct.
    pub providers: Vec<ProviderConfig>,
    /// Bounds shared by all providers.
    pub settings: VerifierSettings,
}

/// One trusted identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    /// The issuer URL, exactly as tokens carry it in `iss` (e.g.
    /// `https://oidc.eks.eu-west-1.amazonaws.com/id/X` or a cluster's
    /// `https://kubernetes.default.svc`).
    pub issuer: String,
    /// Accepted audiences (client ids): a token's `aud` must contain one of them.
    pub audiences: Vec<String>,
    /// Where the provider's signing keys come from.
    pub keys: KeySource,
    /// PEM bundle of CAs to trust for this provider's HTTPS endpoints, in addition to the
    /// system's. When set, the provider gets its own HTTP client.
    pub ca_bundle: Option<PathBuf>,
}

/// Where a provider's JWKS comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `GET <issuer>/.well-known/openid-configuration`, then its `jwks_uri`.
    Discovery,
    /// A JWKS document in a file (e.g. a cluster's keys mounted into the pod); re-read
    /// when the file changes.
    JwksFile(PathBuf),
    /// A JWKS document at this URL.
    JwksUrl(String),
}

/// Bounds of the checks and caches; [`Default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierSettings {
    /// Clock skew allowed on `exp`, `nbf` and `iat`. Default 60 s.
    pub leeway: Duration,
    /// Per provider: at most one JWKS refresh for unknown `kid`s in this interval, and no
    /// fetch at all for this long after a failed one. Default 60 s.
    pub min_refresh_interval: Duration,
    /// How long fetched keys are used before they are fetched again. Default 1 h.
    pub jwks_ttl: Duration,
    /// While fetches fail, the last good keys keep serving until they are this old;
    /// after that the provider answers `IDPCommunicationError`. Default 24 h.
    pub max_staleness: Duration,
    /// Longest token accepted, in bytes, checked before anything else. Default 16 KiB.
    pub max_token_bytes: usize,
    /// Largest discovery or JWKS document read. Default 1 MiB.
    pub max_document_bytes: usize,
    /// Timeout of each HTTP request to a provider (for clients this crate builds).
    /// Default 10 s.
    pub http_timeout: Duration,
}

impl Default for VerifierSettings {
    fn default() -> Self {
        VerifierSettings {
            leeway: Duration::from_secs(60),
            min_refresh_interval: Duration::from_secs(60),
            jwks_ttl: Duration::from_secs(3600),
            max_staleness: Duration::from_secs(24 * 3600),
            max_token_bytes: 16 * 1024,
            max_document_bytes: 1024 * 1024,
            http_timeout: Duration::from_secs(10),
        }
    }
}
