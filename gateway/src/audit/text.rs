//! The two audit fields that are not plain strings or numbers, formatted into stack buffers
//! without `core::fmt`: in a profile of 4 KiB GETs with a file sink, the `time` crate's
//! RFC 3339 formatting and `SocketAddr`'s `Display` were 40% of the cost of encoding an event.

use std::net::{SocketAddr, SocketAddrV4};
use std::time::{SystemTime, UNIX_EPOCH};

/// Room for `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` and for `255.255.255.255:65535`.
pub type TextBuf = [u8; 32];

/// First second of the year 10000: RFC 3339 has four-digit years.
const YEAR_10000: u64 = 253_402_300_800;

/// `t` in RFC 3339, UTC, with the fraction's trailing zeros trimmed (none when whole), as
/// the `time` crate writes it; `None` before 1970 or after 9999, which callers format the
/// slow way.
pub fn rfc3339_utc(t: SystemTime, buf: &mut TextBuf) -> Option<&str> {
    let since = t.duration_since(UNIX_EPOCH).ok()?;
    let secs = since.as_secs();
    if secs >= YEAR_10000 {
        return None;
    }
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let of_day = secs % 86_400;
    let mut w = Writer { buf, len: 0 };
    w.digits(year as u32, 4);
    w.byte(b'-');
    w.digits(month, 2);
    w.byte(b'-');
    w.digits(day, 2);
    w.byte(b'T');
    w.digits((of_day / 3600) as u32, 2);
    w.byte(b':');
    w.digits((of_day / 60 % 60) as u32, 2);
    w.byte(b':');
    w.digits((of_day % 60) as u32, 2);
    let mut nanos = since.subsec_nanos();
    if nanos != 0 {
        let mut width = 9;
        while nanos % 10 == 0 {
            nanos /= 10;
            width -= 1;
        }
        w.byte(b'.');
        w.digits(nanos, width);
    }
    w.byte(b'Z');
    Some(w.text())
}

/// An IPv4 address and port as `Display` writes them; `None` for IPv6 (rare here: the app
/// talks to the sidecar over 127.0.0.1), which callers format the slow way.
pub fn socket_addr_v4<'b>(addr: &SocketAddr, buf: &'b mut TextBuf) -> Option<&'b str> {
    let SocketAddr::V4(v4) = addr else {
        return None;
    };
    Some(write_v4(v4, buf))
}

fn write_v4<'b>(v4: &SocketAddrV4, buf: &'b mut TextBuf) -> &'b str {
    let mut w = Writer { buf, len: 0 };
    for (i, octet) in v4.ip().octets().into_iter().enumerate() {
        if i > 0 {
            w.byte(b'.');
        }
        w.number(u32::from(octet));
    }
    w.byte(b':');
    w.number(u32::from(v4.port()));
    w.text()
}

/// Year, month (1-12) and day (1-31) of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for the proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Appends ASCII to a buffer that is big enough by construction.
struct Writer<'b> {
    buf: &'b mut TextBuf,
    len: usize,
}

impl<'b> Writer<'b> {
    fn byte(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// `n` in exactly `width` digits, zero-padded.
    fn digits(&mut self, mut n: u32, width: usize) {
        for i in (0..width).rev() {
            self.buf[self.len + i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        self.len += width;
    }

    /// `n` in as many digits as it needs.
    fn number(&mut self, n: u32) {
        let width = n.checked_ilog10().map_or(1, |l| l as usize + 1);
        self.digits(n, width);
    }

    fn text(self) -> &'b str {
        // Only ASCII digits and punctuation were written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6};
    use std::time::Duration;

    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    use super::*;

    fn reference(t: SystemTime) -> String {
        OffsetDateTime::from(t).format(&Rfc3339).unwrap()
    }

    #[test]
    fn times_match_the_time_crate_across_dates_and_fractions() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut cases: Vec<Duration> = vec![
            Duration::ZERO,
            Duration::new(951_782_400, 0), // 2000-02-29 (leap day of a century year)
            Duration::new(4_107_542_399, 1), // 2100-02-28T23:59:59.000000001
            Duration::new(YEAR_10000 - 1, 999_999_999),
            Duration::new(1_764_720_000, 120_000_000),
            Duration::new(1_764_720_000, 500),
        ];
        for _ in 0..20_000 {
            let nanos = match next() % 4 {
                0 => 0,
                1 => (next() % 1000) as u32 * 1_000_000,
                2 => (next() % 1_000_000) as u32 * 1000,
                _ => (next() % 1_000_000_000) as u32,
            };
            cases.push(Duration::new(next() % YEAR_10000, nanos));
        }
        for since in cases {
            let t = UNIX_EPOCH + since;
            let mut buf = TextBuf::default();
            assert_eq!(
                rfc3339_utc(t, &mut buf),
                Some(reference(t).as_str()),
                "{since:?}"
            );
        }
    }

    #[test]
    fn times_outside_four_digit_years_are_left_to_the_slow_path() {
        let mut buf = TextBuf::default();
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH - Duration::from_secs(1), &mut buf),
            None
        );
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH + Duration::from_secs(YEAR_10000), &mut buf),
            None
        );
    }

    #[test]
    fn ipv4_addresses_match_display_and_ipv6_is_left_to_it() {
        for (ip, port) in [
            ([127, 0, 0, 1], 9000),
            ([0, 0, 0, 0], 0),
            ([255, 255, 255, 255], 65535),
            ([10, 9, 100, 200], 443),
        ] {
            let addr = SocketAddr::from((Ipv4Addr::from(ip), port));
            let mut buf = TextBuf::default();
            assert_eq!(
                socket_addr_v4(&addr, &mut buf),
                Some(addr.to_string().as_str())
            );
        }
        let v6 = SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 80, 0, 0));
        assert_eq!(socket_addr_v4(&v6, &mut TextBuf::default()), None);
    }
}
