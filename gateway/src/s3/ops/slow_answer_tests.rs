use std::time::Duration;

use futures::StreamExt;

use super::*;

const INTERVAL: Duration = Duration::from_secs(1);

fn head(headers: &[(&str, &str)]) -> EarlyHead {
    EarlyHead {
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        resource: "/bkt/key".into(),
        request_id: "REQ".into(),
    }
}

fn answer(version: &str) -> Result<Response, S3Error> {
    Ok(Response::bytes(
        "application/xml",
        Bytes::from(format!("{DECLARATION}<Done/>")),
    )
    .with("x-amz-version-id", version))
}

/// The body as text, and the outcome left for the observers.
async fn drain(resp: Response) -> (String, Option<Result<Response, S3Error>>) {
    let ResponseBody::Chunked(mut body) = resp.body else {
        panic!("not a chunked body");
    };
    let mut text = String::new();
    while let Some(chunk) = body.next().await {
        text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
    }
    (text, resp.late.unwrap().take())
}

#[tokio::test(start_paused = true)]
async fn work_that_ends_in_time_is_answered_as_it_is() {
    let resp = answer_in_time(INTERVAL, head(&[]), async { answer("v1") })
        .await
        .unwrap();
    assert!(matches!(resp.body, ResponseBody::Full(_)));
    assert!(resp.late.is_none());
    assert_eq!(resp.header("x-amz-version-id"), Some("v1"));
}

#[tokio::test(start_paused = true)]
async fn late_work_sends_the_head_then_a_space_a_second_then_its_document() {
    let work = async {
        tokio::time::sleep(Duration::from_millis(3500)).await;
        answer("v1")
    };
    let resp = answer_in_time(INTERVAL, head(&[("x-amz-version-id", "v1")]), work)
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("x-amz-version-id"), Some("v1"));
    assert_eq!(resp.header("content-type"), Some("application/xml"));
    let (text, outcome) = drain(resp).await;
    // The head at 1 s, a space at 2 s and at 3 s, the document at 3.5 s.
    assert_eq!(text, format!("{DECLARATION}  <Done/>"));
    let late = outcome.unwrap().unwrap();
    assert!(matches!(late.body, ResponseBody::Empty));
    assert_eq!(late.header("x-amz-version-id"), Some("v1"));
}

#[tokio::test(start_paused = true)]
async fn a_late_error_is_a_document_in_the_body_and_reaches_the_observers() {
    let work = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        Err(Code::ServiceUnavailable.with("the tier is down"))
    };
    let resp = answer_in_time(INTERVAL, head(&[]), work).await.unwrap();
    assert_eq!(resp.status, 200);
    let (text, outcome) = drain(resp).await;
    assert!(text.starts_with(&format!(
        "{DECLARATION}<Error><Code>ServiceUnavailable</Code>"
    )));
    assert!(text.contains("<RequestId>REQ</RequestId>"), "{text}");
    assert_eq!(
        outcome.unwrap().err().unwrap().code,
        Code::ServiceUnavailable
    );
}

#[tokio::test(start_paused = true)]
async fn a_late_answer_that_contradicts_the_head_sent_is_refused() {
    let work = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        answer("v2")
    };
    let resp = answer_in_time(INTERVAL, head(&[("x-amz-version-id", "v1")]), work)
        .await
        .unwrap();
    let (text, outcome) = drain(resp).await;
    assert!(text.contains("<Code>OperationAborted</Code>"), "{text}");
    assert_eq!(outcome.unwrap().err().unwrap().code, Code::OperationAborted);
}
