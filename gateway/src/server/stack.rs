//! The request path as one stack. [`build`] assembles it from narrow parts; [`Stack::serve`]
//! runs its stages in order, each with the reason for its place. The order is part of the
//! security argument: nothing reads a body, a key or a shard for a request that is not yet
//! authenticated and authorized.

use crate::bucket_access::{BucketAccess, Controls};
use crate::checksum::ChecksumAlgorithm;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use futures::StreamExt;
use http::request::Parts;
use http::HeaderMap;
use strata_volume::Store;

use super::admission::{body_charge, Admission};
use super::exchange::Exchange;
use super::internal::Internal;
use super::lifecycle::ShutdownTrigger;
use super::respond::{respond, Sent};
use crate::admin::{self, AdminServer, KmsAdmin};
use crate::auth::{AuthOutcome, Authenticate, PayloadVerifier, RequestParts};
use crate::authorize::{Access, Authorize};
use crate::config::{Limits, StorageClassNames, TrustedProxies};
use crate::iam::Owners;
use crate::lifecycle::LifecycleClock;
use crate::metrics::Exposition;
use crate::notify::Registry;
use crate::observe::request_ids;
use crate::observe::{Observe, Peer, RequestEvent, Stage};
use crate::query_api::{error_document, Service};
use crate::reseal::Reseal;
use crate::s3::actions::required_actions;
use crate::s3::body::{Body, WireBody};
use crate::s3::condition_keys::{RequestFacts, RequestTags, S3Conditions};
use crate::s3::error::{Code, S3Error};
use crate::s3::ops::Authorizing;
use crate::s3::ops::{self, Ctx, Request, WriteLimits};
use crate::s3::query::{param, Query};
use crate::s3::response::{Response, ResponseBody};
use crate::s3::unhonoured::refuse_unhonoured;
use crate::s3::{route_head, Operation, Route};
use crate::sts_api::StsServices;
use crate::transform::sse::headers as sse;
use crate::transform::{BodyTransform, TierSeal};

/// What the stack is built from: each stage's own part, nothing of the whole config.
pub struct StackParts {
    /// The volume engine (handlers, readiness).
    pub store: Store,
    /// Bucket owners' accounts, for listings and CreateBucket.
    pub owners: Owners,
    /// The buckets' compiled policies, the same cache the authorizer reads.
    pub bucket_access: BucketAccess,
    /// STS: the session sealer and the web-identity verifier.
    pub sts: Arc<StsServices>,
    /// The admin endpoint's way to stop the server.
    pub shutdown: ShutdownTrigger,
    /// The re-seal the admin API starts and reports.
    pub reseal: Option<Arc<Reseal>>,
    /// The KMS whose keys the admin API lists, creates and rotates.
    pub kms: Option<KmsAdmin>,
    /// The healer and the scanner, for the admin API.
    pub maintenance: Option<Arc<strata_volume::Maintenance>>,
    /// Virtual-host-style base domain, for routing.
    pub domain: Option<String>,
    /// Proxies whose forwarding headers say who the client is.
    pub trusted_proxies: TrustedProxies,
    /// Who signed.
    pub authenticate: Arc<dyn Authenticate>,
    /// Who may do what.
    pub authorize: Arc<dyn Authorize>,
    /// How object bytes are stored.
    pub transform: Arc<dyn BodyTransform>,
    /// Who hears of every request.
    pub observe: Arc<dyn Observe>,
    /// What `/strata/metrics` serves.
    pub metrics: Exposition,
    /// Notification targets and bucket rules (PutBucketNotificationConfiguration).
    pub notify: Arc<Registry>,
    /// Region reported to clients.
    pub region: String,
    /// Each class's S3 storage-class name.
    pub class_names: StorageClassNames,
    /// What plaintext written to a remote tier is sealed under.
    pub tier_seal: TierSeal,
    /// Restores running (shared with the scanner's hook that resumes them).
    pub restoring: crate::s3::restoring::Restoring,
    /// How long a lifecycle day lasts (`--lifecycle-day`).
    pub lifecycle_clock: LifecycleClock,
    /// Bounds.
    pub limits: Limits,
}

/// The assembled request path.
pub struct Stack {
    internal: Internal,
    admin: AdminServer,
    admission: Admission,
    trusted_proxies: TrustedProxies,
    domain: Option<String>,
    authenticate: Arc<dyn Authenticate>,
    authorize: Arc<dyn Authorize>,
    handlers: Ctx,
    observe: Arc<dyn Observe>,
    max_form_body: usize,
}

/// Builds the stack; the comment on each part says where it runs and why there.
pub fn build(parts: StackParts) -> Stack {
    Stack {
        // First: probes answer under any load, before admission, routing and keys.
        internal: Internal::new(parts.store.clone(), parts.shutdown.clone(), parts.metrics),
        // The admin API runs the same stages as S3 (admission, authentication, authorization,
        // observation), with its own routing table and handlers.
        admin: AdminServer {
            store: parts.store.clone(),
            stop: Arc::new(parts.shutdown),
            started: Instant::now(),
            reseal: parts.reseal,
            kms: parts.kms,
            maintenance: parts.maintenance,
        },
        // Before routing: a refused request costs nothing but its head.
        admission: Admission::new(parts.limits.max_requests, parts.limits.max_body_memory),
        // Who the client is, before anything that depends on it (probes' loopback rule,
        // policies' aws:SourceIp and aws:SecureTransport, audit).
        trusted_proxies: parts.trusted_proxies,
        // Routing is pure and cheap, and names the operation every later stage talks about.
        domain: parts.domain,
        // Authentication checks the head; the body is verified as it streams.
        authenticate: parts.authenticate,
        // Authorization before anything of the request's is read or answered in detail.
        authorize: parts.authorize,
        // The handlers, with the transform at the points where they write or read bytes.
        handlers: Ctx {
            store: parts.store,
            transform: parts.transform,
            region: parts.region,
            class_names: parts.class_names,
            tier_seal: parts.tier_seal,
            restoring: parts.restoring,
            lifecycle_clock: parts.lifecycle_clock,
            limits: WriteLimits {
                max_put_size: parts.limits.max_put_size,
                max_part_size: parts.limits.max_part_size,
            },
            keep_alive: parts.limits.keep_alive,
            notify: parts.notify,
            owners: parts.owners,
            sts: parts.sts,
            bucket_access: parts.bucket_access,
        },
        // Last: one event per request, after its answer is out.
        observe: parts.observe,
        max_form_body: parts.limits.max_form_body,
    }
}

impl Stack {
    /// The handlers' context (the store, the transform).
    pub fn handlers(&self) -> &Ctx {
        &self.handlers
    }

    /// Requests being served now.
    pub fn requests_in_flight(&self) -> usize {
        self.admission.requests_in_flight()
    }

    /// The admission bounds (for their gauges).
    pub fn admission(&self) -> &Admission {
        &self.admission
    }

    /// Serves one request whose head has been read, and tells the observers.
    pub async fn serve<X: Exchange>(&self, x: &mut X, head: &Parts) -> Sent {
        let started = (Instant::now(), SystemTime::now());
        let ids = request_ids();
        let peer = self.trusted_proxies.peer(x.peer(), &head.headers);
        let mut event = RequestEvent {
            request_id: ids.request_id.clone(),
            host_id: ids.host_id.clone(),
            started: started.1,
            duration: Default::default(),
            method: head.method.clone(),
            path: head.uri.path().to_string(),
            op: None,
            bucket: None,
            key: None,
            version_id: None,
            stage: Stage::Internal,
            principal: None,
            status: None,
            error: None,
            denial: None,
            bytes_in: 0,
            bytes_out: 0,
            peer,
            user_agent: header(head, "user-agent").map(str::to_string),
            removed: Vec::new(),
            written: None,
            sse: None,
            kms_key_id: None,
            tier: None,
        };
        // 0. strata's own endpoints (health, metrics): before everything, under any load.
        let mut result = match self.internal.answer(head, &event.peer) {
            Some(answer) => answer,
            None => {
                // A sink that must not lose events and is full holds new requests here.
                if let Some(wait) = self.observe.admit() {
                    wait.await;
                }
                if admin::addresses(head.uri.path()) {
                    self.admin(head, &mut event).await
                } else {
                    self.s3(x, head, &mut event).await
                }
            }
        };
        let late = result.as_mut().ok().and_then(|answer| answer.late.take());
        note_outcome(&mut event, &mut result);
        if event.op == Some(Operation::ServicePost) {
            // IAM and STS clients parse their own error document, not S3's.
            result = result.or_else(|e| Ok(query_error(&e, head, &ids.request_id)));
        }
        // 8. Respond: the answer, or the S3 error document, with the bucket's CORS headers for
        //    a cross-origin request (errors too, so that the page can read them).
        if event.op != Some(Operation::PreflightRequest) {
            self.add_cors_headers(head, event.bucket.as_deref(), &mut result);
        }
        let sent = respond(x, head, ids, result).await;
        // An answer whose head went out before its work ended tells its outcome now.
        if let Some(mut outcome) = late.and_then(|late| late.take()) {
            note_outcome(&mut event, &mut outcome);
        }
        // 9. Observe: one event, once the answer is out (or the connection failed).
        event.status = sent.status;
        event.bytes_in = x.body_bytes_read();
        event.bytes_out = sent.bytes_out;
        event.duration = started.0.elapsed();
        if let Some(wait) = self.observe.observe(&event) {
            wait.await;
        }
        sent
    }

    async fn s3<X: Exchange>(
        &self,
        x: &mut X,
        head: &Parts,
        event: &mut RequestEvent,
    ) -> Result<Response, S3Error> {
        // 1. Admission: past the concurrency limit a request costs only its head.
        event.stage = Stage::Admission;
        let mut admitted = self.admission.request()?;
        // 2. Route; an oversized head is refused here, before anything parses or signs it.
        event.stage = Stage::Route;
        let route = route_head(head, self.domain.as_deref())?;
        let op = route.op;
        event.op = Some(op);
        event.bucket.clone_from(&route.bucket);
        event.key.clone_from(&route.key);
        event.version_id = route.query.get(param::VERSION_ID).map(str::to_string);
        // A form upload carries its credentials in its body: its own path (`stack_post.rs`).
        if op == Operation::PostObject {
            let bucket = route.bucket.clone().unwrap_or_default();
            return self.post_object(x, head, bucket, event, admitted).await;
        }
        // A CORS preflight is answered from the bucket's rules alone: browsers send it
        // without credentials, and it reads nothing but those rules.
        if op.is_unauthenticated() {
            event.stage = Stage::Handler;
            let rules = self.cors_rules(route.bucket.as_deref())?;
            return crate::cors::preflight(
                rules.as_ref().and_then(|c| c.cors.as_ref()),
                &head.headers,
            );
        }
        event.stage = Stage::Authenticate;
        // 3. Authenticate: signature, clock skew, presign expiry, token. A route that carries
        //    its credentials in a form body (STS, IAM) reads that small body first.
        let parts = RequestParts::new(&head.method, &head.uri, &head.headers);
        let (outcome, form) = if op.authenticates_from_body() {
            let length = body_length(head, op)?;
            self.admission
                .body(&mut admitted, body_charge(length, true))?;
            let form = Body::new(
                wire_body(x, expects_continue(head)),
                PayloadVerifier::unsigned(),
                length,
            )
            .collect(self.max_form_body)
            .await?;
            let outcome =
                self.authenticate
                    .authenticate_with_body(&parts, &form, SystemTime::now())?;
            (outcome, Some(form))
        } else {
            let outcome = self.authenticate.authenticate(&parts, SystemTime::now())?;
            (outcome, None)
        };
        let principal = outcome.principal();
        event.principal = Some(principal.clone());
        // 4. Authorize, before anything of the request is answered in detail.
        event.stage = Stage::Authorize;
        let needs = required_actions(&route, &head.headers)?;
        let tags = RequestTags::from_headers(&head.headers);
        let peer = event.peer.clone();
        let facts = self.facts(&peer, &outcome);
        let context = S3Conditions::new(&route, &head.headers, facts, &tags);
        self.authorize.authorize(&Access {
            principal: &principal,
            op,
            needs: &needs,
            context: &context,
        })?;
        // 5. What strata does not do is refused, never quietly skipped: operations, headers
        //    of features it lacks, and (the body transform's stage) encryption headers.
        //    After authorization, so that probing what strata supports needs keys.
        event.stage = Stage::Refusal;
        if !op.is_supported() {
            return Err(
                Code::NotImplemented.with(format!("{} is not implemented by strata", op.name()))
            );
        }
        refuse_unhonoured(op, &head.headers)?;
        self.handlers
            .transform
            .check(&head.headers, event.peer.is_confidential())?;
        // 6. Body: sizes refused from what the client announced, before a byte is read (and
        //    before `100 Continue`); then verified as it streams into the handler.
        let body = match form {
            Some(bytes) => Body::from_bytes(bytes),
            None => {
                let verifier = outcome.payload_verifier(&body_headers(op, &head.headers))?;
                let length = body_length(head, op)?;
                self.check_size(op, length)?;
                let buffered = !matches!(op, Operation::PutObject | Operation::UploadPart);
                self.admission
                    .body(&mut admitted, body_charge(length, buffered))?;
                let body = Body::new(wire_body(x, expects_continue(head)), verifier, length);
                match self.max_size(op) {
                    // Sent without a length: refused once it passes the largest one taken.
                    Some(max) if length.is_none() => body.with_limit(max),
                    _ => body,
                }
            }
        };
        // 7. Handler: one match over the operation.
        event.stage = Stage::Handler;
        let req = Request {
            op,
            bucket: route.bucket.as_deref(),
            key: route.key.as_deref(),
            query: &route.query,
            headers: &head.headers,
            caller: &principal,
            signed_service: outcome.scope_service(),
            authorize: Authorizing {
                authorizer: self.authorize.as_ref(),
                context: &context,
            },
            request_id: &event.request_id,
            body,
        };
        ops::dispatch(&self.handlers, req).await
    }

    /// The admin API: the S3 path's stages but admission, with the admin table for routing,
    /// `strata:*` actions on the server for authorization, and no body.
    async fn admin(&self, head: &Parts, event: &mut RequestEvent) -> Result<Response, S3Error> {
        // No admission: like the probes, the operator's way in works under any load (and
        // an admin call reads no body and touches no object).
        // 1. Route: an unknown path or method is answered before any key is looked at, as
        //    S3's router does.
        event.stage = Stage::Route;
        let endpoint = admin::route(head.method.as_str(), head.uri.path())?;
        event.op = Some(endpoint.op);
        let query = Query::parse(head.uri.query().unwrap_or(""))
            .map_err(|_| Code::InvalidArgument.with("the query string is not UTF-8"))?;
        // 2. Authenticate: SigV4 (service `s3`) or a presigned URL, a session token too.
        event.stage = Stage::Authenticate;
        let parts = RequestParts::new(&head.method, &head.uri, &head.headers);
        let outcome = self.authenticate.authenticate(&parts, SystemTime::now())?;
        let principal = outcome.principal();
        event.principal = Some(principal.clone());
        // 3. Authorize `strata:ACTION` with the global condition keys (aws:SourceIp, ...).
        event.stage = Stage::Authorize;
        let route = Route {
            op: endpoint.op,
            bucket: None,
            key: None,
            query: Query::default(),
        };
        let tags = RequestTags::default();
        let facts = self.facts(&event.peer, &outcome);
        let context = S3Conditions::new(&route, &head.headers, facts, &tags);
        self.authorize
            .authorize_admin(&principal, endpoint.action, &context)?;
        // 4. Admin calls carry no body, and only the query parameters they take: anything
        //    else would go unread, so it is refused.
        event.stage = Stage::Refusal;
        if body_length(head, endpoint.op)? != Some(0) {
            return Err(Code::InvalidRequest.with("admin requests carry no body"));
        }
        admin::check_params(endpoint, &query)?;
        event.stage = Stage::Handler;
        match endpoint.handler {
            admin::Handler::Now(answer) => answer(&self.admin),
            admin::Handler::Kms(call) => {
                // The key a KMS call names is in its audit event.
                if call.names_key() {
                    event.kms_key_id = query.get(admin::KEY_ID).map(str::to_string);
                }
                admin::answer_kms(&self.admin, call, &query).await
            }
            admin::Handler::Maintenance(call) => {
                admin::answer_maintenance(&self.admin, call, &query).await
            }
            admin::Handler::SessionKeys(call) => {
                let (iam, sealer) = (self.handlers.owners.store(), &self.handlers.sts.sealer);
                admin::answer_session_keys(iam, sealer, call).await
            }
        }
    }

    /// The bucket's controls, for its CORS rules (`None` for a request to no bucket).
    fn cors_rules(&self, bucket: Option<&str>) -> Result<Option<Arc<Controls>>, S3Error> {
        bucket
            .map(|b| self.handlers.bucket_access.get(b))
            .transpose()
    }

    /// Adds what the bucket's CORS rules grant a cross-origin request (one with `Origin`).
    fn add_cors_headers(
        &self,
        head: &Parts,
        bucket: Option<&str>,
        result: &mut Result<Response, S3Error>,
    ) {
        let Some(origin) = header(head, "origin") else {
            return;
        };
        // A failed read of the rules grants nothing; the request's own answer stands.
        let Ok(Some(controls)) = self.cors_rules(bucket) else {
            return;
        };
        let granted = crate::cors::actual(controls.cors.as_ref(), origin, head.method.as_str());
        match result {
            Ok(answer) => answer
                .headers
                .extend(granted.into_iter().map(|(n, v)| (n.to_string(), v))),
            Err(e) => e.headers.extend(granted),
        }
    }

    /// What the condition keys need beyond the route and the headers.
    fn facts<'a>(&'a self, peer: &'a Peer, outcome: &'a AuthOutcome) -> RequestFacts<'a> {
        RequestFacts {
            peer_ip: peer.addr.map(|a| a.ip()),
            tls_version: peer.tls.as_ref().map(|t| t.version.as_str()),
            secure_transport: peer.is_secure(),
            signature: outcome.signature(),
            now: SystemTime::now(),
            region: outcome.scope_region().unwrap_or(&self.handlers.region),
        }
    }

    /// The largest object or part strata takes, for the writes that have one.
    fn max_size(&self, op: Operation) -> Option<u64> {
        let limits = self.handlers.limits;
        match op {
            Operation::PutObject => Some(limits.max_put_size),
            Operation::UploadPart => Some(limits.max_part_size),
            _ => None,
        }
    }

    /// An object or part larger than strata takes is refused from its announced length.
    fn check_size(&self, op: Operation, length: Option<u64>) -> Result<(), S3Error> {
        let Some(max) = self.max_size(op) else {
            return Ok(());
        };
        match length {
            Some(n) if n > max => Err(Code::EntityTooLarge.with(format!(
                "your proposed upload of {n} bytes exceeds the maximum allowed size of {max} bytes"
            ))),
            _ => Ok(()),
        }
    }
}

/// A query API's error answer; the service (for the namespace) from the signature's scope.
/// What the observers learn from a handler's answer or error.
fn note_outcome(event: &mut RequestEvent, result: &mut Result<Response, S3Error>) {
    event.error = result.as_ref().err().map(|e| e.code);
    event.denial = result.as_ref().err().and_then(|e| e.denial);
    event.tier = match result {
        Ok(answer) => answer.tier.take(),
        Err(e) => e.tier.take(),
    };
    if let Ok(answer) = result {
        if event.version_id.is_none() {
            event.version_id = answer.header("x-amz-version-id").map(str::to_string);
        }
        event.removed = std::mem::take(&mut answer.removed);
        event.written = answer.written.take();
        event.sse = sse::answered_mode(|name| answer.header(name));
        if let Some(key) = answer.header(sse::KMS_KEY_ID) {
            event.kms_key_id = Some(key.to_string());
        }
    }
}

fn query_error(e: &S3Error, head: &Parts, request_id: &str) -> Response {
    let iam = header(head, "authorization").is_some_and(|a| a.contains("/iam/aws4_request"));
    let service = if iam { Service::Iam } else { Service::Sts };
    let mut headers: Vec<(String, String)> = e
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    headers.push(("content-type".into(), "text/xml".into()));
    Response {
        status: e.status(),
        headers,
        body: ResponseBody::Full(error_document(e, service, request_id)),
        ..Response::ok()
    }
}

fn header<'h>(head: &'h Parts, name: &str) -> Option<&'h str> {
    head.headers.get(name).and_then(|v| v.to_str().ok())
}

fn expects_continue(head: &Parts) -> bool {
    header(head, "expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
}

/// The body as it comes off the exchange: `100 Continue` first when the client waits for it
/// (so a request refused before its body is read never gets one), then the pieces.
fn wire_body<X: Exchange>(x: &mut X, send_continue: bool) -> WireBody<'_> {
    futures::stream::unfold((x, send_continue, false), |(x, cont, done)| async move {
        if done {
            return None;
        }
        if cont {
            if let Err(e) = x.send_continue().await {
                return Some((Err(e), (x, false, true)));
            }
        }
        match x.read_body().await {
            Ok(Some(chunk)) => Some((Ok(chunk), (x, false, false))),
            Ok(None) => None,
            Err(e) => Some((Err(e), (x, false, true))),
        }
    })
    .boxed()
}

/// The headers that describe the request's body. A completion's `x-amz-checksum-*` is the
/// checksum of the object it makes (checked against its parts by the handler), not of its
/// XML body.
fn body_headers(op: Operation, headers: &HeaderMap) -> Cow<'_, HeaderMap> {
    if op != Operation::CompleteMultipartUpload {
        return Cow::Borrowed(headers);
    }
    let mut body = headers.clone();
    for alg in ChecksumAlgorithm::ALL {
        body.remove(alg.header_name());
    }
    Cow::Owned(body)
}

/// The decoded body length the client announced. Writes of objects and parts need one.
fn body_length(head: &Parts, op: Operation) -> Result<Option<u64>, S3Error> {
    let parse = |name: &str| -> Result<Option<u64>, S3Error> {
        match header(head, name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| Code::InvalidArgument.with(format!("{name} is not a number"))),
        }
    };
    let length = match parse("x-amz-decoded-content-length")? {
        Some(n) => Some(n),
        None => parse("content-length")?,
    };
    let chunked = head.headers.contains_key("transfer-encoding");
    // An object write must say how long it is or come chunked (then it streams, its size
    // known at its end: a deliberate extension, AWS answers 411). Without either, S3
    // answers 411 even for an empty PUT; defaulting to zero would store an empty object the
    // client never sent.
    if length.is_none() && !chunked && matches!(op, Operation::PutObject | Operation::UploadPart) {
        return Err(Code::MissingContentLength
            .with("you must provide the Content-Length HTTP header or send the body chunked"));
    }
    // Anything else without a length has no body, unless it is chunked (length unknown).
    if length.is_none() && !chunked {
        return Ok(Some(0));
    }
    Ok(length)
}

#[path = "stack_post.rs"]
mod post;

#[cfg(test)]
#[path = "stack_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "stack_admin_tests.rs"]
mod admin_tests;
