//! Object Lock as a backup tool uses it, through boto3 (which sends a checksum with every
//! PUT, as AWS requires under object lock): a bucket made with it, a default retention,
//! versions that cannot be deleted or shortened before their date (in COMPLIANCE mode not
//! even by the root account), GOVERNANCE given way with the bypass, legal holds.

use strata_tests::{boto3_ok, Server};

const SCRIPT: &str = r#"
import datetime, hashlib, base64
now = datetime.datetime.now(datetime.timezone.utc)
day = datetime.timedelta(days=1)

# Without object lock: the lock headers and operations are refused as AWS refuses them.
s3.create_bucket(Bucket='plain')
assert refused(lambda: s3.put_object(Bucket='plain', Key='k', Body=b'x', ObjectLockLegalHoldStatus='ON')) == ('InvalidRequest', 400)
assert refused(lambda: s3.get_object_lock_configuration(Bucket='plain')) == ('ObjectLockConfigurationNotFoundError', 404)
# Enabling it needs versioning first.
lock_cfg = {'ObjectLockEnabled': 'Enabled'}
assert refused(lambda: s3.put_object_lock_configuration(Bucket='plain', ObjectLockConfiguration=lock_cfg)) == ('InvalidBucketState', 409)
s3.put_bucket_versioning(Bucket='plain', VersioningConfiguration={'Status': 'Enabled'})
s3.put_object_lock_configuration(Bucket='plain', ObjectLockConfiguration=lock_cfg)
assert s3.get_object_lock_configuration(Bucket='plain')['ObjectLockConfiguration'] == lock_cfg
assert refused(lambda: s3.put_bucket_versioning(Bucket='plain', VersioningConfiguration={'Status': 'Suspended'})) == ('InvalidBucketState', 409)

# A backup bucket: made with object lock, a default GOVERNANCE retention of one day.
s3.create_bucket(Bucket='backups', ObjectLockEnabledForBucket=True)
assert s3.get_bucket_versioning(Bucket='backups')['Status'] == 'Enabled'
rule = {'ObjectLockEnabled': 'Enabled', 'Rule': {'DefaultRetention': {'Mode': 'GOVERNANCE', 'Days': 1}}}
s3.put_object_lock_configuration(Bucket='backups', ObjectLockConfiguration=rule)
assert s3.get_object_lock_configuration(Bucket='backups')['ObjectLockConfiguration'] == rule
bad = {'ObjectLockEnabled': 'Enabled', 'Rule': {'DefaultRetention': {'Mode': 'GOVERNANCE', 'Days': 0}}}
assert refused(lambda: s3.put_object_lock_configuration(Bucket='backups', ObjectLockConfiguration=bad)) == ('InvalidArgument', 400)

v1 = s3.put_object(Bucket='backups', Key='snap', Body=b'snapshot 1')['VersionId']
head = s3.head_object(Bucket='backups', Key='snap', VersionId=v1)
assert head['ObjectLockMode'] == 'GOVERNANCE', head
until = head['ObjectLockRetainUntilDate']
assert now + day - datetime.timedelta(minutes=5) < until < now + day + datetime.timedelta(minutes=5), until
r = s3.get_object_retention(Bucket='backups', Key='snap', VersionId=v1)['Retention']
assert r['Mode'] == 'GOVERNANCE' and r['RetainUntilDate'] == until, r

# GOVERNANCE: the version stays, unless the caller bypasses it; a delete without a version
# only adds a marker.
assert refused(lambda: s3.delete_object(Bucket='backups', Key='snap', VersionId=v1)) == ('AccessDenied', 403)
assert refused(lambda: s3.put_object_retention(Bucket='backups', Key='snap', VersionId=v1,
    Retention={'Mode': 'GOVERNANCE', 'RetainUntilDate': now + datetime.timedelta(hours=1)})) == ('AccessDenied', 403)
marker = s3.delete_object(Bucket='backups', Key='snap')
assert marker['DeleteMarker'] is True
assert s3.get_object(Bucket='backups', Key='snap', VersionId=v1)['Body'].read() == b'snapshot 1'
s3.delete_object(Bucket='backups', Key='snap', VersionId=v1, BypassGovernanceRetention=True)
assert refused(lambda: s3.head_object(Bucket='backups', Key='snap', VersionId=v1))[1] == 404

# COMPLIANCE: not deleted and not shortened by anyone (this is the root account), only lengthened.
v2 = s3.put_object(Bucket='backups', Key='vault', Body=b'compliant', ObjectLockMode='COMPLIANCE',
                   ObjectLockRetainUntilDate=now + 2 * day)['VersionId']
for bypass in (False, True):
    assert refused(lambda: s3.delete_object(Bucket='backups', Key='vault', VersionId=v2, BypassGovernanceRetention=bypass)) == ('AccessDenied', 403)
    assert refused(lambda: s3.put_object_retention(Bucket='backups', Key='vault', VersionId=v2, BypassGovernanceRetention=bypass,
        Retention={'Mode': 'COMPLIANCE', 'RetainUntilDate': now + day})) == ('AccessDenied', 403)
out = s3.delete_objects(Bucket='backups', Delete={'Objects': [{'Key': 'vault', 'VersionId': v2}]})
assert [e['Code'] for e in out.get('Errors', [])] == ['AccessDenied'], out
s3.put_object_retention(Bucket='backups', Key='vault', VersionId=v2,
                        Retention={'Mode': 'COMPLIANCE', 'RetainUntilDate': now + 3 * day})
assert s3.get_object_retention(Bucket='backups', Key='vault', VersionId=v2)['Retention']['RetainUntilDate'] > now + 2 * day
# Dates in the past and half a retention are refused.
assert refused(lambda: s3.put_object(Bucket='backups', Key='x', Body=b'x', ObjectLockMode='GOVERNANCE',
                                     ObjectLockRetainUntilDate=now - day)) == ('InvalidArgument', 400)
assert refused(lambda: s3.put_object(Bucket='backups', Key='x', Body=b'x', ObjectLockMode='GOVERNANCE')) == ('InvalidArgument', 400)

# Legal hold: holds even against the bypass, until it is off.
v3 = s3.put_object(Bucket='backups', Key='held', Body=b'evidence', ObjectLockLegalHoldStatus='ON')['VersionId']
assert s3.get_object_legal_hold(Bucket='backups', Key='held', VersionId=v3)['LegalHold']['Status'] == 'ON'
assert s3.head_object(Bucket='backups', Key='held', VersionId=v3)['ObjectLockLegalHoldStatus'] == 'ON'
assert refused(lambda: s3.delete_object(Bucket='backups', Key='held', VersionId=v3, BypassGovernanceRetention=True)) == ('AccessDenied', 403)
s3.put_object_legal_hold(Bucket='backups', Key='held', VersionId=v3, LegalHold={'Status': 'OFF'})
assert s3.get_object_legal_hold(Bucket='backups', Key='held', VersionId=v3)['LegalHold']['Status'] == 'OFF'
s3.delete_object(Bucket='backups', Key='held', VersionId=v3, BypassGovernanceRetention=True)

# A multipart upload and a copy take the headers too.
up = s3.create_multipart_upload(Bucket='backups', Key='mp', ObjectLockMode='COMPLIANCE', ObjectLockRetainUntilDate=now + day)
# A part of a locked object needs a digest, as a PUT does (`bare` sends none unless told).
assert refused(lambda: bare.upload_part(Bucket='backups', Key='mp', UploadId=up['UploadId'], PartNumber=1, Body=b'part')) == ('InvalidRequest', 400)
md5 = base64.b64encode(hashlib.md5(b'part').digest()).decode()
bare.upload_part(Bucket='backups', Key='mp', UploadId=up['UploadId'], PartNumber=1, Body=b'part', ContentMD5=md5)
part = s3.upload_part(Bucket='backups', Key='mp', UploadId=up['UploadId'], PartNumber=1, Body=b'part')
done = s3.complete_multipart_upload(Bucket='backups', Key='mp', UploadId=up['UploadId'],
    MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': part['ETag']}]})
assert s3.head_object(Bucket='backups', Key='mp', VersionId=done['VersionId'])['ObjectLockMode'] == 'COMPLIANCE'
c = s3.copy_object(Bucket='backups', Key='copy', CopySource={'Bucket': 'backups', 'Key': 'vault'}, ObjectLockLegalHoldStatus='ON')
assert s3.head_object(Bucket='backups', Key='copy', VersionId=c['VersionId'])['ObjectLockLegalHoldStatus'] == 'ON'
print('ok')
"#;

#[test]
fn backups_under_object_lock_cannot_be_deleted_or_shortened_before_their_date() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, SCRIPT);
}
