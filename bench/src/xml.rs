//! The few pieces of S3 XML the generator reads: error codes, ListObjectsV2 pages and the
//! upload id of a new multipart upload. Read with quick-xml's pull parser; nothing else of
//! the documents is kept.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One page of a ListObjectsV2 reply.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// Number of `<Contents>` entries.
    pub count: u64,
    /// The keys, when asked for (cleanup needs them, the LIST workload does not).
    pub keys: Vec<String>,
    /// `<NextContinuationToken>`, present while `truncated`.
    pub next_token: Option<String>,
    /// `<IsTruncated>true</IsTruncated>`.
    pub truncated: bool,
}

/// The XML reply could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// Not well-formed XML.
    #[error("malformed XML reply: {0}")]
    Malformed(String),
    /// A required element is absent.
    #[error("XML reply lacks <{0}>")]
    Missing(&'static str),
}

/// Calls `on_text(element, text)` for the text of every element.
fn walk(data: &[u8], mut on_text: impl FnMut(&[u8], String)) -> Result<(), XmlError> {
    let mut reader = Reader::from_reader(data);
    let mut current: Vec<u8> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                current.clear();
                current.extend_from_slice(e.local_name().as_ref());
            }
            Ok(Event::End(_)) => current.clear(),
            Ok(Event::Text(t)) => {
                if !current.is_empty() {
                    let text = t
                        .unescape()
                        .map_err(|e| XmlError::Malformed(e.to_string()))?;
                    on_text(&current, text.into_owned());
                }
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
        buf.clear();
    }
}

/// The `<Code>` of an S3 error document, if the body is one.
pub fn error_code(data: &[u8]) -> Option<String> {
    let mut code = None;
    walk(data, |name, text| {
        if name == b"Code" && code.is_none() {
            code = Some(text);
        }
    })
    .ok()?;
    code
}

/// Parses a ListObjectsV2 page.
pub fn list_page(data: &[u8], want_keys: bool) -> Result<ListPage, XmlError> {
    let mut page = ListPage::default();
    let mut saw_result = false;
    walk(data, |name, text| match name {
        b"Key" => {
            page.count += 1;
            if want_keys {
                page.keys.push(text);
            }
        }
        b"NextContinuationToken" => page.next_token = Some(text),
        b"IsTruncated" => {
            saw_result = true;
            page.truncated = text.trim() == "true";
        }
        _ => {}
    })?;
    if !saw_result {
        return Err(XmlError::Missing("IsTruncated"));
    }
    Ok(page)
}

/// The `<UploadId>` of an InitiateMultipartUploadResult.
pub fn upload_id(data: &[u8]) -> Result<String, XmlError> {
    let mut id = None;
    walk(data, |name, text| {
        if name == b"UploadId" {
            id = Some(text);
        }
    })?;
    id.ok_or(XmlError::Missing("UploadId"))
}

/// Escapes text for an XML element body (ETags carry quotes).
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}
