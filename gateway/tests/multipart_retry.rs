//! CompleteMultipartUpload retried after it succeeded, as an SDK retries a completion whose
//! answer was lost: the same answer (ETag, version) while that object is the key's current
//! version, `NoSuchUpload` once it is not; through the real binary and boto3
//! (`STRATA_PYTHON`).

use strata_tests::{boto3_ok, Server};

const SCRIPT: &str = r#"
s3.create_bucket(Bucket='mpu')
s3.put_bucket_versioning(Bucket='mpu', VersioningConfiguration={'Status': 'Enabled'})
up = s3.create_multipart_upload(Bucket='mpu', Key='big')['UploadId']
parts = []
for n in (1, 2):
    body = bytes([n]) * (5 * 1024 * 1024 if n == 1 else 1000)
    etag = s3.upload_part(Bucket='mpu', Key='big', UploadId=up, PartNumber=n, Body=body)['ETag']
    parts.append({'PartNumber': n, 'ETag': etag})
done = s3.complete_multipart_upload(Bucket='mpu', Key='big', UploadId=up, MultipartUpload={'Parts': parts})
again = s3.complete_multipart_upload(Bucket='mpu', Key='big', UploadId=up, MultipartUpload={'Parts': parts})
assert (again['ETag'], again['VersionId']) == (done['ETag'], done['VersionId']), (done, again)
assert refused(lambda: s3.complete_multipart_upload(Bucket='mpu', Key='big', UploadId=up,
                                                    MultipartUpload={'Parts': parts[:1]})) == ('NoSuchUpload', 404)
s3.put_object(Bucket='mpu', Key='big', Body=b'newer')
assert refused(lambda: s3.complete_multipart_upload(Bucket='mpu', Key='big', UploadId=up,
                                                    MultipartUpload={'Parts': parts})) == ('NoSuchUpload', 404)
assert refused(lambda: s3.complete_multipart_upload(Bucket='mpu', Key='big', UploadId='nope',
                                                    MultipartUpload={'Parts': parts})) == ('NoSuchUpload', 404)
print('ok')
"#;

#[test]
fn a_completion_retried_after_it_succeeded_answers_as_before() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, SCRIPT);
}
