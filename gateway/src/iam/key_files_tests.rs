//! The durable copies of the key files: a replacement changes file and copy together, and
//! a replacement cut off between the two (copy written, file not) is finished at the next
//! restore rather than refused.

use super::store::tests::store;
use super::{KeyFileError, KeyFiles};

#[tokio::test]
async fn a_replacement_cut_off_before_the_file_is_finished_at_restore() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let file = dir.path().join("sse-s3.key");
    std::fs::write(&file, b"sealed v1").unwrap();
    let files = KeyFiles::new(store.clone(), vec![file.clone()]);
    files.save().await.unwrap();

    files
        .replace(&file, b"sealed v1", b"sealed v2")
        .await
        .unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), b"sealed v2");
    files.restore().await.unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), b"sealed v2");

    // The crash: the copy holds v3 (and remembers v2), the file still holds v2.
    files
        .replace(&file, b"sealed v2", b"sealed v3")
        .await
        .unwrap();
    std::fs::write(&file, b"sealed v2").unwrap();
    files.restore().await.unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), b"sealed v3");

    // Anything else than the copy or its previous bytes is still refused.
    std::fs::write(&file, b"sealed v1").unwrap();
    assert!(matches!(
        files.restore().await,
        Err(KeyFileError::Differs { .. })
    ));
    // And a replacement of bytes the file does not hold is refused, changing nothing.
    assert!(matches!(
        files.replace(&file, b"sealed v3", b"sealed v4").await,
        Err(KeyFileError::Differs { .. })
    ));
    assert_eq!(std::fs::read(&file).unwrap(), b"sealed v1");
}
