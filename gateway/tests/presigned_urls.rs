//! Presigned URLs as an app hands them out: made by boto3 (SigV4), used by `requests` the
//! way a browser or `curl` uses them. The SDK's signed extra parameters (response
//! overrides) work, a PUT uploads, an expired URL is 403 AccessDenied "Request has expired",
//! a lifetime beyond seven days is 400 AuthorizationQueryParametersError, and a parameter
//! added after signing breaks the signature.

use strata_tests::{boto3_ok, Server};

const SCRIPT: &str = r#"
import time, requests
from botocore.config import Config
v4 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                  aws_secret_access_key=sys.argv[3], region_name='us-east-1',
                  config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))

def presign(op, expires=600, **params):
    return v4.generate_presigned_url(op, Params=dict(Bucket='pre', **params), ExpiresIn=expires)

def error_of(r):
    return (r.status_code, r.text.split('<Code>')[1].split('</Code>')[0] if '<Code>' in r.text else None)

s3.create_bucket(Bucket='pre')
s3.put_object(Bucket='pre', Key='doc.txt', Body=b'hello presigned')

# The SDK's extra (signed) parameters are part of a GET, not another operation.
url = presign('get_object', Key='doc.txt', ResponseContentDisposition='attachment; filename="x.txt"',
              ResponseContentType='text/plain')
r = requests.get(url)
assert r.status_code == 200 and r.content == b'hello presigned', (r.status_code, r.text)
assert r.headers['Content-Disposition'] == 'attachment; filename="x.txt"', r.headers
assert r.headers['Content-Type'] == 'text/plain', r.headers

r = requests.put(presign('put_object', Key='up.txt'), data=b'uploaded')
assert r.status_code == 200, (r.status_code, r.text)
assert s3.get_object(Bucket='pre', Key='up.txt')['Body'].read() == b'uploaded'

# A parameter added after signing: the signature no longer matches (403, not 405).
r = requests.get(presign('get_object', Key='doc.txt') + '&extra=1')
assert error_of(r) == (403, 'SignatureDoesNotMatch'), (r.status_code, r.text)

# Beyond seven days: refused as AWS refuses it, whatever the signature.
r = requests.get(presign('get_object', expires=7 * 24 * 3600 + 1, Key='doc.txt'))
assert error_of(r) == (400, 'AuthorizationQueryParametersError'), (r.status_code, r.text)

# Expired: 403 AccessDenied, "Request has expired". The wait lets a one-second URL lapse.
url = presign('get_object', expires=1, Key='doc.txt')
time.sleep(2.5)
r = requests.get(url)
assert error_of(r) == (403, 'AccessDenied') and 'Request has expired' in r.text, (r.status_code, r.text)
print('ok')
"#;

#[test]
fn presigned_urls_answer_as_aws_does() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, SCRIPT);
}
