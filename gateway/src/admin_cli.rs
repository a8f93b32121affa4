//! `strata admin`: calls the admin API of a running server (`docs/ADMIN.md`), signed with
//! SigV4 (service `s3`) by the credentials in the usual AWS variables, as `curl
//! --aws-sigv4` or any SDK would.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, PayloadChecksumKind, SignableBody, SignableRequest};
use aws_sigv4::http_request::{SigningSettings, UriPathNormalizationMode};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use clap::{Args, Subcommand};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How often `--wait` asks.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// `strata admin`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The server's S3 endpoint [env: AWS_ENDPOINT_URL; default: http://127.0.0.1:9000].
    #[arg(long)]
    pub endpoint: Option<String>,
    /// A CA bundle (PEM) to trust for an `https` endpoint, beside the system's
    /// [env: AWS_CA_BUNDLE].
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// The region of the signature's scope; any is accepted [env: AWS_REGION; default:
    /// us-east-1].
    #[arg(long)]
    pub region: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub call: AdminCall,
}

/// The admin calls.
#[derive(Debug, Subcommand)]
pub enum AdminCall {
    /// The server's status (`GET /strata/admin/status`).
    Status,
    /// Start the re-seal after a KMS key rotation, or go on with a stopped one
    /// (`POST /strata/admin/reseal`).
    Reseal {
        /// Wait until it finishes; fail if it stops.
        #[arg(long)]
        wait: bool,
    },
    /// Where the re-seal stands (`GET /strata/admin/reseal`).
    ResealStatus,
    /// The keys of the KMS that SSE-KMS uses (`/strata/admin/kms/key/...`).
    #[command(subcommand)]
    KmsKey(KmsKeyCall),
    /// Heal one version now: its records on every namespace volume and its shard files
    /// (`POST /strata/admin/heal?bucket=B&key=K`).
    Heal {
        /// The bucket.
        #[arg(long)]
        bucket: String,
        /// The key.
        #[arg(long)]
        key: String,
        /// The version (`null` for the null version) [default: the current one].
        #[arg(long)]
        version_id: Option<String>,
        /// Also read every shard block and check its hash.
        #[arg(long)]
        deep: bool,
    },
    /// Where the healer and the scanner stand (`GET /strata/admin/heal`).
    HealStatus,
    /// The keys that seal STS session tokens (`/strata/admin/sts/keys...`).
    #[command(subcommand)]
    SessionKeys(SessionKeysCall),
    /// Ask for a scanner pass now (`POST /strata/admin/scan`).
    Scan {
        /// A deep pass: read every shard block and check its hash.
        #[arg(long)]
        deep: bool,
        /// Wait until the pass has run; fail if it left failures or errors.
        #[arg(long)]
        wait: bool,
    },
}

/// `strata admin kms-key`.
#[derive(Debug, Subcommand)]
pub enum KmsKeyCall {
    /// Every key and its versions (`GET .../kms/key/list`).
    List,
    /// One key's versions (`GET .../kms/key/status?key-id=ID`).
    Status {
        /// The key id.
        key_id: String,
    },
    /// Make a key (`POST .../kms/key/create?key-id=ID`).
    Create {
        /// The key id.
        key_id: String,
    },
    /// Add a version to a key; new data keys are sealed under it (`POST
    /// .../kms/key/rotate?key-id=ID`). Run `strata admin reseal` afterwards to move old
    /// objects' data keys to it.
    Rotate {
        /// The key id.
        key_id: String,
    },
}

/// `strata admin session-keys`.
#[derive(Debug, Subcommand)]
pub enum SessionKeysCall {
    /// The stored keys: ids, times, which one seals (`GET .../sts/keys`).
    List,
    /// Make a new key that seals every session token from now on; older keys keep opening
    /// their tokens until those have expired, and are then deleted (`POST
    /// .../sts/keys/rotate`).
    Rotate,
}

/// A query parameter's value, encoded: RFC 3986's unreserved characters stay, as SigV4
/// encodes them.
fn escaped(value: &str) -> String {
    const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(value, ESCAPED).to_string()
}

impl KmsKeyCall {
    /// The method and the path (with its query) after `/strata/admin/`.
    fn request(&self) -> (&'static str, String) {
        let with_key = |path: &str, id: &str| format!("{path}?key-id={}", escaped(id));
        match self {
            KmsKeyCall::List => ("GET", "kms/key/list".into()),
            KmsKeyCall::Status { key_id } => ("GET", with_key("kms/key/status", key_id)),
            KmsKeyCall::Create { key_id } => ("POST", with_key("kms/key/create", key_id)),
            KmsKeyCall::Rotate { key_id } => ("POST", with_key("kms/key/rotate", key_id)),
        }
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminCliError {
    /// No credentials in the environment.
    #[error("{0} is not set: give the credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)")]
    NoCredentials(&'static str),
    /// The request could not be made or sent.
    #[error("{0}")]
    Request(String),
    /// The server answered with an error.
    #[error("HTTP {status}: {body}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The answer (S3 error XML).
        body: String,
    },
    /// The re-seal stopped before its end.
    #[error("the re-seal stopped: {0}")]
    Stopped(String),
    /// The scanner pass waited for left versions unhealed.
    #[error("the scanner pass left {failed} failed versions and {errors} errors")]
    ScanFailed {
        /// Versions whose heal failed.
        failed: u64,
        /// Parts of the pass that stopped.
        errors: usize,
    },
}

/// Where and how the calls go, from the arguments and the environment.
struct Target {
    client: reqwest::Client,
    endpoint: String,
    region: String,
}

/// Runs `args`; prints each answer's JSON to stdout.
pub async fn run(args: AdminArgs) -> Result<(), AdminCliError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let ca_file = args
        .ca_file
        .or_else(|| var("AWS_CA_BUNDLE").map(PathBuf::from));
    let target = Target {
        client: strata_crypt::kms::http_client(ca_file.as_deref(), CALL_TIMEOUT)
            .map_err(|e| AdminCliError::Request(e.to_string()))?,
        endpoint: args
            .endpoint
            .or_else(|| var("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| "http://127.0.0.1:9000".into()),
        region: args
            .region
            .or_else(|| var("AWS_REGION"))
            .unwrap_or_else(|| "us-east-1".into()),
    };
    let call = |method: &'static str, path: &'static str| send(&target, method, path);
    match args.call {
        AdminCall::KmsKey(kms) => {
            let (method, path) = kms.request();
            println!("{}", send(&target, method, &path).await?);
        }
        AdminCall::Status => println!("{}", call("GET", "status").await?),
        AdminCall::SessionKeys(SessionKeysCall::List) => {
            println!("{}", call("GET", "sts/keys").await?)
        }
        AdminCall::SessionKeys(SessionKeysCall::Rotate) => {
            println!("{}", call("POST", "sts/keys/rotate").await?)
        }
        AdminCall::HealStatus => println!("{}", call("GET", "heal").await?),
        AdminCall::Heal {
            bucket,
            key,
            version_id,
            deep,
        } => {
            let mut path = format!("heal?bucket={}&key={}", escaped(&bucket), escaped(&key));
            if let Some(v) = version_id {
                path.push_str(&format!("&version-id={}", escaped(&v)));
            }
            if deep {
                path.push_str("&deep=true");
            }
            println!("{}", send(&target, "POST", &path).await?);
        }
        AdminCall::Scan { deep, wait } => {
            let before = passes(&call("GET", "heal").await?);
            let path = if deep { "scan?deep=true" } else { "scan" };
            let mut answer = send(&target, "POST", path).await?;
            if wait {
                loop {
                    tokio::time::sleep(POLL_EVERY).await;
                    answer = call("GET", "heal").await?;
                    if passes(&answer) > before {
                        break;
                    }
                }
            }
            println!("{answer}");
            if wait {
                let last = serde_json::from_str::<serde_json::Value>(&answer)
                    .ok()
                    .and_then(|v| v.get("last_scan").cloned())
                    .unwrap_or_default();
                let failed = last.pointer("/versions/failed").and_then(|f| f.as_u64());
                let errors = last.get("errors").and_then(|e| e.as_array()).map(Vec::len);
                if failed != Some(0) || errors != Some(0) {
                    return Err(AdminCliError::ScanFailed {
                        failed: failed.unwrap_or(u64::MAX),
                        errors: errors.unwrap_or(usize::MAX),
                    });
                }
            }
        }
        AdminCall::ResealStatus => println!("{}", call("GET", "reseal").await?),
        AdminCall::Reseal { wait } => {
            let mut answer = call("POST", "reseal").await?;
            while wait && state_of(&answer) == "running" {
                tokio::time::sleep(POLL_EVERY).await;
                answer = call("GET", "reseal").await?;
            }
            println!("{answer}");
            if wait && state_of(&answer) != "finished" {
                let why = serde_json::from_str::<serde_json::Value>(&answer)
                    .ok()
                    .and_then(|v| v.get("last_error")?.as_str().map(String::from))
                    .unwrap_or_else(|| format!("state {}", state_of(&answer)));
                return Err(AdminCliError::Stopped(why));
            }
        }
    }
    Ok(())
}

/// Finished scanner passes in a `GET heal` answer.
fn passes(answer: &str) -> u64 {
    let v = serde_json::from_str::<serde_json::Value>(answer).unwrap_or_default();
    let n = |depth: &str| {
        v.pointer(&format!("/scans/{depth}_passes"))
            .and_then(|n| n.as_u64())
            .unwrap_or(0)
    };
    n("cheap") + n("deep")
}

fn state_of(answer: &str) -> String {
    serde_json::from_str::<serde_json::Value>(answer)
        .ok()
        .and_then(|v| v.get("state")?.as_str().map(String::from))
        .unwrap_or_default()
}

fn env(name: &'static str) -> Result<String, AdminCliError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(AdminCliError::NoCredentials(name))
}

/// Signs and sends `METHOD /strata/admin/PATH`; the answer's body on success.
async fn send(target: &Target, method: &str, path: &str) -> Result<String, AdminCliError> {
    let failed = |e: &dyn std::fmt::Display| AdminCliError::Request(e.to_string());
    let url = format!(
        "{}/strata/admin/{path}",
        target.endpoint.trim_end_matches('/')
    );
    let token = std::env::var("AWS_SESSION_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let identity: Identity = Credentials::new(
        env("AWS_ACCESS_KEY_ID")?,
        env("AWS_SECRET_ACCESS_KEY")?,
        token,
        None,
        "environment",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&target.region)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| failed(&e))?
        .into();
    let signable = SignableRequest::new(method, &url, std::iter::empty(), SignableBody::Bytes(&[]))
        .map_err(|e| failed(&e))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| failed(&e))?
        .into_parts();
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| failed(&e))?;
    let mut request = target.client.request(method, &url);
    for (name, value) in instructions.headers() {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| failed(&e))?;
    let status = response.status().as_u16();
    let body = response.text().await.map_err(|e| failed(&e))?;
    if status >= 300 {
        return Err(AdminCliError::Refused { status, body });
    }
    Ok(body)
}
