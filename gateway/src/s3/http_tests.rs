use super::*;
use http::HeaderValue;

#[test]
fn ranges_parse_in_all_three_forms() {
    assert_eq!(
        parse_range("bytes=0-9"),
        Some(ByteRange::Bounded { first: 0, last: 9 })
    );
    assert_eq!(
        parse_range("bytes=100-"),
        Some(ByteRange::From { first: 100 })
    );
    assert_eq!(
        parse_range("bytes=-500"),
        Some(ByteRange::Suffix { len: 500 })
    );
}

#[test]
fn unusable_ranges_mean_the_whole_object() {
    for v in [
        "bytes=5-1",
        "bytes=0-1,4-5",
        "items=0-1",
        "bytes=-",
        "bytes=a-b",
        "0-9",
        "",
    ] {
        assert_eq!(parse_range(v), None, "{v}");
    }
}

#[test]
fn copy_ranges_must_be_bounded() {
    assert!(parse_copy_range("bytes=0-99").is_ok());
    assert_eq!(
        parse_copy_range("bytes=-5").unwrap_err().code,
        crate::s3::Code::InvalidArgument
    );
}

#[test]
fn etag_lists_match_quoted_weak_and_star() {
    assert!(etag_matches("\"abc\"", "abc"));
    assert!(etag_matches("\"x\", \"abc\"", "abc"));
    assert!(etag_matches("W/\"abc\"", "abc"));
    assert!(etag_matches("*", "abc"));
    assert!(!etag_matches("\"abd\"", "abc"));
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    h
}

#[test]
fn conditions_follow_rfc7232_order() {
    let t = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let before = http_date(t - Duration::from_secs(60));
    let after = http_date(t + Duration::from_secs(60));
    let eval =
        |pairs: &[(&'static str, &str)]| evaluate_conditions(&headers(pairs), "if-", "abc", t);
    assert_eq!(eval(&[]), Precondition::Proceed);
    assert_eq!(eval(&[("if-match", "\"abc\"")]), Precondition::Proceed);
    assert_eq!(eval(&[("if-match", "\"zzz\"")]), Precondition::Failed);
    assert_eq!(
        eval(&[("if-none-match", "\"abc\"")]),
        Precondition::NotModified
    );
    assert_eq!(
        eval(&[("if-modified-since", &after)]),
        Precondition::NotModified
    );
    assert_eq!(
        eval(&[("if-modified-since", &before)]),
        Precondition::Proceed
    );
    assert_eq!(
        eval(&[("if-unmodified-since", &before)]),
        Precondition::Failed
    );
    // If-Match true wins over If-Unmodified-Since false (S3's documented behaviour).
    assert_eq!(
        eval(&[("if-match", "\"abc\""), ("if-unmodified-since", &before)]),
        Precondition::Proceed
    );
    // If-None-Match false and If-Modified-Since true: 304 is not sent.
    assert_eq!(
        eval(&[("if-none-match", "\"zzz\""), ("if-modified-since", &after)]),
        Precondition::Proceed
    );
    let copy = headers(&[("x-amz-copy-source-if-match", "\"zzz\"")]);
    assert_eq!(
        evaluate_conditions(&copy, "x-amz-copy-source-if-", "abc", t),
        Precondition::Failed
    );
}

#[test]
fn dates_format_like_s3() {
    let t = UNIX_EPOCH + Duration::from_millis(1_255_369_830_123);
    assert_eq!(iso8601(t), "2009-10-12T17:50:30.123Z");
    assert_eq!(http_date(t), "Mon, 12 Oct 2009 17:50:30 GMT");
    assert_eq!(
        iso8601(UNIX_EPOCH + Duration::from_secs(951_782_400)),
        "2000-02-29T00:00:00.000Z"
    );
}

#[test]
fn iso8601_keeps_milliseconds_and_starts_at_the_epoch() {
    // 2023-11-14T22:13:20.987654321Z: sub-millisecond digits are cut, not rounded.
    let t = UNIX_EPOCH + Duration::new(1_700_000_000, 987_654_321);
    assert_eq!(iso8601(t), "2023-11-14T22:13:20.987Z");
    assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    assert_eq!(
        iso8601(UNIX_EPOCH + Duration::from_millis(1)),
        "1970-01-01T00:00:00.001Z"
    );
}
