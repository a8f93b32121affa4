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

#[cfg(test)]
mod tests;
