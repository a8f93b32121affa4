//! The checksums an object version reports, with S3's COMPOSITE checksum of multipart objects.
//!
//! Why: a multipart upload that names an algorithm at creation (boto3's `upload_file` names
//! CRC32 by default) is stored with an empty value for it, because the store keeps each
//! part's verified checksum but does not combine them. S3 reports the composite there (the
//! algorithm over the concatenated part digests, then `-N`) in CompleteMultipartUpload, in
//! HEAD/GET with `x-amz-checksum-mode: ENABLED` and in GetObjectAttributes. Before this,
//! those answers carried no checksum at all for such objects.

use strata_volume::{Checksums, ObjectInfo, PartSummary};

use crate::checksum::{ChecksumAlgorithm, ChecksumValue};

/// The stored checksums of `info`; an empty value of a multipart object is filled in with
/// the composite of its parts when every part has a valid value of that algorithm.
pub fn reported_checksums(info: &ObjectInfo) -> Checksums {
    let mut out = info.checksums.clone();
    if info.parts.is_empty() {
        return out;
    }
    for (name, value) in out.iter_mut() {
        if !value.is_empty() {
            continue;
        }
        let composite = name
            .parse::<ChecksumAlgorithm>()
            .ok()
            .and_then(|alg| composite_checksum(alg, &info.parts));
        if let Some(c) = composite {
            *value = c;
        }
    }
    out
}

/// `x-amz-checksum-type` of reported checksums: `COMPOSITE` when one is a `-N` composite
/// (base64 never contains `-`), else nothing is claimed.
pub fn composite_type(reported: &Checksums) -> Option<&'static str> {
    reported
        .values()
        .any(|v| v.contains('-'))
        .then_some("COMPOSITE")
}

/// `ALG(digest_1 || ... || digest_N)` in base64, then `-N`. `None` when a part lacks a valid
/// value of `alg`, and for CRC64NVME, which S3 only ever reports as a full-object checksum.
pub fn composite_checksum(alg: ChecksumAlgorithm, parts: &[PartSummary]) -> Option<String> {
    if alg == ChecksumAlgorithm::Crc64Nvme || parts.is_empty() {
        return None;
    }
    let mut hasher = alg.hasher();
    for part in parts {
        let value = ChecksumValue::from_base64(alg, part.checksums.get(alg.as_str())?).ok()?;
        hasher.update(value.as_bytes());
    }
    Some(format!("{}-{}", hasher.finalize().to_base64(), parts.len()))
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
    fn no_composite_without_every_part_or_for_crc64nvme() {
        use ChecksumAlgorithm::*;
        let parts = [part(1, b"abc", &[Crc32]), part(2, b"def", &[])];
        assert_eq!(composite_checksum(Crc32, &parts), None);
        let mut bad = part(1, b"abc", &[Crc32]);
        bad.checksums.insert("CRC32".into(), "not base64!".into());
        assert_eq!(composite_checksum(Crc32, &[bad]), None);
        let nvme = [part(1, b"abc", &[Crc64Nvme])];
        assert_eq!(composite_checksum(Crc64Nvme, &nvme), None);
        assert_eq!(composite_checksum(Crc32, &[]), None);
    }

    #[test]
    fn composite_type_is_claimed_only_for_composites() {
        let mut cs = Checksums::new();
        cs.insert("CRC32".into(), "NSRBwg==".into());
        assert_eq!(composite_type(&cs), None);
        cs.insert("CRC32".into(), "ZYzvyg==-2".into());
        assert_eq!(composite_type(&cs), Some("COMPOSITE"));
    }
}
