//! Reading a compact JWS without trusting it: just enough to choose a provider and a key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::InvalidIdentityToken;

/// The untrusted parts of a token that route its verification.
#[derive(Debug)]
pub(super) struct Unverified {
    /// The header's `alg`, as written.
    pub alg: String,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// The payload's `iss`.
    pub issuer: String,
}

/// Splits `token` into header, payload and signature and reads the routing fields.
pub(super) fn read_unverified(token: &str) -> Result<Unverified, InvalidIdentityToken> {
    use InvalidIdentityToken::{Malformed, MissingIssuer};
    let mut parts = token.split('.');
    // The signature is left to the verifier: an empty one simply does not verify.
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Malformed("not three dot-separated parts"));
    };
    let mut header: Map<String, Value> = decode_part(
        header,
        Malformed("header is not base64url"),
        Malformed("header is not a JSON object"),
    )?;
    let alg = match header.remove("alg") {
        Some(Value::String(alg)) => alg,
        _ => return Err(Malformed("header has no string alg")),
    };
    let kid = match header.remove("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid),
        Some(_) => return Err(Malformed("header kid is not a string")),
    };
    let mut payload: Map<String, Value> = decode_part(
        payload,
        Malformed("payload is not base64url"),
        Malformed("payload is not a JSON object"),
    )?;
    let issuer = match payload.remove("iss") {
        Some(Value::String(iss)) => iss,
        None => return Err(MissingIssuer),
        Some(_) => return Err(Malformed("iss is not a string")),
    };
    Ok(Unverified { alg, kid, issuer })
}

fn decode_part<T: for<'de> Deserialize<'de>>(
    part: &str,
    not_base64: InvalidIdentityToken,
    not_json: InvalidIdentityToken,
) -> Result<T, InvalidIdentityToken> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| not_base64)?;
    serde_json::from_slice(&bytes).map_err(|_| not_json)
}
