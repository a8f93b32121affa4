//! A `multipart/form-data` body read as it streams: the fields before the `file` part are
//! collected (bounded), then the file's bytes flow on without being buffered whole.

use bytes::{Buf, Bytes, BytesMut};
use futures::StreamExt;
use memchr::memmem;
use std::io;

use crate::s3::body::WireBody;

/// Why the form could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// Not the multipart/form-data it claims to be.
    #[error("the body of your POST request is not well-formed multipart/form-data: {0}")]
    Malformed(&'static str),
    /// The fields before the file are longer than the bound.
    #[error("your POST request fields preceding the upload file were too large")]
    FieldsTooLarge,
    /// The form has no `file` field.
    #[error("POST requires exactly one file upload per request")]
    NoFile,
    /// Reading the body failed.
    #[error("reading the request body failed: {0}")]
    Io(#[from] io::Error),
}

/// The `file` part's own headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileHead {
    /// `filename` of its Content-Disposition (what `${filename}` in the key stands for).
    pub filename: Option<String>,
}

/// The fields before the file, in order, names as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// Name and value of each field.
    pub list: Vec<(String, String)>,
    /// The file part's headers.
    pub file: FileHead,
}

/// Reads one form off the wire.
pub struct FormReader<'a> {
    wire: WireBody<'a>,
    buf: BytesMut,
    /// `CRLF--boundary`: what ends every part.
    delimiter: Vec<u8>,
    wire_done: bool,
}

impl<'a> FormReader<'a> {
    /// A reader of the form whose parts `boundary` separates.
    pub fn new(wire: WireBody<'a>, boundary: &str) -> Self {
        let mut buf = BytesMut::new();
        // The body's first delimiter has no CRLF before it: give it one.
        buf.extend_from_slice(b"\r\n");
        FormReader {
            wire,
            buf,
            delimiter: [b"\r\n--".as_slice(), boundary.as_bytes()].concat(),
            wire_done: false,
        }
    }

    /// Reads one more piece into the buffer; `false` once the wire has ended.
    async fn fill(&mut self) -> Result<bool, FormError> {
        if self.wire_done {
            return Ok(false);
        }
        match self.wire.next().await {
            Some(chunk) => {
                self.buf.extend_from_slice(&chunk?);
                Ok(true)
            }
            None => {
                self.wire_done = true;
                Ok(false)
            }
        }
    }

    /// Buffers until `needle` appears (within `limit` bytes); returns where it starts.
    async fn find(&mut self, needle: &[u8], limit: usize) -> Result<usize, FormError> {
        let finder = memmem::Finder::new(needle);
        let mut from = 0;
        loop {
            if let Some(at) = finder.find(&self.buf[from..]) {
                return Ok(from + at);
            }
            if self.buf.len() > limit {
                return Err(FormError::FieldsTooLarge);
            }
            from = self.buf.len().saturating_sub(needle.len());
            if !self.fill().await? {
                return Err(FormError::Malformed("the body ends inside a part"));
            }
        }
    }

    /// Buffers at least `n` bytes.
    async fn want(&mut self, n: usize) -> Result<(), FormError> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(FormError::Malformed("the body ends after a boundary"));
            }
        }
        Ok(())
    }

    /// Reads the fields up to the `file` part, whose content is next on the wire. At most
    /// `limit` bytes of the body come before the file's content.
    pub async fn fields(&mut self, limit: usize) -> Result<Fields, FormError> {
        let delimiter = self.delimiter.clone();
        let mut used = 0usize;
        // Anything before the first delimiter is a preamble, ignored as RFC 2046 says.
        let at = self.find(&delimiter, limit).await?;
        self.consume(at + delimiter.len(), &mut used, limit)?;
        let mut fields = Fields::default();
        loop {
            self.want(2).await?;
            if self.buf.starts_with(b"--") {
                return Err(FormError::NoFile);
            }
            // Transport padding after a delimiter, then the CRLF that ends its line.
            let eol = self.find(b"\r\n", limit.saturating_sub(used)).await?;
            if !self.buf[..eol].iter().all(|b| *b == b' ' || *b == b'\t') {
                return Err(FormError::Malformed("a boundary is followed by other text"));
            }
            self.consume(eol + 2, &mut used, limit)?;
            let end = self.find(b"\r\n\r\n", limit.saturating_sub(used)).await?;
            let head = std::str::from_utf8(&self.buf[..end])
                .map_err(|_| FormError::Malformed("a part's headers are not UTF-8"))?;
            let (name, filename) = disposition(head)?;
            self.consume(end + 4, &mut used, limit)?;
            if name.eq_ignore_ascii_case("file") {
                fields.file = FileHead { filename };
                return Ok(fields);
            }
            let end = self.find(&delimiter, limit.saturating_sub(used)).await?;
            let value = String::from_utf8(self.buf[..end].to_vec())
                .map_err(|_| FormError::Malformed("a field's value is not UTF-8"))?;
            self.consume(end + delimiter.len(), &mut used, limit)?;
            fields.list.push((name, value));
        }
    }

    fn consume(&mut self, n: usize, used: &mut usize, limit: usize) -> Result<(), FormError> {
        self.buf.advance(n);
        *used += n;
        if *used > limit {
            return Err(FormError::FieldsTooLarge);
        }
        Ok(())
    }

    /// The file's content, streamed: it ends at the part's closing delimiter. What follows
    /// the file (AWS ignores fields after it) is read and dropped, at most `trailer_limit`
    /// bytes of it.
    pub fn into_file(self, trailer_limit: usize) -> WireBody<'a> {
        let finder = memmem::Finder::new(&self.delimiter).into_owned();
        futures::stream::unfold(
            (self, finder, false),
            move |(mut r, finder, mut found)| async move {
                loop {
                    if found {
                        // Drain the rest so that the request is read whole.
                        while r.buf.len() <= trailer_limit {
                            match r.fill().await {
                                Ok(true) => {}
                                Ok(false) => return None,
                                Err(e) => return Some((Err(into_io(e)), (r, finder, true))),
                            }
                        }
                        let e = io::Error::new(
                            io::ErrorKind::InvalidData,
                            "too much of the form follows the file",
                        );
                        r.buf.clear();
                        r.wire_done = true;
                        return Some((Err(e), (r, finder, true)));
                    }
                    if let Some(at) = finder.find(&r.buf) {
                        let piece = r.buf.split_to(at).freeze();
                        r.buf.advance(r.delimiter.len());
                        found = true;
                        if !piece.is_empty() {
                            return Some((Ok(piece), (r, finder, found)));
                        }
                        continue;
                    }
                    // Keep what could be the start of the delimiter; pass on the rest.
                    let keep = r.delimiter.len() - 1;
                    if r.buf.len() > keep {
                        let piece: Bytes = r.buf.split_to(r.buf.len() - keep).freeze();
                        return Some((Ok(piece), (r, finder, found)));
                    }
                    match r.fill().await {
                        Ok(true) => {}
                        Ok(false) => {
                            let e = io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "the body ends before the file's closing boundary",
                            );
                            return Some((Err(e), (r, finder, true)));
                        }
                        Err(e) => return Some((Err(into_io(e)), (r, finder, true))),
                    }
                }
            },
        )
        .boxed()
    }
}

fn into_io(e: FormError) -> io::Error {
    match e {
        FormError::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    }
}

/// The `name` and `filename` of a part's `Content-Disposition: form-data` header.
fn disposition(head: &str) -> Result<(String, Option<String>), FormError> {
    let value = head
        .split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(value.trim())
        })
        .ok_or(FormError::Malformed("a part has no Content-Disposition"))?;
    let mut params = value.split(';').map(str::trim);
    if !params
        .next()
        .is_some_and(|t| t.eq_ignore_ascii_case("form-data"))
    {
        return Err(FormError::Malformed("a part is not form-data"));
    }
    let (mut name, mut filename) = (None, None);
    for param in params {
        let Some((k, v)) = param.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v)
            .to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => filename = Some(v),
            _ => {}
        }
    }
    let name = name.ok_or(FormError::Malformed("a part has no name"))?;
    Ok((name, filename))
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
