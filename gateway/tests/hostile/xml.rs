//! Broken and hostile XML bodies: refused with `MalformedXML` (or the precise code for a
//! well-formed but wrong document), and the state they targeted is unchanged.

use std::time::{Duration, Instant};

use strata_tests::{assert_error, pattern};

use crate::start;

/// Entities nested ten deep: a billion `lol`s if a parser expanded them.
const LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"#;

/// A document with a DTD in front (and `&lol9;` wherever `ENTITY` appears in `body`).
fn with_dtd(body: &str) -> Vec<u8> {
    format!("{LAUGHS}{}", body.replace("ENTITY", "&lol9;")).into_bytes()
}

/// A complete request naming `(part number, etag)` pairs.
fn complete_doc(parts: &[(u32, &str)]) -> Vec<u8> {
    let mut doc = String::from("<CompleteMultipartUpload>");
    for (n, etag) in parts {
        doc.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>"
        ));
    }
    doc.push_str("</CompleteMultipartUpload>");
    doc.into_bytes()
}

#[test]
fn complete_multipart_upload_with_bad_xml_or_bad_parts_is_refused() {
    let s = start();
    assert_eq!(s.request("PUT", "/mpx", b"").status, 200);
    let id = s.create_upload("/mpx/obj");
    let p1 = pattern(5 * 1024 * 1024, 1);
    let p2 = pattern(1000, 2);
    let mut etags = Vec::new();
    for (n, data) in [(1, &p1), (2, &p2)] {
        let r = s.request(
            "PUT",
            &format!("/mpx/obj?partNumber={n}&uploadId={id}"),
            data,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        etags.push(r.header("etag").unwrap().to_string());
    }
    let target = format!("/mpx/obj?uploadId={id}");
    let (e1, e2) = (etags[0].as_str(), etags[1].as_str());
    let malformed: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"not xml at all".to_vec(),
        b"<CompleteMultipartUpload><Part>".to_vec(),
        b"<CompleteMultipartUpload></CompleteMultipartUpload>".to_vec(),
        b"<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>".to_vec(),
        with_dtd(&String::from_utf8(complete_doc(&[(1, "ENTITY")])).unwrap()),
    ];
    for body in &malformed {
        let r = s.request("POST", &target, body);
        assert_error(&r, 400, "MalformedXML");
    }
    let wrong: [(Vec<u8>, &str); 4] = [
        (complete_doc(&[(1, e1), (3, e2)]), "InvalidPart"),
        (
            complete_doc(&[(1, e1), (2, "\"0123456789abcdef0123456789abcdef\"")]),
            "InvalidPart",
        ),
        (complete_doc(&[(2, e2), (1, e1)]), "InvalidPartOrder"),
        (
            complete_doc(&[(1, e1), (1, e1), (2, e2)]),
            "InvalidPartOrder",
        ),
    ];
    for (body, expected) in &wrong {
        let r = s.request("POST", &target, body);
        assert_error(&r, 400, expected);
    }
    // None of that completed anything, and the upload is intact: it still completes.
    s.assert_no_object("mpx", "obj");
    let parts = s.request("GET", &target, b"");
    assert_eq!(
        parts.text().matches("<Part>").count(),
        2,
        "{}",
        parts.text()
    );
    let done = s.request("POST", &target, &complete_doc(&[(1, e1), (2, e2)]));
    assert_eq!(done.status, 200, "{}", done.text());
    let mut whole = p1;
    whole.extend_from_slice(&p2);
    assert!(s.request("GET", "/mpx/obj", b"").body == whole);
    s.assert_no_uploads("mpx");
}

#[test]
fn delete_objects_with_bad_xml_deletes_nothing() {
    let s = start();
    assert_eq!(s.request("PUT", "/delx", b"").status, 200);
    assert_eq!(s.request("PUT", "/delx/keep", b"precious").status, 200);
    for body in [
        b"".to_vec(),
        b"<Delete><Object><Key>keep</Key></Object>".to_vec(),
        b"<Delete><Object><Key>keep</Key></Object></Delete><Delete>".to_vec(),
        b"<Delete><Quiet>maybe</Quiet><Object><Key>keep</Key></Object></Delete>".to_vec(),
        with_dtd("<Delete><Object><Key>ENTITY</Key></Object></Delete>"),
        with_dtd("<Delete><Object><Key>keep</Key></Object></Delete>"),
    ] {
        let r = s.request("POST", "/delx?delete", &body);
        assert_error(&r, 400, "MalformedXML");
        assert_eq!(s.request("GET", "/delx/keep", b"").body, b"precious");
    }
}

#[test]
fn put_bucket_versioning_with_bad_xml_changes_nothing() {
    let s = start();
    assert_eq!(s.request("PUT", "/verx", b"").status, 200);
    for body in [
        b"".to_vec(),
        b"<VersioningConfiguration><Status>Enabled</Status>".to_vec(),
        b"<VersioningConfiguration><Status>Enabled</Sta></VersioningConfiguration>".to_vec(),
        with_dtd("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
    ] {
        let r = s.request("PUT", "/verx?versioning", &body);
        assert_error(&r, 400, "MalformedXML");
    }
    let r = s.request(
        "PUT",
        "/verx?versioning",
        b"<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>",
    );
    assert_error(&r, 400, "IllegalVersioningConfigurationException");
    let now = s.request("GET", "/verx?versioning", b"");
    assert!(!now.text().contains("<Status>"), "{}", now.text());
}

#[test]
fn put_object_tagging_with_bad_xml_or_bad_tags_changes_nothing() {
    let s = start();
    assert_eq!(s.request("PUT", "/tagx", b"").status, 200);
    let put = s.request_with("PUT", "/tagx/t", &[("x-amz-tagging", "orig=1")], b"x");
    assert_eq!(put.status, 200);
    let tag = |k: &str, v: &str| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>");
    let doc = |tags: String| format!("<Tagging><TagSet>{tags}</TagSet></Tagging>").into_bytes();
    let eleven: String = (0..11).map(|i| tag(&format!("k{i}"), "v")).collect();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "MalformedXML"),
        (b"<Tagging><TagSet>".to_vec(), "MalformedXML"),
        (
            b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>".to_vec(),
            "MalformedXML",
        ),
        (
            with_dtd(&String::from_utf8(doc(tag("k", "ENTITY"))).unwrap()),
            "MalformedXML",
        ),
        (doc(eleven), "InvalidTag"),
        (
            doc(format!("{}{}", tag("dup", "1"), tag("dup", "2"))),
            "InvalidTag",
        ),
        (doc(tag(&"k".repeat(129), "v")), "InvalidTag"),
        (doc(tag("k", &"v".repeat(257))), "InvalidTag"),
        (doc(tag("", "v")), "InvalidTag"),
    ];
    for (body, expected) in &cases {
        let r = s.request("PUT", "/tagx/t?tagging", body);
        assert_error(&r, 400, expected);
        let tags = s.request("GET", "/tagx/t?tagging", b"").text();
        assert!(tags.contains("<Key>orig</Key>"), "{tags}");
        assert_eq!(tags.matches("<Tag>").count(), 1, "{tags}");
    }
}

#[test]
fn a_billion_laughs_is_refused_fast_and_the_server_stays_up() {
    let s = start();
    assert_eq!(s.request("PUT", "/lol", b"").status, 200);
    let started = Instant::now();
    for _ in 0..20 {
        let r = s.request(
            "PUT",
            "/lol?tagging",
            &with_dtd(
                "<Tagging><TagSet><Tag><Key>k</Key><Value>ENTITY</Value></Tag></TagSet></Tagging>",
            ),
        );
        assert_error(&r, 400, "MalformedXML");
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "20 refusals took {:?}",
        started.elapsed()
    );
    assert_eq!(s.request("GET", "/lol?tagging", b"").status, 404);
    let id = s.create_upload("/lol/after");
    let body = s.request("POST", &format!("/lol/after?uploadId={id}"), &with_dtd(""));
    assert_error(&body, 400, "MalformedXML");
    assert_eq!(
        s.request("DELETE", &format!("/lol/after?uploadId={id}"), b"")
            .status,
        204
    );
    s.assert_no_uploads("lol");
}
