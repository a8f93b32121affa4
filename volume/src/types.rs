//! The public vocabulary of the store: what callers pass in and get back.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// Additional checksums: algorithm name (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`) ->
/// base64 value, stored verbatim.
pub type Checksums = BTreeMap<String, String>;

/// System metadata S3 keeps with an object, and the user's `x-amz-meta-*` pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// Content-Type.
    pub content_type: Option<String>,
    /// Cache-Control.
    pub cache_control: Option<String>,
    /// Content-Disposition.
    pub content_disposition: Option<String>,
    /// Content-Encoding.
    pub content_encoding: Option<String>,
    /// Content-Language.
    pub content_language: Option<String>,
    /// Expires, as sent.
    pub expires: Option<String>,
    /// User metadata: lower-case names without the `x-amz-meta-` prefix.
    pub user: BTreeMap<String, String>,
}

/// Bucket versioning state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Versioning {
    /// Never versioned: every write replaces the `null` version.
    #[default]
    Unversioned,
    /// Every write makes a new version.
    Enabled,
    /// Writes replace the `null` version; older versions stay.
    Suspended,
}

/// An S3 Object Lock retention mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LockMode {
    /// Removable or shortenable by a caller allowed to bypass governance.
    #[serde(rename = "GOVERNANCE")]
    Governance,
    /// Kept or lengthened only, by anyone.
    #[serde(rename = "COMPLIANCE")]
    Compliance,
}

/// A version's object lock: a retention (mode and date) and a legal hold, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ObjectLock {
    /// The retention's mode; `None` without a retention.
    pub mode: Option<LockMode>,
    /// The retention's end (ns since the epoch); `None` without a retention.
    pub retain_until_ns: Option<u64>,
    /// Whether a legal hold is on.
    pub legal_hold: bool,
}

impl ObjectLock {
    /// The retention in force at `now_ns`, if any.
    pub fn retention_at(&self, now_ns: u64) -> Option<(LockMode, u64)> {
        match (self.mode, self.retain_until_ns) {
            (Some(mode), Some(until)) if now_ns < until => Some((mode, until)),
            _ => None,
        }
    }

    /// Whether the version may be removed at `now_ns`; `bypass_governance` lets a
    /// `GOVERNANCE` retention give way (never a `COMPLIANCE` one, never a legal hold).
    pub fn allows_removal(&self, now_ns: u64, bypass_governance: bool) -> bool {
        !self.legal_hold
            && match self.retention_at(now_ns) {
                None => true,
                Some((LockMode::Governance, _)) => bypass_governance,
                Some((LockMode::Compliance, _)) => false,
            }
    }

    /// Nothing to keep: no retention and no legal hold.
    pub fn is_empty(&self) -> bool {
        self.mode.is_none() && self.retain_until_ns.is_none() && !self.legal_hold
    }
}

/// What is known about a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketInfo {
    /// Name.
    pub name: String,
    /// Creation time.
    pub created: SystemTime,
    /// Location constraint given at creation.
    pub location: Option<String>,
    /// Versioning state.
    pub versioning: Versioning,
    /// The owning account's id, if recorded.
    pub owner: Option<String>,
    /// Whether object lock is enabled (then versioning stays enabled).
    pub object_lock: bool,
}

/// A condition a write must meet at the instant it commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WritePrecondition {
    /// `If-None-Match: *`: only if the key has no current object.
    IfNoneMatchAny,
    /// `If-Match: etag`: only if the current object has this ETag.
    IfMatch(String),
}

/// What a conditional delete asks of the key's current version (only the current one, as
/// S3 evaluates it, whichever version the delete names), checked under the key's lock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletePrecondition {
    /// `If-Match`: the current object's ETag, or `*` for any current object. Either way a
    /// key with no current object is `NoSuchKey`.
    pub if_match: Option<String>,
    /// The current object's size; a key with no current object passes.
    pub size: Option<u64>,
    /// The current object's last-modified time in whole seconds since the epoch; a key
    /// with no current object passes.
    pub last_modified_secs: Option<u64>,
    /// The caller may remove a version under a `GOVERNANCE` retention (never a `COMPLIANCE`
    /// one or a legal hold).
    pub bypass_governance: bool,
}

impl DeletePrecondition {
    /// Whether it asks nothing of the current version.
    pub fn is_empty(&self) -> bool {
        self.if_match.is_none() && self.size.is_none() && self.last_modified_secs.is_none()
    }
}

/// The object (or part) as its client sees it, when the stored bytes are not the client's: a
/// transform of the caller's (encryption, say) changed their length and content. `None` in
/// [`PutOptions`] and [`PartOptions`] means the stored bytes are the client's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientView {
    /// Length of the client's bytes: what HEAD, GET and listings report.
    pub size: u64,
    /// The ETag the client is given (without quotes).
    pub etag: String,
}

/// Who makes the ETag of a body being staged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtagBy {
    /// The store: the MD5 of the bytes it stores.
    Store,
    /// The caller, in the [`ClientView`] it commits with: the store does not hash the bytes
    /// (a transform stored other bytes than the client's, whose hash would be wasted work).
    Caller,
}

/// How staged data becomes an object version (see [`crate::Store::put_object`]).
#[derive(Debug, Default)]
pub struct PutOptions {
    /// System and user metadata.
    pub meta: ObjectMeta,
    /// Object tags.
    pub tags: Vec<(String, String)>,
    /// Checksums of the client's bytes, verified by the caller, stored verbatim.
    pub checksums: Checksums,
    /// Checked atomically with the commit.
    pub precondition: Option<WritePrecondition>,
    /// Opaque metadata of the caller (encryption parameters, ...).
    pub internal: BTreeMap<String, String>,
    /// Size and ETag for the client when they are not the stored bytes' own.
    pub client: Option<ClientView>,
    /// The caller's access document (owner and ACL), opaque here.
    pub access: Option<Vec<u8>>,
    /// Its object lock; only in a bucket with object lock.
    pub lock: Option<ObjectLock>,
    /// The version id the caller has told its client already ([`PromisedVersion`]).
    pub promised: Option<PromisedVersion>,
}

/// What a multipart upload keeps for the object it completes into.
#[derive(Debug, Default)]
pub struct UploadOptions {
    /// System and user metadata.
    pub meta: ObjectMeta,
    /// Storage class name; `None` is the first (namespace) class.
    pub storage_class: Option<String>,
    /// Object tags.
    pub tags: Vec<(String, String)>,
    /// Checksum algorithms announced at creation (names, empty values).
    pub checksums: Checksums,
    /// Opaque metadata of the caller (encryption parameters, ...).
    pub internal: BTreeMap<String, String>,
    /// The completed object's access document, opaque here.
    pub access: Option<Vec<u8>>,
    /// The completed object's lock; only in a bucket with object lock.
    pub lock: Option<ObjectLock>,
}

/// How staged data becomes a part of an upload (see [`crate::Store::upload_part`]).
#[derive(Debug, Default)]
pub struct PartOptions {
    /// Checksums of the client's bytes, verified by the caller.
    pub checksums: Checksums,
    /// Size and ETag for the client when they are not the stored bytes' own.
    pub client: Option<ClientView>,
}

/// A byte range as HTTP states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=first-last` (inclusive).
    Bounded {
        /// First byte.
        first: u64,
        /// Last byte, inclusive.
        last: u64,
    },
    /// `bytes=first-`.
    From {
        /// First byte.
        first: u64,
    },
    /// `bytes=-len`: the last `len` bytes.
    Suffix {
        /// Number of bytes.
        len: u64,
    },
}

impl ByteRange {
    /// The bytes `start..end` this range selects from an object of `size` bytes, or `None`
    /// when it selects nothing (HTTP 416).
    pub fn resolve(&self, size: u64) -> Option<std::ops::Range<u64>> {
        crate::erasure::layout::resolve_range(self, size)
    }
}

/// One part of a multipart object, as listed in its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartSummary {
    /// Part number.
    pub part_number: u32,
    /// Size of the client's bytes.
    pub size: u64,
    /// Bytes the part takes in the store (differs from `size` under a caller's transform).
    pub stored_size: u64,
    /// The part's ETag (MD5 hex of the client's bytes, unless the caller chose another).
    pub etag: String,
    /// The part's checksums.
    pub checksums: Checksums,
}

/// Everything known about one object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Version id; `"null"` for the null version.
    pub version_id: String,
    /// Whether this is the current version.
    pub is_latest: bool,
    /// Whether this version is a delete marker.
    pub delete_marker: bool,
    /// Size of the client's bytes.
    pub size: u64,
    /// Bytes the object takes in the store (differs from `size` under a caller's transform).
    pub stored_size: u64,
    /// ETag without quotes: MD5 hex, or `hex-N` for multipart objects.
    pub etag: String,
    /// Time of the write.
    pub last_modified: SystemTime,
    /// System and user metadata.
    pub meta: ObjectMeta,
    /// Storage class name.
    pub storage_class: String,
    /// Additional checksums.
    pub checksums: Checksums,
    /// Parts, for multipart objects (empty for single puts).
    pub parts: Vec<PartSummary>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Opaque caller metadata.
    pub internal: BTreeMap<String, String>,
    /// The caller's access document, if it keeps one.
    pub access: Option<Vec<u8>>,
    /// Its object lock, if it has one.
    pub lock: Option<ObjectLock>,
    /// Until when a local copy of its remote data serves reads (a restore), if it has one.
    pub restored_until: Option<SystemTime>,
}

/// The result of a delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteOutcome {
    /// Version created (a delete marker) or removed; `None` when nothing versioned happened.
    pub version_id: Option<String>,
    /// Whether a delete marker was created or removed.
    pub delete_marker: bool,
}

/// ListObjects arguments.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Only keys starting with this.
    pub prefix: String,
    /// Roll keys up into common prefixes at this delimiter.
    pub delimiter: Option<String>,
    /// Start after this key (exclusive): a marker, a start-after or a decoded continuation.
    pub start_after: Option<String>,
    /// At most this many keys plus prefixes (0 is answered empty).
    pub max_keys: usize,
}

/// One key in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSummary {
    /// Key.
    pub key: String,
    /// Size.
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
    /// Time of the write.
    pub last_modified: SystemTime,
    /// Storage class.
    pub storage_class: String,
    /// Version id of the current version.
    pub version_id: String,
}

/// A page of ListObjects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    /// Keys, in order.
    pub objects: Vec<ObjectSummary>,
    /// Common prefixes, in order.
    pub common_prefixes: Vec<String>,
    /// Whether more follow.
    pub is_truncated: bool,
    /// The last key or prefix of this page: continue after it.
    pub next_marker: Option<String>,
}

/// ListObjectVersions arguments.
#[derive(Debug, Clone, Default)]
pub struct ListVersionsOptions {
    /// Only keys starting with this.
    pub prefix: String,
    /// Roll keys up at this delimiter.
    pub delimiter: Option<String>,
    /// Start at this key (exclusive unless `version_id_marker` is given).
    pub key_marker: Option<String>,
    /// Start after this version of `key_marker`.
    pub version_id_marker: Option<String>,
    /// At most this many entries.
    pub max_keys: usize,
}

/// One version in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSummary {
    /// Key.
    pub key: String,
    /// Version id (`"null"` for the null version).
    pub version_id: String,
    /// Whether it is the current version.
    pub is_latest: bool,
    /// Whether it is a delete marker.
    pub delete_marker: bool,
    /// Size.
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
    /// Time of the write.
    pub last_modified: SystemTime,
    /// Storage class.
    pub storage_class: String,
}

/// A page of ListObjectVersions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionsPage {
    /// Versions: keys in order, each key's versions newest first.
    pub versions: Vec<VersionSummary>,
    /// Common prefixes.
    pub common_prefixes: Vec<String>,
    /// Whether more follow.
    pub is_truncated: bool,
    /// Continue from this key...
    pub next_key_marker: Option<String>,
    /// ...after this version.
    pub next_version_id_marker: Option<String>,
}

/// A multipart upload in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    /// Key.
    pub key: String,
    /// Upload id.
    pub upload_id: String,
    /// When it was created.
    pub initiated: SystemTime,
    /// Storage class its data goes to.
    pub storage_class: String,
    /// Metadata given at creation.
    pub meta: ObjectMeta,
    /// Checksum algorithms given at creation (names only).
    pub checksums: Checksums,
    /// Opaque metadata of the caller, kept for the completed object.
    pub internal: BTreeMap<String, String>,
    /// The object lock the completed version gets.
    pub lock: Option<ObjectLock>,
}

/// One uploaded part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInfo {
    /// Part number.
    pub part_number: u32,
    /// Size.
    pub size: u64,
    /// ETag without quotes (MD5 hex).
    pub etag: String,
    /// When it was uploaded.
    pub last_modified: SystemTime,
    /// Checksums.
    pub checksums: Checksums,
}

/// A page of ListParts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartsPage {
    /// The upload.
    pub upload: UploadInfo,
    /// Parts in order.
    pub parts: Vec<PartInfo>,
    /// Whether more follow.
    pub is_truncated: bool,
    /// Continue after this part number.
    pub next_part_number_marker: Option<u32>,
}

/// A part named in CompleteMultipartUpload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedPart {
    /// Part number.
    pub part_number: u32,
    /// ETag as the client sent it (quotes allowed).
    pub etag: String,
}

/// The version id a write commits under, decided before it starts: a long write (a copy, a
/// completion to a remote tier) answers its head while its bytes still stream, and that
/// head names the version. The commit refuses when the bucket's versioning no longer gives
/// this id (`Refusal::VersioningChanged`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromisedVersion(pub(crate) [u8; 16]);

impl PromisedVersion {
    /// The id as version ids are written (`null` on a bucket that is not versioned).
    pub fn text(&self) -> String {
        crate::record::version_text(&self.0)
    }
}

/// ListMultipartUploads arguments.
#[derive(Debug, Clone, Default)]
pub struct ListUploadsOptions {
    /// Only keys starting with this.
    pub prefix: String,
    /// Roll keys up at this delimiter.
    pub delimiter: Option<String>,
    /// Start at this key.
    pub key_marker: Option<String>,
    /// Start after this upload of `key_marker`.
    pub upload_id_marker: Option<String>,
    /// At most this many entries.
    pub max_uploads: usize,
}

/// A page of ListMultipartUploads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadsPage {
    /// Uploads, by key then creation.
    pub uploads: Vec<UploadInfo>,
    /// Common prefixes.
    pub common_prefixes: Vec<String>,
    /// Whether more follow.
    pub is_truncated: bool,
    /// Continue from this key...
    pub next_key_marker: Option<String>,
    /// ...after this upload.
    pub next_upload_id_marker: Option<String>,
}

/// Health of one storage class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassStatus {
    /// Class name.
    pub name: String,
    /// Scheme, e.g. `2+2`.
    pub scheme: String,
    /// Volumes in use.
    pub online: usize,
    /// Volumes configured.
    pub total: usize,
    /// Configured volumes not serving (refused at start: foreign, stale, unreadable; or
    /// taken out of service since) with the reason.
    pub refused: Vec<(std::path::PathBuf, String)>,
    /// Volumes a write needs.
    pub write_quorum: usize,
    /// Volumes a read needs (the data shards).
    pub read_quorum: usize,
    /// Whether reads and writes reach quorum.
    pub writable: bool,
}

/// Health of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStatus {
    /// True when every class reaches its write quorum.
    pub ready: bool,
    /// Per class.
    pub classes: Vec<ClassStatus>,
}

/// Something a read had to work around: a shard missing or failing its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealEvent {
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Version id.
    pub version_id: String,
    /// Storage class of the data.
    pub class: String,
    /// Volume directory that failed.
    pub volume: std::path::PathBuf,
    /// What was wrong.
    pub problem: ShardProblem,
}

/// What was wrong with a shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardProblem {
    /// The shard file or record was not there.
    Missing,
    /// The bytes failed their hash.
    Corrupt,
}

/// What healing one version did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HealReport {
    /// Metadata records written on volumes that lacked the agreed one (or held it damaged).
    pub records_written: usize,
    /// Records of a version no quorum holds, removed from the volumes that had them.
    pub records_removed: usize,
    /// Shard files rebuilt.
    pub shard_files: usize,
    /// Bytes written into them.
    pub bytes: u64,
    /// Some volume of the classes involved is offline: its copies wait for it.
    pub incomplete: bool,
}

impl HealReport {
    /// Whether anything was repaired.
    pub fn repaired(&self) -> bool {
        self.records_written + self.records_removed + self.shard_files > 0
    }
}

/// How a scanner pass looks at shard files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScanDepth {
    /// Each shard file exists with its full length.
    #[default]
    Cheap,
    /// Every shard block is read and checked against its hash.
    Deep,
}

/// What one scanner pass does besides checking and healing every version.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOptions {
    /// How shard files are checked.
    pub depth: ScanDepth,
    /// Shard files no version or part references are removed once they are this old (younger
    /// ones may belong to a write in flight).
    pub orphan_grace: std::time::Duration,
    /// Multipart uploads started longer ago than this are aborted (`None`: never).
    pub upload_max_age: Option<std::time::Duration>,
    /// The share of wall time the pass may spend working (0 < share <= 1): it sleeps the rest,
    /// so that foreground requests keep the disk and the CPU.
    pub work_share: f64,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            depth: ScanDepth::Cheap,
            orphan_grace: std::time::Duration::from_secs(3600),
            upload_max_age: Some(std::time::Duration::from_secs(7 * 24 * 3600)),
            work_share: 0.05,
        }
    }
}

/// One bucket's contents as the last complete scanner pass counted them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketUsage {
    /// Bucket name.
    pub bucket: String,
    /// Keys whose current version is an object (not a delete marker).
    pub objects: u64,
    /// Versions, delete markers included.
    pub versions: u64,
    /// Delete markers.
    pub delete_markers: u64,
    /// Client bytes of every version.
    pub bytes: u64,
}

/// Sums of what heals repaired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HealTotals {
    /// Versions (or parts) looked at.
    pub checked: u64,
    /// Those that needed and got a repair.
    pub healed: u64,
    /// Those whose heal failed (they stay degraded; the next pass tries again).
    pub failed: u64,
    /// Metadata records written.
    pub records_written: u64,
    /// Stray records removed.
    pub records_removed: u64,
    /// Shard files rebuilt.
    pub shard_files: u64,
    /// Bytes written into rebuilt shard files.
    pub bytes: u64,
}

impl HealTotals {
    /// Adds one version's heal.
    pub fn add(&mut self, r: &std::result::Result<HealReport, crate::Error>) {
        self.checked += 1;
        match r {
            Ok(r) => {
                self.healed += u64::from(r.repaired());
                self.records_written += r.records_written as u64;
                self.records_removed += r.records_removed as u64;
                self.shard_files += r.shard_files as u64;
                self.bytes += r.bytes;
            }
            Err(_) => self.failed += 1,
        }
    }
}

impl std::ops::AddAssign for HealTotals {
    fn add_assign(&mut self, o: HealTotals) {
        self.checked += o.checked;
        self.healed += o.healed;
        self.failed += o.failed;
        self.records_written += o.records_written;
        self.records_removed += o.records_removed;
        self.shard_files += o.shard_files;
        self.bytes += o.bytes;
    }
}

/// What one scanner pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// How it checked shard files.
    pub depth: ScanDepth,
    /// When it started.
    pub started: Option<std::time::SystemTime>,
    /// When it ended (`None` while running).
    pub finished: Option<std::time::SystemTime>,
    /// What the heals of the pass did.
    pub heal: HealTotals,
    /// What the heals of uploaded parts (of uploads in progress) did.
    pub parts: HealTotals,
    /// Unreferenced shard files removed.
    pub orphans_removed: u64,
    /// Remote objects deleted: left by a crash or a failed move, or of versions deleted
    /// while their tier was down.
    pub remote_orphans_removed: u64,
    /// Local copies of remote versions (restores) removed as they expired.
    pub restores_expired: u64,
    /// Their bytes.
    pub orphan_bytes: u64,
    /// Fan-out directories the orphan sweep covered (of 256 per volume).
    pub swept_dirs: u64,
    /// Multipart uploads aborted for their age.
    pub uploads_aborted: u64,
    /// Per bucket, in name order.
    pub usage: Vec<BucketUsage>,
    /// Errors that stopped parts of the pass (each also logged).
    pub errors: Vec<String>,
    /// The first versions whose heal failed, with the reason (at most
    /// [`ScanReport::FAILURES_KEPT`]; all are counted in `heal.failed` and logged).
    pub failures: Vec<String>,
    /// The pass resumed a refill after a restart: it walked only the versions after where
    /// the refill had got, so it neither counts usage nor sweeps.
    pub resumed: bool,
}

/// When the scanner runs, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceConfig {
    /// Time between cheap passes (`None`: only when asked or when a volume was replaced).
    pub scan_interval: Option<std::time::Duration>,
    /// Time between deep passes, which read every shard (`None`: only when asked).
    pub deep_interval: Option<std::time::Duration>,
    /// What each pass does (its `depth` is chosen per pass).
    pub scan: ScanOptions,
    /// How often each serving volume's format record is read back, to find a volume that
    /// is gone, wiped or replaced (a volume an operation failed on is checked at once; a
    /// down one is tried again after 1 s, doubling up to 30 s).
    pub volume_check: std::time::Duration,
}

impl Default for MaintenanceConfig {
    fn default() -> Self {
        MaintenanceConfig {
            scan_interval: Some(std::time::Duration::from_secs(6 * 3600)),
            deep_interval: Some(std::time::Duration::from_secs(30 * 24 * 3600)),
            scan: ScanOptions::default(),
            volume_check: std::time::Duration::from_secs(10),
        }
    }
}

impl ScanReport {
    /// Failed heals named in `failures`.
    pub const FAILURES_KEPT: usize = 10;
}

/// Sums over the scanner's finished passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanTotals {
    /// Cheap passes.
    pub cheap_passes: u64,
    /// Deep passes.
    pub deep_passes: u64,
    /// What their heals did.
    pub heal: HealTotals,
    /// What their heals of uploaded parts did.
    pub parts: HealTotals,
    /// Unreferenced shard files removed.
    pub orphans_removed: u64,
    /// Their bytes.
    pub orphan_bytes: u64,
    /// Remote objects nothing references, deleted.
    pub remote_orphans_removed: u64,
    /// Expired local copies of remote versions, removed.
    pub restores_expired: u64,
    /// Uploads aborted for their age.
    pub uploads_aborted: u64,
}

impl ScanTotals {
    /// Adds one finished pass.
    pub fn add(&mut self, r: &ScanReport) {
        match r.depth {
            ScanDepth::Cheap => self.cheap_passes += 1,
            ScanDepth::Deep => self.deep_passes += 1,
        }
        self.heal += r.heal;
        self.parts += r.parts;
        self.orphans_removed += r.orphans_removed;
        self.orphan_bytes += r.orphan_bytes;
        self.remote_orphans_removed += r.remote_orphans_removed;
        self.restores_expired += r.restores_expired;
        self.uploads_aborted += r.uploads_aborted;
    }
}

/// A volume formatted into a lost one's slot and not yet refilled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildStatus {
    /// Storage class.
    pub class: String,
    /// The directory as configured.
    pub path: std::path::PathBuf,
    /// When it was formatted.
    pub since: std::time::SystemTime,
}

/// What the healer and the scanner are doing and have done.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaintenanceStatus {
    /// What the healer repaired since start (versions reads reported).
    pub healer: HealTotals,
    /// Versions waiting for the healer.
    pub heal_queue: usize,
    /// The pass running now, as far as it got.
    pub scan_running: Option<ScanReport>,
    /// The last finished pass.
    pub last_scan: Option<ScanReport>,
    /// When the last deep pass finished.
    pub last_deep_scan: Option<std::time::SystemTime>,
    /// Time until the next scheduled pass (`None`: none is scheduled).
    pub next_scan_in: Option<std::time::Duration>,
    /// A pass an operator asked for that has not started yet.
    pub scan_requested: Option<ScanDepth>,
    /// Sums over every finished pass since start.
    pub scans: ScanTotals,
    /// Each bucket's usage as the last whole pass counted it (a resumed refill counts none).
    pub usage: Vec<BucketUsage>,
    /// Volumes being refilled.
    pub rebuilding: Vec<RebuildStatus>,
}
