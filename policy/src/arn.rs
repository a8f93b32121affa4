//! ARN patterns (Resource, NotResource, ArnLike): wildcards do not cross the colons that
//! separate the first five ARN fields; the sixth (the resource) may hold colons.

use crate::pattern::{Pattern, Piece, Syntax};

/// ARN fields: `arn:partition:service:region:account:resource`.
const FIELDS: usize = 6;

/// A compiled ARN pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArnPattern {
    /// `*`: every resource, and requests without one.
    Any,
    /// A full ARN pattern, one pattern per field.
    Fields(Vec<Pattern>),
    /// Fewer than six fields: matched as one text, as a plain glob.
    Whole(Pattern),
}

impl ArnPattern {
    /// Compiles `text` (wildcards on; `variables` per the policy version).
    pub fn compile(text: &str, variables: bool) -> ArnPattern {
        let whole = Pattern::compile(
            text,
            Syntax {
                wildcards: true,
                variables,
            },
        );
        if whole.is_any() {
            return ArnPattern::Any;
        }
        let mut fields = vec![Vec::new()];
        for piece in whole.pieces() {
            if *piece == Piece::Char(':') && fields.len() < FIELDS {
                fields.push(Vec::new());
            } else if let Some(last) = fields.last_mut() {
                last.push(piece.clone());
            }
        }
        if fields.len() < FIELDS {
            return ArnPattern::Whole(whole);
        }
        let fields: Vec<Pattern> = fields.into_iter().map(Pattern::from_pieces).collect();
        // With the first five fields plain text, no wildcard can cross their colons: the
        // whole-text match is the same and cheaper.
        if fields[..FIELDS - 1].iter().all(Pattern::is_literal) {
            return ArnPattern::Whole(whole);
        }
        ArnPattern::Fields(fields)
    }

    /// Matches `arn` (case-sensitive). `None`: a variable had no value.
    pub fn matches<'v>(
        &self,
        arn: Option<&str>,
        lookup: &dyn Fn(&str) -> Option<&'v str>,
    ) -> Option<bool> {
        let arn = match (self, arn) {
            (ArnPattern::Any, _) => return Some(true),
            (_, None) => return Some(false),
            (_, Some(arn)) => arn,
        };
        match self {
            ArnPattern::Any => Some(true),
            ArnPattern::Whole(pattern) => pattern.matches(arn, false, lookup),
            ArnPattern::Fields(fields) => {
                let mut parts = arn.splitn(FIELDS, ':');
                let mut all = true;
                for field in fields {
                    let Some(part) = parts.next() else {
                        return Some(false);
                    };
                    all &= field.matches(part, false, lookup)?;
                }
                Some(all)
            }
        }
    }
}

/// How many fields a pattern was split into (0 when not split); for tests.
#[cfg(test)]
fn field_count(pattern: &ArnPattern) -> usize {
    match pattern {
        ArnPattern::Fields(f) => f.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::match_pieces;

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
}
