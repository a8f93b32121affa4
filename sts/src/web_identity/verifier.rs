//! The verifier: routes a token to its provider and key, then checks it.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};

use super::algorithm::accepted;
use super::claims::check;
use super::config::{KeySource, VerifierConfig, VerifierSettings};
use super::error::{ConfigError, InvalidIdentityToken, WebIdentityError};
use super::http::build_client;
use super::identity::WebIdentity;
use super::jwks::{KeySet, VerifyingKey};
use super::provider::Provider;
use super::token::{read_unverified, Unverified};

/// Verifies web-identity tokens against the configured providers. Cheap to share
/// (`Arc`); all methods take `&self`.
pub struct WebIdentityVerifier {
    providers: Vec<Provider>,
    settings: VerifierSettings,
}

fn is_http_url(text: &str) -> bool {
    ["https://", "http://"]
        .iter()
        .any(|scheme| text.len() > scheme.len() && text.starts_with(scheme))
}

impl WebIdentityVerifier {
    /// A verifier for `config`. Providers without a CA bundle use `client` when given
    /// (and a client trusting the system's CAs otherwise); a provider with a CA bundle
    /// gets its own client trusting that bundle too. Builds no connection.
    pub fn new(
        config: VerifierConfig,
        client: Option<reqwest::Client>,
    ) -> Result<Self, ConfigError> {
        let settings = config.settings;
        let timeout = settings.http_timeout;
        let shared = match client {
            Some(client) => client,
            None => build_client(None, timeout)?,
        };
        let mut providers: Vec<Provider> = Vec::with_capacity(config.providers.len());
        for provider in config.providers {
            if !is_http_url(&provider.issuer) {
                return Err(ConfigError::BadIssuer(provider.issuer));
            }
            if providers.iter().any(|p| p.issuer == provider.issuer) {
                return Err(ConfigError::DuplicateIssuer(provider.issuer));
            }
            if provider.audiences.is_empty() {
                return Err(ConfigError::NoAudience(provider.issuer));
            }
            if let KeySource::JwksUrl(url) = &provider.keys {
                if !is_http_url(url) {
                    return Err(ConfigError::BadJwksUrl(url.clone()));
                }
            }
            let client = match &provider.ca_bundle {
                Some(bundle) => build_client(Some(bundle), timeout)?,
                None => shared.clone(),
            };
            providers.push(Provider::new(provider, client, &settings));
        }
        Ok(WebIdentityVerifier {
            providers,
            settings,
        })
    }

    /// The configured issuers.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.providers.iter().map(|p| p.issuer.as_str())
    }

    /// Verifies `token` and returns the identity it establishes.
    pub async fn verify(&self, token: &str) -> Result<WebIdentity, WebIdentityError> {
        let max = self.settings.max_token_bytes;
        if token.len() > max {
            return Err(InvalidIdentityToken::TooLarge {
                len: token.len(),
                max,
            }
            .into());
        }
        let unverified = read_unverified(token)?;
        let alg = accepted(&unverified.alg)?;
        let provider = self
            .providers
            .iter()
            .find(|p| p.issuer == unverified.issuer)
            .ok_or_else(|| InvalidIdentityToken::UnknownIssuer(unverified.issuer.clone()))?;

        let keys = provider.keys().await?;
        let claims = match choose_key(&keys, &unverified, alg)? {
            Some(key) => verify_signature(token, key, alg)?,
            None => {
                // Not in the keys we have: the provider may have rotated. One refresh.
                let keys = provider.refreshed_keys().await?;
                match choose_key(&keys, &unverified, alg)? {
                    Some(key) => verify_signature(token, key, alg)?,
                    None => return Err(missing_key(&keys, &unverified, alg).into()),
                }
            }
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        check(claims, provider, now, self.settings.leeway.as_secs())
    }
}

/// The key for the token, `None` when it is not (yet) in `keys`.
fn choose_key<'k>(
    keys: &'k KeySet,
    token: &Unverified,
    alg: Algorithm,
) -> Result<Option<&'k VerifyingKey>, InvalidIdentityToken> {
    match &token.kid {
        Some(kid) => match keys.find(kid) {
            Some(key) if key.allows(alg) => Ok(Some(key)),
            Some(_) => Err(InvalidIdentityToken::KeyAlgorithmMismatch {
                kid: kid.clone(),
                alg: token.alg.clone(),
            }),
            None => Ok(None),
        },
        None => {
            let mut candidates = keys.allowing(alg);
            match (candidates.next(), candidates.next()) {
                (Some(only), None) => Ok(Some(only)),
                (None, _) => Ok(None),
                (Some(_), Some(_)) => Err(InvalidIdentityToken::NoKeyIdChosen {
                    candidates: keys.allowing(alg).count(),
                }),
            }
        }
    }
}

fn missing_key(keys: &KeySet, token: &Unverified, alg: Algorithm) -> InvalidIdentityToken {
    match &token.kid {
        Some(kid) => InvalidIdentityToken::UnknownKeyId(kid.clone()),
        None => InvalidIdentityToken::NoKeyIdChosen {
            candidates: keys.allowing(alg).count(),
        },
    }
}

/// The claims of `token` if `key` verifies its signature under `alg`. Claims are checked
/// by [`check`], not here.
fn verify_signature(
    token: &str,
    key: &VerifyingKey,
    alg: Algorithm,
) -> Result<serde_json::Value, InvalidIdentityToken> {
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    match jsonwebtoken::decode::<serde_json::Value>(token, &key.key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(error) => Err(match error.kind() {
            ErrorKind::InvalidSignature
            | ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat
            // Header and payload were decoded already: bad base64 here is the signature's.
            | ErrorKind::Base64(_) => InvalidIdentityToken::BadSignature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                InvalidIdentityToken::AlgorithmRefused(format!("{alg:?}"))
            }
            ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => {
                InvalidIdentityToken::Malformed("a registered claim has the wrong type")
            }
            _ => InvalidIdentityToken::Malformed("rejected by the JWS decoder"),
        }),
    }
}
