//! Listing: prefix, delimiter, start-after and paging agree with a model of the key set.

mod common;

use std::collections::BTreeSet;

use common::*;
use proptest::prelude::*;
use strata_volume::*;

/// What S3 returns for a listing, computed from the plain set of keys.
fn model(
    keys: &BTreeSet<String>,
    prefix: &str,
    delimiter: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let (mut objects, mut prefixes) = (Vec::new(), BTreeSet::new());
    for k in keys.iter().filter(|k| k.starts_with(prefix)) {
        match delimiter.and_then(|d| {
            k[prefix.len()..]
                .find(d)
                .map(|p| k[..prefix.len() + p + d.len()].to_string())
        }) {
            Some(cp) => {
                prefixes.insert(cp);
            }
            None => objects.push(k.clone()),
        }
    }
    (objects, prefixes.into_iter().collect())
}

#[test]
fn listings_match_the_model_for_random_key_sets() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let d = Dirs::new();
    let store = rt.block_on(async {
        let s = Store::open(d.two_classes()).await.unwrap();
        s.create_bucket("bkt", None).await.unwrap();
        s
    });
    let mut config = ProptestConfig::with_cases(12);
    config.failure_persistence = None;
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let strategy = (
        proptest::collection::btree_set("[ab/]{1,6}", 0..40),
        "[ab/]{0,2}",
        proptest::option::of(prop_oneof![
            Just("/".to_string()),
            Just("b".to_string()),
            Just("a/".to_string())
        ]),
        1usize..7,
    );
    let round = std::sync::atomic::AtomicU32::new(0);
    runner
        .run(&strategy, |(keys, prefix, delimiter, page)| {
            let n = round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let bucket = format!("bkt-{n}");
            let (got_keys, got_prefixes) = rt.block_on(async {
                store.create_bucket(&bucket, None).await.unwrap();
                for k in &keys {
                    put(&store, &bucket, k, k.as_bytes()).await;
                }
                // A deleted key must not show, nor make a prefix of its own.
                put(&store, &bucket, "zz/deleted", b"x").await;
                store
                    .delete_object(&bucket, "zz/deleted", None)
                    .await
                    .unwrap();
                list_all(&store, &bucket, &prefix, delimiter.as_deref(), page).await
            });
            let (want_keys, want_prefixes) = model(&keys, &prefix, delimiter.as_deref());
            prop_assert_eq!(got_keys, want_keys);
            let mut got_prefixes = got_prefixes;
            got_prefixes.sort();
            got_prefixes.dedup();
            prop_assert_eq!(got_prefixes, want_prefixes);
            Ok(())
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_after_and_max_keys_bound_a_page() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    for i in 0..25 {
        put(&store, "bkt", &format!("k{i:02}"), b"").await;
    }
    let p = store
        .list_objects(
            "bkt",
            ListOptions {
                start_after: Some("k09".into()),
                max_keys: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let keys: Vec<&str> = p.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["k10", "k11", "k12", "k13", "k14"]);
    assert!(p.is_truncated);
    assert_eq!(p.next_marker.as_deref(), Some("k14"));
    let all = store
        .list_objects(
            "bkt",
            ListOptions {
                max_keys: 5000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.objects.len(), 25);
    assert!(!all.is_truncated);
    assert_eq!(all.objects[0].size, 0);
}
