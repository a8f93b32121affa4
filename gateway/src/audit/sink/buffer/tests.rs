//! The stores' rules: order, bounds, acknowledgement, and what the disk keeps across a
//! restart or damage.

use std::fs;

use super::*;
use crate::audit::sink::Record;

fn record(i: usize) -> Record {
    Record::new(1_000 + i as u64, format!("{{\"n\":{i}}}").into_bytes())
}

fn docs(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| String::from_utf8(r.doc.to_vec()).unwrap())
        .collect()
}

#[test]
fn memory_store_hands_out_in_order_and_counts_taken_records_until_acked() {
    let mut s = MemoryStore::new(3, 1 << 20);
    for i in 0..3 {
        assert!(s.has_room(&record(i)));
        s.append(record(i)).unwrap();
    }
    assert!(!s.has_room(&record(3)), "bound in events");
    let first = s.take(2, 1 << 20).unwrap();
    assert_eq!(docs(&first), ["{\"n\":0}", "{\"n\":1}"]);
    assert_eq!(s.waiting(), 1);
    assert_eq!(
        s.held().events,
        3,
        "taken records still count against the bound"
    );
    assert!(!s.has_room(&record(3)), "taken records keep their room");
    s.ack(1).unwrap();
    assert_eq!(s.held().events, 2, "only the oldest taken one is forgotten");
    assert!(s.has_room(&record(3)));
    s.ack(1).unwrap();
    assert_eq!(s.held().events, 1);
    assert!(s.has_room(&record(3)));
}

#[test]
fn memory_store_bound_in_bytes() {
    let mut s = MemoryStore::new(100, 16);
    s.append(record(1)).unwrap(); // 7 bytes
    s.append(record(2)).unwrap(); // 14
    assert!(!s.has_room(&record(3)));
    assert_eq!(s.take(1, 1 << 20).unwrap().len(), 1);
    assert!(
        !s.has_room(&record(3)),
        "a taken record's bytes count until acked"
    );
    s.ack(1).unwrap();
    assert!(s.has_room(&record(3)));
    assert_eq!(s.held().bytes, 7);
}

#[test]
fn a_batch_takes_one_oversized_record_alone() {
    let mut s = MemoryStore::new(10, 1 << 20);
    s.append(Record::new(0, vec![b'x'; 100])).unwrap();
    s.append(record(1)).unwrap();
    assert_eq!(s.take(10, 10).unwrap().len(), 1);
    assert_eq!(s.take(10, 10).unwrap().len(), 1);
}

#[test]
fn disk_store_keeps_unacknowledged_records_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = DiskStore::open(dir.path(), 1 << 20).unwrap();
        for i in 0..5 {
            s.append(record(i)).unwrap();
        }
        let taken = s.take(2, 1 << 20).unwrap();
        assert_eq!(docs(&taken), ["{\"n\":0}", "{\"n\":1}"]);
        s.ack(2).unwrap();
        // Taken but not acknowledged: delivered again after a restart (at-least-once).
        assert_eq!(s.take(1, 1 << 20).unwrap().len(), 1);
    }
    let mut s = DiskStore::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(s.held().events, 3);
    assert_eq!(s.waiting(), 3);
    let again = s.take(10, 1 << 20).unwrap();
    assert_eq!(docs(&again), ["{\"n\":2}", "{\"n\":3}", "{\"n\":4}"]);
    assert_eq!(again[0].time_ns, 1_002);
}

#[test]
fn disk_store_cuts_a_torn_tail_counts_it_and_keeps_the_records_before_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = DiskStore::open(dir.path(), 1 << 20).unwrap();
        for i in 0..3 {
            s.append(record(i)).unwrap();
        }
    }
    let seg = segment_files(dir.path()).pop().unwrap();
    let len = fs::metadata(&seg).unwrap().len();
    // A kill in the middle of a write: the last record loses its last bytes.
    fs::OpenOptions::new()
        .write(true)
        .open(&seg)
        .unwrap()
        .set_len(len - 3)
        .unwrap();
    let mut s = DiskStore::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(s.take_corrupt_count(), 1);
    assert_eq!(
        docs(&s.take(10, 1 << 20).unwrap()),
        ["{\"n\":0}", "{\"n\":1}"]
    );
    s.append(record(9)).unwrap();
    assert_eq!(docs(&s.take(10, 1 << 20).unwrap()), ["{\"n\":9}"]);
}

#[test]
fn disk_store_cuts_a_flipped_byte_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = DiskStore::open(dir.path(), 1 << 20).unwrap();
        for i in 0..3 {
            s.append(record(i)).unwrap();
        }
    }
    let seg = segment_files(dir.path()).pop().unwrap();
    let mut bytes = fs::read(&seg).unwrap();
    let second = bytes.len() / 3 + 20; // inside the second record's document
    bytes[second] ^= 0xff;
    fs::write(&seg, bytes).unwrap();
    let mut s = DiskStore::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(s.take_corrupt_count(), 1);
    assert_eq!(docs(&s.take(10, 1 << 20).unwrap()), ["{\"n\":0}"]);
}

#[test]
fn disk_store_is_bounded_by_bytes_and_deletes_delivered_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = DiskStore::open(dir.path(), 64 * 1024).unwrap();
    let big = Record::new(0, vec![b'x'; 1000]);
    let mut n = 0;
    while s.has_room(&big) {
        s.append(big.clone()).unwrap();
        n += 1;
    }
    assert_eq!(n, 64 * 1024 / 1016, "bound counts whole frames");
    assert!(segment_files(dir.path()).len() > 1, "segments rotate");
    loop {
        let taken = s.take(7, 1 << 20).unwrap();
        if taken.is_empty() {
            break;
        }
        s.ack(taken.len()).unwrap();
    }
    assert_eq!(s.held(), Held::default());
    assert_eq!(
        segment_files(dir.path()).len(),
        1,
        "delivered segments are deleted"
    );
    let s = DiskStore::open(dir.path(), 64 * 1024).unwrap();
    assert_eq!(s.held().events, 0, "nothing delivered comes back");
}

fn segment_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    v.sort();
    v
}
