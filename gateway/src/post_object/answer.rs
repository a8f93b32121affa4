//! What the browser gets once the file is stored: a redirect, or the status the form asked
//! for (201 with AWS's `PostResponse` document).

use serde::Serialize;

use super::fields::Success;
use crate::s3::error::S3Error;
use crate::s3::response::{Response, ResponseBody};
use crate::s3::xml::to_xml;

#[allow(non_snake_case)]
#[derive(Serialize)]
#[serde(rename = "PostResponse")]
struct PostResponse<'a> {
    Location: &'a str,
    Bucket: &'a str,
    Key: &'a str,
    ETag: &'a str,
}

/// Turns the PutObject's answer `put` into the form's: `base` is the endpoint's URL as the
/// client addressed it (`http://host`), for the object's `Location`.
pub fn answer(
    mut put: Response,
    success: &Success,
    base: &str,
    bucket: &str,
    key: &str,
) -> Result<Response, S3Error> {
    let etag = put.header("etag").unwrap_or_default().to_string();
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let path_key: String = key.split('/').map(enc).collect::<Vec<_>>().join("/");
    let location = format!("{base}/{}/{path_key}", enc(bucket));
    match success {
        Success::Redirect(url) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            let to = format!(
                "{url}{sep}bucket={}&key={}&etag={}",
                enc(bucket),
                enc(key),
                enc(&etag)
            );
            put.status = 303;
            put.headers.push(("location".into(), to));
        }
        Success::Status(201) => {
            let doc = to_xml(&PostResponse {
                Location: &location,
                Bucket: bucket,
                Key: key,
                ETag: &etag,
            })?;
            put.status = 201;
            put.headers
                .push(("content-type".into(), "application/xml".into()));
            put.headers.push(("location".into(), location));
            put.body = ResponseBody::Full(doc);
        }
        Success::Status(status) => {
            put.status = *status;
            put.headers.push(("location".into(), location));
        }
    }
    Ok(put)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> Response {
        Response::ok().with("etag", "\"abc\"")
    }

    #[test]
    fn each_success_form_answers_as_aws() {
        let r = answer(stored(), &Success::Status(204), "http://h:9", "b", "a b/c").unwrap();
        assert_eq!(r.status, 204);
        assert_eq!(r.header("location"), Some("http://h:9/b/a+b/c"));
        let r = answer(stored(), &Success::Status(201), "http://h", "b", "k").unwrap();
        assert_eq!(r.status, 201);
        let ResponseBody::Full(doc) = &r.body else {
            panic!("201 has a document")
        };
        let text = std::str::from_utf8(doc).unwrap();
        assert!(
            text.contains("<Bucket>b</Bucket><Key>k</Key><ETag>\"abc\"</ETag>"),
            "{text}"
        );
        let r = answer(
            stored(),
            &Success::Redirect("https://app/done?x=1".into()),
            "http://h",
            "b",
            "k/1",
        )
        .unwrap();
        assert_eq!(r.status, 303);
        assert_eq!(
            r.header("location"),
            Some("https://app/done?x=1&bucket=b&key=k%2F1&etag=%22abc%22")
        );
    }
}
