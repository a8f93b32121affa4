//! What a POST upload's fields mean: the key, the credentials and policy, where to send the
//! browser afterwards, and the object's headers (as a PutObject would carry them), each
//! field known by name; an unknown one is refused, never dropped.

use http::{HeaderMap, HeaderName, HeaderValue};

use super::form::Fields;
use crate::auth::PostSignature;
use crate::s3::error::{Code, S3Error};
use crate::s3::xml::{from_xml, Tagging};

/// A POST upload's form, read.
#[derive(Debug, Clone)]
pub struct PostForm {
    /// The key, `${filename}` replaced.
    pub key: String,
    /// The fields, names lowercase, values as sent (what the policy is checked against).
    pub fields: Vec<(String, String)>,
    /// The object's headers.
    pub headers: HeaderMap,
    /// What the browser gets on success.
    pub success: Success,
}

/// The answer to a successful upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Success {
    /// `success_action_redirect`: 303 to this URL.
    Redirect(String),
    /// `success_action_status`: 200, 201 (with a document) or 204.
    Status(u16),
}

/// Fields that name headers of the object under the same name.
const HEADER_FIELDS: [&str; 6] = [
    "cache-control",
    "content-type",
    "content-disposition",
    "content-encoding",
    "content-md5",
    "expires",
];

/// Fields that authenticate, or steer the upload, rather than describe the object.
const CONTROL_FIELDS: [&str; 10] = [
    "key",
    "policy",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-signature",
    "x-amz-security-token",
    "success_action_redirect",
    "redirect",
    "success_action_status",
];

impl PostForm {
    /// Reads `fields`; `filename` stands for `${filename}` in the key.
    pub fn read(fields: Fields) -> Result<PostForm, S3Error> {
        let list: Vec<(String, String)> = fields
            .list
            .into_iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v))
            .collect();
        let mut seen = std::collections::HashSet::new();
        if let Some((dup, _)) = list.iter().find(|(n, _)| !seen.insert(n.as_str())) {
            return Err(Code::InvalidArgument.with(format!("the form has field {dup} twice")));
        }
        let get = |name: &str| {
            list.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        if get("awsaccesskeyid").is_some() || get("signature").is_some() {
            return Err(Code::InvalidArgument
                .with("POST uploads signed with Signature Version 2 are not supported; use AWS4-HMAC-SHA256"));
        }
        let key = get("key").ok_or_else(|| {
            Code::InvalidArgument.with(
                "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
            )
        })?;
        let filename = fields.file.filename.as_deref().unwrap_or("");
        let key = key.replace("${filename}", filename);
        let mut headers = HeaderMap::new();
        for (name, value) in &list {
            let header = match name.as_str() {
                n if CONTROL_FIELDS.contains(&n) || n.starts_with("x-ignore-") => continue,
                n if HEADER_FIELDS.contains(&n) => n.to_string(),
                "acl" => "x-amz-acl".to_string(),
                "tagging" => {
                    insert(&mut headers, "x-amz-tagging", &tagging_header(value)?)?;
                    continue;
                }
                n if n.starts_with("x-amz-") => n.to_string(),
                other => {
                    return Err(Code::InvalidArgument.with(format!(
                        "strata does not know the form field {other:?}; name it x-ignore-{other} to have it ignored"
                    )))
                }
            };
            insert(&mut headers, &header, value)?;
        }
        let success = match (
            get("success_action_redirect").or(get("redirect")),
            get("success_action_status"),
        ) {
            (Some(url), _) if url.starts_with("http://") || url.starts_with("https://") => {
                Success::Redirect(url.to_string())
            }
            // As AWS: another status than these three is answered with 204.
            (_, Some("200")) => Success::Status(200),
            (_, Some("201")) => Success::Status(201),
            _ => Success::Status(204),
        };
        Ok(PostForm {
            key,
            fields: list,
            headers,
            success,
        })
    }

    /// The signature fields, if the form is signed; `None` for an anonymous upload.
    pub fn signature(&self) -> Result<Option<PostSignature<'_>>, S3Error> {
        let get = |name: &str| {
            self.fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let parts = [
            get("policy"),
            get("x-amz-algorithm"),
            get("x-amz-credential"),
            get("x-amz-date"),
            get("x-amz-signature"),
        ];
        match parts {
            [Some(policy), Some(algorithm), Some(credential), Some(date), Some(signature)] => {
                Ok(Some(PostSignature {
                    algorithm,
                    credential,
                    date,
                    signature,
                    policy,
                    security_token: get("x-amz-security-token"),
                }))
            }
            [None, None, None, None, None] => Ok(None),
            _ => Err(Code::InvalidArgument.with(
                "a signed POST upload needs all of the fields policy, x-amz-algorithm, x-amz-credential, x-amz-date and x-amz-signature",
            )),
        }
    }
}

fn insert(headers: &mut HeaderMap, name: &str, value: &str) -> Result<(), S3Error> {
    let bad = || Code::InvalidArgument.with(format!("the form field {name} cannot be a header"));
    headers.insert(
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?,
        HeaderValue::from_bytes(value.as_bytes()).map_err(|_| bad())?,
    );
    Ok(())
}

/// The `tagging` field (a `Tagging` document) as the `x-amz-tagging` header's query form.
fn tagging_header(doc: &str) -> Result<String, S3Error> {
    let tagging: Tagging = from_xml(doc.as_bytes())?;
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    Ok(tagging
        .TagSet
        .Tag
        .iter()
        .map(|t| format!("{}={}", enc(&t.Key), enc(&t.Value)))
        .collect::<Vec<_>>()
        .join("&"))
}

#[cfg(test)]
mod tests {
    use super::super::form::FileHead;
    use super::*;

    fn form(list: &[(&str, &str)]) -> Result<PostForm, S3Error> {
        PostForm::read(Fields {
            list: list
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            file: FileHead {
                filename: Some("cat.png".into()),
            },
        })
    }

    #[test]
    fn fields_become_the_key_the_headers_and_the_answer() {
        let f = form(&[
            ("Key", "up/${filename}"),
            ("Content-Type", "image/png"),
            ("acl", "public-read"),
            ("x-amz-meta-who", "me"),
            ("tagging", "<Tagging><TagSet><Tag><Key>a b</Key><Value>1&amp;2</Value></Tag></TagSet></Tagging>"),
            ("success_action_status", "201"),
            ("x-ignore-submit", "Send"),
            ("policy", "p"),
        ])
        .unwrap();
        assert_eq!(f.key, "up/cat.png");
        assert_eq!(f.headers["content-type"], "image/png");
        assert_eq!(f.headers["x-amz-acl"], "public-read");
        assert_eq!(f.headers["x-amz-meta-who"], "me");
        assert_eq!(f.headers["x-amz-tagging"], "a+b=1%262");
        assert!(!f.headers.contains_key("policy") && !f.headers.contains_key("x-ignore-submit"));
        assert_eq!(f.success, Success::Status(201));
        assert_eq!(
            f.fields[0],
            ("key".to_string(), "up/${filename}".to_string())
        );
        let redirect = form(&[
            ("key", "k"),
            ("success_action_redirect", "https://app/done"),
        ])
        .unwrap();
        assert_eq!(
            redirect.success,
            Success::Redirect("https://app/done".into())
        );
        assert_eq!(
            form(&[("key", "k"), ("success_action_status", "404")])
                .unwrap()
                .success,
            Success::Status(204)
        );
    }

    #[test]
    fn unknown_missing_doubled_or_partial_fields_are_refused() {
        let code = |list: &[(&str, &str)]| form(list).unwrap_err().code;
        assert_eq!(code(&[("content-type", "a")]), Code::InvalidArgument);
        assert_eq!(
            code(&[("key", "k"), ("submit", "Upload")]),
            Code::InvalidArgument
        );
        assert_eq!(code(&[("key", "k"), ("KEY", "j")]), Code::InvalidArgument);
        assert_eq!(
            code(&[("key", "k"), ("AWSAccessKeyId", "AK")]),
            Code::InvalidArgument
        );
        assert_eq!(
            code(&[("key", "k"), ("tagging", "<Tagging>")]),
            Code::MalformedXML
        );
        let partial = form(&[("key", "k"), ("policy", "p"), ("x-amz-signature", "s")]).unwrap();
        assert_eq!(partial.signature().unwrap_err().code, Code::InvalidArgument);
        assert!(form(&[("key", "k")])
            .unwrap()
            .signature()
            .unwrap()
            .is_none());
    }
}
