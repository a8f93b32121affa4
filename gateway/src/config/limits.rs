//! The bounds and sizes `strata serve` runs with: each with its default, its range, and why.

use std::time::Duration;

use super::maintenance::parse_duration;
use super::raw::RawSettings;
use super::ConfigError;

/// Default requests served at once: an app's SDK opens tens of connections (boto3 10, the
/// Java SDK 50); past this a client gets SlowDown and backs off instead of piling up memory.
pub const DEFAULT_MAX_REQUESTS: usize = 256;
/// Default request-body memory: 32 streaming uploads at their window, or many small bodies.
pub const DEFAULT_MAX_BODY_MEMORY: u64 = 128 << 20;
/// S3's largest single PUT (and CopyObject source): 5 GiB.
pub const DEFAULT_MAX_PUT_SIZE: u64 = 5 << 30;
/// S3's largest part: 5 GiB.
pub const DEFAULT_MAX_PART_SIZE: u64 = 5 << 30;
/// Largest form body of a route that authenticates from its body (STS and IAM form posts are
/// a few KiB).
pub const MAX_FORM_BODY: usize = 64 * 1024;
/// Default time work such as a copy or a multipart completion to a remote tier may run
/// before its 200 goes out, and between the spaces that then keep the connection busy: well
/// inside the read timeouts of SDKs (boto3's and the AWS CLI's are 60 s).
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(5);
/// Default threads: the sidecar shares the pod's CPU with the app.
pub const DEFAULT_THREADS: usize = 2;

/// Bounds of what requests may ask for and hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests served at once; past it, 503 SlowDown.
    pub max_requests: usize,
    /// Bytes of request bodies in memory at once; past it, 503 SlowDown.
    pub max_body_memory: u64,
    /// Largest PutObject (and CopyObject source).
    pub max_put_size: u64,
    /// Largest part.
    pub max_part_size: u64,
    /// Largest object a multipart completion makes.
    pub max_object_size: u64,
    /// Largest form body of a route that authenticates from its body.
    pub max_form_body: usize,
    /// Longest a slow answer goes unsent, then between its keep-alive spaces.
    pub keep_alive: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_requests: DEFAULT_MAX_REQUESTS,
            max_body_memory: DEFAULT_MAX_BODY_MEMORY,
            max_put_size: DEFAULT_MAX_PUT_SIZE,
            max_part_size: DEFAULT_MAX_PART_SIZE,
            max_object_size: strata_volume::DEFAULT_MAX_OBJECT_SIZE,
            max_form_body: MAX_FORM_BODY,
            keep_alive: DEFAULT_KEEP_ALIVE,
        }
    }
}

/// Threads and batch sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Threads serving HTTP (pingora's).
    pub server_threads: usize,
    /// Threads of the store's own runtime.
    pub store_threads: usize,
    /// Most metadata commits that share one index transaction (one fsync).
    pub commit_batch: usize,
    /// Bytes kept free on every volume: data writes stop short of it, so the metadata
    /// index (and deletes) still commit on a volume that data filled.
    pub volume_reserve: u64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            server_threads: DEFAULT_THREADS,
            store_threads: DEFAULT_THREADS,
            commit_batch: strata_volume::DEFAULT_COMMIT_BATCH,
            volume_reserve: strata_volume::DEFAULT_RESERVE_BYTES,
        }
    }
}

impl Limits {
    /// The limits the raw settings give, defaults elsewhere.
    pub(super) fn from_raw(raw: &RawSettings) -> Result<Self, ConfigError> {
        let d = Limits::default();
        let max_put_size = size("--max-put-size", &raw.max_put_size, d.max_put_size)?;
        let max_part_size = size("--max-part-size", &raw.max_part_size, d.max_part_size)?;
        let max_object_size = size("--max-object-size", &raw.max_object_size, d.max_object_size)?;
        if max_object_size < max_put_size.max(max_part_size) {
            return Err(invalid(
                "--max-object-size",
                &max_object_size.to_string(),
                "must be at least --max-put-size and --max-part-size",
            ));
        }
        Ok(Limits {
            max_requests: count(
                "--max-requests",
                &raw.max_requests,
                d.max_requests,
                1..=65_536,
            )?,
            max_body_memory: mib("--max-body-memory", &raw.max_body_memory, d.max_body_memory)?,
            max_put_size,
            max_part_size,
            max_object_size,
            max_form_body: d.max_form_body,
            keep_alive: keep_alive(raw)?,
        })
    }
}

/// `--keep-alive-interval`: from a second to a minute, under any client's read timeout.
fn keep_alive(raw: &RawSettings) -> Result<Duration, ConfigError> {
    let Some(v) = raw.keep_alive_interval.as_deref().map(str::trim) else {
        return Ok(DEFAULT_KEEP_ALIVE);
    };
    parse_duration(v)
        .filter(|d| (Duration::from_secs(1)..=Duration::from_secs(60)).contains(d))
        .ok_or_else(|| invalid("--keep-alive-interval", v, "from 1s to 60s"))
}

impl Tuning {
    /// The tuning the raw settings give, defaults elsewhere.
    pub(super) fn from_raw(raw: &RawSettings) -> Result<Self, ConfigError> {
        let d = Tuning::default();
        Ok(Tuning {
            server_threads: count(
                "--server-threads",
                &raw.server_threads,
                d.server_threads,
                1..=256,
            )?,
            store_threads: count(
                "--store-threads",
                &raw.store_threads,
                d.store_threads,
                1..=256,
            )?,
            commit_batch: count(
                "--commit-batch",
                &raw.commit_batch,
                d.commit_batch,
                1..=65_536,
            )?,
            volume_reserve: size("--volume-reserve", &raw.volume_reserve, d.volume_reserve)?,
        })
    }
}

fn invalid(setting: &'static str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        setting,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// A whole number within `range`.
fn count(
    setting: &'static str,
    value: &Option<String>,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ConfigError> {
    let Some(v) = value else {
        return Ok(default);
    };
    v.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            invalid(
                setting,
                v,
                &format!("a whole number from {} to {}", range.start(), range.end()),
            )
        })
}

/// Whole MiB (at most 1 TiB: a guard against bytes given for MiB).
fn mib(setting: &'static str, value: &Option<String>, default: u64) -> Result<u64, ConfigError> {
    let Some(v) = value else {
        return Ok(default);
    };
    v.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=1 << 20).contains(n))
        .map(|n| n << 20)
        .ok_or_else(|| invalid(setting, v, "whole MiB from 1 to 1048576"))
}

/// Bytes, or a number with a binary suffix: `5368709120`, `5GiB`, `512MiB`, `5TiB`.
fn size(setting: &'static str, value: &Option<String>, default: u64) -> Result<u64, ConfigError> {
    let Some(v) = value else {
        return Ok(default);
    };
    parse_size(v).ok_or_else(|| {
        invalid(
            setting,
            v,
            "bytes, or a number with KiB, MiB, GiB or TiB (at least 1 byte, at most 1024TiB)",
        )
    })
}

/// Parses a size; `None` when it is malformed, zero or above 1 PiB.
pub(super) fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim() {
        "" | "B" => 0,
        "KiB" => 10,
        "MiB" => 20,
        "GiB" => 30,
        "TiB" => 40,
        _ => return None,
    };
    let n: u64 = number.parse().ok()?;
    let bytes = n.checked_mul(1 << shift)?;
    (1..=1 << 50).contains(&bytes).then_some(bytes)
}
