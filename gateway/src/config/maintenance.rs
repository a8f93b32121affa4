//! The scanner's schedule and budget: `--scan-interval`, `--deep-scan-interval`,
//! `--orphan-grace`, `--upload-expiry` and `--scan-share`; how often volumes are checked,
//! `--volume-check-interval`; the length of the lifecycle rules' day, `--lifecycle-day`; and
//! how often the STS session key is rotated, `--session-key-rotation`.

use std::time::Duration;

use strata_volume::{MaintenanceConfig, ScanOptions};

use super::raw::RawSettings;
use super::settings::invalid;
use super::ConfigError;

/// Longest duration any of these takes (ten years): a guard against a misplaced unit.
const MAX_DURATION: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// The maintenance settings the raw settings give, defaults elsewhere.
pub(super) fn from_raw(raw: &RawSettings) -> Result<MaintenanceConfig, ConfigError> {
    let d = MaintenanceConfig::default();
    let share = match raw.scan_share.as_deref() {
        None => d.scan.work_share,
        Some(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| (0.1..=100.0).contains(p))
            .map(|p| p / 100.0)
            .ok_or_else(|| invalid("--scan-share", s, "a percentage from 0.1 to 100"))?,
    };
    Ok(MaintenanceConfig {
        scan_interval: optional("--scan-interval", &raw.scan_interval, d.scan_interval)?,
        deep_interval: optional(
            "--deep-scan-interval",
            &raw.deep_scan_interval,
            d.deep_interval,
        )?,
        scan: ScanOptions {
            orphan_grace: duration("--orphan-grace", &raw.orphan_grace, d.scan.orphan_grace)?,
            upload_max_age: optional("--upload-expiry", &raw.upload_expiry, d.scan.upload_max_age)?,
            work_share: share,
            ..d.scan
        },
        volume_check: duration(
            "--volume-check-interval",
            &raw.volume_check_interval,
            d.volume_check,
        )
        .and_then(|t| {
            (t >= Duration::from_secs(1)).then_some(t).ok_or_else(|| {
                invalid(
                    "--volume-check-interval",
                    raw.volume_check_interval.as_deref().unwrap_or_default(),
                    "at least 1s",
                )
            })
        })?,
    })
}

/// `--session-key-rotation`: a duration of at least a second, or `off`; 30 days by default.
pub(super) fn session_key_rotation(raw: &RawSettings) -> Result<Option<Duration>, ConfigError> {
    let every = optional(
        "--session-key-rotation",
        &raw.session_key_rotation,
        Some(Duration::from_secs(30 * 24 * 3600)),
    )?;
    match every {
        Some(d) if d < Duration::from_secs(1) => Err(invalid(
            "--session-key-rotation",
            raw.session_key_rotation.as_deref().unwrap_or_default(),
            "at least 1s, or off",
        )),
        other => Ok(other),
    }
}

/// `--lifecycle-day`: whole seconds from 1 to a real day's.
pub(super) fn lifecycle_day(raw: &RawSettings) -> Result<Duration, ConfigError> {
    let day = crate::lifecycle::DAY;
    match raw.lifecycle_day.as_deref().map(str::trim) {
        None => Ok(day),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .map(Duration::from_secs)
            .filter(|d| (Duration::from_secs(1)..=day).contains(d))
            .ok_or_else(|| invalid("--lifecycle-day", v, "whole seconds from 1 to 86400")),
    }
}

/// A duration, or `off`.
pub(super) fn optional(
    setting: &'static str,
    value: &Option<String>,
    default: Option<Duration>,
) -> Result<Option<Duration>, ConfigError> {
    match value.as_deref().map(str::trim) {
        None => Ok(default),
        Some("off") => Ok(None),
        Some(v) => parse_duration(v)
            .map(Some)
            .ok_or_else(|| invalid(setting, v, "a duration such as 90s, 15m, 6h or 30d, or off")),
    }
}

fn duration(
    setting: &'static str,
    value: &Option<String>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match value.as_deref().map(str::trim) {
        None => Ok(default),
        Some(v) => parse_duration(v)
            .ok_or_else(|| invalid(setting, v, "a duration such as 90s, 15m, 6h or 30d")),
    }
}

/// `N` followed by `s`, `m`, `h` or `d`; `0s` is allowed, more than ten years is not.
pub(super) fn parse_duration(text: &str) -> Option<Duration> {
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let n: u64 = number.parse().ok()?;
    let unit_secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    let d = Duration::from_secs(n.checked_mul(unit_secs)?);
    (d <= MAX_DURATION).then_some(d)
}
