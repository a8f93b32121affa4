//! Answers of work that may run for minutes (a copy, a multipart completion to a remote
//! tier), as AWS gives them: when the work outlasts the keep-alive interval, `200 OK` and the head
//! known in advance go out, then a space every interval so that clients' read timeouts do
//! not fire, then the document: the result, or the S3 error that AWS embeds in a 200 (SDKs
//! look for it there and retry). The work runs on its own task: a client that goes away
//! does not cut a completion or a copy in half.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, StreamExt};
use tokio::task::{JoinError, JoinHandle};

use super::common::Ctx;
use crate::s3::error::{Code, S3Error};
use crate::s3::response::{LateOutcome, Response, ResponseBody};

/// The XML declaration, which must open the document: the whitespace comes after it.
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// The head an answer may go out with before its work ends, and what its error document
/// names.
#[derive(Clone)]
pub struct EarlyHead {
    /// Headers the answer will carry, known before the work ends. The late answer must
    /// carry the same values, or it is refused (`OperationAborted`): the client has them.
    pub headers: Vec<(String, String)>,
    /// The error document's `Resource`.
    pub resource: String,
    /// The error document's `RequestId`.
    pub request_id: String,
}

/// Work a handler hands to [`answer_slow_work`]: everything checked, only the long part left.
pub trait SlowWork: Send + 'static {
    /// Does it and answers.
    fn finish(self, ctx: &Ctx) -> impl Future<Output = Result<Response, S3Error>> + Send;
}

/// [`answer_in_time`] of `work`, on its own copy of the handlers' context, at the
/// configured interval (`--keep-alive-interval`).
pub async fn answer_slow_work<W: SlowWork>(
    ctx: &Ctx,
    head: EarlyHead,
    work: W,
) -> Result<Response, S3Error> {
    let ctx = ctx.clone();
    answer_in_time(ctx.keep_alive, head, async move { work.finish(&ctx).await }).await
}

/// Runs `work`; its answer as it is when it ends within `interval`, the early 200 otherwise.
pub async fn answer_in_time<F>(
    interval: Duration,
    head: EarlyHead,
    work: F,
) -> Result<Response, S3Error>
where
    F: Future<Output = Result<Response, S3Error>> + Send + 'static,
{
    let mut task = tokio::spawn(work);
    if let Ok(done) = tokio::time::timeout(interval, &mut task).await {
        return joined(done);
    }
    let late = LateOutcome::default();
    let mut resp = Response::ok().with("content-type", "application/xml");
    resp.headers.extend(head.headers.iter().cloned());
    let body = keep_alive(task, interval, head, late.clone());
    resp.body = ResponseBody::Chunked(body.boxed());
    resp.late = Some(late);
    Ok(resp)
}

fn joined(done: Result<Result<Response, S3Error>, JoinError>) -> Result<Response, S3Error> {
    done.map_err(|e| Code::InternalError.with(format!("the request's work failed: {e}")))?
}

/// The declaration, a space each `interval` while `task` runs, then its document.
fn keep_alive(
    task: JoinHandle<Result<Response, S3Error>>,
    interval: Duration,
    head: EarlyHead,
    late: LateOutcome,
) -> impl futures::Stream<Item = Result<Bytes, S3Error>> + Send + 'static {
    let opening = stream::once(async { Ok(Bytes::from_static(DECLARATION.as_bytes())) });
    let waiting = stream::unfold(Some((task, head, late)), move |state| async move {
        let (mut task, head, late) = state?;
        tokio::select! {
            done = &mut task => {
                let outcome = agreeing(joined(done), &head.headers);
                Some((Ok(document(outcome, &head, &late)), None))
            }
            _ = tokio::time::sleep(interval) => {
                Some((Ok(Bytes::from_static(b" ")), Some((task, head, late))))
            }
        }
    });
    opening.chain(waiting)
}

/// The outcome, unless it contradicts a header already sent.
fn agreeing(
    outcome: Result<Response, S3Error>,
    sent: &[(String, String)],
) -> Result<Response, S3Error> {
    let answer = outcome?;
    for (name, value) in sent {
        if answer.header(name) != Some(value.as_str()) {
            return Err(Code::OperationAborted.with(format!(
                "another request changed the outcome after this answer's head was sent \
                 ({name}); ask again"
            )));
        }
    }
    Ok(answer)
}

/// The document that ends the body, without its declaration (sent first); the outcome is
/// left for the observers.
fn document(outcome: Result<Response, S3Error>, head: &EarlyHead, late: &LateOutcome) -> Bytes {
    let (bytes, outcome) = match outcome {
        Ok(mut answer) => match std::mem::replace(&mut answer.body, ResponseBody::Empty) {
            ResponseBody::Full(bytes) => (bytes, Ok(answer)),
            _ => {
                let e = Code::InternalError.with("a late answer had no document");
                (e.to_document(&head.resource, &head.request_id), Err(e))
            }
        },
        Err(e) => (e.to_document(&head.resource, &head.request_id), Err(e)),
    };
    late.settle(outcome);
    match bytes.starts_with(DECLARATION.as_bytes()) {
        true => bytes.slice(DECLARATION.len()..),
        false => bytes,
    }
}

#[cfg(test)]
#[path = "slow_answer_tests.rs"]
mod tests;
