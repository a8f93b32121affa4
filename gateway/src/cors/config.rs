//! A bucket's CORS configuration: AWS's `CORSConfiguration` document, validated as
//! PutBucketCors validates it, and kept as the rules the evaluator matches.

use serde::{Deserialize, Serialize};

use crate::s3::error::{Code, S3Error};
use crate::s3::xml::{from_xml, to_xml, S3_NS};

/// Where the document is kept among the bucket's configuration documents.
pub const CORS_CONFIG: &str = "cors";

/// Largest configuration AWS accepts (64 KB).
pub const MAX_CORS_BODY: usize = 64 * 1024;

/// Most rules one configuration may hold.
pub const MAX_RULES: usize = 100;

/// The methods a rule may allow.
pub const METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];

/// Longest rule `ID`.
const MAX_ID: usize = 255;

/// One rule, as on the wire.
#[allow(non_snake_case)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CorsRule {
    /// Optional name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ID: Option<String>,
    /// Request headers a preflight may name (one `*` each).
    #[serde(default)]
    pub AllowedHeader: Vec<String>,
    /// Methods allowed (of [`METHODS`]).
    #[serde(default)]
    pub AllowedMethod: Vec<String>,
    /// Origins allowed (one `*` each).
    #[serde(default)]
    pub AllowedOrigin: Vec<String>,
    /// Response headers the browser may show the page.
    #[serde(default)]
    pub ExposeHeader: Vec<String>,
    /// How long a browser may keep the preflight's answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub MaxAgeSeconds: Option<u32>,
}

/// The document.
#[allow(non_snake_case)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename = "CORSConfiguration")]
pub struct CorsRules {
    #[serde(
        rename = "@xmlns",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    xmlns: Option<&'static str>,
    /// The rules, in the order they are tried.
    #[serde(default)]
    pub CORSRule: Vec<CorsRule>,
}

impl CorsRules {
    /// A PutBucketCors body, checked as AWS checks it.
    pub fn parse_for_put(body: &[u8]) -> Result<CorsRules, S3Error> {
        let mut rules: CorsRules = from_xml(body)?;
        rules.validate()?;
        rules.xmlns = Some(S3_NS);
        Ok(rules)
    }

    /// The stored form (the document as GetBucketCors returns it).
    pub fn encode(&self) -> Result<Vec<u8>, S3Error> {
        Ok(to_xml(self)?.to_vec())
    }

    /// A stored document; `Err` says why it cannot be used.
    pub fn decode(doc: &[u8]) -> Result<CorsRules, String> {
        let rules: CorsRules = from_xml(doc).map_err(|e| e.to_string())?;
        rules.validate().map_err(|e| e.message)?;
        Ok(rules)
    }

    fn validate(&self) -> Result<(), S3Error> {
        if self.CORSRule.is_empty() {
            return Err(Code::MalformedXML.with("a CORS configuration needs at least one CORSRule"));
        }
        if self.CORSRule.len() > MAX_RULES {
            return Err(Code::InvalidRequest.with(format!(
                "a CORS configuration holds at most {MAX_RULES} rules; this one has {}",
                self.CORSRule.len()
            )));
        }
        self.CORSRule.iter().try_for_each(CorsRule::validate)
    }
}

impl CorsRule {
    fn validate(&self) -> Result<(), S3Error> {
        if self.AllowedMethod.is_empty() || self.AllowedOrigin.is_empty() {
            return Err(Code::MalformedXML
                .with("each CORSRule needs at least one AllowedMethod and one AllowedOrigin"));
        }
        if let Some(id) = &self.ID {
            if id.chars().count() > MAX_ID {
                return Err(Code::InvalidArgument
                    .with(format!("a CORSRule ID is at most {MAX_ID} characters")));
            }
        }
        if let Some(method) = self
            .AllowedMethod
            .iter()
            .find(|m| !METHODS.contains(&m.as_str()))
        {
            return Err(Code::InvalidRequest.with(format!(
                "Found unsupported HTTP method in CORS config. Unsupported method is {method}"
            )));
        }
        for (what, values) in [
            ("AllowedOrigin", &self.AllowedOrigin),
            ("AllowedHeader", &self.AllowedHeader),
        ] {
            if let Some(v) = values.iter().find(|v| v.matches('*').count() > 1) {
                return Err(Code::InvalidRequest.with(format!(
                    "{what} \"{v}\" can not have more than one wildcard."
                )));
            }
        }
        if let Some(v) = self.ExposeHeader.iter().find(|v| v.contains('*')) {
            return Err(Code::InvalidRequest.with(format!(
                "ExposeHeader \"{v}\" contains wildcard. Wildcards are not supported for ExposeHeader."
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(doc: &str) -> Result<CorsRules, S3Error> {
        CorsRules::parse_for_put(doc.as_bytes())
    }

    fn code(doc: &str) -> Code {
        put(doc).unwrap_err().code
    }

    fn rule(inner: &str) -> String {
        format!("<CORSConfiguration><CORSRule>{inner}</CORSRule></CORSConfiguration>")
    }

    #[test]
    fn a_full_rule_round_trips_through_the_stored_form() {
        let doc = rule(
            "<ID>web</ID><AllowedHeader>x-amz-*</AllowedHeader><AllowedMethod>PUT</AllowedMethod>\
             <AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://*.example.com</AllowedOrigin>\
             <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>",
        );
        let rules = put(&doc).unwrap();
        let r = &rules.CORSRule[0];
        assert_eq!(r.ID.as_deref(), Some("web"));
        assert_eq!(r.AllowedMethod, ["PUT", "GET"]);
        assert_eq!(r.AllowedOrigin, ["https://*.example.com"]);
        assert_eq!(r.AllowedHeader, ["x-amz-*"]);
        assert_eq!(r.ExposeHeader, ["ETag"]);
        assert_eq!(r.MaxAgeSeconds, Some(3000));
        let stored = rules.encode().unwrap();
        let text = String::from_utf8(stored.clone()).unwrap();
        assert!(text.contains(S3_NS), "{text}");
        assert_eq!(CorsRules::decode(&stored).unwrap().CORSRule, rules.CORSRule);
    }

    #[test]
    fn elements_may_come_in_any_order() {
        let doc = rule(
            "<AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://a.example</AllowedOrigin>\
             <AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://b.example</AllowedOrigin>",
        );
        let rules = put(&doc).unwrap();
        assert_eq!(rules.CORSRule[0].AllowedMethod, ["GET", "PUT"]);
        assert_eq!(rules.CORSRule[0].AllowedOrigin.len(), 2);
    }

    #[test]
    fn what_aws_refuses_is_refused_with_its_code() {
        let ok = "<AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin>";
        assert!(put(&rule(ok)).is_ok());
        assert_eq!(
            code("<CORSConfiguration></CORSConfiguration>"),
            Code::MalformedXML
        );
        assert_eq!(
            code(&rule("<AllowedOrigin>*</AllowedOrigin>")),
            Code::MalformedXML
        );
        assert_eq!(
            code(&rule("<AllowedMethod>GET</AllowedMethod>")),
            Code::MalformedXML
        );
        let patch = rule("<AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin>");
        let e = put(&patch).unwrap_err();
        assert_eq!(e.code, Code::InvalidRequest);
        assert!(
            e.message.contains("Unsupported method is PATCH"),
            "{}",
            e.message
        );
        let two_stars =
            rule("<AllowedMethod>GET</AllowedMethod><AllowedOrigin>http://*.*.com</AllowedOrigin>");
        assert_eq!(code(&two_stars), Code::InvalidRequest);
        let header_stars = format!("{ok}<AllowedHeader>*-*</AllowedHeader>");
        assert_eq!(code(&rule(&header_stars)), Code::InvalidRequest);
        let expose = format!("{ok}<ExposeHeader>x-amz-*</ExposeHeader>");
        assert_eq!(code(&rule(&expose)), Code::InvalidRequest);
        let long_id = format!("{ok}<ID>{}</ID>", "i".repeat(256));
        assert_eq!(code(&rule(&long_id)), Code::InvalidArgument);
        let negative = format!("{ok}<MaxAgeSeconds>-1</MaxAgeSeconds>");
        assert_eq!(code(&rule(&negative)), Code::MalformedXML);
        let many = format!(
            "<CORSConfiguration>{}</CORSConfiguration>",
            format!("<CORSRule>{ok}</CORSRule>").repeat(MAX_RULES + 1)
        );
        assert_eq!(code(&many), Code::InvalidRequest);
        let most = format!(
            "<CORSConfiguration>{}</CORSConfiguration>",
            format!("<CORSRule>{ok}</CORSRule>").repeat(MAX_RULES)
        );
        assert!(put(&most).is_ok());
    }
}
