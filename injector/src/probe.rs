//! `strata-injector probe URL`: the sidecar's exec probe and fallback postStart hook.
//!
//! The gateway listens on loopback only, which the kubelet's httpGet probes cannot reach;
//! an exec probe runs inside the pod's network namespace. This is a tiny blocking
//! HTTP/1.0 GET (no runtime, no TLS) so that a probe costs a few milliseconds.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use thiserror::Error;

/// A probe that did not see HTTP 200.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// The URL is not `http://IP:PORT/path`.
    #[error("probe URL {0:?} must be http://IP:PORT/PATH")]
    Url(String),
    /// Connecting or talking failed.
    #[error("{url}: {source}")]
    Io {
        /// URL.
        url: String,
        /// Why.
        source: std::io::Error,
    },
    /// The endpoint answered, but not 200.
    #[error("{url}: answered {status_line:?}")]
    Status {
        /// URL.
        url: String,
        /// First response line.
        status_line: String,
    },
}

/// One GET with `timeout` per step; Ok on HTTP 200.
pub fn probe_once(url: &str, timeout: Duration) -> Result<(), ProbeError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| ProbeError::Url(url.to_owned()))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let addr: SocketAddr = authority
        .parse()
        .map_err(|_| ProbeError::Url(url.to_owned()))?;
    let io = |source| ProbeError::Io {
        url: url.to_owned(),
        source,
    };
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(io)?;
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    // One write: a server may answer and close as soon as it has the request line.
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\nUser-Agent: strata-probe\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(io)?;
    // Only the status line is needed, but it may arrive in pieces (a server may write it in
    // several sends): read until its end, EOF, or 64 bytes.
    let mut head = [0u8; 64];
    let mut n = 0;
    while n < head.len() && !head[..n].contains(&b'\n') {
        match stream.read(&mut head[n..]).map_err(io)? {
            0 => break,
            got => n += got,
        }
    }
    let status_line = String::from_utf8_lossy(&head[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut words = status_line.split_whitespace();
    if words.next().is_some_and(|v| v.starts_with("HTTP/")) && words.next() == Some("200") {
        Ok(())
    } else {
        Err(ProbeError::Status {
            url: url.to_owned(),
            status_line,
        })
    }
}

/// Probes until 200 or until `wait` has passed (then returns the last error).
pub fn probe_until(url: &str, wait: Duration) -> Result<(), ProbeError> {
    let deadline = Instant::now() + wait;
    loop {
        match probe_once(url, Duration::from_secs(2)) {
            Ok(()) => return Ok(()),
            Err(e @ ProbeError::Url(_)) => return Err(e),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}
