//! `aws-chunked` bodies that lie: forged chunk signatures, truncation, broken framing, a
//! wrong trailing checksum. Each is refused and leaves no object and no shard file.

use strata_tests::{
    assert_error, code, pattern, raw, send_partial, unsigned_chunked, ChunkChain, Reply, Server,
    SignableBody,
};

use crate::start;

const SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const CHUNK: usize = 64 * 1024;

fn setup() -> Server {
    let s = start();
    assert_eq!(s.request("PUT", "/chunks", b"").status, 200);
    s
}

/// A signed streaming PUT head announcing `decoded` payload bytes and a `body_len` body.
fn signed_put(s: &Server, key: &str, decoded: usize, body_len: usize) -> (String, ChunkChain) {
    let signer = s.signer();
    let decoded = decoded.to_string();
    let headers = [
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", decoded.as_str()),
    ];
    let target = format!("/chunks/{key}");
    let head = signer.head(
        &s.addr,
        "PUT",
        &target,
        &headers,
        SignableBody::Precomputed(SIGNED.into()),
    );
    let chain = ChunkChain::from_head(&head, &signer);
    let head = format!("{head}content-length: {body_len}\r\nconnection: close\r\n\r\n");
    (head, chain)
}

/// Sends a signed streaming PUT whose body is `encode(chain)`; returns the reply.
fn send_signed(
    s: &Server,
    key: &str,
    decoded: usize,
    encode: impl Fn(ChunkChain) -> Vec<u8>,
) -> Reply {
    // The body's length is part of the head: encode once with a throwaway chain of the
    // same head to learn it (signatures have a fixed length, so it does not change).
    let (probe_head, probe_chain) = signed_put(s, key, decoded, 0);
    let len = encode(probe_chain).len();
    drop(probe_head);
    let (head, chain) = signed_put(s, key, decoded, len);
    let body = encode(chain);
    assert_eq!(body.len(), len);
    raw(&s.addr, &head, &body).expect("request")
}

#[test]
fn a_signed_chunked_upload_round_trips() {
    let s = setup();
    let data = pattern(3 * CHUNK + 100, 1);
    let r = send_signed(&s, "good", data.len(), |mut c| c.encode(&data, CHUNK));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(s.request("GET", "/chunks/good", b"").body == data);
}

#[test]
fn a_forged_chunk_signature_is_refused_mid_body() {
    let s = setup();
    let baseline = s.files();
    let data = pattern(4 * CHUNK, 2);
    let forge_second = |mut c: ChunkChain| {
        let mut body = c.encode(&data, CHUNK);
        // The second chunk header starts after the first chunk: header, data, CRLF.
        let first = body.iter().position(|&b| b == b'\n').unwrap() + 1 + CHUNK + 2;
        let sig = first + body[first..].iter().position(|&b| b == b'=').unwrap() + 1;
        body[sig] = if body[sig] == b'a' { b'b' } else { b'a' };
        body
    };
    let r = send_signed(&s, "forged", data.len(), forge_second);
    assert_error(&r, 403, "SignatureDoesNotMatch");
    s.assert_nothing_stored("chunks", "forged", "forged");
    s.assert_files_back_to(&baseline);
}

#[test]
fn chunks_without_signatures_in_a_signed_stream_are_refused() {
    let s = setup();
    let data = pattern(CHUNK, 3);
    // Plain `size\r\n` chunk headers where each must carry a chunk-signature.
    let unsigned = |_: ChunkChain| unsigned_chunked(&data, CHUNK, "");
    let r = send_signed(&s, "nosig", data.len(), unsigned);
    assert_error(&r, 403, "SignatureDoesNotMatch");
    s.assert_nothing_stored("chunks", "nosig", "nosig");
}

#[test]
fn a_connection_closed_mid_chunk_is_incomplete_body() {
    let s = setup();
    let baseline = s.files();
    let data = pattern(8 * CHUNK, 4);
    // The client announces the whole body, sends 40% of it (mid-chunk), then stops sending.
    let (probe, mut chain) = signed_put(&s, "cut", data.len(), 0);
    drop(probe);
    let len = chain.encode(&data, CHUNK).len();
    let (head, mut chain) = signed_put(&s, "cut", data.len(), len);
    let body = chain.encode(&data, CHUNK);
    let reply = send_partial(&s.addr, &head, &body[..len * 2 / 5], true).expect("reply");
    assert_error(&reply, 400, "IncompleteBody");
    s.assert_nothing_stored("chunks", "cut", "cut");
    s.assert_files_back_to(&baseline);
    // And a client that vanishes without a word.
    let (head, mut chain) = signed_put(&s, "gone", data.len(), len);
    let body = chain.encode(&data, CHUNK);
    assert!(send_partial(&s.addr, &head, &body[..len / 2], false).is_none());
    s.assert_files_back_to(&baseline);
    s.assert_nothing_stored("chunks", "gone", "gone");
}

#[test]
fn fewer_bytes_than_the_decoded_length_is_incomplete_body() {
    let s = setup();
    let data = pattern(2 * CHUNK, 5);
    // A well-formed, correctly signed body that is shorter than it claimed to be.
    let r = send_signed(&s, "short", data.len() + 1000, |mut c| {
        c.encode(&data, CHUNK)
    });
    assert_error(&r, 400, "IncompleteBody");
    s.assert_nothing_stored("chunks", "short", "short");
}

/// A change to an encoded body.
type Edit = fn(Vec<u8>) -> Vec<u8>;

#[test]
fn malformed_chunk_headers_are_invalid_request() {
    let s = setup();
    let data = pattern(1000, 6);
    // Each edit breaks the first chunk's header line in a different way.
    let cases: [(&str, Edit); 4] = [
        ("not hex", |b| [b"zz".as_slice(), &b[3..]].concat()),
        ("17 digits", |b| {
            [b"000000000000003e8".as_slice(), &b[3..]].concat()
        }),
        ("bare LF", |b| {
            let cr = b.iter().position(|&x| x == b'\r').unwrap();
            [&b[..cr], &b[cr + 1..]].concat()
        }),
        ("endless line", |b| {
            let mut v = b"3e8;".to_vec();
            v.extend_from_slice(&[b'x'; 8192]);
            v.extend_from_slice(&b[3..]);
            v
        }),
    ];
    for (i, (what, edit)) in cases.into_iter().enumerate() {
        let key = format!("bad{i}");
        let r = send_signed(&s, &key, data.len(), |mut c| edit(c.encode(&data, 8192)));
        assert_eq!(
            (r.status, code(&r).as_str()),
            (400, "InvalidRequest"),
            "{what}: {}",
            r.text()
        );
        s.assert_nothing_stored("chunks", &key, &key);
    }
}

#[test]
fn a_wrong_trailing_checksum_is_bad_digest() {
    let s = setup();
    let baseline = s.files();
    let data = pattern(5 * CHUNK, 7);
    let len = data.len().to_string();
    let headers = [
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", len.as_str()),
        ("x-amz-trailer", "x-amz-checksum-crc32"),
    ];
    // A valid-looking CRC32 (4 bytes) that is not the body's.
    let body = unsigned_chunked(&data, CHUNK, "x-amz-checksum-crc32:3q2+7w==");
    let r = s.request_precomputed(
        "PUT",
        "/chunks/crc",
        &headers,
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        &body,
    );
    assert_error(&r, 400, "BadDigest");
    s.assert_nothing_stored("chunks", "crc", "crc");
    s.assert_files_back_to(&baseline);
}
