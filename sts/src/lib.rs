//! strata-sts: the two engines behind strata's STS.
//!
//! - [`session`]: temporary credentials sealed into the session token itself
//!   (AES-256-GCM over a keyring), so the gateway verifies them per request without any
//!   per-session storage. The wire format is a promise, written down in `sts/FORMAT.md`.
//! - [`web_identity`]: verification of OpenID Connect and Kubernetes service-account
//!   tokens for `AssumeRoleWithWebIdentity` (discovery, JWKS caching and rotation,
//!   asymmetric algorithms only, claims checks).
//!
//! Wiring (the STS query API, roles, trust policies, the request path) lives in the
//! gateway, not here.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod session;
pub mod web_identity;
