//! The power-loss workload: a fixed list of S3 operations, a model of what each acknowledged
//! one leaves, and what a store shows of the same things, to compare the two.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;

use strata_volume::*;

use crate::common::{content, get_version, md5_of, put_in, upload_part};

pub const PLAIN: &str = "plain";
pub const VERSIONED: &str = "versioned";

/// One operation of the workload. Later steps name earlier ones by index.
#[derive(Debug, Clone)]
pub enum Step {
    CreateBucket(&'static str),
    EnableVersioning(&'static str),
    Put {
        bucket: &'static str,
        key: &'static str,
        class: Option<&'static str>,
        seed: u64,
        len: usize,
    },
    /// Without a version id: the null version goes, or a delete marker comes.
    Delete {
        bucket: &'static str,
        key: &'static str,
    },
    /// The version the `Put` at index `put` made.
    DeleteVersion {
        bucket: &'static str,
        key: &'static str,
        put: usize,
    },
    CreateUpload {
        key: &'static str,
        class: Option<&'static str>,
    },
    /// A part of the upload the `CreateUpload` at index `upload` started.
    UploadPart {
        upload: usize,
        n: u32,
        seed: u64,
        len: usize,
    },
    Complete {
        upload: usize,
        parts: &'static [u32],
    },
}

const KIB: usize = 1024;

/// Small objects stay inline (< 128 KiB); large ones take more than one 1 MiB block.
pub fn workload() -> Vec<Step> {
    use Step::*;
    let put = |bucket, key, class, seed, len| Put {
        bucket,
        key,
        class,
        seed,
        len,
    };
    vec![
        CreateBucket(PLAIN),
        CreateBucket(VERSIONED),
        EnableVersioning(VERSIONED),
        put(PLAIN, "small", None, 1, 5 * KIB),
        put(PLAIN, "large", None, 2, 1200 * KIB),
        put(PLAIN, "mirrored", Some("bulk"), 3, 1100 * KIB),
        put(PLAIN, "small", None, 4, 40 * KIB),
        put(PLAIN, "large", None, 5, 1300 * KIB),
        CreateUpload {
            key: "multi",
            class: None,
        },
        UploadPart {
            upload: 8,
            n: 1,
            seed: 6,
            len: 300 * KIB,
        },
        UploadPart {
            upload: 8,
            n: 2,
            seed: 7,
            len: 150 * KIB,
        },
        Complete {
            upload: 8,
            parts: &[1, 2],
        },
        Delete {
            bucket: PLAIN,
            key: "mirrored",
        },
        put(VERSIONED, "v", None, 8, 3 * KIB),
        put(VERSIONED, "v", None, 9, 1150 * KIB),
        put(VERSIONED, "v", None, 10, 7 * KIB),
        DeleteVersion {
            bucket: VERSIONED,
            key: "v",
            put: 13,
        },
        Delete {
            bucket: VERSIONED,
            key: "v",
        },
        DeleteVersion {
            bucket: VERSIONED,
            key: "v",
            put: 14,
        },
        CreateUpload {
            key: "left-open",
            class: Some("bulk"),
        },
        UploadPart {
            upload: 19,
            n: 1,
            seed: 11,
            len: 120 * KIB,
        },
        put(PLAIN, "small", Some("bulk"), 12, 1050 * KIB),
        Delete {
            bucket: PLAIN,
            key: "large",
        },
    ]
}

/// What an acknowledged step returned that later steps and the model need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ack {
    Nothing,
    Version(String),
    Upload(String),
}

/// How far a run got: the acknowledged steps in order, then the one that failed (if any).
#[derive(Debug)]
pub struct Run {
    pub acked: Vec<Ack>,
    pub failed: Option<Error>,
}

/// Runs `steps` until one fails.
pub async fn run(store: &Store, steps: &[Step]) -> Run {
    let mut acked = Vec::new();
    for step in steps {
        match run_step(store, step, &acked).await {
            Ok(ack) => acked.push(ack),
            Err(e) => {
                return Run {
                    acked,
                    failed: Some(e),
                }
            }
        }
    }
    Run {
        acked,
        failed: None,
    }
}

fn version_of(acked: &[Ack], i: usize) -> &str {
    match &acked[i] {
        Ack::Version(v) => v,
        other => panic!("step {i} made no version: {other:?}"),
    }
}

fn upload_of(acked: &[Ack], i: usize) -> &str {
    match &acked[i] {
        Ack::Upload(u) => u,
        other => panic!("step {i} started no upload: {other:?}"),
    }
}

/// The key of the upload started at `upload`.
fn upload_key(steps: &[Step], upload: usize) -> &'static str {
    match &steps[upload] {
        Step::CreateUpload { key, .. } => key,
        other => panic!("step {upload} is not an upload: {other:?}"),
    }
}

async fn run_step(store: &Store, step: &Step, acked: &[Ack]) -> Result<Ack, Error> {
    let steps = workload();
    match *step {
        Step::CreateBucket(b) => store.create_bucket(b, None).await.map(|_| Ack::Nothing),
        Step::EnableVersioning(b) => store
            .set_versioning(b, Versioning::Enabled)
            .await
            .map(|_| Ack::Nothing),
        Step::Put {
            bucket,
            key,
            class,
            seed,
            len,
        } => {
            let data = content(seed, len);
            let opts = PutOptions::default();
            let info = put_in(store, bucket, key, class, &data, 64 * KIB, opts).await?;
            Ok(Ack::Version(info.version_id))
        }
        Step::Delete { bucket, key } => {
            let out = store.delete_object(bucket, key, None).await?;
            Ok(out.version_id.map_or(Ack::Nothing, Ack::Version))
        }
        Step::DeleteVersion { bucket, key, put } => store
            .delete_object(bucket, key, Some(version_of(acked, put)))
            .await
            .map(|_| Ack::Nothing),
        Step::CreateUpload { key, class } => {
            let opts = UploadOptions {
                storage_class: class.map(Into::into),
                ..UploadOptions::default()
            };
            let id = store.create_multipart_upload(PLAIN, key, opts).await?;
            Ok(Ack::Upload(id))
        }
        Step::UploadPart {
            upload,
            n,
            seed,
            len,
        } => {
            let (key, id) = (upload_key(&steps, upload), upload_of(acked, upload));
            let data = content(seed, len);
            upload_part(store, PLAIN, key, id, n, &data, 64 * KIB).await?;
            Ok(Ack::Nothing)
        }
        Step::Complete { upload, parts } => {
            let (key, id) = (upload_key(&steps, upload), upload_of(acked, upload));
            let parts = parts
                .iter()
                .map(|&n| CompletedPart {
                    part_number: n,
                    etag: md5_of(&part_data(&steps, upload, n)),
                })
                .collect();
            let info = store
                .complete_multipart_upload(PLAIN, key, id, parts, None)
                .await?;
            Ok(Ack::Version(info.version_id))
        }
    }
}

/// The bytes of part `n` of the upload started at `upload`.
fn part_data(steps: &[Step], upload: usize, n: u32) -> Vec<u8> {
    steps
        .iter()
        .find_map(|s| match *s {
            Step::UploadPart {
                upload: u,
                n: m,
                seed,
                len,
            } if u == upload && m == n => Some(content(seed, len)),
            _ => None,
        })
        .expect("the part is in the workload")
}

/// One version: its id (`None`: not known, the step was in flight) and bytes (`None`: a
/// delete marker).
#[derive(Clone, PartialEq, Eq)]
pub struct Version {
    pub id: Option<String>,
    pub data: Option<Vec<u8>>,
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id.as_deref().unwrap_or("?");
        match &self.data {
            None => write!(f, "{id}:marker"),
            Some(d) => write!(f, "{id}:{}B:{}", d.len(), &md5_of(d)[..8]),
        }
    }
}

/// An upload in progress: its id (`None`: not known) and its parts' ETags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: Option<String>,
    pub parts: BTreeMap<u32, String>,
}

/// What a store holds of the workload's buckets, keys and uploads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    /// Bucket -> versioning enabled.
    pub buckets: BTreeMap<String, bool>,
    /// (bucket, key) -> versions, newest first. Keys without versions are absent.
    pub objects: BTreeMap<(String, String), Vec<Version>>,
    /// (bucket, key) -> the key's uploads.
    pub uploads: BTreeMap<(String, String), Vec<Upload>>,
}

impl World {
    /// What the model expects: the world after every acknowledged step, and, if a step was
    /// in flight when power went, the world after that one too (either may be found).
    pub fn expected(steps: &[Step], acked: &[Ack]) -> (World, Option<World>) {
        let mut before = World::default();
        for i in 0..acked.len() {
            before.apply(steps, i, acked);
        }
        let after = (acked.len() < steps.len()).then(|| {
            let mut w = before.clone();
            w.apply(steps, acked.len(), acked);
            w
        });
        (before, after)
    }

    /// Applies step `i`; `acked[i]` is what it returned, absent when it was in flight.
    fn apply(&mut self, steps: &[Step], i: usize, acked: &[Ack]) {
        let new_id = match acked.get(i) {
            Some(Ack::Version(v) | Ack::Upload(v)) => Some(v.clone()),
            _ => None,
        };
        match steps[i] {
            Step::CreateBucket(b) => {
                self.buckets.insert(b.into(), false);
            }
            Step::EnableVersioning(b) => {
                self.buckets.insert(b.into(), true);
            }
            Step::Put {
                bucket,
                key,
                seed,
                len,
                ..
            } => self.add_version(bucket, key, new_id, Some(content(seed, len))),
            Step::Delete { bucket, key } if self.buckets[bucket] => {
                self.add_version(bucket, key, new_id, None)
            }
            Step::Delete { bucket, key } => {
                self.objects.remove(&(bucket.into(), key.into()));
            }
            Step::DeleteVersion { bucket, key, put } => {
                let id = version_of(acked, put);
                let k = (bucket.to_string(), key.to_string());
                let versions = self.objects.entry(k.clone()).or_default();
                versions.retain(|v| v.id.as_deref() != Some(id));
                if versions.is_empty() {
                    self.objects.remove(&k);
                }
            }
            Step::CreateUpload { key, .. } => {
                self.uploads
                    .entry((PLAIN.into(), key.into()))
                    .or_default()
                    .push(Upload {
                        id: new_id,
                        parts: BTreeMap::new(),
                    });
            }
            Step::UploadPart {
                upload,
                n,
                seed,
                len,
            } => {
                let key = upload_key(steps, upload);
                let ups = self.uploads.get_mut(&(PLAIN.into(), key.into()));
                let up = ups.and_then(|u| u.last_mut()).expect("upload in the model");
                up.parts.insert(n, md5_of(&content(seed, len)));
            }
            Step::Complete { upload, parts } => {
                let key = upload_key(steps, upload);
                self.uploads.remove(&(PLAIN.into(), key.into()));
                let data = parts
                    .iter()
                    .flat_map(|&n| part_data(steps, upload, n))
                    .collect();
                self.add_version(PLAIN, key, new_id, Some(data));
            }
        }
    }

    fn add_version(&mut self, bucket: &str, key: &str, id: Option<String>, data: Option<Vec<u8>>) {
        let versioned = self.buckets[bucket];
        let versions = self.objects.entry((bucket.into(), key.into())).or_default();
        if !versioned {
            versions.clear();
        }
        let id = if versioned { id } else { Some("null".into()) };
        versions.insert(0, Version { id, data });
    }

    /// Whether `seen` is this world, ids the model does not know matching any id.
    pub fn admits(&self, seen: &World) -> bool {
        let same_id = |want: &Option<String>, got: &Option<String>| want.is_none() || want == got;
        let versions = |a: &[Version], b: &[Version]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(a, b)| same_id(&a.id, &b.id) && a.data == b.data)
        };
        let uploads = |a: &[Upload], b: &[Upload]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(a, b)| same_id(&a.id, &b.id) && a.parts == b.parts)
        };
        self.buckets == seen.buckets
            && self.objects.len() == seen.objects.len()
            && self
                .objects
                .iter()
                .zip(&seen.objects)
                .all(|((k, a), (l, b))| k == l && versions(a, b))
            && self.uploads.len() == seen.uploads.len()
            && self
                .uploads
                .iter()
                .zip(&seen.uploads)
                .all(|((k, a), (l, b))| k == l && uploads(a, b))
    }
}

/// What a step may change: one key (its versions and uploads), or a whole bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Bucket(String),
    Key(String, String),
}

impl Scope {
    pub fn of(step: &Step, steps: &[Step]) -> Scope {
        let key = |b: &str, k: &str| Scope::Key(b.into(), k.into());
        match *step {
            Step::CreateBucket(b) | Step::EnableVersioning(b) => Scope::Bucket(b.into()),
            Step::Put { bucket, key: k, .. }
            | Step::Delete { bucket, key: k }
            | Step::DeleteVersion { bucket, key: k, .. } => key(bucket, k),
            Step::CreateUpload { key: k, .. } => key(PLAIN, k),
            Step::UploadPart { upload, .. } | Step::Complete { upload, .. } => {
                key(PLAIN, upload_key(steps, upload))
            }
        }
    }

    pub fn covers(&self, bucket: &str, key: &str) -> bool {
        match self {
            Scope::Bucket(b) => b == bucket,
            Scope::Key(b, k) => b == bucket && k == key,
        }
    }
}

impl World {
    /// This world without what `scope` covers.
    pub fn without(&self, scope: &Scope) -> World {
        let mut w = self.clone();
        if let Scope::Bucket(b) = scope {
            w.buckets.remove(b);
        }
        w.objects.retain(|(b, k), _| !scope.covers(b, k));
        w.uploads.retain(|(b, k), _| !scope.covers(b, k));
        w
    }
}

/// What a store showed, and where it contradicted itself: a listed version or key that does
/// not read or reads other bytes than listed, a current version other than the listed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub world: World,
    /// (bucket, key, what).
    pub contradictions: Vec<(String, String, String)>,
}

impl Seen {
    fn contradict(&mut self, bucket: &str, key: &str, what: String) {
        self.contradictions.push((bucket.into(), key.into(), what));
    }
}

/// What `store` shows of the world: buckets, every version of every key (each read back by
/// its id), and uploads with their parts.
pub async fn observe(store: &Store) -> Seen {
    let mut seen = Seen {
        world: World::default(),
        contradictions: Vec::new(),
    };
    for b in store.list_buckets().await.expect("list buckets") {
        let versioned = b.versioning == Versioning::Enabled;
        seen.world.buckets.insert(b.name.clone(), versioned);
        observe_versions(store, &b.name, &mut seen).await;
        observe_uploads(store, &b.name, &mut seen).await;
        check_listing(store, &b.name, &mut seen).await;
    }
    seen
}

async fn observe_versions(store: &Store, bucket: &str, seen: &mut Seen) {
    let opts = ListVersionsOptions {
        max_keys: 1000,
        ..ListVersionsOptions::default()
    };
    let page = store
        .list_object_versions(bucket, opts)
        .await
        .expect("list versions");
    assert!(!page.is_truncated);
    for v in page.versions {
        let data = if v.delete_marker {
            None
        } else {
            match get_version(store, bucket, &v.key, Some(&v.version_id)).await {
                Ok(got) => {
                    if got.len() as u64 != v.size {
                        let what = format!(
                            "version {} is listed with {} bytes and reads {}",
                            v.version_id,
                            v.size,
                            got.len()
                        );
                        seen.contradict(bucket, &v.key, what);
                    }
                    Some(got)
                }
                Err(e) => {
                    let what = format!("version {} is listed and does not read: {e}", v.version_id);
                    seen.contradict(bucket, &v.key, what);
                    continue;
                }
            }
        };
        seen.world
            .objects
            .entry((bucket.into(), v.key.clone()))
            .or_default()
            .push(Version {
                id: Some(v.version_id),
                data,
            });
    }
}

async fn observe_uploads(store: &Store, bucket: &str, seen: &mut Seen) {
    let opts = ListUploadsOptions {
        max_uploads: 1000,
        ..ListUploadsOptions::default()
    };
    let page = store
        .list_multipart_uploads(bucket, opts)
        .await
        .expect("list uploads");
    for u in page.uploads {
        let parts = match store
            .list_parts(bucket, &u.key, &u.upload_id, 0, 1000)
            .await
        {
            Ok(p) => p.parts,
            Err(e) => {
                let what = format!("upload {} is listed, its parts are not: {e}", u.upload_id);
                seen.contradict(bucket, &u.key, what);
                continue;
            }
        };
        seen.world
            .uploads
            .entry((bucket.into(), u.key.clone()))
            .or_default()
            .push(Upload {
                id: Some(u.upload_id),
                parts: parts.into_iter().map(|p| (p.part_number, p.etag)).collect(),
            });
    }
}

/// ListObjects names exactly the keys whose current version is an object, and a plain GET
/// of each reads that version; every other key is NoSuchKey.
async fn check_listing(store: &Store, bucket: &str, seen: &mut Seen) {
    let listed: Vec<String> = crate::common::list_all(store, bucket, "", None, 1000)
        .await
        .0;
    let current: Vec<String> = seen
        .world
        .objects
        .iter()
        .filter(|((b, _), v)| b == bucket && v.first().is_some_and(|v| v.data.is_some()))
        .map(|((_, k), _)| k.clone())
        .collect();
    for k in listed.iter().filter(|k| !current.contains(k)) {
        let what = "ListObjects lists it, its newest version is no object".to_string();
        seen.contradict(bucket, k, what);
    }
    for k in current.iter().filter(|k| !listed.contains(k)) {
        let what = "ListObjects leaves it out, its newest version is an object".to_string();
        seen.contradict(bucket, k, what);
    }
    let objects: Vec<_> = seen
        .world
        .objects
        .iter()
        .filter(|((b, _), _)| b == bucket)
        .map(|((_, k), v)| (k.clone(), v[0].data.clone()))
        .collect();
    for (key, newest) in objects {
        let got = crate::common::get(store, bucket, &key).await;
        let what = match (&newest, got) {
            (Some(want), Ok(got)) if &got == want => continue,
            (None, Err(Error::Refused(Refusal::NoSuchKey { .. }))) => continue,
            (want, got) => format!(
                "newest version {:?} bytes, GET {:?}",
                want.as_ref().map(Vec::len),
                got.map(|g| g.len())
            ),
        };
        seen.contradict(bucket, &key, what);
    }
}
