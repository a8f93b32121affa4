//! Where a provider's keys come from and how they are kept: discovery, JWKS URL, JWKS
//! file; refresh on an unknown kid (rate-limited), TTL, outages, staleness; configuration.

mod support;

use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use strata_sts::web_identity::{
    ConfigError, InvalidIdentityToken as Invalid, KeySource, ProviderConfig, VerifierConfig,
    VerifierSettings, WebIdentityError, WebIdentityVerifier,
};
use support::keys::{jwks, TestKey};
use support::server::JwksServer;
use support::{install_crypto_provider, now};

fn claims(issuer: &str) -> Value {
    let now = now();
    json!({ "iss": issuer, "sub": "system:serviceaccount:demo:app", "aud": "strata", "iat": now, "exp": now + 600 })
}

fn provider(issuer: &str, keys: KeySource) -> ProviderConfig {
    ProviderConfig {
        issuer: issuer.to_string(),
        audiences: vec!["strata".into()],
        keys,
        ca_bundle: None,
    }
}

fn verifier(providers: Vec<ProviderConfig>, settings: VerifierSettings) -> WebIdentityVerifier {
    WebIdentityVerifier::new(
        VerifierConfig {
            providers,
            settings,
        },
        None,
    )
    .unwrap()
}

fn discovery_verifier(server: &JwksServer, settings: VerifierSettings) -> WebIdentityVerifier {
    verifier(vec![provider(&server.base, KeySource::Discovery)], settings)
}

fn idp_detail(error: WebIdentityError) -> String {
    assert_eq!(error.aws_code(), "IDPCommunicationError");
    match error {
        WebIdentityError::IdpCommunicationError { detail, .. } => detail,
        other => panic!("expected IdpCommunicationError, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_kid_refreshes_once_and_finds_the_rotated_key() {
    let (a, b) = (TestKey::es256("a"), TestKey::es256("b"));
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    let verifier = discovery_verifier(&server, VerifierSettings::default());
    verifier
        .verify(&a.sign(&claims(&server.base)))
        .await
        .unwrap();
    assert_eq!(server.jwks_hits(), 1);

    // The provider rotates: b is new. The first token signed by b triggers one refresh.
    server.set_jwks(jwks(&[&a.jwk, &b.jwk]));
    let identity = verifier
        .verify(&b.sign(&claims(&server.base)))
        .await
        .unwrap();
    assert_eq!(identity.subject, "system:serviceaccount:demo:app");
    assert_eq!(server.jwks_hits(), 2);

    // Another unknown kid within the refresh interval: refused without a fetch.
    let stranger = TestKey::es256("stranger");
    assert_eq!(
        verifier
            .verify(&stranger.sign(&claims(&server.base)))
            .await
            .unwrap_err(),
        WebIdentityError::InvalidIdentityToken(Invalid::UnknownKeyId("stranger".into()))
    );
    assert_eq!(server.jwks_hits(), 2);
}

#[tokio::test]
async fn refreshes_for_unknown_kids_are_rate_limited_per_provider() {
    let a = TestKey::es256("a");
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    let settings = VerifierSettings {
        min_refresh_interval: Duration::from_millis(500),
        ..VerifierSettings::default()
    };
    let verifier = discovery_verifier(&server, settings);
    verifier
        .verify(&a.sign(&claims(&server.base)))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;

    let sprayed = |i: usize| TestKey::es256(&format!("spray-{i}"));
    let first = sprayed(0).sign(&claims(&server.base));
    assert!(verifier.verify(&first).await.is_err());
    assert_eq!(server.jwks_hits(), 2, "the first unknown kid refreshes");
    for i in 1..10 {
        assert!(verifier
            .verify(&sprayed(i).sign(&claims(&server.base)))
            .await
            .is_err());
    }
    assert_eq!(
        server.jwks_hits(),
        2,
        "a burst of unknown kids fetches nothing more"
    );

    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(verifier.verify(&first).await.is_err());
    assert_eq!(
        server.jwks_hits(),
        3,
        "after the interval, one more refresh"
    );
}

#[tokio::test]
async fn concurrent_first_uses_fetch_the_keys_once() {
    let a = TestKey::es256("a");
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    let verifier = std::sync::Arc::new(discovery_verifier(&server, VerifierSettings::default()));
    let token = a.sign(&claims(&server.base));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify(&token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.jwks_hits(), 1);
}

#[tokio::test]
async fn keys_are_fetched_again_once_their_ttl_has_passed() {
    let a = TestKey::es256("a");
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    let settings = VerifierSettings {
        jwks_ttl: Duration::from_millis(400),
        min_refresh_interval: Duration::ZERO,
        ..VerifierSettings::default()
    };
    let verifier = discovery_verifier(&server, settings);
    let token = a.sign(&claims(&server.base));
    verifier.verify(&token).await.unwrap();
    verifier.verify(&token).await.unwrap();
    assert_eq!(server.jwks_hits(), 1, "within the TTL the cache answers");
    tokio::time::sleep(Duration::from_millis(500)).await;
    verifier.verify(&token).await.unwrap();
    assert_eq!(server.jwks_hits(), 2);

    // A key removed by the provider stops verifying after the next fetch.
    server.set_jwks(jwks(&[&TestKey::es256("b").jwk]));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        verifier.verify(&token).await.unwrap_err(),
        WebIdentityError::InvalidIdentityToken(Invalid::UnknownKeyId("a".into()))
    );
}

#[tokio::test]
async fn an_outage_keeps_the_last_good_keys_until_they_are_too_stale() {
    let a = TestKey::es256("a");
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    let settings = VerifierSettings {
        jwks_ttl: Duration::ZERO,
        min_refresh_interval: Duration::ZERO,
        max_staleness: Duration::from_millis(800),
        ..VerifierSettings::default()
    };
    let verifier = discovery_verifier(&server, settings);
    let token = a.sign(&claims(&server.base));
    verifier.verify(&token).await.unwrap();

    server.set_failing(true);
    verifier.verify(&token).await.unwrap();
    assert!(
        server.jwks_hits() == 1,
        "discovery fails first, JWKS is not even asked"
    );

    tokio::time::sleep(Duration::from_millis(900)).await;
    let detail = idp_detail(verifier.verify(&token).await.unwrap_err());
    assert!(detail.contains("maximum staleness"), "{detail}");
    assert!(detail.contains("HTTP 503"), "{detail}");

    server.set_failing(false);
    verifier.verify(&token).await.unwrap();
}

#[tokio::test]
async fn an_unreachable_provider_without_keys_is_an_idp_communication_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", closed.local_addr().unwrap());
    drop(closed);
    let issuer = "https://issuer.invalid";
    let verifier = verifier(
        vec![provider(issuer, KeySource::JwksUrl(url.clone()))],
        VerifierSettings::default(),
    );
    let token = TestKey::es256("a").sign(&claims(issuer));
    let error = verifier.verify(&token).await.unwrap_err();
    assert!(
        matches!(&error, WebIdentityError::IdpCommunicationError { issuer: i, .. } if i == issuer)
    );
    let detail = idp_detail(error);
    assert!(detail.contains(&url), "{detail}");
    // Within the refresh interval the failure is remembered rather than retried.
    let again = idp_detail(verifier.verify(&token).await.unwrap_err());
    assert_eq!(again, detail);
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_not_trusted() {
    let a = TestKey::es256("a");
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    server.set_discovery_issuer("https://evil.example.com");
    let verifier = discovery_verifier(&server, VerifierSettings::default());
    let detail = idp_detail(
        verifier
            .verify(&a.sign(&claims(&server.base)))
            .await
            .unwrap_err(),
    );
    assert!(detail.contains("evil.example.com"), "{detail}");
    assert_eq!(server.jwks_hits(), 0);
}

#[tokio::test]
async fn a_jwks_url_source_does_not_use_discovery() {
    let a = TestKey::ed25519("a");
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    server.set_discovery_issuer("https://evil.example.com");
    let verifier = verifier(
        vec![provider(
            &server.base,
            KeySource::JwksUrl(server.jwks_url()),
        )],
        VerifierSettings::default(),
    );
    verifier
        .verify(&a.sign(&claims(&server.base)))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_jwks_without_usable_keys_does_not_replace_the_good_ones() {
    let a = TestKey::es256("a");
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    let settings = VerifierSettings {
        jwks_ttl: Duration::ZERO,
        min_refresh_interval: Duration::ZERO,
        ..VerifierSettings::default()
    };
    let verifier = discovery_verifier(&server, settings);
    let token = a.sign(&claims(&server.base));
    verifier.verify(&token).await.unwrap();
    server.set_jwks(json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0" }] }));
    verifier.verify(&token).await.unwrap();
    assert!(server.jwks_hits() >= 2);
}

fn write_atomically(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[tokio::test]
async fn a_jwks_file_is_read_and_read_again_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    let (a, b) = (TestKey::rsa("a", Algorithm::RS256), TestKey::es256("b"));
    write_atomically(&path, &jwks(&[&a.jwk]).to_string());
    let issuer = "https://kubernetes.default.svc";
    let verifier = verifier(
        vec![provider(issuer, KeySource::JwksFile(path.clone()))],
        VerifierSettings::default(),
    );
    let identity = verifier.verify(&a.sign(&claims(issuer))).await.unwrap();
    assert_eq!(identity.condition_key_prefix, "kubernetes.default.svc");
    let token_b = b.sign(&claims(issuer));
    assert_eq!(
        verifier.verify(&token_b).await.unwrap_err(),
        WebIdentityError::InvalidIdentityToken(Invalid::UnknownKeyId("b".into()))
    );

    // The cluster rotates its keys; the mounted file is replaced.
    write_atomically(&path, &jwks(&[&b.jwk]).to_string());
    verifier.verify(&token_b).await.unwrap();

    // A broken or vanished file keeps the last good keys.
    write_atomically(&path, "{ not json");
    verifier.verify(&token_b).await.unwrap();
    std::fs::remove_file(&path).unwrap();
    verifier.verify(&token_b).await.unwrap();
}

#[tokio::test]
async fn a_missing_jwks_file_is_an_idp_communication_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.json");
    let issuer = "https://kubernetes.default.svc";
    let verifier = verifier(
        vec![provider(issuer, KeySource::JwksFile(path.clone()))],
        VerifierSettings::default(),
    );
    let detail = idp_detail(
        verifier
            .verify(&TestKey::es256("a").sign(&claims(issuer)))
            .await
            .unwrap_err(),
    );
    assert!(detail.contains("absent.json"), "{detail}");
}

#[tokio::test]
async fn the_callers_http_client_is_used_for_providers_without_a_ca_bundle() {
    install_crypto_provider();
    let a = TestKey::es256("a");
    let server = JwksServer::start(jwks(&[&a.jwk])).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let verifier = WebIdentityVerifier::new(
        VerifierConfig {
            providers: vec![provider(&server.base, KeySource::Discovery)],
            settings: VerifierSettings::default(),
        },
        Some(client),
    )
    .unwrap();
    verifier
        .verify(&a.sign(&claims(&server.base)))
        .await
        .unwrap();
}

#[tokio::test]
async fn providers_are_told_apart_by_issuer() {
    let (a, b) = (TestKey::es256("same-kid"), TestKey::es256("same-kid"));
    let (one, two) = (
        JwksServer::start(jwks(&[&a.jwk])).await,
        JwksServer::start(jwks(&[&b.jwk])).await,
    );
    let verifier = verifier(
        vec![
            provider(&one.base, KeySource::Discovery),
            provider(&two.base, KeySource::Discovery),
        ],
        VerifierSettings::default(),
    );
    assert_eq!(verifier.issuers().count(), 2);
    assert_eq!(
        verifier
            .verify(&a.sign(&claims(&one.base)))
            .await
            .unwrap()
            .issuer,
        one.base
    );
    assert_eq!(
        verifier
            .verify(&b.sign(&claims(&two.base)))
            .await
            .unwrap()
            .issuer,
        two.base
    );
    // A's key claiming to be issuer two: two's key of the same kid does not verify it.
    assert_eq!(
        verifier
            .verify(&a.sign(&claims(&two.base)))
            .await
            .unwrap_err(),
        WebIdentityError::InvalidIdentityToken(Invalid::BadSignature)
    );
}

fn build(providers: Vec<ProviderConfig>) -> Result<WebIdentityVerifier, ConfigError> {
    WebIdentityVerifier::new(
        VerifierConfig {
            providers,
            settings: VerifierSettings::default(),
        },
        None,
    )
}

#[test]
fn configurations_that_could_never_work_are_refused() {
    let ok = provider("https://issuer.example.com", KeySource::Discovery);
    assert_eq!(
        build(vec![ok.clone(), ok.clone()]).err(),
        Some(ConfigError::DuplicateIssuer(
            "https://issuer.example.com".into()
        ))
    );
    let mut no_audience = ok.clone();
    no_audience.audiences.clear();
    assert_eq!(
        build(vec![no_audience]).err(),
        Some(ConfigError::NoAudience("https://issuer.example.com".into()))
    );
    assert_eq!(
        build(vec![provider("issuer.example.com", KeySource::Discovery)]).err(),
        Some(ConfigError::BadIssuer("issuer.example.com".into()))
    );
    assert_eq!(
        build(vec![provider(
            "https://issuer.example.com",
            KeySource::JwksUrl("file:///etc/jwks".into())
        )])
        .err(),
        Some(ConfigError::BadJwksUrl("file:///etc/jwks".into()))
    );

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").unwrap();
    for bundle in [empty, dir.path().join("absent.pem")] {
        let mut with_bundle = ok.clone();
        with_bundle.ca_bundle = Some(bundle.clone());
        assert!(
            matches!(build(vec![with_bundle]).err(), Some(ConfigError::CaBundle { path, .. }) if path == bundle),
            "{bundle:?}"
        );
    }
}
