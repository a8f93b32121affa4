//! The verified request body: bytes pass as they come, the stream ends only once verification
//! passed, and a failure is the last item and stays the answer.

use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderMap, HeaderValue};

use super::*;
use crate::auth::{PayloadMode, PayloadSpec};

fn wire(pieces: Vec<std::io::Result<&'static [u8]>>) -> WireBody<'static> {
    futures::stream::iter(pieces.into_iter().map(|p| p.map(Bytes::from_static))).boxed()
}

fn verifier(headers: &[(&'static str, &'static str)]) -> PayloadVerifier {
    let mut map = HeaderMap::new();
    for (n, v) in headers {
        map.insert(*n, HeaderValue::from_static(v));
    }
    let spec = PayloadSpec::from_headers(PayloadMode::Unsigned, &map).unwrap();
    PayloadVerifier::new(spec, None).unwrap()
}

async fn drain(body: &mut Body<'_>) -> (Vec<u8>, Option<BodyError>) {
    let mut out = Vec::new();
    while let Some(item) = body.next().await {
        match item {
            Ok(b) => out.extend_from_slice(&b),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

#[tokio::test]
async fn an_identity_body_streams_and_ends_with_its_summary() {
    // "hello world" has CRC32 DUoRhQ==.
    let v = verifier(&[("x-amz-checksum-crc32", "DUoRhQ==")]);
    let mut body = Body::new(wire(vec![Ok(b"hello "), Ok(b"world")]), v, Some(11));
    assert_eq!(body.finish(), Err(BodyError::Unfinished));
    let (bytes, err) = drain(&mut body).await;
    assert_eq!((bytes.as_slice(), err), (&b"hello world"[..], None));
    let summary = body.finish().unwrap();
    assert_eq!(summary.decoded_length, 11);
    assert_eq!(summary.checksums.len(), 1);
}

#[tokio::test]
async fn a_verification_failure_is_the_last_item_and_stays_the_answer() {
    let v = verifier(&[("x-amz-checksum-crc32", "AAAAAA==")]);
    let mut body = Body::new(wire(vec![Ok(b"hello world")]), v, Some(11));
    let (_, err) = drain(&mut body).await;
    assert_eq!(err, Some(BodyError::Verify(AuthError::BadDigest("CRC32"))));
    assert!(body.next().await.is_none());
    assert_eq!(
        body.finish(),
        Err(BodyError::Verify(AuthError::BadDigest("CRC32")))
    );
}

#[tokio::test]
async fn a_broken_connection_is_a_truncated_body() {
    let broken = Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "reset",
    ));
    let mut body = Body::new(
        wire(vec![Ok(b"hel"), broken]),
        PayloadVerifier::unsigned(),
        Some(5),
    );
    let (bytes, err) = drain(&mut body).await;
    assert_eq!(bytes, b"hel");
    assert!(matches!(err, Some(BodyError::Truncated(_))));
    assert!(matches!(body.finish(), Err(BodyError::Truncated(_))));
}

#[tokio::test]
async fn documents_are_bounded_and_must_not_be_empty() {
    let long = Body::new(
        wire(vec![Ok(b"0123456789")]),
        PayloadVerifier::unsigned(),
        None,
    );
    assert_eq!(long.collect(4).await, Err(BodyError::TooLarge(4)));
    // An announced length over the limit is refused before reading.
    let announced = Body::new(wire(vec![]), PayloadVerifier::unsigned(), Some(100));
    assert_eq!(announced.collect(4).await, Err(BodyError::TooLarge(4)));
    assert_eq!(
        Body::empty().collect_document(10).await,
        Err(BodyError::Empty)
    );
    let doc = Body::from_bytes(Bytes::from_static(b"<a/>"));
    assert_eq!(
        doc.collect_document(10).await.unwrap(),
        Bytes::from_static(b"<a/>")
    );
}

#[tokio::test]
async fn md5_is_taken_when_asked() {
    let plain = Body::new(wire(vec![Ok(b"abc")]), PayloadVerifier::unsigned(), Some(3));
    assert!(!plain.hashes_md5());
    let verifier = PayloadVerifier::unsigned().with_md5();
    let mut body = Body::new(wire(vec![Ok(b"abc")]), verifier, Some(3));
    assert!(body.hashes_md5());
    drain(&mut body).await;
    let md5 = body.finish().unwrap().md5.unwrap();
    assert_eq!(hex::encode(md5), "900150983cd24fb0d6963f7d28e17f72");
}
