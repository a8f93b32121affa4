//! The request path of a browser form upload (PostObject). Its credentials are fields of the
//! body, so the stages run in another order than [`Stack::s3`]'s: the fields before the file
//! are read first (bounded, nothing stored), then the policy's signature is authenticated, the
//! policy checked, the PutObject the form makes authorized and its headers refused or
//! accepted; only then does the file stream into the store, as a PutObject's body.

use std::time::SystemTime;

use http::request::Parts;

use super::{body_length, expects_continue, header, wire_body, Stack};
use crate::auth::{AuthOutcome, PayloadMode, PayloadSpec, PayloadVerifier};
use crate::authorize::Access;
use crate::observe::{RequestEvent, Stage};
use crate::post_object::{self, bounded, LengthRange, PostForm, PostPolicy};
use crate::s3::actions::required_actions;
use crate::s3::body::Body;
use crate::s3::condition_keys::{RequestTags, S3Conditions};
use crate::s3::error::{Code, S3Error};
use crate::s3::names::validate_key;
use crate::s3::ops::{self, Authorizing, Request};
use crate::s3::query::Query;
use crate::s3::response::Response;
use crate::s3::unhonoured::refuse_unhonoured;
use crate::s3::{Operation, Route};
use crate::server::admission::{body_charge, Admitted};
use crate::server::exchange::Exchange;

impl Stack {
    /// Serves a routed PostObject to `bucket`.
    pub(super) async fn post_object<X: Exchange>(
        &self,
        x: &mut X,
        head: &Parts,
        bucket: String,
        event: &mut RequestEvent,
        mut admitted: Admitted,
    ) -> Result<Response, S3Error> {
        // 3. Authenticate, from the fields before the file.
        event.stage = Stage::Authenticate;
        let boundary = post_object::boundary(header(head, "content-type"))?;
        let length = body_length(head, Operation::PostObject)?;
        self.admission
            .body(&mut admitted, body_charge(length, false))?;
        let mut reader =
            post_object::FormReader::new(wire_body(x, expects_continue(head)), boundary);
        let form = PostForm::read(reader.fields(self.max_form_body).await?)?;
        validate_key(&form.key)?;
        event.key = Some(form.key.clone());
        let now = SystemTime::now();
        let (outcome, range) = match form.signature()? {
            Some(signature) => {
                let outcome = self.authenticate.authenticate_post(&signature, now)?;
                // The policy counts only once its signature holds.
                let policy = PostPolicy::parse(signature.policy)?;
                (outcome, policy.check(&form.fields, &bucket, now)?)
            }
            None => (
                AuthOutcome::Anonymous,
                LengthRange {
                    min: 0,
                    max: u64::MAX,
                },
            ),
        };
        let principal = outcome.principal();
        event.principal = Some(principal.clone());
        // 4. Authorize the PutObject the form makes, with the form's fields as its headers.
        event.stage = Stage::Authorize;
        let route = Route {
            op: Operation::PutObject,
            bucket: Some(bucket),
            key: Some(form.key.clone()),
            query: Query::default(),
        };
        let needs = required_actions(&route, &form.headers)?;
        let tags = RequestTags::from_headers(&form.headers);
        let peer = event.peer.clone();
        let facts = self.facts(&peer, &outcome);
        let context = S3Conditions::new(&route, &form.headers, facts, &tags);
        self.authorize.authorize(&Access {
            principal: &principal,
            op: Operation::PostObject,
            needs: &needs,
            context: &context,
        })?;
        // 5. What strata does not do is refused, as for a PutObject's headers.
        event.stage = Stage::Refusal;
        refuse_unhonoured(Operation::PutObject, &form.headers)?;
        self.handlers
            .transform
            .check(&form.headers, event.peer.is_confidential())?;
        // 6. The file: bounded by the policy and by strata's largest object, verified against
        //    the form's Content-MD5 and checksum fields as it streams.
        let range = LengthRange {
            min: range.min,
            max: range.max.min(self.handlers.limits.max_put_size),
        };
        let (file, verdict) = bounded(reader.into_file(self.max_form_body), range);
        let spec = PayloadSpec::from_headers(PayloadMode::Unsigned, &form.headers)?;
        let body = Body::new(file, PayloadVerifier::new(spec, None)?, None);
        // 7. Handler: the PutObject.
        event.stage = Stage::Handler;
        let bucket = route.bucket.as_deref().unwrap_or_default();
        let req = Request {
            op: Operation::PutObject,
            bucket: Some(bucket),
            key: Some(&form.key),
            query: &route.query,
            headers: &form.headers,
            caller: &principal,
            signed_service: outcome.scope_service(),
            authorize: Authorizing {
                authorizer: self.authorize.as_ref(),
                context: &context,
            },
            request_id: &event.request_id,
            body,
        };
        let put = ops::dispatch(&self.handlers, req)
            .await
            .map_err(|e| verdict.error(range).unwrap_or(e))?;
        let scheme = if event.peer.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let host = header(head, "host")
            .ok_or_else(|| Code::InvalidRequest.with("a POST upload needs a Host header"))?;
        post_object::answer(
            put,
            &form.success,
            &format!("{scheme}://{host}"),
            bucket,
            &form.key,
        )
    }
}
