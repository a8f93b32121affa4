//! Conditional deletes and writes as an SDK sends them, through the real binary and boto3
//! (`STRATA_PYTHON`): `If-Match` (an ETag or `*`) and the `x-amz-if-match-size` /
//! `-last-modified-time` forms on DeleteObject, per-entry `ETag` in DeleteObjects, and
//! `If-Match` / `If-None-Match` on PUT, CopyObject and CompleteMultipartUpload in every
//! combination; each answer as AWS documents it.

use strata_tests::{boto3_ok, Server};

const SCRIPT: &str = r#"
import datetime


def body(key):
    return s3.get_object(Bucket='cond', Key=key)['Body'].read()

s3.create_bucket(Bucket='cond')
etag = s3.put_object(Bucket='cond', Key='k', Body=b'one')['ETag']
modified = s3.head_object(Bucket='cond', Key='k')['LastModified']

# A condition not met refuses the delete and keeps the object.
assert refused(lambda: s3.delete_object(Bucket='cond', Key='k', IfMatch='"0000"')) == ('PreconditionFailed', 412)
assert refused(lambda: s3.delete_object(Bucket='cond', Key='k', IfMatchSize=4)) == ('PreconditionFailed', 412)
earlier = modified - datetime.timedelta(days=1)
assert refused(lambda: s3.delete_object(Bucket='cond', Key='k', IfMatchLastModifiedTime=earlier)) == ('PreconditionFailed', 412)
assert body('k') == b'one'

# Conditions met: deleted.
s3.delete_object(Bucket='cond', Key='k', IfMatch=etag, IfMatchSize=3, IfMatchLastModifiedTime=modified)
assert refused(lambda: s3.head_object(Bucket='cond', Key='k')) == ('404', 404)

# If-Match asks for a current object: none is NoSuchKey; the size form passes on none.
assert refused(lambda: s3.delete_object(Bucket='cond', Key='k', IfMatch='*')) == ('NoSuchKey', 404)
s3.delete_object(Bucket='cond', Key='k', IfMatchSize=3)
s3.put_object(Bucket='cond', Key='k', Body=b'two')
s3.delete_object(Bucket='cond', Key='k', IfMatch='*')
assert refused(lambda: s3.head_object(Bucket='cond', Key='k')) == ('404', 404)

# If-Match on a PUT of a key that does not exist: NoSuchKey, not PreconditionFailed.
assert refused(lambda: s3.put_object(Bucket='cond', Key='absent', Body=b'x', IfMatch=etag)) == ('NoSuchKey', 404)

# Conditional writes on PUT, CopyObject and CompleteMultipartUpload, every combination.
cur = s3.put_object(Bucket='cond', Key='w', Body=b'first')['ETag']
s3.put_object(Bucket='cond', Key='src', Body=b'copied')
def put(**c):
    return s3.put_object(Bucket='cond', Key=c.pop('Key', 'w'), Body=b'next', **c)
def copy(**c):
    return s3.copy_object(Bucket='cond', Key=c.pop('Key', 'w'), CopySource={'Bucket': 'cond', 'Key': 'src'}, **c)
def complete(**c):
    key = c.pop('Key', 'w')
    up = s3.create_multipart_upload(Bucket='cond', Key=key)['UploadId']
    part = s3.upload_part(Bucket='cond', Key=key, UploadId=up, PartNumber=1, Body=b'parts')['ETag']
    return s3.complete_multipart_upload(Bucket='cond', Key=key, UploadId=up,
        MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': part}]}, **c)
for write in (put, copy, complete):
    name = write.__name__
    assert refused(lambda: write(IfNoneMatch='*')) == ('PreconditionFailed', 412), name
    assert refused(lambda: write(IfMatch='"0123456789abcdef0123456789abcdef"')) == ('PreconditionFailed', 412), name
    assert refused(lambda: write(Key=name + '-absent', IfMatch=cur)) == ('NoSuchKey', 404), name
    assert refused(lambda: write(IfMatch=cur, IfNoneMatch='*')) == ('NotImplemented', 501), name
    assert refused(lambda: write(IfNoneMatch='"' + cur.strip('"') + '"')) == ('NotImplemented', 501), name
    assert s3.get_object(Bucket='cond', Key='w')['ETag'] == cur, name
    write(IfMatch=cur)
    before, cur = cur, s3.head_object(Bucket='cond', Key='w')['ETag']
    assert cur != before, name
    write(Key=name + '-new', IfNoneMatch='*')
    assert s3.head_object(Bucket='cond', Key=name + '-new')['ContentLength'] > 0, name

# DeleteObjects: each entry's ETag decides that entry alone.
a = s3.put_object(Bucket='cond', Key='a', Body=b'a')['ETag']
s3.put_object(Bucket='cond', Key='b', Body=b'b')
r = s3.delete_objects(Bucket='cond', Delete={'Objects': [
    {'Key': 'a', 'ETag': a}, {'Key': 'b', 'ETag': '"0000"'}, {'Key': 'gone', 'ETag': '*'},
    {'Key': 'b', 'Size': 5}]})
assert sorted(d['Key'] for d in r.get('Deleted', [])) == ['a'], r
assert sorted((e['Key'], e['Code']) for e in r.get('Errors', [])) == [
    ('b', 'PreconditionFailed'), ('b', 'PreconditionFailed'), ('gone', 'NoSuchKey')], r
assert body('b') == b'b'
print('ok')
"#;

#[test]
fn conditional_deletes_and_writes_answer_as_aws_does() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, SCRIPT);
}
