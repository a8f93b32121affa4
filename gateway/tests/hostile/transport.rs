//! Abuse of HTTP itself: oversized heads, missing or lying lengths, clients that vanish
//! mid-upload. The server answers what it can, stores nothing partial, and keeps serving.

use strata_tests::{assert_error, pattern, raw, send_partial, Server};

use crate::start;

fn setup(bucket: &str) -> Server {
    let s = start();
    assert_eq!(s.request("PUT", &format!("/{bucket}"), b"").status, 200);
    s
}

/// The server still serves a normal signed request afterwards.
#[track_caller]
fn still_serving(s: &Server, bucket: &str) {
    let r = s.request("PUT", &format!("/{bucket}/alive"), b"yes");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        s.request("GET", &format!("/{bucket}/alive"), b"").body,
        b"yes"
    );
}

#[test]
fn one_huge_header_is_request_header_section_too_large() {
    let s = setup("hdr");
    let big = "h".repeat(64 * 1024);
    let r = s.request_with("PUT", "/hdr/big", &[("x-padding", big.as_str())], b"data");
    assert_error(&r, 400, "RequestHeaderSectionTooLarge");
    s.assert_nothing_stored("hdr", "big", "big");
    still_serving(&s, "hdr");
}

#[test]
fn many_headers_are_refused_with_400() {
    let s = setup("many");
    // 100 headers of 300 bytes: each fine, together 30 KiB.
    let value = "v".repeat(300);
    let names: Vec<String> = (0..100).map(|i| format!("x-filler-{i}")).collect();
    let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), value.as_str())).collect();
    let r = s.request_with("PUT", "/many/sum", &headers, b"data");
    assert_error(&r, 400, "RequestHeaderSectionTooLarge");
    s.assert_nothing_stored("many", "sum", "sum");
    // More header lines than the HTTP parser takes at all: a plain 400, then the next
    // connection is served.
    let mut head = s.signed_head("PUT", "/many/count", &[], &s.credentials.secret_key);
    for i in 0..300 {
        head.push_str(&format!("x-n{i}: 1\r\n"));
    }
    let r = raw(&s.addr, &head, b"data").expect("an answer, not a reset");
    assert_eq!(r.status, 400, "{}", r.text());
    s.assert_nothing_stored("many", "count", "count");
    still_serving(&s, "many");
}

#[test]
fn a_put_without_any_length_is_missing_content_length() {
    let s = setup("len");
    let head = s.signed_head("PUT", "/len/none", &[], &s.credentials.secret_key);
    let r = raw(&s.addr, &format!("{head}connection: close\r\n\r\n"), b"").expect("request");
    assert_error(&r, 411, "MissingContentLength");
    s.assert_nothing_stored("len", "none", "none");
    let id = s.create_upload("/len/mp");
    let target = format!("/len/mp?partNumber=1&uploadId={id}");
    let head = s.signed_head("PUT", &target, &[], &s.credentials.secret_key);
    let r = raw(&s.addr, &format!("{head}connection: close\r\n\r\n"), b"").expect("request");
    assert_error(&r, 411, "MissingContentLength");
    let parts = s.request("GET", &format!("/len/mp?uploadId={id}"), b"");
    assert!(!parts.text().contains("<Part>"), "{}", parts.text());
    // An explicit zero is a real, empty object.
    let r = s.request("PUT", "/len/empty", b"");
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn a_content_length_larger_than_the_body_leaves_nothing() {
    let s = setup("lie");
    let baseline = s.files();
    let head = s.signed_head("PUT", "/lie/k", &[], &s.credentials.secret_key);
    let head = format!("{head}content-length: 100000\r\nconnection: close\r\n\r\n");
    let reply = send_partial(&s.addr, &head, &pattern(1000, 1), true).expect("reply");
    assert_error(&reply, 400, "IncompleteBody");
    s.assert_nothing_stored("lie", "k", "k");
    assert!(send_partial(&s.addr, &head, &pattern(1000, 1), false).is_none());
    s.assert_files_back_to(&baseline);
    s.assert_nothing_stored("lie", "k", "k");
    still_serving(&s, "lie");
}

#[test]
fn a_put_cut_off_halfway_leaves_nothing_and_the_key_stays_writable() {
    let s = setup("cut");
    let baseline = s.files();
    let data = pattern(6 * 1024 * 1024, 2);
    let head = s.signed_head("PUT", "/cut/big", &[], &s.credentials.secret_key);
    let head = format!(
        "{head}content-length: {}\r\nconnection: close\r\n\r\n",
        data.len()
    );
    assert!(send_partial(&s.addr, &head, &data[..data.len() / 2], false).is_none());
    s.assert_files_back_to(&baseline);
    s.assert_nothing_stored("cut", "big", "big");
    let r = s.request("PUT", "/cut/big", &data);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(s.request("GET", "/cut/big", b"").body == data);
}

#[test]
fn an_upload_part_cut_off_halfway_leaves_the_upload_completable() {
    let s = setup("part");
    let id = s.create_upload("/part/obj");
    let p1 = pattern(5 * 1024 * 1024, 3);
    let p2 = pattern(3 * 1024 * 1024, 4);
    let part = |n: u32| format!("/part/obj?partNumber={n}&uploadId={id}");
    let r1 = s.request("PUT", &part(1), &p1);
    assert_eq!(r1.status, 200, "{}", r1.text());
    let after_one = s.files();
    let head = s.signed_head("PUT", &part(2), &[], &s.credentials.secret_key);
    let head = format!(
        "{head}content-length: {}\r\nconnection: close\r\n\r\n",
        p2.len()
    );
    assert!(send_partial(&s.addr, &head, &p2[..p2.len() / 2], false).is_none());
    s.assert_files_back_to(&after_one);
    let listed = s
        .request("GET", &format!("/part/obj?uploadId={id}"), b"")
        .text();
    assert_eq!(listed.matches("<Part>").count(), 1, "{listed}");
    s.assert_no_object("part", "obj");
    let r2 = s.request("PUT", &part(2), &p2);
    assert_eq!(r2.status, 200, "{}", r2.text());
    let done = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part>\
         <Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        r1.header("etag").unwrap(),
        r2.header("etag").unwrap()
    );
    let r = s.request("POST", &format!("/part/obj?uploadId={id}"), done.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let mut whole = p1;
    whole.extend_from_slice(&p2);
    assert!(s.request("GET", "/part/obj", b"").body == whole);
    s.assert_no_uploads("part");
}
