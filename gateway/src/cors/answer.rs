//! The `Access-Control-*` headers: a preflight's whole answer (`OPTIONS`, which browsers send
//! without credentials), and what an actual cross-origin request's answer carries.

use http::HeaderMap;

use super::config::{CorsRule, CorsRules};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// What caches must key a CORS answer on.
const VARY: &str = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

/// Headers an answer gains.
pub type CorsHeaders = Vec<(&'static str, String)>;

/// Answers a preflight to a bucket with `rules` (`None`: no CORS configuration, or no such
/// bucket: an unauthenticated caller learns nothing of which buckets exist).
pub fn preflight(rules: Option<&CorsRules>, headers: &HeaderMap) -> Result<Response, S3Error> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = text("origin").ok_or_else(|| {
        Code::BadRequest.with("Insufficient information. Origin request header needed.")
    })?;
    let method = text("access-control-request-method")
        .ok_or_else(|| Code::BadRequest.with("Invalid Access-Control-Request-Method: null"))?;
    let requested: Vec<&str> = text("access-control-request-headers")
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let rules = rules.ok_or_else(|| {
        Code::AccessForbidden.with("CORSResponse: CORS is not enabled for this bucket.")
    })?;
    let rule = rules.find(origin, method, &requested).ok_or_else(|| {
        Code::AccessForbidden.with(
            "CORSResponse: This CORS request is not allowed. This is usually because the \
             evaluation of Origin, request method / Access-Control-Request-Method or \
             Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        )
    })?;
    let mut answer = Response::ok();
    let mut allowed = granted(rule, origin);
    if !requested.is_empty() {
        let list: Vec<String> = requested.iter().map(|h| h.to_ascii_lowercase()).collect();
        allowed.push(("access-control-allow-headers", list.join(", ")));
    }
    for (name, value) in allowed {
        answer = answer.with(name, value);
    }
    Ok(answer)
}

/// The headers an actual request's answer carries: those of the first rule allowing its
/// origin and method, and `Vary` whenever the bucket has rules (the answer depends on the
/// origin either way). Empty when the bucket has no rules.
pub fn actual(rules: Option<&CorsRules>, origin: &str, method: &str) -> CorsHeaders {
    let Some(rules) = rules else {
        return Vec::new();
    };
    match rules.find(origin, method, &[]) {
        Some(rule) => granted(rule, origin),
        None => vec![("vary", VARY.to_string())],
    }
}

/// What a matching rule grants an origin.
fn granted(rule: &CorsRule, origin: &str) -> CorsHeaders {
    let mut out = Vec::with_capacity(6);
    if rule.any_origin() {
        out.push(("access-control-allow-origin", "*".to_string()));
    } else {
        out.push(("access-control-allow-origin", origin.to_string()));
        out.push(("access-control-allow-credentials", "true".to_string()));
    }
    out.push((
        "access-control-allow-methods",
        rule.AllowedMethod.join(", "),
    ));
    if !rule.ExposeHeader.is_empty() {
        out.push((
            "access-control-expose-headers",
            rule.ExposeHeader.join(", "),
        ));
    }
    if let Some(age) = rule.MaxAgeSeconds {
        out.push(("access-control-max-age", age.to_string()));
    }
    out.push(("vary", VARY.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> CorsRules {
        CorsRules::parse_for_put(
            b"<CORSConfiguration><CORSRule><AllowedMethod>PUT</AllowedMethod>\
              <AllowedOrigin>https://app.example</AllowedOrigin><AllowedHeader>x-amz-*</AllowedHeader>\
              <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>\
              <CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>\
              </CORSConfiguration>",
        )
        .unwrap()
    }

    fn ask(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, value.parse().unwrap());
        }
        h
    }

    fn code(r: Result<Response, S3Error>) -> Code {
        r.err().map(|e| e.code).expect("refused")
    }

    #[test]
    fn a_preflight_is_answered_by_the_matching_rule() {
        let r = rules();
        let yes = preflight(
            Some(&r),
            &ask(&[
                ("origin", "https://app.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "X-Amz-Meta-A, x-amz-date"),
            ]),
        )
        .unwrap();
        assert_eq!(yes.status, 200);
        assert_eq!(
            yes.header("access-control-allow-origin"),
            Some("https://app.example")
        );
        assert_eq!(yes.header("access-control-allow-credentials"), Some("true"));
        assert_eq!(yes.header("access-control-allow-methods"), Some("PUT"));
        assert_eq!(
            yes.header("access-control-allow-headers"),
            Some("x-amz-meta-a, x-amz-date")
        );
        assert_eq!(yes.header("access-control-expose-headers"), Some("ETag"));
        assert_eq!(yes.header("access-control-max-age"), Some("600"));
        let any = preflight(
            Some(&r),
            &ask(&[
                ("origin", "https://else.example"),
                ("access-control-request-method", "GET"),
            ]),
        )
        .unwrap();
        assert_eq!(any.header("access-control-allow-origin"), Some("*"));
        assert_eq!(any.header("access-control-allow-credentials"), None);
    }

    #[test]
    fn a_preflight_that_nothing_allows_is_refused_as_aws_refuses_it() {
        let r = rules();
        let method = ("access-control-request-method", "PUT");
        assert_eq!(code(preflight(Some(&r), &ask(&[method]))), Code::BadRequest);
        let origin = ("origin", "https://app.example");
        assert_eq!(code(preflight(Some(&r), &ask(&[origin]))), Code::BadRequest);
        assert_eq!(
            code(preflight(None, &ask(&[origin, method]))),
            Code::AccessForbidden
        );
        let header = ("access-control-request-headers", "authorization");
        assert_eq!(
            code(preflight(Some(&r), &ask(&[origin, method, header]))),
            Code::AccessForbidden
        );
        let delete = ("access-control-request-method", "DELETE");
        assert_eq!(
            code(preflight(Some(&r), &ask(&[origin, delete]))),
            Code::AccessForbidden
        );
    }

    #[test]
    fn actual_requests_get_the_rules_headers_or_only_vary() {
        let r = rules();
        let put = actual(Some(&r), "https://app.example", "PUT");
        assert!(put.contains(&("access-control-allow-origin", "https://app.example".into())));
        assert!(put.contains(&("access-control-expose-headers", "ETag".into())));
        let denied = actual(Some(&r), "https://else.example", "PUT");
        assert_eq!(denied, vec![("vary", VARY.to_string())]);
        assert!(actual(None, "https://app.example", "GET").is_empty());
    }
}
