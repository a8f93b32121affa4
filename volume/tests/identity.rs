//! The identity table and bucket owners: what the gateway's IAM keeps in the namespace index.

mod common;

use common::*;
use strata_volume::*;

fn put(key: &str, value: &str) -> IamWrite {
    IamWrite::Put {
        key: key.as_bytes().to_vec(),
        value: value.as_bytes().to_vec(),
    }
}

fn texts(entries: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<(String, String)> {
    entries
        .into_iter()
        .map(|(k, v)| (String::from_utf8(k).unwrap(), String::from_utf8(v).unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_records_are_written_together_scanned_by_prefix_and_survive_restart_and_a_wiped_volume(
) {
    let d = Dirs::new();
    let cfg = d.two_classes();
    {
        let store = Store::open(cfg.clone()).await.unwrap();
        store
            .iam_write(vec![
                put("u\0a\0alice", "1"),
                put("u\0a\0bob", "2"),
                put("u\0b\0carol", "3"),
                put("k\0AKIA1", "alice's key"),
            ])
            .await
            .unwrap();
        store
            .iam_write(vec![
                IamWrite::Delete {
                    key: b"u\0a\0bob".to_vec(),
                },
                put("u\0a\0alice", "1b"),
                IamWrite::Delete {
                    key: b"u\0a\0nobody".to_vec(),
                },
            ])
            .await
            .unwrap();
    }
    // One namespace volume comes back blank (a new PV): the others still make a read quorum.
    let wiped = &cfg.classes[0].volumes[3];
    std::fs::remove_dir_all(wiped).unwrap();
    std::fs::create_dir_all(wiped).unwrap();
    let store = Store::open(cfg).await.unwrap();
    assert_eq!(
        texts(store.iam_scan(b"u\0a\0").await.unwrap()),
        [("u\0a\0alice".to_string(), "1b".to_string())]
    );
    assert_eq!(texts(store.iam_scan(b"u\0").await.unwrap()).len(), 2);
    assert_eq!(
        store.iam_get(b"k\0AKIA1").await.unwrap().as_deref(),
        Some(&b"alice's key"[..])
    );
    assert_eq!(store.iam_get(b"k\0AKIA2").await.unwrap(), None);
    assert!(store.iam_scan(b"zzz").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_keeps_its_owner_across_restart_and_an_unowned_one_has_none() {
    let d = Dirs::new();
    let cfg = d.two_classes();
    {
        let store = Store::open(cfg.clone()).await.unwrap();
        store
            .create_bucket_owned("owned", None, Some("123456789012"))
            .await
            .unwrap();
        store.create_bucket("legacy", None).await.unwrap();
    }
    let store = Store::open(cfg).await.unwrap();
    let owned = store.bucket_info("owned").await.unwrap();
    assert_eq!(owned.owner.as_deref(), Some("123456789012"));
    assert_eq!(store.bucket_info("legacy").await.unwrap().owner, None);
    let listed: Vec<_> = store
        .list_buckets()
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.name, b.owner))
        .collect();
    assert_eq!(
        listed,
        [
            ("legacy".to_string(), None),
            ("owned".to_string(), Some("123456789012".to_string()))
        ]
    );
}
