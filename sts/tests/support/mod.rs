//! The one harness of the web-identity tests: signing keys made in-test, tokens made
//! by hand, and a small JWKS/discovery server on a random port.
#![allow(dead_code)] // each test file uses its own part of the harness

pub mod keys;
pub mod server;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A compact JWS from raw parts, for tokens no honest library would make.
pub fn raw_token(header: &Value, payload: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// The decoded JSON of part `index` (0 header, 1 payload) of a token.
pub fn part(token: &str, index: usize) -> Value {
    let text = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).unwrap()).unwrap()
}

/// `token` with part `index` replaced by the encoding of `value` (signature kept).
pub fn replace_part(token: &str, index: usize, value: &Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[index] = URL_SAFE_NO_PAD.encode(value.to_string());
    parts.join(".")
}

/// reqwest needs a process-wide rustls provider for clients built without a
/// preconfigured TLS config; the gateway's tests install ring's the same way.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
