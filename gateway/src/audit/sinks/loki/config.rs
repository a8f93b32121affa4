//! The Loki sink's keys (besides the receiver's `url`, `auth_header*`, `headers`,
//! `ca_file`; `url` is Loki's base URL, `/loki/api/v1/push` is appended).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::service::LokiService;
use crate::audit::sinks::error::BuildError;
use crate::audit::sinks::http::{HttpOptions, HttpTarget};

/// The stream's labels and the tenant.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LokiKeys {
    /// Static labels of the stream [default: `{ job = "strata-audit" }`]. Keep them few and
    /// fixed: Loki indexes labels, not lines.
    #[serde(default = "default_labels")]
    pub labels: BTreeMap<String, String>,
    /// Sent as `X-Scope-OrgID` (multi-tenant Loki) when set.
    #[serde(default)]
    pub tenant: Option<String>,
}

fn default_labels() -> BTreeMap<String, String> {
    BTreeMap::from([("job".to_string(), "strata-audit".to_string())])
}

impl Default for LokiKeys {
    fn default() -> Self {
        LokiKeys {
            labels: default_labels(),
            tenant: None,
        }
    }
}

/// A Loki receiver.
#[derive(Debug, Clone, PartialEq)]
pub struct LokiConfig {
    /// Loki.
    pub http: HttpOptions,
    /// Labels and tenant.
    pub keys: LokiKeys,
}

impl LokiConfig {
    /// The service, with `timeout` per attempt.
    pub fn build(&self, timeout: Duration) -> Result<LokiService, BuildError> {
        let mut http = self.http.clone();
        if let Some(tenant) = &self.keys.tenant {
            http.headers.insert("x-scope-orgid".into(), tenant.clone());
        }
        let url = format!("{}/loki/api/v1/push", http.url.trim_end_matches('/'));
        let target = HttpTarget::new(&http, &url, timeout)?;
        Ok(LokiService::new(target, self.keys.labels.clone()))
    }
}
