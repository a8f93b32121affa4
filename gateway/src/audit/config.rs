//! What the audit trail is configured with (`[[audit.sinks]]`, read by `crate::config`),
//! and starting it.

use std::sync::Arc;

use tokio::runtime::Handle;

use super::sink::{spawn, SinkMetrics, SinkService, SinkSpec};
use super::sinks::elasticsearch::ElasticsearchConfig;
use super::sinks::error::BuildError;
use super::sinks::file::FileConfig;
use super::sinks::loki::LokiConfig;
use super::sinks::webhook::WebhookConfig;
use super::Auditor;

/// Every audit sink, in the order configured; none means no audit trail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditConfig {
    /// The sinks.
    pub sinks: Vec<AuditSinkConfig>,
}

/// One `[[audit.sinks]]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSinkConfig {
    /// Name, batching, buffer, retries, policy.
    pub spec: SinkSpec,
    /// Where events go.
    pub target: SinkTarget,
}

/// The `kind` of a sink and its own keys.
#[derive(Debug, Clone, PartialEq)]
pub enum SinkTarget {
    /// JSON lines in a file.
    File(FileConfig),
    /// JSON arrays POSTed to a URL.
    Webhook(WebhookConfig),
    /// Elasticsearch `_bulk`.
    Elasticsearch(ElasticsearchConfig),
    /// Grafana Loki push API.
    Loki(LokiConfig),
}

/// A sink that could not be started; names it.
#[derive(Debug, thiserror::Error)]
#[error("audit sink {sink:?}: {source}")]
pub struct StartError {
    /// The sink's name.
    pub sink: String,
    /// Why.
    pub source: BuildError,
}

impl AuditConfig {
    /// Starts every sink on `runtime`; `None` when no sink is configured.
    pub fn start(
        &self,
        metrics: &SinkMetrics,
        runtime: &Handle,
    ) -> Result<Option<Auditor>, StartError> {
        if self.sinks.is_empty() {
            return Ok(None);
        }
        let mut handles = Vec::new();
        for sink in &self.sinks {
            let fail = |source| StartError {
                sink: sink.spec.name.clone(),
                source,
            };
            // reqwest's client spawns nothing until used, but build it inside the runtime.
            let _guard = runtime.enter();
            let service = sink.target.service(sink.spec.retry.timeout).map_err(fail)?;
            let handle = spawn(sink.spec.clone(), service, metrics, runtime)
                .map_err(|e| fail(BuildError::Buffer(e)))?;
            handles.push(handle);
        }
        Ok(Some(Auditor::new(handles)))
    }
}

impl SinkTarget {
    fn service(&self, timeout: std::time::Duration) -> Result<Arc<dyn SinkService>, BuildError> {
        Ok(match self {
            SinkTarget::File(c) => Arc::new(c.build()?),
            SinkTarget::Webhook(c) => Arc::new(c.build(timeout)?),
            SinkTarget::Elasticsearch(c) => Arc::new(c.build(timeout)?),
            SinkTarget::Loki(c) => Arc::new(c.build(timeout)?),
        })
    }
}
