//! The notifier: an observer of requests that turns the successful object operations of
//! configured buckets into S3 event messages for their targets.
//!
//! On the request's task it only decides whether an event concerns a rule (a cached lookup)
//! and queues it; a task of its own hands the messages to the targets, in the order the
//! requests finished. Writes report the size and ETag of the version they made; for the other
//! events that carry them (tagging, ACLs, restores) that task looks them up in the store. The queue is
//! bounded: when it is full the request waits for room rather than an event being lost.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use strata_volume::Store;
use tokio::sync::mpsc;

use super::events::EventType;
use super::message::{next_sequencer, test_event, ObjectEvent, ObjectFacts};
use super::registry::Registry;
use super::rules::BucketRules;
use super::target::Message;
use crate::auth::Principal;
use crate::observe::{Backpressure, Observe, RequestEvent};
use crate::s3::Operation;

/// Events waiting for their object's facts and their targets.
const QUEUE_DEPTH: usize = 4096;

/// `userIdentity.principalId` of lifecycle events (AWS's).
const LIFECYCLE_PRINCIPAL: &str = "s3.amazonaws.com";

/// What the notifier's task works on.
enum Job {
    /// An object event and the rules of its bucket when it happened.
    Object(ObjectEvent, Arc<BucketRules>),
    /// The test event, to every target of a configuration just put.
    Test {
        bucket: String,
        arns: Vec<String>,
        time: SystemTime,
        request_id: String,
        host_id: String,
    },
}

/// The observer half; the task half runs until the last observer half is dropped.
pub struct Notifier {
    registry: Arc<Registry>,
    region: String,
    owner: String,
    queue: mpsc::Sender<Job>,
    /// Jobs queued or being worked on.
    pending: Arc<AtomicUsize>,
}

impl Notifier {
    /// Starts the notifier's task on `runtime`; `region` and `owner` go into every message.
    pub fn start(
        registry: Arc<Registry>,
        store: Store,
        region: String,
        owner: String,
        runtime: &tokio::runtime::Handle,
    ) -> Notifier {
        let (queue, jobs) = mpsc::channel(QUEUE_DEPTH);
        let pending = Arc::new(AtomicUsize::new(0));
        runtime.spawn(deliver(jobs, registry.clone(), store, pending.clone()));
        Notifier {
            registry,
            region,
            owner,
            queue,
            pending,
        }
    }

    /// Waits until every queued event has been handed to its targets, or `within` passed
    /// (at stop, before the targets' sinks flush).
    pub async fn settle(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.pending.load(Ordering::Acquire) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn enqueue(&self, job: Job) -> Backpressure {
        self.pending.fetch_add(1, Ordering::AcqRel);
        match self.queue.try_send(job) {
            Ok(()) => None,
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.pending.fetch_sub(1, Ordering::AcqRel);
                None
            }
            Err(mpsc::error::TrySendError::Full(job)) => {
                let (queue, pending) = (self.queue.clone(), self.pending.clone());
                Some(Box::pin(async move {
                    if queue.send(job).await.is_err() {
                        pending.fetch_sub(1, Ordering::AcqRel);
                    }
                }))
            }
        }
    }

    /// Queues the event of a lifecycle action on `bucket/key` (`version_id`: the version
    /// removed, created or moved; `None` on an unversioned bucket), if a rule wants it.
    pub async fn lifecycle(
        &self,
        event: EventType,
        bucket: &str,
        key: &str,
        version_id: Option<String>,
    ) {
        let Some(rules) = self.registry.rules(bucket) else {
            return;
        };
        if rules.matching(event, key).next().is_none() {
            return;
        }
        let time = SystemTime::now();
        let event = ObjectEvent {
            event,
            time,
            region: self.region.clone(),
            principal: LIFECYCLE_PRINCIPAL.to_string(),
            source_ip: "-".to_string(),
            request_id: hex::encode_upper(rand::random::<[u8; 8]>()),
            host_id: String::new(),
            bucket: bucket.to_string(),
            owner: self.owner.clone(),
            key: key.to_string(),
            version_id,
            facts: None,
            sequencer: next_sequencer(time),
        };
        if let Some(wait) = self.enqueue(Job::Object(event, rules)) {
            wait.await;
        }
    }

    /// The object events `e` caused, each with the type it is.
    fn object_events(&self, e: &RequestEvent, op: Operation) -> Vec<ObjectEvent> {
        let Some(bucket) = e.bucket.as_deref() else {
            return Vec::new();
        };
        let base = |event: EventType, key: &str, version_id: Option<String>| {
            let time = e.started + e.duration;
            ObjectEvent {
                event,
                time,
                region: self.region.clone(),
                principal: principal_id(e.principal.as_ref()),
                source_ip: e.peer.addr.map(|a| a.ip().to_string()).unwrap_or_default(),
                request_id: e.request_id.clone(),
                host_id: e.host_id.clone(),
                bucket: bucket.to_string(),
                owner: self.owner.clone(),
                key: key.to_string(),
                version_id,
                facts: None,
                sequencer: next_sequencer(time),
            }
        };
        if let Some(event) = EventType::of_operation(op) {
            return e
                .key
                .as_deref()
                .map(|key| ObjectEvent {
                    // A write reports the version it made: a lookup later could find a newer one.
                    facts: e.written.as_ref().map(|w| ObjectFacts {
                        size: w.size,
                        etag: w.etag.clone(),
                    }),
                    ..base(event, key, e.version_id.clone())
                })
                .into_iter()
                .collect();
        }
        e.removed
            .iter()
            .map(|r| {
                let event = if r.marker_created {
                    EventType::RemovedDeleteMarkerCreated
                } else {
                    EventType::RemovedDelete
                };
                base(event, &r.key, r.version_id.clone())
            })
            .collect()
    }
}

impl Observe for Notifier {
    fn observe(&self, e: &RequestEvent) -> Backpressure {
        let (Some(op), Some(bucket)) = (e.op, e.bucket.as_deref()) else {
            return None;
        };
        // The handler succeeded: its change happened even when the connection then failed
        // before the answer was complete (no status). A form upload's success may be the
        // redirect its form asked for.
        let succeeded =
            |s: u16| (200..300).contains(&s) || (op == Operation::PostObject && s == 303);
        if e.error.is_some() || e.status.is_some_and(|s| !succeeded(s)) {
            return None;
        }
        match op {
            Operation::PutBucketNotificationConfiguration => {
                let arns: BTreeSet<String> = self
                    .registry
                    .rules(bucket)
                    .iter()
                    .flat_map(|r| r.rules().iter().map(|rule| rule.arn.clone()))
                    .collect();
                if arns.is_empty() {
                    return None;
                }
                return self.enqueue(Job::Test {
                    bucket: bucket.to_string(),
                    arns: arns.into_iter().collect(),
                    time: e.started + e.duration,
                    request_id: e.request_id.clone(),
                    host_id: e.host_id.clone(),
                });
            }
            Operation::DeleteBucket => {
                self.registry.forget(bucket);
                return None;
            }
            _ => {}
        }
        if self.registry.is_empty() {
            return None;
        }
        let rules = self.registry.rules(bucket)?;
        let mut waits = Vec::new();
        for event in self.object_events(e, op) {
            if rules.matching(event.event, &event.key).next().is_some() {
                waits.extend(self.enqueue(Job::Object(event, rules.clone())));
            }
        }
        if waits.is_empty() {
            return None;
        }
        Some(Box::pin(async move {
            futures::future::join_all(waits).await;
        }))
    }
}

/// `userIdentity.principalId`: the access key that signed.
fn principal_id(p: Option<&Principal>) -> String {
    match p {
        Some(Principal::Key { access_key, .. }) => access_key.clone(),
        _ => "anonymous".to_string(),
    }
}

/// The notifier's task: facts from the store, then one message per matching rule.
async fn deliver(
    mut jobs: mpsc::Receiver<Job>,
    registry: Arc<Registry>,
    store: Store,
    pending: Arc<AtomicUsize>,
) {
    while let Some(job) = jobs.recv().await {
        work(job, &registry, &store).await;
        pending.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One job: facts from the store, then the messages to the targets.
async fn work(job: Job, registry: &Registry, store: &Store) {
    match job {
        Job::Object(mut event, rules) => {
            if event.event.has_object_facts() && event.facts.is_none() {
                event.facts = facts(store, &event).await;
            }
            for rule in rules.matching(event.event, &event.key) {
                let doc = event.to_message(&rule.id);
                publish(registry, &rule.arn, event.time, doc).await;
            }
        }
        Job::Test {
            bucket,
            arns,
            time,
            request_id,
            host_id,
        } => {
            let doc = test_event(&bucket, time, &request_id, &host_id);
            for arn in &arns {
                publish(registry, arn, time, doc.clone()).await;
            }
        }
    }
}

/// The object's size and ETag, from the version the request acted on (the latest when the
/// bucket is unversioned). `None` when it is already gone again.
async fn facts(store: &Store, e: &ObjectEvent) -> Option<ObjectFacts> {
    match store
        .open_object(&e.bucket, &e.key, e.version_id.as_deref())
        .await
    {
        Ok(object) => {
            let info = object.info();
            Some(ObjectFacts {
                size: info.size,
                etag: info.etag.clone(),
            })
        }
        Err(err) => {
            tracing::debug!(bucket = %e.bucket, key = %e.key, error = %err,
                "notification: the object is gone; its event has no size or ETag");
            None
        }
    }
}

async fn publish(registry: &Registry, arn: &str, time: SystemTime, doc: Vec<u8>) {
    let Some(target) = registry.targets().get(arn) else {
        // The registry refuses configurations naming unknown targets, and drops rules of
        // removed targets at start; this is only reachable by a bug.
        tracing::warn!(arn, "notification for an unknown target dropped");
        return;
    };
    let time_ns = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let message = Message {
        time_ns,
        doc: doc.into(),
    };
    if let Some(wait) = target.publish(message) {
        wait.await;
    }
}
