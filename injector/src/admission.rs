//! AdmissionReview v1 in and out: the wire format around [`inject::decide`].

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::config::InjectorConfig;
use crate::inject::{self, Outcome};

/// A request body that is not an AdmissionReview v1 for a pod. Answered with HTTP 400:
/// the API server sent something the webhook configuration does not ask for.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReviewError {
    /// Not JSON, or not the AdmissionReview shape.
    #[error("body is not an AdmissionReview: {0}")]
    Decode(#[from] serde_json::Error),
    /// Another apiVersion than admission.k8s.io/v1.
    #[error(
        "unsupported AdmissionReview apiVersion {0:?}; the webhook speaks admission.k8s.io/v1"
    )]
    Version(String),
    /// No `request` in the review.
    #[error("AdmissionReview has no request")]
    NoRequest,
}

/// Incoming review (only what the webhook reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewIn {
    api_version: String,
    request: Option<RequestIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestIn {
    uid: String,
    kind: Kind,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    object: Value,
    #[serde(default)]
    dry_run: bool,
}

#[derive(Debug, Deserialize)]
struct Kind {
    #[serde(default)]
    group: String,
    #[serde(default)]
    kind: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReviewOut<'a> {
    api_version: &'static str,
    kind: &'static str,
    response: ResponseOut<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResponseOut<'a> {
    uid: &'a str,
    allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    patch_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    patch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<StatusOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
struct StatusOut {
    code: u16,
    reason: &'static str,
    message: String,
}

/// Room for a typical patch (about 6 KiB for six volumes) without regrowing.
const PATCH_CAPACITY: usize = 16 * 1024;

/// How a review ended, as the `result` label of the admissions metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Patched.
    Injected,
    /// Already carried the status annotation.
    AlreadyInjected,
    /// Not for us (not opted in, skipped namespace, hostNetwork, not a pod create).
    Skipped,
    /// Refused with a message.
    Rejected,
}

impl Verdict {
    /// Every verdict, for metrics.
    pub const ALL: [Verdict; 4] = [
        Verdict::Injected,
        Verdict::AlreadyInjected,
        Verdict::Skipped,
        Verdict::Rejected,
    ];

    /// Label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Injected => "injected",
            Verdict::AlreadyInjected => "already_injected",
            Verdict::Skipped => "skipped",
            Verdict::Rejected => "rejected",
        }
    }
}

/// Answers one AdmissionReview body: the response body and the verdict.
pub fn review(body: &[u8], cfg: &InjectorConfig) -> Result<(Vec<u8>, Verdict), ReviewError> {
    let input: ReviewIn = serde_json::from_slice(body)?;
    if input.api_version != "admission.k8s.io/v1" {
        return Err(ReviewError::Version(input.api_version));
    }
    let req = input.request.ok_or(ReviewError::NoRequest)?;
    // Dry runs get the very same answer: the webhook has no side effects to hold back,
    // and `kubectl apply --dry-run=server` should show the real result.
    let _ = req.dry_run;
    let outcome =
        if req.kind.group.is_empty() && req.kind.kind == "Pod" && req.operation == "CREATE" {
            inject::decide(&req.object, &req.namespace, cfg)
        } else {
            Outcome::Skip {
                reason: "not a pod creation".to_owned(),
                warn: false,
            }
        };
    let mut response = ResponseOut {
        uid: &req.uid,
        allowed: true,
        patch_type: None,
        patch: None,
        status: None,
        warnings: Vec::new(),
    };
    let verdict = match outcome {
        Outcome::Inject(ops) => {
            // Buffers are sized once: growing them by doubling costs several large
            // reallocations per review, each a slow path in the allocator.
            let mut json = Vec::with_capacity(PATCH_CAPACITY);
            serde_json::to_writer(&mut json, &ops)?;
            let mut encoded = String::with_capacity(json.len() * 4 / 3 + 4);
            base64::engine::general_purpose::STANDARD.encode_string(&json, &mut encoded);
            response.patch_type = Some("JSONPatch");
            response.patch = Some(encoded);
            Verdict::Injected
        }
        Outcome::AlreadyInjected => Verdict::AlreadyInjected,
        Outcome::Skip { reason, warn } => {
            if warn {
                response.warnings.push(reason);
            }
            Verdict::Skipped
        }
        Outcome::Reject(why) => {
            response.allowed = false;
            response.status = Some(StatusOut {
                code: 400,
                reason: "BadRequest",
                message: format!("strata: {why}"),
            });
            Verdict::Rejected
        }
    };
    let capacity = response.patch.as_ref().map_or(0, String::len) + 1024;
    let out = ReviewOut {
        api_version: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        response,
    };
    let mut body = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut body, &out)?;
    Ok((body, verdict))
}
