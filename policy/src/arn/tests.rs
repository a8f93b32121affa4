use super::*;
use crate::pattern::match_pieces;

/// How many fields a pattern was split into (0 when not split); for tests.
fn field_count(pattern: &ArnPattern) -> usize {
    match pattern {
        ArnPattern::Fields(f) => f.len(),
        _ => 0,
    }
}

fn none(_: &str) -> Option<&'static str> {
    None
}

fn m(pattern: &str, arn: &str) -> bool {
    ArnPattern::compile(pattern, true)
        .matches(Some(arn), &none)
        .unwrap()
}

#[test]
fn a_star_in_the_resource_field_crosses_slashes_and_colons() {
    assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c"));
    assert!(!m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a"));
}

#[test]
fn a_star_does_not_cross_field_colons() {
    // `*` in the service field cannot swallow `:region:account:`.
    assert!(!m("arn:aws:s*:::b", "arn:aws:s3:x::b"));
    assert!(m("arn:aws:s*:::b", "arn:aws:s3:::b"));
    assert!(m("arn:*:*:*:*:*", "arn:aws:iam::123456789012:user/x"));
}

#[test]
fn the_sixth_field_keeps_its_colons() {
    let p = ArnPattern::compile("arn:aws:s*:::a:b*", true);
    assert_eq!(field_count(&p), 6);
    assert!(m("arn:aws:s*:::a:b*", "arn:aws:s3:::a:b:c"));
    assert!(!m("arn:aws:s*:::a:b*", "arn:aws:s3:::a:c"));
    assert!(m("arn:aws:s3:::a:b", "arn:aws:s3:::a:b"));
    assert!(!m("arn:aws:s3:::a:b", "arn:aws:s3:::a:c"));
}

#[test]
fn matching_is_case_sensitive() {
    assert!(!m("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x"));
}

#[test]
fn star_alone_matches_even_no_resource() {
    assert_eq!(
        ArnPattern::compile("*", true).matches(None, &none),
        Some(true)
    );
    assert_eq!(
        ArnPattern::compile("arn:aws:s3:::*", true).matches(None, &none),
        Some(false)
    );
}

#[test]
fn a_variable_with_colons_stays_in_its_field() {
    let look = |k: &str| (k == "aws:username").then_some("bob");
    let p = ArnPattern::compile("arn:aws:s3:*:*:home/${aws:username}/*", true);
    assert_eq!(field_count(&p), 6);
    assert_eq!(
        p.matches(Some("arn:aws:s3:::home/bob/x"), &look),
        Some(true)
    );
    assert_eq!(
        p.matches(Some("arn:aws:s3:::home/eve/x"), &look),
        Some(false)
    );
}

#[test]
fn plain_first_fields_are_matched_as_one_text() {
    let p = ArnPattern::compile("arn:aws:s3:::photos/*", true);
    assert_eq!(field_count(&p), 0);
    assert!(m("arn:aws:s3:::photos/*", "arn:aws:s3:::photos/a:b"));
    assert!(!m("arn:aws:s3:::photos/*", "arn:aws:s3::x:photos/a"));
}

#[test]
fn a_short_pattern_is_a_plain_glob() {
    let p = ArnPattern::compile("arn:aws:s3*", true);
    assert!(matches!(p, ArnPattern::Whole(_)));
    assert_eq!(p.matches(Some("arn:aws:s3:::b"), &none), Some(true));
}

#[test]
fn fields_compile_to_plain_pieces() {
    let p = ArnPattern::compile("arn:aws:*:::b?", true);
    let ArnPattern::Fields(f) = &p else {
        panic!("fields")
    };
    assert!(match_pieces(f[5].pieces(), "bx", false));
}
