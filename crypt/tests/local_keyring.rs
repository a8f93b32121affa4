//! The local keyring: create, list, rotate, data keys, rewrap, persistence.

use std::path::Path;

use strata_crypt::kms::{EncryptionContext, KeyInfo, KeyringLocation, Kms, KmsError, LocalKeyring};

fn context() -> EncryptionContext {
    EncryptionContext::new()
        .with("aws:s3:arn", "arn:aws:s3:::photos/cat.jpg")
        .with("team", "blue")
}

fn file_keyring(dir: &Path) -> LocalKeyring {
    LocalKeyring::open(KeyringLocation::File(dir.join("keyring.json"))).unwrap()
}

#[tokio::test]
async fn a_created_key_seals_and_unseals_data_keys() {
    let dir = tempfile::tempdir().unwrap();
    let kms = file_keyring(dir.path());
    let info = kms.create_key("app/photos").await.unwrap();
    assert_eq!(
        info,
        KeyInfo {
            id: "app/photos".into(),
            current_version: 1,
            versions: vec![1]
        }
    );
    let data_key = kms
        .generate_data_key("app/photos", &context())
        .await
        .unwrap();
    assert_eq!(data_key.key_version, 1);
    assert!(!data_key
        .sealed
        .windows(16)
        .any(|w| w == &data_key.plaintext.expose()[..16]));
    let opened = kms
        .decrypt("app/photos", &data_key.sealed, &context())
        .await
        .unwrap();
    assert_eq!(opened.expose(), data_key.plaintext.expose());
}

#[tokio::test]
async fn another_context_or_key_or_changed_blob_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let kms = file_keyring(dir.path());
    kms.create_key("a").await.unwrap();
    kms.create_key("b").await.unwrap();
    let data_key = kms.generate_data_key("a", &context()).await.unwrap();
    let other = context().with("team", "red");
    assert!(matches!(
        kms.decrypt("a", &data_key.sealed, &other).await,
        Err(KmsError::InvalidBlob)
    ));
    assert!(matches!(
        kms.decrypt("a", &data_key.sealed, &EncryptionContext::new())
            .await,
        Err(KmsError::InvalidBlob)
    ));
    assert!(matches!(
        kms.decrypt("b", &data_key.sealed, &context()).await,
        Err(KmsError::InvalidBlob)
    ));
    assert!(matches!(
        kms.decrypt("nope", &data_key.sealed, &context()).await,
        Err(KmsError::NoSuchKey(_))
    ));
    for at in 0..data_key.sealed.len() {
        let mut bad = data_key.sealed.clone();
        bad[at] ^= 0x04;
        assert!(
            kms.decrypt("a", &bad, &context()).await.is_err(),
            "byte {at}"
        );
    }
    for len in 0..data_key.sealed.len() {
        assert!(
            kms.decrypt("a", &data_key.sealed[..len], &context())
                .await
                .is_err(),
            "length {len}"
        );
    }
}

#[tokio::test]
async fn rotation_keeps_old_blobs_readable_and_rewrap_moves_them_to_the_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let kms = file_keyring(dir.path());
    kms.create_key("k").await.unwrap();
    let old = kms.generate_data_key("k", &context()).await.unwrap();
    let info = kms.rotate_key("k").await.unwrap();
    assert_eq!(
        (info.current_version, info.versions.clone()),
        (2, vec![1, 2])
    );
    let new = kms.generate_data_key("k", &context()).await.unwrap();
    assert_eq!(new.key_version, 2);
    assert_eq!(
        kms.decrypt("k", &old.sealed, &context())
            .await
            .unwrap()
            .expose(),
        old.plaintext.expose()
    );
    let rewrapped = kms.rewrap("k", &old.sealed, &context()).await.unwrap();
    assert_ne!(rewrapped, old.sealed);
    // The versions a re-seal compares, without a call.
    assert_eq!(kms.key_info("k").await.unwrap().current_version, 2);
    assert_eq!(kms.sealed_version(&old.sealed), Some(1));
    assert_eq!(kms.sealed_version(&rewrapped), Some(2));
    assert_eq!(kms.sealed_version(b"vault:v2:abc"), None);
    // A data key made elsewhere seals under the current version and opens again.
    let sealed = kms.seal("k", &old.plaintext, &context()).await.unwrap();
    assert_eq!(kms.sealed_version(&sealed), Some(2));
    let opened = kms.decrypt("k", &sealed, &context()).await.unwrap();
    assert_eq!(opened.expose(), old.plaintext.expose());
    assert!(matches!(
        kms.key_info("missing").await,
        Err(KmsError::NoSuchKey(_))
    ));
    assert_eq!(&rewrapped[..3], &[1, 1, b'k']);
    assert_eq!(
        &rewrapped[3..7],
        &2u32.to_be_bytes(),
        "sealed under version 2"
    );
    assert_eq!(
        kms.decrypt("k", &rewrapped, &context())
            .await
            .unwrap()
            .expose(),
        old.plaintext.expose()
    );
    assert!(matches!(
        kms.rewrap("k", &old.sealed, &EncryptionContext::new())
            .await,
        Err(KmsError::InvalidBlob)
    ));
}

#[tokio::test]
async fn keys_survive_a_reload_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyring.json");
    let (blob, plaintext) = {
        let kms = LocalKeyring::open(KeyringLocation::File(path.clone())).unwrap();
        kms.create_key("k").await.unwrap();
        let old = kms.generate_data_key("k", &context()).await.unwrap();
        kms.rotate_key("k").await.unwrap();
        kms.create_key("other").await.unwrap();
        (old.sealed, old.plaintext)
    };
    let kms = LocalKeyring::open(KeyringLocation::File(path.clone())).unwrap();
    let keys = kms.list_keys().await.unwrap();
    assert_eq!(
        keys.iter()
            .map(|k| (k.id.as_str(), k.current_version))
            .collect::<Vec<_>>(),
        [("k", 2), ("other", 1)]
    );
    assert_eq!(
        kms.decrypt("k", &blob, &context()).await.unwrap().expose(),
        plaintext.expose()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        ["keyring.json"],
        "no temporary files left behind"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn a_directory_keyring_holds_one_file_per_key_and_skips_dot_entries() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("..data")).unwrap();
    std::fs::write(dir.path().join(".hidden"), b"not json").unwrap();
    let location = KeyringLocation::Directory(dir.path().to_path_buf());
    let kms = LocalKeyring::open(location.clone()).unwrap();
    kms.create_key("sse-s3").await.unwrap();
    kms.rotate_key("sse-s3").await.unwrap();
    let blob = kms.generate_data_key("sse-s3", &context()).await.unwrap();
    assert!(dir.path().join("sse-s3").is_file());
    assert!(matches!(
        kms.create_key("a/b").await,
        Err(KmsError::InvalidKeyId(_))
    ));
    let reloaded = LocalKeyring::open(location).unwrap();
    assert_eq!(reloaded.list_keys().await.unwrap()[0].versions, [1, 2]);
    assert_eq!(
        reloaded
            .decrypt("sse-s3", &blob.sealed, &context())
            .await
            .unwrap()
            .expose(),
        blob.plaintext.expose()
    );
}

#[tokio::test]
async fn a_hand_written_secret_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let material = base64_of([7u8; 32]);
    let text =
        format!(r#"{{"versions": [{{"version": 3, "material": "{material}", "created": 0}}]}}"#);
    std::fs::write(dir.path().join("master"), text).unwrap();
    let kms = LocalKeyring::open(KeyringLocation::Directory(dir.path().to_path_buf())).unwrap();
    let key = kms
        .generate_data_key("master", &EncryptionContext::new())
        .await
        .unwrap();
    assert_eq!(key.key_version, 3);
}

fn base64_of(bytes: [u8; 32]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn duplicate_keys_and_bad_ids_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let kms = file_keyring(dir.path());
    kms.create_key("k").await.unwrap();
    assert!(matches!(
        kms.create_key("k").await,
        Err(KmsError::KeyExists(_))
    ));
    for bad in ["", ".k", "k k", "é", &"x".repeat(65)] {
        assert!(
            matches!(kms.create_key(bad).await, Err(KmsError::InvalidKeyId(_))),
            "{bad:?}"
        );
    }
    assert!(matches!(
        kms.rotate_key("missing").await,
        Err(KmsError::NoSuchKey(_))
    ));
    assert!(matches!(
        kms.generate_data_key("missing", &context()).await,
        Err(KmsError::NoSuchKey(_))
    ));
}

#[test]
fn corrupt_keyring_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyring.json");
    let good_material = base64_of([1u8; 32]);
    let cases = [
        "not json".to_string(),
        r#"{"format": "strata-keyring", "version": 2, "keys": {}}"#.to_string(),
        r#"{"format": "other", "version": 1, "keys": {}}"#.to_string(),
        r#"{"format": "strata-keyring", "version": 1, "keys": {}, "extra": 1}"#.to_string(),
        r#"{"format": "strata-keyring", "version": 1, "keys": {"k": {"versions": []}}}"#.to_string(),
        format!(r#"{{"format": "strata-keyring", "version": 1, "keys": {{"k": {{"versions": [{{"version": 1, "material": "{good_material}", "created": 0}}, {{"version": 1, "material": "{good_material}", "created": 0}}]}}}}}}"#),
        format!(r#"{{"format": "strata-keyring", "version": 1, "keys": {{"k": {{"versions": [{{"version": 0, "material": "{good_material}", "created": 0}}]}}}}}}"#),
        r#"{"format": "strata-keyring", "version": 1, "keys": {"k": {"versions": [{"version": 1, "material": "AAAA", "created": 0}]}}}"#.to_string(),
        r#"{"format": "strata-keyring", "version": 1, "keys": {"k": {"versions": [{"version": 1, "material": "!!", "created": 0}]}}}"#.to_string(),
        format!(r#"{{"format": "strata-keyring", "version": 1, "keys": {{".k": {{"versions": [{{"version": 1, "material": "{good_material}", "created": 0}}]}}}}}}"#),
    ];
    for text in &cases {
        std::fs::write(&path, text).unwrap();
        let err = LocalKeyring::open(KeyringLocation::File(path.clone())).unwrap_err();
        assert!(
            matches!(err, KmsError::CorruptKeyring { .. }),
            "{text}: {err:?}"
        );
    }
    // The same shape with valid content loads: the cases above fail for their flaw only.
    let good = format!(
        r#"{{"format": "strata-keyring", "version": 1, "keys": {{"k": {{"versions": [{{"version": 1, "material": "{good_material}", "created": 0}}]}}}}}}"#
    );
    std::fs::write(&path, good).unwrap();
    assert!(LocalKeyring::open(KeyringLocation::File(path)).is_ok());
}

#[test]
fn a_missing_directory_is_an_io_error_and_a_missing_file_an_empty_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let err =
        LocalKeyring::open(KeyringLocation::Directory(dir.path().join("absent"))).unwrap_err();
    assert!(matches!(err, KmsError::Io { .. }));
    assert!(LocalKeyring::open(KeyringLocation::File(dir.path().join("absent.json"))).is_ok());
}

#[tokio::test]
async fn a_failed_write_leaves_the_keys_in_memory_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::create_dir(&secret).unwrap();
    let kms = LocalKeyring::open(KeyringLocation::Directory(secret.clone())).unwrap();
    kms.create_key("k").await.unwrap();
    // The mount disappears (as root, permissions would not stop the write).
    std::fs::remove_dir_all(&secret).unwrap();
    assert!(matches!(
        kms.rotate_key("k").await,
        Err(KmsError::Io { .. })
    ));
    assert_eq!(kms.list_keys().await.unwrap()[0].current_version, 1);
    assert!(matches!(
        kms.create_key("j").await,
        Err(KmsError::Io { .. })
    ));
    assert_eq!(kms.list_keys().await.unwrap().len(), 1);
}

#[tokio::test]
async fn contexts_that_concatenate_alike_are_still_different() {
    let dir = tempfile::tempdir().unwrap();
    let kms = file_keyring(dir.path());
    kms.create_key("k").await.unwrap();
    let a = EncryptionContext::new().with("a", "bc");
    let b = EncryptionContext::new().with("ab", "c");
    let sealed = kms.generate_data_key("k", &a).await.unwrap().sealed;
    assert!(kms.decrypt("k", &sealed, &a).await.is_ok());
    assert!(matches!(
        kms.decrypt("k", &sealed, &b).await,
        Err(KmsError::InvalidBlob)
    ));
}
