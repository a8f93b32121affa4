//! A request stack over a real store on temp directories, with the stand-ins in place, and
//! requests sent to it through in-memory exchanges.

use crate::config::StorageClassNames;
use std::sync::Arc;

use http::request::Parts;
use strata_volume::{ClassConfig, Scheme, Store, StoreConfig};

use super::{MemoryExchange, Recorder, Vouching};
use crate::authorize::PolicyAuthorizer;
use crate::bucket_access::BucketAccess;
use crate::config::Limits;
use crate::iam::{IamStore, Owners};
use crate::identity::Identity;
use crate::lifecycle::LifecycleClock;
use crate::notify::Registry;
use crate::server::{build, ShutdownTrigger, Stack, StackParts};
use crate::sts_api::StsServices;
use crate::transform::BodyTransform;

/// Smallest part but the last, in the tests' store.
pub const MIN_PART_SIZE: u64 = 64 * 1024;

/// The access key the stand-in authenticator vouches for as root.
pub const ROOT_KEY: &str = "ROOTKEY";

/// A stack and what the tests look at beside it.
pub struct TestStack {
    /// The stack under test.
    pub stack: Stack,
    /// Its store, to look at what was stored.
    pub store: Store,
    /// Every request's event.
    pub recorder: Recorder,
    /// The stand-in authenticator (it keeps the form bodies it saw).
    pub auth: Arc<Vouching>,
    /// The volumes' directory.
    pub dir: tempfile::TempDir,
}

impl TestStack {
    /// A stack with `transform` and `limits` over a fresh 2+2 store with bucket `bkt`.
    pub async fn new(transform: Arc<dyn BodyTransform>, limits: Limits) -> Self {
        Self::with_notify(transform, limits, Arc::default()).await
    }

    /// The same, with notification targets and rules in `notify`.
    pub async fn with_notify(
        transform: Arc<dyn BodyTransform>,
        limits: Limits,
        notify: Arc<Registry>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let volumes = (0..4)
            .map(|i| {
                let p = dir.path().join(format!("v{i}"));
                std::fs::create_dir_all(&p).expect("a volume dir");
                p
            })
            .collect();
        let config = StoreConfig {
            // Small parts keep multipart tests quick; the rule is the same at any size.
            min_part_size: MIN_PART_SIZE,
            ..StoreConfig::new(vec![ClassConfig {
                name: "fast".into(),
                volumes,
                scheme: Some(Scheme::Erasure { data: 2, parity: 2 }),
            }])
        };
        let store = Store::open(config).await.expect("the store opens");
        store.create_bucket("bkt", None).await.expect("bucket bkt");
        let recorder = Recorder::default();
        let auth = Arc::new(Vouching::default());
        // The stand-in authenticator vouches for the root of the test account.
        let root = Identity::test_root("root").account.clone();
        let iam = IamStore::open(store.clone(), crate::iam::SecretSeal::random())
            .await
            .expect("the identity store opens");
        let bucket_access = BucketAccess::new(store.clone());
        let owners = Owners::new(iam, root);
        let stack = build(StackParts {
            store: store.clone(),
            bucket_access: bucket_access.clone(),
            owners: owners.clone(),
            sts: Arc::new(StsServices::ephemeral()),
            shutdown: ShutdownTrigger::default(),
            reseal: None,
            kms: None,
            maintenance: None,
            domain: None,
            trusted_proxies: Default::default(),
            authenticate: auth.clone(),
            authorize: Arc::new(PolicyAuthorizer::new(store.clone(), owners, bucket_access)),
            transform,
            observe: Arc::new(recorder.clone()),
            metrics: crate::metrics::Exposition::default(),
            notify,
            region: "us-east-1".into(),
            class_names: StorageClassNames::namespace_only("fast"),
            tier_seal: Default::default(),
            restoring: Default::default(),
            lifecycle_clock: LifecycleClock::default(),
            limits,
        });
        TestStack {
            stack,
            store,
            recorder,
            auth,
            dir,
        }
    }

    /// Sends a request as root (unless `headers` name another key) with `body`.
    pub async fn send(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> MemoryExchange {
        let head = request_head(method, target, headers, Some(body.len() as u64));
        let mut x = MemoryExchange::with_body(body);
        self.stack.serve(&mut x, &head).await;
        x
    }
}

/// A request head as a client would send it: root's test key unless one is given, and the
/// body's length.
pub fn request_head(
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    length: Option<u64>,
) -> Parts {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(target)
        .header("host", "127.0.0.1:9000");
    if !headers.iter().any(|(n, _)| *n == "x-test-key") {
        builder = builder.header("x-test-key", ROOT_KEY);
    }
    if let Some(len) = length.filter(|_| !headers.iter().any(|(n, _)| *n == "content-length")) {
        builder = builder.header("content-length", len);
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).expect("a valid request").into_parts().0
}
