use std::time::{Duration, Instant};

use super::*;
use crate::metrics::TierReadAhead;

/// An OpenDAL filesystem tier in a temporary directory, holding `object` of `len` bytes.
fn tier(len: u64) -> (tempfile::TempDir, Operator, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    crate::remote_tier::opendal_ready();
    let op = Operator::via_iter(
        "fs",
        [("root".to_string(), dir.path().display().to_string())],
    )
    .unwrap();
    // Bytes that differ from one position to the next: a chunk in the wrong place shows.
    let data: Vec<u8> = (0..len)
        .map(|i| (i % 251) as u8 ^ (i >> 20) as u8)
        .collect();
    std::fs::write(dir.path().join("object"), &data).unwrap();
    (dir, op, data)
}

/// Everything the read gives until its end or its first error.
async fn drain(mut s: RemoteStream<'static>) -> (Vec<u8>, Option<RemoteError>) {
    let mut got = Vec::new();
    while let Some(item) = s.next().await {
        match item {
            Ok(bytes) => got.extend_from_slice(&bytes),
            Err(e) => return (got, Some(e)),
        }
    }
    (got, None)
}

/// Waits (5 s at most) until `budget` has `free` permits; whether it did.
async fn budget_reaches(budget: &Semaphore, free: usize) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while budget.available_permits() != free {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    true
}

#[tokio::test]
async fn ranges_across_chunks_read_back_exactly_at_any_read_ahead() {
    let len = 3 * READ_CHUNK + READ_CHUNK / 2 + 5;
    let (_dir, op, data) = tier(len);
    let c = READ_CHUNK;
    let ranges = [
        0..len,
        1..3 * c + 7,
        c - 1..c + 1,
        2 * c..3 * c,
        c..2 * c + 1,
        len - 10..len,
    ];
    for per_read in [0, 1, 3] {
        let reads = ReadAhead::new(per_read, TierReadAhead::default());
        for range in ranges.clone() {
            let s = reads.read(&op, "object", range.clone()).await.unwrap();
            let (got, err) = drain(s).await;
            assert!(err.is_none(), "{per_read} {range:?}: {err:?}");
            let want = &data[range.start as usize..range.end as usize];
            assert!(got == want, "{per_read} {range:?}: bytes differ");
        }
        assert!(
            budget_reaches(&reads.budget, BUDGET_CHUNKS).await,
            "every chunk's budget comes back"
        );
    }
}

#[tokio::test]
async fn chunks_are_fetched_while_the_first_is_still_unread() {
    let (_dir, op, data) = tier(6 * READ_CHUNK);
    let reads = ReadAhead::new(2, TierReadAhead::default());
    let s = reads.read(&op, "object", 0..6 * READ_CHUNK).await.unwrap();
    // Nothing taken from the read yet: two chunks are fetched ahead, no more.
    assert!(budget_reaches(&reads.budget, BUDGET_CHUNKS - 2).await);
    let (got, err) = drain(s).await;
    assert!(err.is_none() && got == data);
    assert!(budget_reaches(&reads.budget, BUDGET_CHUNKS).await);
    // Every chunk after the first was fetched ahead, and counted.
    assert_eq!(reads.counted.chunks.get(), 5);
    assert_eq!(reads.counted.budget_spent.get(), 0);
}

#[tokio::test]
async fn a_read_given_up_gives_its_budget_back() {
    let (_dir, op, _) = tier(6 * READ_CHUNK);
    let reads = ReadAhead::new(3, TierReadAhead::default());
    let mut s = reads.read(&op, "object", 0..6 * READ_CHUNK).await.unwrap();
    assert!(s.next().await.unwrap().is_ok());
    assert!(budget_reaches(&reads.budget, BUDGET_CHUNKS - 3).await);
    drop(s);
    assert!(budget_reaches(&reads.budget, BUDGET_CHUNKS).await);
}

#[tokio::test]
async fn a_spent_budget_streams_the_rest_with_one_get() {
    let len = 5 * READ_CHUNK + 3;
    let (_dir, op, data) = tier(len);
    let reads = ReadAhead::with_budget(3, 2, TierReadAhead::default());
    // Another read holds the whole budget: this one fetches nothing ahead.
    let held = reads.budget.clone().acquire_many_owned(2).await.unwrap();
    let s = reads.read(&op, "object", 7..len).await.unwrap();
    let (got, err) = drain(s).await;
    assert!(err.is_none() && got == data[7..]);
    drop(held);
    assert_eq!(reads.budget.available_permits(), 2);
    assert_eq!(reads.counted.chunks.get(), 0);
    assert_eq!(
        reads.counted.budget_spent.get(),
        1,
        "the fallback is counted"
    );
}

#[tokio::test]
async fn a_missing_object_fails_before_any_byte_and_a_lost_one_ends_with_an_error() {
    let (dir, op, data) = tier(4 * READ_CHUNK);
    let reads = ReadAhead::with_budget(1, 0, TierReadAhead::default());
    if let Ok(s) = reads.read(&op, "absent", 0..4 * READ_CHUNK).await {
        let (got, err) = drain(s).await;
        assert!(
            got.is_empty() && err.is_some(),
            "an absent object gives no byte"
        );
    }
    // Opened, then gone: what comes before the error is the object's own first bytes.
    let s = reads.read(&op, "object", 0..4 * READ_CHUNK).await.unwrap();
    std::fs::remove_file(dir.path().join("object")).unwrap();
    let (got, err) = drain(s).await;
    assert!(
        err.is_some(),
        "a read of a removed object ends with an error"
    );
    assert!(got.len() < data.len() && got == data[..got.len()]);
}
