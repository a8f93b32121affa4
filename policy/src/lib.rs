//! The AWS policy language for strata: identity, resource (bucket), trust, session and
//! boundary policies.
//!
//! - [`Policy::parse`] checks a document against AWS's grammar and size limits and compiles
//!   it once (lower-cased action patterns, split wildcards, parsed CIDRs and dates).
//! - [`Policy::evaluate`] says what one policy says about a [`Request`]: `Deny`, `Allow` or
//!   `NotApplicable`; without policy variables it does not allocate.
//! - [`decide`] combines every policy that bears on a request ([`Evaluation`]) with AWS's
//!   evaluation logic into a [`Decision`].
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod arn;
mod condition;
mod decide;
mod document;
mod error;
mod kind;
mod pattern;
mod policy;
mod principal;
mod request;
mod statement;

pub use decide::{decide, DecidedBy, Decision, DecisionEffect, Evaluation};
pub use document::Version;
pub use error::PolicyError;
pub use kind::{limits, policy_len, PolicyKind};
pub use policy::{Outcome, Policy};
pub use request::{Caller, ConditionContext, ContextMap, Layered, PrincipalType, Request, Values};
pub use statement::Effect;
