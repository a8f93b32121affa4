//! One harness for the end-to-end tests: start the real `strata serve` on a temp dir and a
//! free port, wait until it is ready, talk SigV4 over a plain TcpStream.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sigv4::http_request::SignableBody;

pub mod checks;
pub mod sign;

pub use sign::Signer;

pub const ACCESS_KEY: &str = "testroot";
pub const SECRET_KEY: &str = "testroot-secret";

/// A running server; killed on drop if the test did not stop it.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    pub fn start_with(extra_env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let vols: Vec<String> = (0..4)
            .map(|i| dir.path().join(format!("v{i}")).display().to_string())
            .collect();
        for v in &vols {
            std::fs::create_dir_all(v).expect("volume dir");
        }
        let addr = format!("127.0.0.1:{}", free_port());
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
        cmd.arg("serve")
            .env_clear()
            .env("STRATA_LISTEN", &addr)
            .env("STRATA_DATA", dir.path().join("data"))
            .env("STRATA_VOLUMES", format!("fast={}", vols.join(",")))
            .env("STRATA_ERASURE", "fast=2+2")
            .env("STRATA_ACCESS_KEY", ACCESS_KEY)
            .env("STRATA_SECRET_KEY", SECRET_KEY)
            .env("STRATA_SHUTDOWN_GRACE", "20")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start strata");
        let server = Server { child, addr, dir };
        server.wait_ready();
        server
    }

    /// Polls the readiness endpoint; each attempt is a real request, not a timed guess.
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(r) = raw(
                &self.addr,
                "GET /strata/health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                b"",
            ) {
                if r.status == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("strata did not become ready at {}", self.addr);
    }

    pub fn request(&self, method: &str, target: &str, body: &[u8]) -> Reply {
        self.request_with(method, target, &[], body)
    }

    /// A SigV4-signed request (payload hash signed).
    pub fn request_with(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.send_signed(method, target, headers, SignableBody::Bytes(body), body)
    }

    /// A signed request whose body is sent as-is under a precomputed
    /// `x-amz-content-sha256` (e.g. `STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    pub fn request_precomputed(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        mode: &str,
        body: &[u8],
    ) -> Reply {
        let signable = SignableBody::Precomputed(mode.to_string());
        self.send_signed(method, target, headers, signable, body)
    }

    fn send_signed(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        signable: SignableBody<'_>,
        body: &[u8],
    ) -> Reply {
        let head = signed_head(&self.addr, method, target, headers, signable, SECRET_KEY);
        raw(&self.addr, &head, body).expect("request")
    }

    /// The signed request head only, for tests that send the body themselves.
    pub fn signed_head(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        secret: &str,
    ) -> String {
        signed_head(
            &self.addr,
            method,
            target,
            headers,
            SignableBody::UnsignedPayload,
            secret,
        )
    }
}

/// Builds `METHOD target HTTP/1.1` plus signed headers (root access key, now), without the
/// blank line that ends the head.
pub fn signed_head(
    addr: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: SignableBody<'_>,
    secret: &str,
) -> String {
    let signer = Signer {
        secret,
        ..Signer::root()
    };
    signer.head(addr, method, target, headers, body)
}

/// A parsed response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends a head (without the final blank line, unless it has one) and a body; reads the reply.
pub fn raw(addr: &str, head: &str, body: &[u8]) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut msg = head.to_string();
    if !msg.ends_with("\r\n\r\n") {
        msg.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        ));
    }
    s.write_all(msg.as_bytes())?;
    s.write_all(body)?;
    read_reply(&mut s, head.starts_with("HEAD "))
}

pub fn read_reply(s: &mut TcpStream, is_head: bool) -> std::io::Result<Reply> {
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = Vec::new();
    if !is_head && status != 204 && status != 304 {
        match len {
            Some(n) => {
                body.resize(n, 0);
                r.read_exact(&mut body)?;
            }
            None => {
                r.read_to_end(&mut body)?;
            }
        }
    }
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// Deterministic bytes that are not a repeating short pattern.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
