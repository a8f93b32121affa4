//! What the AWS query APIs (IAM and STS: a form-encoded `POST /` with an `Action`) share:
//! the form, the response envelope, the error document, and which service a form is for.
//! The APIs themselves are `crate::iam_api` and `crate::sts_api`.

mod envelope;
mod form;
#[cfg(test)]
mod tests;

pub use envelope::{error_document, respond, Service};
pub use form::Form;

use strata_policy::ConditionContext;

use crate::auth::Principal;

/// One query API request, as its handler sees it.
pub struct QueryRequest<'a> {
    /// Who signed (anonymous for an unsigned form).
    pub caller: &'a Principal,
    /// The response's `x-amz-request-id`, which the envelope repeats.
    pub request_id: &'a str,
    /// The decoded form.
    pub form: &'a Form,
    /// IAM or STS.
    pub service: Service,
    /// The condition keys every request has (`aws:SourceIp`, `aws:SecureTransport`, ...),
    /// which an action's own keys come before.
    pub global_keys: &'a (dyn ConditionContext + Sync),
}
