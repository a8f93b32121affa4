use std::time::Duration;

use super::maintenance::{from_raw, parse_duration, session_key_rotation};
use super::raw::RawSettings;

#[test]
fn defaults_scan_every_six_hours_deep_monthly_at_five_percent() {
    let cfg = from_raw(&RawSettings::default()).unwrap();
    assert_eq!(cfg.scan_interval, Some(Duration::from_secs(6 * 3600)));
    assert_eq!(cfg.deep_interval, Some(Duration::from_secs(30 * 86_400)));
    assert_eq!(cfg.scan.orphan_grace, Duration::from_secs(3600));
    assert_eq!(
        cfg.scan.upload_max_age,
        Some(Duration::from_secs(7 * 86_400))
    );
    assert_eq!(cfg.scan.work_share, 0.05);
    assert_eq!(cfg.volume_check, Duration::from_secs(10));
}

#[test]
fn each_setting_takes_durations_or_off() {
    let cfg = from_raw(&RawSettings {
        scan_interval: Some("off".into()),
        deep_scan_interval: Some("7d".into()),
        orphan_grace: Some("0s".into()),
        upload_expiry: Some("off".into()),
        scan_share: Some("50".into()),
        volume_check_interval: Some("2s".into()),
        ..RawSettings::default()
    })
    .unwrap();
    assert_eq!(cfg.volume_check, Duration::from_secs(2));
    assert_eq!(cfg.scan_interval, None);
    assert_eq!(cfg.deep_interval, Some(Duration::from_secs(7 * 86_400)));
    assert_eq!(cfg.scan.orphan_grace, Duration::ZERO);
    assert_eq!(cfg.scan.upload_max_age, None);
    assert_eq!(cfg.scan.work_share, 0.5);
}

#[test]
fn bad_values_name_their_setting() {
    let cases = [
        RawSettings {
            scan_interval: Some("6 hours".into()),
            ..RawSettings::default()
        },
        RawSettings {
            orphan_grace: Some("off".into()),
            ..RawSettings::default()
        },
        RawSettings {
            scan_share: Some("0".into()),
            ..RawSettings::default()
        },
        RawSettings {
            upload_expiry: Some("99999d".into()),
            ..RawSettings::default()
        },
        RawSettings {
            volume_check_interval: Some("0s".into()),
            ..RawSettings::default()
        },
        RawSettings {
            volume_check_interval: Some("off".into()),
            ..RawSettings::default()
        },
    ];
    let names = [
        "--scan-interval",
        "--orphan-grace",
        "--scan-share",
        "--upload-expiry",
        "--volume-check-interval",
        "--volume-check-interval",
    ];
    for (raw, name) in cases.into_iter().zip(names) {
        let err = from_raw(&raw).unwrap_err().to_string();
        assert!(err.contains(name), "{err}");
    }
}

#[test]
fn durations_have_a_unit_and_a_bound() {
    assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
    assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
    assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
    for bad in [
        "",
        "5",
        "h",
        "1.5h",
        "-1s",
        "1w",
        "3650d1s",
        "18446744073709551615d",
    ] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
    assert!(parse_duration("3650d").is_some());
    assert!(parse_duration("3651d").is_none());
}

#[test]
fn the_session_key_rotates_monthly_unless_told_otherwise() {
    let with = |value: Option<&str>| {
        session_key_rotation(&RawSettings {
            session_key_rotation: value.map(str::to_string),
            ..RawSettings::default()
        })
    };
    assert_eq!(with(None).unwrap(), Some(Duration::from_secs(30 * 86400)));
    assert_eq!(with(Some("12h")).unwrap(), Some(Duration::from_secs(43200)));
    assert_eq!(with(Some("off")).unwrap(), None);
    for bad in ["0s", "soon", "1w"] {
        let err = with(Some(bad)).unwrap_err().to_string();
        assert!(err.contains("--session-key-rotation"), "{bad}: {err}");
    }
}
