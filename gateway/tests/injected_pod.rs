//! The injected pod, end to end, with no static key anywhere: the injector's mutation (in
//! process) on a pod spec, its JSON Patch applied; the sidecar container's rendered args and
//! env start this package's `strata`; the app container's rendered env (and nothing else
//! but `PATH` and `HOME`) is given to boto3, which calls AssumeRoleWithWebIdentity on the
//! sidecar and then S3.
//!
//! The real panva `oidc-provider` plays the cluster's service-account issuer: its JWKS is
//! what the injector would have fetched from `/openid/v1/jwks`, and it mints the projected
//! token (`sub` `system:serviceaccount:demo:app`, `aud` `strata`). In-pod paths are mapped
//! to a temp root, the downward-API files written from the pod's annotations as the kubelet
//! would, and the loopback port replaced by a free one; nothing else is changed.
//!
//! With `strata.io/kms-*` annotations the sidecar logs in to a real OpenBao (`STRATA_BAO`)
//! with its own projected token (the provider's, as the kubelet would write it) through the
//! `jwt` method, and the app's SSE-KMS objects are sealed under transit keys.
//!
//! Needs `STRATA_OIDC_SERVER`, `STRATA_NODE` and `STRATA_PYTHON` (boto3), from
//! `tests/realparts/install.sh` and `~/.cache/strata-tools/env.sh`: without them it fails.

#[path = "support/oidc.rs"]
mod oidc;

use std::path::PathBuf;
use std::process::{Command, Output};

use oidc::OidcProvider;
use serde_json::{json, Value};
use strata_injector::cluster::{compact_jwks, ClusterIdentity, ClusterKeys};
use strata_injector::config::InjectorConfig;
use strata_injector::inject::{decide, Outcome};
use strata_tests::{free_port, kms_key_of_arn, Bao, Server};

/// The sidecar's loopback endpoint as rendered in the pod.
const POD_ENDPOINT: &str = "http://127.0.0.1:9000";

/// A pod of service account `demo:app` with four volumes and one bucket; `app_env` is
/// the app container's own env.
fn pod(app_env: Value) -> Value {
    let claim = |n: &str| json!({"name": n, "emptyDir": {}});
    json!({
        "metadata": {
            "name": "shop-0",
            "labels": {"strata.io/inject": "true"},
            "annotations": {
                "strata.io/volumes": "fast=d0,d1,d2,d3",
                "strata.io/buckets": "data"
            }
        },
        "spec": {
            "serviceAccountName": "app",
            "volumes": [claim("d0"), claim("d1"), claim("d2"), claim("d3")],
            "containers": [{"name": "app", "image": "example.org/app:1", "env": app_env}]
        }
    })
}

/// The injector, knowing the cluster's issuer and keys (the oidc-provider's).
fn injector(idp: &OidcProvider) -> InjectorConfig {
    InjectorConfig {
        cluster: ClusterKeys::with(ClusterIdentity {
            issuer: idp.issuer.clone(),
            jwks: compact_jwks(&idp.jwks()).expect("the provider's JWKS"),
        }),
        ..InjectorConfig::default()
    }
}

/// The pod as admitted: the webhook's patch applied with the `json-patch` crate.
fn admit(pod: &Value, cfg: &InjectorConfig) -> Value {
    let Outcome::Inject(ops) = decide(pod, "demo", cfg) else {
        panic!("not injected: {:?}", decide(pod, "demo", cfg))
    };
    let patch: json_patch::Patch =
        serde_json::from_value(serde_json::to_value(ops).unwrap()).expect("RFC 6902 patch");
    let mut out = pod.clone();
    json_patch::patch(&mut out, &patch).expect("the patch applies");
    out
}

/// One pod's files on this machine: in-pod absolute paths live under `root`.
struct PodFs {
    root: tempfile::TempDir,
}

impl PodFs {
    fn path(&self, in_pod: &str) -> PathBuf {
        PathBuf::from(format!("{}{in_pod}", self.root.path().display()))
    }

    /// A rendered value with its in-pod paths mapped (lists split on `,` `;`, `K=V` pairs).
    fn map(&self, value: &str) -> String {
        value.split([',', ';']).fold(value.to_owned(), |acc, part| {
            let path = part.split('=').next_back().unwrap_or(part).trim();
            if path.starts_with('/') {
                acc.replace(path, &self.path(path).display().to_string())
            } else {
                acc
            }
        })
    }

    /// Makes every mount of `container`, and writes the downward-API files it mounts from
    /// the pod's annotations (as the kubelet does), with in-pod paths mapped in them.
    fn mount(&self, pod: &Value, container: &Value, endpoint: &str) {
        for m in container["volumeMounts"].as_array().into_iter().flatten() {
            let dir = self.path(m["mountPath"].as_str().unwrap());
            std::fs::create_dir_all(&dir).unwrap();
            let volume = pod["spec"]["volumes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["name"] == m["name"])
                .unwrap_or_else(|| panic!("no pod volume for mount {m}"));
            for item in volume["downwardAPI"]["items"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let field = item["fieldRef"]["fieldPath"].as_str().unwrap();
                let key = field
                    .strip_prefix("metadata.annotations['")
                    .and_then(|k| k.strip_suffix("']"))
                    .unwrap_or_else(|| panic!("unexpected downward-API field {field}"));
                let text = pod["metadata"]["annotations"][key]
                    .as_str()
                    .unwrap_or_else(|| panic!("annotation {key} is not in the pod"));
                let text: String = text
                    .lines()
                    .map(|line| match line.split_once("= /") {
                        Some((k, v)) => format!("{k}= {}", self.path(&format!("/{v}")).display()),
                        None => line.replace(POD_ENDPOINT, endpoint),
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                std::fs::write(dir.join(item["path"].as_str().unwrap()), text).unwrap();
            }
        }
    }
}

/// `name=value` pairs of a rendered env. The only `valueFrom` web identity uses is the
/// pod's IP, which is loopback here; any other (a Secret's key) fails the test.
fn env_of(container: &Value) -> Vec<(String, String)> {
    container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let value = match e["value"].as_str() {
                Some(v) => v,
                None if e["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP" => "127.0.0.1",
                None => panic!("{e} is neither a value nor the pod's IP"),
            };
            (e["name"].as_str().unwrap().to_owned(), value.to_owned())
        })
        .collect()
}

/// Starts `strata` with exactly the sidecar's rendered args and env.
fn start_sidecar(pod: &Value, fs: &PodFs) -> Server {
    let sidecar = &pod["spec"]["initContainers"][0];
    assert_eq!(sidecar["name"], "strata");
    let port = free_port();
    let metrics_port = free_port();
    let args: Vec<String> = sidecar["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a.as_str()
                .unwrap()
                .replace("$(POD_IP):9464", &format!("127.0.0.1:{metrics_port}"))
        })
        .collect();
    let env: Vec<(String, String)> = env_of(sidecar)
        .into_iter()
        .map(|(name, value)| {
            let value = match name.as_str() {
                "STRATA_LISTEN" => format!("127.0.0.1:{port}"),
                _ => fs.map(&value),
            };
            (name, value)
        })
        .collect();
    for (name, _) in &env {
        assert!(
            !name.contains("ACCESS_KEY") && !name.contains("SECRET"),
            "a static key in the sidecar's env: {name}"
        );
    }
    fs.mount(pod, sidecar, "unused");
    Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .exactly(args, env, port)
        .start()
}

/// boto3 with only the app container's rendered env (paths and the endpoint mapped),
/// `PATH` and an empty `HOME`.
fn run_app(pod: &Value, fs: &PodFs, server: &Server, token: &str, script: &str) -> Output {
    let app = &pod["spec"]["containers"][0];
    fs.mount(pod, app, &server.endpoint());
    let token_file = fs.path("/var/run/secrets/strata.io/serviceaccount/token");
    std::fs::write(&token_file, token).unwrap();
    let home = fs.path("/home/app");
    std::fs::create_dir_all(&home).unwrap();
    let python = std::env::var("STRATA_PYTHON").unwrap_or_else(|_| {
        panic!("STRATA_PYTHON is not set: this test needs boto3 from tests/realparts/install.sh")
    });
    let mut command = Command::new(python);
    command
        .args(["-c", script])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home);
    for (name, value) in env_of(app) {
        assert!(
            !name.contains("ACCESS_KEY") && !name.contains("SECRET"),
            "a static key in the app's env: {name}"
        );
        let value = fs.map(&value.replace(POD_ENDPOINT, &server.endpoint()));
        command.env(name, value);
    }
    command.output().expect("run python")
}

fn stdout_of(out: &Output, server: &Server) -> String {
    assert!(
        out.status.success(),
        "{}\n--- server\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_tail()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Put, get and list with the default credential chain, then say who it is.
const APP: &str = "
import boto3, botocore.config, botocore.exceptions
path = botocore.config.Config(s3={'addressing_style': 'path'})
session = boto3.Session(PROFILE)
s3 = session.client('s3', config=path)
try:
    s3.put_object(Bucket='data', Key='hello.txt', Body=b'from the pod')
except botocore.exceptions.ClientError as e:
    print('error', e.response['Error']['Code'], e.operation_name)
    raise SystemExit(0)
print(s3.get_object(Bucket='data', Key='hello.txt')['Body'].read().decode())
print([o['Key'] for o in s3.list_objects_v2(Bucket='data')['Contents']])
print(session.client('sts').get_caller_identity()['Arn'])
";

fn app_script(profile: Option<&str>) -> String {
    let profile = profile.map_or("profile_name=None".to_owned(), |p| {
        format!("profile_name='{p}'")
    });
    APP.replace("PROFILE", &profile)
}

#[test]
fn an_injected_app_reads_and_writes_with_only_its_rendered_env_and_its_token() {
    let idp = OidcProvider::start("strata");
    let pod = admit(&pod(json!([])), &injector(&idp));
    let fs = PodFs {
        root: tempfile::tempdir().unwrap(),
    };
    let server = start_sidecar(&pod, &fs);

    let out = run_app(&pod, &fs, &server, &idp.token_for("app"), &app_script(None));
    assert_app_used_strata(&stdout_of(&out, &server));

    // Another service account's token, from the same issuer and for the same audience:
    // the role trusts only `demo:app`.
    let out = run_app(
        &pod,
        &fs,
        &server,
        &idp.token_for("other"),
        &app_script(None),
    );
    assert_eq!(
        stdout_of(&out, &server),
        "error AccessDenied AssumeRoleWithWebIdentity\n"
    );
}

/// The app wrote, read and listed, as a session of the role the injector named (in the
/// injector's default account, `000000000000`; boto3 or the profile names the session).
fn assert_app_used_strata(text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[..2], ["from the pod", "['hello.txt']"], "{text}");
    assert!(
        lines[2].starts_with("arn:aws:sts::000000000000:assumed-role/app/"),
        "{text}"
    );
}

#[test]
fn beside_irsa_the_app_keeps_its_aws_role_and_reaches_strata_through_the_strata_profile() {
    let idp = OidcProvider::start("strata");
    let irsa_role = "arn:aws:iam::111122223333:role/eks-app";
    let irsa_token = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    let pod = admit(
        &pod(json!([
            {"name": "AWS_ROLE_ARN", "value": irsa_role},
            {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": irsa_token}
        ])),
        &injector(&idp),
    );
    let app_env = env_of(&pod["spec"]["containers"][0]);
    let get = |name: &str| -> Vec<&str> {
        app_env
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(get("AWS_ROLE_ARN"), [irsa_role]);
    assert_eq!(get("AWS_WEB_IDENTITY_TOKEN_FILE"), [irsa_token]);
    assert!(get("AWS_ENDPOINT_URL_S3").is_empty() && get("AWS_ENDPOINT_URL").is_empty());

    let fs = PodFs {
        root: tempfile::tempdir().unwrap(),
    };
    let server = start_sidecar(&pod, &fs);
    let out = run_app(
        &pod,
        &fs,
        &server,
        &idp.token_for("app"),
        &app_script(Some("strata")),
    );
    assert_app_used_strata(&stdout_of(&out, &server));

    // The default profile is left to IRSA: no endpoint of strata's, the pod's AWS role.
    let probe = "
import boto3
s = boto3.Session()
print(s.client('s3', region_name='eu-west-1').meta.endpoint_url)
print(s.client('sts', region_name='eu-west-1').meta.endpoint_url)
";
    let out = run_app(&pod, &fs, &server, &idp.token_for("app"), probe);
    let text = stdout_of(&out, &server);
    assert!(
        !text.contains("127.0.0.1"),
        "the default profile reaches strata:\n{text}"
    );
    assert!(text.contains("amazonaws.com"), "{text}");
}

/// SSE-KMS from the app: a put under transit key `app`, read back, and how HEAD reports it.
const KMS_APP: &str = "
import boto3, botocore.config
s3 = boto3.client('s3', config=botocore.config.Config(s3={'addressing_style': 'path'}))
s3.put_object(Bucket='data', Key='sealed.txt', Body=b'kept in vault',
              ServerSideEncryption='aws:kms', SSEKMSKeyId='app')
print(s3.get_object(Bucket='data', Key='sealed.txt')['Body'].read().decode())
head = s3.head_object(Bucket='data', Key='sealed.txt')
print(head['ServerSideEncryption'], head['SSEKMSKeyId'])
";

#[test]
fn an_injected_sidecar_reaches_openbao_with_its_own_token_and_no_secret() {
    let idp = OidcProvider::start("strata");
    let bao = Bao::start();
    for key in ["app", "strata-sse-kms", "strata-sse-s3"] {
        bao.transit_key(key);
    }
    bao.transit_policy("strata-transit");
    bao.jwt_role(
        &idp.issuer,
        "strata",
        "system:serviceaccount:demo:app",
        "strata",
        "strata-transit",
    );
    let mut spec = pod(json!([]));
    let annotations = &mut spec["metadata"]["annotations"];
    annotations["strata.io/kms-address"] = json!(bao.url());
    annotations["strata.io/kms-auth"] = json!("jwt");
    annotations["strata.io/kms-role"] = json!("strata");
    annotations["strata.io/kms-audience"] = json!("strata");
    let pod = admit(&spec, &injector(&idp));
    let fs = PodFs {
        root: tempfile::tempdir().unwrap(),
    };
    // The kubelet's projected token for the sidecar's KMS audience.
    let kms_volume = pod["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "strata-kms-token")
        .expect("the sidecar's KMS token volume");
    assert_eq!(
        kms_volume["projected"]["sources"][0]["serviceAccountToken"]["audience"],
        "strata"
    );
    let token = fs.path("/var/run/secrets/strata.io/kms/token");
    std::fs::create_dir_all(token.parent().unwrap()).unwrap();
    std::fs::write(&token, idp.token_for("app")).unwrap();
    let server = start_sidecar(&pod, &fs);
    let out = run_app(&pod, &fs, &server, &idp.token_for("app"), KMS_APP);
    // The app read its object back and saw it stored under `app`, named by its ARN.
    let said = stdout_of(&out, &server);
    let (body, encryption) = said.split_once('\n').unwrap_or_default();
    assert_eq!(body, "kept in vault", "{said}");
    let arn = encryption
        .trim_end()
        .strip_prefix("aws:kms ")
        .unwrap_or_default();
    assert_eq!(kms_key_of_arn(arn), Some("app"), "{said}");
    // The sidecar's SSE-S3 key is sealed by OpenBao too.
    let sealed = std::fs::read(fs.path("/var/lib/strata/sse-s3.key")).unwrap();
    assert!(sealed.starts_with(b"vault:v1:"));
}
