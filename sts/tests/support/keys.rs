//! Signing keys generated in-test, with their public JWKs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING,
};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use serde_json::{json, Value};

/// A private key, the algorithm it signs with and its `kid`.
pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    /// The public key as a JWK (with `kid`, `alg`, `use: sig`).
    pub jwk: Value,
    /// The RSA public key in PKCS#1 PEM (for key-confusion attacks), if RSA.
    pub public_pem: Option<String>,
}

impl TestKey {
    /// A fresh RSA key of `bits` signing with `alg` (RS*/PS*).
    pub fn rsa_bits(kid: &str, alg: Algorithm, bits: usize) -> TestKey {
        let private = rsa::PrivateKey::new(&mut getrandom::SysRng, bits).unwrap();
        let der = private.to_pkcs1_der().unwrap();
        let pem = private
            .to_public_key()
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .unwrap();
        let mut key = TestKey::from_encoding(kid, alg, EncodingKey::from_rsa_der(der.as_bytes()));
        key.public_pem = Some(pem);
        key
    }

    /// A fresh 2048-bit RSA key signing with `alg`.
    pub fn rsa(kid: &str, alg: Algorithm) -> TestKey {
        TestKey::rsa_bits(kid, alg, 2048)
    }

    /// A fresh P-256 key (ES256).
    pub fn es256(kid: &str) -> TestKey {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        TestKey::from_encoding(
            kid,
            Algorithm::ES256,
            EncodingKey::from_ec_der(pkcs8.as_ref()),
        )
    }

    /// A fresh Ed25519 key (EdDSA). The RustCrypto backend reads PKCS#8 v1 only (ring
    /// writes v2), so the v1 document is assembled around a random seed here.
    pub fn ed25519(kid: &str) -> TestKey {
        let mut seed = [0u8; 32];
        SystemRandom::new().fill(&mut seed).unwrap();
        // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }
        let mut pkcs8 = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        pkcs8.extend_from_slice(&seed);
        let public = Ed25519KeyPair::from_seed_unchecked(&seed).unwrap();
        let x = URL_SAFE_NO_PAD.encode(public.public_key().as_ref());
        TestKey {
            kid: kid.to_string(),
            alg: Algorithm::EdDSA,
            encoding: EncodingKey::from_ed_der(&pkcs8),
            jwk: json!({ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" }),
            public_pem: None,
        }
    }

    fn from_encoding(kid: &str, alg: Algorithm, encoding: EncodingKey) -> TestKey {
        let mut jwk =
            serde_json::to_value(Jwk::from_encoding_key(&encoding, alg).unwrap()).unwrap();
        jwk["kid"] = json!(kid);
        jwk["use"] = json!("sig");
        TestKey {
            kid: kid.to_string(),
            alg,
            encoding,
            jwk,
            public_pem: None,
        }
    }

    /// The JWK without its `alg` (many providers leave it out).
    pub fn jwk_without_alg(&self) -> Value {
        let mut jwk = self.jwk.clone();
        jwk.as_object_mut().unwrap().remove("alg");
        jwk
    }

    /// `claims` signed with this key, its `alg` and `kid` in the header.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_as(self.alg, Some(&self.kid), claims)
    }

    /// `claims` signed with this key under `alg`, with `kid` (or none) in the header.
    pub fn sign_as(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// A JWKS document holding `keys`.
pub fn jwks(keys: &[&Value]) -> Value {
    json!({ "keys": keys })
}
