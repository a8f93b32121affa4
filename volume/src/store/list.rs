//! ListObjects and ListObjectVersions: each namespace volume scans its index, the pages are
//! merged under a read quorum.

use futures::future::join_all;

use super::merge::{merge, Item, Page};
use super::{Inner, Store};
use crate::disk::meta_db::{MetaDb, Step, Table};
use crate::error::{Error, Result};
use crate::keys;
use crate::record::{self, time_of, version_text, LatestRecord, VersionRecord};
use crate::types::*;

/// Largest page a listing returns.
pub const MAX_LIST_KEYS: usize = 1000;

/// A listed entry before merging.
#[derive(Debug, Clone)]
pub(super) enum Entry<T> {
    Prefix,
    Value(T),
}

/// Where a scan over `bucket NUL prefix...` starts, given "continue after `marker`".
/// A marker inside a common prefix skips the whole prefix: it was listed already.
pub(super) fn scan_start(
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
    marker: Option<&str>,
) -> Vec<u8> {
    let at_prefix = keys::join(bucket, prefix.as_bytes());
    let Some(m) = marker.filter(|m| *m >= prefix) else {
        return at_prefix;
    };
    if let Some(cp) = common_prefix(prefix, delimiter, m) {
        return keys::after_prefix(&keys::join(bucket, cp.as_bytes()));
    }
    let mut k = keys::join(bucket, m.as_bytes());
    k.push(0); // the smallest key after `m`
    k
}

/// The common prefix `name` rolls up into, if any.
pub(super) fn common_prefix<'a>(
    prefix: &str,
    delimiter: Option<&str>,
    name: &'a str,
) -> Option<&'a str> {
    let d = delimiter.filter(|d| !d.is_empty())?;
    let rest = name.get(prefix.len()..)?;
    rest.find(d)
        .map(|pos| &name[..prefix.len() + pos + d.len()])
}

/// Scans one volume's current versions.
fn scan_objects(
    m: &MetaDb,
    bucket: &str,
    o: &ListOptions,
    limit: usize,
) -> Result<Page<Entry<LatestRecord>>> {
    let base = keys::join(bucket, b"");
    let full_prefix = keys::join(bucket, o.prefix.as_bytes());
    let mut items = Vec::new();
    let start = scan_start(
        bucket,
        &o.prefix,
        o.delimiter.as_deref(),
        o.start_after.as_deref(),
    );
    m.scan(Table::Latest, &start, |k, v| {
        if !k.starts_with(&full_prefix) {
            return Ok(Step::Stop);
        }
        let Ok(name) = std::str::from_utf8(&k[base.len()..]) else {
            return Ok(Step::Next);
        };
        let rec: LatestRecord = record::decode(v)?;
        let prefix = common_prefix(&o.prefix, o.delimiter.as_deref(), name);
        // A key whose newest version is a delete marker is listed too (and dropped after
        // the merge): where volumes disagree, its marker must outvote an older version that
        // other volumes still list, as a GET's resolution does.
        if rec.delete_marker && prefix.is_some() {
            return Ok(Step::Next);
        }
        let step = if let Some(cp) = prefix {
            items.push(Item {
                name: cp.to_string(),
                sub: vec![],
                rank: 0,
                value: Entry::Prefix,
            });
            Step::Seek(keys::after_prefix(&keys::join(bucket, cp.as_bytes())))
        } else {
            let rank = rank_of(rec.mod_time_ns, &rec.version_id);
            items.push(Item {
                name: name.to_string(),
                sub: vec![],
                rank,
                value: Entry::Value(rec),
            });
            Step::Next
        };
        Ok(if items.len() > limit {
            Step::Stop
        } else {
            step
        })
    })?;
    let truncated = items.len() > limit;
    items.truncate(limit);
    Ok(Page { items, truncated })
}

fn rank_of(mod_time_ns: u64, id: &[u8; 16]) -> u128 {
    let mut low = [0u8; 8];
    low.copy_from_slice(&id[..8]);
    (u128::from(mod_time_ns) << 64) | u128::from(u64::from_be_bytes(low))
}

/// Scans one volume's versions.
fn scan_versions(
    m: &MetaDb,
    bucket: &str,
    o: &ListVersionsOptions,
    limit: usize,
) -> Result<Page<Entry<VersionRecord>>> {
    let base = keys::join(bucket, b"");
    let full_prefix = keys::join(bucket, o.prefix.as_bytes());
    let mut start = scan_start(
        bucket,
        &o.prefix,
        o.delimiter.as_deref(),
        o.key_marker.as_deref(),
    );
    // Resuming inside a key's versions: start right after the marker version.
    if let (Some(km), Some(vm)) = (&o.key_marker, &o.version_id_marker) {
        if common_prefix(&o.prefix, o.delimiter.as_deref(), km).is_none() {
            let id = record::parse_version(vm)
                .ok_or_else(|| Error::argument(format!("invalid version id marker {vm:?}")))?;
            let vprefix = keys::versions_of(bucket, km);
            let mut found = None;
            m.scan(Table::Versions, &vprefix, |k, _| {
                if !k.starts_with(&vprefix) {
                    return Ok(Step::Stop);
                }
                if k.ends_with(&id) {
                    found = Some(k.to_vec());
                    return Ok(Step::Stop);
                }
                Ok(Step::Next)
            })?;
            if let Some(mut k) = found {
                k.push(0);
                start = k;
            }
        }
    }
    let mut items = Vec::new();
    m.scan(Table::Versions, &start, |k, v| {
        if !k.starts_with(&full_prefix) {
            return Ok(Step::Stop);
        }
        let Some(name) = keys::object_of_version(bucket, k) else {
            return Ok(Step::Next);
        };
        let sub = k[base.len() + name.len() + 1..].to_vec();
        let step = if let Some(cp) = common_prefix(&o.prefix, o.delimiter.as_deref(), &name) {
            items.push(Item {
                name: cp.to_string(),
                sub: vec![],
                rank: 0,
                value: Entry::Prefix,
            });
            Step::Seek(keys::after_prefix(&keys::join(bucket, cp.as_bytes())))
        } else {
            let rec: VersionRecord = record::decode(v)?;
            let rank = rank_of(rec.mod_time_ns, &rec.version_id);
            items.push(Item {
                name,
                sub,
                rank,
                value: Entry::Value(rec),
            });
            Step::Next
        };
        Ok(if items.len() > limit {
            Step::Stop
        } else {
            step
        })
    })?;
    let truncated = items.len() > limit;
    items.truncate(limit);
    Ok(Page { items, truncated })
}

impl Inner {
    /// Runs `scan` on every namespace volume in parallel threads and merges the pages.
    pub(super) async fn scan_merge<T, F>(
        &self,
        limit: usize,
        scan: F,
    ) -> Result<super::merge::Merged<Entry<T>>>
    where
        T: Clone + Send + 'static,
        F: Fn(&MetaDb) -> Result<Page<Entry<T>>> + Send + Sync + Clone + 'static,
    {
        let ns = self.ns();
        let tasks = ns.online().map(|(_, v)| {
            let (v, scan) = (v.clone(), scan.clone());
            tokio::task::spawn_blocking(move || v.meta().and_then(&scan))
        });
        let mut pages = Vec::new();
        for r in join_all(tasks).await {
            match r {
                Ok(Ok(p)) => pages.push(p),
                Ok(Err(e)) => tracing::warn!(error = %e, "listing failed on a volume"),
                Err(e) => tracing::warn!(error = %e, "listing task failed"),
            }
        }
        self.enough(pages.len())?;
        Ok(merge(pages, ns.meta_read_quorum(), limit))
    }
}

impl Store {
    /// Lists current versions in key order, with common prefixes.
    pub async fn list_objects(&self, bucket: &str, opts: ListOptions) -> Result<ListPage> {
        self.inner.bucket(bucket)?;
        let limit = opts.max_keys.min(MAX_LIST_KEYS);
        if limit == 0 {
            return Ok(ListPage::default());
        }
        let b = bucket.to_string();
        let merged = self
            .inner
            .scan_merge(limit, move |m| scan_objects(m, &b, &opts, limit))
            .await?;
        let mut page = ListPage {
            is_truncated: merged.next.is_some(),
            next_marker: merged.next.map(|n| n.0),
            ..Default::default()
        };
        for item in merged.items {
            match item.value {
                Entry::Prefix => page.common_prefixes.push(item.name),
                Entry::Value(r) if r.delete_marker => {}
                Entry::Value(r) => page.objects.push(ObjectSummary {
                    key: item.name,
                    size: r.size,
                    etag: r.etag,
                    last_modified: time_of(r.mod_time_ns),
                    storage_class: r.class,
                    version_id: version_text(&r.version_id),
                }),
            }
        }
        Ok(page)
    }

    /// Lists versions and delete markers: keys in order, each key's versions newest first.
    pub async fn list_object_versions(
        &self,
        bucket: &str,
        opts: ListVersionsOptions,
    ) -> Result<VersionsPage> {
        self.inner.bucket(bucket)?;
        let limit = opts.max_keys.min(MAX_LIST_KEYS);
        if limit == 0 {
            return Ok(VersionsPage::default());
        }
        let b = bucket.to_string();
        // A page that resumes inside this key starts below its newest version.
        let resumed_in = opts.version_id_marker.as_ref().and(opts.key_marker.clone());
        let merged = self
            .inner
            .scan_merge(limit, move |m| scan_versions(m, &b, &opts, limit))
            .await?;
        let mut page = VersionsPage {
            is_truncated: merged.next.is_some(),
            ..Default::default()
        };
        if let Some((name, sub)) = merged.next {
            page.next_version_id_marker = sub
                .get(8..24)
                .and_then(|id| <[u8; 16]>::try_from(id).ok())
                .map(|id| version_text(&id));
            page.next_key_marker = Some(name);
        }
        // Where volumes disagree (a commit that reached a read quorum but not every volume),
        // each listed what it holds: a key's newest version is the first one the merge kept
        // (as a GET resolves it), and of its null versions only the newest is real.
        let mut last_key: Option<String> = None;
        let mut null_seen = false;
        for item in merged.items {
            match item.value {
                Entry::Prefix => page.common_prefixes.push(item.name),
                Entry::Value(v) => {
                    let first_of_key = last_key.as_deref() != Some(item.name.as_str());
                    if first_of_key {
                        last_key = Some(item.name.clone());
                        null_seen = false;
                    }
                    let null = v.version_id == [0; 16];
                    if null && std::mem::replace(&mut null_seen, true) {
                        continue;
                    }
                    let latest = first_of_key && resumed_in.as_deref() != Some(item.name.as_str());
                    page.versions.push(version_summary(item.name, &v, latest));
                }
            }
        }
        Ok(page)
    }
}

/// One listed version.
fn version_summary(key: String, v: &VersionRecord, is_latest: bool) -> VersionSummary {
    VersionSummary {
        key,
        version_id: version_text(&v.version_id),
        is_latest,
        delete_marker: v.delete_marker,
        size: v.size,
        etag: v.etag.clone(),
        last_modified: time_of(v.mod_time_ns),
        storage_class: v.data.as_ref().map(|d| d.class.clone()).unwrap_or_default(),
    }
}
