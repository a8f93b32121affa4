//! Keys of the metadata index. Names are joined with NUL, which neither bucket names nor
//! object keys may contain, so byte order of the joined key is S3's key order.

/// Separator between the parts of an index key.
pub const SEP: u8 = 0;

/// `bucket NUL rest`.
pub fn join(bucket: &str, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(bucket.len() + 1 + rest.len());
    k.extend_from_slice(bucket.as_bytes());
    k.push(SEP);
    k.extend_from_slice(rest);
    k
}

/// Key of the current-version entry of an object.
pub fn latest(bucket: &str, key: &str) -> Vec<u8> {
    join(bucket, key.as_bytes())
}

/// Prefix of all versions of one object.
pub fn versions_of(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = join(bucket, key.as_bytes());
    k.push(SEP);
    k
}

/// Key of one version: newest first, then by id.
pub fn version(bucket: &str, key: &str, mod_time_ns: u64, version_id: &[u8; 16]) -> Vec<u8> {
    let mut k = versions_of(bucket, key);
    k.extend_from_slice(&(u64::MAX - mod_time_ns).to_be_bytes());
    k.extend_from_slice(version_id);
    k
}

/// Splits a version key into the object key.
pub fn object_of_version(bucket: &str, vkey: &[u8]) -> Option<String> {
    let rest = vkey.get(bucket.len() + 1..)?;
    let end = rest.len().checked_sub(1 + 8 + 16)?;
    if rest.get(end) != Some(&SEP) {
        return None;
    }
    String::from_utf8(rest[..end].to_vec()).ok()
}

/// Key of a heal-queue entry: `bucket NUL key NUL version id`.
pub fn heal(bucket: &str, key: &str, version_id: &[u8; 16]) -> Vec<u8> {
    let mut k = versions_of(bucket, key);
    k.extend_from_slice(version_id);
    k
}

/// Splits a heal-queue key back into bucket, key and version id.
pub fn split_heal(k: &[u8]) -> Option<(String, String, [u8; 16])> {
    let first = k.iter().position(|b| *b == SEP)?;
    let end = k.len().checked_sub(17)?;
    if end <= first || k[end] != SEP {
        return None;
    }
    let bucket = String::from_utf8(k[..first].to_vec()).ok()?;
    let key = String::from_utf8(k[first + 1..end].to_vec()).ok()?;
    Some((bucket, key, k[end + 1..].try_into().ok()?))
}

/// Splits an upload key (`bucket NUL key NUL upload-id`) into its names.
pub fn split_upload(k: &[u8]) -> Option<(String, String, String)> {
    let first = k.iter().position(|b| *b == SEP)?;
    let last = k.iter().rposition(|b| *b == SEP)?;
    if last <= first {
        return None;
    }
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
    Some((
        text(&k[..first])?,
        text(&k[first + 1..last])?,
        text(&k[last + 1..])?,
    ))
}

/// Key of an upload.
pub fn upload(bucket: &str, key: &str, upload_id: &str) -> Vec<u8> {
    let mut k = join(bucket, key.as_bytes());
    k.push(SEP);
    k.extend_from_slice(upload_id.as_bytes());
    k
}

/// Prefix of all parts of an upload.
pub fn parts_of(upload_id: &str) -> Vec<u8> {
    let mut k = upload_id.as_bytes().to_vec();
    k.push(SEP);
    k
}

/// Key of one part.
pub fn part(upload_id: &str, number: u32) -> Vec<u8> {
    let mut k = parts_of(upload_id);
    k.extend_from_slice(&number.to_be_bytes());
    k
}

/// Splits a part key (`upload-id NUL number`) into the upload id and the part number.
pub fn upload_of_part(k: &[u8]) -> Option<(&str, u32)> {
    // An upload id has no NUL; the number's big-endian bytes may.
    let sep = k.iter().position(|b| *b == SEP)?;
    let id = std::str::from_utf8(&k[..sep]).ok()?;
    let number = u32::from_be_bytes(k.get(sep + 1..)?.try_into().ok()?);
    Some((id, number))
}

/// Key of a bucket configuration document.
pub fn bucket_config(bucket: &str, kind: &str) -> Vec<u8> {
    join(bucket, kind.as_bytes())
}

/// The smallest key greater than every key starting with `prefix`.
pub fn after_prefix(prefix: &[u8]) -> Vec<u8> {
    let mut k = prefix.to_vec();
    // No valid UTF-8 byte is 0xFF, so this sorts after every key below the prefix.
    k.push(0xFF);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_keys_sort_newest_first_and_split_back() {
        let a = version("b", "k", 10, &[1; 16]);
        let b = version("b", "k", 20, &[1; 16]);
        assert!(b < a);
        assert_eq!(object_of_version("b", &a).as_deref(), Some("k"));
        // All versions of "k" sort before the next key "k!".
        assert!(a < latest("b", "k!"));
        assert!(version("b", "k", 0, &[0xff; 16]) < versions_of("b", "k!"));
    }

    #[test]
    fn part_keys_split_back() {
        for n in [1, 256, 65_536, 10_000] {
            assert_eq!(upload_of_part(&part("2f9a0c", n)), Some(("2f9a0c", n)));
        }
        assert_eq!(upload_of_part(b"no-separator"), None);
        assert_eq!(upload_of_part(&parts_of("2f9a0c")), None);
    }

    #[test]
    fn upload_keys_split_back() {
        let k = upload("b", "a/key", "0123");
        assert_eq!(
            split_upload(&k),
            Some(("b".into(), "a/key".into(), "0123".into()))
        );
        assert_eq!(split_upload(b"b"), None);
    }

    #[test]
    fn heal_keys_split_back() {
        let id = [7; 16];
        let k = heal("b", "a/key", &id);
        assert_eq!(split_heal(&k), Some(("b".into(), "a/key".into(), id)));
        assert_eq!(split_heal(b"b"), None);
        assert_eq!(split_heal(&[b'b', 0, 1, 2]), None);
    }
}
