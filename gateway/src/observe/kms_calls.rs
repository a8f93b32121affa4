//! How many calls to the KMS a request made (a data key made, opened or re-sealed; served
//! from a cache, none), for its audit event. The count lives in a task-local scope around
//! the request, so that the KMS layer records a call without a handle on the request;
//! outside a request (the re-seal walk, start-up) nothing is recorded.

use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    static KMS_CALLS: Cell<u32>;
}

/// Runs `request`; its output and the KMS calls made while it ran.
pub async fn counting<F: Future>(request: F) -> (F::Output, u32) {
    KMS_CALLS
        .scope(Cell::new(0), async {
            let output = request.await;
            (output, KMS_CALLS.with(Cell::get))
        })
        .await
}

/// Counts one KMS call of the request being served, if any.
pub fn record() {
    let _ = KMS_CALLS.try_with(|calls| calls.set(calls.get().saturating_add(1)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_count_inside_a_request_and_nowhere_else() {
        record();
        let ((), calls) = counting(async {
            record();
            tokio::task::yield_now().await;
            record();
        })
        .await;
        assert_eq!(calls, 2);
        let ((), none) = counting(async {}).await;
        assert_eq!(none, 0);
    }
}
