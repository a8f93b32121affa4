//! S3 operations end to end through the real binary: multipart, copy, tagging, conditional
//! writes, versioning, batch delete, bucket configuration.

use strata_tests::{pattern, Server};

/// The `strata` built with these tests, on one class `fast` of four volumes (2+2).
fn start() -> Server {
    Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"))
}

fn between<'a>(xml: &'a str, open: &str, close: &str) -> &'a str {
    let start = xml.find(open).map(|i| i + open.len()).unwrap_or(0);
    let end = xml[start..]
        .find(close)
        .map(|i| start + i)
        .unwrap_or(xml.len());
    &xml[start..end]
}

#[test]
fn multipart_upload_assembles_parts_in_order() {
    let s = start();
    assert_eq!(s.request("PUT", "/mpu", b"").status, 200);
    let created = s.request("POST", "/mpu/big?uploads", b"");
    assert_eq!(created.status, 200, "{}", created.text());
    let xml = created.text();
    let upload_id = between(&xml, "<UploadId>", "</UploadId>").to_string();
    let p1 = pattern(5 * 1024 * 1024, 10);
    let p2 = pattern(1234, 11);
    let mut etags = Vec::new();
    for (n, part) in [(1, &p1), (2, &p2)] {
        let r = s.request(
            "PUT",
            &format!("/mpu/big?partNumber={n}&uploadId={upload_id}"),
            part,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        etags.push(r.header("etag").unwrap().to_string());
    }
    let listed = s.request("GET", &format!("/mpu/big?uploadId={upload_id}"), b"");
    assert_eq!(listed.status, 200);
    assert_eq!(
        listed.text().matches("<Part>").count(),
        2,
        "{}",
        listed.text()
    );
    let done = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part>\
         <Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        etags[0], etags[1]
    );
    let r = s.request(
        "POST",
        &format!("/mpu/big?uploadId={upload_id}"),
        done.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("-2&quot;</ETag>") || r.text().contains("-2\"</ETag>"),
        "{}",
        r.text()
    );
    let got = s.request("GET", "/mpu/big", b"");
    let mut whole = p1.clone();
    whole.extend_from_slice(&p2);
    assert!(got.body == whole, "assembled object differs");
    let second = s.request("GET", "/mpu/big?partNumber=2", b"");
    assert_eq!(second.status, 206);
    assert_eq!(second.body, p2);
    let gone = s.request("GET", &format!("/mpu/big?uploadId={upload_id}"), b"");
    assert_eq!(gone.status, 404);
    assert!(gone.text().contains("NoSuchUpload"));
}

#[test]
fn copy_object_copies_bytes_and_honours_directives() {
    let s = start();
    assert_eq!(s.request("PUT", "/cpy", b"").status, 200);
    let data = pattern(300_000, 20);
    let put = s.request_with(
        "PUT",
        "/cpy/src",
        &[("x-amz-meta-colour", "blue"), ("content-type", "image/png")],
        &data,
    );
    assert_eq!(put.status, 200);
    let r = s.request_with("PUT", "/cpy/dst", &[("x-amz-copy-source", "/cpy/src")], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<CopyObjectResult"), "{}", r.text());
    let got = s.request("GET", "/cpy/dst", b"");
    assert!(got.body == data);
    assert_eq!(got.header("x-amz-meta-colour"), Some("blue"));
    assert_eq!(got.header("content-type"), Some("image/png"));
    let r = s.request_with(
        "PUT",
        "/cpy/dst2",
        &[
            ("x-amz-copy-source", "cpy/src"),
            ("x-amz-metadata-directive", "REPLACE"),
            ("x-amz-meta-colour", "red"),
        ],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        s.request("HEAD", "/cpy/dst2", b"")
            .header("x-amz-meta-colour"),
        Some("red")
    );
    let r = s.request_with(
        "PUT",
        "/cpy/dst3",
        &[
            ("x-amz-copy-source", "/cpy/src"),
            ("x-amz-copy-source-if-match", "\"nope\""),
        ],
        b"",
    );
    assert_eq!(r.status, 412);
    let r = s.request_with("PUT", "/cpy/src", &[("x-amz-copy-source", "/cpy/src")], b"");
    assert_eq!(r.status, 400, "copying onto itself unchanged is illegal");
}

#[test]
fn conditional_writes_and_reads() {
    let s = start();
    assert_eq!(s.request("PUT", "/cond", b"").status, 200);
    let first = s.request_with("PUT", "/cond/k", &[("if-none-match", "*")], b"one");
    assert_eq!(first.status, 200);
    let again = s.request_with("PUT", "/cond/k", &[("if-none-match", "*")], b"two");
    assert_eq!(again.status, 412);
    let etag = first.header("etag").unwrap().to_string();
    let stale = s.request_with("PUT", "/cond/k", &[("if-match", "\"0000\"")], b"three");
    assert_eq!(stale.status, 412);
    let ok = s.request_with("PUT", "/cond/k", &[("if-match", &etag)], b"four");
    assert_eq!(ok.status, 200);
    let new_etag = ok.header("etag").unwrap().to_string();
    let nm = s.request_with("GET", "/cond/k", &[("if-none-match", &new_etag)], b"");
    assert_eq!(nm.status, 304);
    let pf = s.request_with("GET", "/cond/k", &[("if-match", &etag)], b"");
    assert_eq!(pf.status, 412);
    assert_eq!(s.request("GET", "/cond/k", b"").body, b"four");
}

#[test]
fn tagging_versioning_policy_and_batch_delete() {
    let s = start();
    assert_eq!(s.request("PUT", "/misc", b"").status, 200);
    assert_eq!(
        s.request_with("PUT", "/misc/t", &[("x-amz-tagging", "a=1&b=two")], b"x")
            .status,
        200
    );
    let tags = s.request("GET", "/misc/t?tagging", b"");
    assert!(
        tags.text()
            .contains("<Tag><Key>a</Key><Value>1</Value></Tag>"),
        "{}",
        tags.text()
    );
    let put = s.request(
        "PUT",
        "/misc/t?tagging",
        b"<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>",
    );
    assert_eq!(put.status, 200, "{}", put.text());
    assert!(s
        .request("GET", "/misc/t?tagging", b"")
        .text()
        .contains("<Key>k</Key>"));
    assert_eq!(s.request("DELETE", "/misc/t?tagging", b"").status, 204);
    assert_eq!(s.request("GET", "/misc?tagging", b"").status, 404);
    assert_eq!(
        s.request(
            "PUT",
            "/misc?tagging",
            b"<Tagging><TagSet><Tag><Key>team</Key><Value>x</Value></Tag></TagSet></Tagging>"
        )
        .status,
        204
    );
    assert!(s
        .request("GET", "/misc?tagging", b"")
        .text()
        .contains("<Key>team</Key>"));
    assert_eq!(
        s.request("PUT", "/misc?tagging", b"<Tagging><TagSet>")
            .status,
        400
    );

    assert_eq!(s.request("GET", "/misc?policy", b"").status, 404);
    // A policy is parsed as one: an empty Statement is malformed, a real one is kept.
    assert_eq!(
        s.request(
            "PUT",
            "/misc?policy",
            br#"{"Version":"2012-10-17","Statement":[]}"#
        )
        .status,
        400
    );
    assert_eq!(
        s.request(
            "PUT",
            "/misc?policy",
            br#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::misc/*"}]}"#
        )
        .status,
        204
    );
    assert!(s
        .request("GET", "/misc?policy", b"")
        .text()
        .contains("Statement"));
    assert_eq!(s.request("PUT", "/misc?policy", b"not json").status, 400);

    let v = s.request(
        "PUT",
        "/misc?versioning",
        b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    );
    assert_eq!(v.status, 200, "{}", v.text());
    assert!(s
        .request("GET", "/misc?versioning", b"")
        .text()
        .contains("<Status>Enabled</Status>"));
    let v1 = s.request("PUT", "/misc/doc", b"v1");
    let v2 = s.request("PUT", "/misc/doc", b"v2");
    let id1 = v1
        .header("x-amz-version-id")
        .expect("version id")
        .to_string();
    assert_ne!(Some(id1.as_str()), v2.header("x-amz-version-id"));
    assert_eq!(
        s.request("GET", &format!("/misc/doc?versionId={id1}"), b"")
            .body,
        b"v1"
    );
    let del = s.request("DELETE", "/misc/doc", b"");
    assert_eq!(del.header("x-amz-delete-marker"), Some("true"));
    let hidden = s.request("GET", "/misc/doc", b"");
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.header("x-amz-delete-marker"), Some("true"));
    let versions = s.request("GET", "/misc?versions&prefix=doc", b"").text();
    assert_eq!(versions.matches("<Version>").count(), 2, "{versions}");
    assert_eq!(versions.matches("<DeleteMarker>").count(), 1, "{versions}");

    for k in ["d1", "d2"] {
        assert_eq!(s.request("PUT", &format!("/misc/{k}"), b"x").status, 200);
    }
    let del = s.request(
        "POST",
        "/misc?delete",
        b"<Delete><Object><Key>d1</Key></Object><Object><Key>d2</Key></Object></Delete>",
    );
    assert_eq!(del.status, 200, "{}", del.text());
    assert_eq!(del.text().matches("<Deleted>").count(), 2, "{}", del.text());
    assert_eq!(
        s.request("POST", "/misc?delete", b"<Delete><Object>")
            .status,
        400
    );
}

#[test]
fn bad_input_gets_precise_errors() {
    let s = start();
    assert_eq!(s.request("PUT", "/errs", b"").status, 200);
    let long = format!("/errs/{}", "k".repeat(1025));
    let r = s.request("PUT", &long, b"x");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("KeyTooLongError"), "{}", r.text());
    let r = s.request("PUT", "/Bad_Name", b"");
    assert!(r.text().contains("InvalidBucketName"), "{}", r.text());
    let r = s.request_with(
        "PUT",
        "/errs/k",
        &[("x-amz-storage-class", "GLACIER")],
        b"x",
    );
    assert!(r.text().contains("InvalidStorageClass"), "{}", r.text());
    let r = s.request_with(
        "PUT",
        "/errs/k",
        &[("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
        b"not empty",
    );
    assert!(r.text().contains("BadDigest"), "{}", r.text());
    assert_eq!(
        s.request("GET", "/errs/k", b"").status,
        404,
        "a rejected body leaves no object"
    );
    let r = s.request_with("GET", "/errs/none", &[("range", "bytes=0-1")], b"");
    assert_eq!(r.status, 404);
    assert_eq!(s.request("PUT", "/errs/r", b"0123456789").status, 200);
    let r = s.request_with("GET", "/errs/r", &[("range", "bytes=50-60")], b"");
    assert_eq!(r.status, 416);
    // HEAD answers for a range as GET would.
    let r = s.request_with("HEAD", "/errs/r", &[("range", "bytes=2-4")], b"");
    assert_eq!(r.status, 206);
    assert_eq!(r.header("content-range"), Some("bytes 2-4/10"));
    assert_eq!(r.header("content-length"), Some("3"));
    let r = s.request_with("HEAD", "/errs/r", &[("range", "bytes=-4")], b"");
    assert_eq!(r.header("content-range"), Some("bytes 6-9/10"));
    let r = s.request_with("HEAD", "/errs/r", &[("range", "bytes=50-60")], b"");
    assert_eq!(r.status, 416);
    let r = s.request(
        "GET",
        "/errs/r?response-content-type=text/csv&response-cache-control=no-cache",
        b"",
    );
    assert_eq!(r.header("content-type"), Some("text/csv"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let r = s.request_with(
        "GET",
        "/errs/r?attributes",
        &[("x-amz-object-attributes", "ETag,ObjectSize")],
        b"",
    );
    assert!(
        r.text().contains("<ObjectSize>10</ObjectSize>"),
        "{}",
        r.text()
    );
}

fn aws_chunked(data: &[u8], trailer: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("0\r\n{trailer}\r\n\r\n").as_bytes());
    out
}

#[test]
fn aws_chunked_uploads_with_trailing_checksums_are_decoded_and_verified() {
    use strata_gateway::checksum::{checksum, ChecksumAlgorithm};
    let s = start();
    assert_eq!(s.request("PUT", "/chunky", b"").status, 200);
    let data = pattern(200_000, 30);
    let crc = checksum(ChecksumAlgorithm::Crc32, &data).to_base64();
    let len = data.len().to_string();
    let headers = [
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", len.as_str()),
        ("x-amz-trailer", "x-amz-checksum-crc32"),
    ];
    let mode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    let body = aws_chunked(&data, &format!("x-amz-checksum-crc32:{crc}"));
    let r = s.request_precomputed("PUT", "/chunky/ok", &headers, mode, &body);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    let got = s.request_with(
        "GET",
        "/chunky/ok",
        &[("x-amz-checksum-mode", "ENABLED")],
        b"",
    );
    assert!(got.body == data, "decoded body differs");
    assert_eq!(got.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    assert_eq!(
        got.header("content-encoding"),
        None,
        "aws-chunked is not stored"
    );

    let wrong = aws_chunked(&data, "x-amz-checksum-crc32:AAAAAA==");
    let r = s.request_precomputed("PUT", "/chunky/bad", &headers, mode, &wrong);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("BadDigest"), "{}", r.text());
    assert_eq!(
        s.request("GET", "/chunky/bad", b"").status,
        404,
        "no object after a bad trailer"
    );
}
