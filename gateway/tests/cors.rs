//! CORS through the real binary: the rules kept and refused as AWS keeps and refuses them
//! (boto3), preflights and actual requests answered on the wire without credentials (Python's
//! `http.client`, as `curl` would send them), and a real browser engine (Debian's Chromium,
//! headless, `STRATA_CHROMIUM`) uploading (PUT and a POST form) and reading from a page of
//! another origin.

use strata_tests::{boto3_ok, required_env, Server};

/// What both tests use: a raw HTTP call and the error code of an answer.
const WIRE: &str = r#"
import http.client, re, urllib.parse
_u = urllib.parse.urlparse(sys.argv[1])
def call(method, path, headers):
    c = http.client.HTTPConnection(_u.hostname, _u.port, timeout=20)
    c.request(method, path, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body
def code(body):
    m = re.search(rb'<Code>([^<]*)</Code>', body)
    return m.group(1).decode() if m else None
"#;

const RULES: &str = r#"
s3.create_bucket(Bucket='web')
s3.put_object(Bucket='web', Key='page.txt', Body=b'hello')
s3.create_bucket(Bucket='plain')
assert refused(lambda: s3.get_bucket_cors(Bucket='web')) == ('NoSuchCORSConfiguration', 404)

rules = [
    {'ID': 'uploads', 'AllowedHeaders': ['x-amz-*', 'content-type'], 'AllowedMethods': ['PUT', 'POST'],
     'AllowedOrigins': ['https://app.example'], 'ExposeHeaders': ['ETag'], 'MaxAgeSeconds': 600},
    {'AllowedMethods': ['GET', 'HEAD'], 'AllowedOrigins': ['https://*.example.org']},
]
s3.put_bucket_cors(Bucket='web', CORSConfiguration={'CORSRules': rules})
assert s3.get_bucket_cors(Bucket='web')['CORSRules'] == rules

# What AWS refuses is refused, and the rules in force stay.
def put_bad(r):
    return refused(lambda: s3.put_bucket_cors(Bucket='web', CORSConfiguration={'CORSRules': r}))
assert put_bad([{'AllowedMethods': ['PATCH'], 'AllowedOrigins': ['*']}]) == ('InvalidRequest', 400)
assert put_bad([{'AllowedMethods': ['GET'], 'AllowedOrigins': ['http://*.*.example']}]) == ('InvalidRequest', 400)
assert put_bad([{'AllowedMethods': ['GET'], 'AllowedOrigins': ['*'], 'ExposeHeaders': ['x-*']}]) == ('InvalidRequest', 400)
assert put_bad([]) == ('MalformedXML', 400)
assert s3.get_bucket_cors(Bucket='web')['CORSRules'] == rules

# Preflights carry no credentials.
asks = {'Origin': 'https://app.example', 'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'X-Amz-Meta-Who, content-type'}
st, h, b = call('OPTIONS', '/web/new.bin', asks)
assert st == 200, (st, b)
assert h['access-control-allow-origin'] == 'https://app.example', h
assert h['access-control-allow-credentials'] == 'true', h
assert h['access-control-allow-methods'] == 'PUT, POST', h
assert h['access-control-allow-headers'] == 'x-amz-meta-who, content-type', h
assert h['access-control-expose-headers'] == 'ETag' and h['access-control-max-age'] == '600', h
assert 'Origin' in h['vary'], h
st, h, b = call('OPTIONS', '/web', {'Origin': 'https://www.example.org', 'Access-Control-Request-Method': 'HEAD'})
assert st == 200 and h['access-control-allow-origin'] == 'https://www.example.org', (st, h)
assert h['access-control-allow-methods'] == 'GET, HEAD' and 'access-control-max-age' not in h, h

for path, headers, want in [
    ('/web/k', {'Access-Control-Request-Method': 'GET'}, (400, 'BadRequest')),
    ('/web/k', {'Origin': 'https://app.example'}, (400, 'BadRequest')),
    ('/web/k', {'Origin': 'https://evil.example', 'Access-Control-Request-Method': 'PUT'}, (403, 'AccessForbidden')),
    ('/web/k', {'Origin': 'https://app.example', 'Access-Control-Request-Method': 'DELETE'}, (403, 'AccessForbidden')),
    ('/web/k', dict(asks, **{'Access-Control-Request-Headers': 'authorization'}), (403, 'AccessForbidden')),
    ('/web/k', {'Origin': 'https://example.org', 'Access-Control-Request-Method': 'GET'}, (403, 'AccessForbidden')),
    ('/plain/k', {'Origin': 'https://app.example', 'Access-Control-Request-Method': 'PUT'}, (403, 'AccessForbidden')),
    ('/no-such-bucket/k', {'Origin': 'https://app.example', 'Access-Control-Request-Method': 'PUT'}, (403, 'AccessForbidden')),
]:
    st, h, b = call('OPTIONS', path, headers)
    assert (st, code(b)) == want, (path, headers, st, b)
    assert 'access-control-allow-origin' not in h, (path, h)

# Actual requests: a signed GET from an allowed origin gets the rule's headers...
origin = {'v': 'https://www.example.org'}
def add_origin(request, **kwargs):
    request.headers['Origin'] = origin['v']
s3.meta.events.register('before-sign.s3.GetObject', add_origin)
got = s3.get_object(Bucket='web', Key='page.txt')
hh = got['ResponseMetadata']['HTTPHeaders']
assert got['Body'].read() == b'hello'
assert hh['access-control-allow-origin'] == 'https://www.example.org', hh
assert hh['access-control-allow-methods'] == 'GET, HEAD', hh
# ... one from an origin no rule allows gets none (only Vary).
origin['v'] = 'https://evil.example'
hh = s3.get_object(Bucket='web', Key='page.txt')['ResponseMetadata']['HTTPHeaders']
assert 'access-control-allow-origin' not in hh and 'Origin' in hh['vary'], hh
s3.meta.events.unregister('before-sign.s3.GetObject', add_origin)
# An error answer carries them too, so that the page can read it.
st, h, b = call('GET', '/web/page.txt', {'Origin': 'https://www.example.org'})
assert (st, code(b)) == (403, 'AccessDenied'), (st, b)
assert h['access-control-allow-origin'] == 'https://www.example.org', h

# Deleted rules: preflights are refused again, and nothing is added.
s3.delete_bucket_cors(Bucket='web')
assert refused(lambda: s3.get_bucket_cors(Bucket='web')) == ('NoSuchCORSConfiguration', 404)
st, h, b = call('OPTIONS', '/web/new.bin', asks)
assert (st, code(b)) == (403, 'AccessForbidden') and b'not enabled' in b, (st, b)
st, h, b = call('GET', '/web/page.txt', {'Origin': 'https://www.example.org'})
assert 'access-control-allow-origin' not in h and 'vary' not in h, h
print('ok')
"#;

#[test]
fn cors_rules_are_kept_refused_and_answered_as_aws_does() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, &format!("{WIRE}\n{RULES}"));
}

const BROWSER: &str = r#"
import functools, html, http.server, json, os, shutil, subprocess, tempfile, threading
s3.create_bucket(Bucket='site')
s3.create_bucket(Bucket='closed')
s3.put_object(Bucket='closed', Key='secret.txt', Body=b'not for other origins')

# The page's own origin: a web server on another port of the same host.
pages = tempfile.mkdtemp()
server = http.server.ThreadingHTTPServer(
    ('127.0.0.1', 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=pages))
threading.Thread(target=server.serve_forever, daemon=True).start()
page_origin = 'http://127.0.0.1:%d' % server.server_address[1]
s3.put_bucket_cors(Bucket='site', CORSConfiguration={'CORSRules': [
    {'AllowedMethods': ['GET', 'PUT', 'POST'], 'AllowedOrigins': [page_origin],
     'AllowedHeaders': ['content-type'], 'ExposeHeaders': ['ETag']}]})

# SigV4 presigned URLs (boto3 presigns SigV2 unless told).
signer = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                      aws_secret_access_key=sys.argv[3], region_name='us-east-1',
                      config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
urls = {
    'put': signer.generate_presigned_url('put_object', Params={'Bucket': 'site', 'Key': 'from-browser.txt'}, ExpiresIn=600),
    'get': signer.generate_presigned_url('get_object', Params={'Bucket': 'site', 'Key': 'from-browser.txt'}, ExpiresIn=600),
    'closed': signer.generate_presigned_url('get_object', Params={'Bucket': 'closed', 'Key': 'secret.txt'}, ExpiresIn=600),
    # A browser form upload (POST Object), as a page builds it with FormData.
    'form': signer.generate_presigned_post('site', 'forms/${filename}', Conditions=[['starts-with', '$key', 'forms/']], ExpiresIn=600),
}
# A PUT with a non-simple Content-Type: the browser must preflight it, and sends it only
# when strata's answer allows it. The ETag is readable only because the rule exposes it.
page = '''<!doctype html><html><body><div id="out">pending</div><script>
const U = %s;
(async () => {
  const out = [];
  try {
    const put = await fetch(U.put, {method: 'PUT', body: 'written by a browser',
                                    headers: {'Content-Type': 'application/octet-stream'}});
    out.push('put=' + put.status + ' etag=' + put.headers.get('ETag'));
    const get = await fetch(U.get);
    out.push('get=' + get.status + ' ' + await get.text());
    const form = new FormData();
    for (const [k, v] of Object.entries(U.form.fields)) form.append(k, v);
    form.append('file', new Blob(['posted by a form']), 'note.txt');
    const posted = await fetch(U.form.url, {method: 'POST', body: form});
    out.push('post=' + posted.status);
  } catch (e) { out.push('failed=' + e); }
  try { await fetch(U.closed); out.push('closed=readable'); } catch (e) { out.push('closed=blocked'); }
  document.getElementById('out').textContent = out.join('|');
})();
</script></body></html>''' % json.dumps(urls)
with open(os.path.join(pages, 'app.html'), 'w') as f:
    f.write(page)

profile = tempfile.mkdtemp()
run = subprocess.run(
    [os.environ['STRATA_CHROMIUM'], '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
     '--no-first-run', '--disable-background-networking', '--disable-component-update',
     '--disable-sync', '--user-data-dir=' + profile, '--virtual-time-budget=20000',
     '--dump-dom', page_origin + '/app.html'],
    capture_output=True, text=True, timeout=120)
server.shutdown()
shutil.rmtree(profile, ignore_errors=True)
shutil.rmtree(pages, ignore_errors=True)
m = re.search(r'<div id="out">(.*?)</div>', run.stdout)
assert m, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
seen = html.unescape(m.group(1)).split('|')
assert seen[0].startswith('put=200 '), seen
etag = s3.head_object(Bucket='site', Key='from-browser.txt')['ETag']
assert seen == ['put=200 etag=' + etag, 'get=200 written by a browser', 'post=204', 'closed=blocked'], (seen, etag)
assert s3.get_object(Bucket='site', Key='forms/note.txt')['Body'].read() == b'posted by a form'
assert s3.get_object(Bucket='site', Key='from-browser.txt')['Body'].read() == b'written by a browser'
print('ok')
"#;

#[test]
fn a_browser_on_another_origin_uploads_and_reads_only_where_rules_allow() {
    // Fails loudly where the browser is missing (tests/realparts/install.sh installs it).
    required_env("STRATA_CHROMIUM");
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, &format!("{WIRE}\n{BROWSER}"));
}
