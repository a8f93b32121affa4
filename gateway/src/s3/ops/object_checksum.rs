//! The checksums an object version reports, and how a multipart object's is made from its
//! parts: S3's COMPOSITE type (the algorithm over the concatenated part digests, then `-N`)
//! or its FULL_OBJECT type (the CRC of the whole object, combined from the parts' CRCs).
//!
//! An upload remembers the algorithm it was created with as an entry of its checksums map
//! whose value is empty (COMPOSITE; for CRC64NVME, which has no composite, FULL_OBJECT) or
//! [`FULL_OBJECT`] (`volume/FORMAT.md`, "Checksum values"); the completed version keeps that
//! entry, and its value is made from the parts' verified checksums whenever it is reported
//! (CompleteMultipartUpload, HEAD/GET with `x-amz-checksum-mode: ENABLED`,
//! GetObjectAttributes).

use strata_volume::{Checksums, ObjectInfo, PartSummary};

use crate::checksum::{combine_crc, ChecksumAlgorithm, ChecksumType, ChecksumValue};

/// The value that marks an algorithm announced with the FULL_OBJECT type.
pub const FULL_OBJECT: &str = "FULL_OBJECT";

/// The entry an upload created with `algorithm` and `kind` keeps in its checksums map.
pub fn announcement(algorithm: ChecksumAlgorithm, kind: ChecksumType) -> (String, String) {
    let value = match kind {
        ChecksumType::FullObject if algorithm != ChecksumAlgorithm::Crc64Nvme => FULL_OBJECT,
        _ => "",
    };
    (algorithm.as_str().to_string(), value.to_string())
}

/// The algorithm and type an upload (or its completed version) was announced with, if any.
pub fn announced(checksums: &Checksums) -> Option<(ChecksumAlgorithm, ChecksumType)> {
    checksums.iter().find_map(|(name, value)| {
        let alg = name.parse::<ChecksumAlgorithm>().ok()?;
        match value.as_str() {
            "" => Some((alg, ChecksumType::default_for(alg))),
            FULL_OBJECT => Some((alg, ChecksumType::FullObject)),
            _ => None,
        }
    })
}

/// The stored checksums of `info`, with a multipart object's announced algorithm given the
/// value made from its parts (empty when a part lacks a valid value of it).
pub fn reported_checksums(info: &ObjectInfo) -> Checksums {
    let mut out = info.checksums.clone();
    if info.parts.is_empty() {
        return out;
    }
    if let Some((alg, kind)) = announced(&info.checksums) {
        let value = object_checksum(alg, kind, &info.parts).unwrap_or_default();
        out.insert(alg.as_str().to_string(), value);
    }
    out
}

/// `x-amz-checksum-type` of reported checksums: COMPOSITE when one is a `-N` composite
/// (base64 never contains `-`), FULL_OBJECT when there is any other value, else none.
pub fn checksum_type(reported: &Checksums) -> Option<&'static str> {
    let mut values = reported.values().filter(|v| !v.is_empty()).peekable();
    values.peek()?;
    Some(match values.any(|v| v.contains('-')) {
        true => ChecksumType::Composite.as_str(),
        false => ChecksumType::FullObject.as_str(),
    })
}

/// The value of `alg` of `kind` for an object of `parts`.
pub fn object_checksum(
    alg: ChecksumAlgorithm,
    kind: ChecksumType,
    parts: &[PartSummary],
) -> Option<String> {
    match kind {
        ChecksumType::Composite => composite_checksum(alg, parts),
        ChecksumType::FullObject => full_object_checksum(alg, parts),
    }
}

/// A part's valid value of `alg`.
fn part_value(alg: ChecksumAlgorithm, part: &PartSummary) -> Option<ChecksumValue> {
    ChecksumValue::from_base64(alg, part.checksums.get(alg.as_str())?).ok()
}

/// `ALG(digest_1 || ... || digest_N)` in base64, then `-N`. `None` when a part lacks a valid
/// value of `alg`, and for CRC64NVME, which has no composite on S3.
pub fn composite_checksum(alg: ChecksumAlgorithm, parts: &[PartSummary]) -> Option<String> {
    if !ChecksumType::Composite.allows(alg) || parts.is_empty() {
        return None;
    }
    let mut hasher = alg.hasher();
    for part in parts {
        hasher.update(part_value(alg, part)?.as_bytes());
    }
    Some(format!("{}-{}", hasher.finalize().to_base64(), parts.len()))
}

/// The CRC `alg` of the whole object, combined from its parts' CRCs and sizes. `None` when a
/// part lacks a valid value, and for the hashes.
pub fn full_object_checksum(alg: ChecksumAlgorithm, parts: &[PartSummary]) -> Option<String> {
    let (first, rest) = parts.split_first()?;
    let mut whole = part_value(alg, first)?;
    for part in rest {
        whole = combine_crc(whole, part_value(alg, part)?, part.size)?;
    }
    Some(whole.to_base64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::checksum;

    fn part(n: u32, data: &[u8], algs: &[ChecksumAlgorithm]) -> PartSummary {
        PartSummary {
            part_number: n,
            size: data.len() as u64,
            stored_size: data.len() as u64,
            etag: String::new(),
            checksums: algs
                .iter()
                .map(|a| (a.as_str().to_string(), checksum(*a, data).to_base64()))
                .collect(),
        }
    }

    #[test]
    fn composite_is_the_checksum_of_the_part_digests() {
        use ChecksumAlgorithm::*;
        let parts = [
            part(1, b"abc", &[Crc32, Sha256]),
            part(2, b"def", &[Crc32, Sha256]),
        ];
        // Python zlib: crc32(bytes.fromhex("352441c2" "0cc4e161")) == 0x658cefca, an independent
        // computation of CRC32 over the two big-endian part CRCs.
        assert_eq!(
            composite_checksum(Crc32, &parts).as_deref(),
            Some("ZYzvyg==-2")
        );
        let mut concat = Vec::new();
        concat.extend_from_slice(checksum(Sha256, b"abc").as_bytes());
        concat.extend_from_slice(checksum(Sha256, b"def").as_bytes());
        let want = format!("{}-2", checksum(Sha256, &concat).to_base64());
        assert_eq!(composite_checksum(Sha256, &parts), Some(want));
    }

    #[test]
    fn full_object_is_the_crc_of_the_whole_object() {
        use ChecksumAlgorithm::*;
        let parts = [
            part(1, b"hello ", &[Crc32, Crc64Nvme]),
            part(2, b"multipart ", &[Crc32, Crc64Nvme]),
            part(3, b"world", &[Crc32, Crc64Nvme]),
        ];
        for alg in [Crc32, Crc64Nvme] {
            let whole = checksum(alg, b"hello multipart world").to_base64();
            assert_eq!(full_object_checksum(alg, &parts), Some(whole));
        }
        assert_eq!(full_object_checksum(Sha256, &parts), None);
        assert_eq!(full_object_checksum(Crc32c, &parts), None);
    }

    #[test]
    fn no_value_without_every_part_or_a_type_the_algorithm_has() {
        use ChecksumAlgorithm::*;
        let parts = [part(1, b"abc", &[Crc32]), part(2, b"def", &[])];
        assert_eq!(composite_checksum(Crc32, &parts), None);
        assert_eq!(full_object_checksum(Crc32, &parts), None);
        let mut bad = part(1, b"abc", &[Crc32]);
        bad.checksums.insert("CRC32".into(), "not base64!".into());
        assert_eq!(composite_checksum(Crc32, &[bad]), None);
        let nvme = [part(1, b"abc", &[Crc64Nvme])];
        assert_eq!(composite_checksum(Crc64Nvme, &nvme), None);
        assert_eq!(composite_checksum(Crc32, &[]), None);
        assert_eq!(full_object_checksum(Crc32, &[]), None);
    }

    #[test]
    fn announcements_read_back_as_made_and_old_empty_ones_keep_their_meaning() {
        use ChecksumAlgorithm::*;
        use ChecksumType::*;
        for (alg, kind) in [
            (Crc32, Composite),
            (Crc32, FullObject),
            (Crc64Nvme, FullObject),
            (Sha256, Composite),
        ] {
            let cs: Checksums = [announcement(alg, kind)].into_iter().collect();
            assert_eq!(announced(&cs), Some((alg, kind)));
        }
        // Uploads made before the type existed hold an empty value.
        let old: Checksums = [("CRC64NVME".to_string(), String::new())].into();
        assert_eq!(announced(&old), Some((Crc64Nvme, FullObject)));
        let value: Checksums = [("CRC32".to_string(), "NSRBwg==".to_string())].into();
        assert_eq!(announced(&value), None);
    }

    #[test]
    fn the_type_is_composite_for_a_composite_and_full_object_for_any_other_value() {
        let mut cs = Checksums::new();
        assert_eq!(checksum_type(&cs), None);
        cs.insert("CRC32".into(), String::new());
        assert_eq!(checksum_type(&cs), None);
        cs.insert("CRC32".into(), "NSRBwg==".into());
        assert_eq!(checksum_type(&cs), Some("FULL_OBJECT"));
        cs.insert("CRC32".into(), "ZYzvyg==-2".into());
        assert_eq!(checksum_type(&cs), Some("COMPOSITE"));
    }
}
