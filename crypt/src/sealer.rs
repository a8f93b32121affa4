//! Sealing a plaintext stream into packages, from chunks of any size.

use bytes::{Bytes, BytesMut};
use ring::aead::{Aad, LessSafeKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::cipher::Cipher;
use crate::derive::stream_key;
use crate::error::SealError;
use crate::header::{StreamHeader, HEADER_BYTES};
use crate::key::ObjectKey;
use crate::layout::{MAX_PACKAGES, PACKAGE_SIZE, TAG_LEN};

const PACKAGE: usize = PACKAGE_SIZE as usize;

/// Seals one stream: feed plaintext chunks to [`Sealer::update`], then call
/// [`Sealer::finish`]; the concatenation of what they return is the stored stream.
///
/// A package is sealed only once a byte beyond it arrives (or at `finish`), because the
/// final package is sealed differently: so up to 64 KiB of plaintext is held back, as the
/// caller's own chunks (not copied until they are sealed).
pub struct Sealer {
    writer: PackageWriter,
    header_written: bool,
    pending: Vec<Bytes>,
    pending_len: usize,
}

/// The key, header and package counter, apart from the staged plaintext so that both can
/// be borrowed at once.
struct PackageWriter {
    key: LessSafeKey,
    header: StreamHeader,
    next_package: u64,
}

impl Sealer {
    /// A sealer for stream `stream` of the object (0 = whole object, `p` = part `p`), with a
    /// fresh random nonce prefix.
    pub fn new(object_key: &ObjectKey, stream: u32, cipher: Cipher) -> Result<Self, SealError> {
        let mut prefix = [0u8; 8];
        SystemRandom::new()
            .fill(&mut prefix)
            .map_err(|_| SealError::Random)?;
        Ok(Sealer {
            writer: PackageWriter {
                key: stream_key(object_key, stream, cipher),
                header: StreamHeader::new(cipher, prefix),
                next_package: 0,
            },
            header_written: false,
            pending: Vec::new(),
            pending_len: 0,
        })
    }

    /// The cipher this sealer writes.
    pub fn cipher(&self) -> Cipher {
        self.writer.header.cipher
    }

    /// Seals what `chunk` completes; returns the stored bytes ready so far (maybe empty).
    pub fn update(&mut self, chunk: Bytes) -> Result<Bytes, SealError> {
        let mut out = BytesMut::new();
        self.seal_into(chunk, &mut out)?;
        Ok(out.freeze())
    }

    /// Like [`Sealer::update`], appending the sealed bytes to `out` instead of returning
    /// them: each plaintext byte is copied once, into `out`, and sealed there.
    pub fn seal_into(&mut self, mut chunk: Bytes, out: &mut BytesMut) -> Result<(), SealError> {
        out.reserve(self.output_capacity(chunk.len()));
        self.write_header(out);
        while !chunk.is_empty() {
            if self.pending_len == PACKAGE {
                self.seal_pending(false, out)?;
            }
            if self.pending_len == 0 && chunk.len() > PACKAGE {
                self.writer.seal(&[chunk.split_to(PACKAGE)], false, out)?;
                continue;
            }
            let take = (PACKAGE - self.pending_len).min(chunk.len());
            self.pending.push(chunk.split_to(take));
            self.pending_len += take;
        }
        Ok(())
    }

    /// Seals the held-back plaintext as the final package; returns the last stored bytes.
    pub fn finish(self) -> Result<Bytes, SealError> {
        let mut out = BytesMut::new();
        self.finish_into(&mut out)?;
        Ok(out.freeze())
    }

    /// Like [`Sealer::finish`], appending to `out`.
    pub fn finish_into(mut self, out: &mut BytesMut) -> Result<(), SealError> {
        out.reserve(HEADER_BYTES + self.pending_len + TAG_LEN as usize);
        self.write_header(out);
        self.seal_pending(true, out)
    }

    fn seal_pending(&mut self, last: bool, out: &mut BytesMut) -> Result<(), SealError> {
        self.writer.seal(&self.pending, last, out)?;
        self.pending.clear();
        self.pending_len = 0;
        Ok(())
    }

    fn write_header(&mut self, out: &mut BytesMut) {
        if !self.header_written {
            out.extend_from_slice(&self.writer.header.encode());
            self.header_written = true;
        }
    }

    fn output_capacity(&self, chunk: usize) -> usize {
        let plaintext = self.pending_len + chunk;
        let packages = plaintext / PACKAGE + 1;
        HEADER_BYTES + plaintext + packages * TAG_LEN as usize
    }
}

impl PackageWriter {
    /// Seals the next package, whose plaintext is `pieces` end to end.
    fn seal(&mut self, pieces: &[Bytes], last: bool, out: &mut BytesMut) -> Result<(), SealError> {
        if self.next_package >= MAX_PACKAGES {
            return Err(SealError::TooLarge);
        }
        let package = self.next_package as u32; // below 2^31, checked above
        let start = out.len();
        for piece in pieces {
            out.extend_from_slice(piece);
        }
        let tag = self
            .key
            .seal_in_place_separate_tag(
                self.header.nonce(package, last),
                Aad::from(self.header.encode()),
                &mut out[start..],
            )
            .map_err(|_| SealError::TooLarge)?;
        out.extend_from_slice(tag.as_ref());
        self.next_package += 1;
        Ok(())
    }
}
