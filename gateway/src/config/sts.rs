//! The `[sts]` table of the config file: the identity providers whose tokens
//! `AssumeRoleWithWebIdentity` accepts (the `[ldap]` table, parsed by `super::ldap`, joins
//! it as [`StsConfig::ldap`]). Documented in docs/IDENTITY.md.

use std::path::PathBuf;

use serde::Deserialize;
use strata_sts::web_identity::{KeySource, ProviderConfig};

use super::ldap::LdapConfig;
use super::ConfigError;

/// STS settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StsConfig {
    /// Trusted OpenID Connect / Kubernetes service-account issuers (`[[sts.providers]]`).
    pub providers: Vec<ProviderConfig>,
    /// The directory of `AssumeRoleWithLDAPIdentity` (`[ldap]`), if any.
    pub ldap: Option<LdapConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSts {
    #[serde(default)]
    providers: Vec<RawProvider>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    issuer: String,
    audiences: Vec<String>,
    jwks_file: Option<PathBuf>,
    jwks_url: Option<String>,
    /// Discovery is the default when no JWKS is named; `discovery = true` says so.
    discovery: Option<bool>,
    ca_bundle: Option<PathBuf>,
}

fn error(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Sts {
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// Parses the `sts` table, if the file has one.
pub fn parse(sts: Option<toml::Value>) -> Result<StsConfig, ConfigError> {
    let Some(sts) = sts else {
        return Ok(StsConfig::default());
    };
    let raw = RawSts::deserialize(sts).map_err(|e| error("", e.message()))?;
    let mut providers: Vec<ProviderConfig> = Vec::new();
    for (i, p) in raw.providers.into_iter().enumerate() {
        let key = |name: &str| format!("providers #{}: {name}", i + 1);
        if !(p.issuer.starts_with("https://") || p.issuer.starts_with("http://")) {
            return Err(error(
                &key("issuer"),
                "an http(s) URL, as tokens carry it in iss",
            ));
        }
        if providers.iter().any(|q| q.issuer == p.issuer) {
            return Err(error(&key("issuer"), "declared twice"));
        }
        if p.audiences.is_empty() || p.audiences.iter().any(String::is_empty) {
            return Err(error(&key("audiences"), "one or more non-empty audiences"));
        }
        let keys = match (p.jwks_file, p.jwks_url, p.discovery) {
            (Some(file), None, None | Some(false)) => KeySource::JwksFile(file),
            (None, Some(url), None | Some(false)) => KeySource::JwksUrl(url),
            (None, None, None | Some(true)) => KeySource::Discovery,
            _ => {
                return Err(error(
                    &key("jwks_file"),
                    "one of jwks_file, jwks_url or discovery",
                ))
            }
        };
        providers.push(ProviderConfig {
            issuer: p.issuer,
            audiences: p.audiences,
            keys,
            ca_bundle: p.ca_bundle,
        });
    }
    Ok(StsConfig {
        providers,
        ldap: None,
    })
}
