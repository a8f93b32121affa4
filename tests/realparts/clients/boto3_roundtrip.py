"""boto3 with its default settings against strata over HTTPS.

Usage: boto3_roundtrip.py ENDPOINT CA_FILE ACCESS_KEY SECRET_KEY WORK_DIR

Over HTTPS boto3 sends object bodies as aws-chunked with a CRC32 trailer
(x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER). The request headers are
captured with botocore event hooks to prove that path is taken, and every checksum strata
returns is compared with one computed here. Every download is compared with what was
uploaded (length and SHA-256). Any mismatch exits non-zero with a message saying what.
"""

import base64
import hashlib
import random
import ssl
import sys
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MIB = 1024 * 1024
TRAILER_MODE = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


def fail(msg):
    print(f"boto3 roundtrip FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def data_of(size, seed):
    return random.Random(seed).randbytes(size)


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def composite_crc32(data, part_size):
    """S3's COMPOSITE checksum: CRC32 over the parts' CRC32 digests, then -N."""
    parts = [data[i : i + part_size] for i in range(0, len(data), part_size)]
    digests = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)
    return f"{crc32_b64(digests)}-{len(parts)}"


def same_bytes(label, expected, got):
    if len(got) != len(expected):
        fail(f"{label}: length {len(got)}, expected {len(expected)}")
    want, have = hashlib.sha256(expected).hexdigest(), hashlib.sha256(got).hexdigest()
    if want != have:
        fail(f"{label}: sha256 {have}, expected {want}")
    print(f"ok {label}: {len(got)} bytes, sha256 {have[:16]}")


class Recorder:
    """Request headers sent and responses parsed, per operation, via botocore events."""

    def __init__(self, client):
        self.sent = []
        self.parsed = []
        events = client.meta.events
        events.register("before-send.s3.*", self._before_send)
        events.register("after-call.s3.*", self._after_call)

    def _before_send(self, request, event_name, **_):
        op = event_name.rsplit(".", 1)[-1]
        text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
        self.sent.append((op, {k.lower(): text(v) for k, v in request.headers.items()}))

    def _after_call(self, parsed, event_name, **_):
        self.parsed.append((event_name.rsplit(".", 1)[-1], parsed))

    def headers(self, op):
        return [h for o, h in self.sent if o == op]

    def responses(self, op):
        return [p for o, p in self.parsed if o == op]

    def clear(self):
        self.sent.clear()
        self.parsed.clear()


def assert_trailer_upload(label, headers):
    """The body went as aws-chunked with a CRC32 trailer, not signed or hashed."""
    check(headers, f"{label}: no request was captured")
    for h in headers:
        mode = h.get("x-amz-content-sha256")
        check(mode == TRAILER_MODE, f"{label}: x-amz-content-sha256 is {mode!r}")
        check("aws-chunked" in h.get("content-encoding", ""), f"{label}: not aws-chunked: {h}")
        trailer = h.get("x-amz-trailer")
        check(trailer == "x-amz-checksum-crc32", f"{label}: x-amz-trailer is {trailer!r}")
        check("x-amz-checksum-crc32" not in h, f"{label}: checksum sent as a header")
    print(f"ok {label}: {len(headers)} request(s) with x-amz-content-sha256: {TRAILER_MODE}")


def main():
    endpoint, ca_file, access_key, secret_key, work = sys.argv[1:6]
    work = Path(work)
    def client(**extra):
        return boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            verify=ca_file,
            **extra,
        )

    s3 = client()
    cfg = s3.meta.config
    check(
        cfg.request_checksum_calculation == "when_supported",
        f"request_checksum_calculation is {cfg.request_checksum_calculation!r}, not the default",
    )
    rec = Recorder(s3)
    bucket = "boto3"
    s3.create_bucket(Bucket=bucket)

    # put_object: small and ~5 MiB, each checked against a locally computed CRC32.
    objects = {"small.bin": data_of(100_000, 1), "five.bin": data_of(5 * MIB + 123, 2)}
    for key, data in objects.items():
        rec.clear()
        resp = s3.put_object(Bucket=bucket, Key=key, Body=data)
        assert_trailer_upload(f"PutObject {key}", rec.headers("PutObject"))
        got = resp.get("ChecksumCRC32")
        check(got == crc32_b64(data), f"PutObject {key}: ChecksumCRC32 {got!r}, expected {crc32_b64(data)!r}")
        etag = hashlib.md5(data).hexdigest()
        check(resp["ETag"] == f'"{etag}"', f"PutObject {key}: ETag {resp['ETag']}, expected {etag}")

    # upload_file of 20 MiB in 8 MiB parts: three UploadParts, each with a CRC32 trailer.
    big_path = work / "big.bin"
    big = data_of(20 * MIB, 3)
    big_path.write_bytes(big)
    tc = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB)
    rec.clear()
    s3.upload_file(str(big_path), bucket, "big.bin", Config=tc)
    check(not rec.headers("PutObject"), "upload_file did not go multipart")
    assert_trailer_upload("UploadPart big.bin", rec.headers("UploadPart"))
    check(len(rec.headers("UploadPart")) == 3, f"{len(rec.headers('UploadPart'))} parts, expected 3")
    part_crcs = sorted(p.get("ChecksumCRC32") for p in rec.responses("UploadPart"))
    want_parts = sorted(crc32_b64(big[i : i + 8 * MIB]) for i in range(0, len(big), 8 * MIB))
    check(part_crcs == want_parts, f"UploadPart CRC32s {part_crcs}, expected {want_parts}")
    composite = composite_crc32(big, 8 * MIB)
    completes = rec.responses("CompleteMultipartUpload")
    check(len(completes) == 1, f"{len(completes)} CompleteMultipartUpload calls, expected 1")
    done = completes[0]
    got = done.get("ChecksumCRC32")
    check(got == composite, f"CompleteMultipartUpload ChecksumCRC32 {got!r}, expected {composite!r}")
    check(done.get("ChecksumType") == "COMPOSITE", f"CompleteMultipartUpload ChecksumType {done.get('ChecksumType')!r}")
    check(done["ETag"].endswith('-3"'), f"multipart ETag {done['ETag']}")
    print(f"ok upload_file big.bin: 3 parts, ChecksumCRC32 {got}")
    objects["big.bin"] = big

    # head_object: size, ETag, and the checksum asked for with ChecksumMode.
    for key, data in objects.items():
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        check(head["ContentLength"] == len(data), f"HeadObject {key}: {head['ContentLength']} bytes")
        want = composite if key == "big.bin" else crc32_b64(data)
        check(head.get("ChecksumCRC32") == want, f"HeadObject {key}: ChecksumCRC32 {head.get('ChecksumCRC32')!r}, expected {want!r}")
        if key == "big.bin":
            check(head.get("ChecksumType") == "COMPOSITE", f"HeadObject {key}: ChecksumType {head.get('ChecksumType')!r}")
    print("ok head_object: sizes and CRC32s")

    # get_object with ChecksumMode: botocore itself validates a full-object CRC32 as it reads.
    for key, data in objects.items():
        resp = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        body = resp["Body"].read()
        want = composite if key == "big.bin" else crc32_b64(data)
        check(resp.get("ChecksumCRC32") == want, f"GetObject {key}: ChecksumCRC32 {resp.get('ChecksumCRC32')!r}")
        same_bytes(f"get_object {key}", data, body)

    # ranged gets, bounded and suffix.
    five = objects["five.bin"]
    for rng, lo, hi in [("bytes=1000-1999", 1000, 2000), (f"bytes=-{MIB}", len(five) - MIB, len(five))]:
        resp = s3.get_object(Bucket=bucket, Key="five.bin", Range=rng)
        check(resp["ResponseMetadata"]["HTTPStatusCode"] == 206, f"{rng}: status {resp['ResponseMetadata']['HTTPStatusCode']}")
        want_cr = f"bytes {lo}-{hi - 1}/{len(five)}"
        check(resp.get("ContentRange") == want_cr, f"{rng}: Content-Range {resp.get('ContentRange')!r}, expected {want_cr!r}")
        same_bytes(f"get_object five.bin {rng}", five[lo:hi], resp["Body"].read())

    # list_objects_v2, two keys a page.
    listed = {f"list/{i:02}.txt": data_of(10 + i, 100 + i) for i in range(5)}
    for key, data in listed.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    keys, pages, token = [], 0, None
    while True:
        kw = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=bucket, Prefix="list/", MaxKeys=2, **kw)
        pages += 1
        contents = page.get("Contents", [])
        check(len(contents) <= 2 and page["KeyCount"] == len(contents), f"page {pages}: {page}")
        for obj in contents:
            check(obj["Size"] == len(listed[obj["Key"]]), f"list: size of {obj['Key']} is {obj['Size']}")
        keys += [o["Key"] for o in contents]
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
        check(pages < 10, "list_objects_v2 does not end")
    check(keys == sorted(listed), f"list_objects_v2 keys {keys}, expected {sorted(listed)}")
    check(pages == 3, f"list_objects_v2 took {pages} pages, expected 3")
    print(f"ok list_objects_v2: {len(keys)} keys in {pages} pages")

    # copy_object: the copy reads back identical and keeps the CRC32.
    resp = s3.copy_object(Bucket=bucket, Key="copy.bin", CopySource={"Bucket": bucket, "Key": "five.bin"})
    got = resp["CopyObjectResult"].get("ChecksumCRC32")
    check(got == crc32_b64(five), f"CopyObject ChecksumCRC32 {got!r}, expected {crc32_b64(five)!r}")
    same_bytes("copy_object copy.bin", five, s3.get_object(Bucket=bucket, Key="copy.bin")["Body"].read())

    # presigned GET, fetched with urllib trusting only the CA file. boto3 presigns S3 URLs
    # with SigV2 by default in us-east-1 "for backwards compatibility"; strata, like S3 for
    # buckets made since 2020, takes SigV4 only, so presigning uses botocore's documented
    # opt-in (signature_version="s3v4"). Nothing else about this client differs.
    presigner = client(config=Config(signature_version="s3v4"))
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "five.bin"}, ExpiresIn=300)
    check("X-Amz-Algorithm=AWS4-HMAC-SHA256" in url, f"not a SigV4 presigned URL: {url}")
    ctx = ssl.create_default_context(cafile=ca_file)
    try:
        with urllib.request.urlopen(url, context=ctx, timeout=60) as r:
            same_bytes("presigned GET five.bin", five, r.read())
    except urllib.error.HTTPError as e:
        fail(f"presigned GET {url}: HTTP {e.code}: {e.read()[:2000]!r}")

    # download_file: ranged, concurrent GETs of the multipart object.
    down = work / "big.down"
    s3.download_file(bucket, "big.bin", str(down), Config=tc)
    same_bytes("download_file big.bin", big, down.read_bytes())

    # delete_objects, then everything named is gone.
    doomed = sorted([*listed, "copy.bin"])
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in doomed]})
    check(not resp.get("Errors"), f"DeleteObjects errors: {resp.get('Errors')}")
    deleted = sorted(d["Key"] for d in resp.get("Deleted", []))
    check(deleted == doomed, f"DeleteObjects deleted {deleted}, expected {doomed}")
    left = s3.list_objects_v2(Bucket=bucket, Prefix="list/")
    check(left["KeyCount"] == 0, f"after delete_objects: {left.get('Contents')}")
    try:
        s3.head_object(Bucket=bucket, Key="copy.bin")
        fail("copy.bin still exists after delete_objects")
    except ClientError as e:
        code = e.response["ResponseMetadata"]["HTTPStatusCode"]
        check(code == 404, f"HeadObject of a deleted key: {code}")
    print(f"ok delete_objects: {len(deleted)} keys gone")

    print("boto3 roundtrip: all checks passed")


if __name__ == "__main__":
    main()
