//! Header parsing and the transform's round trips, ranges and failures, without a store: the
//! stored bytes are made by the encoder and read through the read plan, as the handlers do.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue};
use md5::{Digest, Md5};
use strata_crypt::{Kek, PACKAGE_SIZE};
use strata_volume::{ObjectInfo, ObjectMeta, PartSummary};

use super::headers::{
    check, customer_key, requested, Requested, COPY_SOURCE_CUSTOMER, COPY_SOURCE_CUSTOMER_HEADERS,
    CUSTOMER, CUSTOMER_HEADERS, KNOWN_CUSTOMER,
};
use super::Sse;
use crate::transform::{BodyTransform, ClientEtag, Codec, Internal, Target, TransformError};

pub(super) fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in pairs {
        h.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    h
}

fn customer(key: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        (
            "x-amz-server-side-encryption-customer-algorithm",
            "AES256".into(),
        ),
        (
            "x-amz-server-side-encryption-customer-key",
            STANDARD.encode(key),
        ),
        (
            "x-amz-server-side-encryption-customer-key-md5",
            STANDARD.encode(Md5::digest(key)),
        ),
    ]
}

fn owned(pairs: &[(&'static str, String)]) -> HeaderMap {
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (*n, v.as_str())).collect();
    headers(&borrowed)
}

fn sse(by_default: bool) -> Sse {
    Sse::new(Kek::from_bytes([7; 32]), by_default)
}

#[test]
fn no_header_asks_for_the_default_and_aes256_for_sse_s3() {
    assert!(matches!(
        requested(&HeaderMap::new()),
        Ok(Requested::Default)
    ));
    let h = headers(&[("x-amz-server-side-encryption", "AES256")]);
    assert!(matches!(requested(&h), Ok(Requested::S3)));
}

#[test]
fn dsse_kms_is_not_implemented_and_kms_parameters_need_sse_kms() {
    let dsse = headers(&[("x-amz-server-side-encryption", "aws:kms:dsse")]);
    assert!(matches!(
        check(&dsse, true),
        Err(TransformError::Unsupported(_))
    ));
    for pairs in [
        &[("x-amz-server-side-encryption-aws-kms-key-id", "k")][..],
        &[("x-amz-server-side-encryption-context", "e30=")][..],
        &[
            ("x-amz-server-side-encryption", "AES256"),
            ("x-amz-server-side-encryption-aws-kms-key-id", "k"),
        ][..],
        &[("x-amz-server-side-encryption-bucket-key-enabled", "maybe")][..],
    ] {
        assert!(
            matches!(
                check(&headers(pairs), true),
                Err(TransformError::BadArgument(_))
            ),
            "{pairs:?}"
        );
    }
}

#[test]
fn copy_source_customer_keys_are_checked_like_the_request_s_own() {
    let key = [3u8; 32];
    let source: Vec<(String, String)> = customer(&key)
        .into_iter()
        .map(|(name, value)| (name.replace("x-amz-", "x-amz-copy-source-"), value))
        .collect();
    let map = |pairs: &[(String, String)]| {
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        headers(&borrowed)
    };
    assert!(check(&map(&source), true).is_ok());
    assert!(matches!(
        check(&map(&source), false),
        Err(TransformError::Invalid(_))
    ));
    let mut wrong_md5 = source.clone();
    wrong_md5[2].1 = STANDARD.encode(Md5::digest([4u8; 32]));
    assert!(matches!(
        check(&map(&wrong_md5), true),
        Err(TransformError::BadArgument(_))
    ));
    let unknown = headers(&[("x-amz-copy-source-server-side-encryption", "AES256")]);
    assert!(matches!(
        check(&unknown, true),
        Err(TransformError::Unsupported(_))
    ));
    let unknown = headers(&[("x-amz-server-side-encryption-customer-other", "x")]);
    assert!(matches!(
        check(&unknown, true),
        Err(TransformError::Unsupported(_))
    ));
}

#[test]
fn an_unknown_algorithm_is_an_invalid_argument() {
    let h = headers(&[("x-amz-server-side-encryption", "DES")]);
    assert!(matches!(
        check(&h, true),
        Err(TransformError::BadArgument(_))
    ));
}

#[test]
fn a_customer_key_is_read_with_its_md5_checked() {
    let key = [3u8; 32];
    let parsed = customer_key(&owned(&customer(&key)), CUSTOMER)
        .unwrap()
        .unwrap();
    assert_eq!(parsed.kek.expose(), &key);
    assert_eq!(parsed.md5, STANDARD.encode(Md5::digest(key)));
}

#[test]
fn a_customer_key_with_the_wrong_md5_is_an_invalid_argument() {
    let mut pairs = customer(&[3u8; 32]);
    pairs[2].1 = STANDARD.encode(Md5::digest([4u8; 32]));
    assert!(matches!(
        customer_key(&owned(&pairs), CUSTOMER),
        Err(TransformError::BadArgument(_))
    ));
}

#[test]
fn a_customer_key_of_the_wrong_length_or_incomplete_headers_are_invalid_arguments() {
    let short = customer(&[3u8; 16]);
    assert!(matches!(
        customer_key(&owned(&short), CUSTOMER),
        Err(TransformError::BadArgument(_))
    ));
    let full = customer(&[3u8; 32]);
    for missing in 0..3 {
        let mut pairs = full.clone();
        pairs.remove(missing);
        assert!(
            matches!(
                customer_key(&owned(&pairs), CUSTOMER),
                Err(TransformError::BadArgument(_))
            ),
            "without header {missing}"
        );
    }
    let mut wrong_algorithm = full.clone();
    wrong_algorithm[0].1 = "AES128".into();
    assert!(matches!(
        customer_key(&owned(&wrong_algorithm), CUSTOMER),
        Err(TransformError::BadArgument(_))
    ));
}

#[test]
fn sse_s3_and_sse_c_together_are_an_invalid_argument() {
    let mut pairs = customer(&[3u8; 32]);
    pairs.push(("x-amz-server-side-encryption", "AES256".into()));
    assert!(matches!(
        check(&owned(&pairs), true),
        Err(TransformError::BadArgument(_))
    ));
}

#[test]
fn a_customer_key_is_refused_on_a_connection_that_is_not_confidential() {
    let h = owned(&customer(&[3u8; 32]));
    assert!(check(&h, true).is_ok());
    assert!(matches!(check(&h, false), Err(TransformError::Invalid(_))));
    // SSE-S3 carries no secret: plain HTTP is fine.
    let s3 = headers(&[("x-amz-server-side-encryption", "AES256")]);
    assert!(check(&s3, false).is_ok());
}

pub(super) fn run(
    codec: &mut Box<dyn Codec>,
    input: &[u8],
    chunk: usize,
) -> Result<Vec<u8>, TransformError> {
    let mut out = BytesMut::new();
    for piece in input.chunks(chunk.max(1)) {
        codec.push(Bytes::copy_from_slice(piece), &mut out)?;
    }
    codec.finish(&mut out)?;
    Ok(out.to_vec())
}

pub(super) fn plaintext(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Stores `parts` (one part: a single put) as `t` would, returning the object and its
/// stored bytes.
pub(super) async fn store(
    t: &Sse,
    h: &HeaderMap,
    parts: &[Vec<u8>],
) -> (ObjectInfo, Vec<u8>, Internal) {
    let internal = t.seal(Target::object("b", "k"), h, None).await.unwrap();
    store_sealed(t, h, parts, internal).await
}

/// Stores `parts` under an object already sealed as `internal`.
pub(super) async fn store_sealed(
    t: &Sse,
    h: &HeaderMap,
    parts: &[Vec<u8>],
    internal: Internal,
) -> (ObjectInfo, Vec<u8>, Internal) {
    let multipart = parts.len() > 1;
    let mut stored = Vec::new();
    let mut summaries = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let number = i as u32 + 1;
        let target = Target {
            bucket: "b",
            key: "k",
            part: multipart.then_some(number),
        };
        let mut encoder = t.encoder(target, &internal, h).await.unwrap().unwrap();
        let bytes = run(&mut encoder, part, 10_000).unwrap();
        assert_eq!(
            bytes.len() as u64,
            t.stored_len(&internal, part.len() as u64)
        );
        summaries.push(PartSummary {
            part_number: number,
            size: part.len() as u64,
            stored_size: bytes.len() as u64,
            etag: String::new(),
            checksums: Default::default(),
        });
        stored.extend_from_slice(&bytes);
    }
    let info = ObjectInfo {
        bucket: "b".into(),
        key: "k".into(),
        version_id: "null".into(),
        is_latest: true,
        delete_marker: false,
        size: parts.iter().map(|p| p.len() as u64).sum(),
        stored_size: stored.len() as u64,
        etag: String::new(),
        last_modified: std::time::SystemTime::UNIX_EPOCH,
        meta: ObjectMeta::default(),
        storage_class: "fast".into(),
        checksums: Default::default(),
        parts: if multipart { summaries } else { Vec::new() },
        tags: Vec::new(),
        internal: internal.clone(),
        access: None,
        lock: None,
        restored_until: None,
    };
    (info, stored, internal)
}

pub(super) async fn read(
    t: &Sse,
    info: &ObjectInfo,
    stored: &[u8],
    span: std::ops::Range<u64>,
    h: &HeaderMap,
) -> Result<Vec<u8>, TransformError> {
    let plan = t.reader(info, span.clone(), h).await?;
    let slice = |r: &std::ops::Range<u64>| &stored[r.start as usize..r.end as usize];
    // As the handlers read: the header apart, first, then the stored span.
    let mut bytes = plan.header.as_ref().map(slice).unwrap_or_default().to_vec();
    bytes.extend_from_slice(slice(&plan.stored));
    let mut out = match plan.decoder {
        Some(mut decoder) => run(&mut decoder, &bytes, 7_777)?,
        None => bytes,
    };
    let skip = plan.skip as usize;
    out.drain(..skip);
    out.truncate((span.end - span.start) as usize);
    Ok(out)
}

#[tokio::test]
async fn sse_s3_objects_round_trip_in_every_range_and_hold_no_plaintext() {
    let t = sse(true);
    let package = PACKAGE_SIZE as usize;
    let body = plaintext(3 * package + 100, 1);
    let (info, stored, internal) = store(&t, &HeaderMap::new(), std::slice::from_ref(&body)).await;
    assert_eq!(
        t.describe(&internal),
        vec![(
            "x-amz-server-side-encryption".to_string(),
            "AES256".to_string()
        )]
    );
    assert!(!stored.windows(64).any(|w| w == &body[1000..1064]));
    let len = body.len() as u64;
    let p = PACKAGE_SIZE;
    for span in [
        0..len,
        0..1,
        5..p,
        p - 1..p + 1,
        p..2 * p,
        2 * p + 3..len,
        len - 1..len,
    ] {
        let got = read(&t, &info, &stored, span.clone(), &HeaderMap::new())
            .await
            .unwrap();
        assert_eq!(
            got,
            &body[span.start as usize..span.end as usize],
            "{span:?}"
        );
    }
}

#[tokio::test]
async fn multipart_ranges_cross_parts_and_each_part_is_its_own_stream() {
    let t = sse(true);
    let package = PACKAGE_SIZE as usize;
    let parts = vec![
        plaintext(package + 10, 1),
        plaintext(2 * package, 2),
        plaintext(33, 3),
    ];
    let whole: Vec<u8> = parts.concat();
    let (info, stored, _) = store(&t, &HeaderMap::new(), &parts).await;
    let len = whole.len() as u64;
    let first = parts[0].len() as u64;
    for span in [
        0..len,
        first - 1..first + 1,
        first + 5..len - 2,
        first..first + PACKAGE_SIZE * 2,
        len - 33..len,
        3..first + PACKAGE_SIZE + 7,
    ] {
        let got = read(&t, &info, &stored, span.clone(), &HeaderMap::new())
            .await
            .unwrap();
        assert_eq!(
            got,
            &whole[span.start as usize..span.end as usize],
            "{span:?}"
        );
    }
}

#[tokio::test]
async fn a_changed_stored_byte_fails_the_read_instead_of_returning_other_bytes() {
    let t = sse(true);
    let body = plaintext(100_000, 9);
    let (info, mut stored, _) = store(&t, &HeaderMap::new(), &[body]).await;
    stored[70_000] ^= 1;
    let got = read(&t, &info, &stored, 0..info.size, &HeaderMap::new()).await;
    assert!(matches!(got, Err(TransformError::Damaged(_))), "{got:?}");
    // A range that does not touch the changed package still reads.
    assert!(read(&t, &info, &stored, 0..1000, &HeaderMap::new())
        .await
        .is_ok());
}

#[tokio::test]
async fn without_the_default_objects_stay_plaintext_and_old_objects_read_as_they_are() {
    let t = sse(false);
    let internal = t
        .seal(Target::object("b", "k"), &HeaderMap::new(), None)
        .await
        .unwrap();
    assert!(internal.is_empty());
    assert!(t
        .encoder(Target::object("b", "k"), &internal, &HeaderMap::new())
        .await
        .unwrap()
        .is_none());
    assert_eq!(t.stored_len(&internal, 10), 10);
    assert!(t.describe(&internal).is_empty());
    // Asking still encrypts.
    let asked = headers(&[("x-amz-server-side-encryption", "AES256")]);
    let internal = t
        .seal(Target::object("b", "k"), &asked, None)
        .await
        .unwrap();
    assert!(!internal.is_empty());
}

#[tokio::test]
async fn sse_c_needs_the_right_key_to_read_and_hides_the_md5() {
    let t = sse(true);
    let key = [5u8; 32];
    let h = owned(&customer(&key));
    let body = plaintext(70_000, 4);
    let (info, stored, internal) = store(&t, &h, std::slice::from_ref(&body)).await;
    let described = t.describe(&internal);
    assert!(described.contains(&(
        "x-amz-server-side-encryption-customer-key-md5".to_string(),
        STANDARD.encode(Md5::digest(key))
    )));
    assert_eq!(t.client_etag(&internal), ClientEtag::Opaque);
    assert_eq!(
        read(&t, &info, &stored, 10..60_000, &h).await.unwrap(),
        &body[10..60_000]
    );
    assert!(t.admit(&info, &h).await.is_ok());

    let none = HeaderMap::new();
    assert!(matches!(
        t.admit(&info, &none).await,
        Err(TransformError::Invalid(_))
    ));
    assert!(matches!(
        t.reader(&info, 0..10, &none).await.err(),
        Some(TransformError::Invalid(_))
    ));
    let wrong = owned(&customer(&[6u8; 32]));
    assert!(matches!(
        t.admit(&info, &wrong).await,
        Err(TransformError::Denied(_))
    ));
    assert!(matches!(
        t.reader(&info, 0..10, &wrong).await.err(),
        Some(TransformError::Denied(_))
    ));
}

#[tokio::test]
async fn a_sealed_key_moved_to_another_object_does_not_open() {
    let t = sse(true);
    let (mut info, _, _) = store(&t, &HeaderMap::new(), &[plaintext(10, 1)]).await;
    info.key = "elsewhere".into();
    assert!(matches!(
        t.reader(&info, 0..10, &HeaderMap::new()).await.err(),
        Some(TransformError::Damaged(_))
    ));
}

#[tokio::test]
async fn customer_keys_sent_for_an_object_without_them_are_refused() {
    let t = sse(true);
    let (info, _, _) = store(&t, &HeaderMap::new(), &[plaintext(10, 1)]).await;
    let h = owned(&customer(&[5u8; 32]));
    assert!(matches!(
        t.admit(&info, &h).await,
        Err(TransformError::Invalid(_))
    ));
}

#[test]
fn the_audit_names_the_mode_an_answer_reports() {
    use super::headers::answered_mode;
    let mode = |pairs: &[(&str, &str)]| {
        let h = headers(pairs);
        answered_mode(|name| h.get(name).and_then(|v| v.to_str().ok()))
    };
    assert_eq!(mode(&[]), None);
    assert_eq!(
        mode(&[("x-amz-server-side-encryption", "AES256")]),
        Some("AES256")
    );
    assert_eq!(
        mode(&[("x-amz-server-side-encryption", "aws:kms")]),
        Some("aws:kms")
    );
    let customer = [("x-amz-server-side-encryption-customer-algorithm", "AES256")];
    assert_eq!(mode(&customer), Some("SSE-C"));
    assert_eq!(mode(&[("x-amz-server-side-encryption", "other")]), None);
}

#[tokio::test]
async fn a_range_far_into_an_object_reads_its_header_and_its_packages_only() {
    let t = sse(true);
    let package = PACKAGE_SIZE as usize;
    // Past the first erasure block (1 MiB): 20 packages and a short one.
    let body = plaintext(20 * package + 100, 3);
    let (info, stored, _) = store(&t, &HeaderMap::new(), std::slice::from_ref(&body)).await;
    let size = body.len() as u64;
    // The last 300 bytes: in packages 19 and 20 (the short final one).
    let plan = t
        .reader(&info, size - 300..size, &HeaderMap::new())
        .await
        .unwrap();
    let sealed = PACKAGE_SIZE + strata_crypt::TAG_LEN;
    assert_eq!(plan.header, Some(0..16));
    assert_eq!(plan.stored, 16 + 19 * sealed..stored.len() as u64);
    // A range in the first erasure block is read through from the start (one read).
    let plan = t.reader(&info, 10..20, &HeaderMap::new()).await.unwrap();
    assert_eq!((plan.header, plan.stored), (None, 0..16 + sealed));
    let plan = t
        .reader(
            &info,
            3 * PACKAGE_SIZE..3 * PACKAGE_SIZE + 1,
            &HeaderMap::new(),
        )
        .await
        .unwrap();
    assert_eq!((plan.header, plan.stored), (None, 0..16 + 4 * sealed));
    // Both read back exactly.
    let got = read(&t, &info, &stored, size - 300..size, &HeaderMap::new()).await;
    assert!(got.unwrap() == body[body.len() - 300..]);
}

#[tokio::test]
async fn the_configured_cipher_seals_new_streams_and_every_cipher_reads_back() {
    use strata_crypt::Cipher;
    let body = plaintext(2 * PACKAGE_SIZE as usize + 7, 5);
    for (cipher, id) in [(Cipher::ChaCha20Poly1305, 2u8), (Cipher::Aes256Gcm, 1)] {
        let writer = sse(true).with_cipher(cipher);
        let (info, stored, _) =
            store(&writer, &HeaderMap::new(), std::slice::from_ref(&body)).await;
        // The header's second byte names the cipher (volume/ENCRYPTION.md, "Streams").
        assert_eq!(stored[1], id, "{cipher:?}");
        // A reader configured otherwise opens it: the stream says how it was sealed.
        let other = if id == 1 {
            Cipher::ChaCha20Poly1305
        } else {
            Cipher::Aes256Gcm
        };
        let reader = sse(true).with_cipher(other);
        let size = body.len() as u64;
        let got = read(&reader, &info, &stored, 0..size, &HeaderMap::new()).await;
        assert!(got.unwrap() == body, "{cipher:?}");
    }
}

#[test]
fn the_spelled_out_sse_c_header_names_are_prefix_and_suffix() {
    for (prefix, names) in [
        (CUSTOMER, CUSTOMER_HEADERS),
        (COPY_SOURCE_CUSTOMER, COPY_SOURCE_CUSTOMER_HEADERS),
    ] {
        let built: Vec<String> = KNOWN_CUSTOMER
            .iter()
            .map(|s| format!("{prefix}{s}"))
            .collect();
        assert_eq!(built, names);
    }
}
