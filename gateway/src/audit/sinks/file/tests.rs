//! The file sink's lines, rotation and fsync'd appends.

use std::path::Path;

use super::*;
use crate::audit::sink::{Delivery, Record, SinkService};

fn rec(i: usize) -> Record {
    Record::new(0, format!("{{\"i\":{i},\"pad\":\"0123456789\"}}"))
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn batches_become_json_lines_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/audit.log");
    let s = FileConfig {
        path: path.clone(),
        max_file_size: 1 << 20,
        max_files: 2,
        sync_interval_ms: 0,
    }
    .build()
    .unwrap();
    assert_eq!(s.send(&[rec(0), rec(1)]).await, Ok(Delivery::All));
    assert_eq!(s.send(&[rec(2)]).await, Ok(Delivery::All));
    let got = lines(&path);
    assert_eq!(got.len(), 3);
    for (i, line) in got.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["i"], i);
    }
}

#[tokio::test]
async fn the_file_rotates_by_size_and_keeps_max_files_old_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let line = rec(0).doc.len() as u64 + 1;
    let s = FileConfig {
        path: path.clone(),
        max_file_size: 2 * line,
        max_files: 2,
        sync_interval_ms: 0,
    }
    .build()
    .unwrap();
    for i in 0..7 {
        s.send(&[rec(i)]).await.unwrap();
    }
    // 7 lines, 2 per file: .2 = [2,3], .1 = [4,5], current = [6]; [0,1] rotated away.
    let p = |suffix: &str| dir.path().join(format!("audit.log{suffix}"));
    let ids = |p: &Path| -> Vec<u64> {
        lines(p)
            .iter()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["i"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(ids(&p("")), [6]);
    assert_eq!(ids(&p(".1")), [4, 5]);
    assert_eq!(ids(&p(".2")), [2, 3]);
    assert!(!p(".3").exists());
}

#[tokio::test]
async fn reopening_appends_after_what_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let config = FileConfig {
        path: path.clone(),
        max_file_size: 1 << 20,
        max_files: 1,
        sync_interval_ms: 1000,
    };
    config.build().unwrap().send(&[rec(0)]).await.unwrap();
    config.build().unwrap().send(&[rec(1)]).await.unwrap();
    assert_eq!(lines(&path).len(), 2);
}

#[tokio::test]
async fn a_batch_inside_the_sync_interval_is_synced_when_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    let s = FileConfig {
        path: dir.path().join("audit.log"),
        max_file_size: 1 << 20,
        max_files: 1,
        sync_interval_ms: 100,
    }
    .build()
    .unwrap();
    s.send(&[rec(0)]).await.unwrap();
    s.send(&[rec(1)]).await.unwrap();
    assert_eq!(s.sync_state(), (true, true));
    let settled = async {
        while s.sync_state().0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), settled)
        .await
        .expect("the delayed sync never ran");
    assert_eq!(s.sync_state(), (false, false));
}

#[tokio::test]
async fn interval_zero_syncs_every_batch() {
    let dir = tempfile::tempdir().unwrap();
    let s = FileConfig {
        path: dir.path().join("audit.log"),
        max_file_size: 1 << 20,
        max_files: 1,
        sync_interval_ms: 0,
    }
    .build()
    .unwrap();
    s.send(&[rec(0)]).await.unwrap();
    assert_eq!(s.sync_state(), (false, false));
}
