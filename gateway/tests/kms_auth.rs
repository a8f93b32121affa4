//! strata's logins to a real OpenBao transit engine (`STRATA_BAO`): AppRole, and the `jwt`
//! method with a service-account-style token from the real oidc-provider, which OpenBao
//! verifies offline through the provider's OIDC discovery and JWKS (as it would a cluster's
//! issuer). Each strata round-trips SSE-KMS objects with the aws CLI under a least-privilege
//! policy; a strata whose login OpenBao refuses does not start, and says why.

#[path = "support/oidc.rs"]
mod oidc;

use std::path::Path;

use oidc::OidcProvider;
use serde_json::Value;
use strata_tests::{aws_ok as ok, kms_key_of_arn, Bao, Layout, Server, ServerBuilder};

/// OpenBao with transit keys `app`, `strata-sse-kms` and `strata-sse-s3`, and the policy
/// `strata-transit`.
fn openbao() -> Bao {
    let bao = Bao::start();
    bao.transit_key("app");
    bao.transit_key("strata-sse-kms");
    bao.transit_key("strata-sse-s3");
    bao.transit_policy("strata-transit");
    bao
}

/// strata on `bao`'s transit engine with the given `--kms-*` login settings, to start.
fn strata(dir: &Path, bao: &Bao, login: &[&str]) -> ServerBuilder {
    let mut builder = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .dir(dir)
        .arg("--kms-address")
        .arg(&bao.url());
    for arg in login {
        builder = builder.arg(arg);
    }
    builder
}

/// SSE-KMS put, head and get through `server`.
fn round_trip(server: &Server, tmp: &Path) {
    ok(server, &["s3api", "create-bucket", "--bucket", "kms"]);
    let body = tmp.join("body");
    let data: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&body, &data).unwrap();
    let body_path = body.to_str().unwrap();
    ok(
        server,
        &[
            "s3",
            "cp",
            "--sse",
            "aws:kms",
            "--sse-kms-key-id",
            "app",
            body_path,
            "s3://kms/object",
        ],
    );
    let head: Value = serde_json::from_str(&ok(
        server,
        &["s3api", "head-object", "--bucket", "kms", "--key", "object"],
    ))
    .unwrap();
    assert_eq!(head["ServerSideEncryption"], "aws:kms");
    let arn = head["SSEKMSKeyId"].as_str().unwrap_or_default();
    assert_eq!(kms_key_of_arn(arn), Some("app"), "{head}");
    let out = tmp.join("out");
    ok(
        server,
        &["s3", "cp", "s3://kms/object", out.to_str().unwrap()],
    );
    assert!(std::fs::read(&out).unwrap() == data, "the object differs");
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn strata_logs_in_to_openbao_with_approle() {
    let tmp = tempfile::tempdir().unwrap();
    let bao = openbao();
    bao.ok("POST", "sys/auth/approle", r#"{"type":"approle"}"#);
    bao.ok(
        "POST",
        "auth/approle/role/strata",
        r#"{"token_policies":["strata-transit"],"token_ttl":"20m"}"#,
    );
    let role_id: Value =
        serde_json::from_slice(&bao.ok("GET", "auth/approle/role/strata/role-id", "").body)
            .unwrap();
    let secret_id: Value = serde_json::from_slice(
        &bao.ok("POST", "auth/approle/role/strata/secret-id", "")
            .body,
    )
    .unwrap();
    let role_file = write(
        tmp.path(),
        "role-id",
        role_id["data"]["role_id"].as_str().unwrap(),
    );
    let secret_file = write(
        tmp.path(),
        "secret-id",
        secret_id["data"]["secret_id"].as_str().unwrap(),
    );
    let server = strata(
        &tmp.path().join("server"),
        &bao,
        &[
            "--kms-auth",
            "approle",
            "--kms-role-id-file",
            &role_file,
            "--kms-secret-id-file",
            &secret_file,
        ],
    )
    .start();
    round_trip(&server, tmp.path());
}

#[test]
fn strata_logs_in_to_openbao_with_its_service_account_token() {
    let tmp = tempfile::tempdir().unwrap();
    let idp = OidcProvider::start("openbao");
    let bao = openbao();
    bao.jwt_role(
        &idp.issuer,
        "openbao",
        "system:serviceaccount:demo:app",
        "strata",
        "strata-transit",
    );
    let login = |jwt_file: &str| {
        let args = [
            "--kms-auth",
            "jwt",
            "--kms-role",
            "strata",
            "--kms-jwt-file",
            jwt_file,
        ];
        args.map(String::from)
    };
    let jwt_file = write(tmp.path(), "sa-token", &idp.token());
    let args = login(&jwt_file);
    let server = strata(
        &tmp.path().join("server"),
        &bao,
        &args.each_ref().map(String::as_str),
    )
    .start();
    round_trip(&server, tmp.path());

    // Another service account's token: OpenBao refuses the login (its subject is not the
    // role's). The SSE-S3 key of a new store is sealed by transit, so that strata does not
    // start, and says why.
    let other = tempfile::tempdir().unwrap();
    let jwt_file = write(other.path(), "sa-token", &idp.token_for("other"));
    let args = login(&jwt_file);
    let log = strata(
        &other.path().join("server"),
        &bao,
        &args.each_ref().map(String::as_str),
    )
    .start_refused();
    assert!(
        log.contains("auth/jwt/login") && log.contains("invalid subject"),
        "{log}"
    );
}
