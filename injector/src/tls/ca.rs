//! An own certificate authority and the serving certificates it signs (rcgen, ECDSA P-256).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::tls::TlsError;

/// Certificates start this long before "now", so a node whose clock is slightly behind
/// still accepts them.
const BACKDATE_SECS: i64 = 300;

/// A CA: its certificate, its key, and when it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    /// Subject common name, unique per CA so bundles show which is which.
    pub name: String,
    /// Certificate, PEM.
    pub cert_pem: String,
    /// Private key, PEM (PKCS#8).
    pub key_pem: String,
    /// notAfter, unix seconds.
    pub not_after: i64,
}

/// A serving certificate and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// Certificate, PEM.
    pub cert_pem: String,
    /// Private key, PEM.
    pub key_pem: String,
    /// notAfter, unix seconds.
    pub not_after: i64,
}

/// Makes a new CA valid from now for `lifetime` seconds.
pub fn new_authority(now: i64, lifetime: i64) -> Result<Authority, TlsError> {
    let key = KeyPair::generate()?;
    let name = format!("strata-injector-ca-{now}-{}", &hex_suffix(&key));
    let mut params = ca_params(&name);
    params.not_before = time_at(now - BACKDATE_SECS)?;
    params.not_after = time_at(now + lifetime)?;
    let cert = params.self_signed(&key)?;
    Ok(Authority {
        name,
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        not_after: now + lifetime,
    })
}

/// Signs a serving certificate for `dns_names`, valid from now for `lifetime` seconds
/// (never past the CA's own expiry).
pub fn issue_leaf(
    ca: &Authority,
    dns_names: &[String],
    now: i64,
    lifetime: i64,
) -> Result<Leaf, TlsError> {
    let ca_key = KeyPair::from_pem(&ca.key_pem)?;
    // rcgen signs with the issuer's name, key usages and key; rebuilding them from the
    // stored name and key yields the same issuer as the stored CA certificate.
    let issuer = Issuer::new(ca_params(&ca.name), ca_key);
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(dns_names.to_vec())?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        dns_names
            .first()
            .cloned()
            .unwrap_or_else(|| "strata-injector".to_owned()),
    );
    params.distinguished_name = dn;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let not_after = (now + lifetime).min(ca.not_after);
    params.not_before = time_at(now - BACKDATE_SECS)?;
    params.not_after = time_at(not_after)?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok(Leaf {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        not_after,
    })
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    params.distinguished_name = dn;
    // Path length 0: this CA signs serving certificates only, never another CA.
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn time_at(unix: i64) -> Result<OffsetDateTime, TlsError> {
    OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|e| TlsError::Pem(format!("time out of range: {e}")))
}

/// A few hex digits of the public key, so two CAs made in the same second differ.
fn hex_suffix(key: &KeyPair) -> String {
    key.public_key_raw()
        .iter()
        .skip(1)
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}
