//! GetObject and HeadObject: conditions, ranges, parts, header overrides, checksum mode.

use futures::StreamExt;
use strata_volume::{GetOptions, ObjectInfo};

use super::common::{object_headers, Ctx, Request, Response};
use crate::s3::body::ResponseBody;
use crate::s3::error::{Code, S3Error};
use crate::s3::http::{evaluate_conditions, http_date, parse_range, quote_etag, Precondition};

/// `?response-*` parameters and the header each overrides.
const OVERRIDES: [(&str, &str); 6] = [
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

/// Version, range and part of a read.
fn read_options(req: &Request<'_>) -> Result<GetOptions, S3Error> {
    let part_number = match req.query.get("partNumber") {
        None => None,
        Some(v) => Some(
            v.parse::<u32>()
                .ok()
                .filter(|n| (1..=10_000).contains(n))
                .ok_or_else(|| {
                    Code::InvalidArgument.with("part number must be an integer between 1 and 10000")
                })?,
        ),
    };
    let range = req.header("range").and_then(parse_range);
    if range.is_some() && part_number.is_some() {
        return Err(Code::InvalidRequest
            .with("cannot specify both Range header and partNumber query parameter"));
    }
    Ok(GetOptions {
        version_id: req.version_id(),
        range,
        part_number,
    })
}

/// Applies If-* headers: 304 and 412 as S3 sends them.
fn check_conditions(req: &Request<'_>, info: &ObjectInfo) -> Result<(), S3Error> {
    match evaluate_conditions(req.headers, "if-", &info.etag, info.last_modified) {
        Precondition::Proceed => Ok(()),
        Precondition::Failed => Err(Code::PreconditionFailed
            .with("at least one of the pre-conditions you specified did not hold")),
        Precondition::NotModified => Err(Code::NotModified
            .with("not modified")
            .header("etag", quote_etag(&info.etag))
            .header("last-modified", http_date(info.last_modified))),
    }
}

/// Headers common to GET and HEAD, with `response-*` overrides applied.
fn headers_for(
    ctx: &Ctx,
    req: &Request<'_>,
    info: &ObjectInfo,
    part: Option<u32>,
) -> Vec<(String, String)> {
    let checksum_mode = req
        .header("x-amz-checksum-mode")
        .is_some_and(|v| v.eq_ignore_ascii_case("ENABLED"));
    // Checksums describe the whole object; S3 omits them for a part or a range.
    let whole = part.is_none() && req.header("range").is_none();
    let mut h = object_headers(ctx, info, checksum_mode && whole);
    if part.is_some() && !info.parts.is_empty() {
        h.push(("x-amz-mp-parts-count".into(), info.parts.len().to_string()));
    }
    for (param, name) in OVERRIDES {
        if let Some(v) = req.query.get(param) {
            h.retain(|(n, _)| n != name);
            h.push((name.to_string(), v.to_string()));
        }
    }
    h
}

/// `Content-Range` of `len` bytes from `start` of an object of `size` bytes.
fn content_range(start: u64, len: u64, size: u64) -> (String, String) {
    let end = (start + len).saturating_sub(1);
    (
        "content-range".into(),
        format!("bytes {start}-{end}/{size}"),
    )
}

/// GetObject.
pub async fn get_object(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let opts = read_options(&req)?;
    let part = opts.part_number;
    let read = ctx
        .store
        .get_object(req.bucket()?, req.key()?, opts)
        .await?;
    check_conditions(&req, &read.info)?;
    let info = &read.info;
    let mut resp = Response {
        status: 200,
        headers: headers_for(ctx, &req, info, part),
        body: ResponseBody::Empty,
    };
    let len = match read.range {
        Some((start, len)) => {
            // A part read is a range of the whole object as far as HTTP is concerned.
            resp.status = 206;
            resp.headers.push(content_range(start, len, info.size));
            len
        }
        None => info.size,
    };
    resp.body = ResponseBody::Stream {
        stream: read.body.map(|r| r.map_err(S3Error::from)).boxed(),
        len,
    };
    Ok(resp)
}

/// HeadObject: describes what the same GET would send, so a part or a range is a 206 with its
/// Content-Range and an unsatisfiable range a 416 (the store answers both alike).
pub async fn head_object(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let opts = read_options(&req)?;
    let part = opts.part_number;
    let head = ctx
        .store
        .head_object(req.bucket()?, req.key()?, opts)
        .await?;
    let info = &head.info;
    check_conditions(&req, info)?;
    let mut headers = headers_for(ctx, &req, info, part);
    let len = match head.range {
        Some((start, len)) => {
            headers.push(content_range(start, len, info.size));
            len
        }
        None => info.size,
    };
    headers.push(("content-length".into(), len.to_string()));
    Ok(Response {
        status: if head.range.is_some() { 206 } else { 200 },
        headers,
        body: ResponseBody::Empty,
    })
}
