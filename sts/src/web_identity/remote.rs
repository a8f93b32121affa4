//! Keys fetched over HTTP (discovery or a JWKS URL): cached with a TTL and refreshed
//! lazily; one refresh for unknown `kid`s per interval; after a failed fetch, none other
//! for an interval; last good keys kept through failures up to a staleness bound.

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
    /// The last failed fetch: no other fetch until the refresh interval has passed.
    last_failure: Option<(Instant, String)>,
    /// The last refresh for an unknown `kid`: at most one per refresh interval.
    last_kid_refresh: Option<Instant>,
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
    /// past their TTL (unless a fetch failed within the refresh interval).
    pub async fn keys(&self) -> Result<Arc<KeySet>, WebIdentityError> {
        let (usable, due) = {
            let state = self.state();
            (self.usable(&state), self.due(&state))
        };
        if due {
            match usable {
                // Past the TTL but usable: if another request is already fetching, don't
                // wait for it.
                Some(keys) => match self.fetching.try_lock() {
                    Ok(_guard) => {
                        if self.due(&self.state()) {
                            self.fetch_unless_backing_off().await;
                        }
                    }
                    Err(_) => return Ok(keys),
                },
                // Nothing to verify with: wait for the fetch in progress, or make one.
                None => {
                    let _guard = self.fetching.lock().await;
                    if self.due(&self.state()) {
                        self.fetch_unless_backing_off().await;
                    }
                }
            }
        }
        let state = self.state();
        self.usable(&state).ok_or_else(|| self.unavailable(&state))
    }

    /// The keys after one more fetch (an unknown `kid` may mean the provider rotated its
    /// keys), at most once per refresh interval; otherwise the current keys.
    pub async fn refreshed_keys(&self) -> Result<Arc<KeySet>, WebIdentityError> {
        {
            let _guard = self.fetching.lock().await;
            let allowed = {
                let mut state = self.state();
                let interval = self.settings.min_refresh_interval;
                let allowed = state
                    .last_kid_refresh
                    .is_none_or(|at| at.elapsed() >= interval);
                if allowed {
                    state.last_kid_refresh = Some(Instant::now());
                }
                allowed
            };
            if allowed {
                self.fetch_unless_backing_off().await;
            }
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

    /// No keys yet, or past their TTL.
    fn due(&self, state: &State) -> bool {
        state
            .keys
            .as_ref()
            .is_none_or(|(_, fetched)| fetched.elapsed() >= self.settings.jwks_ttl)
    }

    /// Fetches, unless a fetch failed within the refresh interval (a provider that is down
    /// is not asked again on every request). Call with `fetching` held.
    async fn fetch_unless_backing_off(&self) {
        let interval = self.settings.min_refresh_interval;
        if self
            .state()
            .last_failure
            .as_ref()
            .is_some_and(|(at, _)| at.elapsed() < interval)
        {
            return;
        }
        let fetched = self.fetch().await;
        let mut state = self.state();
        match fetched {
            Ok(keys) => {
                tracing::debug!(issuer = %self.issuer, keys = keys.len(), "fetched JWKS");
                state.keys = Some((Arc::new(keys), Instant::now()));
                state.last_failure = None;
            }
            Err(error) => {
                tracing::warn!(issuer = %self.issuer, %error, "JWKS fetch failed; keeping the last good keys");
                state.last_failure = Some((Instant::now(), error));
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
        let error = state.last_failure.as_ref().map(|(_, error)| error);
        let detail = match (&state.keys, error) {
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
