//! Which rule, if any, allows a cross-origin request: the first whose origins, methods and
//! (for a preflight) headers all match, as AWS evaluates a bucket's rules.

use super::config::{CorsRule, CorsRules};

impl CorsRules {
    /// The first rule allowing `origin` to use `method` with the request headers `headers`
    /// (a preflight's `Access-Control-Request-Headers`; none for an actual request).
    pub fn find(&self, origin: &str, method: &str, headers: &[&str]) -> Option<&CorsRule> {
        self.CORSRule
            .iter()
            .find(|rule| rule.allows(origin, method, headers))
    }
}

impl CorsRule {
    fn allows(&self, origin: &str, method: &str, headers: &[&str]) -> bool {
        self.AllowedMethod.iter().any(|m| m == method)
            && self.AllowedOrigin.iter().any(|o| matches(o, origin, false))
            && headers
                .iter()
                .all(|h| self.AllowedHeader.iter().any(|a| matches(a, h, true)))
    }

    /// Whether the rule lets every origin in (`*`): the answer then names no origin and
    /// carries no credentials.
    pub fn any_origin(&self) -> bool {
        self.AllowedOrigin.iter().any(|o| o == "*")
    }
}

/// `pattern` (with at most one `*`, standing for any run of characters) against `value`.
/// Origins compare exactly; header names without regard to case.
fn matches(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let eq = |a: &str, b: &str| {
        if ignore_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    match pattern.split_once('*') {
        None => eq(pattern, value),
        Some((head, tail)) => {
            value.len() >= head.len() + tail.len()
                && value.is_char_boundary(head.len())
                && value.is_char_boundary(value.len() - tail.len())
                && eq(&value[..head.len()], head)
                && eq(&value[value.len() - tail.len()..], tail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[(&[&str], &[&str], &[&str])]) -> CorsRules {
        let mut rules = CorsRules::default();
        for (methods, origins, headers) in list {
            let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
            rules.CORSRule.push(CorsRule {
                AllowedMethod: strings(methods),
                AllowedOrigin: strings(origins),
                AllowedHeader: strings(headers),
                ..CorsRule::default()
            });
        }
        rules
    }

    #[test]
    fn origins_match_exactly_or_around_their_one_wildcard() {
        for (pattern, origin, expected) in [
            ("https://app.example", "https://app.example", true),
            ("https://app.example", "https://app.example:8443", false),
            ("https://app.example", "HTTPS://APP.EXAMPLE", false),
            ("*", "http://anything", true),
            ("https://*.example", "https://a.b.example", true),
            ("https://*.example", "https://example", false),
            ("https://*.example", "http://a.example", false),
            ("*.example", ".example", true),
            ("http://a*a", "http://a", false),
            ("http://é*", "http://é", true),
        ] {
            assert_eq!(
                matches(pattern, origin, false),
                expected,
                "{pattern} vs {origin}"
            );
        }
    }

    #[test]
    fn the_first_rule_that_allows_origin_method_and_every_header_wins() {
        let r = rules(&[
            (
                &["PUT"],
                &["https://up.example"],
                &["x-amz-*", "content-type"],
            ),
            (&["GET", "HEAD"], &["*"], &[]),
        ]);
        let first = |o, m, h: &[&str]| r.find(o, m, h).map(|rule| rule.AllowedMethod[0].clone());
        assert_eq!(
            first(
                "https://up.example",
                "PUT",
                &["X-Amz-Meta-A", "Content-Type"]
            )
            .as_deref(),
            Some("PUT")
        );
        assert_eq!(first("https://up.example", "PUT", &["authorization"]), None);
        assert_eq!(first("https://other.example", "PUT", &[]), None);
        assert_eq!(
            first("https://other.example", "GET", &[]).as_deref(),
            Some("GET")
        );
        assert_eq!(first("https://other.example", "GET", &["range"]), None);
        assert_eq!(first("https://up.example", "DELETE", &[]), None);
        assert!(r.CORSRule[1].any_origin() && !r.CORSRule[0].any_origin());
    }
}
