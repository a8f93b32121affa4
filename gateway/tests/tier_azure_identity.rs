//! An Azure Blob tier with no account key reaches Azurite with the pod's Azure workload
//! identity, through OpenDAL's credential chain (reqsign), as AKS gives it:
//! `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and
//! `AZURE_AUTHORITY_HOST` in strata's environment; the federated token is exchanged for an
//! access token at Microsoft Entra's token endpoint, and every Blob request carries it as a
//! bearer token.
//!
//! Azurite is real and checks bearer tokens (`--oauth basic`: issuer, audience, lifetime; not
//! the signature), over HTTPS only, here with a certificate of a test CA (`SSL_CERT_FILE`).
//! Entra has no emulator: a small token endpoint in the test script answers the documented
//! OAuth 2.0 client-credentials exchange (`POST /{tenant}/oauth2/v2.0/token`, form fields
//! `client_assertion`, `client_assertion_type`, `client_id`, `grant_type`, `scope`; JSON
//! `access_token`, `expires_in`, `token_type`) and issues a token only for the pod's
//! federated token. With another federated token the exchange is refused and a PUT naming
//! the tier answers 503.

use std::path::Path;

use strata_tests::{ca_signed, free_port, required_env, CaSigned, Server};

#[path = "support/services.rs"]
mod services;
use services::{
    azure_container, azurite, python, start, strata_with_config, wait_listening, Running,
    AZURITE_ACCOUNT,
};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT: &str = "5b1e4c52-7c1a-4f0c-9f6a-0a11ce5e7ea1";

/// JWTs (unsigned: neither side here checks signatures) and the token endpoint.
const ENTRA: &str = r#"
import base64, json, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

def jwt(claims):
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b'=').decode()
    return part({'alg': 'RS256', 'typ': 'JWT'}) + '.' + part(claims) + '.c2lnbmF0dXJl'

def serve(port, tenant, client, federated, log):
    class Token(BaseHTTPRequestHandler):
        def do_POST(self):
            form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers['Content-Length'])).decode()))
            ok = (self.path == '/%s/oauth2/v2.0/token' % tenant
                  and form.get('client_id') == client
                  and form.get('client_assertion') == federated
                  and form.get('client_assertion_type') == 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
                  and form.get('grant_type') == 'client_credentials'
                  and form.get('scope') == 'https://storage.azure.com/.default')
            with open(log, 'a') as f:
                f.write(json.dumps({'path': self.path, 'issued': ok}) + '\n')
            now = int(time.time())
            if ok:
                access = jwt({'aud': 'https://storage.azure.com', 'iss': 'https://sts.windows.net/%s/' % tenant,
                              'iat': now - 60, 'nbf': now - 60, 'exp': now + 3600, 'tid': tenant, 'appid': client})
                body, status = {'token_type': 'Bearer', 'expires_in': 3600, 'access_token': access}, 200
            else:
                body, status = {'error': 'invalid_client', 'error_description': 'AADSTS700211'}, 400
            out = json.dumps(body).encode()
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        def log_message(self, *args):
            pass
    HTTPServer(('127.0.0.1', port), Token).serve_forever()
"#;

/// A federated token as the pod's projected service-account token would be.
fn federated_token(subject: &str) -> String {
    python(&format!(
        r#"{ENTRA}
import time
now = int(time.time())
print(jwt({{'aud': 'api://AzureADTokenExchange', 'iss': 'https://oidc.example/', 'sub': '{subject}',
           'iat': now, 'nbf': now, 'exp': now + 3600}}))
print('ok')
"#
    ))
    .lines()
    .next()
    .unwrap()
    .to_string()
}

/// Azurite on `port` over HTTPS with `tls`, checking bearer tokens, with the container `cold`.
fn azurite_oauth(port: u16, tls: &CaSigned) -> Running {
    let (cert, key) = (
        tls.server.cert.to_str().unwrap(),
        tls.server.key.to_str().unwrap(),
    );
    let oauth = ["--oauth", "basic", "--cert", cert, "--key", key];
    azurite(port, &oauth, &container(port, tls))
}

/// [`azure_container`] of the Azurite on `port` over HTTPS.
fn container(port: u16, tls: &CaSigned) -> String {
    azure_container(&format!("https://localhost:{port}"), Some(&tls.ca))
}

/// strata with the tier on Azurite at `port`, no key, and the pod's identity variables
/// naming `token_file`, exchanged at `authority`.
fn server_with_identity(
    dir: &Path,
    port: u16,
    token_file: &Path,
    authority: &str,
    ca: &Path,
) -> Server {
    let config = format!(
        "[[tiers]]\nname = \"cloud\"\nstorage_class = \"COLD\"\nservice = \"azblob\"\n\
         options = {{ endpoint = \"https://localhost:{port}/{AZURITE_ACCOUNT}\", \
         account_name = \"{AZURITE_ACCOUNT}\", container = \"cold\" }}\n"
    );
    let env = [
        ("AZURE_FEDERATED_TOKEN_FILE", token_file.to_str().unwrap()),
        ("AZURE_CLIENT_ID", CLIENT),
        ("AZURE_TENANT_ID", TENANT),
        ("AZURE_AUTHORITY_HOST", authority),
        ("SSL_CERT_FILE", ca.to_str().unwrap()),
    ];
    strata_with_config(dir, &config, &env)
}

#[test]
fn an_azure_tier_without_a_key_is_reached_with_the_pods_workload_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let tls = ca_signed(tmp.path(), &["localhost"]);
    let (azurite_port, entra_port) = (free_port(), free_port());
    let _azurite = azurite_oauth(azurite_port, &tls);
    let pods_token = federated_token("system:serviceaccount:app:strata");
    let exchanges = tmp.path().join("entra.jsonl");
    let _entra = start(
        &required_env("STRATA_PYTHON"),
        &[
            "-c",
            &format!(
                "{ENTRA}\nserve({entra_port}, {TENANT:?}, {CLIENT:?}, {pods_token:?}, {:?})",
                exchanges.display()
            ),
        ],
    );
    wait_listening(entra_port, "the token endpoint");
    let authority = format!("http://127.0.0.1:{entra_port}");
    let token_file = tmp.path().join("azure-identity-token");
    std::fs::write(&token_file, &pods_token).unwrap();
    let server = server_with_identity(
        &tmp.path().join("server"),
        azurite_port,
        &token_file,
        &authority,
        &tls.ca,
    );
    strata_tests::boto3_ok(
        &server,
        &format!(
            r#"
import os, time
{container}
s3.create_bucket(Bucket='azid')
data = os.urandom(3 * 1024 * 1024 + 11)
s3.put_object(Bucket='azid', Key='obj', Body=data, StorageClass='COLD')
assert s3.head_object(Bucket='azid', Key='obj')['StorageClass'] == 'COLD'
assert s3.get_object(Bucket='azid', Key='obj')['Body'].read() == data
assert s3.get_object(Bucket='azid', Key='obj', Range='bytes=1000-2000')['Body'].read() == data[1000:2001]
names = [b.name for b in cold.list_blobs()]
assert len(names) == 1 and len(names[0]) == 32, names
s3.delete_object(Bucket='azid', Key='obj')
deadline = time.time() + 20
while list(cold.list_blobs()):
    assert time.time() < deadline, 'the remote object was not deleted'
    time.sleep(0.2)
print('ok')
"#,
            container = container(azurite_port, &tls)
        ),
    );
    let log = std::fs::read_to_string(&exchanges).unwrap();
    assert!(
        log.lines().any(|l| l.contains("\"issued\": true")),
        "no token was issued: {log}"
    );
    assert!(!log.contains("\"issued\": false"), "{log}");
    drop(server);

    // Another federated token: the exchange is refused, and so is a PUT naming the tier.
    let other = tmp.path().join("other-token");
    std::fs::write(
        &other,
        federated_token("system:serviceaccount:app:intruder"),
    )
    .unwrap();
    let server = server_with_identity(
        &tmp.path().join("other"),
        azurite_port,
        &other,
        &authority,
        &tls.ca,
    );
    strata_tests::boto3_ok(
        &server,
        r#"
s3.create_bucket(Bucket='azid')
assert refused(lambda: s3.put_object(Bucket='azid', Key='obj', Body=b'x' * 1000, StorageClass='COLD')) == ('ServiceUnavailable', 503)
assert 'Contents' not in s3.list_objects_v2(Bucket='azid')
print('ok')
"#,
    );
    let log = std::fs::read_to_string(&exchanges).unwrap();
    assert!(log.contains("\"issued\": false"), "{log}");
}
