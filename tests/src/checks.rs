//! What a hostile-input test asserts: the exact S3 error, and that nothing was left behind
//! (no object, no upload, no stray file).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::http::{read_reply, Reply};
use crate::server::Server;

/// What `encoding-type=url` leaves alone in a listing: unreserved characters and `/`.
const LIST_KEY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// The `<Code>` of an S3 error document ("" when there is none).
pub fn code(reply: &Reply) -> String {
    let text = reply.text();
    let Some(start) = text.find("<Code>").map(|i| i + "<Code>".len()) else {
        return String::new();
    };
    let end = text[start..]
        .find("</Code>")
        .map_or(text.len(), |i| start + i);
    text[start..end].to_string()
}

/// Asserts the HTTP status and the S3 error code of a reply.
#[track_caller]
pub fn assert_error(reply: &Reply, status: u16, expected: &str) {
    assert_eq!(
        (reply.status, code(reply).as_str()),
        (status, expected),
        "unexpected answer: {}",
        reply.text()
    );
}

/// A key as it appears in a listing with `encoding-type=url`.
pub fn listed(key: &str) -> String {
    format!("<Key>{}</Key>", utf8_percent_encode(key, LIST_KEY))
}

impl Server {
    /// Every file under the server's temp dir except the metadata index, which any write
    /// rewrites in place: object shards, format records, config.
    pub fn files(&self) -> BTreeSet<PathBuf> {
        fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if !p.ends_with("meta.redb") {
                    out.insert(p);
                }
            }
        }
        let mut out = BTreeSet::new();
        walk(self.dir(), &mut out);
        out
    }

    /// Waits until the files under the temp dir are exactly `baseline` again (a failed write
    /// removes its shards when the server notices the failure, which may trail the reply).
    #[track_caller]
    pub fn assert_files_back_to(&self, baseline: &BTreeSet<PathBuf>) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let now = self.files();
            if &now == baseline {
                return;
            }
            if Instant::now() > deadline {
                let extra: Vec<_> = now.difference(baseline).collect();
                let missing: Vec<_> = baseline.difference(&now).collect();
                panic!("files left behind: {extra:?}; files gone: {missing:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// GET and HEAD of `/bucket/key` (key as sent on the wire) answer 404 NoSuchKey.
    #[track_caller]
    pub fn assert_no_object(&self, bucket: &str, wire_key: &str) {
        let target = format!("/{bucket}/{wire_key}");
        let get = self.request("GET", &target, b"");
        assert_error(&get, 404, "NoSuchKey");
        let head = self.request("HEAD", &target, b"");
        assert_eq!(head.status, 404, "HEAD {target}");
    }

    /// The bucket's listing does not name `key` (decoded form).
    #[track_caller]
    pub fn assert_not_listed(&self, bucket: &str, key: &str) {
        let list = self.request(
            "GET",
            &format!("/{bucket}?list-type=2&encoding-type=url"),
            b"",
        );
        assert_eq!(list.status, 200, "{}", list.text());
        assert!(
            !list.text().contains(&listed(key)),
            "{key:?} is listed: {}",
            list.text()
        );
    }

    /// ListMultipartUploads of the bucket shows no upload at all.
    #[track_caller]
    pub fn assert_no_uploads(&self, bucket: &str) {
        let list = self.request("GET", &format!("/{bucket}?uploads"), b"");
        assert_eq!(list.status, 200, "{}", list.text());
        assert!(
            !list.text().contains("<Upload>"),
            "an upload is left: {}",
            list.text()
        );
    }

    /// Nothing of `/bucket/key` exists: no object, not listed, no upload.
    #[track_caller]
    pub fn assert_nothing_stored(&self, bucket: &str, wire_key: &str, key: &str) {
        self.assert_no_object(bucket, wire_key);
        self.assert_not_listed(bucket, key);
        self.assert_no_uploads(bucket);
    }

    /// Creates a multipart upload; returns its id.
    pub fn create_upload(&self, target: &str) -> String {
        let r = self.request("POST", &format!("{target}?uploads"), b"");
        assert_eq!(r.status, 200, "{}", r.text());
        let text = r.text();
        let start = text.find("<UploadId>").expect("UploadId") + "<UploadId>".len();
        let end = text[start..].find("</UploadId>").expect("</UploadId>") + start;
        text[start..end].to_string()
    }
}

/// Sends a complete head and the first bytes of a body, then stops: with `half_close` the
/// client shuts its sending side and reads the answer; otherwise it drops the connection.
pub fn send_partial(addr: &str, head: &str, body: &[u8], half_close: bool) -> Option<Reply> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    s.write_all(head.as_bytes()).expect("write head");
    // The peer may already have answered and closed; what matters is what it stored.
    let _ = s.write_all(body);
    let _ = s.flush();
    if !half_close {
        drop(s);
        return None;
    }
    s.shutdown(Shutdown::Write).expect("half close");
    match read_reply(&mut s, false) {
        Ok(r) => Some(r),
        Err(e) => {
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest);
            panic!("no answer after a half-closed body: {e}");
        }
    }
}
