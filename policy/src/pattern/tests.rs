use super::*;

const GLOB: Syntax = Syntax {
    wildcards: true,
    variables: true,
};
const EXACT: Syntax = Syntax {
    wildcards: false,
    variables: true,
};

fn none(_: &str) -> Option<&'static str> {
    None
}

fn matches(pattern: &str, text: &str) -> bool {
    Pattern::compile(pattern, GLOB)
        .matches(text, false, &none)
        .unwrap()
}

#[test]
fn star_matches_any_run_including_empty() {
    assert!(matches("a*", "a"));
    assert!(matches("a*", "abc"));
    assert!(matches("*c", "abc"));
    assert!(matches("a*b*c", "aXbYbZc"));
    assert!(!matches("a*b", "aXc"));
    assert!(matches("*", ""));
}

#[test]
fn question_mark_matches_exactly_one_character() {
    assert!(matches("a?c", "abc"));
    assert!(!matches("a?c", "ac"));
    assert!(matches("??", "é€"));
    assert!(!matches("?", ""));
}

#[test]
fn backtracking_finds_late_matches() {
    assert!(matches("*ab", "aaab"));
    assert!(matches("a*a*a", "aaaaa"));
    assert!(!matches("a*a*a", "aa"));
}

#[test]
fn fold_compares_case_insensitively() {
    let p = Pattern::compile("s3:Get*", GLOB);
    assert_eq!(p.matches("S3:GETOBJECT", true, &none), Some(true));
    assert_eq!(p.matches("S3:GETOBJECT", false, &none), Some(false));
}

#[test]
fn wildcards_are_literal_when_the_syntax_says_so() {
    let p = Pattern::compile("a*", EXACT);
    assert_eq!(p.matches("a*", false, &none), Some(true));
    assert_eq!(p.matches("abc", false, &none), Some(false));
}

#[test]
fn escapes_are_literal_characters() {
    let p = Pattern::compile("a${*}b${?}${$}", GLOB);
    assert_eq!(p.matches("a*b?$", false, &none), Some(true));
    assert_eq!(p.matches("aXb?$", false, &none), Some(false));
}

#[test]
fn variables_are_replaced_literally() {
    let look = |k: &str| (k == "aws:username").then_some("b*b");
    let p = Pattern::compile("home/${aws:username}/*", GLOB);
    assert_eq!(p.matches("home/b*b/x", false, &look), Some(true));
    assert_eq!(p.matches("home/bob/x", false, &look), Some(false));
}

#[test]
fn a_missing_variable_without_default_is_unresolved() {
    let p = Pattern::compile("home/${aws:username}", GLOB);
    assert_eq!(p.matches("home/x", false, &none), None);
}

#[test]
fn a_default_fills_a_missing_variable() {
    let p = Pattern::compile("home/${aws:username, 'nobody'}", GLOB);
    assert_eq!(p.matches("home/nobody", false, &none), Some(true));
}

#[test]
fn without_variable_syntax_dollar_braces_are_text() {
    let p = Pattern::compile(
        "${aws:username}",
        Syntax {
            wildcards: true,
            variables: false,
        },
    );
    assert_eq!(p.matches("${aws:username}", false, &none), Some(true));
}

#[test]
fn an_unclosed_variable_is_text() {
    assert!(matches("a${b", "a${b"));
}

#[test]
fn the_fast_shapes_agree_with_the_general_matcher() {
    let cases = [
        ("s3:get*", "S3:GetObject", true),
        ("s3:get*", "s3:Put", true),
        ("s3:getobject", "S3:GETOBJECT", true),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/", false),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b", false),
        ("abc", "ab", false),
        ("ab*", "aé", true),
        ("ab*", "aé", false),
        ("a*", "é", false),
        ("k*", "\u{212a}x", true),
    ];
    for (pattern, text, fold) in cases {
        let compiled = Pattern::compile(pattern, GLOB);
        assert_eq!(
            compiled.matches(text, fold, &none),
            Some(match_pieces(compiled.pieces(), text, fold)),
            "{pattern} vs {text}"
        );
    }
}
