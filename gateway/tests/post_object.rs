//! Browser form uploads (POST Object) through the real binary, made the way AWS documents
//! them for apps: boto3's `generate_presigned_post` signs the policy and `requests` posts the
//! multipart form, as a browser would (`STRATA_PYTHON`'s venv has both).

use strata_tests::{boto3_ok, Server};

const SCRIPT: &str = r#"
import hashlib, re, requests, urllib.parse
signer = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                      aws_secret_access_key=sys.argv[3], region_name='us-east-1',
                      config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
s3.create_bucket(Bucket='uploads')

def code(r):
    m = re.search(r'<Code>([^<]*)</Code>', r.text)
    return (r.status_code, m.group(1) if m else None)

def presign(key='photos/${filename}', fields=None, conditions=None, expires=600):
    fields = dict({'Content-Type': 'image/png', 'x-amz-meta-who': 'browser',
                   'success_action_status': '201'}, **(fields or {}))
    conds = [{'Content-Type': 'image/png'}, {'x-amz-meta-who': 'browser'},
             {'success_action_status': '201'}, ['starts-with', '$key', 'photos/'],
             ['content-length-range', 1, 32 * 1024 * 1024]] + (conditions or [])
    return signer.generate_presigned_post('uploads', key, Fields=fields, Conditions=conds, ExpiresIn=expires)

def post(p, data, name='cat.png', fields=None, drop=()):
    form = {k: v for k, v in dict(p['fields'], **(fields or {})).items() if k not in drop}
    return requests.post(p['url'], data=form, files={'file': (name, data)}, allow_redirects=False, timeout=60)

# The reference case: 201 with AWS's document; the object has the form's headers.
data = bytes(range(256)) * 80_000   # 20 MB, streamed into the store
p = presign()
r = post(p, data)
assert r.status_code == 201, (r.status_code, r.text)
assert '<Key>photos/cat.png</Key>' in r.text and '<Bucket>uploads</Bucket>' in r.text, r.text
etag = '"%s"' % hashlib.md5(data).hexdigest()
assert etag in r.text and r.headers['ETag'] == etag, (r.text, r.headers)
assert r.headers['Location'].endswith('/uploads/photos/cat.png'), r.headers
got = s3.get_object(Bucket='uploads', Key='photos/cat.png')
assert got['Body'].read() == data and got['ContentType'] == 'image/png', got
assert got['Metadata'] == {'who': 'browser'}, got['Metadata']

# Default answer 204, and a redirect with bucket, key and ETag.
p = signer.generate_presigned_post('uploads', 'photos/plain.txt', Fields={}, Conditions=[['starts-with', '$key', 'photos/']], ExpiresIn=600)
r = post(p, b'plain')
assert r.status_code == 204 and r.text == '', (r.status_code, r.text)
p = signer.generate_presigned_post('uploads', 'photos/r.txt', Fields={'success_action_redirect': 'https://app.example/done'},
                                   Conditions=[{'success_action_redirect': 'https://app.example/done'}], ExpiresIn=600)
r = post(p, b'redirected')
assert r.status_code == 303, (r.status_code, r.text)
q = urllib.parse.parse_qs(urllib.parse.urlparse(r.headers['Location']).query)
assert q == {'bucket': ['uploads'], 'key': ['photos/r.txt'], 'etag': ['"%s"' % hashlib.md5(b'redirected').hexdigest()]}, q

# The policy binds: every refusal stores nothing.
p = presign()
assert code(post(p, b'')) == (400, 'EntityTooSmall')
small = presign(conditions=[['content-length-range', 1, 10]])
assert code(post(small, b'x' * 11, name='big.png')) == (400, 'EntityTooLarge')
assert code(post(p, b'x', fields={'x-amz-meta-who': 'someone else'})) == (403, 'AccessDenied')
assert code(post(p, b'x', fields={'key': 'admin/x'})) == (403, 'AccessDenied')
assert code(post(p, b'x', fields={'x-amz-meta-extra': 'not in the policy'})) == (403, 'AccessDenied')
assert code(post(presign(expires=-60), b'x')) == (403, 'AccessDenied')
assert code(post(p, b'x', fields={'x-amz-signature': '0' * 64})) == (403, 'SignatureDoesNotMatch')
assert code(post(p, b'x', drop=('key',))) == (400, 'InvalidArgument')
assert code(post(p, b'x', drop=('x-amz-signature',))) == (400, 'InvalidArgument')
assert code(post(p, b'x', fields={'submit': 'Upload'})) == (400, 'InvalidArgument')
md5 = presign(fields={'Content-MD5': 'AAAAAAAAAAAAAAAAAAAAAA=='}, conditions=[{'Content-MD5': 'AAAAAAAAAAAAAAAAAAAAAA=='}])
assert code(post(md5, b'x')) == (400, 'BadDigest')
no_file = requests.post(p['url'], files={k: (None, v) for k, v in p['fields'].items()}, timeout=60)
assert code(no_file) == (400, 'InvalidArgument'), no_file.text
assert code(requests.post(p['url'], data=p['fields'], timeout=60)) == (412, 'PreconditionFailed')
# Anonymous (no policy): refused by the private bucket.
anon = requests.post(p['url'], data={'key': 'photos/anon'}, files={'file': ('a', b'x')}, timeout=60)
assert code(anon) == (403, 'AccessDenied'), anon.text
keys = sorted(o['Key'] for o in s3.list_objects_v2(Bucket='uploads')['Contents'])
assert keys == ['photos/cat.png', 'photos/plain.txt', 'photos/r.txt'], keys
print('ok')
"#;

#[test]
fn form_uploads_store_what_their_signed_policy_allows_and_nothing_else() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, SCRIPT);
}
