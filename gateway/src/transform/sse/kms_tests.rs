//! SSE-KMS over a local keyring (and a KMS that can be switched off): round trips, the
//! choice between request, bucket default and server default, S3 Bucket Keys, the cache of
//! unsealed data keys, and the answers when the KMS has no such key or is down.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::HeaderMap;
use strata_crypt::kms::{
    DataKey, EncryptionContext, KeyInfo, KeyringLocation, Kms, KmsError, LocalKeyring,
};
use strata_crypt::Kek;

use super::headers::{kms_key_id, parse_context};
use super::tests::{headers, plaintext, read, store, store_sealed};
use super::{BucketEncryption, DefaultAlgorithm, KmsKeys, Sse};
use crate::metrics::KmsMetrics;
use crate::transform::{BodyTransform, ClientEtag, Internal, Target, TransformError};

/// A keyring that can be taken down, like a KMS behind a network.
struct Switchable {
    keyring: LocalKeyring,
    down: AtomicBool,
}

impl Switchable {
    fn check(&self) -> Result<(), KmsError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(KmsError::Unavailable("switched off by the test".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl Kms for Switchable {
    async fn create_key(&self, id: &str) -> Result<KeyInfo, KmsError> {
        self.check()?;
        self.keyring.create_key(id).await
    }
    async fn list_keys(&self) -> Result<Vec<KeyInfo>, KmsError> {
        self.check()?;
        self.keyring.list_keys().await
    }
    async fn rotate_key(&self, id: &str) -> Result<KeyInfo, KmsError> {
        self.check()?;
        self.keyring.rotate_key(id).await
    }
    async fn key_info(&self, id: &str) -> Result<KeyInfo, KmsError> {
        self.check()?;
        self.keyring.key_info(id).await
    }
    fn sealed_version(&self, sealed: &[u8]) -> Option<u32> {
        self.keyring.sealed_version(sealed)
    }
    async fn generate_data_key(
        &self,
        id: &str,
        context: &EncryptionContext,
    ) -> Result<DataKey, KmsError> {
        self.check()?;
        self.keyring.generate_data_key(id, context).await
    }
    async fn seal(
        &self,
        id: &str,
        data_key: &Kek,
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, KmsError> {
        self.check()?;
        self.keyring.seal(id, data_key, context).await
    }
    async fn decrypt(
        &self,
        id: &str,
        sealed: &[u8],
        context: &EncryptionContext,
    ) -> Result<Kek, KmsError> {
        self.check()?;
        self.keyring.decrypt(id, sealed, context).await
    }
    async fn rewrap(
        &self,
        id: &str,
        sealed: &[u8],
        context: &EncryptionContext,
    ) -> Result<Vec<u8>, KmsError> {
        self.check()?;
        self.keyring.rewrap(id, sealed, context).await
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    kms: Arc<Switchable>,
    metrics: KmsMetrics,
}

/// A keyring with keys `default` and `app`.
async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let keyring =
        LocalKeyring::open(KeyringLocation::File(dir.path().join("keyring.json"))).unwrap();
    keyring.create_key("default").await.unwrap();
    keyring.create_key("app").await.unwrap();
    Fixture {
        _dir: dir,
        kms: Arc::new(Switchable {
            keyring,
            down: AtomicBool::new(false),
        }),
        metrics: KmsMetrics::default(),
    }
}

impl Fixture {
    fn sse(&self, by_default: bool) -> Sse {
        let keys = KmsKeys::new(self.kms.clone(), "default".into(), self.metrics.clone());
        Sse::new(Kek::from_bytes([7; 32]), by_default).with_kms(Arc::new(keys))
    }

    fn down(&self, down: bool) {
        self.kms.down.store(down, Ordering::SeqCst);
    }
}

fn described(t: &Sse, internal: &Internal, name: &str) -> Option<String> {
    t.describe(internal)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

fn context_header(json: &str) -> String {
    STANDARD.encode(json)
}

#[tokio::test]
async fn sse_kms_objects_round_trip_under_the_named_or_default_key() {
    let f = fixture().await;
    let t = f.sse(true);
    let data = plaintext(150_000, 3);
    for (key, expect) in [(None, "default"), (Some("app"), "app")] {
        let mut pairs = vec![("x-amz-server-side-encryption", "aws:kms")];
        if let Some(k) = key {
            pairs.push(("x-amz-server-side-encryption-aws-kms-key-id", k));
        }
        let h = headers(&pairs);
        let (info, stored, internal) = store(&t, &h, std::slice::from_ref(&data)).await;
        assert!(!stored.windows(64).any(|w| w == &data[1000..1064]));
        assert_eq!(
            read(&t, &info, &stored, 0..data.len() as u64, &HeaderMap::new())
                .await
                .unwrap(),
            data
        );
        assert_eq!(
            read(&t, &info, &stored, 70_000..140_001, &HeaderMap::new())
                .await
                .unwrap(),
            data[70_000..140_001]
        );
        let at = |name| described(&t, &internal, name);
        assert_eq!(
            at("x-amz-server-side-encryption").as_deref(),
            Some("aws:kms")
        );
        assert_eq!(
            at("x-amz-server-side-encryption-aws-kms-key-id").as_deref(),
            Some(expect)
        );
        // As on AWS, not the MD5 of the plaintext.
        assert_eq!(t.client_etag(&internal), ClientEtag::Opaque);
    }
    assert_eq!(f.metrics.calls("generate_data_key", "success"), 2);
}

#[tokio::test]
async fn the_encryption_context_is_kept_echoed_and_bound() {
    let f = fixture().await;
    let t = f.sse(true);
    let ctx = context_header(r#"{"team":"payments"}"#);
    let h = headers(&[
        ("x-amz-server-side-encryption", "aws:kms"),
        ("x-amz-server-side-encryption-context", &ctx),
    ]);
    let data = plaintext(70_000, 9);
    let (info, stored, internal) = store(&t, &h, std::slice::from_ref(&data)).await;
    assert_eq!(
        described(&t, &internal, "x-amz-server-side-encryption-context"),
        Some(ctx)
    );
    assert_eq!(
        read(&t, &info, &stored, 0..70_000, &HeaderMap::new())
            .await
            .unwrap(),
        data
    );
    // A changed context in the metadata no longer unseals the data key at the KMS.
    let mut changed = info.clone();
    changed
        .internal
        .insert("sse-kms-context".into(), r#"{"team":"other"}"#.into());
    let fresh = f.sse(true);
    assert!(matches!(
        read(&fresh, &changed, &stored, 0..10, &HeaderMap::new()).await,
        Err(TransformError::Damaged(_))
    ));
    // So does the same data key under another object name.
    let mut moved = info.clone();
    moved.key = "elsewhere".into();
    assert!(read(&fresh, &moved, &stored, 0..10, &HeaderMap::new())
        .await
        .is_err());
}

#[tokio::test]
async fn bucket_keys_spare_the_kms_a_call_per_object() {
    let f = fixture().await;
    let t = f.sse(true);
    let h = headers(&[
        ("x-amz-server-side-encryption", "aws:kms"),
        ("x-amz-server-side-encryption-bucket-key-enabled", "true"),
    ]);
    let mut objects = Vec::new();
    for seed in 0..5 {
        let data = plaintext(1000 + seed as usize, seed);
        let (info, stored, internal) = store(&t, &h, std::slice::from_ref(&data)).await;
        assert_eq!(
            described(
                &t,
                &internal,
                "x-amz-server-side-encryption-bucket-key-enabled"
            )
            .as_deref(),
            Some("true")
        );
        objects.push((info, stored, data));
    }
    assert_eq!(f.metrics.calls("generate_data_key", "success"), 1);
    let blobs: Vec<_> = objects
        .iter()
        .map(|(i, _, _)| i.internal["sse-kms-blob"].clone())
        .collect();
    assert!(blobs.windows(2).all(|w| w[0] == w[1]));
    // Each object still has its own object key.
    let sealed: Vec<_> = objects
        .iter()
        .map(|(i, _, _)| i.internal["sse-key"].clone())
        .collect();
    assert!(sealed.windows(2).all(|w| w[0] != w[1]));
    let fresh = f.sse(true);
    for (info, stored, data) in &objects {
        let got = read(
            &fresh,
            info,
            stored,
            0..data.len() as u64,
            &HeaderMap::new(),
        )
        .await;
        assert_eq!(got.unwrap(), *data);
    }
    // One decrypt for the shared data key; the rest came from the cache.
    assert_eq!(f.metrics.calls("decrypt", "success"), 1);
}

#[tokio::test]
async fn the_bucket_default_applies_unless_the_request_says_otherwise() {
    let f = fixture().await;
    let t = f.sse(false);
    let kms_default = BucketEncryption {
        algorithm: DefaultAlgorithm::Kms(Some("app".into())),
        bucket_key: true,
    };
    let seal = |h: HeaderMap, bucket: Option<BucketEncryption>| {
        let t = &t;
        async move { t.seal(Target::object("b", "k"), &h, bucket.as_ref()).await }
    };
    let by_bucket = seal(HeaderMap::new(), Some(kms_default.clone()))
        .await
        .unwrap();
    assert_eq!(by_bucket["sse"], "aws:kms");
    assert_eq!(by_bucket["sse-kms-key-id"], "app");
    assert_eq!(by_bucket["sse-kms-bucket-key"], "true");
    // The request's own choice wins, and `aws:kms` alone means the default KMS key (as AWS
    // uses its managed key), with the bucket's Bucket Key setting.
    let s3 = seal(
        headers(&[("x-amz-server-side-encryption", "AES256")]),
        Some(kms_default.clone()),
    )
    .await
    .unwrap();
    assert_eq!(s3["sse"], "AES256");
    let kms = seal(
        headers(&[("x-amz-server-side-encryption", "aws:kms")]),
        Some(kms_default.clone()),
    )
    .await
    .unwrap();
    assert_eq!(kms["sse-kms-key-id"], "default");
    assert_eq!(kms["sse-kms-bucket-key"], "true");
    let no_bk = seal(
        headers(&[
            ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-bucket-key-enabled", "false"),
        ]),
        Some(kms_default),
    )
    .await
    .unwrap();
    assert!(!no_bk.contains_key("sse-kms-bucket-key"));
    // An SSE-S3 bucket default encrypts even with the server's default off.
    let by_s3_bucket = seal(HeaderMap::new(), Some(BucketEncryption::SSE_S3))
        .await
        .unwrap();
    assert_eq!(by_s3_bucket["sse"], "AES256");
    assert!(seal(HeaderMap::new(), None).await.unwrap().is_empty());
    // A Bucket Key asked for an object that is not SSE-KMS is refused, not ignored.
    let wrong = seal(
        headers(&[("x-amz-server-side-encryption-bucket-key-enabled", "true")]),
        Some(BucketEncryption::SSE_S3),
    )
    .await;
    assert!(matches!(wrong, Err(TransformError::BadArgument(_))));
}

#[tokio::test]
async fn an_unknown_key_is_kms_not_found_and_a_down_kms_fails_writes_not_cached_reads() {
    let f = fixture().await;
    let t = f.sse(true);
    let unknown = headers(&[
        ("x-amz-server-side-encryption", "aws:kms"),
        ("x-amz-server-side-encryption-aws-kms-key-id", "nobody"),
    ]);
    let refused = t.seal(Target::object("b", "k"), &unknown, None).await;
    assert!(
        matches!(refused, Err(TransformError::KmsKeyNotFound(_))),
        "{refused:?}"
    );
    assert_eq!(f.metrics.calls("generate_data_key", "not_found"), 1);

    let h = headers(&[("x-amz-server-side-encryption", "aws:kms")]);
    let data = plaintext(5000, 1);
    let (info, stored, _) = store(&t, &h, std::slice::from_ref(&data)).await;
    // Read once: the data key is now cached.
    assert_eq!(
        read(&t, &info, &stored, 0..5000, &HeaderMap::new())
            .await
            .unwrap(),
        data
    );
    f.down(true);
    let write = t.seal(Target::object("b", "k2"), &h, None).await;
    assert!(
        matches!(write, Err(TransformError::KmsUnavailable(_))),
        "{write:?}"
    );
    assert_eq!(
        read(&t, &info, &stored, 0..5000, &HeaderMap::new())
            .await
            .unwrap(),
        data
    );
    // SSE-S3 does not need the KMS.
    let s3 = headers(&[("x-amz-server-side-encryption", "AES256")]);
    assert!(t.seal(Target::object("b", "k3"), &s3, None).await.is_ok());
    // A gateway that never read the object needs the KMS to read it, not to HEAD it.
    let fresh = f.sse(true);
    assert_eq!(fresh.admit(&info, &HeaderMap::new()).await, Ok(()));
    assert!(matches!(
        read(&fresh, &info, &stored, 0..10, &HeaderMap::new()).await,
        Err(TransformError::KmsUnavailable(_))
    ));
    assert_eq!(f.metrics.calls("decrypt", "unavailable"), 1);
    f.down(false);
    assert_eq!(
        read(&fresh, &info, &stored, 0..5000, &HeaderMap::new())
            .await
            .unwrap(),
        data
    );
}

#[tokio::test]
async fn multipart_parts_open_the_upload_key_from_the_cache() {
    let f = fixture().await;
    let t = f.sse(true);
    let h = headers(&[("x-amz-server-side-encryption", "aws:kms")]);
    let internal = t.seal(Target::object("b", "k"), &h, None).await.unwrap();
    let parts = vec![plaintext(70_000, 1), plaintext(70_000, 2), plaintext(3, 3)];
    let (info, stored, _) = store_sealed(&t, &h, &parts, internal).await;
    let whole: Vec<u8> = parts.concat();
    let got = read(&t, &info, &stored, 60_000..140_003, &HeaderMap::new())
        .await
        .unwrap();
    assert_eq!(got, whole[60_000..140_003]);
    // The data key made for the upload serves its parts and reads: no decrypt at all.
    assert_eq!(f.metrics.calls("generate_data_key", "success"), 1);
    assert_eq!(f.metrics.calls("decrypt", "success"), 0);
}

#[test]
fn key_ids_and_contexts_are_read_as_aws_sends_them() {
    assert_eq!(kms_key_id("app-key").unwrap(), "app-key");
    assert_eq!(
        kms_key_id("arn:aws:kms:us-east-1:111122223333:key/app-key").unwrap(),
        "app-key"
    );
    assert!(matches!(
        kms_key_id("arn:aws:s3:::bucket"),
        Err(TransformError::BadArgument(_))
    ));
    for bad in ["", ".hidden", "a b", &"x".repeat(65)] {
        assert!(
            matches!(kms_key_id(bad), Err(TransformError::KmsKeyNotFound(_))),
            "{bad:?}"
        );
    }
    let ok = parse_context(&STANDARD.encode(r#"{"a":"1","b":"2"}"#)).unwrap();
    assert_eq!(ok.len(), 2);
    for bad in [
        "not base64!".to_string(),
        STANDARD.encode("[1,2]"),
        STANDARD.encode(r#"{"a":1}"#),
        STANDARD.encode(r#"{"aws:s3:arn":"arn:aws:s3:::other/key"}"#),
    ] {
        assert!(
            matches!(parse_context(&bad), Err(TransformError::BadArgument(_))),
            "{bad}"
        );
    }
}
