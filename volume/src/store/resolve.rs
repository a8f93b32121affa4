//! Finding the version of a key that a quorum of namespace volumes agrees on.

use bytes::Bytes;

use super::Inner;
use crate::disk::meta_db::{Snapshot, Step, Table};
use crate::disk::volume::shard_block_intact;
use crate::erasure::layout::{rotation_for, slot_for_shard};
use crate::error::{Error, Refusal, Result, Unavailable};
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

/// One volume's answer: its record of the version asked for, and the id its `latest` entry
/// names.
type Answer = (usize, Option<VersionRecord>, Option<[u8; 16]>);

impl Inner {
    /// The current version (`version = None`) or one version of a key. Delete markers are
    /// returned as they are; callers decide what they mean.
    ///
    /// The rule: the newest version that a read quorum of volumes holds wins. Volumes are
    /// asked one after another, and asking stops early once the answers agree and the volumes
    /// not yet asked are too few to hold a read quorum of some other version (a write that
    /// reached only some volumes before a crash counts once a quorum holds it, so stopping
    /// any sooner could hide what a listing shows). For an inline object the answers must
    /// also hold every data shard intact, so no shard has to be decoded or reported.
    pub(super) fn resolve(
        &self,
        bucket: &str,
        key: &str,
        version: Option<[u8; 16]>,
    ) -> Result<Option<Resolved>> {
        let ns = self.ns();
        let n = ns.width();
        let q = ns.meta_read_quorum();
        let mut answers: Vec<Answer> = Vec::with_capacity(n);
        // Shard order of the key's rotation (the one puts use): an inline object's data
        // shards come first, and reads spread over the volumes by key.
        let rotation = rotation_for(key.as_bytes(), n);
        let by_shard = (0..n).map(|s| slot_for_shard(s, rotation, n));
        let online = ns.online_count();
        let mut asked = 0;
        for (slot, v) in by_shard.filter_map(|s| Some((s, ns.volume(s)?))) {
            asked += 1;
            let got = v
                .meta()
                .and_then(|m| read_version(&m.snapshot()?, bucket, key, version));
            match got {
                Ok((rec, latest)) => answers.push((slot, rec, latest)),
                Err(e) => tracing::warn!(error = %e, "metadata read failed on a volume"),
            }
            let unasked = online - asked;
            if answers.len() >= q && unasked < q && settled(&answers) {
                break;
            }
        }
        self.enough(answers.len())?;
        let undecided = || -> Error {
            Unavailable::Undecided {
                class: ns.name.clone(),
                answered: answers.len(),
                total: n,
            }
            .into()
        };
        let chosen = match choose(&answers, q, ns.write_quorum(), n - answers.len()) {
            Choice::Version(id) => id,
            Choice::Absent => return Ok(None),
            Choice::Undecided => return Err(undecided()),
        };
        let Some(trusted) = choose_content(&answers, chosen, q) else {
            return Err(undecided());
        };
        let mut record = None;
        let mut inline: Vec<Option<Bytes>> = vec![None; n];
        let mut latest_votes = 0;
        for (i, (slot, r, latest)) in answers.into_iter().enumerate() {
            let Some(mut r) = r.filter(|r| r.identity() == chosen) else {
                continue;
            };
            if latest == Some(chosen.1) {
                latest_votes += 1;
            }
            if let Some(d) = r.data.as_mut() {
                inline[slot] = d.inline.take().map(Bytes::from);
            }
            if i == trusted {
                record = Some(r);
            }
        }
        let Some(record) = record else {
            return Ok(None);
        };
        let is_inline = is_inline(&record);
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
                    .ok_or_else(|| Error::argument(format!("invalid version id {v:?}")))?,
            ),
        };
        let found = self.resolve(bucket, key, version)?;
        match (found, version) {
            (None, None) => Err(Refusal::NoSuchKey {
                delete_marker_version: None,
            }
            .into()),
            (None, Some(_)) => Err(Refusal::NoSuchVersion.into()),
            (Some(r), None) if r.record.delete_marker => Err(Refusal::NoSuchKey {
                delete_marker_version: Some(record::version_text(&r.record.version_id)),
            }
            .into()),
            (Some(r), Some(_)) if r.record.delete_marker => Err(Refusal::MethodNotAllowed {
                delete_marker_version: Some(record::version_text(&r.record.version_id)),
            }
            .into()),
            (Some(r), _) => Ok(r),
        }
    }
}

/// One volume's record of `version` (or of the current version) and its `latest` entry, read
/// in one transaction.
pub(super) fn read_version(
    m: &Snapshot<'_>,
    bucket: &str,
    key: &str,
    version: Option<[u8; 16]>,
) -> Result<(Option<VersionRecord>, Option<[u8; 16]>)> {
    let latest: Option<LatestRecord> =
        m.get_with(Table::Latest, &keys::latest(bucket, key), record::decode)?;
    let rec = match version {
        None => match &latest {
            Some(l) => m.get_with(
                Table::Versions,
                &keys::version(bucket, key, l.mod_time_ns, &l.version_id),
                record::decode::<VersionRecord>,
            )?,
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
}

/// What the answers say the version asked for is.
#[derive(Debug, PartialEq, Eq)]
enum Choice {
    /// The newest version a read quorum of the answers holds.
    Version((u64, [u8; 16])),
    /// No version that a write could have been acknowledged with: the key (or version) is
    /// not there.
    Absent,
    /// A newer version than any a read quorum holds may have reached a write quorum on the
    /// volumes that did not answer; no answer can be given without them.
    Undecided,
}

/// The rule of [`Inner::resolve`]: newest first, a version held by a read quorum (`q`) of the
/// answers wins. A version held by fewer is a write that did not finish (it was never
/// acknowledged) only when it could not have reached the write quorum (`w`) even on every
/// volume that did not answer (`unanswered`); otherwise saying "older" or "absent" could
/// lose an acknowledged write.
fn choose(answers: &[Answer], q: usize, w: usize, unanswered: usize) -> Choice {
    let mut ids: Vec<(u64, [u8; 16])> = answers
        .iter()
        .filter_map(|(_, r, _)| r.as_ref().map(VersionRecord::identity))
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    for id in ids {
        let votes = answers
            .iter()
            .filter(|(_, r, _)| r.as_ref().map(VersionRecord::identity) == Some(id))
            .count();
        if votes >= q {
            return Choice::Version(id);
        }
        if votes + unanswered >= w {
            return Choice::Undecided;
        }
    }
    Choice::Absent
}

/// Which answer's copy of version `id` to trust (its index in `answers`), when copies differ
/// because an in-place change (tags, ACL, lock, re-seal, transition) reached only some
/// volumes: the content that a read quorum (`q`) of the answers holds. A change that was
/// acknowledged reached a write quorum, so whatever it replaced is left on fewer than a read
/// quorum of all volumes and can never win; a content on a read quorum is either the last
/// acknowledged one or a failed change's, which S3 allows a read to show. Among several
/// (only after a failed change), the one most answers hold, then the first. `None` when no
/// content has a read quorum: the answers that could tell are missing.
fn choose_content(answers: &[Answer], id: (u64, [u8; 16]), q: usize) -> Option<usize> {
    let copies: Vec<(usize, &VersionRecord)> = answers
        .iter()
        .enumerate()
        .filter_map(|(i, (_, r, _))| Some((i, r.as_ref().filter(|r| r.identity() == id)?)))
        .collect();
    let votes = |r: &VersionRecord| copies.iter().filter(|(_, c)| c.same_content(r)).count();
    let mut best: Option<(usize, usize)> = None;
    for (i, r) in &copies {
        let v = votes(r);
        if v >= q && best.is_none_or(|(_, b)| v > b) {
            best = Some((*i, v));
        }
    }
    best.map(|(i, _)| i)
}

/// Whether the answers so far can stand for all volumes: they agree on the version, its
/// content and which version is current, and for an inline object they include every data
/// shard (by the record's own rotation), intact.
fn settled(answers: &[Answer]) -> bool {
    let Some((_, first, first_latest)) = answers.first() else {
        return false;
    };
    let agree = answers.iter().all(|(_, r, l)| {
        let same = match (r, first) {
            (Some(r), Some(f)) => r.same_content(f),
            (None, None) => true,
            _ => false,
        };
        same && l == first_latest
    });
    if !agree {
        return false;
    }
    let Some(d) = first
        .as_ref()
        .filter(|r| is_inline(r))
        .and_then(|r| r.data.as_ref())
    else {
        return true;
    };
    let total = usize::from(d.k) + usize::from(d.m);
    (0..usize::from(d.k)).all(|shard| {
        let slot = slot_for_shard(shard, usize::from(d.rotation), total);
        answers.iter().any(|(s, r, _)| {
            *s == slot
                && r.as_ref()
                    .and_then(|r| r.data.as_ref()?.inline.as_deref())
                    .is_some_and(shard_block_intact)
        })
    })
}

/// Whether the version's bytes live in the metadata rather than in shard files.
fn is_inline(record: &VersionRecord) -> bool {
    record.data.as_ref().is_some_and(|d| {
        d.remote.is_none() && d.parts.iter().all(|p| p.data_id.is_none()) && !d.parts.is_empty()
    })
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
