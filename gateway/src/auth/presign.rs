//! The `X-Amz-*` query parameters of a presigned URL.

use super::canonical::QueryParam;
use super::error::AuthError;
use super::parse::Location;

/// The query parameter that carries a presigned URL's signature (left out of the canonical
/// query string).
pub(crate) const SIGNATURE_PARAM: &str = "X-Amz-Signature";

/// Whether the query has a parameter of that exact name.
pub(crate) fn has_param(query: &[QueryParam], name: &str) -> bool {
    query.iter().any(|p| p.name == name.as_bytes())
}

/// The `X-Amz-*` parameters of a presigned URL.
pub(crate) struct PresignParams {
    pub(crate) algorithm: String,
    pub(crate) credential: String,
    pub(crate) date: String,
    pub(crate) expires: String,
    pub(crate) signed_headers: String,
    pub(crate) signature: String,
    pub(crate) security_token: Option<String>,
    pub(crate) content_sha256: Option<String>,
}

impl PresignParams {
    /// `None` if the query carries no presigning parameter at all.
    pub(crate) fn find(query: &[QueryParam]) -> Result<Option<Self>, AuthError> {
        let get = |name: &str| -> Result<Option<String>, AuthError> {
            let mut found = query.iter().filter(|p| p.name == name.as_bytes());
            let Some(first) = found.next() else {
                return Ok(None);
            };
            if found.next().is_some() {
                return Err(Location::Query.error(format!("{name} appears more than once")));
            }
            String::from_utf8(first.value.clone())
                .map(Some)
                .map_err(|_| Location::Query.error(format!("{name} is not valid UTF-8")))
        };
        let algorithm = get("X-Amz-Algorithm")?;
        let credential = get("X-Amz-Credential")?;
        let signature = get(SIGNATURE_PARAM)?;
        if algorithm.is_none() && credential.is_none() && signature.is_none() {
            return Ok(None);
        }
        let required = |value: Option<String>, name: &str| {
            value.ok_or_else(|| {
                Location::Query.error(format!(
                    "query-string authentication requires the {name} parameter"
                ))
            })
        };
        Ok(Some(Self {
            algorithm: required(algorithm, "X-Amz-Algorithm")?,
            credential: required(credential, "X-Amz-Credential")?,
            date: required(get("X-Amz-Date")?, "X-Amz-Date")?,
            expires: required(get("X-Amz-Expires")?, "X-Amz-Expires")?,
            signed_headers: required(get("X-Amz-SignedHeaders")?, "X-Amz-SignedHeaders")?,
            signature: required(signature, SIGNATURE_PARAM)?,
            security_token: get("X-Amz-Security-Token")?,
            content_sha256: get("X-Amz-Content-Sha256")?,
        }))
    }
}
