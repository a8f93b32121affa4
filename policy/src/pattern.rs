//! Text patterns as policies write them: literal text, the `*` / `?` wildcards where the
//! element allows them, and policy variables (`${aws:username}`, `${key, 'default'}`, the
//! escapes `${*}`, `${?}`, `${$}`). Compiled once; a pattern without variables matches
//! without allocating.

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// This character (an escape like `${*}` also becomes a plain character).
    Char(char),
    /// `*`: any run of characters, possibly empty.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
    /// `${key}` or `${key, 'default'}`: replaced by the key's value from the request.
    Var {
        key: String,
        default: Option<String>,
    },
}

/// How the pattern's text is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (Action, Resource, StringLike, ArnLike).
    pub wildcards: bool,
    /// `${...}` is a variable (policy version 2012-10-17).
    pub variables: bool,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    pieces: Vec<Piece>,
    has_vars: bool,
    /// The common shapes, matched by comparing bytes; `None` means the general matcher.
    fast: Option<Fast>,
}

/// Shapes most policies use, matched without walking pieces one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fast {
    /// No wildcard: the whole text.
    Exact(String),
    /// Literal text then one trailing `*` (`s3:Get*`, `arn:aws:s3:::bucket/*`).
    Prefix(String),
}

impl Pattern {
    /// Compiles `text` under `syntax`.
    pub fn compile(text: &str, syntax: Syntax) -> Pattern {
        let mut pieces = Vec::with_capacity(text.len());
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if syntax.variables && rest.starts_with("${") {
                if let Some(end) = rest.find('}') {
                    pieces.push(variable(&rest[2..end]));
                    rest = &rest[end + 1..];
                    continue;
                }
            }
            pieces.push(match c {
                '*' if syntax.wildcards => Piece::AnyRun,
                '?' if syntax.wildcards => Piece::AnyOne,
                _ => Piece::Char(c),
            });
            rest = &rest[c.len_utf8()..];
        }
        Pattern::from_pieces(pieces)
    }

    /// Builds a pattern from already-compiled pieces.
    pub fn from_pieces(pieces: Vec<Piece>) -> Pattern {
        let has_vars = pieces.iter().any(|p| matches!(p, Piece::Var { .. }));
        let fast = fast_shape(&pieces);
        Pattern {
            pieces,
            has_vars,
            fast,
        }
    }

    /// Whether the pattern holds a wildcard or a variable (otherwise it is plain text).
    pub fn is_literal(&self) -> bool {
        matches!(self.fast, Some(Fast::Exact(_)))
    }

    /// The compiled pieces.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// True when the pattern is exactly `*`.
    pub fn is_any(&self) -> bool {
        self.pieces == [Piece::AnyRun]
    }

    /// Matches `text`; `fold` compares case-insensitively. `lookup` gives a variable's value.
    /// `None` when a variable has no value and no default (the statement then does not match).
    pub fn matches<'v>(
        &self,
        text: &str,
        fold: bool,
        lookup: &dyn Fn(&str) -> Option<&'v str>,
    ) -> Option<bool> {
        if let Some(fast) = &self.fast {
            // Folding compares ASCII only on this path; other text takes the general one.
            if !fold || text.is_ascii() {
                return Some(match fast {
                    Fast::Exact(literal) => same_bytes(literal.as_bytes(), text.as_bytes(), fold),
                    Fast::Prefix(prefix) => text
                        .as_bytes()
                        .get(..prefix.len())
                        .is_some_and(|head| same_bytes(prefix.as_bytes(), head, fold)),
                });
            }
        }
        if !self.has_vars {
            return Some(match_pieces(&self.pieces, text, fold));
        }
        let resolved = self.resolve(lookup)?;
        Some(match_pieces(&resolved, text, fold))
    }

    /// Replaces variables by their values (as literal characters, never wildcards).
    pub fn resolve<'v>(&self, lookup: &dyn Fn(&str) -> Option<&'v str>) -> Option<Vec<Piece>> {
        let mut out = Vec::with_capacity(self.pieces.len() + 16);
        for piece in &self.pieces {
            match piece {
                Piece::Var { key, default } => {
                    let value = lookup(key).or(default.as_deref())?;
                    out.extend(value.chars().map(Piece::Char));
                }
                other => out.push(other.clone()),
            }
        }
        Some(out)
    }
}

/// Recognises the fast shapes: ASCII literal text, optionally followed by one `*`.
fn fast_shape(pieces: &[Piece]) -> Option<Fast> {
    let (body, prefix) = match pieces.split_last() {
        Some((Piece::AnyRun, body)) => (body, true),
        _ => (pieces, false),
    };
    let mut literal = String::with_capacity(body.len());
    for piece in body {
        match piece {
            Piece::Char(c) if c.is_ascii() => literal.push(*c),
            _ => return None,
        }
    }
    Some(if prefix {
        Fast::Prefix(literal)
    } else {
        Fast::Exact(literal)
    })
}

/// Equal bytes; `fold` ignores ASCII case (callers ensure the text is ASCII then).
fn same_bytes(literal: &[u8], text: &[u8], fold: bool) -> bool {
    if fold {
        literal.eq_ignore_ascii_case(text)
    } else {
        literal == text
    }
}

/// Reads the inside of `${...}`.
fn variable(inner: &str) -> Piece {
    match inner {
        "*" => return Piece::Char('*'),
        "?" => return Piece::Char('?'),
        "$" => return Piece::Char('$'),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let unquoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(default);
            (key, Some(unquoted.to_string()))
        }
        None => (inner, None),
    };
    Piece::Var {
        key: key.trim().to_string(),
        default,
    }
}

fn same_char(p: char, c: char, fold: bool) -> bool {
    p == c || (fold && fold_char(p) == fold_char(c))
}

fn fold_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// Wildcard matching without allocation: on a mismatch, the last `*` swallows one more
/// character and matching resumes after it.
pub(crate) fn match_pieces(pattern: &[Piece], text: &str, fold: bool) -> bool {
    let (mut p, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while s < text.len() {
        let c = text[s..].chars().next().unwrap_or('\0');
        match pattern.get(p) {
            Some(Piece::AnyRun) => {
                star = Some((p, s));
                p += 1;
                continue;
            }
            Some(Piece::AnyOne) => {
                p += 1;
                s += c.len_utf8();
                continue;
            }
            Some(Piece::Char(pc)) if same_char(*pc, c, fold) => {
                p += 1;
                s += c.len_utf8();
                continue;
            }
            _ => {}
        }
        let Some((star_p, star_s)) = star else {
            return false;
        };
        let swallowed = text[star_s..].chars().next().map_or(1, char::len_utf8);
        star = Some((star_p, star_s + swallowed));
        p = star_p + 1;
        s = star_s + swallowed;
    }
    pattern[p..].iter().all(|piece| *piece == Piece::AnyRun)
}

#[cfg(test)]
mod tests;
