//! The audit event of docs/OBSERVABILITY.md ("Audit events") and its JSON document. Its JSON
//! field names are a contract: fields are only ever added, as optional members, and nothing
//! secret (keys, signatures, tokens) is ever one.

use std::net::SocketAddr;
use std::time::SystemTime;

use bytes::BufMut;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::json::Object;
use super::text::{self, TextBuf};
use crate::auth::Principal;
use crate::observe::{RequestEvent, Stage};

/// One request, as the audit trail records it. Borrows from the request's event and
/// allocates nothing of its own: it is encoded once per request and dropped.
#[derive(Debug, PartialEq)]
pub struct AuditEvent<'a> {
    /// The head's arrival, RFC 3339 in UTC.
    pub time: SystemTime,
    /// The response's `x-amz-request-id`.
    pub request_id: &'a str,
    /// Who: the key's owner, `anonymous`, or null before authentication.
    pub principal: Option<&'a str>,
    /// The access key that signed, if one did.
    pub access_key: Option<&'a str>,
    /// The principal's ARN (account root, IAM user or role session); null when anonymous.
    pub principal_arn: Option<&'a str>,
    /// The principal's 12-digit account id; null when anonymous.
    pub account_id: Option<&'a str>,
    /// The client's address (`ip:port`); null on a Unix socket.
    pub source: Option<SocketAddr>,
    /// `User-Agent`.
    pub user_agent: Option<&'a str>,
    /// The S3 operation, once routed.
    pub operation: Option<&'static str>,
    /// Bucket addressed.
    pub bucket: Option<&'a str>,
    /// Key addressed.
    pub key: Option<&'a str>,
    /// Object version asked for or answered.
    pub version_id: Option<&'a str>,
    /// HTTP status; null when the connection failed before the answer was complete.
    pub status: Option<u16>,
    /// The S3 error code answered, if any.
    pub error_code: Option<&'static str>,
    /// Why access was refused (`explicit_deny`, `no_allow`, ..., or an LDAP sign-in's
    /// outcome); absent otherwise.
    pub denial_reason: Option<&'static str>,
    /// Request body bytes read.
    pub bytes_in: u64,
    /// Response body bytes written.
    pub bytes_out: u64,
    /// Head read to answer written, in milliseconds.
    pub duration_ms: f64,
    /// Whether the request came over TLS.
    pub tls: bool,
    /// The stack stage that refused the request; only on errors.
    pub stage: Option<&'static str>,
    /// The encryption of the object written or read (`AES256`, `aws:kms`, `SSE-C`); null
    /// for plaintext and for requests without an object.
    pub sse: Option<&'static str>,
    /// The KMS key of an SSE-KMS object; null otherwise.
    pub kms_key_id: Option<&'a str>,
    /// The remote tier the object's bytes were read from (a read-through) or written to;
    /// null otherwise.
    pub tier: Option<&'a str>,
    /// A lifecycle transition's target storage class (its S3 name); null otherwise.
    pub storage_class: Option<&'a str>,
    /// What a bucket's lifecycle rules did (`expire_current`, `remove_delete_marker`,
    /// `expire_noncurrent`, `transition`, `transition_noncurrent`); null for requests.
    pub lifecycle_action: Option<&'static str>,
    /// How it went: `done`, `changed`, `locked` or `failed`; null for requests.
    pub lifecycle_outcome: Option<&'static str>,
    /// The `SourceIdentity` of the role session that signed; null otherwise.
    pub source_identity: Option<&'a str>,
}

/// One action of a bucket's lifecycle rules in a scanner pass, for the audit trail.
#[derive(Debug)]
pub struct LifecycleRecord<'a> {
    /// When the action started.
    pub time: SystemTime,
    /// How long it took.
    pub duration: std::time::Duration,
    /// The action (as `strata_lifecycle_actions_total` names it).
    pub action: &'static str,
    /// Its outcome.
    pub outcome: &'static str,
    /// The version acted on.
    pub bucket: &'a str,
    /// Its key.
    pub key: &'a str,
    /// Its version id.
    pub version_id: &'a str,
    /// A transition's target storage class (S3 name).
    pub storage_class: Option<&'a str>,
    /// A transition's target remote tier.
    pub tier: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    /// The audit view of a request.
    pub fn from_request(e: &'a RequestEvent) -> AuditEvent<'a> {
        let (principal, access_key, identity) = match &e.principal {
            None => (None, None, None),
            Some(Principal::Anonymous) => (Some("anonymous"), None, None),
            Some(Principal::Key {
                access_key,
                identity,
            }) => (
                Some(identity.name.as_str()),
                Some(access_key.as_str()),
                Some(identity),
            ),
        };
        let failed = e.error.is_some() || e.status.is_none_or(|s| s >= 400);
        AuditEvent {
            time: e.started,
            request_id: &e.request_id,
            principal,
            access_key,
            principal_arn: identity.map(|i| i.arn.as_str()),
            account_id: identity.map(|i| i.account.id.as_str()),
            source: e.peer.addr,
            user_agent: e.user_agent.as_deref(),
            operation: e.op.map(|op| op.name()),
            bucket: e.bucket.as_deref(),
            key: e.key.as_deref(),
            version_id: e.version_id.as_deref(),
            status: e.status,
            error_code: e.error.map(|c| c.as_str()),
            denial_reason: e.denial,
            bytes_in: e.bytes_in,
            bytes_out: e.bytes_out,
            duration_ms: (e.duration.as_micros() as f64) / 1000.0,
            tls: e.peer.tls.is_some(),
            stage: failed.then(|| e.stage.as_str()),
            sse: e.sse,
            kms_key_id: e.kms_key_id.as_deref(),
            tier: e.tier.as_deref(),
            storage_class: None,
            lifecycle_action: None,
            lifecycle_outcome: None,
            source_identity: identity.and_then(|i| i.source_identity.as_deref()),
        }
    }

    /// The audit view of a lifecycle action: no principal, no client, operation
    /// `LifecycleTransition` or `LifecycleExpiration`, its own request id.
    pub fn from_lifecycle(r: &LifecycleRecord<'a>, request_id: &'a str) -> AuditEvent<'a> {
        let operation = if r.action.starts_with("transition") {
            "LifecycleTransition"
        } else {
            "LifecycleExpiration"
        };
        AuditEvent {
            time: r.time,
            request_id,
            principal: None,
            access_key: None,
            principal_arn: None,
            account_id: None,
            source: None,
            user_agent: None,
            operation: Some(operation),
            bucket: Some(r.bucket),
            key: Some(r.key),
            version_id: Some(r.version_id),
            status: None,
            error_code: None,
            denial_reason: None,
            bytes_in: 0,
            bytes_out: 0,
            duration_ms: (r.duration.as_micros() as f64) / 1000.0,
            tls: false,
            stage: None,
            sse: None,
            kms_key_id: None,
            tier: r.tier,
            storage_class: r.storage_class,
            lifecycle_action: Some(r.action),
            lifecycle_outcome: Some(r.outcome),
            source_identity: None,
        }
    }

    /// Whether a request is audited: S3 requests are; strata's own endpoints (health
    /// probes, metrics scrapes) are not, or probes would flood the trail.
    pub fn audited(e: &RequestEvent) -> bool {
        e.stage != Stage::Internal
    }
}

impl AuditEvent<'_> {
    /// The event as one compact JSON document (no trailing newline), fields in the order
    /// above.
    pub fn write_json(&self, out: &mut impl BufMut) {
        let (mut time_buf, mut addr_buf) = (TextBuf::default(), TextBuf::default());
        // Only the rare values the fast paths leave out allocate.
        let (slow_time, slow_addr): (String, String);
        let time = match text::rfc3339_utc(self.time, &mut time_buf) {
            Some(time) => time,
            None => {
                slow_time = rfc3339_slow(self.time);
                &slow_time
            }
        };
        let source = match &self.source {
            None => None,
            Some(addr) => match text::socket_addr_v4(addr, &mut addr_buf) {
                Some(v4) => Some(v4),
                None => {
                    slow_addr = addr.to_string();
                    Some(slow_addr.as_str())
                }
            },
        };
        let mut o = Object::start(out);
        o.str("time", Some(time));
        o.str("request_id", Some(self.request_id));
        o.str("principal", self.principal);
        o.str("access_key", self.access_key);
        o.str("principal_arn", self.principal_arn);
        o.str("account_id", self.account_id);
        o.str("source", source);
        o.str("user_agent", self.user_agent);
        o.str("operation", self.operation);
        o.str("bucket", self.bucket);
        o.str("key", self.key);
        o.str("version_id", self.version_id);
        o.uint("status", self.status.map(u64::from));
        o.str("error_code", self.error_code);
        o.str("denial_reason", self.denial_reason);
        o.uint("bytes_in", Some(self.bytes_in));
        o.uint("bytes_out", Some(self.bytes_out));
        o.float("duration_ms", self.duration_ms);
        o.bool("tls", self.tls);
        o.str("stage", self.stage);
        o.str("sse", self.sse);
        o.str("kms_key_id", self.kms_key_id);
        o.str("tier", self.tier);
        o.str("storage_class", self.storage_class);
        o.str("lifecycle_action", self.lifecycle_action);
        o.str("lifecycle_outcome", self.lifecycle_outcome);
        o.str("source_identity", self.source_identity);
        o.end();
    }
}

/// The `time` crate's RFC 3339, for the years the fast path leaves out.
fn rfc3339_slow(t: SystemTime) -> String {
    OffsetDateTime::from(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}
