//! A small HTTP/1.1 receiver for sink tests: it records every request and answers what the
//! test tells it to (a status, or nothing at all, to stall the client). It stands in for
//! webhook, Elasticsearch and Loki servers, none of which is installable here; it speaks
//! only what strata's sinks send (a `content-length` body, one request per connection).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
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

/// What the receiver does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Answers this status and body (recorded as received only when the status is 2xx).
    Status(u16, String),
    /// Reads the request, then holds the connection without answering until it is closed
    /// or the receiver stops (the client's timeout fires).
    Stall,
}

type Decide = dyn Fn(&Received) -> Answer + Send + Sync;

struct Shared {
    decide: Mutex<Arc<Decide>>,
    accepted: Mutex<Vec<Received>>,
    all: Mutex<Vec<Received>>,
    stop: AtomicBool,
}

/// A receiver on a free loopback port; stops accepting when dropped.
pub struct Receiver {
    pub addr: String,
    shared: Arc<Shared>,
}

impl Receiver {
    /// A receiver answering `200` with an empty body.
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a receiver");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr").to_string();
        let shared = Arc::new(Shared {
            decide: Mutex::new(Arc::new(|_: &Received| Answer::Status(200, String::new()))),
            accepted: Mutex::new(Vec::new()),
            all: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let s = Arc::clone(&shared);
        thread::spawn(move || accept_loop(listener, s));
        Receiver { addr, shared }
    }

    /// `http://addr` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// From now on, answers what `decide` says.
    pub fn answer(&self, decide: impl Fn(&Received) -> Answer + Send + Sync + 'static) {
        *self.shared.decide.lock().unwrap() = Arc::new(decide);
    }

    /// Requests answered with a 2xx status, in arrival order.
    pub fn accepted(&self) -> Vec<Received> {
        self.shared.accepted.lock().unwrap().clone()
    }

    /// Every request read, whatever it was answered.
    pub fn all(&self) -> Vec<Received> {
        self.shared.all.lock().unwrap().clone()
    }

    /// Waits until `done(accepted requests)` holds; panics after `within`.
    pub fn wait_for(&self, within: Duration, what: &str, done: impl Fn(&[Received]) -> bool) {
        let deadline = Instant::now() + within;
        loop {
            if done(&self.accepted()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "receiver {}: not {what} within {within:?}; {} requests accepted, {} received",
                self.addr,
                self.accepted().len(),
                self.all().len()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let s = Arc::clone(&shared);
                thread::spawn(move || serve(stream, &s));
            }
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn serve(stream: TcpStream, shared: &Shared) {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let Some(request) = read_request(&stream) else {
        return;
    };
    shared.all.lock().unwrap().push(request.clone());
    let decide = Arc::clone(&shared.decide.lock().unwrap());
    match decide(&request) {
        Answer::Status(status, body) => {
            if (200..300).contains(&status) {
                shared.accepted.lock().unwrap().push(request);
            }
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let mut stream = stream;
            let _ = stream.write_all(reply.as_bytes());
        }
        Answer::Stall => {
            // Hold the connection until the client gives up (its read sees EOF) or we stop.
            let mut byte = [0u8; 1];
            let mut s = &stream;
            s.set_read_timeout(Some(Duration::from_millis(50))).ok();
            while !shared.stop.load(Ordering::SeqCst) {
                match s.read(&mut byte) {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return,
                }
            }
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        path,
        headers,
        body,
    })
}
