//! ListBuckets: the caller's account's buckets, as on AWS, in name order, with AWS's
//! `prefix`, `bucket-region`, and pages of `max-buckets` (1 to 10,000) that resume from an
//! opaque `continuation-token` (the last name of the page before, so buckets made or
//! deleted between pages neither repeat nor hide others).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::bucket::caller_account;
use super::common::{owner_xml, Ctx, Request};
use crate::s3::error::{Code, S3Error};
use crate::s3::http::iso8601;
use crate::s3::query::param;
use crate::s3::response::Response;
use crate::s3::xml::{BucketEntry, Buckets, ListAllMyBucketsResult, S3_NS};

/// Most buckets on one page.
const MAX_BUCKETS: usize = 10_000;

/// ListBuckets.
pub async fn list_buckets(ctx: &Ctx, req: Request<'_>) -> Result<Response, S3Error> {
    let account = caller_account(req.caller)?;
    let max = match req.query.get(param::MAX_BUCKETS) {
        None => None,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_BUCKETS).contains(&n) => Some(n),
            _ => {
                return Err(Code::InvalidArgument.with(format!(
                    "max-buckets must be an integer from 1 to {MAX_BUCKETS}, not {v:?}"
                )))
            }
        },
    };
    let after = req
        .query
        .get(param::CONTINUATION_TOKEN)
        .map(decode_token)
        .transpose()?;
    let prefix = req.query.get(param::PREFIX);
    let region = req.query.get(param::BUCKET_REGION);
    let mut buckets: Vec<_> = ctx
        .store
        .list_buckets()
        .await?
        .into_iter()
        .filter(|b| ctx.owners.owner_id(b.owner.as_deref()) == account.id)
        .filter(|b| prefix.is_none_or(|p| b.name.starts_with(p)))
        .filter(|b| after.as_ref().is_none_or(|a| b.name > *a))
        .filter(|b| region.is_none_or(|r| b.location.as_deref().unwrap_or(&ctx.region) == r))
        .collect();
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    let truncated = max.is_some_and(|m| buckets.len() > m);
    if let Some(m) = max {
        buckets.truncate(m);
    }
    let token = match buckets.last() {
        Some(last) if truncated => Some(URL_SAFE_NO_PAD.encode(&last.name)),
        _ => None,
    };
    Response::xml(&ListAllMyBucketsResult {
        xmlns: S3_NS,
        Owner: owner_xml(account),
        Buckets: Buckets {
            Bucket: buckets
                .into_iter()
                .map(|b| BucketEntry {
                    BucketRegion: b.location.unwrap_or_else(|| ctx.region.clone()),
                    Name: b.name,
                    CreationDate: iso8601(b.created),
                })
                .collect(),
        },
        ContinuationToken: token,
        Prefix: prefix.map(str::to_string),
    })
}

/// The bucket name a continuation token this module made names.
fn decode_token(token: &str) -> Result<String, S3Error> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Code::InvalidArgument.with("The continuation token provided is incorrect"))
}
