//! A handler's answer: status, headers and a body that is empty, a small document, or object
//! bytes streamed from the store.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::stream::BoxStream;

use super::error::S3Error;
use super::xml::to_xml;

/// A response body.
pub enum ResponseBody {
    /// Nothing (HEAD, 204, ...).
    Empty,
    /// A small document held in memory (XML).
    Full(Bytes),
    /// Object bytes streamed from the store; `len` is what Content-Length announces.
    Stream {
        /// The bytes.
        stream: BoxStream<'static, Result<Bytes, S3Error>>,
        /// Their total length.
        len: u64,
    },
    /// Bytes of a length not known when the head goes out (sent chunked): the whitespace
    /// and then the document of an answer that outlasted its head (`ops::slow_answer`).
    Chunked(BoxStream<'static, Result<Bytes, S3Error>>),
}

impl ResponseBody {
    /// The length Content-Length announces, if there is a body.
    pub fn announced_len(&self) -> Option<u64> {
        match self {
            ResponseBody::Empty => None,
            ResponseBody::Full(b) => Some(b.len() as u64),
            ResponseBody::Stream { len, .. } => Some(*len),
            ResponseBody::Chunked(_) => None,
        }
    }
}

/// A handler's answer.
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers beyond the ones the server adds (request id, date, server).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: ResponseBody,
    /// What a delete removed, for the request's observers (bucket notifications); never sent.
    pub removed: Vec<Removal>,
    /// The remote tier the object's bytes were read from or written to, for the audit
    /// trail; never sent.
    pub tier: Option<String>,
    /// The object version a write made, for the request's observers (bucket notifications
    /// take its size and ETag from here, not from a later lookup that a quick overwrite
    /// could answer); never sent.
    pub written: Option<Written>,
    /// Where an answer sent before its work ended leaves its outcome once its body has
    /// ended, for the request's observers; never sent.
    pub late: Option<LateOutcome>,
}

/// The outcome of an answer whose head went out before its work ended (`ops::slow_answer`):
/// the handler's answer (its body sent, no longer here) or its error, as the request's
/// observers take it.
#[derive(Clone, Default)]
pub struct LateOutcome(Arc<Mutex<Option<Result<Response, S3Error>>>>);

impl LateOutcome {
    /// Leaves the outcome.
    pub fn settle(&self, outcome: Result<Response, S3Error>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(outcome);
        }
    }

    /// Takes the outcome, if the work ended and the body with it.
    pub fn take(&self) -> Option<Result<Response, S3Error>> {
        self.0.lock().ok()?.take()
    }
}

/// The size and ETag of the version a PUT, POST, copy or multipart completion made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Size in bytes (of the object as clients read it).
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
}

impl From<&strata_volume::ObjectInfo> for Written {
    fn from(info: &strata_volume::ObjectInfo) -> Self {
        Written {
            size: info.size,
            etag: info.etag.clone(),
        }
    }
}

/// An object a DeleteObject or DeleteObjects removed or hid, as its handler reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The key.
    pub key: String,
    /// The version removed, or the delete marker created.
    pub version_id: Option<String>,
    /// Whether the delete created a delete marker (no version named, on a versioned bucket).
    pub marker_created: bool,
}

impl Response {
    /// 200 with no body.
    pub fn ok() -> Self {
        Response {
            status: 200,
            headers: Vec::new(),
            body: ResponseBody::Empty,
            removed: Vec::new(),
            tier: None,
            written: None,
            late: None,
        }
    }

    /// 204 No Content.
    pub fn no_content() -> Self {
        Response {
            status: 204,
            ..Response::ok()
        }
    }

    /// 200 with an XML document.
    pub fn xml<T: serde::Serialize>(doc: &T) -> Result<Self, S3Error> {
        let body = to_xml(doc)?;
        Ok(Response {
            status: 200,
            headers: vec![("content-type".into(), "application/xml".into())],
            body: ResponseBody::Full(body),
            ..Response::ok()
        })
    }

    /// 200 with raw bytes of a content type.
    pub fn bytes(content_type: &str, body: Bytes) -> Self {
        Response {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: ResponseBody::Full(body),
            ..Response::ok()
        }
    }

    /// Adds a header.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// A header's value, by name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Adds a header when there is a value.
    pub fn with_opt(self, name: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.with(name, v),
            None => self,
        }
    }
}
