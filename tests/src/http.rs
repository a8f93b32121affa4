//! HTTP/1.1 by hand over a TcpStream: send exactly the bytes a test wants, parse the reply.
//! Clients and HTTP libraries repair what hostile-input tests need to send broken.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::Duration;

/// A parsed response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Header names in lower case, values trimmed, in the order received.
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

/// A loopback port that was free a moment ago (the OS picked it; tests run in parallel),
/// and that this process has not handed out before: the OS may pick a port again once its
/// listener is gone, and two ports of one server (S3 and metrics) must differ.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = l.local_addr().expect("local addr").port();
        if handed_out.insert(port) {
            return port;
        }
    }
}

/// Sends a head and a body to `addr`; reads the reply. A head that does not end with its
/// blank line gets `content-length` (of `body`), `connection: close` and the blank line.
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

/// Reads one response from `s`: the body by `content-length`, else to the end of the stream;
/// none for HEAD, 204 and 304.
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
