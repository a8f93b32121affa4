//! Account ids: made once, given by `--root-account-id` when the store is first made, and
//! never changed silently afterwards.

use strata_volume::{ClassConfig, Scheme, Store, StoreConfig};

use super::IamStore;
use crate::iam::IamError;

pub(in crate::iam) async fn store(dir: &std::path::Path) -> Store {
    let volumes = (0..4)
        .map(|i| {
            let p = dir.join(format!("v{i}"));
            std::fs::create_dir_all(&p).unwrap();
            p
        })
        .collect();
    Store::open(StoreConfig::new(vec![ClassConfig {
        name: "fast".into(),
        volumes,
        scheme: Some(Scheme::Erasure { data: 2, parity: 2 }),
    }]))
    .await
    .unwrap()
}

#[tokio::test]
async fn a_given_root_id_is_used_once_and_another_later_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let iam = IamStore::open(store(dir.path()).await, crate::iam::SecretSeal::random())
        .await
        .unwrap();
    let made = iam
        .ensure_accounts(&["root"], &[("root", "123456789012")])
        .await
        .unwrap();
    assert_eq!(made[0].id, "123456789012");
    // The same id again, or none: the stored account, unchanged.
    let again = iam
        .ensure_accounts(&["root"], &[("root", "123456789012")])
        .await
        .unwrap();
    assert_eq!(again[0], made[0]);
    assert_eq!(
        iam.ensure_accounts(&["root"], &[]).await.unwrap()[0],
        made[0]
    );
    match iam
        .ensure_accounts(&["root"], &[("root", "210987654321")])
        .await
    {
        Err(IamError::AccountIdMismatch {
            account,
            stored,
            wanted,
        }) => assert_eq!(
            (account.as_str(), stored.as_str(), wanted.as_str()),
            ("root", "123456789012", "210987654321")
        ),
        other => panic!("expected AccountIdMismatch, got {other:?}"),
    }
    assert_eq!(
        iam.ensure_accounts(&["root"], &[]).await.unwrap()[0],
        made[0]
    );
}

#[tokio::test]
async fn a_given_id_held_by_another_account_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let iam = IamStore::open(store(dir.path()).await, crate::iam::SecretSeal::random())
        .await
        .unwrap();
    let team = iam.ensure_accounts(&["team"], &[]).await.unwrap()[0].clone();
    match iam.ensure_accounts(&["root"], &[("root", &team.id)]).await {
        Err(IamError::AccountIdTaken { id, holder }) => {
            assert_eq!((id, holder.as_str()), (team.id, "team"))
        }
        other => panic!("expected AccountIdTaken, got {other:?}"),
    }
}

#[tokio::test]
async fn secrets_stored_in_clear_are_sealed_at_open_and_open_only_with_their_key() {
    use super::super::records::{AccessKeyRecord, KeyStatus};
    use crate::iam::{encode, Kind, SecretSeal};
    use strata_volume::IamWrite;

    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    // As a strata before sealing wrote it.
    let secret = "clear-secret-0123456789";
    let key = Kind::AccessKey.key(&["AKIAOLD"]);
    let record = AccessKeyRecord {
        account_id: "111122223333".into(),
        user: "old".into(),
        secret: secret.into(),
        status: KeyStatus::Active,
        created_ns: 1,
    };
    store
        .iam_write(vec![IamWrite::Put {
            key: key.clone(),
            value: encode(&record),
        }])
        .await
        .unwrap();
    let in_clear = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret.as_bytes());

    let seal = SecretSeal::random();
    let iam = IamStore::open(store.clone(), seal.clone()).await.unwrap();
    assert_eq!(iam.snapshot().keys["AKIAOLD"], record, "read as it was");
    let stored = store.iam_get(&key).await.unwrap().unwrap();
    assert!(!in_clear(&stored), "sealed at open");
    // A session key made now is stored sealed too.
    iam.session_keyring().await.unwrap();
    for (_, value) in store.iam_scan(b"").await.unwrap() {
        assert!(
            !value.windows(4).any(|w| w == b"\"key\""),
            "no session key in clear"
        );
    }

    // The same seal opens them again; another (another SSE-S3 key) refuses to start.
    let reopened = IamStore::open(store.clone(), seal).await.unwrap();
    assert_eq!(reopened.snapshot().keys["AKIAOLD"], record);
    assert!(matches!(
        IamStore::open(store, SecretSeal::random()).await,
        Err(IamError::Corrupt(_))
    ));
}
