//! The webhook receiver Alertmanager delivers to: a loopback HTTP server on its own thread
//! that answers 200 to every POST and keeps the bodies (standing in for PagerDuty's events
//! API or a chat bridge).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running receiver; its thread ends with the test process.
pub struct Webhook {
    pub url: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Webhook {
    pub fn start() -> Webhook {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind webhook");
        let url = format!("http://{}/alerts", listener.local_addr().expect("addr"));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(body) = receive(stream) {
                    kept.lock().expect("bodies").push(body);
                }
            }
        });
        Webhook { url, bodies }
    }

    /// Waits up to `within` for a delivered body that `matches`; returns it.
    pub fn wait_for(&self, within: Duration, matches: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(body) = self.bodies().into_iter().find(|b| matches(b)) {
                return Some(body);
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        None
    }

    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().expect("bodies").clone()
    }
}

/// Reads one request (head, then `content-length` bytes), answers 200, returns the body.
fn receive(stream: std::net::TcpStream) -> Option<String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let mut stream = stream;
    stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}
