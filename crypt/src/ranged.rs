//! Reading a plaintext range: which stored bytes to fetch, and the exact slice out of them.

use std::ops::Range;

use bytes::{Bytes, BytesMut};

use crate::error::{OpenError, RangeError};
use crate::key::ObjectKey;
use crate::layout::{package_count, stored_size, HEADER_LEN, PACKAGE_SIZE, SEALED_PACKAGE};
use crate::opener::PackageReader;

/// Where the plaintext range `[start, end)` of a stream lives in its stored bytes: the
/// header, and the packages from the one holding `start` to the one holding `end - 1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangePlan {
    packages: Range<u64>,
    first_package: u64,
    last_package: u64,
    final_package: u64,
    stored_end: u64,
    skip: u64,
    len: u64,
}

impl RangePlan {
    /// The plan for plaintext bytes `range` (exclusive end) of a stream whose plaintext is
    /// `size` bytes. S3's inclusive `bytes=a-b` is `a..b + 1`.
    pub fn new(size: u64, range: Range<u64>) -> Result<Self, RangeError> {
        if range.start >= range.end {
            return Err(RangeError::Empty);
        }
        if range.end > size {
            return Err(RangeError::OutOfBounds {
                end: range.end,
                size,
            });
        }
        let stored_end = stored_size(size)?;
        let first_package = range.start / PACKAGE_SIZE;
        let last_package = (range.end - 1) / PACKAGE_SIZE;
        let start = HEADER_LEN + first_package * SEALED_PACKAGE;
        let end = (HEADER_LEN + (last_package + 1) * SEALED_PACKAGE).min(stored_end);
        Ok(RangePlan {
            packages: start..end,
            first_package,
            last_package,
            final_package: package_count(size) - 1,
            stored_end,
            skip: range.start - first_package * PACKAGE_SIZE,
            len: range.end - range.start,
        })
    }

    /// The stored bytes holding the stream header (always the first 16).
    pub fn header(&self) -> Range<u64> {
        0..HEADER_LEN
    }

    /// The stored bytes holding the packages of the range.
    pub fn packages(&self) -> Range<u64> {
        self.packages.clone()
    }

    /// The number of plaintext bytes the range yields.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Always false: a plan covers at least one byte.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Stored bytes of package `package` (the final one may be short).
    fn sealed_len(&self, package: u64) -> u64 {
        let start = HEADER_LEN + package * SEALED_PACKAGE;
        (start + SEALED_PACKAGE).min(self.stored_end) - start
    }
}

/// Opens the stored bytes [`RangePlan::packages`] and yields exactly the requested
/// plaintext: feed chunks of those stored bytes to [`RangedOpener::update`], then call
/// [`RangedOpener::finish`]. Each package is opened as soon as it is complete.
pub struct RangedOpener {
    plan: RangePlan,
    reader: PackageReader,
    /// The pieces of a package cut by a chunk's end, held until it is complete.
    staged: Vec<Bytes>,
    staged_len: usize,
    skip: u64,
    remaining: u64,
    failed: bool,
}

impl RangedOpener {
    /// An opener for `plan` of stream `stream`, given the stream's 16 header bytes.
    pub fn new(
        object_key: &ObjectKey,
        stream: u32,
        header: &[u8],
        plan: &RangePlan,
    ) -> Result<Self, OpenError> {
        if header.len() != HEADER_LEN as usize {
            return Err(OpenError::BadHeader);
        }
        let mut reader = PackageReader::new(object_key, stream, header)?;
        reader.seek(plan.first_package);
        Ok(RangedOpener {
            plan: plan.clone(),
            reader,
            staged: Vec::new(),
            staged_len: 0,
            skip: plan.skip,
            remaining: plan.len,
            failed: false,
        })
    }

    /// Opens the packages `chunk` completes; returns their part of the range (maybe empty).
    pub fn update(&mut self, chunk: Bytes) -> Result<Bytes, OpenError> {
        let mut out = BytesMut::new();
        self.open_into(chunk, &mut out)?;
        Ok(out.freeze())
    }

    /// Like [`RangedOpener::update`], appending the range's bytes to `out` instead of
    /// returning them: each package is copied once, into `out`, and opened there.
    pub fn open_into(&mut self, chunk: Bytes, out: &mut BytesMut) -> Result<(), OpenError> {
        if self.failed {
            return Err(OpenError::Poisoned);
        }
        let result = self.absorb(chunk, out);
        if result.is_err() {
            self.failed = true;
            self.staged.clear();
        }
        result
    }

    /// Checks that every package of the range arrived.
    pub fn finish(mut self) -> Result<Bytes, OpenError> {
        if self.failed {
            return Err(OpenError::Poisoned);
        }
        if self.remaining > 0 || self.staged_len > 0 {
            self.staged.clear();
            return Err(OpenError::Truncated);
        }
        Ok(Bytes::new())
    }

    fn absorb(&mut self, mut chunk: Bytes, out: &mut BytesMut) -> Result<(), OpenError> {
        out.reserve(self.staged_len + chunk.len());
        if self.staged_len > 0 {
            let sealed = self.plan.sealed_len(self.reader.next_package()) as usize;
            let take = (sealed - self.staged_len).min(chunk.len());
            self.staged.push(chunk.split_to(take));
            self.staged_len += take;
            if self.staged_len < sealed {
                return Ok(());
            }
            let pieces = std::mem::take(&mut self.staged);
            self.staged_len = 0;
            self.open_package(&pieces, out)?;
        }
        loop {
            let package = self.reader.next_package();
            if package > self.plan.last_package {
                if !chunk.is_empty() {
                    return Err(OpenError::TrailingData);
                }
                return Ok(());
            }
            let sealed = self.plan.sealed_len(package) as usize;
            if chunk.len() < sealed {
                break;
            }
            self.open_package(&[chunk.split_to(sealed)], out)?;
        }
        if !chunk.is_empty() {
            self.staged_len += chunk.len();
            self.staged.push(chunk);
        }
        Ok(())
    }

    /// Opens the next package, whose sealed bytes are `pieces` end to end, and appends its
    /// part of the range to `out`.
    fn open_package(&mut self, pieces: &[Bytes], out: &mut BytesMut) -> Result<(), OpenError> {
        let last = self.reader.next_package() == self.plan.final_package;
        let before = out.len();
        self.reader.open_copied(pieces, last, out)?;
        self.trim(out, before);
        Ok(())
    }

    /// Keeps only the requested bytes of the package just appended at `out[before..]`.
    fn trim(&mut self, out: &mut BytesMut, before: usize) {
        let opened = (out.len() - before) as u64;
        let skip = self.skip.min(opened);
        let keep = (opened - skip).min(self.remaining);
        let from = before + skip as usize;
        out.copy_within(from..from + keep as usize, before);
        out.truncate(before + keep as usize);
        self.skip -= skip;
        self.remaining -= keep;
    }
}
