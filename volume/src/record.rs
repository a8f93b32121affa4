//! Records kept in each namespace volume's metadata index, and their encoding.
//!
//! Every value starts with one byte naming its record version, followed by a MessagePack
//! array of the fields in declaration order (see `volume/FORMAT.md`). Fields added later go at
//! the end with `#[serde(default)]`, so older records still decode; a record that uses no field
//! of a later version is written as the earliest version that holds all of its fields, so a
//! reader of that version still reads it.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::types::{Checksums, ObjectLock, ObjectMeta, Versioning};

/// The first record format.
pub const RECORD_V1: u8 = 1;
/// Version 2: `PartData.object_size` (the client's size when a transform changed it).
pub const RECORD_V2: u8 = 2;
/// Version 3: `BucketRecord.owner` (the owning account's id).
pub const RECORD_V3: u8 = 3;
/// Version 4: `VersionRecord.access` and `UploadRecord.access` (the gateway's access document
/// of an object: its owner and ACL).
pub const RECORD_V4: u8 = 4;
/// Version 5: `DataRecord.upload` (the multipart upload whose completion made the version).
pub const RECORD_V5: u8 = 5;
/// Version 6: object lock (`BucketRecord.object_lock`, `VersionRecord.lock`,
/// `UploadRecord.lock`).
pub const RECORD_V6: u8 = 6;
/// Version 7: `DataRecord.remote` (a version whose data is on a remote tier).
pub const RECORD_V7: u8 = 7;
/// Version 8: `DataRecord.restored` (a temporary local copy of a remote version).
pub const RECORD_V8: u8 = 8;
/// Version 9: `UploadRecord.tier` (an upload whose completed object goes to a remote tier).
pub const RECORD_V9: u8 = 9;
/// Version 10: `PartRecord.remote` and `RemoteRecord.part` (a part of an upload to a tier,
/// held by a remote object).
pub const RECORD_V10: u8 = 10;

/// A record type: which format version a value of it needs.
pub trait Record: Serialize {
    /// The earliest record version that holds every field this value uses.
    fn version(&self) -> u8 {
        RECORD_V1
    }
}

/// Encodes a record with its version byte.
pub fn encode<T: Record>(record: &T) -> Vec<u8> {
    let mut out = vec![record.version()];
    // Serialising plain structs into a Vec cannot fail.
    if rmp_serde::encode::write(&mut out, record).is_err() {
        out.truncate(1);
    }
    out
}

/// Decodes a record written by [`encode`].
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    match bytes.split_first() {
        Some((
            &(RECORD_V1 | RECORD_V2 | RECORD_V3 | RECORD_V4 | RECORD_V5 | RECORD_V6 | RECORD_V7
            | RECORD_V8 | RECORD_V9 | RECORD_V10),
            rest,
        )) => {
            rmp_serde::from_slice(rest).map_err(|e| Error::corrupt(format!("metadata record: {e}")))
        }
        Some((v, _)) => Err(Error::corrupt(format!(
            "metadata record version {v} is unknown"
        ))),
        None => Err(Error::corrupt("empty metadata record")),
    }
}

/// Nanoseconds since the Unix epoch.
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Back from nanoseconds to a time.
pub fn time_of(ns: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(ns)
}

/// A bucket.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BucketRecord {
    /// Creation time (ns).
    pub created_ns: u64,
    /// Location constraint.
    pub location: Option<String>,
    /// Versioning state.
    pub versioning: Versioning,
    /// The owning account's id; `None` for buckets made before accounts existed (the
    /// gateway reads them as its root account's).
    #[serde(default)]
    pub owner: Option<String>,
    /// Object lock enabled (record version 6): set once, never cleared.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub object_lock: bool,
}

/// Where one part's data lives.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartData {
    /// Part number (1 for a single put).
    pub number: u32,
    /// Bytes stored (what the shards hold).
    pub size: u64,
    /// The part's ETag: MD5 hex of the client's bytes unless the caller chose another.
    pub etag: String,
    /// Checksums of the part.
    pub checksums: Checksums,
    /// Shard file name on each volume of the class; `None` when the data is inline.
    pub data_id: Option<[u8; 16]>,
    /// Length of the client's bytes when a caller's transform stored something else (record
    /// version 2); absent when the stored bytes are the client's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size: Option<u64>,
}

impl PartData {
    /// Length of the client's bytes of this part.
    pub fn object_size(&self) -> u64 {
        self.object_size.unwrap_or(self.size)
    }
}

/// The version a list of parts needs.
fn parts_version(parts: &[PartData]) -> u8 {
    if parts.iter().any(|p| p.object_size.is_some()) {
        RECORD_V2
    } else {
        RECORD_V1
    }
}

/// An object's data: its erasure shape and its parts. Serialized by hand (below): `upload`
/// is left out when absent, unless `remote` follows it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct DataRecord {
    /// Storage class holding the shards.
    pub class: String,
    /// Data shards.
    pub k: u8,
    /// Parity shards.
    pub m: u8,
    /// Erasure block size.
    pub block_size: u64,
    /// Slot `s` holds shard `(s + rotation) % (k + m)`.
    pub rotation: u8,
    /// Parts in order.
    pub parts: Vec<PartData>,
    /// This volume's shard of an inline object (hash + bytes, like a shard file).
    #[serde(with = "serde_bytes_opt")]
    pub inline: Option<Vec<u8>>,
    /// The multipart upload whose completion assembled these parts (record version 5);
    /// `None` for single puts and for versions written before it was kept.
    #[serde(default)]
    pub upload: Option<String>,
    /// Where the data is when it moved to a remote tier (record version 7); `None` when it
    /// is in shard files or inline.
    #[serde(default)]
    pub remote: Option<RemoteData>,
    /// A temporary local copy of the remote data (record version 8), only with `remote`.
    #[serde(default)]
    pub restored: Option<RestoredCopy>,
}

impl DataRecord {
    /// When its restored copy stops serving reads, if it has one that serves them now.
    pub fn restored_until(&self) -> Option<SystemTime> {
        self.restored
            .as_ref()
            .filter(|c| c.serves_reads())
            .map(|c| time_of(c.expiry_ns))
    }
}

/// A local copy of a remote version's bytes, kept until `expiry_ns` (a restore).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RestoredCopy {
    /// The local class holding it.
    pub class: String,
    /// Data shards.
    pub k: u8,
    /// Parity shards.
    pub m: u8,
    /// Erasure block size.
    pub block_size: u64,
    /// Slot `s` holds shard `(s + rotation) % (k + m)`.
    pub rotation: u8,
    /// Its shard files: all of the remote object's bytes in one.
    pub data_id: [u8; 16],
    /// Bytes held: the remote object's length.
    pub size: u64,
    /// When it stops serving reads (ns since the epoch).
    pub expiry_ns: u64,
}

impl RestoredCopy {
    /// Whether it serves reads now (it has not expired).
    pub fn serves_reads(&self) -> bool {
        self.expiry_ns > now_ns()
    }
}

/// A version's data as one object on a remote tier.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RemoteData {
    /// The tier's configured name.
    pub tier: String,
    /// The remote object's id: its name is the id in hex, nothing of the bucket or key.
    pub id: [u8; 16],
    /// The remote object's length: the sum of the parts' stored sizes.
    pub size: u64,
    /// XXH3-128 of the remote object's bytes (little-endian), checked on whole reads that no
    /// AEAD authenticates (restores; see `StoredObject::read_authenticated`).
    pub xxh3: [u8; 16],
}

/// An object on a remote tier strata wrote or is about to write (table `remote`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RemoteRecord {
    /// The tier's configured name.
    pub tier: String,
    /// The version whose data it holds (or was to hold).
    pub bucket: String,
    /// Its key.
    pub key: String,
    /// Its version id.
    pub version_id: [u8; 16],
    /// When the entry was written (ns).
    pub since_ns: u64,
    /// The upload part the object holds instead of a version's data (record version 10);
    /// `version_id` is then all zeros.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<PartRef>,
}

/// One part of one multipart upload.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartRef {
    /// The upload's id.
    pub upload_id: String,
    /// The part's number.
    pub number: u32,
}

impl Record for RemoteRecord {
    fn version(&self) -> u8 {
        if self.part.is_some() {
            RECORD_V10
        } else {
            RECORD_V1
        }
    }
}

impl Serialize for DataRecord {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let restored = self.restored.is_some();
        let remote = self.remote.is_some() || restored;
        let upload = self.upload.is_some() || remote;
        let n = 7 + usize::from(upload) + usize::from(remote) + usize::from(restored);
        let mut st = s.serialize_struct("DataRecord", n)?;
        st.serialize_field("class", &self.class)?;
        st.serialize_field("k", &self.k)?;
        st.serialize_field("m", &self.m)?;
        st.serialize_field("block_size", &self.block_size)?;
        st.serialize_field("rotation", &self.rotation)?;
        st.serialize_field("parts", &self.parts)?;
        st.serialize_field("inline", &InlineField(&self.inline))?;
        if upload {
            st.serialize_field("upload", &self.upload)?;
        }
        if remote {
            st.serialize_field("remote", &self.remote)?;
        }
        if restored {
            st.serialize_field("restored", &self.restored)?;
        }
        st.end()
    }
}

/// `DataRecord.inline` as MessagePack bin.
struct InlineField<'a>(&'a Option<Vec<u8>>);

impl Serialize for InlineField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serde_bytes_opt::serialize(self.0, s)
    }
}

/// One version of an object (or a delete marker). Serialized by hand (below): `access` is
/// left out when absent, unless `lock` follows it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct VersionRecord {
    /// 16-byte version id; all zeros is the null version.
    pub version_id: [u8; 16],
    /// Write time (ns); newer versions sort first.
    pub mod_time_ns: u64,
    /// Delete marker or object.
    pub delete_marker: bool,
    /// Size of the client's bytes.
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
    /// Metadata.
    pub meta: ObjectMeta,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Checksums.
    pub checksums: Checksums,
    /// Caller metadata.
    pub internal: BTreeMap<String, String>,
    /// Data; `None` for delete markers.
    pub data: Option<DataRecord>,
    /// The caller's access document of this version (owner and ACL; record version 4),
    /// opaque here; absent when the caller keeps none.
    #[serde(default, with = "serde_bytes_opt")]
    pub access: Option<Vec<u8>>,
    /// Its object lock (record version 6); `None` when none was ever set.
    #[serde(default)]
    pub lock: Option<ObjectLock>,
}

/// The compact current-version entry that listings read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LatestRecord {
    /// Version id.
    pub version_id: [u8; 16],
    /// Write time (ns).
    pub mod_time_ns: u64,
    /// Delete marker or object.
    pub delete_marker: bool,
    /// Size.
    pub size: u64,
    /// ETag.
    pub etag: String,
    /// Storage class.
    pub class: String,
}

impl Record for BucketRecord {
    fn version(&self) -> u8 {
        if self.object_lock {
            RECORD_V6
        } else if self.owner.is_some() {
            RECORD_V3
        } else {
            RECORD_V1
        }
    }
}
impl Record for LatestRecord {}
impl Record for UploadRecord {
    fn version(&self) -> u8 {
        if self.tier.is_some() {
            RECORD_V9
        } else if self.lock.is_some() {
            RECORD_V6
        } else if self.access.is_some() {
            RECORD_V4
        } else {
            RECORD_V1
        }
    }
}

impl Record for VersionRecord {
    fn version(&self) -> u8 {
        if self.data.as_ref().is_some_and(|d| d.restored.is_some()) {
            return RECORD_V8;
        }
        if self.data.as_ref().is_some_and(|d| d.remote.is_some()) {
            return RECORD_V7;
        }
        if self.lock.is_some() {
            return RECORD_V6;
        }
        if self.data.as_ref().is_some_and(|d| d.upload.is_some()) {
            return RECORD_V5;
        }
        if self.access.is_some() {
            return RECORD_V4;
        }
        self.data
            .as_ref()
            .map_or(RECORD_V1, |d| parts_version(&d.parts))
    }
}

impl Record for PartRecord {
    fn version(&self) -> u8 {
        if self.remote.is_some() {
            return RECORD_V10;
        }
        parts_version(std::slice::from_ref(&self.data))
    }
}

impl VersionRecord {
    /// The listing summary of this version.
    pub fn latest(&self) -> LatestRecord {
        LatestRecord {
            version_id: self.version_id,
            mod_time_ns: self.mod_time_ns,
            delete_marker: self.delete_marker,
            size: self.size,
            etag: self.etag.clone(),
            class: self
                .data
                .as_ref()
                .map(|d| d.class.clone())
                .unwrap_or_default(),
        }
    }

    /// The same version without this volume's inline shard: what all volumes agree on.
    pub fn identity(&self) -> (u64, [u8; 16]) {
        (self.mod_time_ns, self.version_id)
    }

    /// Whether two volumes' copies of a version say the same thing: every field but the
    /// inline shard, which each volume holds its own of. Copies of one version differ when
    /// an in-place change (tags, ACL, lock, re-seal, transition) reached only some volumes.
    pub fn same_content(&self, other: &VersionRecord) -> bool {
        // Destructured in full so that a field added later is compared or left out on
        // purpose, never forgotten.
        let VersionRecord {
            version_id,
            mod_time_ns,
            delete_marker,
            size,
            etag,
            meta,
            tags,
            checksums,
            internal,
            data,
            access,
            lock,
        } = self;
        *version_id == other.version_id
            && *mod_time_ns == other.mod_time_ns
            && *delete_marker == other.delete_marker
            && *size == other.size
            && *etag == other.etag
            && *meta == other.meta
            && *tags == other.tags
            && *checksums == other.checksums
            && *internal == other.internal
            && *access == other.access
            && *lock == other.lock
            && match (data, &other.data) {
                (Some(a), Some(b)) => a.same_content(b),
                (None, None) => true,
                _ => false,
            }
    }
}

impl DataRecord {
    /// Equal but for the inline shard (see [`VersionRecord::same_content`]).
    fn same_content(&self, other: &DataRecord) -> bool {
        let DataRecord {
            class,
            k,
            m,
            block_size,
            rotation,
            parts,
            inline: _,
            upload,
            remote,
            restored,
        } = self;
        *class == other.class
            && *k == other.k
            && *m == other.m
            && *block_size == other.block_size
            && *rotation == other.rotation
            && *parts == other.parts
            && *upload == other.upload
            && *remote == other.remote
            && *restored == other.restored
    }
}

/// A version waiting for the healer (what a read had to work around).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HealRecord {
    /// When it was queued (ns).
    pub queued_ns: u64,
    /// What was found: `missing` or `corrupt`.
    pub problem: String,
}

impl Record for HealRecord {}

/// A multipart upload in progress. Serialized by hand (below), as [`VersionRecord`].
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct UploadRecord {
    /// Creation time (ns).
    pub initiated_ns: u64,
    /// Storage class.
    pub class: String,
    /// Metadata for the object.
    pub meta: ObjectMeta,
    /// Tags for the object.
    pub tags: Vec<(String, String)>,
    /// Checksums announced at creation.
    pub checksums: Checksums,
    /// Caller metadata.
    pub internal: BTreeMap<String, String>,
    /// The access document the completed object gets (record version 4).
    #[serde(default, with = "serde_bytes_opt")]
    pub access: Option<Vec<u8>>,
    /// The object lock the completed object gets (record version 6).
    #[serde(default)]
    pub lock: Option<ObjectLock>,
    /// The remote tier the completed object's data goes to (record version 9); its parts
    /// are staged in `class`.
    #[serde(default)]
    pub tier: Option<String>,
}

/// `access` as its field is written: a MessagePack bin.
struct AccessField<'a>(&'a Option<Vec<u8>>);

impl Serialize for AccessField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serde_bytes_opt::serialize(self.0, s)
    }
}

/// The trailing `access` and `lock` fields: `access` only when present or followed by
/// `lock`, `lock` only when present, so that every position is the one FORMAT.md lists.
fn trailing_fields<S: SerializeStruct>(
    st: &mut S,
    access: &Option<Vec<u8>>,
    lock: &Option<ObjectLock>,
) -> std::result::Result<(), S::Error> {
    if access.is_some() || lock.is_some() {
        st.serialize_field("access", &AccessField(access))?;
    } else {
        st.skip_field("access")?;
    }
    match lock {
        Some(lock) => st.serialize_field("lock", lock),
        None => st.skip_field("lock"),
    }
}

/// How many of the trailing fields are written.
fn trailing_count(access: &Option<Vec<u8>>, lock: &Option<ObjectLock>) -> usize {
    match (access, lock) {
        (_, Some(_)) => 2,
        (Some(_), None) => 1,
        (None, None) => 0,
    }
}

impl Serialize for VersionRecord {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let n = 10 + trailing_count(&self.access, &self.lock);
        let mut st = s.serialize_struct("VersionRecord", n)?;
        st.serialize_field("version_id", &self.version_id)?;
        st.serialize_field("mod_time_ns", &self.mod_time_ns)?;
        st.serialize_field("delete_marker", &self.delete_marker)?;
        st.serialize_field("size", &self.size)?;
        st.serialize_field("etag", &self.etag)?;
        st.serialize_field("meta", &self.meta)?;
        st.serialize_field("tags", &self.tags)?;
        st.serialize_field("checksums", &self.checksums)?;
        st.serialize_field("internal", &self.internal)?;
        st.serialize_field("data", &self.data)?;
        trailing_fields(&mut st, &self.access, &self.lock)?;
        st.end()
    }
}

impl Serialize for UploadRecord {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let Some(tier) = &self.tier else {
            let n = 6 + trailing_count(&self.access, &self.lock);
            let mut st = s.serialize_struct("UploadRecord", n)?;
            self.serialize_leading(&mut st)?;
            trailing_fields(&mut st, &self.access, &self.lock)?;
            return st.end();
        };
        // Version 9: `access` and `lock` hold their positions, nil or not.
        let mut st = s.serialize_struct("UploadRecord", 9)?;
        self.serialize_leading(&mut st)?;
        st.serialize_field("access", &AccessField(&self.access))?;
        st.serialize_field("lock", &self.lock)?;
        st.serialize_field("tier", tier)?;
        st.end()
    }
}

impl UploadRecord {
    /// The fields of version 1.
    fn serialize_leading<S: SerializeStruct>(
        &self,
        st: &mut S,
    ) -> std::result::Result<(), S::Error> {
        st.serialize_field("initiated_ns", &self.initiated_ns)?;
        st.serialize_field("class", &self.class)?;
        st.serialize_field("meta", &self.meta)?;
        st.serialize_field("tags", &self.tags)?;
        st.serialize_field("checksums", &self.checksums)?;
        st.serialize_field("internal", &self.internal)
    }
}

/// One uploaded part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartRecord {
    /// Upload time (ns).
    pub mod_time_ns: u64,
    /// The part's data.
    pub data: PartData,
    /// The remote object holding the part (record version 10), when its upload names a
    /// remote tier; `data.data_id` is then `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteData>,
}

/// Version id text: `null` for zeros, else 32 hex digits.
pub fn version_text(id: &[u8; 16]) -> String {
    if *id == [0; 16] {
        "null".into()
    } else {
        uuid::Uuid::from_bytes(*id).simple().to_string()
    }
}

/// Parses a version id as [`version_text`] writes it.
pub fn parse_version(text: &str) -> Option<[u8; 16]> {
    if text == "null" {
        return Some([0; 16]);
    }
    if text.len() != 32 {
        return None;
    }
    uuid::Uuid::try_parse(text).ok().map(|u| *u.as_bytes())
}

/// `Option<Vec<u8>>` as a MessagePack bin rather than an array of integers.
mod serde_bytes_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&Bin(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<BinBuf>::deserialize(d).map(|o| o.map(|b| b.0))
    }

    struct Bin<'a>(&'a [u8]);
    impl serde::Serialize for Bin<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    struct BinBuf(Vec<u8>);
    impl<'de> Deserialize<'de> for BinBuf {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = BinBuf;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, v: &[u8]) -> Result<BinBuf, E> {
                    Ok(BinBuf(v.to_vec()))
                }
                fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<BinBuf, E> {
                    Ok(BinBuf(v))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut a: A,
                ) -> Result<BinBuf, A::Error> {
                    let mut out = Vec::new();
                    while let Some(b) = a.next_element::<u8>()? {
                        out.push(b);
                    }
                    Ok(BinBuf(out))
                }
            }
            d.deserialize_bytes(V)
        }
    }
}

/// A 2+2 version record for tests: `parts` and this volume's `inline` shard as given.
#[cfg(test)]
pub(crate) fn sample_version(
    mod_time_ns: u64,
    parts: Vec<PartData>,
    inline: Option<Vec<u8>>,
) -> VersionRecord {
    VersionRecord {
        version_id: [7; 16],
        mod_time_ns,
        delete_marker: false,
        size: parts.iter().map(PartData::object_size).sum(),
        etag: "abc".into(),
        meta: ObjectMeta::default(),
        tags: vec![],
        checksums: Checksums::new(),
        internal: BTreeMap::new(),
        data: Some(DataRecord {
            class: "fast".into(),
            k: 2,
            m: 2,
            block_size: 1 << 20,
            rotation: 1,
            parts,
            inline,
            upload: None,
            remote: None,
            restored: None,
        }),
        access: None,
        lock: None,
    }
}

/// Whether every `expect` entry holds in the `internal` map `internal` (a conditional change
/// of a version's or an upload's entries).
pub(crate) fn entries_hold(
    internal: &std::collections::BTreeMap<String, String>,
    expect: &[(String, String)],
) -> bool {
    expect
        .iter()
        .all(|(k, v)| internal.get(k).is_some_and(|have| have == v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_with_an_owner_is_version_3_and_one_without_stays_version_1() {
        let mut b = BucketRecord {
            created_ns: 7,
            location: None,
            versioning: Versioning::Enabled,
            owner: None,
            object_lock: false,
        };
        let v1 = encode(&b);
        assert_eq!(v1[0], RECORD_V1);
        assert_eq!(decode::<BucketRecord>(&v1).unwrap(), b);
        b.owner = Some("123456789012".into());
        let v3 = encode(&b);
        assert_eq!(v3[0], RECORD_V3);
        assert_eq!(decode::<BucketRecord>(&v3).unwrap(), b);
        // A version 1 record written before the field existed: three fields, owner absent.
        let mut old = vec![RECORD_V1];
        rmp_serde::encode::write(&mut old, &(7u64, None::<String>, Versioning::Enabled)).unwrap();
        assert_eq!(
            decode::<BucketRecord>(&old).unwrap(),
            BucketRecord { owner: None, ..b }
        );
    }

    #[test]
    fn records_round_trip_and_unknown_versions_are_refused() {
        let mut r = sample_version(42, vec![], Some(vec![1, 2, 3]));
        r.tags = vec![("a".into(), "b".into())];
        let bytes = encode(&r);
        assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), r);
        let mut future = bytes.clone();
        future[0] = RECORD_V10 + 1;
        assert!(matches!(
            decode::<VersionRecord>(&future),
            Err(crate::Error::Fault(crate::error::Fault::Corrupt(_)))
        ));
        assert!(decode::<VersionRecord>(&bytes[..bytes.len() / 2]).is_err());
    }

    fn part(object_size: Option<u64>) -> PartData {
        PartData {
            number: 1,
            size: 100,
            etag: "e".into(),
            checksums: Checksums::new(),
            data_id: Some([3; 16]),
            object_size,
        }
    }

    #[test]
    fn a_record_without_a_client_size_is_written_as_version_1_as_before() {
        let r = sample_version(42, vec![part(None)], None);
        let bytes = encode(&r);
        assert_eq!(bytes[0], RECORD_V1);
        // The version 1 layout: PartData is an array of exactly its five version 1 fields.
        let v1_part =
            rmp_serde::to_vec(&(1u32, 100u64, "e", Checksums::new(), Some([3u8; 16]))).unwrap();
        let encoded_part = rmp_serde::to_vec(&r.data.as_ref().unwrap().parts[0]).unwrap();
        assert_eq!(encoded_part, v1_part);
        assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), r);
    }

    #[test]
    fn a_record_with_a_client_size_is_version_2_and_round_trips() {
        let r = sample_version(42, vec![part(Some(77))], None);
        let bytes = encode(&r);
        assert_eq!(bytes[0], RECORD_V2);
        let back = decode::<VersionRecord>(&bytes).unwrap();
        assert_eq!(back.data.unwrap().parts[0].object_size(), 77);
        let p = PartRecord {
            mod_time_ns: 1,
            data: part(Some(77)),
            remote: None,
        };
        assert_eq!(encode(&p)[0], RECORD_V2);
        assert_eq!(
            encode(&PartRecord {
                data: part(None),
                ..p
            })[0],
            RECORD_V1
        );
    }

    #[test]
    fn a_part_on_a_tier_is_version_10_and_its_entry_names_the_part() {
        let remote = RemoteData {
            tier: "cloud".into(),
            id: [9; 16],
            size: 100,
            xxh3: [8; 16],
        };
        let p = PartRecord {
            mod_time_ns: 1,
            data: PartData {
                data_id: None,
                ..part(Some(77))
            },
            remote: Some(remote),
        };
        let bytes = encode(&p);
        assert_eq!(bytes[0], RECORD_V10);
        assert_eq!(decode::<PartRecord>(&bytes).unwrap(), p);
        // A local part keeps the two-field layout older readers know.
        let local = PartRecord { remote: None, ..p };
        let bytes = encode(&local);
        assert_eq!(bytes[0], RECORD_V2);
        let two = rmp_serde::to_vec(&(1u64, &local.data)).unwrap();
        assert_eq!(&bytes[1..], &two[..]);

        let entry = RemoteRecord {
            tier: "cloud".into(),
            bucket: "b".into(),
            key: "k".into(),
            version_id: [0; 16],
            since_ns: 5,
            part: None,
        };
        let bytes = encode(&entry);
        assert_eq!(bytes[0], RECORD_V1);
        let five = rmp_serde::to_vec(&("cloud", "b", "k", [0u8; 16], 5u64)).unwrap();
        assert_eq!(&bytes[1..], &five[..]);
        let of_part = RemoteRecord {
            part: Some(PartRef {
                upload_id: "u".into(),
                number: 3,
            }),
            ..entry
        };
        let bytes = encode(&of_part);
        assert_eq!(bytes[0], RECORD_V10);
        assert_eq!(decode::<RemoteRecord>(&bytes).unwrap(), of_part);
    }

    #[test]
    fn version_ids_round_trip() {
        assert_eq!(version_text(&[0; 16]), "null");
        let id = [0xab; 16];
        assert_eq!(parse_version(&version_text(&id)), Some(id));
        assert_eq!(parse_version("nope"), None);
    }

    #[test]
    fn an_access_document_makes_version_4_and_records_without_one_keep_their_version() {
        let plain = sample_version(7, vec![], None);
        let bytes = encode(&plain);
        assert_eq!(bytes[0], RECORD_V1);
        assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), plain);
        let mut with = plain.clone();
        with.access = Some(b"acl 1\nowner\n".to_vec());
        let bytes = encode(&with);
        assert_eq!(bytes[0], RECORD_V4);
        assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), with);
        // A version 1 record is a prefix of the fields: it reads with no document.
        assert_eq!(
            decode::<VersionRecord>(&encode(&plain)).unwrap().access,
            None
        );
        let upload = sample_upload(Some(vec![1, 2, 3]), None, None);
        let bytes = encode(&upload);
        assert_eq!(bytes[0], RECORD_V4);
        assert_eq!(decode::<UploadRecord>(&bytes).unwrap(), upload);
        assert_eq!(
            encode(&UploadRecord {
                access: None,
                ..upload
            })[0],
            RECORD_V1
        );
        // A reader refuses versions it does not know.
        let mut future = bytes.clone();
        future[0] = RECORD_V10 + 1;
        assert!(decode::<UploadRecord>(&future).is_err());
    }

    #[test]
    fn a_completed_upload_makes_version_5_with_or_without_an_access_document() {
        let plain = sample_version(7, vec![], None);
        for access in [None, Some(b"acl 1\nowner\n".to_vec())] {
            let mut done = plain.clone();
            done.access = access;
            if let Some(d) = done.data.as_mut() {
                d.upload = Some("upload-1".into());
            }
            let bytes = encode(&done);
            assert_eq!(bytes[0], RECORD_V5);
            assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), done);
        }
        // Records before it read as made by no upload.
        let back = decode::<VersionRecord>(&encode(&plain)).unwrap();
        assert_eq!(back.data.and_then(|d| d.upload), None);
    }

    #[test]
    fn an_object_lock_makes_version_6_and_keeps_every_field_in_its_place() {
        let lock = ObjectLock {
            mode: Some(crate::types::LockMode::Compliance),
            retain_until_ns: Some(99),
            legal_hold: true,
        };
        for access in [None, Some(b"acl 1\nowner\n".to_vec())] {
            let mut v = sample_version(7, vec![], Some(vec![4, 5]));
            v.access = access.clone();
            v.lock = Some(lock.clone());
            let bytes = encode(&v);
            assert_eq!(bytes[0], RECORD_V6);
            assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), v);
            // Written as 12 fields: `access` holds its place even when absent.
            let fields: Vec<Option<serde::de::IgnoredAny>> =
                rmp_serde::from_slice(&bytes[1..]).unwrap();
            assert_eq!(fields.len(), 12);
            assert_eq!(fields[10].is_none(), access.is_none());
            // Without a lock, the record keeps its earlier version and length.
            v.lock = None;
            let earlier = encode(&v);
            assert_eq!(
                earlier[0],
                if access.is_some() {
                    RECORD_V4
                } else {
                    RECORD_V1
                }
            );
            assert_eq!(decode::<VersionRecord>(&earlier).unwrap(), v);
        }
        let upload = sample_upload(None, Some(lock), None);
        let bytes = encode(&upload);
        assert_eq!(bytes[0], RECORD_V6);
        assert_eq!(decode::<UploadRecord>(&bytes).unwrap(), upload);
        let bucket = BucketRecord {
            created_ns: 1,
            location: None,
            versioning: Versioning::Enabled,
            owner: None,
            object_lock: true,
        };
        let bytes = encode(&bucket);
        assert_eq!(bytes[0], RECORD_V6);
        assert_eq!(decode::<BucketRecord>(&bytes).unwrap(), bucket);
    }

    fn sample_upload(
        access: Option<Vec<u8>>,
        lock: Option<ObjectLock>,
        tier: Option<String>,
    ) -> UploadRecord {
        UploadRecord {
            initiated_ns: 1,
            class: "fast".into(),
            meta: ObjectMeta::default(),
            tags: vec![],
            checksums: Checksums::new(),
            internal: BTreeMap::new(),
            access,
            lock,
            tier,
        }
    }

    #[test]
    fn an_upload_to_a_tier_makes_version_9_with_access_and_lock_in_their_places() {
        let lock = ObjectLock {
            mode: None,
            retain_until_ns: None,
            legal_hold: true,
        };
        for (access, lock) in [(None, None), (Some(vec![1, 2]), Some(lock))] {
            let upload = sample_upload(access.clone(), lock.clone(), Some("cloud".into()));
            let bytes = encode(&upload);
            assert_eq!(bytes[0], RECORD_V9);
            assert_eq!(decode::<UploadRecord>(&bytes).unwrap(), upload);
            let fields: Vec<Option<serde::de::IgnoredAny>> =
                rmp_serde::from_slice(&bytes[1..]).unwrap();
            assert_eq!(fields.len(), 9);
            assert_eq!(fields[6].is_none(), access.is_none());
            assert_eq!(fields[7].is_none(), lock.is_none());
            // Without a tier, the record keeps its earlier version.
            let local = encode(&UploadRecord {
                tier: None,
                ..upload
            });
            assert!(local[0] < RECORD_V9);
            assert_eq!(decode::<UploadRecord>(&local).unwrap().tier, None);
        }
    }

    #[test]
    fn remote_data_makes_version_7_with_upload_in_its_place() {
        for upload in [None, Some("upload-1".to_string())] {
            let mut v = sample_version(7, vec![], None);
            if let Some(d) = v.data.as_mut() {
                d.upload = upload.clone();
                d.remote = Some(RemoteData {
                    tier: "cloud".into(),
                    id: [7; 16],
                    size: 42,
                    xxh3: [9; 16],
                });
            }
            let bytes = encode(&v);
            assert_eq!(bytes[0], RECORD_V7);
            assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), v);
            // The data record (the version's 10th field) is written as 9 fields: `upload`
            // holds its place when absent.
            let all: Vec<serde_json::Value> = rmp_serde::from_slice(&bytes[1..]).unwrap();
            assert_eq!(all[9].as_array().map(Vec::len), Some(9));
        }
        // Without remote data the record keeps its earlier version.
        let plain = sample_version(7, vec![], None);
        assert_eq!(encode(&plain)[0], RECORD_V1);
        let back = decode::<VersionRecord>(&encode(&plain)).unwrap();
        assert_eq!(back.data.and_then(|d| d.remote), None);
    }

    #[test]
    fn a_restored_copy_makes_version_8_and_its_removal_version_7_again() {
        let mut v = sample_version(7, vec![], None);
        if let Some(d) = v.data.as_mut() {
            d.remote = Some(RemoteData {
                tier: "archive".into(),
                id: [7; 16],
                size: 42,
                xxh3: [9; 16],
            });
            d.restored = Some(RestoredCopy {
                class: "fast".into(),
                k: 2,
                m: 2,
                block_size: 1 << 20,
                rotation: 3,
                data_id: [5; 16],
                size: 42,
                expiry_ns: 99,
            });
        }
        let bytes = encode(&v);
        assert_eq!(bytes[0], RECORD_V8);
        assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), v);
        let all: Vec<serde_json::Value> = rmp_serde::from_slice(&bytes[1..]).unwrap();
        assert_eq!(all[9].as_array().map(Vec::len), Some(10));
        if let Some(d) = v.data.as_mut() {
            d.restored = None;
        }
        let bytes = encode(&v);
        assert_eq!(bytes[0], RECORD_V7);
        assert_eq!(decode::<VersionRecord>(&bytes).unwrap(), v);
    }
}
