//! Notification targets: the ARN clients name them by, and the narrow trait through which
//! messages reach their delivery machinery.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;

use crate::audit::sink::{Record, SinkHandle};
use crate::observe::Backpressure;

/// The ARN of the target `name` on a server of `region`: `arn:strata:sqs:<region>::<name>`
/// (no account: a server has one). Clients write it as a `QueueArn` or a `TopicArn`.
pub fn target_arn(region: &str, name: &str) -> String {
    format!("arn:strata:sqs:{region}::{name}")
}

/// One message for a target: a compact JSON document and when its event happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Nanoseconds since the Unix epoch.
    pub time_ns: u64,
    /// The S3 event message (`{"Records":[...]}`) or the test event.
    pub doc: Bytes,
}

/// Where a target's messages go: its sink's buffer. Called on the notifier's own task.
pub trait Publish: Send + Sync {
    /// Queues `message`; a returned future is the sink asking the caller to wait for room
    /// (its `block` policy). A `drop` policy counts what it drops; nothing is lost silently.
    fn publish(&self, message: Message) -> Backpressure;
}

/// A target is a sink of the shared machinery (`kind = notify`).
impl Publish for SinkHandle {
    fn publish(&self, message: Message) -> Backpressure {
        self.push(Record::new(message.time_ns, message.doc))
    }
}

/// The configured targets, by ARN.
#[derive(Clone, Default)]
pub struct Targets {
    by_arn: BTreeMap<String, Arc<dyn Publish>>,
}

impl Targets {
    /// Adds a target under its ARN.
    pub fn insert(&mut self, arn: String, target: Arc<dyn Publish>) {
        self.by_arn.insert(arn, target);
    }

    /// Whether `arn` names a configured target.
    pub fn knows(&self, arn: &str) -> bool {
        self.by_arn.contains_key(arn)
    }

    /// The target named by `arn`.
    pub fn get(&self, arn: &str) -> Option<&Arc<dyn Publish>> {
        self.by_arn.get(arn)
    }

    /// The ARNs, sorted.
    pub fn arns(&self) -> impl Iterator<Item = &str> {
        self.by_arn.keys().map(String::as_str)
    }
}
