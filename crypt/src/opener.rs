//! Opening a whole stored stream, from chunks of any size.

use bytes::{Bytes, BytesMut};
use ring::aead::{Aad, LessSafeKey};

use crate::derive::stream_key;
use crate::error::OpenError;
use crate::header::{StreamHeader, HEADER_BYTES};
use crate::key::ObjectKey;
use crate::layout::{MAX_PACKAGES, SEALED_PACKAGE, TAG_LEN};

const SEALED: usize = SEALED_PACKAGE as usize;

/// Opens one whole stream: feed stored chunks to [`Opener::update`], then call
/// [`Opener::finish`]; the concatenation of what they return is the plaintext. An error
/// means the stream is not authentic; plaintext already returned came from authentic
/// packages, but the caller must treat the whole read as failed.
///
/// A full package is opened once a byte beyond it arrives, since only the end of the
/// stream says whether it was sealed as the final one.
pub struct Opener {
    object_key: ObjectKey,
    stream: u32,
    reader: Option<PackageReader>,
    buffer: Vec<u8>,
    failed: bool,
}

/// A stream's key and header, known once the header has arrived.
pub(crate) struct PackageReader {
    key: LessSafeKey,
    header: StreamHeader,
    aad: [u8; HEADER_BYTES],
    next_package: u64,
}

impl PackageReader {
    pub(crate) fn new(
        object_key: &ObjectKey,
        stream: u32,
        header: &[u8],
    ) -> Result<Self, OpenError> {
        let header = StreamHeader::decode(header)?;
        Ok(PackageReader {
            key: stream_key(object_key, stream, header.cipher),
            aad: header.encode(),
            header,
            next_package: 0,
        })
    }

    /// The number of the package [`Self::open`] opens next.
    pub(crate) fn next_package(&self) -> u64 {
        self.next_package
    }

    /// Starts at package `package` (for ranges).
    pub(crate) fn seek(&mut self, package: u64) {
        self.next_package = package;
    }

    /// Opens the next package in place and appends its plaintext to `out`.
    pub(crate) fn open(
        &mut self,
        sealed: &mut [u8],
        last: bool,
        out: &mut BytesMut,
    ) -> Result<(), OpenError> {
        let len = self.open_in_place(sealed, last)?;
        out.extend_from_slice(&sealed[..len]);
        Ok(())
    }

    /// Opens the next package, copied once: its sealed bytes (`pieces` end to end) are
    /// appended to `out` and opened there, leaving its plaintext (on failure, `out` is as it
    /// was).
    pub(crate) fn open_copied(
        &mut self,
        pieces: &[Bytes],
        last: bool,
        out: &mut BytesMut,
    ) -> Result<(), OpenError> {
        let before = out.len();
        for piece in pieces {
            out.extend_from_slice(piece);
        }
        match self.open_in_place(&mut out[before..], last) {
            Ok(len) => {
                out.truncate(before + len);
                Ok(())
            }
            Err(e) => {
                out.truncate(before);
                Err(e)
            }
        }
    }

    /// Opens the next package in `sealed`; its plaintext is the first returned bytes.
    fn open_in_place(&mut self, sealed: &mut [u8], last: bool) -> Result<usize, OpenError> {
        if self.next_package >= MAX_PACKAGES {
            return Err(OpenError::TooManyPackages);
        }
        let package = self.next_package;
        if sealed.len() < TAG_LEN as usize {
            return Err(OpenError::Truncated);
        }
        let nonce = self.header.nonce(package as u32, last); // below 2^31, checked above
        let plaintext = self
            .key
            .open_in_place(nonce, Aad::from(self.aad), sealed)
            .map_err(|_| OpenError::Authentication { package })?;
        self.next_package += 1;
        Ok(plaintext.len())
    }
}

impl Opener {
    /// An opener for stream `stream` of the object (0 = whole object, `p` = part `p`).
    pub fn new(object_key: &ObjectKey, stream: u32) -> Self {
        Opener {
            object_key: object_key.clone(),
            stream,
            reader: None,
            buffer: Vec::new(),
            failed: false,
        }
    }

    /// Opens what `chunk` completes; returns the plaintext ready so far (maybe empty).
    pub fn update(&mut self, chunk: Bytes) -> Result<Bytes, OpenError> {
        self.guard(|opener| opener.absorb(&chunk))
    }

    /// Opens the last package as the final one; fails if the stream is cut short or if
    /// anything follows its final package.
    pub fn finish(mut self) -> Result<Bytes, OpenError> {
        self.guard(|opener| {
            let Some(reader) = opener.reader.as_mut() else {
                return Err(OpenError::Truncated);
            };
            let mut out = BytesMut::with_capacity(opener.buffer.len());
            reader.open(&mut opener.buffer, true, &mut out)?;
            Ok(out.freeze())
        })
    }

    fn guard(
        &mut self,
        step: impl FnOnce(&mut Self) -> Result<Bytes, OpenError>,
    ) -> Result<Bytes, OpenError> {
        if self.failed {
            return Err(OpenError::Poisoned);
        }
        let result = step(self);
        if result.is_err() {
            self.failed = true;
            self.buffer.clear();
        }
        result
    }

    fn absorb(&mut self, chunk: &[u8]) -> Result<Bytes, OpenError> {
        self.buffer.extend_from_slice(chunk);
        let mut start = 0;
        if self.reader.is_none() {
            if self.buffer.len() < HEADER_BYTES {
                return Ok(Bytes::new());
            }
            self.reader = Some(PackageReader::new(
                &self.object_key,
                self.stream,
                &self.buffer,
            )?);
            start = HEADER_BYTES;
        }
        let Some(reader) = self.reader.as_mut() else {
            return Ok(Bytes::new());
        };
        let mut out = BytesMut::with_capacity(self.buffer.len());
        // Strictly more than one package buffered: the first cannot be the final one.
        while self.buffer.len() - start > SEALED {
            reader.open(&mut self.buffer[start..start + SEALED], false, &mut out)?;
            start += SEALED;
        }
        self.buffer.drain(..start);
        Ok(out.freeze())
    }
}
