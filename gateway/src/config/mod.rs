//! Configuration: flags, environment and a TOML file become one typed [`Config`].
//!
//! Precedence is flag > environment > file > default (`docs/CLI-CONTRACT.md`). This module is
//! the only reader of `STRATA_*` variables; it reads them through a lookup function so tests
//! pass a map.

mod accounts;
#[cfg(test)]
mod accounts_tests;
mod audit;
#[cfg(test)]
mod audit_tests;
mod class_names;
mod ldap;
#[cfg(test)]
mod ldap_tests;
mod limits;
mod load;
mod maintenance;
#[cfg(test)]
mod maintenance_tests;
mod notify;
#[cfg(test)]
mod notify_tests;
mod pod;
mod proxies;
mod raw;
mod roles;
mod settings;
mod sse;
#[cfg(test)]
mod sse_tests;
mod sts;
#[cfg(test)]
mod sts_tests;
mod telemetry;
#[cfg(test)]
mod tests;
mod tiers;

pub use accounts::{iam_name, AccountConfig};
pub use audit::DEFAULT_DISK_BUFFER_BYTES;
pub use class_names::{StorageClassNames, STANDARD_CLASS};
pub use ldap::{LdapConfig, RoleMapping, DN_PLACEHOLDER, USER_PLACEHOLDER};
pub use limits::{Limits, Tuning};
pub use load::{load, ConfigError};
pub use notify::{NotifyConfig, NotifyTarget};
pub use pod::{DEFAULT_POD_ROLE_POLICY, K8S_AUDIENCE};
pub use proxies::TrustedProxies;
pub use raw::{RawSettings, ServeArgs};
pub use roles::{iam_path, RoleConfig, DEFAULT_MAX_SESSION_SECS};
pub use settings::{
    ClassSpec, Config, RootCredentials, SchemeSpec, TlsConfig, DEFAULT_LISTEN, DEV_ACCESS_KEY,
    DEV_SECRET_KEY,
};
pub use sse::{
    CipherSetting, KmsSetting, SseConfig, SseDefault, DEFAULT_SSE_KMS_KEY, DEFAULT_SSE_S3_KEY,
};
pub use sts::StsConfig;
pub use telemetry::{AccessLogLevel, LogFormat, Telemetry};
pub use tiers::TierSpec;
