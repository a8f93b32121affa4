//! The identifiers IAM hands out, in AWS's shapes, from the OS's random generator.

use rand::rngs::OsRng;
use rand::Rng;

/// The alphabet of AWS access key ids and unique ids (base 32, RFC 4648 letters).
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// The alphabet of secret access keys (base 64 letters, as AWS's 40-character secrets).
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn draw(alphabet: &[u8], len: usize) -> String {
    let mut rng = OsRng;
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// A new 12-digit account id (never starting with 0, so it stays 12 digits as a number).
pub fn account_id() -> String {
    let mut rng = OsRng;
    format!("{}", rng.gen_range(100_000_000_000u64..1_000_000_000_000))
}

/// A new canonical user id: 64 hex digits.
pub fn canonical_id() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill(&mut bytes);
    hex::encode(bytes)
}

/// What a unique id names; its prefix is AWS's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKind {
    /// `AIDA`: a user.
    User,
    /// `AGPA`: a group.
    Group,
    /// `AROA`: a role.
    Role,
    /// `ANPA`: a managed policy.
    Policy,
}

/// A new unique id (`AIDA` + 17 characters, ...).
pub fn unique_id(kind: UniqueKind) -> String {
    let prefix = match kind {
        UniqueKind::User => "AIDA",
        UniqueKind::Group => "AGPA",
        UniqueKind::Role => "AROA",
        UniqueKind::Policy => "ANPA",
    };
    format!("{prefix}{}", draw(BASE32, 17))
}

/// A new long-term access key id: `AKIA` + 16 characters.
pub fn access_key_id() -> String {
    format!("AKIA{}", draw(BASE32, 16))
}

/// A new secret access key: 40 characters.
pub fn secret_access_key() -> String {
    draw(BASE64, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_aws_shapes_and_differ() {
        let a = account_id();
        assert!(
            a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()),
            "{a}"
        );
        assert_eq!(canonical_id().len(), 64);
        let k = access_key_id();
        assert!(k.starts_with("AKIA") && k.len() == 20, "{k}");
        assert!(k[4..].bytes().all(|b| BASE32.contains(&b)));
        assert_eq!(secret_access_key().len(), 40);
        assert_eq!(unique_id(UniqueKind::Role).len(), 21);
        assert!(unique_id(UniqueKind::Role).starts_with("AROA"));
        assert_ne!(access_key_id(), access_key_id());
        assert_ne!(account_id(), account_id());
    }
}
