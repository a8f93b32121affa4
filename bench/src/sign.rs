//! AWS Signature Version 4 for S3 requests, built on `aws-sigv4`'s signing primitives
//! (`generate_signing_key`, `calculate_signature`).
//!
//! The canonical request is assembled here rather than by `aws-sigv4`'s `http_request` signer
//! because every request of a run has the same shape (a few fixed headers, keys we made
//! ourselves): building it directly costs one short string and one hash, which matters when the
//! generator shares two cores with the server it measures.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use sha2::{Digest, Sha256};
use time::format_description::BorrowedFormatItem;
use time::macros::{format_description, time};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// SHA-256 of the empty string, hex: the payload hash of bodiless requests and of every
/// aws-chunked chunk's "previous headers" slot.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The payload-hash marker for an unsigned body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The payload-hash marker for a body sent as aws-chunked with a signature per chunk.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

/// Root credentials and the scope they sign for.
#[derive(Clone)]
pub struct Credentials {
    /// Access key id, sent in the clear in the `Credential=` field.
    pub access_key: String,
    /// Secret key; only ever used to derive the signing key.
    pub secret_key: String,
    /// Region of the credential scope.
    pub region: String,
    /// STS session token of temporary credentials, sent (and signed) as
    /// `x-amz-security-token`.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never goes into logs or panic messages.
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// What a request's signer needs to know about it.
#[derive(Debug)]
pub struct SignInput<'a> {
    /// HTTP method, upper case.
    pub method: &'a str,
    /// Path, already URI-encoded the way it goes on the wire.
    pub canonical_uri: &'a str,
    /// Query string, already sorted and encoded the way it goes on the wire.
    pub canonical_query: &'a str,
    /// Value of the `Host` header.
    pub host: &'a str,
    /// Value of `x-amz-content-sha256`.
    pub payload_hash: &'a str,
    /// Further signed headers, lower-case names, sorted by name, excluding host and x-amz-*
    /// headers listed above; `x-amz-decoded-content-length` goes here too.
    pub extra_headers: &'a [(&'a str, &'a str)],
}

/// The headers a signed request must carry.
#[derive(Debug, Clone)]
pub struct Signature {
    /// `x-amz-date` value (`YYYYMMDDTHHMMSSZ`).
    pub amz_date: String,
    /// `Authorization` header value.
    pub authorization: String,
    /// The bare signature, the seed of an aws-chunked body's chain.
    pub signature: String,
    /// `YYYYMMDD/region/s3/aws4_request`, needed again for chunk signatures.
    pub scope: String,
}

/// Signs requests with one set of credentials, caching the day's signing key.
pub struct Signer {
    creds: Credentials,
    // (YYYYMMDD, key): the key derivation is four HMACs and only changes once a day.
    key: Mutex<Option<(String, Vec<u8>)>>,
}

impl Signer {
    /// A signer for these credentials.
    pub fn new(creds: Credentials) -> Self {
        Signer {
            creds,
            key: Mutex::new(None),
        }
    }

    /// The access key id.
    pub fn access_key(&self) -> &str {
        &self.creds.access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.creds.session_token.as_deref()
    }

    fn signing_key(&self, date: &str, now: SystemTime) -> Vec<u8> {
        // A poisoned lock only means another task panicked mid-update of a cache entry that is
        // rebuilt below anyway.
        let mut guard = self.key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((d, k)) = guard.as_ref() {
            if d == date {
                return k.clone();
            }
        }
        let key = generate_signing_key(&self.creds.secret_key, now, &self.creds.region, "s3")
            .as_ref()
            .to_vec();
        *guard = Some((date.to_string(), key.clone()));
        key
    }

    /// Signs a request at time `now`.
    pub fn sign(&self, req: &SignInput<'_>, now: SystemTime) -> Signature {
        let (amz_date, date) = amz_dates(now);
        let scope = format!("{date}/{}/s3/aws4_request", self.creds.region);

        // Canonical headers must be sorted by name: content-* and host sort before x-amz-*,
        // and x-amz-decoded-content-length sorts after x-amz-date.
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(4 + req.extra_headers.len());
        headers.push(("host", req.host));
        headers.push(("x-amz-content-sha256", req.payload_hash));
        headers.push(("x-amz-date", &amz_date));
        headers.extend_from_slice(req.extra_headers);
        headers.sort_by(|a, b| a.0.cmp(b.0));

        let mut canonical = String::with_capacity(256);
        canonical.push_str(req.method);
        canonical.push('\n');
        canonical.push_str(req.canonical_uri);
        canonical.push('\n');
        canonical.push_str(req.canonical_query);
        canonical.push('\n');
        let mut signed_headers = String::with_capacity(96);
        for (i, (name, value)) in headers.iter().enumerate() {
            let _ = writeln!(canonical, "{name}:{}", value.trim());
            if i > 0 {
                signed_headers.push(';');
            }
            signed_headers.push_str(name);
        }
        canonical.push('\n');
        canonical.push_str(&signed_headers);
        canonical.push('\n');
        canonical.push_str(req.payload_hash);

        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            sha256_hex(canonical.as_bytes())
        );
        let key = self.signing_key(&date, now);
        let signature = calculate_signature(&key, string_to_sign.as_bytes());
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            self.creds.access_key
        );
        Signature {
            amz_date,
            authorization,
            signature,
            scope,
        }
    }

    /// Signs one chunk of an aws-chunked body, chained to the previous signature.
    pub fn sign_chunk(&self, seed: &Signature, previous: &str, chunk: &[u8]) -> String {
        let date = seed.amz_date.get(..8).unwrap_or_default();
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{previous}\n{EMPTY_SHA256}\n{}",
            seed.amz_date,
            seed.scope,
            sha256_hex(chunk)
        );
        // The date inside the seed is what the chain was started with; reuse its day's key even
        // if the upload crosses midnight.
        let key = self.signing_key(date, date_to_time(date).unwrap_or_else(SystemTime::now));
        calculate_signature(&key, string_to_sign.as_bytes())
    }
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Percent-encodes per SigV4: unreserved characters stay, `/` stays if `keep_slash`.
pub fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for b in text.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/');
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Builds a canonical (sorted, encoded) query string; it is also the one sent on the wire so
/// that servers which do not re-normalise the query still compute the same signature.
pub fn canonical_query(params: &mut [(&str, String)]) -> String {
    params.sort();
    let mut out = String::new();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&uri_encode(k, false));
        out.push('=');
        out.push_str(&uri_encode(v, false));
    }
    out
}

/// `(YYYYMMDDTHHMMSSZ, YYYYMMDD)` for a point in time (UTC).
pub fn amz_dates(t: SystemTime) -> (String, String) {
    // Before 1970 counts as the epoch; a run never signs that far back (or past 9999).
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let at = i64::try_from(secs)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or(PrimitiveDateTime::MAX.assume_utc());
    // Formatting a UTC date-time into a `String` cannot fail: it has every field named.
    let full = at.format(AMZ_DATE).unwrap_or_default();
    let date = full.get(..8).unwrap_or_default().to_string();
    (full, date)
}

/// The `x-amz-date` form; its first eight characters are the scope's `YYYYMMDD`.
const AMZ_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

/// Noon of a `YYYYMMDD` day, for re-deriving that day's signing key.
fn date_to_time(date: &str) -> Option<SystemTime> {
    let day = Date::parse(date, format_description!("[year][month][day]")).ok()?;
    Some(SystemTime::from(day.with_time(time!(12:00)).assume_utc()))
}
