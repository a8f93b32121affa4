//! The request stack's seams, exercised by stand-ins the way the next stages will use them:
//! a transform that changes the length of what is stored, a route that authenticates from its
//! body, an observer of every request; and the stack's own rules (admission, refusals, sizes,
//! preconditions before any shard is read).

use std::sync::Arc;

use base64::Engine as _;
use futures::StreamExt;
use md5::{Digest as _, Md5};

use crate::checksum::{checksum, ChecksumAlgorithm};
use crate::config::Limits;
use crate::observe::{Peer, Stage, TlsInfo};
use crate::testing::{request_head, MemoryExchange, Stretch, TestStack, ROOT_KEY};
use crate::transform::Identity;

async fn identity() -> TestStack {
    TestStack::new(Arc::new(Identity), Limits::default()).await
}

async fn stretched() -> TestStack {
    TestStack::new(Arc::new(Stretch), Limits::default()).await
}

fn data(len: usize, seed: u64) -> Vec<u8> {
    strata_tests::random_bytes(len, seed)
}

fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

fn content_md5(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(data))
}

fn crc32(data: &[u8]) -> String {
    checksum(ChecksumAlgorithm::Crc32, data).to_base64()
}

/// The bytes the store holds for an object: what a transform made of the client's.
async fn stored_bytes(t: &TestStack, key: &str) -> Vec<u8> {
    let obj = t.store.open_object("bkt", key, None).await.unwrap();
    let mut body = obj.read(None).unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

/// Asserts a ranged GET answers 206 with exactly `expected` and the right Content-Range.
async fn assert_range(
    t: &TestStack,
    path: &str,
    range: &str,
    expected: &[u8],
    first: u64,
    size: u64,
) {
    let get = t.send("GET", path, &[("range", range)], b"").await;
    assert_eq!(
        get.status,
        Some(206),
        "{path} {range}: {:?}",
        get.error_code()
    );
    let last = first + expected.len() as u64 - 1;
    assert_eq!(
        get.header("content-range"),
        Some(format!("bytes {first}-{last}/{size}").as_str()),
        "{path} {range}"
    );
    assert!(get.body_out == expected, "{path} {range}: other bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_length_changing_transform_is_invisible_to_put_head_get_and_ranges() {
    let t = stretched().await;
    for (i, len) in [0usize, 1, 4095, 4096, 4097, 200_000, (1 << 20) + 5]
        .into_iter()
        .enumerate()
    {
        let body = data(len, i as u64);
        let key = format!("obj-{len}");
        let path = format!("/bkt/{key}");
        let (md5, crc) = (content_md5(&body), crc32(&body));
        let put = t
            .send(
                "PUT",
                &path,
                &[("content-md5", &md5), ("x-amz-checksum-crc32", &crc)],
                &body,
            )
            .await;
        assert_eq!(put.status, Some(200), "{len}: {:?}", put.error_code());
        // ETag and checksum are the client's bytes', taken before the transform.
        assert_eq!(put.header("etag"), Some(quoted(&md5_hex(&body)).as_str()));
        assert_eq!(put.header("x-amz-checksum-crc32"), Some(crc.as_str()));
        assert_eq!(put.header("x-test-stretched"), Some("1"));
        // The store holds the transform's bytes, and knows both sizes.
        let info = t
            .store
            .open_object("bkt", &key, None)
            .await
            .unwrap()
            .info()
            .clone();
        assert_eq!(info.size, len as u64);
        assert_eq!(info.stored_size, Stretch::stored(len as u64));
        let stored = stored_bytes(&t, &key).await;
        assert_eq!(stored.len() as u64, Stretch::stored(len as u64));
        if len > 0 {
            assert_ne!(stored.get(..len), Some(&body[..]));
        }
        // HEAD and GET answer in the client's terms.
        let head = t.send("HEAD", &path, &[], b"").await;
        assert_eq!(head.status, Some(200));
        assert_eq!(
            head.header("content-length"),
            Some(len.to_string().as_str())
        );
        assert_eq!(head.header("x-test-stretched"), Some("1"));
        let get = t.send("GET", &path, &[], b"").await;
        assert_eq!(get.status, Some(200));
        assert!(get.body_out == body, "{len}: GET returned other bytes");
        if len == 0 {
            continue;
        }
        let n = len as u64;
        for (first, last) in [
            (0, 0),
            (1, 4096),
            (4095, 4097),
            (n / 2, n - 1),
            (n - 1, n - 1),
        ] {
            let (first, last) = (first.min(n - 1), last.min(n - 1).max(first.min(n - 1)));
            let want = &body[first as usize..=last as usize];
            assert_range(&t, &path, &format!("bytes={first}-{last}"), want, first, n).await;
        }
        let tail = (n as usize).min(5000);
        let want = &body[len - tail..];
        assert_range(
            &t,
            &path,
            &format!("bytes=-{tail}"),
            want,
            n - tail as u64,
            n,
        )
        .await;
        let part = t
            .send("GET", &format!("{path}?partNumber=1"), &[], b"")
            .await;
        assert_eq!(part.status, Some(206));
        assert!(part.body_out == body);
    }
    // Listings report the client's size without reading a byte.
    let list = t
        .send("GET", "/bkt?list-type=2&prefix=obj-4097", &[], b"")
        .await;
    let text = String::from_utf8_lossy(&list.body_out).into_owned();
    assert!(text.contains("<Size>4097</Size>"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digests_are_checked_on_the_client_bytes_before_the_transform() {
    let t = stretched().await;
    let body = data(10_000, 7);
    let wrong_md5 = content_md5(b"something else");
    let bad = t
        .send("PUT", "/bkt/k", &[("content-md5", &wrong_md5)], &body)
        .await;
    assert_eq!(
        (bad.status, bad.error_code().as_deref()),
        (Some(400), Some("BadDigest"))
    );
    let wrong_crc = crc32(b"something else");
    let bad = t
        .send(
            "PUT",
            "/bkt/k",
            &[("x-amz-checksum-crc32", &wrong_crc)],
            &body,
        )
        .await;
    assert_eq!(bad.error_code().as_deref(), Some("BadDigest"));
    // Nothing was stored by either.
    let get = t.send("GET", "/bkt/k", &[], b"").await;
    assert_eq!(get.error_code().as_deref(), Some("NoSuchKey"));
}

/// Uploads `parts` as one multipart object at `path`; returns the completion's reply.
async fn multipart(t: &TestStack, path: &str, parts: &[Vec<u8>]) -> MemoryExchange {
    let create = t.send("POST", &format!("{path}?uploads"), &[], b"").await;
    assert_eq!(create.status, Some(200));
    let text = String::from_utf8_lossy(&create.body_out).into_owned();
    let id = text
        .split("<UploadId>")
        .nth(1)
        .and_then(|r| r.split("</UploadId>").next())
        .expect("an upload id")
        .to_string();
    let mut listing = String::from("<CompleteMultipartUpload>");
    for (i, part) in parts.iter().enumerate() {
        let n = i + 1;
        let up = t
            .send(
                "PUT",
                &format!("{path}?partNumber={n}&uploadId={id}"),
                &[("content-md5", &content_md5(part))],
                part,
            )
            .await;
        assert_eq!(up.status, Some(200), "part {n}: {:?}", up.error_code());
        assert_eq!(up.header("etag"), Some(quoted(&md5_hex(part)).as_str()));
        listing.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>\"{}\"</ETag></Part>",
            md5_hex(part)
        ));
    }
    listing.push_str("</CompleteMultipartUpload>");
    t.send(
        "POST",
        &format!("{path}?uploadId={id}"),
        &[],
        listing.as_bytes(),
    )
    .await
}

fn multipart_etag(parts: &[Vec<u8>]) -> String {
    let mut all = Vec::new();
    for p in parts {
        all.extend_from_slice(&Md5::digest(p));
    }
    format!("\"{}-{}\"", md5_hex(&all), parts.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_part_reads_and_copies_pass_through_a_length_changing_transform() {
    let t = stretched().await;
    let parts = vec![data(100_000, 1), data(70_001, 2), data(5_000, 3)];
    let whole: Vec<u8> = parts.concat();
    let done = multipart(&t, "/bkt/mp", &parts).await;
    assert_eq!(done.status, Some(200), "{:?}", done.error_code());
    let text = String::from_utf8_lossy(&done.body_out).into_owned();
    assert!(
        text.contains(&multipart_etag(&parts).replace('"', "&quot;"))
            || text.contains(&multipart_etag(&parts)),
        "{text}"
    );
    let info = t
        .store
        .open_object("bkt", "mp", None)
        .await
        .unwrap()
        .info()
        .clone();
    assert_eq!(info.size, whole.len() as u64);
    let stored: u64 = parts.iter().map(|p| Stretch::stored(p.len() as u64)).sum();
    assert_eq!(info.stored_size, stored);

    let get = t.send("GET", "/bkt/mp", &[], b"").await;
    assert!(get.body_out == whole, "the whole object reads back");
    // Each part by number: a range of the whole, in client bytes.
    let mut at = 0u64;
    for (i, part) in parts.iter().enumerate() {
        let n = i + 1;
        let got = t
            .send("GET", &format!("/bkt/mp?partNumber={n}"), &[], b"")
            .await;
        assert_eq!(got.status, Some(206));
        let last = at + part.len() as u64 - 1;
        let expected_range = format!("bytes {at}-{last}/{}", whole.len());
        assert_eq!(got.header("content-range"), Some(expected_range.as_str()));
        assert_eq!(got.header("x-amz-mp-parts-count"), Some("3"));
        assert!(got.body_out == *part, "part {n}");
        let head = t
            .send("HEAD", &format!("/bkt/mp?partNumber={n}"), &[], b"")
            .await;
        assert_eq!(
            head.header("content-length"),
            Some(part.len().to_string().as_str())
        );
        at += part.len() as u64;
    }
    // A range across both part boundaries.
    let (first, last) = (99_990u64, 170_010u64);
    let want = &whole[first as usize..=last as usize];
    assert_range(
        &t,
        "/bkt/mp",
        &format!("bytes={first}-{last}"),
        want,
        first,
        whole.len() as u64,
    )
    .await;

    // CopyObject: decoded from the source, encoded for the copy; the copy's ETag is the MD5
    // of the client bytes it holds.
    let copy = t
        .send("PUT", "/bkt/copy", &[("x-amz-copy-source", "/bkt/mp")], b"")
        .await;
    assert_eq!(copy.status, Some(200), "{:?}", copy.error_code());
    let text = String::from_utf8_lossy(&copy.body_out).into_owned();
    assert!(text.contains(&md5_hex(&whole)), "{text}");
    let get = t.send("GET", "/bkt/copy", &[], b"").await;
    assert!(get.body_out == whole, "the copy reads back");
    assert_eq!(
        t.store
            .open_object("bkt", "copy", None)
            .await
            .unwrap()
            .info()
            .stored_size,
        Stretch::stored(whole.len() as u64)
    );

    // UploadPartCopy of a range that starts and ends inside packages.
    let create = t.send("POST", "/bkt/pc?uploads", &[], b"").await;
    let text = String::from_utf8_lossy(&create.body_out).into_owned();
    let id = text
        .split("<UploadId>")
        .nth(1)
        .and_then(|r| r.split("</UploadId>").next())
        .unwrap()
        .to_string();
    let slice = &whole[1_000..=150_000];
    let part = t
        .send(
            "PUT",
            &format!("/bkt/pc?partNumber=1&uploadId={id}"),
            &[
                ("x-amz-copy-source", "/bkt/mp"),
                ("x-amz-copy-source-range", "bytes=1000-150000"),
            ],
            b"",
        )
        .await;
    assert_eq!(part.status, Some(200), "{:?}", part.error_code());
    let text = String::from_utf8_lossy(&part.body_out).into_owned();
    assert!(text.contains(&md5_hex(slice)), "{text}");
    let listing = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"{}\"</ETag></Part></CompleteMultipartUpload>",
        md5_hex(slice)
    );
    let done = t
        .send(
            "POST",
            &format!("/bkt/pc?uploadId={id}"),
            &[],
            listing.as_bytes(),
        )
        .await;
    assert_eq!(done.status, Some(200), "{:?}", done.error_code());
    let get = t.send("GET", "/bkt/pc", &[], b"").await;
    assert!(get.body_out == slice, "the copied part reads back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_bytes_that_do_not_decode_fail_the_read_instead_of_answering_them() {
    // The identity store's bytes are not Stretch packages: reading them through Stretch must
    // fail, never hand out what it could not decode.
    let t = identity().await;
    let body = data(50_000, 5);
    assert_eq!(
        t.send("PUT", "/bkt/plain", &[], &body).await.status,
        Some(200)
    );
    let obj = t.store.open_object("bkt", "plain", None).await.unwrap();
    let info = obj.info().clone();
    let plan =
        crate::transform::BodyTransform::reader(&Stretch, &info, 0..10, &http::HeaderMap::new())
            .await
            .unwrap();
    let stored = obj.read(Some(plan.stored)).unwrap();
    let mut decoded = crate::transform::Transformed::new(stored, plan.decoder).span(plan.skip, 10);
    let first = decoded.next().await.expect("an item");
    assert!(first.is_err(), "undecodable bytes were answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unhonoured_headers_are_refused_and_nothing_is_stored() {
    let t = identity().await;
    type Case<'a> = (&'a [(&'a str, &'a str)], u16, &'a str);
    let cases: &[Case<'_>] = &[
        (
            &[("x-amz-server-side-encryption", "AES256")],
            501,
            "NotImplemented",
        ),
        (
            &[("x-amz-server-side-encryption", "aws:kms")],
            501,
            "NotImplemented",
        ),
        (
            &[
                ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
                (
                    "x-amz-server-side-encryption-customer-key",
                    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                ),
                (
                    "x-amz-server-side-encryption-customer-key-md5",
                    "zZ5FnqcIqUjVwvWmyog4zw==",
                ),
            ],
            501,
            "NotImplemented",
        ),
        (
            &[("x-amz-object-lock-mode", "GOVERNANCE")],
            400,
            "InvalidRequest",
        ),
        (
            &[("x-amz-object-lock-legal-hold", "ON")],
            400,
            "InvalidRequest",
        ),
        (
            &[("x-amz-acl", "public-read")],
            400,
            "AccessControlListNotSupported",
        ),
        (
            &[("x-amz-grant-read", "id=someone")],
            400,
            "AccessControlListNotSupported",
        ),
    ];
    for (headers, status, code) in cases {
        let put = t.send("PUT", "/bkt/refused", headers, b"secret").await;
        assert_eq!(
            (put.status, put.error_code().as_deref()),
            (Some(*status), Some(*code)),
            "{headers:?}"
        );
        // Refused before the body: not a byte was read.
        assert_eq!(put.bytes_read(), 0, "{headers:?}");
        let get = t.send("GET", "/bkt/refused", &[], b"").await;
        assert_eq!(
            get.error_code().as_deref(),
            Some("NoSuchKey"),
            "{headers:?}"
        );
    }
    // The ACLs a bucket that enforces ownership accepts (rclone sends `private` every time).
    for acl in ["private", "bucket-owner-full-control"] {
        let put = t.send("PUT", "/bkt/ok", &[("x-amz-acl", acl)], b"x").await;
        assert_eq!(put.status, Some(200), "{acl}");
    }
    // An SSE-C key on a read is refused too, not ignored.
    let get = t
        .send(
            "GET",
            "/bkt/ok",
            &[("x-amz-server-side-encryption-customer-algorithm", "AES256")],
            b"",
        )
        .await;
    assert_eq!(get.error_code().as_deref(), Some("NotImplemented"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_number_past_the_last_part_is_a_client_error() {
    let t = identity().await;
    assert_eq!(
        t.send("PUT", "/bkt/one", &[], b"abc").await.status,
        Some(200)
    );
    for method in ["GET", "HEAD"] {
        let r = t.send(method, "/bkt/one?partNumber=2", &[], b"").await;
        assert_eq!(r.status, Some(400), "{method}");
        if method == "GET" {
            assert_eq!(r.error_code().as_deref(), Some("InvalidPart"));
        }
    }
    let whole = t.send("GET", "/bkt/one?partNumber=1", &[], b"").await;
    assert_eq!(
        (whole.status, whole.body_out.as_slice()),
        (Some(206), &b"abc"[..])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversize_put_is_refused_from_its_length_without_reading_the_body() {
    let limits = Limits {
        max_put_size: 1000,
        max_part_size: 2000,
        ..Limits::default()
    };
    let t = TestStack::new(Arc::new(Identity), limits).await;
    let body = data(1001, 1);
    let head = request_head("PUT", "/bkt/big", &[("expect", "100-continue")], Some(1001));
    let mut x = MemoryExchange::with_body(&body);
    t.stack.serve(&mut x, &head).await;
    assert_eq!(
        (x.status, x.error_code().as_deref()),
        (Some(400), Some("EntityTooLarge"))
    );
    assert_eq!(
        x.continues, 0,
        "a refused upload is not invited to send its body"
    );
    assert_eq!(x.bytes_read(), 0);
    let fits = t.send("PUT", "/bkt/fits", &[], &body[..1000]).await;
    assert_eq!(fits.status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_concurrency_limit_s3_answers_slow_down_health_still_answers_and_it_recovers() {
    let limits = Limits {
        max_requests: 1,
        ..Limits::default()
    };
    let t = TestStack::new(Arc::new(Identity), limits).await;
    // One upload holds the only slot while its body trickles in.
    let (mut slow, feed) = MemoryExchange::fed();
    let slow_head = request_head("PUT", "/bkt/slow", &[], Some(6));
    let holder = t.stack.serve(&mut slow, &slow_head);
    let others = async {
        // Wait until the upload holds its slot.
        while t.stack.requests_in_flight() == 0 {
            tokio::task::yield_now().await;
        }
        let busy = t.send("GET", "/bkt?list-type=2", &[], b"").await;
        assert_eq!(
            (busy.status, busy.error_code().as_deref()),
            (Some(503), Some("SlowDown"))
        );
        for probe in ["/strata/health/live", "/strata/health/ready"] {
            let r = t.send("GET", probe, &[], b"").await;
            assert_eq!(r.status, Some(200), "{probe} is not limited");
        }
        feed.send(bytes::Bytes::from_static(b"trickl"))
            .await
            .unwrap();
        drop(feed);
    };
    let (sent, ()) = tokio::join!(holder, others);
    assert_eq!(sent.status, Some(200));
    let after = t.send("GET", "/bkt/slow", &[], b"").await;
    assert_eq!(
        (after.status, after.body_out.as_slice()),
        (Some(200), &b"trickl"[..])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_that_authenticates_from_its_body_reads_the_form_first() {
    let t = identity().await;
    let form = format!("Action=NoSuchAction&key={ROOT_KEY}&WebIdentityToken=abc");
    let post = t
        .send(
            "POST",
            "/",
            &[
                ("x-test-key", "-"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        )
        .await;
    // Authenticated from the form, then handed to the query API, which answers in its own
    // error document.
    assert_eq!(post.error_code().as_deref(), Some("InvalidAction"));
    assert!(
        String::from_utf8_lossy(&post.body_out).starts_with("<ErrorResponse xmlns=\"https://sts."),
        "{}",
        String::from_utf8_lossy(&post.body_out)
    );
    assert_eq!(
        t.auth.forms.lock().unwrap().last().map(Vec::as_slice),
        Some(form.as_bytes())
    );
    let event = t.recorder.events().pop().unwrap();
    assert_eq!(event.op, Some(crate::s3::Operation::ServicePost));
    assert!(
        matches!(event.principal, Some(crate::auth::Principal::Key { ref access_key, .. }) if access_key == ROOT_KEY)
    );
    assert_eq!(event.bytes_in, form.len() as u64);

    // A form whose credentials fail is refused with the authentication error.
    let bad = t
        .send("POST", "/", &[("x-test-key", "-")], b"Action=X&key=bad")
        .await;
    assert_eq!(
        (bad.status, bad.error_code().as_deref()),
        (Some(403), Some("SignatureDoesNotMatch"))
    );
    assert_eq!(t.recorder.events().pop().unwrap().principal, None);
    // No credentials in the form: anonymous, and the API decides (STS has unsigned actions).
    let anonymous = t
        .send("POST", "/", &[("x-test-key", "-")], b"Action=X")
        .await;
    assert_eq!(anonymous.error_code().as_deref(), Some("InvalidAction"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_makes_one_event_with_principal_bytes_duration_and_tls() {
    let t = identity().await;
    let tls = Peer {
        addr: Some("10.1.2.3:5555".parse().unwrap()),
        tls: Some(TlsInfo {
            version: "TLSv1_3".into(),
            cipher: "TLS13_AES_256_GCM_SHA384".into(),
        }),
        ..Default::default()
    };
    let body = data(3000, 9);
    let head = request_head(
        "PUT",
        "/bkt/ev",
        &[("user-agent", "test-agent/1")],
        Some(3000),
    );
    let mut x = MemoryExchange::with_body(&body).with_peer(tls.clone());
    t.stack.serve(&mut x, &head).await;
    let get = t.send("GET", "/bkt/ev", &[], b"").await;
    assert_eq!(get.status, Some(200));
    let events = t.recorder.events();
    assert_eq!(events.len(), 2);
    let (put, read) = (&events[0], &events[1]);
    assert_eq!(put.op, Some(crate::s3::Operation::PutObject));
    assert_eq!(
        (put.bucket.as_deref(), put.key.as_deref()),
        (Some("bkt"), Some("ev"))
    );
    assert!(
        matches!(put.principal, Some(crate::auth::Principal::Key { ref access_key, .. }) if access_key == ROOT_KEY)
    );
    assert_eq!((put.bytes_in, put.bytes_out), (3000, 0));
    assert_eq!(put.peer, tls);
    assert_eq!(put.user_agent.as_deref(), Some("test-agent/1"));
    assert_eq!(put.status, Some(200));
    assert_eq!((read.bytes_in, read.bytes_out), (0, 3000));
    assert!(read.peer.tls.is_none());
    assert_eq!(read.request_id.len(), 16);
    assert_ne!(read.request_id, put.request_id);
    assert!(put.duration > std::time::Duration::ZERO);
    // A refused request is an event too, with its error code and no principal.
    let denied = t
        .send("GET", "/bkt/ev", &[("x-test-key", "bad")], b"")
        .await;
    assert_eq!(denied.status, Some(403));
    let last = t.recorder.events().pop().unwrap();
    assert_eq!(last.error, Some(crate::s3::Code::SignatureDoesNotMatch));
    assert_eq!(last.principal, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_preconditions_are_decided_before_any_shard_is_read() {
    let t = identity().await;
    let body = data(300_000, 3);
    let put = t.send("PUT", "/bkt/big", &[], &body).await;
    let etag = put.header("etag").unwrap().to_string();
    // Take every shard file away: a read that touched one would fail.
    for entry in walk(t.dir.path()) {
        if entry
            .parent()
            .and_then(|p| p.parent())
            .is_some_and(|p| p.ends_with("data"))
        {
            std::fs::remove_file(&entry).unwrap();
        }
    }
    let failed = t
        .send("GET", "/bkt/big", &[("if-match", "\"nope\"")], b"")
        .await;
    assert_eq!(failed.status, Some(412));
    let unmodified = t
        .send("GET", "/bkt/big", &[("if-none-match", &etag)], b"")
        .await;
    assert_eq!(unmodified.status, Some(304));
    assert_eq!(t.send("HEAD", "/bkt/big", &[], b"").await.status, Some(200));
    // Without a failing precondition the read does reach the (missing) shards, and fails
    // before the response starts: an error answer, not a body cut short.
    let read = t.send("GET", "/bkt/big", &[], b"").await;
    assert!(read.status.is_some_and(|s| s >= 500), "{:?}", read.status);
    assert!(read.body_out.len() < body.len());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_endpoint_answers_loopback_peers_only_and_is_not_s3_traffic() {
    let t = identity().await;
    let head = request_head("GET", "/strata/metrics", &[], None);
    let remote = Peer {
        addr: Some("10.1.2.3:5555".parse().unwrap()),
        tls: None,
        ..Default::default()
    };
    let mut x = MemoryExchange::with_body(b"").with_peer(remote);
    t.stack.serve(&mut x, &head).await;
    assert_eq!(x.error_code().as_deref(), Some("AccessDenied"));
    let local = Peer {
        addr: Some("127.0.0.1:5555".parse().unwrap()),
        tls: None,
        ..Default::default()
    };
    let mut x = MemoryExchange::with_body(b"").with_peer(local);
    let sent = t.stack.serve(&mut x, &head).await;
    // The test stack's registry is never published: loopback gets through, to "not ready".
    assert_eq!(sent.status, Some(503));
    let events = t.recorder.events();
    assert!(events
        .iter()
        .all(|e| e.stage == Stage::Internal && e.op.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_names_the_stage_that_refused_and_the_version_answered() {
    let t = identity().await;
    t.send("GET", "/bkt/none", &[("x-test-key", "bad")], b"")
        .await;
    t.send("GET", "/bkt/none", &[], b"").await;
    t.send("PUT", "/bkt/v", &[], b"abc").await;
    t.send("GET", "/bkt/v?versionId=null", &[], b"").await;
    let events = t.recorder.events();
    let stages: Vec<Stage> = events.iter().map(|e| e.stage).collect();
    assert_eq!(
        stages,
        [
            Stage::Authenticate,
            Stage::Handler,
            Stage::Handler,
            Stage::Handler
        ]
    );
    assert_eq!(events[3].version_id.as_deref(), Some("null"));
}
