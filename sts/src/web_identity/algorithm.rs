//! Which signature algorithms are accepted, and which keys may verify them.

use jsonwebtoken::Algorithm;

use super::error::InvalidIdentityToken;

/// The kinds of public key a JWKS may hold that this verifier uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyKind {
    /// `kty: RSA`.
    Rsa,
    /// `kty: EC, crv: P-256`.
    EcP256,
    /// `kty: EC, crv: P-384`.
    EcP384,
    /// `kty: OKP, crv: Ed25519`.
    Ed25519,
}

/// The token's `alg` if it is an accepted asymmetric algorithm. `none`, every HMAC
/// algorithm and anything unknown are refused.
pub(super) fn accepted(alg: &str) -> Result<Algorithm, InvalidIdentityToken> {
    Ok(match alg {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        other => return Err(InvalidIdentityToken::AlgorithmRefused(other.to_string())),
    })
}

/// Whether a key of `kind` can verify `alg` (the curve fixes the ECDSA hash).
pub(super) fn key_fits(kind: KeyKind, alg: Algorithm) -> bool {
    match kind {
        KeyKind::Rsa => matches!(
            alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ),
        KeyKind::EcP256 => alg == Algorithm::ES256,
        KeyKind::EcP384 => alg == Algorithm::ES384,
        KeyKind::Ed25519 => alg == Algorithm::EdDSA,
    }
}
