//! A provider's signing keys, parsed from a JWKS document.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};

use super::algorithm::{accepted, key_fits, KeyKind};

/// RSA keys below 2048 bits are too weak to trust.
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// One public key usable for verifying signatures.
pub(super) struct VerifyingKey {
    /// The key's `kid`, if it has one.
    pub kid: Option<String>,
    /// Its type (and curve).
    pub kind: KeyKind,
    /// The algorithm the key is restricted to by its own `alg`, if it has one.
    pub alg: Option<Algorithm>,
    /// The key, ready for `jsonwebtoken`.
    pub key: DecodingKey,
}

impl VerifyingKey {
    /// Whether this key may verify a token signed with `alg`.
    pub fn allows(&self, alg: Algorithm) -> bool {
        key_fits(self.kind, alg) && self.alg.is_none_or(|own| own == alg)
    }
}

/// The usable keys of a JWKS document; unusable entries (symmetric, encryption-only, weak,
/// unknown types) are left out.
pub(super) struct KeySet {
    keys: Vec<VerifyingKey>,
}

impl KeySet {
    /// Parses a JWKS document. A document with no usable signing key is an error, so the
    /// previous keys keep serving rather than being replaced by nothing.
    pub fn parse(document: &[u8]) -> Result<KeySet, String> {
        let value: Value =
            serde_json::from_slice(document).map_err(|e| format!("JWKS is not JSON: {e}"))?;
        let entries = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("JWKS has no \"keys\" array")?;
        let keys: Vec<VerifyingKey> = entries
            .iter()
            .filter_map(|entry| {
                let key = entry.as_object().and_then(parse_key);
                if key.is_none() {
                    tracing::debug!(kid = ?entry.get("kid"), "JWKS entry not usable for signatures; ignored");
                }
                key
            })
            .collect();
        if keys.is_empty() {
            return Err(format!(
                "JWKS has no usable signing key ({} entries)",
                entries.len()
            ));
        }
        Ok(KeySet { keys })
    }

    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.iter().find(|key| key.kid.as_deref() == Some(kid))
    }

    /// The keys that allow `alg`, for tokens without a `kid`.
    pub fn allowing(&self, alg: Algorithm) -> impl Iterator<Item = &VerifyingKey> {
        self.keys.iter().filter(move |key| key.allows(alg))
    }

    /// How many usable keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

fn text<'a>(entry: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    entry.get(name).and_then(Value::as_str)
}

fn decoded_len(entry: &Map<String, Value>, name: &str) -> Option<usize> {
    URL_SAFE_NO_PAD
        .decode(text(entry, name)?)
        .ok()
        .map(|bytes| bytes.len())
}

/// A key from one JWKS entry, or `None` when it is not a usable public signing key.
fn parse_key(entry: &Map<String, Value>) -> Option<VerifyingKey> {
    if entry.get("use").is_some_and(|u| u != "sig") {
        return None;
    }
    if let Some(ops) = entry.get("key_ops") {
        let ops = ops.as_array()?;
        if !ops.iter().any(|op| op == "verify") {
            return None;
        }
    }
    let alg = match entry.get("alg") {
        None => None,
        Some(alg) => Some(accepted(alg.as_str()?).ok()?),
    };
    let (kind, key) = match (text(entry, "kty")?, text(entry, "crv")) {
        ("RSA", _) => {
            // A leading zero byte does not make a modulus stronger.
            let n = URL_SAFE_NO_PAD.decode(text(entry, "n")?).ok()?;
            let significant = n.iter().skip_while(|b| **b == 0).count();
            if significant < MIN_RSA_MODULUS_BYTES {
                return None;
            }
            let key = DecodingKey::from_rsa_components(text(entry, "n")?, text(entry, "e")?);
            (KeyKind::Rsa, key.ok()?)
        }
        ("EC", Some(crv)) => {
            let (kind, size) = match crv {
                "P-256" => (KeyKind::EcP256, 32),
                "P-384" => (KeyKind::EcP384, 48),
                _ => return None,
            };
            if decoded_len(entry, "x")? != size || decoded_len(entry, "y")? != size {
                return None;
            }
            let key = DecodingKey::from_ec_components(text(entry, "x")?, text(entry, "y")?);
            (kind, key.ok()?)
        }
        ("OKP", Some("Ed25519")) => {
            if decoded_len(entry, "x")? != 32 {
                return None;
            }
            (
                KeyKind::Ed25519,
                DecodingKey::from_ed_components(text(entry, "x")?).ok()?,
            )
        }
        _ => return None,
    };
    let key = VerifyingKey {
        kid: text(entry, "kid").map(str::to_owned),
        kind,
        alg,
        key,
    };
    // A key whose own alg contradicts its type can verify nothing.
    if key.alg.is_some_and(|alg| !key_fits(kind, alg)) {
        return None;
    }
    Some(key)
}
