//! Sealed object keys open only under their KEK, for their bucket, object and mode; sealed
//! values only for their object and purpose.

mod support;

use strata_crypt::{
    open_key, open_value, seal_key, seal_value, EnvelopeError, Kek, KeyBinding, SseMode,
    SEALED_KEY_LEN,
};
use support::key;

fn kek() -> Kek {
    Kek::generate().unwrap()
}

const BINDING: KeyBinding<'static> = KeyBinding {
    bucket: "photos",
    object: "2026/cat.jpg",
    mode: SseMode::S3,
};

#[test]
fn a_sealed_key_opens_to_the_object_key() {
    let (kek, object_key) = (kek(), key());
    for mode in [SseMode::S3, SseMode::Kms, SseMode::Customer] {
        let binding = KeyBinding { mode, ..BINDING };
        let sealed = seal_key(&kek, &object_key, &binding).unwrap();
        assert_eq!(sealed.as_bytes().len(), SEALED_KEY_LEN);
        assert_eq!(sealed.as_bytes()[0], 1);
        assert_eq!(sealed.mode(), Some(mode));
        let opened = open_key(&kek, sealed.as_bytes(), &binding).unwrap();
        assert_eq!(opened.expose(), object_key.expose());
    }
}

#[test]
fn the_object_key_is_not_in_the_sealed_key() {
    let (kek, object_key) = (kek(), key());
    let sealed = seal_key(&kek, &object_key, &BINDING).unwrap();
    assert!(!sealed
        .as_bytes()
        .windows(8)
        .any(|w| w == &object_key.expose()[..8]));
}

#[test]
fn the_wrong_kek_is_refused() {
    let sealed = seal_key(&kek(), &key(), &BINDING).unwrap();
    assert_eq!(
        open_key(&kek(), sealed.as_bytes(), &BINDING).unwrap_err(),
        EnvelopeError::Authentication
    );
}

#[test]
fn a_sealed_key_moved_to_another_bucket_object_or_mode_is_refused() {
    let kek = kek();
    let sealed = seal_key(&kek, &key(), &BINDING).unwrap();
    for other in [
        KeyBinding {
            bucket: "photos2",
            ..BINDING
        },
        KeyBinding {
            object: "2026/dog.jpg",
            ..BINDING
        },
        KeyBinding {
            object: "",
            ..BINDING
        },
        KeyBinding {
            mode: SseMode::Kms,
            ..BINDING
        },
        // Shifting a byte between bucket and object does not keep the bound bytes equal.
        KeyBinding {
            bucket: "photos2",
            object: "026/cat.jpg",
            ..BINDING
        },
    ] {
        assert_eq!(
            open_key(&kek, sealed.as_bytes(), &other).unwrap_err(),
            EnvelopeError::Authentication,
            "{other:?}"
        );
    }
    // The mode byte rewritten to match another binding fails authentication too.
    let mut bytes = sealed.as_bytes().to_vec();
    bytes[1] = SseMode::Kms.id();
    let kms = KeyBinding {
        mode: SseMode::Kms,
        ..BINDING
    };
    assert_eq!(
        open_key(&kek, &bytes, &kms).unwrap_err(),
        EnvelopeError::Authentication
    );
}

#[test]
fn corrupted_sealed_keys_are_refused() {
    let kek = kek();
    let sealed = seal_key(&kek, &key(), &BINDING).unwrap();
    for at in 2..SEALED_KEY_LEN {
        let mut bytes = sealed.as_bytes().to_vec();
        bytes[at] ^= 0x80;
        assert_eq!(
            open_key(&kek, &bytes, &BINDING).unwrap_err(),
            EnvelopeError::Authentication,
            "byte {at}"
        );
    }
    let bytes = sealed.as_bytes();
    assert_eq!(
        open_key(&kek, &bytes[..SEALED_KEY_LEN - 1], &BINDING).unwrap_err(),
        EnvelopeError::Length(SEALED_KEY_LEN - 1)
    );
    assert_eq!(
        open_key(&kek, &[], &BINDING).unwrap_err(),
        EnvelopeError::Length(0)
    );
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert_eq!(
        open_key(&kek, &longer, &BINDING).unwrap_err(),
        EnvelopeError::Length(SEALED_KEY_LEN + 1)
    );
    let mut mode = bytes.to_vec();
    mode[1] = 9;
    assert_eq!(
        open_key(&kek, &mode, &BINDING).unwrap_err(),
        EnvelopeError::UnknownMode(9)
    );
}

#[test]
fn unknown_versions_are_refused() {
    let kek = kek();
    let mut bytes = seal_key(&kek, &key(), &BINDING)
        .unwrap()
        .as_bytes()
        .to_vec();
    bytes[0] = 2;
    assert_eq!(
        open_key(&kek, &bytes, &BINDING).unwrap_err(),
        EnvelopeError::UnknownVersion(2)
    );
    bytes.truncate(10);
    assert_eq!(
        open_key(&kek, &bytes, &BINDING).unwrap_err(),
        EnvelopeError::UnknownVersion(2)
    );
}

#[test]
fn a_bucket_name_too_long_to_bind_is_refused() {
    let long = "b".repeat(70_000);
    let binding = KeyBinding {
        bucket: &long,
        ..BINDING
    };
    assert_eq!(
        seal_key(&kek(), &key(), &binding).unwrap_err(),
        EnvelopeError::NameTooLong
    );
}

#[test]
fn sealed_values_open_only_for_their_object_and_purpose() {
    let object_key = key();
    let checksum = b"crc32c=AAAAAA==";
    let sealed = seal_value(&object_key, "checksum", checksum).unwrap();
    assert!(!sealed.windows(checksum.len()).any(|w| w == checksum));
    assert_eq!(
        open_value(&object_key, "checksum", &sealed).unwrap(),
        checksum
    );
    assert_eq!(
        open_value(&object_key, "etag", &sealed).unwrap_err(),
        EnvelopeError::Authentication
    );
    assert_eq!(
        open_value(&key(), "checksum", &sealed).unwrap_err(),
        EnvelopeError::Authentication
    );
    let mut bad = sealed.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(
        open_value(&object_key, "checksum", &bad).unwrap_err(),
        EnvelopeError::Authentication
    );
    bad[0] = 7;
    assert_eq!(
        open_value(&object_key, "checksum", &bad).unwrap_err(),
        EnvelopeError::UnknownVersion(7)
    );
    assert_eq!(
        open_value(&object_key, "checksum", &sealed[..20]).unwrap_err(),
        EnvelopeError::Length(20)
    );
    assert_eq!(
        open_value(&object_key, "checksum", &[]).unwrap_err(),
        EnvelopeError::Length(0)
    );
    let empty = seal_value(&object_key, "checksum", b"").unwrap();
    assert_eq!(open_value(&object_key, "checksum", &empty).unwrap(), b"");
}
