//! `Stretch`: a stand-in for encryption in the transform seam's tests. Every package of up to
//! 4 KiB of client bytes is stored as its index in the part (u32 BE), the bytes XORed with a
//! key of the part number, and the package's CRC-32. So stored bytes are longer than the
//! client's and unreadable as they are, a range maps to whole packages of each part, and a
//! package out of place or cut short fails its index or checksum.

use std::collections::VecDeque;
use std::ops::Range;

use async_trait::async_trait;
use bytes::{BufMut, Bytes, BytesMut};
use http::HeaderMap;
use strata_volume::ObjectInfo;

use crate::checksum::{checksum, ChecksumAlgorithm};
use crate::transform::sse::BucketEncryption;
use crate::transform::{BodyTransform, Codec, Internal, ReadPlan, Target, TransformError};

/// Client bytes per package.
pub const PACKAGE: u64 = 4096;
/// Stored bytes a package adds (index + CRC-32).
pub const OVERHEAD: u64 = 8;
const MARK: &str = "stretch";

/// The stand-in transform.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stretch;

impl Stretch {
    /// Stored length of `len` client bytes of one part.
    pub fn stored(len: u64) -> u64 {
        len + len.div_ceil(PACKAGE) * OVERHEAD
    }
}

fn key(part: u32) -> u8 {
    0x5a ^ (part as u8)
}

fn crc(payload: &[u8]) -> [u8; 4] {
    let mut out = [0; 4];
    out.copy_from_slice(checksum(ChecksumAlgorithm::Crc32, payload).as_bytes());
    out
}

struct Encoder {
    key: u8,
    index: u32,
    pending: Vec<u8>,
}

impl Encoder {
    fn package(&mut self, payload: &[u8], out: &mut BytesMut) {
        out.put_u32(self.index);
        out.extend(payload.iter().map(|b| b ^ self.key));
        out.extend_from_slice(&crc(payload));
        self.index += 1;
    }
}

impl Codec for Encoder {
    fn push(&mut self, input: Bytes, out: &mut BytesMut) -> Result<(), TransformError> {
        self.pending.extend_from_slice(&input);
        let full = self.pending.len() / PACKAGE as usize * PACKAGE as usize;
        let ready: Vec<u8> = self.pending.drain(..full).collect();
        for payload in ready.chunks(PACKAGE as usize) {
            self.package(payload, out);
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut BytesMut) -> Result<(), TransformError> {
        if !self.pending.is_empty() {
            let payload = std::mem::take(&mut self.pending);
            self.package(&payload, out);
        }
        Ok(())
    }
}

/// One part's stored bytes still to decode.
struct PartLeft {
    key: u8,
    /// Index of the next package.
    index: u32,
    /// Stored bytes of the part from the next package on.
    stored: u64,
}

struct Decoder {
    parts: VecDeque<PartLeft>,
    pending: Vec<u8>,
}

impl Codec for Decoder {
    fn push(&mut self, input: Bytes, out: &mut BytesMut) -> Result<(), TransformError> {
        self.pending.extend_from_slice(&input);
        let mut at = 0;
        while let Some(part) = self.parts.front_mut() {
            if part.stored == 0 {
                self.parts.pop_front();
                continue;
            }
            let len = part.stored.min(PACKAGE + OVERHEAD) as usize;
            let Some(package) = self.pending.get(at..at + len) else {
                break;
            };
            if len <= OVERHEAD as usize {
                return Err(TransformError::Damaged("a package without bytes".into()));
            }
            let (index, rest) = package.split_at(4);
            let (body, sum) = rest.split_at(len - OVERHEAD as usize);
            if index != part.index.to_be_bytes() {
                return Err(TransformError::Damaged(format!(
                    "package {} found where {} belongs",
                    u32::from_be_bytes([index[0], index[1], index[2], index[3]]),
                    part.index
                )));
            }
            let payload: Vec<u8> = body.iter().map(|b| b ^ part.key).collect();
            if crc(&payload) != sum {
                return Err(TransformError::Damaged(
                    "a package fails its checksum".into(),
                ));
            }
            out.extend_from_slice(&payload);
            part.index += 1;
            part.stored -= len as u64;
            at += len;
        }
        self.pending.drain(..at);
        Ok(())
    }

    fn finish(&mut self, _out: &mut BytesMut) -> Result<(), TransformError> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            Err(TransformError::Damaged(
                "the stored bytes end inside a package".into(),
            ))
        }
    }
}

/// Each part of an object: number, client size, stored size.
fn parts_of(info: &ObjectInfo) -> Vec<(u32, u64, u64)> {
    if info.parts.is_empty() {
        vec![(1, info.size, info.stored_size)]
    } else {
        info.parts
            .iter()
            .map(|p| (p.part_number, p.size, p.stored_size))
            .collect()
    }
}

#[async_trait]
impl BodyTransform for Stretch {
    fn check(&self, _headers: &HeaderMap, _confidential: bool) -> Result<(), TransformError> {
        Ok(())
    }

    async fn seal(
        &self,
        _target: Target<'_>,
        _headers: &HeaderMap,
        _bucket: Option<&BucketEncryption>,
    ) -> Result<Internal, TransformError> {
        Ok([(MARK.to_string(), "1".to_string())].into())
    }

    async fn encoder(
        &self,
        target: Target<'_>,
        internal: &Internal,
        _headers: &HeaderMap,
    ) -> Result<Option<Box<dyn Codec>>, TransformError> {
        if !internal.contains_key(MARK) {
            return Err(TransformError::Invalid("not sealed by Stretch".into()));
        }
        Ok(Some(Box::new(Encoder {
            key: key(target.part.unwrap_or(1)),
            index: 0,
            pending: Vec::new(),
        })))
    }

    fn stored_len(&self, _internal: &Internal, len: u64) -> u64 {
        Self::stored(len)
    }

    async fn reader(
        &self,
        info: &ObjectInfo,
        span: Range<u64>,
        _headers: &HeaderMap,
    ) -> Result<ReadPlan, TransformError> {
        if span.is_empty() {
            return Ok(ReadPlan {
                header: None,
                stored: 0..0,
                decoder: None,
                skip: 0,
            });
        }
        let mut parts = VecDeque::new();
        let (mut client_at, mut stored_at) = (0u64, 0u64);
        let (mut start, mut skip, mut end) = (None, 0, 0);
        for (number, size, stored) in parts_of(info) {
            let here = client_at..client_at + size;
            if start.is_none() && here.contains(&span.start) {
                let package = (span.start - client_at) / PACKAGE;
                start = Some(stored_at + package * (PACKAGE + OVERHEAD));
                skip = span.start - client_at - package * PACKAGE;
                parts.push_back(PartLeft {
                    key: key(number),
                    index: package as u32,
                    stored: stored - package * (PACKAGE + OVERHEAD),
                });
            } else if start.is_some() {
                parts.push_back(PartLeft {
                    key: key(number),
                    index: 0,
                    stored,
                });
            }
            if start.is_some() && span.end <= here.end {
                let last = (span.end - client_at - 1) / PACKAGE;
                end = stored_at + ((last + 1) * (PACKAGE + OVERHEAD)).min(stored);
                break;
            }
            client_at += size;
            stored_at += stored;
        }
        let start =
            start.ok_or_else(|| TransformError::Invalid("span outside the object".into()))?;
        Ok(ReadPlan {
            header: None,
            stored: start..end,
            decoder: Some(Box::new(Decoder {
                parts,
                pending: Vec::new(),
            })),
            skip,
        })
    }

    fn describe(&self, internal: &Internal) -> Vec<(String, String)> {
        if internal.contains_key(MARK) {
            vec![("x-test-stretched".to_string(), "1".to_string())]
        } else {
            Vec::new()
        }
    }
}
