//! The clock certificate validity is measured against.

/// Seconds since the Unix epoch, the unit of every validity time in [`crate::tls`].
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}
