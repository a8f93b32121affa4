//! Objects of every SSE mode for the lifecycle and tiering tests, as a boto3 snippet: in the
//! versioned bucket `tier`, multipart objects `mp-none`, `mp-s3`, `mp-kms` and `mp-c` of
//! three parts (`sizes`: two full 5 MiB parts and a short one) and `small`, plaintext;
//! `objects` maps each name to its bytes and the arguments a read needs (`sse_c`'s key).
#![allow(dead_code)]

pub const SSE_OBJECTS: &str = r#"
key = os.urandom(32)
sse_c = {'SSECustomerAlgorithm': 'AES256', 'SSECustomerKey': key}
modes = {'none': {}, 's3': {'ServerSideEncryption': 'AES256'}, 'kms': {'ServerSideEncryption': 'aws:kms'}, 'c': sse_c}
sizes = [5 * 1024 * 1024, 5 * 1024 * 1024, 1024 * 1024 + 123]
objects = {}
for mode, enc in modes.items():
    name = 'mp-' + mode
    up = s3.create_multipart_upload(Bucket='tier', Key=name, **enc)['UploadId']
    read_enc = sse_c if mode == 'c' else {}
    parts, data = [], b''
    for i, size in enumerate(sizes):
        chunk = os.urandom(size)
        data += chunk
        etag = s3.upload_part(Bucket='tier', Key=name, UploadId=up, PartNumber=i + 1, Body=chunk, **read_enc)['ETag']
        parts.append({'PartNumber': i + 1, 'ETag': etag})
    s3.complete_multipart_upload(Bucket='tier', Key=name, UploadId=up, MultipartUpload={'Parts': parts}, **read_enc)
    objects[name] = (data, read_enc)
small = os.urandom(3000)
s3.put_object(Bucket='tier', Key='small', Body=small)
objects['small'] = (small, {})
old = os.urandom(2 * 1024 * 1024 + 5)
v1 = s3.put_object(Bucket='tier', Key='versioned', Body=old)['VersionId']
s3.put_object(Bucket='tier', Key='versioned', Body=b'current')
"#;
