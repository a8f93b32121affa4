//! The event types of S3 notifications: the names clients subscribe to, which of them strata
//! emits, and which operation emits which.

use crate::s3::Operation;

/// An event type strata emits (never a wildcard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// PutObject.
    CreatedPut,
    /// PostObject (a browser form upload).
    CreatedPost,
    /// CopyObject.
    CreatedCopy,
    /// CompleteMultipartUpload.
    CreatedCompleteMultipartUpload,
    /// A version or an unversioned object deleted.
    RemovedDelete,
    /// A delete marker created by a delete without a version id on a versioned bucket.
    RemovedDeleteMarkerCreated,
    /// PutObjectTagging.
    TaggingPut,
    /// DeleteObjectTagging.
    TaggingDelete,
    /// A lifecycle rule removed a version, an unversioned object or a delete marker.
    LifecycleExpirationDelete,
    /// A lifecycle rule expired the current version of a versioned object (a delete marker).
    LifecycleExpirationDeleteMarkerCreated,
    /// A lifecycle rule moved a version to another storage class.
    LifecycleTransition,
}

impl EventType {
    /// The name in an event message's `eventName` (AWS writes it without the `s3:` prefix).
    pub fn message_name(self) -> &'static str {
        match self {
            EventType::CreatedPut => "ObjectCreated:Put",
            EventType::CreatedPost => "ObjectCreated:Post",
            EventType::CreatedCopy => "ObjectCreated:Copy",
            EventType::CreatedCompleteMultipartUpload => "ObjectCreated:CompleteMultipartUpload",
            EventType::RemovedDelete => "ObjectRemoved:Delete",
            EventType::RemovedDeleteMarkerCreated => "ObjectRemoved:DeleteMarkerCreated",
            EventType::TaggingPut => "ObjectTagging:Put",
            EventType::TaggingDelete => "ObjectTagging:Delete",
            EventType::LifecycleExpirationDelete => "LifecycleExpiration:Delete",
            EventType::LifecycleExpirationDeleteMarkerCreated => {
                "LifecycleExpiration:DeleteMarkerCreated"
            }
            EventType::LifecycleTransition => "LifecycleTransition",
        }
    }

    /// The message's `eventVersion`: AWS writes 2.3 for tagging and lifecycle events and 2.1
    /// for the others (2.3 only adds fields to 2.1).
    pub fn message_version(self) -> &'static str {
        match self {
            EventType::TaggingPut
            | EventType::TaggingDelete
            | EventType::LifecycleExpirationDelete
            | EventType::LifecycleExpirationDeleteMarkerCreated
            | EventType::LifecycleTransition => "2.3",
            _ => "2.1",
        }
    }

    /// Whether the event reports an object that exists afterwards (its size and ETag are
    /// part of the message).
    pub fn has_object_facts(self) -> bool {
        !matches!(
            self,
            EventType::RemovedDelete
                | EventType::RemovedDeleteMarkerCreated
                | EventType::LifecycleExpirationDelete
                | EventType::LifecycleExpirationDeleteMarkerCreated
        )
    }

    /// The event a successful operation emits for its object; deletes are decided by their
    /// outcome (`RemovedDelete` or `RemovedDeleteMarkerCreated`), so they are `None` here.
    pub fn of_operation(op: Operation) -> Option<EventType> {
        match op {
            Operation::PutObject => Some(EventType::CreatedPut),
            Operation::PostObject => Some(EventType::CreatedPost),
            Operation::CopyObject => Some(EventType::CreatedCopy),
            Operation::CompleteMultipartUpload => Some(EventType::CreatedCompleteMultipartUpload),
            Operation::PutObjectTagging => Some(EventType::TaggingPut),
            Operation::DeleteObjectTagging => Some(EventType::TaggingDelete),
            _ => None,
        }
    }
}

/// An event name a configuration subscribes to: one type, or a family's wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventName {
    /// `s3:ObjectCreated:*`.
    CreatedAny,
    /// `s3:ObjectRemoved:*`.
    RemovedAny,
    /// `s3:ObjectTagging:*`.
    TaggingAny,
    /// `s3:LifecycleExpiration:*`.
    LifecycleExpirationAny,
    /// One type.
    Exactly(EventType),
}

/// Why an event name is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventNameError {
    /// Not an S3 event name at all (AWS: InvalidArgument).
    Unknown,
    /// An event AWS defines that only processes strata does not run can emit (restore,
    /// replication, Intelligent-Tiering, ACLs, lost RRS objects).
    NeverEmitted,
}

/// Event names AWS defines that strata refuses: nothing in strata can cause them, and a
/// subscription accepted for them would wait for ever.
const NEVER_EMITTED: &[&str] = &[
    "s3:ReducedRedundancyLostObject",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:IntelligentTiering",
    "s3:ObjectAcl:Put",
];

impl EventName {
    /// Parses a configuration's `<Event>` (case-sensitive, as AWS).
    pub fn parse(name: &str) -> Result<EventName, EventNameError> {
        let parsed = match name {
            "s3:ObjectCreated:*" => EventName::CreatedAny,
            "s3:ObjectCreated:Post" => EventName::Exactly(EventType::CreatedPost),
            "s3:ObjectRemoved:*" => EventName::RemovedAny,
            "s3:ObjectTagging:*" => EventName::TaggingAny,
            "s3:ObjectCreated:Put" => EventName::Exactly(EventType::CreatedPut),
            "s3:ObjectCreated:Copy" => EventName::Exactly(EventType::CreatedCopy),
            "s3:ObjectCreated:CompleteMultipartUpload" => {
                EventName::Exactly(EventType::CreatedCompleteMultipartUpload)
            }
            "s3:ObjectRemoved:Delete" => EventName::Exactly(EventType::RemovedDelete),
            "s3:ObjectRemoved:DeleteMarkerCreated" => {
                EventName::Exactly(EventType::RemovedDeleteMarkerCreated)
            }
            "s3:ObjectTagging:Put" => EventName::Exactly(EventType::TaggingPut),
            "s3:ObjectTagging:Delete" => EventName::Exactly(EventType::TaggingDelete),
            "s3:LifecycleExpiration:*" => EventName::LifecycleExpirationAny,
            "s3:LifecycleExpiration:Delete" => {
                EventName::Exactly(EventType::LifecycleExpirationDelete)
            }
            "s3:LifecycleExpiration:DeleteMarkerCreated" => {
                EventName::Exactly(EventType::LifecycleExpirationDeleteMarkerCreated)
            }
            "s3:LifecycleTransition" => EventName::Exactly(EventType::LifecycleTransition),
            other if NEVER_EMITTED.contains(&other) => return Err(EventNameError::NeverEmitted),
            _ => return Err(EventNameError::Unknown),
        };
        Ok(parsed)
    }

    /// Whether a subscription to this name receives `event`.
    pub fn matches(self, event: EventType) -> bool {
        use EventType as T;
        match self {
            EventName::CreatedAny => matches!(
                event,
                T::CreatedPut | T::CreatedPost | T::CreatedCopy | T::CreatedCompleteMultipartUpload
            ),
            EventName::RemovedAny => {
                matches!(event, T::RemovedDelete | T::RemovedDeleteMarkerCreated)
            }
            EventName::TaggingAny => matches!(event, T::TaggingPut | T::TaggingDelete),
            EventName::LifecycleExpirationAny => matches!(
                event,
                T::LifecycleExpirationDelete | T::LifecycleExpirationDeleteMarkerCreated
            ),
            EventName::Exactly(t) => t == event,
        }
    }

    /// Whether two subscriptions share an event type (AWS's overlap rule compares filters
    /// only between configurations whose events overlap).
    pub fn overlaps(self, other: EventName) -> bool {
        use EventName as N;
        match (self, other) {
            (a, b) if a == b => true,
            (N::Exactly(t), n) | (n, N::Exactly(t)) => n.matches(t),
            _ => false,
        }
    }
}
