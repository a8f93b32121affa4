//! A store's pod on FaultFs: every volume directory on its own FUSE mount, all mounts on one
//! power supply (a power cut hits every volume at the same instant), and what a test reads
//! off the volumes afterwards (shard files, and the shard ids the indexes reference).
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::IgnoredAny;
use serde::Deserialize;
use strata_faultfs::{Controller, FaultFs, MountOptions, PowerSupply, RestoreMode};
use strata_volume::*;

/// The layout of [`Pod`]: `fast` (2+2 over 4 volumes, the namespace class) and `bulk`
/// (mirror over 2), as `Dirs::two_classes`.
pub const CLASSES: &[(&str, usize, Option<Scheme>)] = &[
    ("fast", 4, Some(Scheme::Erasure { data: 2, parity: 2 })),
    ("bulk", 2, Some(Scheme::Mirror)),
];

/// One volume: its backing directory (what survives) and its mountpoint.
pub struct Volume {
    pub class: &'static str,
    pub backing: PathBuf,
    pub mnt: PathBuf,
}

/// The volumes of one store, and their mounts while mounted.
pub struct Pod {
    _tmp: tempfile::TempDir,
    pub volumes: Vec<Volume>,
    mounts: Vec<FaultFs>,
    power: PowerSupply,
}

impl Pod {
    /// Empty volumes, not mounted. Panics (never skips) when FUSE is missing.
    pub fn new() -> Pod {
        if let Err(e) = FaultFs::check_available() {
            panic!("the power-loss and fault tests need FUSE: {e}");
        }
        // tmpfs where there is one: a restore rewrites each volume's 258 directories, which
        // costs ten times more on a loaded ext4.
        let shm = Path::new("/dev/shm");
        let tmp = if shm.is_dir() {
            tempfile::tempdir_in(shm)
        } else {
            tempfile::tempdir()
        };
        let tmp = tmp.expect("temp dir");
        let mut volumes = Vec::new();
        for (class, count, _) in CLASSES {
            for i in 0..*count {
                let rel = Path::new(class).join(i.to_string());
                let v = Volume {
                    class,
                    backing: tmp.path().join("disks").join(&rel),
                    mnt: tmp.path().join("mnt").join(&rel),
                };
                std::fs::create_dir_all(&v.backing).expect("backing dir");
                std::fs::create_dir_all(&v.mnt).expect("mountpoint");
                volumes.push(v);
            }
        }
        Pod {
            _tmp: tmp,
            volumes,
            mounts: Vec::new(),
            power: PowerSupply::new(),
        }
    }

    /// A pod whose disks start as copies of `template`'s (which must not be mounted).
    pub fn copy_of(template: &Pod) -> Pod {
        let pod = Pod::new();
        for (from, to) in template.volumes.iter().zip(&pod.volumes) {
            copy_tree(&from.backing, &to.backing);
        }
        pod
    }

    /// Mounts every volume on a fresh power supply, shared by all of them.
    pub fn mount(&mut self) {
        assert!(self.mounts.is_empty(), "already mounted");
        self.power = PowerSupply::new();
        for v in &self.volumes {
            let opts = MountOptions {
                power: Some(self.power.clone()),
                ..MountOptions::default()
            };
            self.mounts
                .push(FaultFs::mount(&v.backing, &v.mnt, opts).expect("mount"));
        }
    }

    /// The pod's power (valid while mounted).
    pub fn power(&self) -> &PowerSupply {
        &self.power
    }

    /// The fault knobs of volume `i` (in [`Pod::volumes`] order).
    pub fn controller(&self, i: usize) -> Controller {
        self.mounts[i].controller()
    }

    /// Cuts power everywhere (if not yet cut) and leaves each disk as a power cut would:
    /// `Partial` seeds differ per volume.
    pub fn restore(&mut self, mode: RestoreMode) {
        for (i, fs) in self.mounts.drain(..).enumerate() {
            let mode = match mode {
                RestoreMode::Partial { seed } => RestoreMode::Partial {
                    seed: seed.wrapping_mul(31).wrapping_add(i as u64),
                },
                m => m,
            };
            fs.unmount_and_restore(mode).expect("unmount and restore");
        }
    }

    /// Unmounts, keeping everything written.
    pub fn unmount(&mut self) {
        for fs in self.mounts.drain(..) {
            fs.unmount().expect("unmount");
        }
    }

    /// A store config over the mountpoints (`mounted`) or straight over the backing
    /// directories. Multipart parts may be small, so that the workload stays quick.
    pub fn config(&self, mounted: bool) -> StoreConfig {
        let classes = CLASSES
            .iter()
            .map(|(name, _, scheme)| ClassConfig {
                name: name.to_string(),
                volumes: self
                    .volumes
                    .iter()
                    .filter(|v| v.class == *name)
                    .map(|v| if mounted { &v.mnt } else { &v.backing }.clone())
                    .collect(),
                scheme: *scheme,
            })
            .collect();
        let mut cfg = StoreConfig::new(classes);
        cfg.min_part_size = 64 * 1024;
        cfg
    }

    /// Every file under each volume's `.strata/data`, by volume index: names per fan-out
    /// directory, as `xx/name`.
    pub fn data_files(&self) -> Vec<BTreeSet<String>> {
        self.volumes
            .iter()
            .map(|v| crate::common::shard_names(&v.backing))
            .collect()
    }

    /// The shard ids (`xx/<32 hex>`) that version and part records reference, per class, as
    /// the namespace volumes' indexes hold them (read with redb directly; the store must be
    /// closed).
    pub fn referenced(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for v in self.volumes.iter().filter(|v| v.class == CLASSES[0].0) {
            let path = v.backing.join(format::STRATA_DIR).join("meta.redb");
            for (class, id) in index_references(&path) {
                out.entry(class).or_default().insert(shard_name(&id));
            }
        }
        out
    }
}

impl Drop for Pod {
    fn drop(&mut self) {
        // FaultFs unmounts on drop; do it before the temp dir goes.
        self.mounts.clear();
    }
}

/// `xx/<hex>` of a shard id, as FORMAT.md lays shard files out.
pub fn shard_name(id: &[u8; 16]) -> String {
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}/{hex}", &hex[..2])
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().expect("file type").is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// Drops the store on another thread and waits at most `limit` for it: a drop that hangs
/// (on a dead mount, say) fails the test instead of hanging it.
pub fn drop_within(store: Store, limit: Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(store);
        let _ = tx.send(());
    });
    if rx.recv_timeout(limit).is_err() {
        panic!("dropping the store took more than {limit:?}");
    }
}

// The records of FORMAT.md ("Records"), as far as shard references go: one version byte,
// then a MessagePack array of every field in order.

#[derive(Deserialize)]
struct VersionRec {
    _version_id: IgnoredAny,
    _mod_time_ns: IgnoredAny,
    _delete_marker: IgnoredAny,
    _size: IgnoredAny,
    _etag: IgnoredAny,
    _meta: IgnoredAny,
    _tags: IgnoredAny,
    _checksums: IgnoredAny,
    _internal: IgnoredAny,
    data: Option<DataRec>,
    #[serde(default)]
    _access: IgnoredAny,
    /// Record version 6: the object lock.
    #[serde(default)]
    _lock: IgnoredAny,
}

#[derive(Deserialize)]
struct DataRec {
    class: String,
    _k: IgnoredAny,
    _m: IgnoredAny,
    _block_size: IgnoredAny,
    _rotation: IgnoredAny,
    parts: Vec<PartData>,
    _inline: IgnoredAny,
    /// Record version 5: the completed upload's id.
    #[serde(default)]
    _upload: IgnoredAny,
}

#[derive(Deserialize)]
struct PartData {
    _number: IgnoredAny,
    _size: IgnoredAny,
    _etag: IgnoredAny,
    _checksums: IgnoredAny,
    data_id: Option<[u8; 16]>,
    #[serde(default)]
    _object_size: IgnoredAny,
}

#[derive(Deserialize)]
struct PartRec {
    _mod_time_ns: IgnoredAny,
    data: PartData,
}

#[derive(Deserialize)]
struct UploadRec {
    _initiated_ns: IgnoredAny,
    class: String,
    _meta: IgnoredAny,
    _tags: IgnoredAny,
    _checksums: IgnoredAny,
    _internal: IgnoredAny,
    #[serde(default)]
    _access: IgnoredAny,
    /// Record version 6: the object lock.
    #[serde(default)]
    _lock: IgnoredAny,
}

fn decode<T: for<'de> Deserialize<'de>>(value: &[u8]) -> T {
    rmp_serde::from_slice(&value[1..]).expect("a record of FORMAT.md")
}

/// (class, shard id) of every version and part record of one index.
pub fn index_references(path: &Path) -> Vec<(String, [u8; 16])> {
    use redb::{ReadableDatabase, ReadableTable, TableDefinition};
    let table = |name| TableDefinition::<&[u8], &[u8]>::new(name);
    let db = redb::Database::open(path).expect("open meta.redb");
    let txn = db.begin_read().expect("read txn");
    let mut out = Vec::new();
    let versions = txn.open_table(table("versions")).expect("versions");
    for entry in versions.iter().expect("iter") {
        let (_, v) = entry.expect("entry");
        let Some(data) = decode::<VersionRec>(v.value()).data else {
            continue;
        };
        for p in data.parts {
            out.extend(p.data_id.map(|id| (data.class.clone(), id)));
        }
    }
    // Parts belong to an upload (key: upload id NUL part number); the upload names the class.
    let mut class_of = BTreeMap::new();
    let uploads = txn.open_table(table("uploads")).expect("uploads");
    for entry in uploads.iter().expect("iter") {
        let (k, v) = entry.expect("entry");
        let id = k
            .value()
            .rsplit(|b| *b == 0)
            .next()
            .expect("upload id")
            .to_vec();
        class_of.insert(id, decode::<UploadRec>(v.value()).class);
    }
    let parts = txn.open_table(table("parts")).expect("parts");
    for entry in parts.iter().expect("iter") {
        let (k, v) = entry.expect("entry");
        let upload = k.value().split(|b| *b == 0).next().expect("upload id");
        let class = class_of.get(upload).cloned().unwrap_or_default();
        out.extend(
            decode::<PartRec>(v.value())
                .data
                .data_id
                .map(|id| (class, id)),
        );
    }
    out
}

/// Each namespace volume's index, table by table (keys only, NUL shown as `/`): what a
/// failure message shows so that a split between volumes can be seen.
pub fn index_keys(pod: &Pod) -> String {
    use redb::{ReadableDatabase, ReadableTable, TableDefinition};
    let mut out = String::new();
    for v in pod.volumes.iter().filter(|v| v.class == CLASSES[0].0) {
        let path = v.backing.join(format::STRATA_DIR).join("meta.redb");
        out.push_str(&format!("{}:\n", v.backing.display()));
        let Ok(db) = redb::Database::open(&path) else {
            out.push_str("  (no index)\n");
            continue;
        };
        let txn = db.begin_read().expect("read txn");
        for name in ["latest", "versions", "uploads", "parts"] {
            let Ok(t) = txn.open_table(TableDefinition::<&[u8], &[u8]>::new(name)) else {
                continue;
            };
            let keys: Vec<String> = t
                .iter()
                .expect("iter")
                .flatten()
                .map(|(k, v)| {
                    let k = k.value();
                    let text: String = k
                        .iter()
                        .map(|&b| match b {
                            0 => '/',
                            32..=126 => b as char,
                            _ => '.',
                        })
                        .collect();
                    format!("{text}({}B)", v.value().len())
                })
                .collect();
            out.push_str(&format!("  {name}: {}\n", keys.join(" ")));
        }
    }
    out
}
