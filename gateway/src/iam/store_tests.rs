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
    let iam = IamStore::open(store(dir.path()).await).await.unwrap();
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
    let iam = IamStore::open(store(dir.path()).await).await.unwrap();
    let team = iam.ensure_accounts(&["team"], &[]).await.unwrap()[0].clone();
    match iam.ensure_accounts(&["root"], &[("root", &team.id)]).await {
        Err(IamError::AccountIdTaken { id, holder }) => {
            assert_eq!((id, holder.as_str()), (team.id, "team"))
        }
        other => panic!("expected AccountIdTaken, got {other:?}"),
    }
}
