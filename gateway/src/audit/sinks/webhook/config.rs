//! The webhook sink's settings: only the receiver's (`url`, `auth_header` or
//! `auth_header_file`, `headers`, `ca_file`); batching, buffer and retries are shared.

use std::time::Duration;

use super::service::WebhookService;
use crate::audit::sinks::error::BuildError;
use crate::audit::sinks::http::{HttpOptions, HttpTarget};

/// A webhook receiver.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    /// Where and how to POST.
    pub http: HttpOptions,
}

impl WebhookConfig {
    /// The service, with `timeout` per attempt.
    pub fn build(&self, timeout: Duration) -> Result<WebhookService, BuildError> {
        Ok(WebhookService::new(HttpTarget::new(
            &self.http,
            &self.http.url,
            timeout,
        )?))
    }
}
