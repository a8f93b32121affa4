//! `strata serve` end to end over real sockets: the binary, a temp dir, a SigV4 client.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use strata_tests::{boto3_ok, pattern, raw, read_reply, Server};

/// The `strata` built with these tests, on one class `fast` of four volumes (2+2).
fn start() -> Server {
    Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"))
}

#[test]
fn objects_round_trip_byte_exact_through_put_get_and_list() {
    let s = start();
    assert_eq!(s.request("PUT", "/photos", b"").status, 200);
    let data = pattern(3 * 1024 * 1024 + 17, 1);
    let put = s.request("PUT", "/photos/2024/cat%20one.jpg", &data);
    assert_eq!(put.status, 200, "{}", put.text());
    let etag = put.header("etag").expect("etag").to_string();

    let get = s.request("GET", "/photos/2024/cat%20one.jpg", b"");
    assert_eq!(get.status, 200);
    assert_eq!(get.header("etag"), Some(etag.as_str()));
    assert!(get.body == data, "GET returned different bytes");

    let part = s.request_with(
        "GET",
        "/photos/2024/cat%20one.jpg",
        &[("range", "bytes=1000-1999")],
        b"",
    );
    assert_eq!(part.status, 206);
    assert_eq!(part.body, data[1000..2000]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 1000-1999/{}", data.len()).as_str())
    );

    let small = s.request("PUT", "/photos/readme.txt", b"hello");
    assert_eq!(small.status, 200);
    let list = s.request("GET", "/photos?list-type=2&delimiter=%2F", b"");
    assert_eq!(list.status, 200);
    let xml = list.text();
    assert!(xml.contains("<Key>readme.txt</Key>"), "{xml}");
    assert!(xml.contains("<Size>5</Size>"), "{xml}");
    assert!(
        xml.contains("<CommonPrefixes><Prefix>2024/</Prefix></CommonPrefixes>"),
        "{xml}"
    );
    assert!(xml.contains("<KeyCount>2</KeyCount>"), "{xml}");

    let head = s.request("HEAD", "/photos/2024/cat%20one.jpg", b"");
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(data.len().to_string().as_str())
    );

    assert_eq!(s.request("DELETE", "/photos/readme.txt", b"").status, 204);
    let gone = s.request("GET", "/photos/readme.txt", b"");
    assert_eq!(gone.status, 404);
    assert!(
        gone.text().contains("<Code>NoSuchKey</Code>"),
        "{}",
        gone.text()
    );
}

#[test]
fn every_response_carries_a_request_id_even_errors() {
    let s = start();
    for reply in [
        s.request("GET", "/", b""),
        s.request("GET", "/no-such-bucket/k", b""),
        raw(
            &s.addr,
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"",
        )
        .unwrap(),
    ] {
        let id = reply.header("x-amz-request-id").expect("x-amz-request-id");
        assert_eq!(id.len(), 16);
        assert!(reply.header("x-amz-id-2").is_some());
        if reply.status >= 400 {
            assert!(
                reply
                    .text()
                    .contains(&format!("<RequestId>{id}</RequestId>")),
                "{}",
                reply.text()
            );
        }
    }
}

#[test]
fn anonymous_and_wrongly_signed_requests_are_denied() {
    let s = start();
    let anon = raw(
        &s.addr,
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    )
    .unwrap();
    assert_eq!(anon.status, 403);
    assert!(anon.text().contains("<Code>AccessDenied</Code>"));
    let head = s.signed_head("GET", "/", &[], "not-the-secret");
    let bad = raw(&s.addr, &head, b"").unwrap();
    assert_eq!(bad.status, 403);
    assert!(
        bad.text().contains("<Code>SignatureDoesNotMatch</Code>"),
        "{}",
        bad.text()
    );
}

#[test]
fn unsupported_operations_answer_not_implemented() {
    let s = start();
    assert_eq!(s.request("PUT", "/bkt1", b"").status, 200);
    let r = s.request("GET", "/bkt1?website", b"");
    assert_eq!(r.status, 501);
    assert!(r.text().contains("<Code>NotImplemented</Code>"));
}

#[test]
fn health_endpoints_answer_without_credentials() {
    let s = start();
    let live = raw(
        &s.addr,
        "GET /strata/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    )
    .unwrap();
    assert_eq!(live.status, 200);
}

#[test]
fn expect_continue_is_answered_before_the_body() {
    let s = start();
    assert_eq!(s.request("PUT", "/bkt2", b"").status, 200);
    let body = pattern(4096, 2);
    let mut head = s.signed_head("PUT", "/bkt2/k", &[], &s.credentials.secret_key);
    head.push_str(&format!(
        "content-length: {}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut conn = TcpStream::connect(&s.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn.write_all(head.as_bytes()).unwrap();
    let interim = read_reply(&mut conn, true).unwrap();
    assert_eq!(interim.status, 100);
    conn.write_all(&body).unwrap();
    let done = read_reply(&mut conn, false).unwrap();
    assert_eq!(done.status, 200);
    assert_eq!(s.request("GET", "/bkt2/k", b"").body, body);
}

#[test]
fn uploads_sent_after_100_continue_keep_their_connection() {
    let s = start();
    assert_eq!(s.request("PUT", "/bkt3", b"").status, 200);
    let body = pattern(4096, 3);
    let mut conn = TcpStream::connect(&s.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    for key in ["a", "b", "c"] {
        let path = format!("/bkt3/{key}");
        let mut head = s.signed_head("PUT", &path, &[], &s.credentials.secret_key);
        head.push_str(&format!(
            "content-length: {}\r\nexpect: 100-continue\r\n\r\n",
            body.len()
        ));
        conn.write_all(head.as_bytes()).unwrap();
        assert_eq!(read_reply(&mut conn, true).unwrap().status, 100, "{key}");
        conn.write_all(&body).unwrap();
        let done = read_reply(&mut conn, false).unwrap();
        assert_eq!(done.status, 200, "{key}");
    }
    assert_eq!(s.request("GET", "/bkt3/c", b"").body, body);
}

#[test]
fn boto3_uploads_and_downloads_over_one_connection() {
    let s = start();
    boto3_ok(
        &s,
        r#"
import io, logging
log = io.StringIO()
pool = logging.getLogger('urllib3.connectionpool')
pool.setLevel(logging.DEBUG)
pool.addHandler(logging.StreamHandler(log))
one = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                   aws_secret_access_key=sys.argv[3], region_name='us-east-1',
                   config=Config(retries={'max_attempts': 1}, max_pool_connections=1))
one.create_bucket(Bucket='conns')
for i in range(5):
    one.put_object(Bucket='conns', Key=f'k{i}', Body=b'x' * 1000)
for i in range(5):
    assert one.get_object(Bucket='conns', Key=f'k{i}')['Body'].read() == b'x' * 1000
text = log.getvalue()
opened = text.count('Starting new HTTP connection') + text.count('Resetting dropped connection')
assert opened == 1, text
print('ok')
"#,
    );
}

#[test]
fn sigterm_lets_the_in_flight_upload_finish_and_exits_zero() {
    let mut s = start();
    assert_eq!(s.request("PUT", "/bkt3", b"").status, 200);
    let body = pattern(256 * 1024, 3);
    let mut head = s.signed_head("PUT", "/bkt3/slow", &[], &s.credentials.secret_key);
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut conn = TcpStream::connect(&s.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(&body[..1000]).unwrap();
    conn.flush().unwrap();
    // The request is in flight once the server has its head; wait until readiness flips
    // after the signal, which proves the signal arrived while the upload was open.
    std::thread::sleep(Duration::from_millis(300));
    let pid = s.pid() as i32;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ready = raw(
            &s.addr,
            "GET /strata/health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"",
        );
        if ready.map_or(true, |r| r.status == 503) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    conn.write_all(&body[1000..]).unwrap();
    let reply = read_reply(&mut conn, false).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(st) = s.try_wait() {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "strata did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
}
