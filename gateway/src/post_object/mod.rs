//! POST Object: browser form uploads. The form's fields are read before its file (bounded),
//! its signed policy is checked, and the file streams into the store as a PutObject's body.
//! The request path runs it (`crate::server`); this module knows the form and its policy.

mod answer;
mod fields;
mod form;
mod policy;
mod size;

pub use answer::answer;
pub use fields::{PostForm, Success};
pub use form::{Fields, FileHead, FormError, FormReader};
pub use policy::{LengthRange, PostPolicy};
pub use size::{bounded, SizeVerdict};

use crate::s3::error::{Code, S3Error};

impl From<FormError> for S3Error {
    fn from(e: FormError) -> Self {
        let code = match e {
            FormError::Malformed(_) | FormError::Io(_) => Code::MalformedPOSTRequest,
            FormError::FieldsTooLarge => Code::MaxPostPreDataLengthExceededError,
            FormError::NoFile => Code::InvalidArgument,
        };
        code.with(e.to_string())
    }
}

/// The form's boundary, from a `multipart/form-data` Content-Type.
pub fn boundary(content_type: Option<&str>) -> Result<&str, S3Error> {
    let refuse = || {
        Code::PreconditionFailed
            .with("Bucket POST must be of the enclosure-type multipart/form-data")
    };
    let value = content_type.ok_or_else(refuse)?;
    let mut params = value.split(';').map(str::trim);
    if !params
        .next()
        .is_some_and(|t| t.eq_ignore_ascii_case("multipart/form-data"))
    {
        return Err(refuse());
    }
    params
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim().eq_ignore_ascii_case("boundary").then(|| {
                let v = v.trim();
                v.strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v)
            })
        })
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .ok_or_else(|| {
            Code::MalformedPOSTRequest
                .with("the multipart/form-data Content-Type has no valid boundary")
        })
}
