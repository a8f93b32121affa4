//! Finding the version of a key that a quorum of namespace volumes agrees on.

use bytes::Bytes;

use super::Inner;
use crate::disk::meta_db::{Step, Table};
use crate::error::{Error, Result};
use crate::keys;
use crate::record::{self, LatestRecord, VersionRecord};

/// A version as agreed, with each volume's inline shard.
pub(super) struct Resolved {
    /// The record (from one agreeing volume; `data.inline` is not meaningful).
    pub record: VersionRecord,
    /// Inline shard by slot, for inline objects.
    pub inline: Option<Vec<Option<Bytes>>>,
    /// Whether it is the current version.
    pub is_latest: bool,
}

impl Inner {
    /// The current version (`version = None`) or one version of a key. Delete markers are
    /// returned as they are; callers decide what they mean.
    pub(super) fn resolve(
        &self,
        bucket: &str,
        key: &str,
        version: Option<[u8; 16]>,
    ) -> Result<Option<Resolved>> {
        let ns = self.ns();
        let n = ns.slots.len();
        let mut answers: Vec<(usize, Option<VersionRecord>, Option<[u8; 16]>)> = Vec::new();
        for (slot, v) in ns.online() {
            let got = v.meta().and_then(|m| {
                let latest: Option<LatestRecord> =
                    match m.get(Table::Latest, &keys::latest(bucket, key))? {
                        Some(b) => Some(record::decode(&b)?),
                        None => None,
                    };
                let rec = match version {
                    None => match &latest {
                        Some(l) => match m.get(
                            Table::Versions,
                            &keys::version(bucket, key, l.mod_time_ns, &l.version_id),
                        )? {
                            Some(b) => Some(record::decode::<VersionRecord>(&b)?),
                            None => None,
                        },
                        None => None,
                    },
                    Some(id) => {
                        let mut found = None;
                        let prefix = keys::versions_of(bucket, key);
                        m.scan(Table::Versions, &prefix, |k, val| {
                            if !k.starts_with(&prefix) {
                                return Ok(Step::Stop);
                            }
                            if k.ends_with(&id) {
                                found = Some(record::decode::<VersionRecord>(val)?);
                                return Ok(Step::Stop);
                            }
                            Ok(Step::Next)
                        })?;
                        found
                    }
                };
                Ok((rec, latest.map(|l| l.version_id)))
            });
            match got {
                Ok((rec, latest)) => answers.push((slot, rec, latest)),
                Err(e) => tracing::warn!(error = %e, "metadata read failed on a volume"),
            }
        }
        self.enough(answers.len())?;
        let q = ns.meta_read_quorum();
        // Newest version that enough volumes hold.
        let mut ids: Vec<(u64, [u8; 16])> = answers
            .iter()
            .filter_map(|(_, r, _)| r.as_ref().map(|r| r.identity()))
            .collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        let Some(chosen) = ids.into_iter().find(|id| {
            answers
                .iter()
                .filter(|(_, r, _)| r.as_ref().map(|r| r.identity()) == Some(*id))
                .count()
                >= q
        }) else {
            return Ok(None);
        };
        let mut record = None;
        let mut inline: Vec<Option<Bytes>> = vec![None; n];
        let mut latest_votes = 0;
        for (slot, r, latest) in answers {
            let Some(mut r) = r.filter(|r| r.identity() == chosen) else {
                continue;
            };
            if latest == Some(chosen.1) {
                latest_votes += 1;
            }
            if let Some(d) = r.data.as_mut() {
                inline[slot] = d.inline.take().map(Bytes::from);
            }
            record.get_or_insert(r);
        }
        let Some(record) = record else {
            return Ok(None);
        };
        let is_inline = record
            .data
            .as_ref()
            .is_some_and(|d| d.parts.iter().all(|p| p.data_id.is_none()) && !d.parts.is_empty());
        Ok(Some(Resolved {
            record,
            inline: is_inline.then_some(inline),
            is_latest: version.is_none() || latest_votes >= q,
        }))
    }

    /// Like [`Inner::resolve`], with S3's errors for absent keys, versions and delete markers.
    pub(super) fn resolve_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Resolved> {
        self.bucket(bucket)?;
        crate::validate::object_key(key)?;
        let version = match version_id {
            None => None,
            Some(v) => Some(
                record::parse_version(v)
                    .ok_or_else(|| Error::InvalidArgument(format!("invalid version id {v:?}")))?,
            ),
        };
        let found = self.resolve(bucket, key, version)?;
        match (found, version) {
            (None, None) => Err(Error::NoSuchKey {
                delete_marker_version: None,
            }),
            (None, Some(_)) => Err(Error::NoSuchVersion),
            (Some(r), None) if r.record.delete_marker => Err(Error::NoSuchKey {
                delete_marker_version: Some(record::version_text(&r.record.version_id)),
            }),
            (Some(r), Some(_)) if r.record.delete_marker => Err(Error::MethodNotAllowed {
                delete_marker_version: Some(record::version_text(&r.record.version_id)),
            }),
            (Some(r), _) => Ok(r),
        }
    }
}
