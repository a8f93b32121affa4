//! Parsing what the client says it signed: the `Authorization` header, the credential scope,
//! the signed-header list and the signature.

use super::error::AuthError;

/// The algorithm name of SigV4 with HMAC-SHA256.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

// Bounds on client-supplied lists: far above what any SDK sends.
const MAX_SIGNED_HEADERS: usize = 128;

/// `date/region/service/aws4_request` from a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub(crate) date: String,
    pub(crate) region: String,
    pub(crate) service: String,
}

impl Scope {
    /// The scope line of the string to sign.
    pub(crate) fn to_line(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// The fields of a SigV4 signature, from the header or from a presigned URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignatureFields {
    pub(crate) access_key: String,
    pub(crate) scope: Scope,
    /// The `SignedHeaders` value exactly as sent (it is part of the canonical request).
    pub(crate) signed_headers_line: String,
    pub(crate) signed_headers: Vec<String>,
    /// The signature, lowercase hex.
    pub(crate) signature: String,
}

/// Which field-level error type a parse failure should become.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Location {
    Header,
    Query,
    /// A POST upload's form fields.
    Form,
}

impl Location {
    pub(crate) fn error(self, message: impl Into<String>) -> AuthError {
        match self {
            Location::Header => AuthError::AuthorizationHeaderMalformed(message.into()),
            Location::Query => AuthError::AuthorizationQueryParametersError(message.into()),
            Location::Form => AuthError::InvalidArgument(message.into()),
        }
    }
}

/// Parses `AKID/20130524/us-east-1/s3/aws4_request`.
pub(crate) fn parse_credential(value: &str, at: Location) -> Result<(String, Scope), AuthError> {
    // Split from the right so the access key is whatever precedes the four scope parts.
    let mut parts = value.rsplitn(5, '/');
    let (Some(terminal), Some(service), Some(region), Some(date), Some(access_key)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(at.error(format!(
            "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\": {value:?}"
        )));
    };
    if terminal != "aws4_request" {
        return Err(at.error(format!(
            "the credential terminates with {terminal:?}, not \"aws4_request\""
        )));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(at.error(format!("invalid credential date {date:?}")));
    }
    if access_key.is_empty() || region.is_empty() || service.is_empty() {
        return Err(at.error("the credential has an empty access key, region or service"));
    }
    Ok((
        access_key.to_owned(),
        Scope {
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
        },
    ))
}

/// Parses `host;range;x-amz-date` into names, refusing empty, duplicate or non-lowercase ones.
pub(crate) fn parse_signed_headers(value: &str, at: Location) -> Result<Vec<String>, AuthError> {
    let mut names: Vec<String> = Vec::new();
    for name in value.split(';') {
        let valid = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.!#$%&'*+^`|~".contains(&b)
            });
        if !valid {
            return Err(at.error(format!("invalid header name {name:?} in SignedHeaders")));
        }
        if names.iter().any(|n| n == name) {
            return Err(at.error(format!("header {name:?} appears twice in SignedHeaders")));
        }
        if names.len() == MAX_SIGNED_HEADERS {
            return Err(at.error("too many SignedHeaders"));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// Checks that a signature is 64 hex digits and returns it in lowercase.
pub(crate) fn parse_signature(value: &str, at: Location) -> Result<String, AuthError> {
    if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(at.error("the signature must be 64 hexadecimal characters"));
    }
    Ok(value.to_ascii_lowercase())
}

/// Parses an `Authorization` header value of the SigV4 form, with or without spaces after
/// the commas (s3cmd omits them).
pub(crate) fn parse_authorization(value: &str) -> Result<SignatureFields, AuthError> {
    let at = Location::Header;
    let rest = match value.split_once(|c: char| c.is_ascii_whitespace()) {
        Some((ALGORITHM, rest)) => rest,
        _ => return Err(unsupported_scheme(value)),
    };
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let Some((key, field)) = part.split_once('=') else {
            return Err(at.error(format!("{part:?} is not a key=value pair")));
        };
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            other => return Err(at.error(format!("unexpected field {other:?}"))),
        };
        if slot.replace(field.trim()).is_some() {
            return Err(at.error(format!("{key} appears twice")));
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(at.error("expected Credential, SignedHeaders and Signature"));
    };
    let (access_key, scope) = parse_credential(credential, at)?;
    Ok(SignatureFields {
        access_key,
        scope,
        signed_headers_line: signed_headers.to_owned(),
        signed_headers: parse_signed_headers(signed_headers, at)?,
        signature: parse_signature(signature, at)?,
    })
}

/// The error for an `Authorization` header that is not SigV4 with HMAC-SHA256.
fn unsupported_scheme(value: &str) -> AuthError {
    if value.starts_with("AWS4-ECDSA-P256-SHA256") {
        AuthError::NotImplemented("Signature Version 4a")
    } else if value.starts_with("AWS ") {
        AuthError::InvalidRequest(
            "the authorization mechanism you have provided is not supported; please use AWS4-HMAC-SHA256".into(),
        )
    } else {
        AuthError::AuthorizationHeaderMalformed(
            "unsupported authorization type; expecting AWS4-HMAC-SHA256".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";

    #[test]
    fn the_documented_header_parses() {
        let header = format!(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-date, Signature={SIG}"
        );
        let fields = parse_authorization(&header).unwrap();
        assert_eq!(fields.access_key, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(fields.scope.to_line(), "20130524/us-east-1/s3/aws4_request");
        assert_eq!(fields.signed_headers, ["host", "range", "x-amz-date"]);
        assert_eq!(fields.signed_headers_line, "host;range;x-amz-date");
        assert_eq!(fields.signature, SIG);
    }

    #[test]
    fn s3cmd_form_without_spaces_parses() {
        let header = format!(
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature={SIG}"
        );
        assert_eq!(
            parse_authorization(&header).unwrap().signed_headers,
            ["host"]
        );
    }

    #[test]
    fn malformed_headers_are_refused_with_the_right_code() {
        let bad = [
            format!("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, Signature={SIG}"),
            format!("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3, SignedHeaders=host, Signature={SIG}"),
            format!("AWS4-HMAC-SHA256 Credential=AK/2013052/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={SIG}"),
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc".into(),
            format!("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;;a, Signature={SIG}"),
            format!("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=Host, Signature={SIG}"),
            format!("AWS4-HMAC-SHA256 Credential=a, Credential=b, SignedHeaders=host, Signature={SIG}"),
            "Bearer xyz".into(),
            "AWS4-HMAC-SHA256".into(),
        ];
        for header in bad {
            let err = parse_authorization(&header).unwrap_err();
            assert!(
                matches!(err, AuthError::AuthorizationHeaderMalformed(_)),
                "{header}: {err:?}"
            );
        }
    }

    #[test]
    fn other_signature_versions_are_named() {
        assert!(matches!(
            parse_authorization("AWS AKID:c2lnbmF0dXJl").unwrap_err(),
            AuthError::InvalidRequest(_)
        ));
        assert_eq!(
            parse_authorization("AWS4-ECDSA-P256-SHA256 Credential=x").unwrap_err(),
            AuthError::NotImplemented("Signature Version 4a")
        );
    }
}
