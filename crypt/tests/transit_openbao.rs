//! The transit client against a real OpenBao dev server (`$STRATA_BAO`, see
//! `../shared/RECIPES.md` §1 and `recipes/openbao/fetch-bao.sh`).

use std::time::Duration;

use strata_crypt::kms::{EncryptionContext, Kms, KmsError, TransitConfig, TransitKms};
use strata_tests::{free_port, Bao, BAO_TOKEN as TOKEN};

/// The dev server with transit mounted (the harness's, killed when dropped).
fn start_bao() -> Bao {
    // reqwest is built without a default TLS provider; the client under test needs one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Bao::start()
}

fn transit_config(bao: &Bao) -> TransitConfig {
    TransitConfig {
        address: bao.url(),
        mount: "transit".into(),
        ca_bundle: None,
        timeout: Duration::from_secs(5),
    }
}

fn client(bao: &Bao) -> TransitKms {
    TransitKms::new(&transit_config(bao), TOKEN.into()).expect("build the transit client")
}

fn context() -> EncryptionContext {
    EncryptionContext::new().with("aws:s3:arn", "arn:aws:s3:::photos/cat.jpg")
}

#[tokio::test]
async fn transit_seals_rotates_and_rewraps_data_keys() {
    let bao = start_bao();
    let kms = client(&bao);

    let info = kms.create_key("s3gw").await.unwrap();
    assert_eq!((info.current_version, info.versions.clone()), (1, vec![1]));
    assert!(matches!(
        kms.create_key("s3gw").await,
        Err(KmsError::KeyExists(_))
    ));
    assert!(matches!(
        kms.create_key("a/b").await,
        Err(KmsError::InvalidKeyId(_))
    ));

    let old = kms.generate_data_key("s3gw", &context()).await.unwrap();
    assert_eq!(old.key_version, 1);
    assert!(old.sealed.starts_with(b"vault:v1:"));
    let opened = kms.decrypt("s3gw", &old.sealed, &context()).await.unwrap();
    assert_eq!(opened.expose(), old.plaintext.expose());

    // Another context, a changed blob, another key: refused.
    let other = context().with("team", "red");
    assert!(matches!(
        kms.decrypt("s3gw", &old.sealed, &other).await,
        Err(KmsError::InvalidBlob)
    ));
    let mut bad = old.sealed.clone();
    let last = bad.len() - 3;
    bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        kms.decrypt("s3gw", &bad, &context()).await,
        Err(KmsError::InvalidBlob)
    ));
    assert!(matches!(
        kms.decrypt("s3gw", b"not a blob", &context()).await,
        Err(KmsError::InvalidBlob)
    ));
    assert!(matches!(
        kms.decrypt("missing", &old.sealed, &context()).await,
        Err(KmsError::NoSuchKey(_))
    ));
    assert!(matches!(
        kms.generate_data_key("missing", &context()).await,
        Err(KmsError::NoSuchKey(_))
    ));

    // Rotation: new data keys under v2, old blobs still open, rewrap moves them to v2.
    let info = kms.rotate_key("s3gw").await.unwrap();
    assert_eq!(
        (info.current_version, info.versions.clone()),
        (2, vec![1, 2])
    );
    let new = kms.generate_data_key("s3gw", &context()).await.unwrap();
    assert_eq!(new.key_version, 2);
    let still = kms.decrypt("s3gw", &old.sealed, &context()).await.unwrap();
    assert_eq!(still.expose(), old.plaintext.expose());
    let rewrapped = kms.rewrap("s3gw", &old.sealed, &context()).await.unwrap();
    assert!(
        rewrapped.starts_with(b"vault:v2:"),
        "{}",
        String::from_utf8_lossy(&rewrapped)
    );
    assert_eq!(kms.key_info("s3gw").await.unwrap().current_version, 2);
    assert_eq!(kms.sealed_version(&old.sealed), Some(1));
    assert_eq!(kms.sealed_version(&rewrapped), Some(2));
    assert_eq!(kms.sealed_version(b"\x01\x01k-not-transit"), None);
    let again = kms.decrypt("s3gw", &rewrapped, &context()).await.unwrap();
    assert_eq!(again.expose(), old.plaintext.expose());
    assert!(matches!(
        kms.rewrap("s3gw", &old.sealed, &other).await,
        Err(KmsError::InvalidBlob)
    ));

    kms.create_key("other").await.unwrap();
    let listed: Vec<_> = kms
        .list_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.id, k.current_version))
        .collect();
    assert_eq!(listed, [("other".to_string(), 1), ("s3gw".to_string(), 2)]);
}

#[tokio::test]
async fn a_bad_token_is_rejected_and_an_absent_server_is_unavailable() {
    let bao = start_bao();
    let config = transit_config(&bao);
    let intruder = TransitKms::new(&config, "wrong".into()).unwrap();
    assert!(matches!(
        intruder.list_keys().await,
        Err(KmsError::Rejected { status: 403, .. })
    ));

    let nowhere = TransitConfig {
        address: format!("http://127.0.0.1:{}", free_port()),
        ..config
    };
    let absent = TransitKms::new(&nowhere, TOKEN.into()).unwrap();
    assert!(matches!(
        absent.list_keys().await,
        Err(KmsError::Unavailable(_))
    ));
}

/// A fresh token of the dev server (root's policies, an hour).
fn new_token(bao: &Bao) -> String {
    let reply = bao.ok("POST", "auth/token/create", r#"{"ttl":"1h"}"#);
    let doc: serde_json::Value = serde_json::from_slice(&reply.body).expect("token JSON");
    doc["auth"]["client_token"]
        .as_str()
        .expect("a client token")
        .to_string()
}

/// Revokes `token`.
fn revoke(bao: &Bao, token: &str) {
    let body = serde_json::json!({ "token": token }).to_string();
    bao.ok("POST", "auth/token/revoke", &body);
}

#[tokio::test]
async fn a_token_file_is_read_again_when_its_token_is_revoked() {
    let bao = start_bao();
    let root = client(&bao);
    root.create_key("s3gw").await.unwrap();
    let first = new_token(&bao);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, &first).unwrap();
    let config = transit_config(&bao);
    let kms = TransitKms::with_token_file(&config, &file).unwrap();
    let key = kms.generate_data_key("s3gw", &context()).await.unwrap();
    // The token is revoked and an agent writes a new one: the next call is refused once,
    // the file is read again, and the call goes through.
    revoke(&bao, &first);
    let second = new_token(&bao);
    std::fs::write(&file, &second).unwrap();
    let opened = kms.decrypt("s3gw", &key.sealed, &context()).await.unwrap();
    assert_eq!(opened.expose(), key.plaintext.expose());
    // A fixed token cannot be renewed: a revoked one stays refused.
    let fixed = TransitKms::new(&config, second.clone()).unwrap();
    revoke(&bao, &second);
    assert!(matches!(
        fixed.decrypt("s3gw", &key.sealed, &context()).await,
        Err(KmsError::Rejected { status: 403, .. })
    ));
    // A missing token file is refused when the client is made.
    assert!(TransitKms::with_token_file(&config, &dir.path().join("absent")).is_err());
}
