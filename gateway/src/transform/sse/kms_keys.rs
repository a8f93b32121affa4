//! SSE-KMS's keys. A new object gets a data key from the KMS (the KEK of its object key),
//! or the bucket's S3 Bucket Key: one data key reused for the bucket's new objects for a
//! while, so that writes do not call the KMS each. Reads keep unsealed data keys in a
//! small cache for a few minutes, so that repeated reads, the parts of one upload and
//! reads while the KMS is down do not call it. Every call is counted in `strata_kms_*`.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strata_crypt::kms::{EncryptionContext, KeyInfo, Kms, KmsError};
use strata_crypt::Kek;

use super::record::KmsRecord;
use crate::metrics::KmsMetrics;
use crate::transform::TransformError;

/// How long an unsealed data key serves reads without asking the KMS again.
const OPENED_FOR: Duration = Duration::from_secs(300);
/// How long one S3 Bucket Key seals new objects before a fresh one is made.
const BUCKET_KEY_FOR: Duration = Duration::from_secs(3600);
/// Entries per cache; beyond it, expired entries go, then arbitrary ones.
const CACHE_ENTRIES: usize = 4096;

/// The context name through which a data key is bound to its object (or, for an S3 Bucket
/// Key, its bucket), as on AWS.
const ARN_CONTEXT: &str = "aws:s3:arn";

/// An unsealed data key's cache entry: key id, blob, and the context's canonical bytes.
type BlobSlot = (String, Vec<u8>, Vec<u8>);
/// Blobs already sealed again in one re-seal walk, by their old slot.
pub(super) type Rewrapped = HashMap<BlobSlot, Vec<u8>>;
/// An S3 Bucket Key's cache entry: bucket, key id, and the context's canonical bytes.
type BucketKeySlot = (String, String, Vec<u8>);

/// What a new SSE-KMS object is sealed with, once request, bucket default and settings are
/// combined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsChoice {
    /// The KMS key.
    pub key_id: String,
    /// The caller's encryption context.
    pub context: BTreeMap<String, String>,
    /// Whether to use the bucket's S3 Bucket Key.
    pub bucket_key: bool,
}

/// Which KMS sealed a data key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum SealedBy {
    /// The KMS that SSE-KMS uses now.
    Current,
    /// The one it used before ([`KmsKeys::with_earlier`]).
    Earlier,
}

/// The KMS as SSE-KMS uses it.
pub struct KmsKeys {
    kms: Arc<dyn Kms>,
    /// The KMS that served SSE-KMS before this one (the local keyring, before a transit
    /// engine was configured): objects it sealed are read and re-sealed through it.
    earlier: Option<Arc<dyn Kms>>,
    default_key: String,
    metrics: KmsMetrics,
    opened: Mutex<Expiring<BlobSlot, Kek>>,
    bucket_keys: Mutex<Expiring<BucketKeySlot, (Kek, Vec<u8>)>>,
}

impl std::fmt::Debug for KmsKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsKeys")
            .field("default_key", &self.default_key)
            .finish_non_exhaustive()
    }
}

impl KmsKeys {
    /// SSE-KMS over `kms`; `aws:kms` without a key id uses `default_key`.
    pub fn new(kms: Arc<dyn Kms>, default_key: String, metrics: KmsMetrics) -> Self {
        KmsKeys {
            kms,
            earlier: None,
            default_key,
            metrics,
            opened: Mutex::new(Expiring::new(OPENED_FOR)),
            bucket_keys: Mutex::new(Expiring::new(BUCKET_KEY_FOR)),
        }
    }

    /// Also reads (and re-seals) the data keys that `earlier` sealed, the KMS that served
    /// SSE-KMS before this one.
    pub fn with_earlier(mut self, earlier: Arc<dyn Kms>) -> Self {
        self.earlier = Some(earlier);
        self
    }

    /// Which KMS sealed `blob`: this one, or the earlier one for a blob only it reads
    /// (each KMS recognises its own blobs: the keyring's are binary with a version byte and
    /// an exact length, transit's `vault:vN:` text).
    pub(super) fn sealed_by(&self, blob: &[u8]) -> SealedBy {
        match &self.earlier {
            Some(earlier)
                if self.kms.sealed_version(blob).is_none()
                    && earlier.sealed_version(blob).is_some() =>
            {
                SealedBy::Earlier
            }
            _ => SealedBy::Current,
        }
    }

    /// The key version `blob` is sealed under, if its KMS can tell.
    pub(super) fn sealed_version(&self, blob: &[u8]) -> Option<u32> {
        self.sealer_of(blob).sealed_version(blob)
    }

    fn sealer_of(&self, blob: &[u8]) -> &dyn Kms {
        match (self.sealed_by(blob), &self.earlier) {
            (SealedBy::Earlier, Some(earlier)) => earlier.as_ref(),
            _ => self.kms.as_ref(),
        }
    }

    /// The key of `aws:kms` requests that name none.
    pub fn default_key(&self) -> &str {
        &self.default_key
    }

    /// A data key for a new object `bucket/object`, and what the object keeps of it.
    pub async fn data_key(
        &self,
        bucket: &str,
        object: &str,
        choice: &KmsChoice,
    ) -> Result<(Kek, KmsRecord), TransformError> {
        let record = |blob: Vec<u8>| KmsRecord {
            key_id: choice.key_id.clone(),
            blob,
            context: choice.context.clone(),
            bucket_key: choice.bucket_key,
        };
        let context = bound_context(&choice.context, bucket, object, choice.bucket_key);
        let slot = (
            bucket.to_string(),
            choice.key_id.clone(),
            context.canonical_bytes(),
        );
        if choice.bucket_key {
            if let Some((kek, blob)) = lock(&self.bucket_keys).get(&slot) {
                self.metrics.cache_hit("bucket_key");
                return Ok((kek, record(blob)));
            }
        }
        let started = Instant::now();
        let made = self.kms.generate_data_key(&choice.key_id, &context).await;
        let made = self.counted("generate_data_key", started, &choice.key_id, made)?;
        // The write's encoder (each part's, for an upload) opens the same data key next.
        let blob_slot = (
            choice.key_id.clone(),
            made.sealed.clone(),
            context.canonical_bytes(),
        );
        lock(&self.opened).insert(blob_slot, made.plaintext.clone());
        if choice.bucket_key {
            lock(&self.bucket_keys).insert(slot, (made.plaintext.clone(), made.sealed.clone()));
        }
        Ok((made.plaintext, record(made.sealed)))
    }

    /// Forgets every S3 Bucket Key, so that new objects get data keys sealed under the
    /// KMS keys' current versions (a re-seal begins with it).
    pub fn forget_bucket_keys(&self) {
        lock(&self.bucket_keys).entries.clear();
    }

    /// The current version of key `id` of the KMS that sealed `blob`.
    pub(super) async fn current_version(
        &self,
        blob: &[u8],
        id: &str,
    ) -> Result<u32, TransformError> {
        let started = Instant::now();
        let info = self.sealer_of(blob).key_info(id).await;
        Ok(self.counted("key_info", started, id, info)?.current_version)
    }

    /// Every key of the KMS (the operator's `strata admin kms-key list`).
    pub async fn list_keys(&self) -> Result<Vec<KeyInfo>, TransformError> {
        let started = Instant::now();
        let listed = self.kms.list_keys().await;
        self.counted("list_keys", started, "", listed)
    }

    /// Key `id`'s versions.
    pub async fn key_info(&self, id: &str) -> Result<KeyInfo, TransformError> {
        let started = Instant::now();
        let info = self.kms.key_info(id).await;
        self.counted("key_info", started, id, info)
    }

    /// Makes key `id` (version 1).
    pub async fn create_key(&self, id: &str) -> Result<KeyInfo, TransformError> {
        let started = Instant::now();
        let made = self.kms.create_key(id).await;
        self.counted("create_key", started, id, made)
    }

    /// Adds a version to key `id`; new data keys are sealed under it from now on (S3 Bucket
    /// Keys sealed under the old one are forgotten), old blobs still unseal until a re-seal
    /// seals them again.
    pub async fn rotate_key(&self, id: &str) -> Result<KeyInfo, TransformError> {
        let started = Instant::now();
        let rotated = self.kms.rotate_key(id).await;
        let info = self.counted("rotate_key", started, id, rotated)?;
        self.forget_bucket_keys();
        Ok(info)
    }

    /// `kms`'s blob sealed again under its key's current version, through the cache
    /// `rewrapped` (objects under one S3 Bucket Key share a blob: one call for all).
    pub(super) async fn rewrap(
        &self,
        bucket: &str,
        object: &str,
        kms: &KmsRecord,
        rewrapped: &mut Rewrapped,
    ) -> Result<Vec<u8>, TransformError> {
        let context = bound_context(&kms.context, bucket, object, kms.bucket_key);
        let slot = (
            kms.key_id.clone(),
            kms.blob.clone(),
            context.canonical_bytes(),
        );
        if let Some(blob) = rewrapped.get(&slot) {
            return Ok(blob.clone());
        }
        let started = Instant::now();
        let done = self
            .sealer_of(&kms.blob)
            .rewrap(&kms.key_id, &kms.blob, &context)
            .await;
        let blob = self.counted("rewrap", started, &kms.key_id, done)?;
        if rewrapped.len() >= CACHE_ENTRIES {
            rewrapped.clear();
        }
        rewrapped.insert(slot, blob.clone());
        Ok(blob)
    }

    /// The data key of the SSE-KMS object `bucket/object` recorded as `kms`.
    pub async fn open(
        &self,
        bucket: &str,
        object: &str,
        kms: &KmsRecord,
    ) -> Result<Kek, TransformError> {
        let context = bound_context(&kms.context, bucket, object, kms.bucket_key);
        let slot = (
            kms.key_id.clone(),
            kms.blob.clone(),
            context.canonical_bytes(),
        );
        if let Some(kek) = lock(&self.opened).get(&slot) {
            self.metrics.cache_hit("data_key");
            return Ok(kek);
        }
        let started = Instant::now();
        let opened = self
            .sealer_of(&kms.blob)
            .decrypt(&kms.key_id, &kms.blob, &context)
            .await;
        let kek = self.counted("decrypt", started, &kms.key_id, opened)?;
        lock(&self.opened).insert(slot, kek.clone());
        Ok(kek)
    }

    /// Counts a call and turns its error into the request's answer.
    fn counted<T>(
        &self,
        op: &'static str,
        started: Instant,
        key_id: &str,
        result: Result<T, KmsError>,
    ) -> Result<T, TransformError> {
        let seconds = started.elapsed().as_secs_f64();
        let (outcome, answer) = match result {
            Ok(v) => {
                self.metrics.called(op, "success", seconds);
                return Ok(v);
            }
            Err(e) => refusal(key_id, e),
        };
        tracing::warn!(op, key_id, outcome, error = %answer, "KMS call failed");
        self.metrics.called(op, outcome, seconds);
        Err(answer)
    }
}

/// A KMS error as the outcome label and the request's answer: a missing key is the
/// caller's (400), an unreachable or failing KMS is a 503, a refusal is a 403, a blob that
/// does not unseal is damage.
fn refusal(key_id: &str, e: KmsError) -> (&'static str, TransformError) {
    match e {
        KmsError::NoSuchKey(_) | KmsError::InvalidKeyId(_) => (
            "not_found",
            TransformError::KmsKeyNotFound(format!("Invalid keyId {key_id}")),
        ),
        KmsError::Unavailable(why) => ("unavailable", TransformError::KmsUnavailable(why)),
        KmsError::Rejected { status, message } if status >= 500 || status == 429 => (
            "unavailable",
            TransformError::KmsUnavailable(format!("HTTP {status}: {message}")),
        ),
        KmsError::Rejected {
            status: 401 | 403,
            message,
        } => (
            "refused",
            TransformError::Denied(format!("the KMS refused strata: {message}")),
        ),
        KmsError::KeyExists(id) => (
            "exists",
            TransformError::KmsKeyExists(format!("the KMS key {id} exists already")),
        ),
        KmsError::InvalidBlob | KmsError::NoSuchVersion { .. } => (
            "error",
            TransformError::Damaged(format!("the object's data key does not unseal: {e}")),
        ),
        other => ("error", TransformError::Damaged(format!("KMS: {other}"))),
    }
}

/// The context a data key is sealed with: the caller's, plus the object's ARN (or, for an
/// S3 Bucket Key, the bucket's), so that a data key unseals for nothing else.
fn bound_context(
    context: &BTreeMap<String, String>,
    bucket: &str,
    object: &str,
    bucket_key: bool,
) -> EncryptionContext {
    let arn = if bucket_key {
        format!("arn:aws:s3:::{bucket}")
    } else {
        format!("arn:aws:s3:::{bucket}/{object}")
    };
    context
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain([(ARN_CONTEXT, arn.as_str())])
        .collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves whole entries: keep going.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A bounded map whose entries expire `ttl` after they were put.
struct Expiring<K, V> {
    ttl: Duration,
    entries: HashMap<K, (V, Instant)>,
}

impl<K: Hash + Eq, V: Clone> Expiring<K, V> {
    fn new(ttl: Duration) -> Self {
        Expiring {
            ttl,
            entries: HashMap::new(),
        }
    }

    fn get(&self, k: &K) -> Option<V> {
        self.entries
            .get(k)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(v, _)| v.clone())
    }

    fn insert(&mut self, k: K, v: V) {
        if self.entries.len() >= CACHE_ENTRIES {
            let ttl = self.ttl;
            self.entries.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        if self.entries.len() >= CACHE_ENTRIES {
            // Still full of live entries: make room for a quarter, whichever they are.
            let mut seen = 0;
            self.entries.retain(|_, _| {
                seen += 1;
                seen > CACHE_ENTRIES / 4
            });
        }
        self.entries.insert(k, (v, Instant::now()));
    }
}
