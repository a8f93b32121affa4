//! External access through real load balancers (nginx and HAProxy, from apt): path- and
//! virtual-host-style requests through the proxy's Host, plain and TLS at the proxy, presigned
//! URLs made for the proxy's address, a 1 GiB upload streamed through without being buffered,
//! and `--trusted-proxies`: the proxy's `X-Forwarded-For` and `-Proto` set `aws:SourceIp` and
//! `aws:SecureTransport`, while the same headers from anyone else change nothing.

use std::path::Path;
use std::process::{Command, Stdio};

use strata_tests::{boto3_ok, free_port, required_env, self_signed, Layout, Server};

#[path = "support/services.rs"]
mod services;
use services::{wait_listening, Running};

fn render(template: &str, run: &Path, http: u16, https: u16, upstream: u16) -> String {
    template
        .replace("@RUN@", &run.display().to_string())
        .replace("@HTTP@", &http.to_string())
        .replace("@HTTPS@", &https.to_string())
        .replace("@UPSTREAM@", &upstream.to_string())
}

const SCRIPT: &str = r#"
import hashlib, json, os, socket, requests
NAME, HTTP, HTTPS, CERT, PID, BIG, SPOOL = @ARGS@
_real = socket.getaddrinfo
def _resolve(host, *a, **k):
    # The proxy's virtual-host names, as a DNS wildcard would resolve them.
    if isinstance(host, str) and host.endswith('.s3.test'):
        host = '127.0.0.1'
    return _real(host, *a, **k)
socket.getaddrinfo = _resolve

def client(endpoint, style, verify=None):
    return boto3.client('s3', endpoint_url=endpoint, aws_access_key_id=sys.argv[2],
                        aws_secret_access_key=sys.argv[3], region_name='us-east-1', verify=verify,
                        config=Config(signature_version='s3v4', retries={'max_attempts': 1},
                                      s3={'addressing_style': style}))

bucket = 'ext-' + NAME
plain = client('http://127.0.0.1:%d' % HTTP, 'path')
vhost = client('http://s3.test:%d' % HTTP, 'virtual')
tls = client('https://127.0.0.1:%d' % HTTPS, 'path', verify=CERT)
direct = client(sys.argv[1], 'path')
plain.create_bucket(Bucket=bucket)
plain.put_object(Bucket=bucket, Key='p', Body=b'path style')
assert vhost.get_object(Bucket=bucket, Key='p')['Body'].read() == b'path style'
vhost.put_object(Bucket=bucket, Key='v', Body=b'virtual host')
assert tls.get_object(Bucket=bucket, Key='v')['Body'].read() == b'virtual host'
for c in (plain, vhost):
    url = c.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'v'}, ExpiresIn=300)
    assert ':%d/' % HTTP in url, url
    r = requests.get(url, timeout=30)
    assert r.status_code == 200 and r.content == b'virtual host', (url, r.status_code, r.text)

# 1 GiB through the proxy with its length: streamed (strata's peak memory stays far below
# the body, and the proxy spools nothing to disk).
def peak_kib():
    for line in open('/proc/%d/status' % PID):
        if line.startswith('VmHWM:'):
            return int(line.split()[1])
before = peak_kib()
put_url = plain.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': 'big'}, ExpiresIn=600)
with open(BIG, 'rb') as f:
    r = requests.put(put_url, data=f, headers={'Content-Length': str(os.path.getsize(BIG))}, timeout=600)
assert r.status_code == 200, (r.status_code, r.text)
digest = hashlib.md5()
with open(BIG, 'rb') as f:
    for piece in iter(lambda: f.read(8 << 20), b''):
        digest.update(piece)
assert r.headers['ETag'] == '"%s"' % digest.hexdigest(), r.headers
head = plain.head_object(Bucket=bucket, Key='big')
assert head['ContentLength'] == 1 << 30 and head['ETag'] == r.headers['ETag'], head
after = peak_kib()
assert after - before < 256 * 1024, ('strata peak memory grew by KiB', before, after)
if SPOOL:
    spooled = [os.path.join(d, f) for d, _, fs in os.walk(SPOOL) for f in fs]
    assert spooled == [], spooled
plain.delete_object(Bucket=bucket, Key='big')

# Forwarding headers: believed from the proxy (127.0.0.2, --trusted-proxies), ignored from
# anyone else.
policy = {'Version': '2012-10-17', 'Statement': [
    {'Effect': 'Deny', 'Principal': '*', 'Action': 's3:GetObject',
     'Resource': 'arn:aws:s3:::%s/secure/*' % bucket,
     'Condition': {'Bool': {'aws:SecureTransport': 'false'}}},
    {'Effect': 'Deny', 'Principal': '*', 'Action': 's3:GetObject',
     'Resource': 'arn:aws:s3:::%s/ip/*' % bucket,
     'Condition': {'IpAddress': {'aws:SourceIp': ['127.0.0.2/32', '10.9.9.9/32']}}},
]}
plain.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
plain.put_object(Bucket=bucket, Key='secure/x', Body=b's')
plain.put_object(Bucket=bucket, Key='ip/x', Body=b'i')
def get(c, key, extra=None):
    # Added after signing, as a client (or anyone on the way) may add them.
    def add(request, **kwargs):
        request.headers.update(extra or {})
    c.meta.events.register('before-send.s3.GetObject', add)
    try:
        c.get_object(Bucket=bucket, Key=key)['Body'].read()
        return 'ok'
    except botocore.exceptions.ClientError as e:
        return e.response['Error']['Code']
    finally:
        c.meta.events.unregister('before-send.s3.GetObject', add)
assert get(tls, 'secure/x') == 'ok'                      # HTTPS at the proxy
assert get(plain, 'secure/x') == 'AccessDenied'          # HTTP at the proxy
assert get(direct, 'secure/x', {'X-Forwarded-Proto': 'https'}) == 'AccessDenied'
assert get(plain, 'ip/x') == 'ok'                        # the client, not the proxy's address
assert get(plain, 'ip/x', {'X-Forwarded-For': '10.9.9.9'}) == 'ok'   # the client's own claim
assert get(direct, 'ip/x', {'X-Forwarded-For': '10.9.9.9'}) == 'ok'  # not from a proxy
print('ok')
"#;

fn through(
    proxy: &str,
    server: &Server,
    run: &Path,
    http: u16,
    https: u16,
    big: &Path,
    spool: &str,
) {
    let args = format!(
        "{proxy:?}, {http}, {https}, {:?}, {}, {:?}, {spool:?}",
        run.join("tls.crt").display().to_string(),
        server.pid(),
        big.display().to_string()
    );
    boto3_ok(server, &SCRIPT.replace("@ARGS@", &args));
}

#[test]
fn nginx_and_haproxy_in_front_stream_and_forward_who_the_client_is() {
    let haproxy = required_env("STRATA_HAPROXY");
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2())
        .arg("--domain")
        .arg("s3.test")
        .arg("--trusted-proxies")
        .arg("127.0.0.2")
        .start();
    let upstream: u16 = server
        .endpoint()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("the server's port");
    let run = tempfile::tempdir().expect("run dir");
    let tls = self_signed(run.path());
    // HAProxy takes the certificate and key in one file.
    let pem = [
        std::fs::read(&tls.cert).unwrap(),
        std::fs::read(&tls.key).unwrap(),
    ]
    .concat();
    std::fs::write(run.path().join("tls.pem"), pem).expect("pem");
    // 1 GiB of zeros without using the disk for it.
    let big = run.path().join("big");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(1 << 30))
        .expect("sparse file");

    let (http, https) = (free_port(), free_port());
    let conf = run.path().join("nginx.conf");
    let template = include_str!("external/nginx.conf.in");
    std::fs::write(&conf, render(template, run.path(), http, https, upstream)).expect("conf");
    let guard = services::nginx(run.path(), &conf);
    wait_listening(https, "nginx");
    let spool = run.path().join("client_body");
    through(
        "nginx",
        &server,
        run.path(),
        http,
        https,
        &big,
        &spool.display().to_string(),
    );
    drop(guard);

    let (http, https) = (free_port(), free_port());
    let cfg = run.path().join("haproxy.cfg");
    let template = include_str!("external/haproxy.cfg.in");
    std::fs::write(&cfg, render(template, run.path(), http, https, upstream)).expect("cfg");
    let child = Command::new(&haproxy)
        .arg("-db")
        .arg("-f")
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start haproxy");
    let _guard = Running(child);
    wait_listening(https, "haproxy");
    // HAProxy never spools bodies to disk.
    through("haproxy", &server, run.path(), http, https, &big, "");
}
