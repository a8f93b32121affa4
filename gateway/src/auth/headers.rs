//! Reading the headers authentication depends on, strictly.

use http::HeaderMap;

use super::error::AuthError;

/// A single header as UTF-8; a repeated or non-UTF-8 auth header is malformed.
pub(crate) fn header_str<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<Option<&'h str>, AuthError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(AuthError::InvalidArgument(format!(
            "header {name} appears more than once"
        )));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| AuthError::InvalidArgument(format!("header {name} is not valid text")))
}
