//! When a read quorum's answers may stand for every volume.

use super::{choose, choose_content, settled, Answer, Choice};
use crate::erasure::codec::shard_hash;
use crate::record::{sample_version, PartData, VersionRecord};
use crate::types::Checksums;

/// A version of `time`; inline with this volume's shard `shard` when given.
fn version(time: u64, shard: Option<&[u8]>) -> VersionRecord {
    let inline = shard.map(|s| [&shard_hash(s)[..], s].concat());
    let part = PartData {
        number: 1,
        size: 4,
        etag: "e".into(),
        checksums: Checksums::new(),
        data_id: if shard.is_some() { None } else { Some([9; 16]) },
        object_size: None,
    };
    sample_version(time, vec![part], inline)
}

fn answer(slot: usize, rec: Option<VersionRecord>) -> Answer {
    let latest = rec.as_ref().map(|r| r.version_id);
    (slot, rec, latest)
}

#[test]
fn agreeing_answers_settle_and_disagreeing_ones_do_not() {
    let a = [
        answer(0, Some(version(5, None))),
        answer(1, Some(version(5, None))),
    ];
    assert!(settled(&a));
    let newer = [
        answer(0, Some(version(5, None))),
        answer(1, Some(version(6, None))),
    ];
    assert!(!settled(&newer));
    let one_missing = [answer(0, Some(version(5, None))), answer(1, None)];
    assert!(!settled(&one_missing));
    // No volume has the key: a quorum saying so is the answer.
    assert!(settled(&[answer(2, None), answer(3, None)]));
    // Same version, different current version (a newer write in flight on one volume).
    let mut other_latest = answer(1, Some(version(5, None)));
    other_latest.2 = Some([2; 16]);
    assert!(!settled(&[answer(0, Some(version(5, None))), other_latest]));
}

#[test]
fn inline_objects_settle_only_with_every_data_shard_intact() {
    // `sample_version` is 2+2 with rotation 1: data shards 0 and 1 live in slots 3 and 0.
    let good = |slot| answer(slot, Some(version(5, Some(b"ab"))));
    assert!(settled(&[good(3), good(0)]));
    // Parity shards alone would need a decode and miss the data shards' check.
    assert!(!settled(&[good(1), good(2)]));
    assert!(!settled(&[good(0), good(1), good(2)]));
    assert!(settled(&[good(1), good(2), good(3), good(0)]));
    // A corrupt data shard: keep asking, so the full read can report and read around it.
    let mut bad = version(5, Some(b"ab"));
    if let Some(inline) = bad.data.as_mut().and_then(|d| d.inline.as_mut()) {
        let last = inline.len() - 1;
        inline[last] ^= 1;
    }
    assert!(!settled(&[good(3), answer(0, Some(bad))]));
}

#[test]
fn a_version_too_few_answers_hold_decides_only_when_it_cannot_have_been_acknowledged() {
    // 2+2 metadata: read quorum 2, write quorum 3.
    let (q, w) = (2, 3);
    let (old, new) = (version(5, None), version(6, None));
    let id = |r: &VersionRecord| r.identity();
    // Every volume answered: the newer write reached one volume only, so it was never
    // acknowledged and the older version stands.
    let all = [
        answer(0, Some(new.clone())),
        answer(1, Some(old.clone())),
        answer(2, Some(old.clone())),
        answer(3, Some(old.clone())),
    ];
    assert_eq!(choose(&all, q, w, 0), Choice::Version(id(&old)));
    // Two answered and disagree: the newer version may be on both silent volumes (acknowledged
    // on three), and so may the older one. Neither "older" nor "absent" is safe to say.
    let two = [answer(0, Some(new.clone())), answer(1, Some(old.clone()))];
    assert_eq!(choose(&two, q, w, 2), Choice::Undecided);
    let seen_once = [answer(0, Some(old.clone())), answer(1, None)];
    assert_eq!(choose(&seen_once, q, w, 2), Choice::Undecided);
    // One volume silent: a version seen once can have reached two volumes at most, short of
    // the write quorum, so it was not acknowledged.
    let three = [
        answer(0, Some(new.clone())),
        answer(1, Some(old.clone())),
        answer(2, Some(old.clone())),
    ];
    assert_eq!(choose(&three, q, w, 1), Choice::Version(id(&old)));
    assert_eq!(
        choose(
            &[answer(0, Some(new)), answer(1, None), answer(2, None)],
            q,
            w,
            1
        ),
        Choice::Absent
    );
    // A read quorum agreeing that the key is absent decides it, whoever is silent.
    assert_eq!(
        choose(&[answer(2, None), answer(3, None)], q, w, 2),
        Choice::Absent
    );
}

#[test]
fn copies_of_one_version_that_differ_are_decided_by_a_read_quorum_of_them() {
    // 2+2 metadata: read quorum 2.
    let q = 2;
    let old = version(5, Some(b"ab"));
    let mut new = old.clone();
    new.tags = vec![("t".into(), "new".into())];
    // Each volume's own inline shard differs; the content does not.
    let mut own_shard = new.clone();
    if let Some(d) = own_shard.data.as_mut() {
        d.inline = Some(vec![1, 2, 3]);
    }
    assert!(own_shard.same_content(&new) && !old.same_content(&new));
    let id = old.identity();
    // The volume asked first missed the change: the copy a read quorum holds wins.
    let stale_first = [
        answer(0, Some(old.clone())),
        answer(1, Some(new.clone())),
        answer(2, Some(own_shard.clone())),
    ];
    assert!(!settled(&stale_first));
    assert_eq!(choose_content(&stale_first, id, q), Some(1));
    // One of each: either may be the acknowledged one.
    let split = [answer(0, Some(old.clone())), answer(1, Some(new.clone()))];
    assert_eq!(choose_content(&split, id, q), None);
    // After a failed change, two contents may each have a read quorum: the one more hold.
    let after_failure = [
        answer(0, Some(old.clone())),
        answer(1, Some(old.clone())),
        answer(2, Some(new.clone())),
        answer(3, Some(new.clone())),
    ];
    assert_eq!(choose_content(&after_failure, id, q), Some(0));
    let more_new = [
        answer(0, Some(old.clone())),
        answer(1, Some(old)),
        answer(2, Some(new.clone())),
        answer(3, Some(new.clone())),
        answer(4, Some(new)),
    ];
    assert_eq!(choose_content(&more_new, id, q), Some(2));
    // Copies of another version do not count.
    let other = version(9, None);
    assert_eq!(
        choose_content(
            &[answer(0, Some(other.clone())), answer(1, Some(other))],
            id,
            q
        ),
        None
    );
}
