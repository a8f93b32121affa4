//! The machinery's rules, with a scripted in-process service.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::registry::Registry;

use super::*;

/// A service that records every batch it is sent and answers from a script (then `All`);
/// while `stalled` it never answers.
#[derive(Default)]
struct Scripted {
    calls: Mutex<Vec<Vec<String>>>,
    script: Mutex<VecDeque<Result<Delivery, SendError>>>,
    stalled: std::sync::atomic::AtomicBool,
}

impl Scripted {
    fn with(script: Vec<Result<Delivery, SendError>>) -> Arc<Scripted> {
        let s = Scripted::default();
        *s.script.lock().unwrap() = script.into();
        Arc::new(s)
    }

    fn calls(&self) -> Vec<Vec<String>> {
        self.calls.lock().unwrap().clone()
    }

    fn stall(&self, on: bool) {
        self.stalled.store(on, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl SinkService for Scripted {
    async fn send(&self, batch: &[Record]) -> Result<Delivery, SendError> {
        if self.stalled.load(std::sync::atomic::Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        let docs = batch
            .iter()
            .map(|r| String::from_utf8(r.doc.to_vec()).unwrap())
            .collect();
        self.calls.lock().unwrap().push(docs);
        self.script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(Delivery::All))
    }
}

fn record(i: usize) -> Record {
    Record::new(i as u64, format!("{{\"n\":{i}}}"))
}

fn spec(batch_events: usize, buffer: BufferSettings, when_full: WhenFull) -> SinkSpec {
    SinkSpec {
        name: "test".into(),
        kind: SinkKind::Audit,
        batch: BatchSettings {
            max_events: batch_events,
            max_bytes: 1 << 20,
            max_age: Duration::from_millis(50),
        },
        buffer,
        retry: RetrySettings {
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            timeout: Duration::from_millis(200),
        },
        when_full,
    }
}

fn memory(max_events: usize) -> BufferSettings {
    BufferSettings::Memory {
        max_events,
        max_bytes: 1 << 20,
    }
}

fn start(spec: SinkSpec, service: Arc<Scripted>) -> SinkHandle {
    let mut registry = Registry::default();
    let metrics = SinkMetrics::register(&mut registry);
    spawn(spec, service, &metrics, &tokio::runtime::Handle::current()).unwrap()
}

async fn eventually(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..300 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("not {what} within 3 s");
}

fn flat(calls: &[Vec<String>]) -> Vec<String> {
    calls.iter().flatten().cloned().collect()
}

#[tokio::test]
async fn batches_split_at_max_events_and_a_partial_batch_goes_at_max_age() {
    let service = Scripted::with(vec![]);
    let sink = start(spec(3, memory(100), WhenFull::Drop), service.clone());
    for i in 0..7 {
        assert!(sink.push(record(i)).is_none());
    }
    eventually("all 7 delivered", || sink.health().delivered.get() == 7).await;
    let calls = service.calls();
    assert!(calls.iter().all(|c| c.len() <= 3), "{calls:?}");
    assert_eq!(
        flat(&calls),
        (0..7).map(|i| format!("{{\"n\":{i}}}")).collect::<Vec<_>>()
    );
    assert_eq!(sink.health().buffer_events.get(), 0);
}

#[tokio::test]
async fn a_full_memory_buffer_drops_and_counts_under_policy_drop() {
    let service = Scripted::with(vec![]);
    service.stall(true);
    let sink = start(spec(10, memory(5), WhenFull::Drop), service.clone());
    for i in 0..8 {
        assert!(
            sink.push(record(i)).is_none(),
            "policy drop never makes a request wait"
        );
    }
    assert_eq!(sink.health().dropped.get(), 3);
    assert_eq!(sink.health().buffer_events.get(), 5);
    assert_eq!(sink.health().buffer_limit_events.get(), 5);
    service.stall(false);
    eventually("the 5 kept delivered", || {
        sink.health().delivered.get() == 5
    })
    .await;
}

#[tokio::test]
async fn policy_block_makes_the_pusher_wait_until_there_is_room_and_loses_nothing() {
    let service = Scripted::with(vec![]);
    service.stall(true);
    let sink = start(spec(2, memory(2), WhenFull::Block), service.clone());
    assert!(sink.push(record(0)).is_none());
    assert!(sink.push(record(1)).is_none());
    let wait = sink
        .push(record(2))
        .expect("a full buffer under block returns a wait");
    let waiting = tokio::spawn(wait);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !waiting.is_finished(),
        "room appeared while the receiver stalls"
    );
    service.stall(false);
    tokio::time::timeout(Duration::from_secs(3), waiting)
        .await
        .expect("the wait ends once the stalled batch is delivered")
        .unwrap();
    eventually("all 3 delivered", || sink.health().delivered.get() == 3).await;
    assert_eq!(sink.health().dropped.get(), 0);
    assert!(sink.health().blocked_seconds.get() > 0.05);
}

#[tokio::test]
async fn retryable_failures_and_timeouts_are_retried_until_delivered() {
    let service = Scripted::with(vec![
        Err(SendError::Retryable("500".into())),
        Err(SendError::Retryable("refused".into())),
    ]);
    let sink = start(spec(10, memory(100), WhenFull::Drop), service.clone());
    for i in 0..3 {
        sink.push(record(i));
    }
    eventually("3 delivered", || sink.health().delivered.get() == 3).await;
    assert_eq!(service.calls().len(), 3, "two failures, then the success");
    assert_eq!(sink.health().attempts_error.get(), 2);
    assert_eq!(sink.health().attempts_ok.get(), 1);
    assert_eq!(sink.health().up.get(), 1);

    service.stall(true);
    sink.push(record(3));
    eventually("a timed-out attempt", || {
        sink.health().attempts_error.get() >= 3
    })
    .await;
    assert_eq!(sink.health().up.get(), 0);
    service.stall(false);
    eventually("4 delivered", || sink.health().delivered.get() == 4).await;
}

#[tokio::test]
async fn only_the_failed_items_of_a_partial_reply_are_sent_again() {
    use ItemResult::*;
    let service = Scripted::with(vec![Ok(Delivery::Items(vec![
        Delivered, Retry, Rejected, Retry,
    ]))]);
    let sink = start(spec(4, memory(100), WhenFull::Drop), service.clone());
    for i in 0..4 {
        sink.push(record(i));
    }
    eventually("2 retried items delivered", || {
        sink.health().delivered.get() == 3
    })
    .await;
    let calls = service.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[1], vec!["{\"n\":1}", "{\"n\":3}"]);
    assert_eq!(sink.health().rejected.get(), 1);
}

#[tokio::test]
async fn a_batch_refused_for_good_is_counted_rejected_and_not_retried() {
    let service = Scripted::with(vec![Err(SendError::Rejected("400".into()))]);
    let sink = start(spec(10, memory(100), WhenFull::Drop), service.clone());
    sink.push(record(0));
    sink.push(record(1));
    eventually("2 rejected", || sink.health().rejected.get() == 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(service.calls().len(), 1);
    assert_eq!(sink.health().buffer_events.get(), 0);
}

#[tokio::test]
async fn shutdown_sends_what_is_buffered_without_waiting_for_max_age() {
    let service = Scripted::with(vec![]);
    let mut s = spec(100, memory(100), WhenFull::Drop);
    s.batch.max_age = Duration::from_secs(3600);
    let sink = start(s, service.clone());
    for i in 0..5 {
        sink.push(record(i));
    }
    tokio::time::timeout(
        Duration::from_secs(2),
        sink.shutdown(Duration::from_secs(1)),
    )
    .await
    .expect("shutdown is bounded");
    assert_eq!(flat(&service.calls()).len(), 5);
}

#[tokio::test]
async fn shutdown_gives_up_on_a_dead_receiver_within_its_bound() {
    let service = Scripted::with(vec![]);
    service.stall(true);
    let sink = start(spec(10, memory(100), WhenFull::Drop), service.clone());
    sink.push(record(0));
    let started = std::time::Instant::now();
    sink.shutdown(Duration::from_millis(300)).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sink.health().delivered.get(), 0);
}

#[tokio::test]
async fn the_sink_families_are_registered_once_with_sink_and_kind_labels() {
    let mut registry = Registry::default();
    let metrics = SinkMetrics::register(&mut registry);
    let a = metrics.for_sink("a", SinkKind::Audit);
    let _b = metrics.for_sink("b", SinkKind::Notify);
    a.dropped.inc();
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    for family in [
        "strata_sink_events_total",
        "strata_sink_buffer_events",
        "strata_sink_buffer_limit_events",
        "strata_sink_buffer_bytes",
        "strata_sink_buffer_limit_bytes",
        "strata_sink_send_attempts_total",
        "strata_sink_up",
        "strata_sink_blocked_seconds_total",
    ] {
        assert!(
            text.contains(&format!("# TYPE {}", family.trim_end_matches("_total"))),
            "{family}:\n{text}"
        );
    }
    assert!(
        text.contains(r#"strata_sink_events_total{sink="a",kind="audit",outcome="dropped"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"strata_sink_up{sink="b",kind="notify"} 0"#),
        "{text}"
    );
    assert_eq!(text.matches("# TYPE strata_sink_up ").count(), 1);
}

#[test]
fn backoff_doubles_up_to_its_ceiling_with_jitter_in_the_upper_half() {
    let mut b = Backoff::new(RetrySettings {
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(800),
        timeout: Duration::from_secs(1),
    });
    let ceilings = [100, 200, 400, 800, 800, 800];
    for ceiling in ceilings {
        let w = b.next_wait();
        let ceiling = Duration::from_millis(ceiling);
        assert!(w >= ceiling / 2 && w <= ceiling, "{w:?} vs {ceiling:?}");
    }
    b.reset();
    assert!(b.next_wait() <= Duration::from_millis(100));
}

#[test]
fn http_retry_logic_retries_408_429_and_5xx_and_refuses_other_4xx() {
    let l = HttpRetryLogic;
    assert_eq!(l.status(200), ItemResult::Delivered);
    assert_eq!(l.status(204), ItemResult::Delivered);
    for s in [408, 429, 500, 502, 503] {
        assert_eq!(l.status(s), ItemResult::Retry, "{s}");
    }
    for s in [400, 401, 403, 404, 413] {
        assert_eq!(l.status(s), ItemResult::Rejected, "{s}");
    }
}

#[tokio::test]
async fn a_disk_buffer_delivers_after_restart_what_a_dead_receiver_never_took() {
    let dir = tempfile::tempdir().unwrap();
    let disk = BufferSettings::Disk {
        path: dir.path().join("buf"),
        max_bytes: 1 << 20,
    };
    let dead = Scripted::with(vec![]);
    dead.stall(true);
    let sink = start(spec(10, disk.clone(), WhenFull::Drop), dead);
    for i in 0..4 {
        sink.push(record(i));
    }
    sink.shutdown(Duration::from_millis(200)).await;

    let alive = Scripted::with(vec![]);
    let sink = start(spec(10, disk, WhenFull::Drop), alive.clone());
    eventually("4 delivered after restart", || {
        sink.health().delivered.get() == 4
    })
    .await;
    assert_eq!(
        flat(&alive.calls()),
        (0..4).map(|i| format!("{{\"n\":{i}}}")).collect::<Vec<_>>()
    );
}
