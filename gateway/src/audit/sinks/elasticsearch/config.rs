//! The Elasticsearch sink's keys (besides the receiver's `url`, `auth_header*`, `headers`,
//! `ca_file`; `url` is the cluster's base URL, `_bulk` is appended).

use std::time::Duration;

use serde::Deserialize;

use super::service::ElasticsearchService;
use crate::audit::sinks::error::BuildError;
use crate::audit::sinks::http::{HttpOptions, HttpTarget};

/// The index (or data stream) events are written to.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ElasticsearchKeys {
    /// Index or data stream name [default: `strata-audit`].
    #[serde(default = "default_index")]
    pub index: String,
}

fn default_index() -> String {
    "strata-audit".into()
}

impl Default for ElasticsearchKeys {
    fn default() -> Self {
        ElasticsearchKeys {
            index: default_index(),
        }
    }
}

/// An Elasticsearch receiver.
#[derive(Debug, Clone, PartialEq)]
pub struct ElasticsearchConfig {
    /// The cluster.
    pub http: HttpOptions,
    /// Where events go.
    pub keys: ElasticsearchKeys,
}

impl ElasticsearchConfig {
    /// The service, with `timeout` per attempt.
    pub fn build(&self, timeout: Duration) -> Result<ElasticsearchService, BuildError> {
        let url = format!("{}/_bulk", self.http.url.trim_end_matches('/'));
        let target = HttpTarget::new(&self.http, &url, timeout)?;
        Ok(ElasticsearchService::new(target, &self.keys.index))
    }
}
