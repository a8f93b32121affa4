//! Object lock, enforced by the store: a bucket made with it (or given it once versioned)
//! keeps versioning on; a version under a legal hold or a retention in force is not removed,
//! a COMPLIANCE retention is only lengthened, a GOVERNANCE one gives way only to a caller
//! allowed to bypass it; and all of it survives a restart.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use strata_volume::*;

const HOUR_NS: u64 = 3_600_000_000_000;

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn retention(mode: LockMode, until_ns: u64) -> ObjectLock {
    ObjectLock {
        mode: Some(mode),
        retain_until_ns: Some(until_ns),
        legal_hold: false,
    }
}

async fn put_locked(
    store: &Store,
    key: &str,
    lock: Option<ObjectLock>,
) -> Result<ObjectInfo, Error> {
    let opts = PutOptions {
        lock,
        ..PutOptions::default()
    };
    put_in(store, "locked", key, None, b"kept", 1024, opts).await
}

async fn delete_version(
    store: &Store,
    key: &str,
    version: &str,
    bypass: bool,
) -> Result<DeleteOutcome, Error> {
    let cond = DeletePrecondition {
        bypass_governance: bypass,
        ..DeletePrecondition::default()
    };
    store
        .delete_object_if("locked", key, Some(version), &cond)
        .await
}

fn is_locked<T: std::fmt::Debug>(r: &Result<T, Error>) -> bool {
    matches!(r, Err(Error::Refused(Refusal::ObjectLocked(_))))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_buckets_with_object_lock_take_locks_and_they_stay_versioned() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store.create_bucket("plain", None).await.unwrap();
    let opts = PutOptions {
        lock: Some(retention(LockMode::Governance, now_ns() + HOUR_NS)),
        ..PutOptions::default()
    };
    let r = put_in(&store, "plain", "k", None, b"x", 1024, opts).await;
    assert!(
        matches!(r, Err(Error::Refused(Refusal::ObjectLockNotEnabled))),
        "{r:?}"
    );
    put(&store, "plain", "k", b"x").await;
    let r = store.set_object_legal_hold("plain", "k", None, true).await;
    assert!(
        matches!(r, Err(Error::Refused(Refusal::ObjectLockNotEnabled))),
        "{r:?}"
    );
    // Object lock needs versioning first, then keeps it on.
    let r = store.enable_object_lock("plain").await;
    assert!(
        matches!(r, Err(Error::Refused(Refusal::InvalidBucketState(_)))),
        "{r:?}"
    );
    store
        .set_versioning("plain", Versioning::Enabled)
        .await
        .unwrap();
    store.enable_object_lock("plain").await.unwrap();
    assert!(store.bucket_info("plain").await.unwrap().object_lock);
    let r = store.set_versioning("plain", Versioning::Suspended).await;
    assert!(
        matches!(r, Err(Error::Refused(Refusal::InvalidBucketState(_)))),
        "{r:?}"
    );
    // Made with it: versioned from the start.
    store
        .create_bucket_with("locked", None, None, true)
        .await
        .unwrap();
    let info = store.bucket_info("locked").await.unwrap();
    assert!(info.object_lock && info.versioning == Versioning::Enabled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_versions_stay_until_their_date_and_compliance_only_lengthens() {
    let d = Dirs::new();
    let until = now_ns() + HOUR_NS;
    let (compliance_id, governance_id, held_id, expired_id);
    {
        let store = Store::open(d.two_classes()).await.unwrap();
        store
            .create_bucket_with("locked", None, None, true)
            .await
            .unwrap();
        let c = put_locked(&store, "c", Some(retention(LockMode::Compliance, until)))
            .await
            .unwrap();
        assert_eq!(c.lock, Some(retention(LockMode::Compliance, until)));
        compliance_id = c.version_id;
        governance_id = put_locked(&store, "g", Some(retention(LockMode::Governance, until)))
            .await
            .unwrap()
            .version_id;
        held_id = put_locked(&store, "h", None).await.unwrap().version_id;
        store
            .set_object_legal_hold("locked", "h", None, true)
            .await
            .unwrap();
        // A retention whose date has passed protects nothing.
        expired_id = put_locked(
            &store,
            "e",
            Some(retention(LockMode::Compliance, now_ns() - 1)),
        )
        .await
        .unwrap()
        .version_id;
        // A delete without a version id only adds a marker: allowed.
        let marker = store.delete_object("locked", "c", None).await.unwrap();
        assert!(marker.delete_marker);
        let r = store
            .set_object_legal_hold("locked", "c", marker.version_id.as_deref(), true)
            .await;
        assert!(
            matches!(r, Err(Error::Refused(Refusal::MethodNotAllowed { .. }))),
            "{r:?}"
        );
    }
    // Everything below holds after a restart.
    let store = Store::open(d.two_classes()).await.unwrap();
    assert!(is_locked(
        &delete_version(&store, "c", &compliance_id, true).await
    ));
    assert!(is_locked(
        &delete_version(&store, "g", &governance_id, false).await
    ));
    assert!(is_locked(
        &delete_version(&store, "h", &held_id, true).await
    ));
    delete_version(&store, "e", &expired_id, false)
        .await
        .unwrap();
    assert_eq!(
        get_version(&store, "locked", "c", Some(&compliance_id))
            .await
            .unwrap(),
        b"kept"
    );

    // COMPLIANCE: kept or lengthened, never shortened, removed or weakened, even with bypass.
    let set = |mode, until: Option<u64>, bypass| {
        let store = &store;
        let id = compliance_id.clone();
        async move {
            store
                .set_object_retention("locked", "c", Some(&id), until.map(|u| (mode, u)), bypass)
                .await
        }
    };
    assert!(is_locked(
        &set(LockMode::Compliance, Some(until - 1), true).await
    ));
    assert!(is_locked(
        &set(LockMode::Governance, Some(until + 1), true).await
    ));
    assert!(is_locked(&set(LockMode::Compliance, None, true).await));
    set(LockMode::Compliance, Some(until + HOUR_NS), false)
        .await
        .unwrap();
    let info = head(&store, "locked", "c", Some(&compliance_id))
        .await
        .unwrap();
    assert_eq!(
        info.lock,
        Some(retention(LockMode::Compliance, until + HOUR_NS))
    );

    // GOVERNANCE: shortened or removed only with the bypass; made COMPLIANCE by anyone.
    let gov = |until: Option<u64>, bypass| {
        let store = &store;
        let id = governance_id.clone();
        async move {
            store
                .set_object_retention(
                    "locked",
                    "g",
                    Some(&id),
                    until.map(|u| (LockMode::Governance, u)),
                    bypass,
                )
                .await
        }
    };
    assert!(is_locked(&gov(Some(until - 1), false).await));
    gov(Some(until - 1), true).await.unwrap();
    delete_version(&store, "g", &governance_id, true)
        .await
        .unwrap();
    assert!(matches!(
        get_version(&store, "locked", "g", Some(&governance_id)).await,
        Err(Error::Refused(Refusal::NoSuchVersion))
    ));

    // A legal hold, once off, no longer keeps the version.
    store
        .set_object_legal_hold("locked", "h", Some(&held_id), false)
        .await
        .unwrap();
    delete_version(&store, "h", &held_id, false).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_object_gets_the_lock_its_upload_was_created_with() {
    let d = Dirs::new();
    let store = Store::open(d.two_classes()).await.unwrap();
    store
        .create_bucket_with("locked", None, None, true)
        .await
        .unwrap();
    let lock = ObjectLock {
        legal_hold: true,
        ..retention(LockMode::Governance, now_ns() + HOUR_NS)
    };
    let opts = UploadOptions {
        lock: Some(lock.clone()),
        ..UploadOptions::default()
    };
    let id = store
        .create_multipart_upload("locked", "mp", opts)
        .await
        .unwrap();
    let p = upload_part(&store, "locked", "mp", &id, 1, b"one part", 4)
        .await
        .unwrap();
    let done = vec![CompletedPart {
        part_number: 1,
        etag: p.etag,
    }];
    let info = store
        .complete_multipart_upload("locked", "mp", &id, done, None)
        .await
        .unwrap();
    assert_eq!(info.lock, Some(lock));
    assert!(is_locked(
        &delete_version(&store, "mp", &info.version_id, true).await
    ));
}
