//! The query APIs' XML: `<ActionResponse><ActionResult>...</ActionResult>
//! <ResponseMetadata><RequestId>` on success, `<ErrorResponse><Error>` on failure.

use bytes::Bytes;
use serde::Serialize;

use crate::s3::error::{Code, S3Error};
use crate::s3::response::{Response, ResponseBody};

/// Which query API a form is for: the SigV4 scope's service, or STS for unsigned forms
/// (only STS has actions that need no signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `iam`.
    Iam,
    /// `sts`.
    Sts,
}

impl Service {
    /// The service a request signed for `scope_service` (if signed) talks to.
    pub fn of(scope_service: Option<&str>) -> Result<Service, S3Error> {
        match scope_service {
            Some("iam") => Ok(Service::Iam),
            Some("sts") | None => Ok(Service::Sts),
            Some(other) => Err(Code::InvalidAction.with(format!(
                "a form POST is for the iam or sts service, not {other:?}"
            ))),
        }
    }

    /// The XML namespace of its documents.
    pub fn namespace(self) -> &'static str {
        match self {
            Service::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }
}

/// The success document of `action` with `result` as its `<ActionResult>` (none for
/// actions that return only metadata).
pub fn respond<T: Serialize>(
    service: Service,
    action: &str,
    request_id: &str,
    result: Option<&T>,
) -> Result<Response, S3Error> {
    let inner = match result {
        Some(result) => quick_xml::se::to_string_with_root(&format!("{action}Result"), result)
            .map_err(|e| Code::InternalError.with(format!("encoding {action}: {e}")))?,
        None => String::new(),
    };
    let body = format!(
        "<{action}Response xmlns=\"{ns}\">{inner}<ResponseMetadata><RequestId>{id}</RequestId></ResponseMetadata></{action}Response>",
        ns = service.namespace(),
        id = escape(request_id),
    );
    Ok(Response {
        status: 200,
        headers: vec![("content-type".into(), "text/xml".into())],
        body: ResponseBody::Full(Bytes::from(body)),
        ..Response::ok()
    })
}

/// The error document of the query APIs (`Type` is `Receiver` for strata's own faults).
pub fn error_document(e: &S3Error, service: Service, request_id: &str) -> Bytes {
    let kind = if e.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    Bytes::from(format!(
        "<ErrorResponse xmlns=\"{ns}\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{id}</RequestId></ErrorResponse>",
        ns = service.namespace(),
        code = e.code.as_str(),
        message = escape(&e.message),
        id = escape(request_id),
    ))
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}
