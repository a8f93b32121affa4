//! Versioning: version ids, delete markers, null versions and listing of versions.

mod common;

use common::*;
use strata_volume::*;

async fn store_with_bucket(d: &Dirs) -> Store {
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("bkt", None).await.unwrap();
    store
}

/// [`store_with_bucket`] with versioning enabled.
async fn versioned_store(d: &Dirs) -> Store {
    let store = store_with_bucket(d).await;
    store
        .set_versioning("bkt", Versioning::Enabled)
        .await
        .unwrap();
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enabled_buckets_keep_every_version_and_hide_behind_markers() {
    let d = Dirs::new();
    let store = versioned_store(&d).await;
    let v1 = put(&store, "bkt", "k", b"one").await.version_id;
    let v2 = put(&store, "bkt", "k", &content(2, 300_000))
        .await
        .version_id;
    assert_ne!(v1, v2);
    assert_ne!(v1, "null");
    let del = store.delete_object("bkt", "k", None).await.unwrap();
    assert!(del.delete_marker);
    let marker = del.version_id.clone().unwrap();
    assert!(
        matches!(get(&store, "bkt", "k").await, Err(Error::Refused(Refusal::NoSuchKey { delete_marker_version: Some(ref m) })) if *m == marker)
    );
    assert_eq!(
        get_version(&store, "bkt", "k", Some(&v1)).await.unwrap(),
        b"one"
    );
    assert_eq!(
        head(&store, "bkt", "k", Some(&v1))
            .await
            .unwrap()
            .version_id,
        v1
    );
    assert!(matches!(
        get_version(&store, "bkt", "k", Some(&marker)).await,
        Err(Error::Refused(Refusal::MethodNotAllowed { .. }))
    ));
    assert!(matches!(
        get_version(&store, "bkt", "k", Some("0123456789abcdef0123456789abcdef")).await,
        Err(Error::Refused(Refusal::NoSuchVersion))
    ));

    let page = store
        .list_object_versions(
            "bkt",
            ListVersionsOptions {
                max_keys: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let seen: Vec<(String, bool, bool)> = page
        .versions
        .iter()
        .map(|v| (v.version_id.clone(), v.is_latest, v.delete_marker))
        .collect();
    assert_eq!(
        seen,
        vec![
            (marker.clone(), true, true),
            (v2.clone(), false, false),
            (v1.clone(), false, false)
        ]
    );
    assert!(store
        .list_objects(
            "bkt",
            ListOptions {
                max_keys: 10,
                ..Default::default()
            }
        )
        .await
        .unwrap()
        .objects
        .is_empty());

    // Removing the marker brings v2 back.
    let out = store
        .delete_object("bkt", "k", Some(&marker))
        .await
        .unwrap();
    assert!(out.delete_marker);
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), content(2, 300_000));
    store.delete_object("bkt", "k", Some(&v2)).await.unwrap();
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), b"one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspended_buckets_replace_only_the_null_version() {
    let d = Dirs::new();
    let store = store_with_bucket(&d).await;
    let null1 = put(&store, "bkt", "k", b"unversioned").await;
    assert_eq!(null1.version_id, "null");
    store
        .set_versioning("bkt", Versioning::Enabled)
        .await
        .unwrap();
    let v = put(&store, "bkt", "k", b"versioned").await.version_id;
    store
        .set_versioning("bkt", Versioning::Suspended)
        .await
        .unwrap();
    put(&store, "bkt", "k", b"null again").await;
    let page = store
        .list_object_versions(
            "bkt",
            ListVersionsOptions {
                max_keys: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ids: Vec<&str> = page
        .versions
        .iter()
        .map(|x| x.version_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["null", v.as_str()],
        "the first null version was replaced, the real version kept"
    );
    let del = store.delete_object("bkt", "k", None).await.unwrap();
    assert_eq!(del.version_id.as_deref(), Some("null"));
    assert!(del.delete_marker);
    assert!(matches!(
        store.set_versioning("bkt", Versioning::Unversioned).await,
        Err(Error::Invalid(Invalid::Argument(_)))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_listing_pages_through_markers_without_loss() {
    let d = Dirs::new();
    let store = versioned_store(&d).await;
    let mut expected = Vec::new();
    for k in ["a", "b/1", "b/2", "c"] {
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(put(&store, "bkt", k, &[i]).await.version_id);
        }
        ids.reverse();
        expected.extend(ids.into_iter().map(|id| (k.to_string(), id)));
    }
    for page_size in [1, 2, 5, 1000] {
        let mut got = Vec::new();
        let (mut km, mut vm) = (None, None);
        loop {
            let o = ListVersionsOptions {
                key_marker: km.clone(),
                version_id_marker: vm.clone(),
                max_keys: page_size,
                ..Default::default()
            };
            let p = store.list_object_versions("bkt", o).await.unwrap();
            got.extend(
                p.versions
                    .iter()
                    .map(|v| (v.key.clone(), v.version_id.clone())),
            );
            if !p.is_truncated {
                break;
            }
            km = p.next_key_marker;
            vm = p.next_version_id_marker;
        }
        assert_eq!(got, expected, "page size {page_size}");
    }
    let o = ListVersionsOptions {
        delimiter: Some("/".into()),
        max_keys: 100,
        ..Default::default()
    };
    let p = store.list_object_versions("bkt", o).await.unwrap();
    assert_eq!(p.common_prefixes, ["b/"]);
    assert_eq!(p.versions.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_commits_under_the_version_id_promised_or_not_at_all() {
    let d = Dirs::new();
    let store = versioned_store(&d).await;
    let promised = |store: &Store| PutOptions {
        promised: Some(store.promise_version("bkt").unwrap()),
        ..PutOptions::default()
    };
    let opts = promised(&store);
    let id = opts.promised.unwrap().text();
    let info = put_in(&store, "bkt", "k", None, b"one", 1024, opts)
        .await
        .unwrap();
    assert_eq!(info.version_id, id);
    // Promised while versioning was enabled, committed after it was suspended: refused, and
    // the key keeps what it had.
    let opts = promised(&store);
    store
        .set_versioning("bkt", Versioning::Suspended)
        .await
        .unwrap();
    let refused = put_in(&store, "bkt", "k", None, b"two", 1024, opts).await;
    assert!(
        matches!(refused, Err(Error::Refused(Refusal::VersioningChanged))),
        "{refused:?}"
    );
    assert_eq!(get(&store, "bkt", "k").await.unwrap(), b"one");
    let opts = promised(&store);
    let info = put_in(&store, "bkt", "k", None, b"two", 1024, opts)
        .await
        .unwrap();
    assert_eq!(info.version_id, "null");
}
