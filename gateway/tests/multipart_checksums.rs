//! Multipart checksums as S3 makes them, through boto3: the COMPOSITE and FULL_OBJECT types
//! chosen at CreateMultipartUpload, the part checksums each type requires, the per-part
//! checksums of the CompleteMultipartUpload body checked against the uploaded parts, the
//! object checksum and `x-amz-mp-object-size` sent with the completion, UploadPartCopy
//! parts with their checksum, and copies of multipart objects. Every expected value is
//! computed in the script from the bytes (zlib, hashlib, a table CRC-64/NVME), never by
//! strata's code.

use strata_tests::{boto3_ok, Server};

const SCRIPT: &str = r#"
import base64, hashlib, zlib
# `bare` (the prelude's) sends no checksum unless told.

def b64(n, width):
    return base64.b64encode(n.to_bytes(width, 'big')).decode()

def crc32(d):
    return b64(zlib.crc32(d), 4)

T64 = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x9a6c9329ac4bc9b5 if c & 1 else c >> 1
    T64.append(c)

def crc64nvme(d):
    c = 0xffffffffffffffff
    for b in d:
        c = T64[(c ^ b) & 0xff] ^ (c >> 8)
    return b64(c ^ 0xffffffffffffffff, 8)

assert crc64nvme(b'123456789') == b64(0xAE8B14860A799888, 8)

def sha256(d):
    return base64.b64encode(hashlib.sha256(d).digest()).decode()

def code_and_message(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return (e.response['Error']['Code'], e.response['Error'].get('Message', ''))
    return None

MiB = 1024 * 1024
parts = [bytes([7]) * (5 * MiB), bytes(range(256)) * (5 * MiB // 256), b'the tail' * 999]
whole = b''.join(parts)
s3.create_bucket(Bucket='sums')

# --- FULL_OBJECT CRC32: the object's CRC combined from the parts' -------------------------
up = s3.create_multipart_upload(Bucket='sums', Key='full', ChecksumAlgorithm='CRC32', ChecksumType='FULL_OBJECT')
assert (up['ChecksumAlgorithm'], up['ChecksumType']) == ('CRC32', 'FULL_OBJECT'), up
uid = up['UploadId']
listed = []
for n, data in enumerate(parts, 1):
    r = s3.upload_part(Bucket='sums', Key='full', UploadId=uid, PartNumber=n, Body=data, ChecksumAlgorithm='CRC32')
    assert r['ChecksumCRC32'] == crc32(data), r
    listed.append({'PartNumber': n, 'ETag': r['ETag'], 'ChecksumCRC32': r['ChecksumCRC32']})
lp = s3.list_parts(Bucket='sums', Key='full', UploadId=uid)
assert (lp['ChecksumAlgorithm'], lp['ChecksumType']) == ('CRC32', 'FULL_OBJECT'), lp
lu = s3.list_multipart_uploads(Bucket='sums')['Uploads']
assert [(u['Key'], u['ChecksumAlgorithm'], u['ChecksumType']) for u in lu] == [('full', 'CRC32', 'FULL_OBJECT')], lu

def complete(**extra):
    args = dict(Bucket='sums', Key='full', UploadId=uid, MultipartUpload={'Parts': listed})
    args.update(extra)
    return s3.complete_multipart_upload(**args)

# Refusals leave the upload as it was.
assert refused(lambda: complete(ChecksumCRC32=crc32(whole + b'!'), ChecksumType='FULL_OBJECT')) == ('BadDigest', 400)
got = code_and_message(lambda: complete(ChecksumCRC32=crc32(whole), ChecksumType='COMPOSITE'))
assert got[0] == 'InvalidRequest', got
assert refused(lambda: complete(MpuObjectSize=len(whole) + 1)) == ('InvalidRequest', 400)
bad_part = [dict(p) for p in listed]
bad_part[1]['ChecksumCRC32'] = crc32(b'other bytes')
assert refused(lambda: complete(MultipartUpload={'Parts': bad_part})) == ('InvalidPart', 400)
done = complete(ChecksumCRC32=crc32(whole), ChecksumType='FULL_OBJECT', MpuObjectSize=len(whole))
assert (done['ChecksumCRC32'], done['ChecksumType']) == (crc32(whole), 'FULL_OBJECT'), done
head = s3.head_object(Bucket='sums', Key='full', ChecksumMode='ENABLED')
assert (head['ChecksumCRC32'], head['ChecksumType']) == (crc32(whole), 'FULL_OBJECT'), head
# boto3 checks a full-object CRC32 against the body it reads.
assert s3.get_object(Bucket='sums', Key='full', ChecksumMode='ENABLED')['Body'].read() == whole
attrs = s3.get_object_attributes(Bucket='sums', Key='full', ObjectAttributes=['Checksum', 'ObjectParts'])
assert attrs['Checksum'] == {'ChecksumCRC32': crc32(whole), 'ChecksumType': 'FULL_OBJECT'}, attrs
assert [p['ChecksumCRC32'] for p in attrs['ObjectParts']['Parts']] == [crc32(p) for p in parts], attrs
# The answer to a completion retried after it succeeded is the same.
assert complete()['ChecksumCRC32'] == crc32(whole)

# --- CRC64NVME: FULL_OBJECT by default; a part sent without a value has it computed --------
nv_parts = [parts[0], parts[2]]
nv_whole = b''.join(nv_parts)
up = bare.create_multipart_upload(Bucket='sums', Key='nvme', ChecksumAlgorithm='CRC64NVME')
assert up['ChecksumType'] == 'FULL_OBJECT', up
uid = up['UploadId']
assert refused(lambda: bare.upload_part(Bucket='sums', Key='nvme', UploadId=uid, PartNumber=1, Body=b'x',
                                        ChecksumCRC32=crc32(b'x'))) == ('InvalidRequest', 400)
p1 = bare.upload_part(Bucket='sums', Key='nvme', UploadId=uid, PartNumber=1, Body=nv_parts[0])
p2 = bare.upload_part(Bucket='sums', Key='nvme', UploadId=uid, PartNumber=2, Body=nv_parts[1],
                      ChecksumCRC64NVME=crc64nvme(nv_parts[1]))
listed_nv = bare.list_parts(Bucket='sums', Key='nvme', UploadId=uid)['Parts']
assert [p['ChecksumCRC64NVME'] for p in listed_nv] == [crc64nvme(p) for p in nv_parts], listed_nv
done = bare.complete_multipart_upload(Bucket='sums', Key='nvme', UploadId=uid,
    ChecksumCRC64NVME=crc64nvme(nv_whole), ChecksumType='FULL_OBJECT',
    MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': p1['ETag']}, {'PartNumber': 2, 'ETag': p2['ETag']}]})
assert (done['ChecksumCRC64NVME'], done['ChecksumType']) == (crc64nvme(nv_whole), 'FULL_OBJECT'), done
head = bare.head_object(Bucket='sums', Key='nvme', ChecksumMode='ENABLED')
assert head['ChecksumCRC64NVME'] == crc64nvme(nv_whole), head

# --- COMPOSITE SHA256: each part carries its SHA256, the completion lists them -------------
up = s3.create_multipart_upload(Bucket='sums', Key='comp', ChecksumAlgorithm='SHA256')
assert (up['ChecksumAlgorithm'], up['ChecksumType']) == ('SHA256', 'COMPOSITE'), up
uid = up['UploadId']
mismatch = 'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: '
got = code_and_message(lambda: bare.upload_part(Bucket='sums', Key='comp', UploadId=uid, PartNumber=1, Body=parts[0]))
assert got == ('InvalidRequest', mismatch + 'null'), got
got = code_and_message(lambda: s3.upload_part(Bucket='sums', Key='comp', UploadId=uid, PartNumber=1, Body=parts[0],
                                              ChecksumAlgorithm='CRC32'))
assert got == ('InvalidRequest', mismatch + 'crc32'), got
sums = []
for n, data in enumerate(parts[:2], 1):
    r = s3.upload_part(Bucket='sums', Key='comp', UploadId=uid, PartNumber=n, Body=data, ChecksumAlgorithm='SHA256')
    assert r['ChecksumSHA256'] == sha256(data), r
    sums.append({'PartNumber': n, 'ETag': r['ETag'], 'ChecksumSHA256': r['ChecksumSHA256']})
digests = b''.join(hashlib.sha256(d).digest() for d in parts[:2])
composite = base64.b64encode(hashlib.sha256(digests).digest()).decode()
without = [{'PartNumber': p['PartNumber'], 'ETag': p['ETag']} for p in sums]
got = code_and_message(lambda: s3.complete_multipart_upload(Bucket='sums', Key='comp', UploadId=uid,
                                                            MultipartUpload={'Parts': without}))
assert got[0] == 'InvalidRequest' and 'must include the checksum for each part' in got[1] \
    and 'missing for part 1' in got[1], got
swapped = [dict(sums[0], ChecksumSHA256=sums[1]['ChecksumSHA256']), sums[1]]
assert refused(lambda: s3.complete_multipart_upload(Bucket='sums', Key='comp', UploadId=uid,
                                                    MultipartUpload={'Parts': swapped})) == ('InvalidPart', 400)
assert refused(lambda: s3.complete_multipart_upload(Bucket='sums', Key='comp', UploadId=uid,
    ChecksumSHA256=sha256(b'wrong') + '-2', MultipartUpload={'Parts': sums})) == ('BadDigest', 400)
done = s3.complete_multipart_upload(Bucket='sums', Key='comp', UploadId=uid, ChecksumSHA256=composite + '-2',
                                    MultipartUpload={'Parts': sums})
assert (done['ChecksumSHA256'], done['ChecksumType']) == (composite + '-2', 'COMPOSITE'), done
# GetObjectAttributes gives a composite without its part count, as S3 does.
attrs = s3.get_object_attributes(Bucket='sums', Key='comp', ObjectAttributes=['Checksum'])
assert attrs['Checksum'] == {'ChecksumSHA256': composite, 'ChecksumType': 'COMPOSITE'}, attrs

# --- The types an algorithm does not have, and a type without an algorithm ----------------
for args in ({'ChecksumAlgorithm': 'SHA256', 'ChecksumType': 'FULL_OBJECT'},
             {'ChecksumAlgorithm': 'CRC64NVME', 'ChecksumType': 'COMPOSITE'},
             {'ChecksumType': 'FULL_OBJECT'}):
    assert refused(lambda: s3.create_multipart_upload(Bucket='sums', Key='no', **args)) == ('InvalidRequest', 400), args

# --- UploadPartCopy: the copied part gets the upload's checksum ----------------------------
s3.put_object(Bucket='sums', Key='src', Body=whole)
up = s3.create_multipart_upload(Bucket='sums', Key='copied', ChecksumAlgorithm='CRC32')
uid = up['UploadId']
spans = [(0, 5 * MiB - 1), (5 * MiB, len(whole) - 1)]
copied = []
for n, (a, b) in enumerate(spans, 1):
    r = s3.upload_part_copy(Bucket='sums', Key='copied', UploadId=uid, PartNumber=n,
                            CopySource={'Bucket': 'sums', 'Key': 'src'}, CopySourceRange=f'bytes={a}-{b}')
    assert r['CopyPartResult']['ChecksumCRC32'] == crc32(whole[a:b + 1]), r
    copied.append({'PartNumber': n, 'ETag': r['CopyPartResult']['ETag'],
                   'ChecksumCRC32': r['CopyPartResult']['ChecksumCRC32']})
done = s3.complete_multipart_upload(Bucket='sums', Key='copied', UploadId=uid, MultipartUpload={'Parts': copied})
crcs = b''.join(zlib.crc32(whole[a:b + 1]).to_bytes(4, 'big') for a, b in spans)
assert done['ChecksumCRC32'] == crc32(crcs) + '-2', done

# --- CopyObject: one new object, its checksum made over the whole --------------------------
c = s3.copy_object(Bucket='sums', Key='comp-copy', CopySource={'Bucket': 'sums', 'Key': 'comp'})
assert c['CopyObjectResult']['ChecksumSHA256'] == sha256(whole[:10 * MiB]), c
head = s3.head_object(Bucket='sums', Key='comp-copy', ChecksumMode='ENABLED')
assert (head['ChecksumSHA256'], head['ChecksumType']) == (sha256(whole[:10 * MiB]), 'FULL_OBJECT'), head
c = s3.copy_object(Bucket='sums', Key='full-copy', CopySource={'Bucket': 'sums', 'Key': 'full'}, ChecksumAlgorithm='SHA256')
assert c['CopyObjectResult']['ChecksumSHA256'] == sha256(whole), c
head = s3.head_object(Bucket='sums', Key='full-copy', ChecksumMode='ENABLED')
assert head.get('ChecksumCRC32') is None and head['ChecksumSHA256'] == sha256(whole), head

# --- A PutObject's checksum is of the full object -------------------------------------------
r = s3.put_object(Bucket='sums', Key='single', Body=b'one piece', ChecksumAlgorithm='CRC32')
assert (r['ChecksumCRC32'], r['ChecksumType']) == (crc32(b'one piece'), 'FULL_OBJECT'), r
print('ok')
"#;

#[test]
fn multipart_checksums_are_made_checked_and_reported_as_s3_does() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, SCRIPT);
}
