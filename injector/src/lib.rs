//! strata-injector: the mutating admission webhook that adds the `strata` gateway to pods
//! labelled `strata.io/inject: "true"`.
//!
//! - [`annotations`]: what a pod asks for, parsed and checked;
//! - [`inject`]: the decision for one pod (skip, reject, or a JSON patch), built by
//!   [`sidecar`] (the rendered container) and [`patch`] (the operations);
//! - [`admission`]: AdmissionReview v1 in and out;
//! - [`server`]: HTTPS, `/mutate`, `/healthz`, `/metrics` ([`metrics`]);
//! - [`tls`]: the serving certificate, from files or self-managed;
//! - [`probe`]: the exec probe the sidecar runs;
//! - [`cluster`]: the cluster's service-account issuer and keys, kept fresh in the background,
//!   and [`running_pods`], which hands a new copy to pods already running;
//! - [`web_identity`]: web-identity mode rendered (sidecar trust, role, the `strata` profile);
//! - [`kms`]: the sidecar's way to a Vault-compatible KMS (`strata.io/kms-*`);
//! - [`tiers`]: remote tiers' credentials mounted into the sidecar (`strata.io/tier-secrets`);
//! - [`cloud_identity`]: the pod's cloud workload identity, lent to the sidecar for its tiers.

pub mod admission;
pub mod annotations;
pub mod cloud_identity;
pub mod cluster;
pub mod config;
pub mod inject;
pub mod kms;
pub mod metrics;
pub mod patch;
pub mod probe;
pub mod quantity;
pub mod running_pods;
pub mod server;
pub mod sidecar;
pub mod tiers;
pub mod tls;
pub mod web_identity;
