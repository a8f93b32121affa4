//! strata's admin API: one authenticated surface under `/strata/admin/` (`docs/ADMIN.md`).
//!
//! - `router`: the table of endpoints, one row each (method, path, operation, IAM action,
//!   handler); the only place an admin path is named.
//! - `server`: what the handlers act on (the store, the way to stop, the start time).
//! - `shutdown`, `status`, `reseal`, `kms`, `maintenance`, `session_keys`: the handlers.
//!
//! The request stack runs admin requests through the same stages as S3 ones (admission,
//! authentication, authorization with `strata:*` actions, observation); this module only
//! routes and answers.

mod json;
mod kms;
mod maintenance;
mod reseal;
mod router;
mod server;
mod session_keys;
mod shutdown;
mod status;
#[cfg(test)]
mod tests;

pub use kms::{answer as answer_kms, KmsCall};
pub use maintenance::{answer as answer_maintenance, MaintenanceCall};
pub use router::{addresses, check_params, route, Endpoint, Handler, ENDPOINTS, KEY_ID, PREFIX};
pub use server::{AdminServer, KmsAdmin, Stop};
pub use session_keys::{answer as answer_session_keys, SessionKeyCall};
pub use status::{ClassReport, StatusReport, VolumeReport};
