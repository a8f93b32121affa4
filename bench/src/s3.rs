//! S3 operations as signed HTTP requests: one function per operation, all going through
//! [`S3::call`], which addresses, signs and sends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use http::{Method, Request};

use crate::body::{chunked_encoded_len, ChunkedBody, ReqBody};
use crate::client::{ClientError, HttpClient, Reply, Target};
use crate::sign::{self, SignInput, Signer};
use crate::xml::{self, ListPage, XmlError};

/// How request payloads are declared in the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PayloadMode {
    /// `x-amz-content-sha256: UNSIGNED-PAYLOAD`.
    Unsigned,
    /// The hex SHA-256 of the body.
    Signed,
    /// aws-chunked with a signature per chunk of this many bytes.
    AwsChunked(usize),
}

/// An S3 operation failed at the HTTP level or returned something unreadable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum S3Error {
    /// No reply (connection, timeout, TLS).
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A reply with an error status.
    #[error("HTTP {status} {}", code.as_deref().unwrap_or("-"))]
    Status {
        /// HTTP status.
        status: u16,
        /// S3 error code from the body, if there was one.
        code: Option<String>,
    },
    /// A 2xx reply whose XML body could not be used.
    #[error(transparent)]
    Xml(#[from] XmlError),
}

impl S3Error {
    /// The key errors are counted under: `"404 NoSuchKey"`, `"503 -"`, `"transport"`.
    pub fn class(&self) -> String {
        match self {
            S3Error::Status { status, code } => {
                format!("{status} {}", code.as_deref().unwrap_or("-"))
            }
            S3Error::Client(ClientError::Timeout) => "timeout".to_string(),
            S3Error::Client(_) => "transport".to_string(),
            S3Error::Xml(_) => "bad-xml".to_string(),
        }
    }
}

fn check(reply: Reply) -> Result<Reply, S3Error> {
    if reply.ok() {
        Ok(reply)
    } else {
        Err(S3Error::Status {
            status: reply.status,
            code: reply.code,
        })
    }
}

/// Hex payload hashes of buffer prefixes, by length; bounded so a uniform size range cannot
/// grow it without end. Every payload starts at offset 0 of the one random buffer, so the
/// hash of a length never changes.
const HASH_CACHE_MAX: usize = 4096;

/// A client for one bucket of one endpoint.
pub struct S3 {
    http: HttpClient,
    signer: Arc<Signer>,
    target: Target,
    bucket: String,
    payload: PayloadMode,
    hashes: Mutex<HashMap<usize, String>>,
}

impl S3 {
    /// An S3 client for `bucket`.
    pub fn new(
        http: HttpClient,
        signer: Arc<Signer>,
        target: Target,
        bucket: String,
        payload: PayloadMode,
    ) -> Self {
        S3 {
            http,
            signer,
            target,
            bucket,
            payload,
            hashes: Mutex::new(HashMap::new()),
        }
    }

    fn payload_hash(&self, data: &Bytes) -> String {
        let mut cache = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(h) = cache.get(&data.len()) {
            return h.clone();
        }
        let h = sign::sha256_hex(data);
        if cache.len() < HASH_CACHE_MAX {
            cache.insert(data.len(), h.clone());
        }
        h
    }

    /// Builds, signs and sends one request. `key` is unencoded; `query` unsorted.
    async fn call(
        &self,
        method: Method,
        key: Option<&str>,
        mut query: Vec<(&str, String)>,
        body: Option<Bytes>,
        range: Option<(u64, u64)>,
        keep_body: bool,
    ) -> Result<Reply, S3Error> {
        let encoded_key = key.map(|k| sign::uri_encode(k, true));
        let path = self.target.path(Some(&self.bucket), encoded_key.as_deref());
        let query = sign::canonical_query(&mut query);
        let host = self.target.host_header(Some(&self.bucket));
        let uri = if query.is_empty() {
            format!("{}://{}{path}", self.target.scheme, self.target.authority)
        } else {
            format!(
                "{}://{}{path}?{query}",
                self.target.scheme, self.target.authority
            )
        };

        // Bodies that declare a payload hash other than UNSIGNED-PAYLOAD; bodiless requests
        // sign the empty hash, as the SDKs do.
        let mode = if body.is_some() {
            self.payload
        } else {
            PayloadMode::Signed
        };
        let data = body.unwrap_or_default();
        let payload_hash = match mode {
            PayloadMode::Unsigned => sign::UNSIGNED_PAYLOAD.to_string(),
            PayloadMode::Signed if data.is_empty() => sign::EMPTY_SHA256.to_string(),
            PayloadMode::Signed => self.payload_hash(&data),
            PayloadMode::AwsChunked(_) => sign::STREAMING_PAYLOAD.to_string(),
        };
        let decoded_len = data.len().to_string();
        let mut extra: Vec<(&str, &str)> = match mode {
            PayloadMode::AwsChunked(_) => vec![
                ("content-encoding", "aws-chunked"),
                ("x-amz-decoded-content-length", decoded_len.as_str()),
            ],
            _ => Vec::new(),
        };
        if let Some(token) = self.signer.session_token() {
            extra.push(("x-amz-security-token", token));
        }
        let signature = self.signer.sign(
            &SignInput {
                method: method.as_str(),
                canonical_uri: &path,
                canonical_query: &query,
                host: &host,
                payload_hash: &payload_hash,
                extra_headers: &extra,
            },
            SystemTime::now(),
        );

        let mut builder = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header(http::header::HOST, host.as_str())
            .header("x-amz-date", signature.amz_date.as_str())
            .header("x-amz-content-sha256", payload_hash.as_str())
            .header(
                http::header::AUTHORIZATION,
                signature.authorization.as_str(),
            );
        for (name, value) in &extra {
            builder = builder.header(*name, *value);
        }
        if let Some((start, end)) = range {
            builder = builder.header(http::header::RANGE, format!("bytes={start}-{end}"));
        }
        let req_body = match mode {
            PayloadMode::AwsChunked(chunk) => {
                let len = chunked_encoded_len(data.len() as u64, chunk as u64);
                builder = builder.header(http::header::CONTENT_LENGTH, len);
                ReqBody::Chunked(Box::new(ChunkedBody::new(
                    self.signer.clone(),
                    signature,
                    data,
                    chunk,
                )))
            }
            _ if method == Method::PUT || method == Method::POST => {
                builder = builder.header(http::header::CONTENT_LENGTH, data.len());
                ReqBody::full(data)
            }
            _ => ReqBody::Empty,
        };
        let req = builder.body(req_body).map_err(ClientError::from)?;
        check(self.http.send(req, keep_body).await?)
    }

    /// CreateBucket; an existing bucket of ours counts as success.
    pub async fn create_bucket(&self) -> Result<(), S3Error> {
        match self
            .call(
                Method::PUT,
                None,
                Vec::new(),
                Some(Bytes::new()),
                None,
                false,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(S3Error::Status { code: Some(c), .. })
                if c == "BucketAlreadyOwnedByYou" || c == "BucketAlreadyExists" =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// PutObject; returns the bytes sent.
    pub async fn put(&self, key: &str, data: Bytes) -> Result<u64, S3Error> {
        let len = data.len() as u64;
        self.call(Method::PUT, Some(key), Vec::new(), Some(data), None, false)
            .await?;
        Ok(len)
    }

    /// GetObject, whole or the inclusive byte range; returns the bytes received.
    pub async fn get(&self, key: &str, range: Option<(u64, u64)>) -> Result<u64, S3Error> {
        let reply = self
            .call(Method::GET, Some(key), Vec::new(), None, range, false)
            .await?;
        Ok(reply.received)
    }

    /// HeadObject.
    pub async fn head(&self, key: &str) -> Result<(), S3Error> {
        self.call(Method::HEAD, Some(key), Vec::new(), None, None, false)
            .await?;
        Ok(())
    }

    /// DeleteObject.
    pub async fn delete(&self, key: &str) -> Result<(), S3Error> {
        self.call(Method::DELETE, Some(key), Vec::new(), None, None, false)
            .await?;
        Ok(())
    }

    /// One ListObjectsV2 page under `prefix`.
    pub async fn list(
        &self,
        prefix: &str,
        token: Option<&str>,
        max_keys: u32,
        want_keys: bool,
    ) -> Result<(ListPage, u64), S3Error> {
        let mut query = vec![
            ("list-type", "2".to_string()),
            ("max-keys", max_keys.to_string()),
        ];
        if !prefix.is_empty() {
            query.push(("prefix", prefix.to_string()));
        }
        if let Some(t) = token {
            query.push(("continuation-token", t.to_string()));
        }
        let reply = self
            .call(Method::GET, None, query, None, None, true)
            .await?;
        let body = reply.body.unwrap_or_default();
        Ok((xml::list_page(&body, want_keys)?, reply.received))
    }

    /// A whole multipart upload of `data` in parts of `part_size`; returns the bytes sent.
    /// A failed upload is aborted so it leaves no parts behind.
    pub async fn multipart(
        &self,
        key: &str,
        data: Bytes,
        part_size: usize,
    ) -> Result<u64, S3Error> {
        let reply = self
            .call(
                Method::POST,
                Some(key),
                vec![("uploads", String::new())],
                Some(Bytes::new()),
                None,
                true,
            )
            .await?;
        let id = xml::upload_id(&reply.body.unwrap_or_default())?;
        match self.upload_parts(key, &id, &data, part_size).await {
            Ok(()) => Ok(data.len() as u64),
            Err(e) => {
                // Best effort: the original error is what the report needs.
                let _ = self
                    .call(
                        Method::DELETE,
                        Some(key),
                        vec![("uploadId", id.clone())],
                        None,
                        None,
                        false,
                    )
                    .await;
                Err(e)
            }
        }
    }

    async fn upload_parts(
        &self,
        key: &str,
        id: &str,
        data: &Bytes,
        part_size: usize,
    ) -> Result<(), S3Error> {
        let part_size = part_size.max(1);
        let mut etags = Vec::new();
        let mut offset = 0;
        let mut number = 1u32;
        // A zero-length object still has one (empty) part.
        while offset < data.len() || number == 1 {
            let end = (offset + part_size).min(data.len());
            let reply = self
                .call(
                    Method::PUT,
                    Some(key),
                    vec![
                        ("partNumber", number.to_string()),
                        ("uploadId", id.to_string()),
                    ],
                    Some(data.slice(offset..end)),
                    None,
                    false,
                )
                .await?;
            let etag = reply
                .headers
                .get(http::header::ETAG)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            etags.push(etag);
            offset = end;
            number += 1;
        }
        let mut doc = String::from("<CompleteMultipartUpload>");
        for (i, etag) in etags.iter().enumerate() {
            doc.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>",
                i + 1,
                xml::escape(etag)
            ));
        }
        doc.push_str("</CompleteMultipartUpload>");
        let reply = self
            .call(
                Method::POST,
                Some(key),
                vec![("uploadId", id.to_string())],
                Some(Bytes::from(doc)),
                None,
                true,
            )
            .await?;
        // CompleteMultipartUpload can fail after a 200 status; the error is then in the body.
        if let Some(code) = reply.body.as_deref().and_then(xml::error_code) {
            return Err(S3Error::Status {
                status: reply.status,
                code: Some(code),
            });
        }
        Ok(())
    }
}
