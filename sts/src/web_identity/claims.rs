//! Checks on the verified claims: issuer, times, audience, subject.

use serde_json::Value;

use super::error::{InvalidIdentityToken, WebIdentityError};
use super::identity::WebIdentity;
use super::provider::Provider;

/// The identity the verified `claims` establish at `now`, allowing `leeway` seconds of
/// clock skew.
pub(super) fn check(
    claims: Value,
    provider: &Provider,
    now: u64,
    leeway: u64,
) -> Result<WebIdentity, WebIdentityError> {
    use InvalidIdentityToken as Invalid;
    if claims.get("iss").and_then(Value::as_str) != Some(provider.issuer.as_str()) {
        return Err(Invalid::IssuerMismatch.into());
    }
    let expires_at = seconds(&claims, "exp")?.ok_or(Invalid::BadClaim("exp"))?;
    if let Some(nbf) = seconds(&claims, "nbf")? {
        if nbf > now.saturating_add(leeway) {
            return Err(Invalid::NotYetValid { nbf }.into());
        }
    }
    if let Some(iat) = seconds(&claims, "iat")? {
        if iat > now.saturating_add(leeway) {
            return Err(Invalid::IssuedInFuture { iat }.into());
        }
    }
    if expires_at.saturating_add(leeway) < now {
        return Err(WebIdentityError::ExpiredToken {
            expired_at: expires_at,
        });
    }
    let audience = accepted_audience(&claims, &provider.audiences)?;
    let subject = match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() => sub.to_string(),
        _ => return Err(Invalid::MissingSubject.into()),
    };
    Ok(WebIdentity {
        issuer: provider.issuer.clone(),
        condition_key_prefix: provider.condition_key_prefix.clone(),
        subject,
        audience,
        expires_at,
        claims,
    })
}

/// A NumericDate claim in whole seconds; fractions are dropped, negatives refused.
fn seconds(claims: &Value, name: &'static str) -> Result<Option<u64>, InvalidIdentityToken> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => {
            if let Some(whole) = value.as_u64() {
                return Ok(Some(whole));
            }
            match value.as_f64() {
                Some(float) if float >= 0.0 && float < u64::MAX as f64 => Ok(Some(float as u64)),
                _ => Err(InvalidIdentityToken::BadClaim(name)),
            }
        }
    }
}

/// The first of the token's audiences (a string or an array of strings) that the
/// provider accepts.
fn accepted_audience(claims: &Value, accepted: &[String]) -> Result<String, InvalidIdentityToken> {
    let offered: Vec<&str> = match claims.get("aud") {
        None => return Err(InvalidIdentityToken::MissingAudience),
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many
            .iter()
            .map(|aud| aud.as_str().ok_or(InvalidIdentityToken::BadClaim("aud")))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(InvalidIdentityToken::BadClaim("aud")),
    };
    offered
        .iter()
        .find(|aud| accepted.iter().any(|ok| ok == *aud))
        .map(|aud| aud.to_string())
        .ok_or_else(|| {
            InvalidIdentityToken::WrongAudience(offered.iter().map(|a| a.to_string()).collect())
        })
}
