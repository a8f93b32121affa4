//! The worked examples of the AWS S3 documentation ("Signature Calculations for the
//! Authorization Header", "Authenticating Requests: Using Query Parameters", "Transferring
//! Payload in Multiple Chunks" and "Including Trailing Headers"), with their published
//! signatures, credentials `AKIAIOSFODNN7EXAMPLE` / `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
//! at 2013-05-24T00:00:00Z.

use super::*;
use crate::identity::Identity;

const DOC_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const DOC_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn doc_now() -> SystemTime {
    parse_amz_date("20130524T000000Z").unwrap()
}

fn doc_verify(parts: &http::request::Parts) -> Result<AuthOutcome, AuthError> {
    let creds = StaticCredentials::new([Credential::new(
        DOC_KEY,
        DOC_SECRET,
        Identity::test_root("example"),
    )]);
    Verifier::new(VerifierConfig::default(), creds)
        .verify(&RequestParts::from_http(parts), doc_now())
}

fn doc_request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    signed: &str,
    signature: &str,
) -> http::request::Parts {
    let mut builder = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={DOC_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders={signed},Signature={signature}"
    );
    builder
        .header("authorization", authorization)
        .body(())
        .unwrap()
        .into_parts()
        .0
}

fn doc_authenticated(parts: &http::request::Parts) -> Authenticated {
    match doc_verify(parts) {
        Ok(AuthOutcome::Authenticated(auth)) => *auth,
        other => panic!("the documented request was refused: {other:?}"),
    }
}

#[test]
fn get_object_with_a_range() {
    let parts = doc_request(
        "GET",
        "/test.txt",
        &[
            ("host", "examplebucket.s3.amazonaws.com"),
            ("range", "bytes=0-9"),
            ("x-amz-content-sha256", EMPTY),
            ("x-amz-date", "20130524T000000Z"),
        ],
        "host;range;x-amz-content-sha256;x-amz-date",
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
    assert_eq!(doc_authenticated(&parts).identity.name, "example");
}

#[test]
fn put_object_with_a_dollar_in_the_key_and_a_date_header() {
    let body = b"Welcome to Amazon S3.";
    let hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    assert_eq!(sha256_hex(body), hash);
    let parts = doc_request(
        "PUT",
        "/test$file.text",
        &[
            ("host", "examplebucket.s3.amazonaws.com"),
            ("date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", hash),
        ],
        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
    );
    let auth = doc_authenticated(&parts);
    let (decoded, summary) =
        run_body(auth.payload_verifier(&parts.headers).unwrap(), body, &[7]).unwrap();
    assert_eq!(decoded, body);
    assert_eq!(summary.sha256.map(hex::encode).as_deref(), Some(hash));
    // The same body with one byte changed is refused when it ends.
    let err = run_body(
        auth.payload_verifier(&parts.headers).unwrap(),
        b"Welcome to Amazon S4.",
        &[],
    );
    assert_eq!(err.unwrap_err(), AuthError::XAmzContentSha256Mismatch);
}

#[test]
fn get_bucket_lifecycle_and_list_objects() {
    let headers = [
        ("host", "examplebucket.s3.amazonaws.com"),
        ("x-amz-content-sha256", EMPTY),
        ("x-amz-date", "20130524T000000Z"),
    ];
    let signed = "host;x-amz-content-sha256;x-amz-date";
    let lifecycle = doc_request(
        "GET",
        "/?lifecycle",
        &headers,
        signed,
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
    );
    doc_authenticated(&lifecycle);
    let list = doc_request(
        "GET",
        "/?max-keys=2&prefix=J",
        &headers,
        signed,
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
    );
    doc_authenticated(&list);
}

#[test]
fn presigned_get_object() {
    let uri = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
        &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
        &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
        &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    let (parts, ()) = http::Request::get(uri)
        .header("host", "examplebucket.s3.amazonaws.com")
        .body(())
        .unwrap()
        .into_parts();
    let auth = doc_authenticated(&parts);
    assert_eq!(auth.method, AuthMethod::Presigned);
    assert_eq!(
        auth.expires_at,
        Some(doc_now() + std::time::Duration::from_secs(86_400))
    );
}

/// The request of the chunked-upload examples: 66,560 bytes of `a` in chunks of 64 KiB,
/// 1 KiB and the terminating empty chunk.
fn chunked_example(trailer: bool) -> (http::request::Parts, Vec<u8>) {
    let (mode, signed, seed, sigs, trailers) = if trailer {
        (
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
            "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
            [
                "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
                "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
                "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
            ],
            "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n",
        )
    } else {
        (
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
            [
                "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
            ],
            "",
        )
    };
    let mut body = Vec::new();
    body.extend_from_slice(format!("10000;chunk-signature={}\r\n", sigs[0]).as_bytes());
    body.extend_from_slice(&[b'a'; 65_536]);
    body.extend_from_slice(format!("\r\n400;chunk-signature={}\r\n", sigs[1]).as_bytes());
    body.extend_from_slice(&[b'a'; 1024]);
    body.extend_from_slice(format!("\r\n0;chunk-signature={}\r\n", sigs[2]).as_bytes());
    body.extend_from_slice(trailers.as_bytes());
    body.extend_from_slice(b"\r\n");
    let length = body.len().to_string();
    let mut headers = vec![
        ("host", "s3.amazonaws.com"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-content-sha256", mode),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-decoded-content-length", "66560"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
    ];
    if trailer {
        headers.push(("x-amz-trailer", "x-amz-checksum-crc32c"));
    } else {
        assert_eq!(length, "66824", "the documented Content-Length");
        headers.push(("content-length", &length));
    }
    let parts = doc_request(
        "PUT",
        "/examplebucket/chunkObject.txt",
        &headers,
        signed,
        seed,
    );
    (parts, body)
}

#[test]
fn chunked_upload_with_chained_chunk_signatures() {
    let (parts, body) = chunked_example(false);
    let auth = doc_authenticated(&parts);
    assert_eq!(auth.payload, PayloadMode::StreamingSigned);
    let (decoded, summary) = run_body(
        auth.payload_verifier(&parts.headers).unwrap(),
        &body,
        &[100, 70_000],
    )
    .unwrap();
    assert_eq!(decoded, vec![b'a'; 66_560]);
    assert_eq!(summary.decoded_length, 66_560);
}

#[test]
fn chunked_upload_with_a_signed_checksum_trailer() {
    let (parts, body) = chunked_example(true);
    let auth = doc_authenticated(&parts);
    assert_eq!(auth.payload, PayloadMode::StreamingSignedTrailer);
    let (decoded, summary) =
        run_body(auth.payload_verifier(&parts.headers).unwrap(), &body, &[]).unwrap();
    assert_eq!(decoded.len(), 66_560);
    let crc = summary
        .checksum(crate::checksum::ChecksumAlgorithm::Crc32c)
        .unwrap();
    assert_eq!(crc.to_base64(), "sOO8/Q==");
    assert_eq!(
        summary.client_checksum,
        Some(crate::checksum::ChecksumAlgorithm::Crc32c)
    );
}

#[test]
fn the_reference_encoder_reproduces_the_documented_chunk_signatures() {
    let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    let mut encoder = RefEncoder {
        signing: Some(RefSigning::new(DOC_SECRET, doc_now(), "us-east-1", seed)),
    };
    let data = vec![b'a'; 66_560];
    let encoded = encoder.encode(&chunks_of(&data, 65_536), &[]);
    assert_eq!(encoded, chunked_example(false).1);
}
