//! The bounds from the environment, enforced by the real binary over real sockets: past
//! `STRATA_MAX_REQUESTS` S3 answers 503 SlowDown while health still answers, and recovers; a
//! PUT over `STRATA_MAX_PUT_SIZE` is refused from its announced length, before its body.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use strata_tests::{code, raw, read_reply, Layout, Server};

fn start_with(name: &str, value: &str) -> Server {
    Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .env(name, value)
        .start()
}

#[test]
fn past_max_requests_s3_slows_down_health_answers_and_it_recovers() {
    let s = start_with("STRATA_MAX_REQUESTS", "1");
    assert_eq!(s.request("PUT", "/held", b"").status, 200);
    // An upload that holds the only slot: the server asks for its body (`100 Continue`) only
    // once the request is admitted, and it is not sent yet.
    let mut head = s.signed_head("PUT", "/held/k", &[], &s.credentials.secret_key);
    head.push_str("content-length: 10\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n");
    let mut conn = TcpStream::connect(&s.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    conn.write_all(head.as_bytes()).unwrap();
    assert_eq!(read_reply(&mut conn, true).unwrap().status, 100);
    // Any other S3 request now gets SlowDown, a burst of them too.
    for _ in 0..5 {
        let busy = s.request("GET", "/held", b"");
        assert_eq!((busy.status, code(&busy).as_str()), (503, "SlowDown"));
    }
    for probe in ["/strata/health/live", "/strata/health/ready"] {
        let r = raw(
            &s.addr,
            &format!("GET {probe} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            b"",
        )
        .unwrap();
        assert_eq!(r.status, 200, "{probe} answers past the limit");
    }
    conn.write_all(b"1234567890").unwrap();
    let done = read_reply(&mut conn, false).unwrap();
    assert_eq!(done.status, 200, "{}", done.text());
    let after = s.request("GET", "/held/k", b"");
    assert_eq!(
        (after.status, after.body.as_slice()),
        (200, &b"1234567890"[..])
    );
}

#[test]
fn a_put_over_max_put_size_is_refused_before_its_body() {
    let s = start_with("STRATA_MAX_PUT_SIZE", "1KiB");
    assert_eq!(s.request("PUT", "/small", b"").status, 200);
    let mut head = s.signed_head("PUT", "/small/big", &[], &s.credentials.secret_key);
    head.push_str("content-length: 2048\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n");
    let mut conn = TcpStream::connect(&s.addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn.write_all(head.as_bytes()).unwrap();
    // The answer comes without a `100 Continue` and without a byte of the body sent.
    let reply = read_reply(&mut conn, false).unwrap();
    assert_eq!(
        (reply.status, code(&reply).as_str()),
        (400, "EntityTooLarge")
    );
    assert_eq!(s.request("PUT", "/small/fits", &[7; 1024]).status, 200);
    assert_eq!(s.request("GET", "/small/big", b"").status, 404);
}
