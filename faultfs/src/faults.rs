//! Injected faults, set at run time through the handle and read by every operation.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Chooses files by their path relative to the mount root (as last known: an unlinked file
/// keeps the path it had), e.g. `vol1/data/obj.shard`.
#[derive(Clone)]
pub struct PathMatcher(Match);

#[derive(Clone)]
enum Match {
    Substring(String),
    Glob(Vec<u8>),
    Predicate(Arc<dyn Fn(&Path) -> bool + Send + Sync>),
}

impl PathMatcher {
    /// Paths containing `needle`.
    pub fn contains(needle: impl Into<String>) -> PathMatcher {
        PathMatcher(Match::Substring(needle.into()))
    }

    /// Paths matching a glob over the whole relative path: `*` is any run of characters
    /// (slashes included), `?` any one character.
    pub fn glob(pattern: impl Into<String>) -> PathMatcher {
        PathMatcher(Match::Glob(pattern.into().into_bytes()))
    }

    /// Paths for which `f` returns true.
    pub fn predicate(f: impl Fn(&Path) -> bool + Send + Sync + 'static) -> PathMatcher {
        PathMatcher(Match::Predicate(Arc::new(f)))
    }

    /// Every path.
    pub fn all() -> PathMatcher {
        PathMatcher::glob("*")
    }

    pub fn matches(&self, path: &Path) -> bool {
        match &self.0 {
            Match::Substring(s) => path.to_string_lossy().contains(s.as_str()),
            Match::Glob(g) => glob_match(g, path.as_os_str().as_encoded_bytes()),
            Match::Predicate(f) => f(path),
        }
    }
}

impl fmt::Debug for PathMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Match::Substring(s) => write!(f, "contains({s:?})"),
            Match::Glob(g) => write!(f, "glob({:?})", String::from_utf8_lossy(g)),
            Match::Predicate(_) => f.write_str("predicate(..)"),
        }
    }
}

/// Iterative glob with one backtrack point for the last `*`.
fn glob_match(pat: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pat.len() && (pat[p] == b'?' || pat[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pat.len() && pat[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// The fault settings, all off by default.
#[derive(Clone, Debug, Default)]
pub(crate) struct Faults {
    /// Bytes that may still be written before ENOSPC; `None`: no limit.
    pub(crate) space_left: Option<u64>,
    pub(crate) fail_reads: Option<PathMatcher>,
    pub(crate) fail_fsync: Option<PathMatcher>,
    pub(crate) vanished: bool,
    pub(crate) delay: Duration,
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob_stars_cross_slashes_and_question_marks_take_one_character() {
        assert!(glob_match(b"*", b"a/b/c"));
        assert!(glob_match(b"vol*/*.db", b"vol1/meta/index.db"));
        assert!(glob_match(b"a?c", b"abc"));
        assert!(!glob_match(b"a?c", b"ac"));
        assert!(!glob_match(b"*.db", b"index.db.tmp"));
        assert!(glob_match(b"*x*y", b"axbxcy"));
    }
}
