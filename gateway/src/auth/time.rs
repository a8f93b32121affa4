//! SigV4 timestamps: the ISO 8601 basic form `YYYYMMDD'T'HHMMSS'Z'` and the HTTP `Date` form.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::time::format_description::BorrowedFormatItem;
use ::time::macros::format_description;
use ::time::{OffsetDateTime, PrimitiveDateTime};

/// `20130524T000000Z`: four-digit year, every field zero-padded, upper-case `T` and `Z`.
const AMZ_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

/// Length of an [`AMZ_DATE`] value. `[year]` would also accept a leading sign (`+2013…`);
/// a value of exactly this length has no room for one.
const AMZ_DATE_LEN: usize = 16;

/// Parses `20130524T000000Z` exactly (the only form SigV4 allows in `x-amz-date`).
pub(crate) fn parse_amz_date(value: &str) -> Option<SystemTime> {
    if value.len() != AMZ_DATE_LEN {
        return None;
    }
    let at = PrimitiveDateTime::parse(value, AMZ_DATE).ok()?.assume_utc();
    // No request is signed before 1970; refusing those keeps every result after `UNIX_EPOCH`.
    (at >= OffsetDateTime::UNIX_EPOCH).then(|| SystemTime::from(at))
}

/// Parses an HTTP `Date` header (RFC 1123 and the two obsolete forms).
pub(crate) fn parse_http_date(value: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(value).ok()
}

/// Formats a time as `20130524T000000Z` (whole seconds, UTC).
pub(crate) fn format_amz_date(time: SystemTime) -> String {
    // Formatting a UTC date-time into a `String` cannot fail: it has every field `AMZ_DATE`
    // names, and its year has four digits.
    utc_seconds(time).format(AMZ_DATE).unwrap_or_default()
}

/// How far apart two instants are, whichever comes first.
pub(crate) fn distance(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b)
        .or_else(|_| b.duration_since(a))
        .unwrap_or_default()
}

/// `time` in UTC, whole seconds. Before 1970 counts as the epoch and after 9999 as the end of
/// 9999: the four-digit form can say nothing truer about either.
fn utc_seconds(time: SystemTime) -> OffsetDateTime {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    i64::try_from(secs)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or(PrimitiveDateTime::MAX.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        for s in [
            "19700101T000000Z",
            "20130524T000000Z",
            "20000229T235959Z",
            "20261122T061407Z",
            "21000301T120000Z",
        ] {
            let t = parse_amz_date(s).unwrap();
            assert_eq!(format_amz_date(t), s);
        }
        let t = parse_amz_date("20130524T000000Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_369_353_600
        );
    }

    #[test]
    fn malformed_amz_dates_are_refused() {
        for s in [
            "",
            "20130524",
            "20130524T000000",
            "2013-05-24T00:00:00Z",
            "20130230T000000Z",
            "20131324T000000Z",
            "20130524T250000Z",
            "2013052AT000000Z",
            "20130524t000000z",
            "19690101T000000Z",
            "+20130524T000000Z",
            "20130524T240000Z",
            "20130524T235960Z",
            "20130524T000000Z ",
        ] {
            assert_eq!(parse_amz_date(s), None, "{s}");
        }
    }

    #[test]
    fn times_before_the_epoch_format_as_the_epoch() {
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(format_amz_date(before), "19700101T000000Z");
    }

    #[test]
    fn http_dates_parse() {
        let t = parse_http_date("Fri, 24 May 2013 00:00:00 GMT").unwrap();
        assert_eq!(format_amz_date(t), "20130524T000000Z");
    }
}
