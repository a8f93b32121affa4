use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

fn files(pairs: &[(&str, &str)]) -> impl Fn(&Path) -> std::io::Result<String> {
    let map: HashMap<PathBuf, String> = pairs
        .iter()
        .map(|(k, v)| (PathBuf::from(k), v.to_string()))
        .collect();
    move |p: &Path| {
        map.get(p)
            .cloned()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

fn minimal_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("STRATA_DATA", "/d"),
        ("STRATA_VOLUMES", "fast=/v/0,/v/1,/v/2,/v/3"),
        ("STRATA_ACCESS_KEY", "root"),
        ("STRATA_SECRET_KEY", "rootsecret"),
    ]
}

#[test]
fn dev_mode_needs_nothing_else_and_makes_two_classes() {
    let args = ServeArgs {
        dev: true,
        ..Default::default()
    };
    let cfg = load(&args, &env_of(&[]), &files(&[])).unwrap();
    assert_eq!(cfg.listen.to_string(), DEFAULT_LISTEN);
    assert_eq!(cfg.data, PathBuf::from("./strata-data"));
    assert_eq!(cfg.classes.len(), 2);
    assert_eq!(cfg.classes[0].name, "fast");
    assert_eq!(cfg.classes[0].volumes.len(), 4);
    assert_eq!(
        cfg.classes[0].scheme,
        Some(SchemeSpec::Erasure { data: 2, parity: 2 })
    );
    assert_eq!(cfg.classes[1].scheme, Some(SchemeSpec::Mirror));
    assert_eq!(cfg.class_names.for_client("fast"), "STANDARD");
    assert_eq!(cfg.class_names.for_client("bulk"), "STANDARD_IA");
    assert_eq!(cfg.credentials.access_key, DEV_ACCESS_KEY);
    assert_eq!(cfg.shutdown_grace, Duration::from_secs(30));
    assert_eq!(cfg.meta_cache, strata_volume::DEFAULT_META_CACHE_PER_VOLUME);
}

#[test]
fn environment_names_follow_the_contract() {
    let mut env = minimal_env();
    env.extend([
        ("STRATA_LISTEN", "127.0.0.1:9100"),
        ("STRATA_REGION", "eu-west-1"),
        ("STRATA_DOMAIN", "s3.local"),
        ("STRATA_BUCKETS", "uploads, reports"),
        ("STRATA_SHUTDOWN_GRACE", "5"),
        ("STRATA_META_CACHE", "32"),
        ("STRATA_ERASURE", "fast=3+1"),
    ]);
    let cfg = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap();
    assert_eq!(cfg.listen.port(), 9100);
    assert_eq!(cfg.region, "eu-west-1");
    assert_eq!(cfg.domain.as_deref(), Some("s3.local"));
    assert_eq!(cfg.buckets, vec!["uploads", "reports"]);
    assert_eq!(cfg.shutdown_grace, Duration::from_secs(5));
    assert_eq!(cfg.meta_cache, 32 << 20);
    assert_eq!(
        cfg.classes[0].scheme,
        Some(SchemeSpec::Erasure { data: 3, parity: 1 })
    );
}

#[test]
fn flag_wins_over_env_which_wins_over_file() {
    let file = "listen = \"127.0.0.1:7000\"\nregion = \"file-region\"\nshutdown_grace = 9\n\
                data = \"/d\"\nvolumes = \"a=/x\"\naccess_key = \"fileroot\"\nsecret_key = \"filesecret\"\n";
    let args = ServeArgs {
        config: Some("/etc/strata.toml".into()),
        listen: Some("127.0.0.1:7002".into()),
        ..Default::default()
    };
    let env = env_of(&[
        ("STRATA_LISTEN", "127.0.0.1:7001"),
        ("STRATA_REGION", "env-region"),
    ]);
    let cfg = load(&args, &env, &files(&[("/etc/strata.toml", file)])).unwrap();
    assert_eq!(cfg.listen.port(), 7002);
    assert_eq!(cfg.region, "env-region");
    assert_eq!(cfg.shutdown_grace, Duration::from_secs(9));
    assert_eq!(cfg.credentials.access_key, "fileroot");
}

#[test]
fn credentials_come_from_mounted_files_without_the_newline() {
    let env = env_of(&[
        ("STRATA_DATA", "/d"),
        ("STRATA_VOLUMES", "a=/x"),
        ("STRATA_ACCESS_KEY_FILE", "/s/ak"),
        ("STRATA_SECRET_KEY_FILE", "/s/sk"),
    ]);
    let cfg = load(
        &ServeArgs::default(),
        &env,
        &files(&[("/s/ak", "root\n"), ("/s/sk", "supersecret\n")]),
    )
    .unwrap();
    assert_eq!(cfg.credentials.access_key, "root");
    assert_eq!(cfg.credentials.secret_key, "supersecret");
}

#[test]
fn errors_name_the_bad_setting() {
    let mut env = minimal_env();
    env.push(("STRATA_LISTEN", "not-an-address"));
    let err = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap_err();
    assert!(err.to_string().starts_with("--listen"), "{err}");

    let mut env = minimal_env();
    env.push(("STRATA_ERASURE", "fast=2+1"));
    let err = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap_err();
    assert!(err.to_string().starts_with("--erasure"), "{err}");

    let mut env = minimal_env();
    env.push(("STRATA_SHUTDOWN_GRACE", "soon"));
    let err = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap_err();
    assert!(err.to_string().starts_with("--shutdown-grace"), "{err}");

    let mut env = minimal_env();
    env.push(("STRATA_BUCKET_DEFAULTS", "old"));
    let err = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap_err();
    assert!(err.to_string().starts_with("--bucket-defaults"), "{err}");
    let mut env = minimal_env();
    env.push(("STRATA_BUCKET_DEFAULTS", "legacy"));
    let cfg = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap();
    assert_eq!(
        cfg.bucket_defaults,
        crate::bucket_access::BucketDefaults::Legacy
    );

    let env = env_of(&[
        ("STRATA_DATA", "/d"),
        ("STRATA_VOLUMES", "a=/x"),
        ("STRATA_SECRET_KEY", "secret-secret"),
    ]);
    let err = load(&ServeArgs::default(), &env, &files(&[])).unwrap_err();
    assert_eq!(err, ConfigError::Missing("--access-key"));

    // Without any keys (web-identity pods) root gets a random pair, never the dev one.
    let env = env_of(&[("STRATA_DATA", "/d"), ("STRATA_VOLUMES", "a=/x")]);
    let a = load(&ServeArgs::default(), &env, &files(&[]))
        .unwrap()
        .credentials;
    let b = load(&ServeArgs::default(), &env, &files(&[]))
        .unwrap()
        .credentials;
    assert_ne!(a.access_key, DEV_ACCESS_KEY);
    assert_ne!(a.secret_key, b.secret_key);
    assert!(a.secret_key.len() >= 64);

    let err = load(&ServeArgs::default(), &env_of(&[]), &files(&[])).unwrap_err();
    assert_eq!(err, ConfigError::Missing("--data"));
}

#[test]
fn unknown_names_in_the_file_are_rejected() {
    let args = ServeArgs {
        config: Some("/c.toml".into()),
        ..Default::default()
    };
    let err = load(
        &args,
        &env_of(&[]),
        &files(&[("/c.toml", "listne = \"x\"")]),
    )
    .unwrap_err();
    assert!(matches!(err, ConfigError::File(_)), "{err}");
}

#[test]
fn tls_listener_without_files_means_self_signed() {
    let mut env = minimal_env();
    env.push(("STRATA_TLS_LISTEN", "0.0.0.0:9443"));
    let cfg = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap();
    let tls = cfg.tls.unwrap();
    assert_eq!(tls.listen.port(), 9443);
    assert!(tls.files.is_none());

    let mut env = minimal_env();
    env.extend([
        ("STRATA_TLS_LISTEN", "0.0.0.0:9443"),
        ("STRATA_TLS_CERT", "/c.pem"),
    ]);
    let err = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap_err();
    assert_eq!(err, ConfigError::Missing("--tls-key"));
}

#[test]
fn volumes_spec_keeps_class_order() {
    let env = env_of(&[
        ("STRATA_DATA", "/d"),
        ("STRATA_VOLUMES", "fast=/f/0,/f/1;bulk=/b/0"),
        ("STRATA_ACCESS_KEY", "root"),
        ("STRATA_SECRET_KEY", "rootsecret"),
        ("STRATA_ERASURE", "fast=mirror;bulk=none"),
    ]);
    let cfg = load(&ServeArgs::default(), &env, &files(&[])).unwrap();
    let names: Vec<_> = cfg.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["fast", "bulk"]);
    assert_eq!(cfg.classes[1].scheme, Some(SchemeSpec::Single));
}

#[test]
fn meta_cache_is_whole_mib_within_bounds() {
    for (value, want) in [
        ("0", Some(0)),
        (" 16 ", Some(16 << 20)),
        ("65536", Some(65536 << 20)),
    ] {
        let mut env = minimal_env();
        env.push(("STRATA_META_CACHE", value));
        let got = load(&ServeArgs::default(), &env_of(&env), &files(&[])).map(|c| c.meta_cache);
        assert_eq!(got.ok(), want, "{value:?}");
    }
    for bad in ["65537", "8MiB", "-1", "1.5", "8388608000000000000000"] {
        let mut env = minimal_env();
        env.push(("STRATA_META_CACHE", bad));
        let err = load(&ServeArgs::default(), &env_of(&env), &files(&[])).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    setting: "--meta-cache",
                    ..
                }
            ),
            "{bad:?}: {err}"
        );
    }
    let args = ServeArgs {
        config: Some("/c.toml".into()),
        ..Default::default()
    };
    let cfg = load(
        &args,
        &env_of(&minimal_env()),
        &files(&[("/c.toml", "meta_cache = 4")]),
    )
    .unwrap();
    assert_eq!(cfg.meta_cache, 4 << 20);
}

fn load_with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut env = minimal_env();
    env.extend_from_slice(pairs);
    load(&ServeArgs::default(), &env_of(&env), &files(&[]))
}

fn refused_setting(pairs: &[(&str, &str)]) -> &'static str {
    match load_with(pairs) {
        Err(ConfigError::Invalid { setting, .. }) => setting,
        other => panic!("{pairs:?} was not refused: {other:?}"),
    }
}

#[test]
fn limits_and_tuning_default_to_s3_and_the_sidecar_budget() {
    let cfg = load_with(&[]).unwrap();
    assert_eq!(cfg.limits, Limits::default());
    assert_eq!(cfg.limits.max_requests, 256);
    assert_eq!(cfg.limits.max_body_memory, 128 << 20);
    assert_eq!(cfg.limits.max_put_size, 5 << 30);
    assert_eq!(cfg.limits.max_part_size, 5 << 30);
    assert_eq!(cfg.limits.max_object_size, 5 << 40);
    assert_eq!(cfg.limits.keep_alive, Duration::from_secs(5));
    assert_eq!(cfg.tuning, Tuning::default());
    assert_eq!(
        (
            cfg.tuning.server_threads,
            cfg.tuning.store_threads,
            cfg.tuning.commit_batch
        ),
        (2, 2, 512)
    );
    assert_eq!(cfg.tuning.volume_reserve, 64 << 20);
}

#[test]
fn limits_and_tuning_are_read_from_every_layer() {
    let cfg = load_with(&[
        ("STRATA_MAX_REQUESTS", "64"),
        ("STRATA_MAX_BODY_MEMORY", "32"),
        ("STRATA_MAX_PUT_SIZE", "1GiB"),
        ("STRATA_MAX_PART_SIZE", "512MiB"),
        ("STRATA_MAX_OBJECT_SIZE", "2TiB"),
        ("STRATA_SERVER_THREADS", "4"),
        ("STRATA_STORE_THREADS", "1"),
        ("STRATA_COMMIT_BATCH", "64"),
        ("STRATA_VOLUME_RESERVE", "1GiB"),
        ("STRATA_KEEP_ALIVE_INTERVAL", "1m"),
    ])
    .unwrap();
    assert_eq!(cfg.limits.keep_alive, Duration::from_secs(60));
    assert_eq!(cfg.tuning.volume_reserve, 1 << 30);
    assert_eq!(cfg.limits.max_requests, 64);
    assert_eq!(cfg.limits.max_body_memory, 32 << 20);
    assert_eq!(cfg.limits.max_put_size, 1 << 30);
    assert_eq!(cfg.limits.max_part_size, 512 << 20);
    assert_eq!(cfg.limits.max_object_size, 2 << 40);
    assert_eq!(
        (
            cfg.tuning.server_threads,
            cfg.tuning.store_threads,
            cfg.tuning.commit_batch
        ),
        (4, 1, 64)
    );
    // The file layer, with sizes in bytes and counts as TOML numbers; the flag wins over it.
    let args = ServeArgs {
        config: Some("/c.toml".into()),
        max_requests: Some("9".into()),
        ..Default::default()
    };
    let toml = "max_requests = 3\nmax_put_size = 1048576\ncommit_batch = 8";
    let cfg = load(&args, &env_of(&minimal_env()), &files(&[("/c.toml", toml)])).unwrap();
    assert_eq!(cfg.limits.max_requests, 9);
    assert_eq!(cfg.limits.max_put_size, 1 << 20);
    assert_eq!(cfg.tuning.commit_batch, 8);
}

#[test]
fn bad_limits_name_their_setting() {
    for (name, value, setting) in [
        ("STRATA_MAX_REQUESTS", "0", "--max-requests"),
        ("STRATA_MAX_REQUESTS", "many", "--max-requests"),
        ("STRATA_MAX_BODY_MEMORY", "0", "--max-body-memory"),
        ("STRATA_MAX_BODY_MEMORY", "128MiB", "--max-body-memory"),
        ("STRATA_MAX_PUT_SIZE", "5GB", "--max-put-size"),
        ("STRATA_VOLUME_RESERVE", "lots", "--volume-reserve"),
        ("STRATA_MAX_PUT_SIZE", "0", "--max-put-size"),
        ("STRATA_MAX_PART_SIZE", "-1", "--max-part-size"),
        (
            "STRATA_MAX_OBJECT_SIZE",
            "99999999999TiB",
            "--max-object-size",
        ),
        ("STRATA_SERVER_THREADS", "0", "--server-threads"),
        ("STRATA_STORE_THREADS", "257", "--store-threads"),
        ("STRATA_COMMIT_BATCH", "0", "--commit-batch"),
        ("STRATA_KEEP_ALIVE_INTERVAL", "0s", "--keep-alive-interval"),
        ("STRATA_KEEP_ALIVE_INTERVAL", "61s", "--keep-alive-interval"),
        ("STRATA_KEEP_ALIVE_INTERVAL", "off", "--keep-alive-interval"),
    ] {
        assert_eq!(refused_setting(&[(name, value)]), setting, "{name}={value}");
    }
    // The object size bounds the sizes of its pieces.
    assert_eq!(
        refused_setting(&[("STRATA_MAX_OBJECT_SIZE", "1GiB")]),
        "--max-object-size"
    );
}

#[test]
fn sizes_take_bytes_or_binary_units() {
    use super::limits::parse_size;
    assert_eq!(parse_size("1"), Some(1));
    assert_eq!(parse_size("5GiB"), Some(5 << 30));
    assert_eq!(parse_size(" 7 KiB "), Some(7 << 10));
    assert_eq!(parse_size("1024TiB"), Some(1 << 50));
    for bad in ["", "0", "GiB", "1.5GiB", "5gib", "1025TiB", "5 GB"] {
        assert_eq!(parse_size(bad), None, "{bad:?}");
    }
}

#[test]
fn storage_class_names_come_from_every_layer_and_bad_ones_are_refused() {
    let cfg = load(
        &ServeArgs {
            config: Some("/c.toml".into()),
            ..Default::default()
        },
        &env_of(&[
            ("STRATA_DATA", "/d"),
            ("STRATA_VOLUMES", "fast=/v/0;bulk=/v/1;cold=/v/2"),
            ("STRATA_ACCESS_KEY", "root"),
            ("STRATA_SECRET_KEY", "rootsecret"),
        ]),
        &files(&[(
            "/c.toml",
            "storage_classes = \"bulk=STANDARD_IA;cold=GLACIER_IR\"",
        )]),
    )
    .unwrap();
    for (class, s3) in [
        ("fast", "STANDARD"),
        ("bulk", "STANDARD_IA"),
        ("cold", "GLACIER_IR"),
    ] {
        assert_eq!(cfg.class_names.for_client(class), s3);
        assert_eq!(cfg.class_names.from_client(s3), Some(class));
    }
    assert_eq!(
        refused_setting(&[("STRATA_STORAGE_CLASSES", "fast=GLACIER")]),
        "--storage-classes"
    );
}
