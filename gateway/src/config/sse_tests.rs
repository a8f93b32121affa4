use std::path::Path;

use strata_crypt::kms::TransitAuth;

use super::raw::RawSettings;
use super::sse::{KmsSetting, SseConfig, SseDefault};

fn parse(raw: RawSettings) -> Result<SseConfig, super::ConfigError> {
    SseConfig::from_raw(&raw).map(|c| c.under(Path::new("/data")))
}

#[test]
fn new_objects_are_encrypted_by_default_with_a_keyring_under_data() {
    let cfg = parse(RawSettings::default()).unwrap();
    assert_eq!(cfg.default, SseDefault::Aes256);
    assert!(cfg.keyring_is_default);
    assert_eq!(cfg.keyring, Path::new("/data/sse-keyring.json"));
    assert_eq!(cfg.sealed_s3_key, Path::new("/data/sse-s3.key"));
    assert_eq!(cfg.s3_key, super::DEFAULT_SSE_S3_KEY);
}

#[test]
fn the_default_can_be_turned_off_and_the_keyring_named() {
    let cfg = parse(RawSettings {
        sse_default: Some("none".into()),
        sse_keyring: Some("/secrets/sse".into()),
        sse_s3_key: Some("s3-main".into()),
        ..RawSettings::default()
    })
    .unwrap();
    assert_eq!(cfg.default, SseDefault::None);
    assert!(!cfg.keyring_is_default);
    assert_eq!(cfg.keyring, Path::new("/secrets/sse"));
    assert_eq!(cfg.s3_key, "s3-main");
}

#[test]
fn the_cipher_is_the_cpus_choice_unless_named() {
    use strata_crypt::Cipher;
    let cipher = |name: Option<&str>| {
        let raw = RawSettings {
            sse_cipher: name.map(String::from),
            ..RawSettings::default()
        };
        parse(raw).unwrap().cipher
    };
    assert_eq!(cipher(None), super::CipherSetting::Auto);
    assert_eq!(cipher(None).cipher(), Cipher::preferred());
    assert_eq!(cipher(Some("auto")), super::CipherSetting::Auto);
    let chacha = cipher(Some("ChaCha20-Poly1305"));
    assert_eq!(chacha.cipher(), Cipher::ChaCha20Poly1305);
    assert_eq!(cipher(Some("aes-256-gcm")).cipher(), Cipher::Aes256Gcm);
}

#[test]
fn unknown_defaults_and_bad_key_ids_are_refused() {
    for raw in [
        RawSettings {
            sse_default: Some("aws:kms".into()),
            ..RawSettings::default()
        },
        RawSettings {
            sse_s3_key: Some(".hidden".into()),
            ..RawSettings::default()
        },
        RawSettings {
            sse_cipher: Some("AES-128-GCM".into()),
            ..RawSettings::default()
        },
        RawSettings {
            sse_s3_key: Some("a/b".into()),
            ..RawSettings::default()
        },
    ] {
        assert!(parse(raw).is_err());
    }
}

#[test]
fn sse_kms_uses_the_keyring_unless_a_transit_engine_is_named() {
    let cfg = parse(RawSettings::default()).unwrap();
    assert_eq!(cfg.kms, KmsSetting::Keyring);
    assert_eq!(cfg.kms_key, super::DEFAULT_SSE_KMS_KEY);
    let transit = parse(RawSettings {
        kms_address: Some("https://openbao.vault:8200/".into()),
        kms_token_file: Some("/var/run/secrets/kms/token".into()),
        sse_kms_key: Some("app".into()),
        ..RawSettings::default()
    })
    .unwrap();
    assert_eq!(
        transit.kms,
        KmsSetting::Transit {
            address: "https://openbao.vault:8200".into(),
            mount: "transit".into(),
            auth: TransitAuth::TokenFile("/var/run/secrets/kms/token".into()),
            ca_file: None,
        }
    );
    assert_eq!(transit.kms_key, "app");
}

#[test]
fn transit_settings_without_an_address_or_a_token_are_refused() {
    for raw in [
        RawSettings {
            kms_token_file: Some("/t".into()),
            ..RawSettings::default()
        },
        RawSettings {
            kms_mount: Some("transit".into()),
            ..RawSettings::default()
        },
        RawSettings {
            kms_address: Some("https://kms:8200".into()),
            ..RawSettings::default()
        },
        RawSettings {
            kms_address: Some("kms:8200".into()),
            kms_token_file: Some("/t".into()),
            ..RawSettings::default()
        },
        RawSettings {
            sse_kms_key: Some("a b".into()),
            ..RawSettings::default()
        },
    ] {
        assert!(parse(raw.clone()).is_err(), "{raw:?}");
    }
}

#[test]
fn transit_logins_take_their_own_settings_and_refuse_the_others() {
    let approle = parse(RawSettings {
        kms_address: Some("http://127.0.0.1:8200".into()),
        kms_auth: Some("approle".into()),
        kms_role_id_file: Some("/s/role-id".into()),
        kms_secret_id_file: Some("/s/secret-id".into()),
        ..RawSettings::default()
    })
    .unwrap();
    let KmsSetting::Transit { auth, .. } = approle.kms else {
        panic!("not transit");
    };
    assert_eq!(
        auth,
        TransitAuth::AppRole {
            mount: "approle".into(),
            role_id_file: "/s/role-id".into(),
            secret_id_file: "/s/secret-id".into(),
        }
    );
    let k8s = parse(RawSettings {
        kms_address: Some("https://bao:8200".into()),
        kms_auth: Some("kubernetes".into()),
        kms_auth_mount: Some("/auth-k8s/".into()),
        kms_role: Some("strata".into()),
        kms_jwt_file: Some("/var/run/secrets/tokens/kms".into()),
        ..RawSettings::default()
    })
    .unwrap();
    let KmsSetting::Transit { auth, .. } = k8s.kms else {
        panic!("not transit");
    };
    assert_eq!(
        auth,
        TransitAuth::Jwt {
            mount: "auth-k8s".into(),
            role: "strata".into(),
            jwt_file: "/var/run/secrets/tokens/kms".into(),
        }
    );
    let base = RawSettings {
        kms_address: Some("https://bao:8200".into()),
        ..RawSettings::default()
    };
    for raw in [
        // A setting of another method.
        RawSettings {
            kms_auth: Some("approle".into()),
            kms_role_id_file: Some("/r".into()),
            kms_secret_id_file: Some("/s".into()),
            kms_token_file: Some("/t".into()),
            ..base.clone()
        },
        // A missing one.
        RawSettings {
            kms_auth: Some("jwt".into()),
            kms_jwt_file: Some("/j".into()),
            ..base.clone()
        },
        RawSettings {
            kms_auth: Some("ldap".into()),
            ..base.clone()
        },
        RawSettings {
            kms_auth: Some("approle".into()),
            kms_auth_mount: Some("../sys".into()),
            kms_role_id_file: Some("/r".into()),
            kms_secret_id_file: Some("/s".into()),
            ..base.clone()
        },
    ] {
        assert!(parse(raw.clone()).is_err(), "{raw:?}");
    }
}
