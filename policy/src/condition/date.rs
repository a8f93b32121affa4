//! Dates as conditions write them: ISO 8601 (with or without time, offset or fraction) or
//! epoch seconds. Compared as Unix nanoseconds.

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Parses `text` to Unix nanoseconds.
pub(crate) fn parse_date(text: &str) -> Option<i128> {
    let text = text.trim();
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
        && !text[1..].contains('-')
    {
        let seconds: f64 = text.parse().ok()?;
        return Some((seconds * 1e9) as i128);
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(t.unix_timestamp_nanos());
    }
    // A time without an offset is UTC.
    if let Ok(t) = PrimitiveDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(t.assume_utc().unix_timestamp_nanos());
    }
    let day = format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(text, &day) {
        return Some(d.midnight().assume_utc().unix_timestamp_nanos());
    }
    None
}

#[cfg(test)]
mod tests;
