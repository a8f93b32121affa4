//! The S3 additional checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and the
//! `Content-MD5` digest, computed incrementally and encoded the way S3 puts them on the
//! wire: the big-endian bytes of the digest in standard base64.
//!
//! CRCs come from `crc-fast` (SIMD carry-less multiplication for all three polynomials),
//! the hashes from RustCrypto.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

/// Why a checksum name or value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChecksumError {
    /// The algorithm name is none of the five S3 knows.
    #[error("unknown checksum algorithm {0:?}")]
    UnknownAlgorithm(String),
    /// The value is not base64 of a digest of the algorithm's length.
    #[error("the value for {0} is not a valid base64 digest")]
    InvalidValue(&'static str),
}

/// One of the S3 additional checksum algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, the zlib one).
    Crc32,
    /// CRC-32C (Castagnoli, iSCSI).
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in the order S3 documents them.
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// The name S3 uses in `x-amz-checksum-algorithm` and in XML (`CRC32`, `CRC64NVME`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The header (or trailer) that carries a value of this algorithm, lowercase.
    pub fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The algorithm whose value header is `name` (ASCII case-insensitive), if any.
    pub fn from_header_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.header_name().eq_ignore_ascii_case(name))
    }

    /// Length in bytes of a digest of this algorithm.
    pub fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// A fresh incremental hasher for this algorithm.
    pub fn hasher(self) -> ChecksumHasher {
        ChecksumHasher::new(self)
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChecksumAlgorithm {
    type Err = ChecksumError;

    /// Parses `CRC32`, `crc32c`, `CRC64NVME`, ... (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ChecksumError::UnknownAlgorithm(s.to_owned()))
    }
}

/// How a multipart object's checksum is made from its parts (`x-amz-checksum-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumType {
    /// The algorithm over the parts' concatenated digests, then `-N`.
    Composite,
    /// The algorithm over the whole object, combined from the parts' CRCs.
    FullObject,
}

impl ChecksumType {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumType::Composite => "COMPOSITE",
            ChecksumType::FullObject => "FULL_OBJECT",
        }
    }

    /// Parses `COMPOSITE` or `FULL_OBJECT` (as S3 spells them).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "COMPOSITE" => Some(ChecksumType::Composite),
            "FULL_OBJECT" => Some(ChecksumType::FullObject),
            _ => None,
        }
    }

    /// Whether `algorithm` has this type on S3: only CRCs combine into a full-object value,
    /// and CRC64NVME has no composite.
    pub fn allows(self, algorithm: ChecksumAlgorithm) -> bool {
        use ChecksumAlgorithm::*;
        match self {
            ChecksumType::Composite => algorithm != Crc64Nvme,
            ChecksumType::FullObject => matches!(algorithm, Crc32 | Crc32c | Crc64Nvme),
        }
    }

    /// The type S3 gives an upload of `algorithm` that names none: composite, except for
    /// CRC64NVME, which has only the full-object type.
    pub fn default_for(algorithm: ChecksumAlgorithm) -> Self {
        match algorithm {
            ChecksumAlgorithm::Crc64Nvme => ChecksumType::FullObject,
            _ => ChecksumType::Composite,
        }
    }
}

/// A finished digest of one algorithm (at most 32 bytes, kept inline).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChecksumValue {
    algorithm: ChecksumAlgorithm,
    len: u8,
    bytes: [u8; 32],
}

impl ChecksumValue {
    /// Builds a value from raw digest bytes; `None` if the length is not the algorithm's.
    pub fn from_bytes(algorithm: ChecksumAlgorithm, digest: &[u8]) -> Option<Self> {
        if digest.len() != algorithm.digest_len() {
            return None;
        }
        let mut bytes = [0u8; 32];
        bytes.get_mut(..digest.len())?.copy_from_slice(digest);
        Some(Self {
            algorithm,
            len: u8::try_from(digest.len()).ok()?,
            bytes,
        })
    }

    /// Parses the base64 form S3 clients send in `x-amz-checksum-*`.
    pub fn from_base64(algorithm: ChecksumAlgorithm, value: &str) -> Result<Self, ChecksumError> {
        let invalid = || ChecksumError::InvalidValue(algorithm.header_name());
        // A digest is at most 32 bytes; refuse long input before decoding it.
        if value.len() > 64 {
            return Err(invalid());
        }
        let raw = BASE64.decode(value.trim()).map_err(|_| invalid())?;
        Self::from_bytes(algorithm, &raw).ok_or_else(invalid)
    }

    /// The algorithm this value belongs to.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The digest bytes (big-endian for the CRCs).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }

    /// The value as S3 puts it in headers and XML: standard base64 of the digest bytes.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.as_bytes())
    }
}

/// The CRC of `a`'s bytes followed by `b_len` bytes whose CRC is `b`: how a full-object
/// checksum is made from its parts' without reading them again. `None` for the hashes
/// (SHA-1 and SHA-256 do not combine) and for values of two algorithms.
pub fn combine_crc(a: ChecksumValue, b: ChecksumValue, b_len: u64) -> Option<ChecksumValue> {
    if a.algorithm != b.algorithm {
        return None;
    }
    let alg = a.algorithm;
    let crc = |v: &ChecksumValue| -> Option<u64> {
        match alg {
            ChecksumAlgorithm::Crc64Nvme => Some(u64::from_be_bytes(v.as_bytes().try_into().ok()?)),
            _ => Some(u64::from(u32::from_be_bytes(v.as_bytes().try_into().ok()?))),
        }
    };
    let combined = crc_fast::checksum_combine(crc_algorithm(alg)?, crc(&a)?, crc(&b)?, b_len);
    match alg {
        ChecksumAlgorithm::Crc64Nvme => ChecksumValue::from_bytes(alg, &combined.to_be_bytes()),
        // 32-bit CRCs live in the low half of crc-fast's u64.
        _ => ChecksumValue::from_bytes(alg, &(combined as u32).to_be_bytes()),
    }
}

/// crc-fast's name of a CRC algorithm; `None` for the hashes.
fn crc_algorithm(alg: ChecksumAlgorithm) -> Option<crc_fast::CrcAlgorithm> {
    match alg {
        ChecksumAlgorithm::Crc32 => Some(crc_fast::CrcAlgorithm::Crc32IsoHdlc),
        ChecksumAlgorithm::Crc32c => Some(crc_fast::CrcAlgorithm::Crc32Iscsi),
        ChecksumAlgorithm::Crc64Nvme => Some(crc_fast::CrcAlgorithm::Crc64Nvme),
        ChecksumAlgorithm::Sha1 | ChecksumAlgorithm::Sha256 => None,
    }
}

impl fmt::Debug for ChecksumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.to_base64())
    }
}

enum HasherState {
    Crc(crc_fast::Digest),
    Sha1(Sha1),
    Sha256(Sha256),
}

/// Incremental hasher for one [`ChecksumAlgorithm`].
pub struct ChecksumHasher {
    algorithm: ChecksumAlgorithm,
    state: HasherState,
}

impl ChecksumHasher {
    /// A hasher that has seen no data.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match (algorithm, crc_algorithm(algorithm)) {
            (_, Some(crc)) => HasherState::Crc(crc_fast::Digest::new(crc)),
            (ChecksumAlgorithm::Sha1, None) => HasherState::Sha1(Sha1::new()),
            (_, None) => HasherState::Sha256(Sha256::new()),
        };
        Self { algorithm, state }
    }

    /// The algorithm being computed.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            HasherState::Crc(digest) => digest.update(data),
            HasherState::Sha1(hasher) => hasher.update(data),
            HasherState::Sha256(hasher) => hasher.update(data),
        }
    }

    /// The digest of everything fed so far.
    pub fn finalize(self) -> ChecksumValue {
        let mut bytes = [0u8; 32];
        let len = match self.state {
            HasherState::Crc(digest) => {
                let crc = digest.finalize();
                if self.algorithm == ChecksumAlgorithm::Crc64Nvme {
                    bytes[..8].copy_from_slice(&crc.to_be_bytes());
                    8
                } else {
                    // 32-bit CRCs live in the low half of crc-fast's u64.
                    bytes[..4].copy_from_slice(&(crc as u32).to_be_bytes());
                    4
                }
            }
            HasherState::Sha1(hasher) => {
                bytes[..20].copy_from_slice(&hasher.finalize());
                20
            }
            HasherState::Sha256(hasher) => {
                bytes[..32].copy_from_slice(&hasher.finalize());
                32
            }
        };
        ChecksumValue {
            algorithm: self.algorithm,
            len,
            bytes,
        }
    }
}

impl fmt::Debug for ChecksumHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChecksumHasher")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Computes `checksum` of a whole buffer in one call.
pub fn checksum(algorithm: ChecksumAlgorithm, data: &[u8]) -> ChecksumValue {
    let mut hasher = ChecksumHasher::new(algorithm);
    hasher.update(data);
    hasher.finalize()
}

/// Incremental MD5, for `Content-MD5` and for ETags.
#[derive(Clone, Default)]
pub struct Md5Hasher(Md5);

impl Md5Hasher {
    /// A hasher that has seen no data.
    pub fn new() -> Self {
        Self(Md5::new())
    }

    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The 16-byte digest of everything fed so far.
    pub fn finalize(self) -> [u8; 16] {
        self.0.finalize().into()
    }
}

impl fmt::Debug for Md5Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Md5Hasher")
    }
}

/// Parses a `Content-MD5` header value: base64 of exactly 16 bytes.
pub fn parse_content_md5(value: &str) -> Result<[u8; 16], ChecksumError> {
    let invalid = || ChecksumError::InvalidValue("Content-MD5");
    if value.len() > 64 {
        return Err(invalid());
    }
    let raw = BASE64.decode(value.trim()).map_err(|_| invalid())?;
    <[u8; 16]>::try_from(raw.as_slice()).map_err(|_| invalid())
}

/// Encodes an MD5 digest the way `Content-MD5` carries it.
pub fn content_md5_base64(digest: &[u8; 16]) -> String {
    BASE64.encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECK: &[u8] = b"123456789";

    #[test]
    fn crcs_match_the_published_check_values() {
        let crc32 = checksum(ChecksumAlgorithm::Crc32, CHECK);
        assert_eq!(crc32.as_bytes(), 0xCBF4_3926u32.to_be_bytes());
        let crc32c = checksum(ChecksumAlgorithm::Crc32c, CHECK);
        assert_eq!(crc32c.as_bytes(), 0xE306_9283u32.to_be_bytes());
        let crc64 = checksum(ChecksumAlgorithm::Crc64Nvme, CHECK);
        assert_eq!(crc64.as_bytes(), 0xAE8B_1486_0A79_9888u64.to_be_bytes());
    }

    #[test]
    fn hashes_match_the_published_test_vectors() {
        let sha1 = checksum(ChecksumAlgorithm::Sha1, b"abc");
        assert_eq!(
            hex::encode(sha1.as_bytes()),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        let sha256 = checksum(ChecksumAlgorithm::Sha256, b"abc");
        assert_eq!(
            hex::encode(sha256.as_bytes()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut md5 = Md5Hasher::new();
        md5.update(b"abc");
        assert_eq!(
            hex::encode(md5.finalize()),
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }

    #[test]
    fn values_are_base64_of_the_big_endian_digest() {
        // CRC32("abc") = 0x352441C2, the value S3 documents as "NSRBwg==".
        assert_eq!(
            checksum(ChecksumAlgorithm::Crc32, b"abc").to_base64(),
            "NSRBwg=="
        );
        // The empty body: S3 answers "AAAAAA==" for CRC32 and CRC32C.
        assert_eq!(
            checksum(ChecksumAlgorithm::Crc32, b"").to_base64(),
            "AAAAAA=="
        );
        assert_eq!(
            checksum(ChecksumAlgorithm::Crc32c, b"").to_base64(),
            "AAAAAA=="
        );
        assert_eq!(
            checksum(ChecksumAlgorithm::Sha256, b"").to_base64(),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn incremental_hashing_equals_one_shot_for_every_split() {
        let data: Vec<u8> = (0..300u32).map(|n| (n * 7 % 256) as u8).collect();
        for alg in ChecksumAlgorithm::ALL {
            let whole = checksum(alg, &data);
            for split in [0, 1, 15, 16, 17, 64, 299, 300] {
                let mut hasher = alg.hasher();
                hasher.update(&data[..split]);
                hasher.update(&data[split..]);
                assert_eq!(hasher.finalize(), whole, "{alg} split at {split}");
            }
        }
    }

    #[test]
    fn base64_values_round_trip_and_wrong_lengths_are_refused() {
        for alg in ChecksumAlgorithm::ALL {
            let value = checksum(alg, CHECK);
            let parsed = ChecksumValue::from_base64(alg, &value.to_base64());
            assert_eq!(parsed, Ok(value));
        }
        let sha256 = checksum(ChecksumAlgorithm::Sha256, CHECK).to_base64();
        assert_eq!(
            ChecksumValue::from_base64(ChecksumAlgorithm::Crc32, &sha256),
            Err(ChecksumError::InvalidValue("x-amz-checksum-crc32"))
        );
        assert!(ChecksumValue::from_base64(ChecksumAlgorithm::Crc32, "not base64!").is_err());
        assert!(ChecksumValue::from_base64(ChecksumAlgorithm::Crc32, &"A".repeat(1000)).is_err());
    }

    #[test]
    fn algorithm_names_parse_from_headers_and_values() {
        assert_eq!("crc32".parse(), Ok(ChecksumAlgorithm::Crc32));
        assert_eq!("CRC64NVME".parse(), Ok(ChecksumAlgorithm::Crc64Nvme));
        assert_eq!(
            "md5".parse::<ChecksumAlgorithm>(),
            Err(ChecksumError::UnknownAlgorithm("md5".into()))
        );
        assert_eq!(
            ChecksumAlgorithm::from_header_name("X-Amz-Checksum-Crc32c"),
            Some(ChecksumAlgorithm::Crc32c)
        );
        assert_eq!(
            ChecksumAlgorithm::from_header_name("x-amz-checksum-type"),
            None
        );
        for alg in ChecksumAlgorithm::ALL {
            assert_eq!(alg.as_str().parse(), Ok(alg));
            assert_eq!(
                ChecksumAlgorithm::from_header_name(alg.header_name()),
                Some(alg)
            );
        }
    }

    #[test]
    fn combined_crcs_equal_the_crc_of_the_whole() {
        let data: Vec<u8> = (0..5000u32).map(|n| (n * 31 % 251) as u8).collect();
        for alg in [
            ChecksumAlgorithm::Crc32,
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Crc64Nvme,
        ] {
            for split in [0, 1, 7, 2500, 4999, 5000] {
                let (a, b) = data.split_at(split);
                let combined = combine_crc(checksum(alg, a), checksum(alg, b), b.len() as u64);
                assert_eq!(
                    combined,
                    Some(checksum(alg, &data)),
                    "{alg} split at {split}"
                );
            }
        }
        let sha = checksum(ChecksumAlgorithm::Sha256, b"abc");
        assert_eq!(combine_crc(sha, sha, 3), None);
        let (c32, c32c) = (
            checksum(ChecksumAlgorithm::Crc32, b"a"),
            checksum(ChecksumAlgorithm::Crc32c, b"b"),
        );
        assert_eq!(combine_crc(c32, c32c, 1), None);
    }

    #[test]
    fn checksum_types_follow_the_algorithms_s3_allows() {
        use ChecksumAlgorithm::*;
        assert!(ChecksumType::FullObject.allows(Crc64Nvme));
        assert!(!ChecksumType::Composite.allows(Crc64Nvme));
        assert!(!ChecksumType::FullObject.allows(Sha256));
        assert!(ChecksumType::Composite.allows(Sha1));
        assert_eq!(
            ChecksumType::default_for(Crc64Nvme),
            ChecksumType::FullObject
        );
        assert_eq!(ChecksumType::default_for(Crc32), ChecksumType::Composite);
        assert_eq!(
            ChecksumType::parse("FULL_OBJECT"),
            Some(ChecksumType::FullObject)
        );
        assert_eq!(ChecksumType::parse("full_object"), None);
    }

    #[test]
    fn content_md5_must_be_sixteen_bytes_of_base64() {
        let mut md5 = Md5Hasher::new();
        md5.update(b"hello");
        let digest = md5.finalize();
        assert_eq!(parse_content_md5(&content_md5_base64(&digest)), Ok(digest));
        assert!(parse_content_md5("AAAA").is_err());
        assert!(parse_content_md5("%%%").is_err());
    }
}
