//! Keys fetched over HTTP (discovery or a JWKS URL): cached with a TTL, refreshed lazily,
//! at most one fetch per interval, last good keys kept through failures up to a staleness
//! bound.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::time::Instant;

use super::config::VerifierSettings;
use super::error::WebIdentityError;
use super::http::get_bounded;
use super::jwks::KeySet;

/// Where the JWKS URL comes from.
pub(super) enum RemoteSource {
    /// The issuer's discovery document names it.
    Discovery,
    /// Configured directly.
    JwksUrl(String),
}

/// A provider's HTTP-fetched keys.
pub(super) struct RemoteKeys {
    issuer: String,
    source: RemoteSource,
    client: reqwest::Client,
    settings: VerifierSettings,
    state: Mutex<State>,
    /// Held across a fetch so that one request fetches while the others wait or move on.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    keys: Option<(Arc<KeySet>, Instant)>,
    last_attempt: Option<Instant>,
    last_error: Option<String>,
}

impl RemoteKeys {
    pub fn new(
        issuer: String,
        source: RemoteSource,
        client: reqwest::Client,
        settings: VerifierSettings,
    ) -> Self {
        RemoteKeys {
            issuer,
            source,
            client,
            settings,
            state: Mutex::new(State::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The keys to verify with now, fetching them first when there are none or they are
    /// past their TTL (and the rate limit allows a fetch).
    pub async fn keys(&self) -> Result<Arc<KeySet>, WebIdentityError> {
        let (usable, due) = {
            let state = self.state();
            (self.usable(&state), self.fetch_due(&state))
        };
        if due {
            match usable {
                // Stale but usable: if another request is already fetching, don't wait.
                Some(keys) => match self.fetching.try_lock() {
                    Ok(_guard) => self.fetch_if_allowed().await,
                    Err(_) => return Ok(keys),
                },
                None => {
                    let _guard = self.fetching.lock().await;
                    if self.fetch_due(&self.state()) {
                        self.fetch_if_allowed().await;
                    }
                }
            }
        }
        let state = self.state();
        self.usable(&state).ok_or_else(|| self.unavailable(&state))
    }

    /// The keys after one more fetch, if the rate limit allows it (an unknown `kid` may
    /// mean the provider rotated its keys); otherwise the current keys.
    pub async fn refreshed_keys(&self) -> Result<Arc<KeySet>, WebIdentityError> {
        {
            let _guard = self.fetching.lock().await;
            self.fetch_if_allowed().await;
        }
        let state = self.state();
        self.usable(&state).ok_or_else(|| self.unavailable(&state))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent at every point a panic could occur: keep using it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn usable(&self, state: &State) -> Option<Arc<KeySet>> {
        state
            .keys
            .as_ref()
            .filter(|(_, fetched)| fetched.elapsed() <= self.settings.max_staleness)
            .map(|(keys, _)| Arc::clone(keys))
    }

    fn fetch_due(&self, state: &State) -> bool {
        let expired = state
            .keys
            .as_ref()
            .is_none_or(|(_, fetched)| fetched.elapsed() >= self.settings.jwks_ttl);
        expired && self.fetch_allowed(state)
    }

    fn fetch_allowed(&self, state: &State) -> bool {
        state
            .last_attempt
            .is_none_or(|at| at.elapsed() >= self.settings.min_refresh_interval)
    }

    /// Fetches unless a fetch happened within the refresh interval. Call with `fetching`
    /// held.
    async fn fetch_if_allowed(&self) {
        {
            let mut state = self.state();
            if !self.fetch_allowed(&state) {
                return;
            }
            state.last_attempt = Some(Instant::now());
        }
        let fetched = self.fetch().await;
        let mut state = self.state();
        match fetched {
            Ok(keys) => {
                tracing::debug!(issuer = %self.issuer, keys = keys.len(), "fetched JWKS");
                state.keys = Some((Arc::new(keys), Instant::now()));
                state.last_error = None;
            }
            Err(error) => {
                tracing::warn!(issuer = %self.issuer, %error, "JWKS fetch failed; keeping the last good keys");
                state.last_error = Some(error);
            }
        }
    }

    async fn fetch(&self) -> Result<KeySet, String> {
        let max = self.settings.max_document_bytes;
        let jwks_uri = match &self.source {
            RemoteSource::JwksUrl(url) => url.clone(),
            RemoteSource::Discovery => {
                let url = format!(
                    "{}/.well-known/openid-configuration",
                    self.issuer.trim_end_matches('/')
                );
                let body = get_bounded(&self.client, &url, max).await?;
                jwks_uri_of(&body, &self.issuer).map_err(|e| format!("{url}: {e}"))?
            }
        };
        let body = get_bounded(&self.client, &jwks_uri, max).await?;
        KeySet::parse(&body).map_err(|e| format!("{jwks_uri}: {e}"))
    }

    fn unavailable(&self, state: &State) -> WebIdentityError {
        let detail = match (&state.keys, &state.last_error) {
            (Some(_), Some(error)) => {
                format!("the cached keys are past the maximum staleness; last fetch: {error}")
            }
            (None, Some(error)) => format!("no keys could be fetched: {error}"),
            (_, None) => "no keys fetched yet".to_string(),
        };
        WebIdentityError::IdpCommunicationError {
            issuer: self.issuer.clone(),
            detail,
        }
    }
}

/// The `jwks_uri` of a discovery document, which must name `issuer` exactly (OpenID
/// Connect Discovery 1.0, section 4.3).
fn jwks_uri_of(document: &[u8], issuer: &str) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_slice(document).map_err(|e| format!("not JSON: {e}"))?;
    let named = value.get("issuer").and_then(|v| v.as_str());
    if named != Some(issuer) {
        return Err(format!(
            "the discovery document names issuer {named:?}, not {issuer:?}"
        ));
    }
    let uri = value
        .get("jwks_uri")
        .and_then(|v| v.as_str())
        .ok_or("the discovery document has no jwks_uri")?;
    if !(uri.starts_with("https://") || uri.starts_with("http://")) {
        return Err(format!("jwks_uri {uri:?} is not an http(s) URL"));
    }
    Ok(uri.to_string())
}
