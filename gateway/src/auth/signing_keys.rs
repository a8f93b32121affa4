//! Derived SigV4 signing keys, kept for reuse. A key depends only on the secret, the day, the
//! region and the service, while deriving it costs four HMAC-SHA256s: on a small GET that was
//! about 2% of the server's CPU, paid again on every request of the day.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use aws_sigv4::sign::v4::generate_signing_key;

/// Keys kept at most; past it the cache starts over. A day's keys for many credentials and
/// regions fit; the bound only stops a stream of made-up scopes from growing it.
const MAX_KEYS: usize = 1024;

/// HMAC-SHA256 output length.
type Key = [u8; 32];

/// Signing keys by scope.
#[derive(Default)]
pub(crate) struct SigningKeys {
    keys: Mutex<HashMap<String, Key>>,
}

impl SigningKeys {
    /// The signing key for `secret` on `day` (the scope's `YYYYMMDD`, which the caller has
    /// checked is the day of `time`) in `region` and `service`.
    pub(crate) fn get(
        &self,
        secret: &str,
        day: &str,
        time: SystemTime,
        region: &str,
        service: &str,
    ) -> Key {
        // NUL cannot occur in a header value, so the parts cannot run into each other.
        let id = [day, region, service, secret].join("\0");
        if let Some(key) = self.keys.lock().ok().and_then(|k| k.get(&id).copied()) {
            return key;
        }
        let derived = generate_signing_key(secret, time, region, service);
        let mut key = [0u8; 32];
        key.copy_from_slice(derived.as_ref());
        if let Ok(mut keys) = self.keys.lock() {
            if keys.len() >= MAX_KEYS {
                keys.clear();
            }
            keys.insert(id, key);
        }
        key
    }

    fn len(&self) -> usize {
        self.keys.lock().map_or(0, |k| k.len())
    }
}

/// A copy starts empty: it is only a cache.
impl Clone for SigningKeys {
    fn clone(&self) -> Self {
        SigningKeys::default()
    }
}

/// Counts only: the keys are secrets.
impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("cached", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn day(n: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + n * 86_400)
    }

    #[test]
    fn a_kept_key_is_the_derived_key() {
        let keys = SigningKeys::default();
        for _ in 0..2 {
            let got = keys.get("secret", "20231114", day(0), "us-east-1", "s3");
            let want = generate_signing_key("secret", day(0), "us-east-1", "s3");
            assert_eq!(&got[..], want.as_ref());
        }
        assert_eq!(keys.len(), 1);
    }

    #[test]
    fn each_part_of_the_scope_gives_its_own_key() {
        let keys = SigningKeys::default();
        let a = keys.get("secret", "20231114", day(0), "us-east-1", "s3");
        let other_secret = keys.get("secret2", "20231114", day(0), "us-east-1", "s3");
        let other_day = keys.get("secret", "20231115", day(1), "us-east-1", "s3");
        let other_region = keys.get("secret", "20231114", day(0), "eu-west-1", "s3");
        let other_service = keys.get("secret", "20231114", day(0), "us-east-1", "sts");
        for k in [other_secret, other_day, other_region, other_service] {
            assert_ne!(a, k);
        }
        assert_eq!(keys.len(), 5);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let keys = SigningKeys::default();
        for i in 0..(MAX_KEYS + 10) {
            keys.get("secret", "20231114", day(0), &format!("region-{i}"), "s3");
        }
        assert!(keys.len() <= MAX_KEYS);
    }
}
