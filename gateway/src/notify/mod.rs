//! Bucket notifications: S3's Get/PutBucketNotificationConfiguration rules, matched against
//! every successful object operation, delivered as AWS's S3 event messages to targets the
//! server's config file declares (`[[notify.targets]]`), through the shared sink machinery.
//! See `docs/OBSERVABILITY.md`, "Bucket notifications".

mod document;
mod events;
mod message;
mod notifier;
mod registry;
mod rules;
mod target;
#[cfg(test)]
mod tests;

pub use document::NotificationConfiguration;
pub use events::{EventName, EventNameError, EventType};
pub use message::{encode_key, test_event, ObjectEvent, ObjectFacts};
pub use notifier::Notifier;
pub use registry::Registry;
pub use rules::{BucketRules, Rule, RuleError, RuleSpec};
pub use target::{target_arn, Message, Publish, Targets};
