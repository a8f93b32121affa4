//! GetObject and HeadObject: conditions, ranges, parts, header overrides, checksum mode.
//! The version is opened and its preconditions decided before any shard is read.

use std::ops::Range;

use futures::StreamExt;
use strata_volume::{ByteRange, ObjectInfo, StoredObject};

use super::common::{object_headers, Ctx, Request};
use super::planned_read::read_planned;
use crate::s3::error::{Code, S3Error};
use crate::s3::http::{evaluate_conditions, http_date, parse_range, quote_etag, Precondition};
use crate::s3::query::param;
use crate::s3::response::{Response, ResponseBody};

/// `?response-*` parameters and the header each overrides.
const OVERRIDES: [(&str, &str); 6] = [
    (param::RESPONSE_CONTENT_TYPE, "content-type"),
    (param::RESPONSE_CONTENT_LANGUAGE, "content-language"),
    (param::RESPONSE_EXPIRES, "expires"),
    (param::RESPONSE_CACHE_CONTROL, "cache-control"),
    (param::RESPONSE_CONTENT_DISPOSITION, "content-disposition"),
    (param::RESPONSE_CONTENT_ENCODING, "content-encoding"),
];

/// The range or part a read asks for.
struct Selection {
    range: Option<ByteRange>,
    part_number: Option<u32>,
}

/// Range and part of a read.
fn selection(req: &Request<'_>) -> Result<Selection, S3Error> {
    let part_number = match req.query.get(param::PART_NUMBER) {
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
    Ok(Selection { range, part_number })
}

/// Opens the version, decides its preconditions, and resolves the client bytes asked for.
async fn open(
    ctx: &Ctx,
    req: &Request<'_>,
) -> Result<(StoredObject, Selection, Option<Range<u64>>), S3Error> {
    let sel = selection(req)?;
    let obj = ctx
        .store
        .open_object(req.bucket()?, req.key()?, req.version_id().as_deref())
        .await?;
    check_conditions(req, obj.info())?;
    let span = obj.select(sel.range.as_ref(), sel.part_number)?;
    Ok((obj, sel, span))
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
async fn headers_for(
    ctx: &Ctx,
    req: &Request<'_>,
    info: &ObjectInfo,
    part: Option<u32>,
) -> Result<Vec<(String, String)>, S3Error> {
    let checksum_mode = req
        .header("x-amz-checksum-mode")
        .is_some_and(|v| v.eq_ignore_ascii_case("ENABLED"));
    // Checksums describe the whole object; S3 omits them for a part or a range.
    let with_checksums = checksum_mode && part.is_none() && req.header("range").is_none();
    // Sealed checksums (an SSE-C object's) are opened with the request's key.
    let opened = match with_checksums {
        true => ctx.transform.opened_checksums(info, req.headers).await?,
        false => None,
    };
    let mut h = object_headers(ctx, opened.as_ref().unwrap_or(info), with_checksums);
    if part.is_some() && !info.parts.is_empty() {
        h.push(("x-amz-mp-parts-count".into(), info.parts.len().to_string()));
    }
    h.extend(ctx.expiration_header(info));
    h.extend(ctx.restore_header(info));
    for (param, name) in OVERRIDES {
        if let Some(v) = req.query.get(param) {
            h.retain(|(n, _)| n != name);
            h.push((name.to_string(), v.to_string()));
        }
    }
    Ok(h)
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
    let (obj, sel, span) = open(ctx, &req).await?;
    let info = obj.info();
    ctx.check_readable(info)?;
    let mut resp = Response {
        status: 200,
        headers: headers_for(ctx, &req, info, sel.part_number).await?,
        ..Response::ok()
    };
    if let Some(span) = &span {
        // A part read is a range of the whole object as far as HTTP is concerned.
        resp.status = 206;
        resp.headers
            .push(content_range(span.start, span.end - span.start, info.size));
    }
    let span = span.unwrap_or(0..info.size);
    let len = span.end - span.start;
    let plan = ctx.transform.reader(info, span, req.headers).await?;
    let tier = obj.reads_from_tier().map(str::to_string);
    let bytes = read_planned(obj, plan, len)
        .await
        .map_err(|e| e.at_tier(tier.as_deref()))?;
    resp.tier = tier;
    resp.body = ResponseBody::Stream {
        stream: bytes.map(|r| r.map_err(S3Error::from)).boxed(),
        len,
    };
    Ok(resp)
}

/// HeadObject: describes what the same GET would send, so a part or a range is a 206 with its
/// Content-Range and an unsatisfiable range a 416 (the same resolution as GET's).
pub async fn head_object(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let (obj, sel, span) = open(ctx, &req).await?;
    let info = obj.info();
    ctx.transform.admit(info, req.headers).await?;
    let mut headers = headers_for(ctx, &req, info, sel.part_number).await?;
    let len = match &span {
        Some(span) => {
            let len = span.end - span.start;
            headers.push(content_range(span.start, len, info.size));
            len
        }
        None => info.size,
    };
    headers.push(("content-length".into(), len.to_string()));
    Ok(Response {
        status: if span.is_some() { 206 } else { 200 },
        headers,
        ..Response::ok()
    })
}
