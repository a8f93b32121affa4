//! A stand-in authenticator and a recording observer.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::auth::{
    AuthError, AuthOutcome, Authenticate, Authenticated, PostSignature, RequestParts,
};
use crate::observe::{Backpressure, Observe, RequestEvent};

/// Vouches for the access key a request names in `x-test-key` (a test's stand-in for
/// SigV4), or, for a route that authenticates from its body, in the form field `key=`. It
/// keeps every form body it was shown.
#[derive(Default)]
pub struct Vouching {
    /// Form bodies seen by `authenticate_with_body`, in order.
    pub forms: Mutex<Vec<Vec<u8>>>,
}

impl Vouching {
    fn outcome(key: Option<&str>) -> Result<AuthOutcome, AuthError> {
        match key {
            None => Ok(AuthOutcome::Anonymous),
            Some("bad") => Err(AuthError::SignatureDoesNotMatch),
            Some(key) => Ok(AuthOutcome::Authenticated(Box::new(
                Authenticated::vouched(key, "root"),
            ))),
        }
    }
}

impl Authenticate for Vouching {
    fn authenticate(
        &self,
        req: &RequestParts<'_>,
        _now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        Self::outcome(req.headers.get("x-test-key").and_then(|v| v.to_str().ok()))
    }

    fn authenticate_with_body(
        &self,
        _req: &RequestParts<'_>,
        body: &[u8],
        _now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        if let Ok(mut forms) = self.forms.lock() {
            forms.push(body.to_vec());
        }
        let text = String::from_utf8_lossy(body);
        let key = text
            .split('&')
            .find_map(|pair| pair.strip_prefix("key="))
            .map(str::to_string);
        Self::outcome(key.as_deref())
    }

    /// The form's credential stands for the key (`KEY/...`).
    fn authenticate_post(
        &self,
        form: &PostSignature<'_>,
        _now: SystemTime,
    ) -> Result<AuthOutcome, AuthError> {
        Self::outcome(form.credential.split('/').next())
    }
}

/// Keeps every event it observes.
#[derive(Default, Clone)]
pub struct Recorder {
    events: Arc<Mutex<Vec<RequestEvent>>>,
}

impl Recorder {
    /// Every event so far.
    pub fn events(&self) -> Vec<RequestEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl Observe for Recorder {
    fn observe(&self, event: &RequestEvent) -> Backpressure {
        if let Ok(mut events) = self.events.lock() {
            events.push(event.clone());
        }
        None
    }
}
