//! Bucket answers as boto3 sees them, through the real binary (`STRATA_PYTHON`):
//! ListBuckets pages (`MaxBuckets`, `ContinuationToken`, `Prefix`, `BucketRegion`),
//! CreateBucket of a bucket one owns already, DeleteBucket with uploads in progress.

use strata_tests::{boto3_ok, Server};

const SCRIPT: &str = r#"
names = ['pages-d', 'pages-a', 'other-x', 'pages-c', 'pages-b']
for n in names:
    s3.create_bucket(Bucket=n)
everything = [b['Name'] for b in s3.list_buckets()['Buckets']]
assert everything == sorted(names), everything

# Pages of two follow the names; the last page has no token.
seen, token, pages = [], None, 0
while True:
    kw = {'MaxBuckets': 2}
    if token:
        kw['ContinuationToken'] = token
    page = s3.list_buckets(**kw)
    assert len(page['Buckets']) <= 2, page
    seen += [b['Name'] for b in page['Buckets']]
    pages += 1
    token = page.get('ContinuationToken')
    if not token:
        break
assert seen == sorted(names) and pages == 3, (seen, pages)
# boto3's own paginator gets the same.
paged = [b['Name'] for p in s3.get_paginator('list_buckets').paginate(PaginationConfig={'PageSize': 2}) for b in p['Buckets']]
assert paged == sorted(names), paged

# Prefix and region filter; each bucket says its region.
by_prefix = s3.list_buckets(Prefix='pages-')
assert [b['Name'] for b in by_prefix['Buckets']] == ['pages-a', 'pages-b', 'pages-c', 'pages-d'], by_prefix
assert by_prefix['Prefix'] == 'pages-'
assert all(b['BucketRegion'] == 'us-east-1' for b in by_prefix['Buckets']), by_prefix
assert s3.list_buckets(BucketRegion='eu-west-1')['Buckets'] == []
assert len(s3.list_buckets(BucketRegion='us-east-1')['Buckets']) == 5

# Out of range (boto3 itself refuses 0), or a token strata did not give: refused.
for bad in [lambda: s3.list_buckets(MaxBuckets=10001),
            lambda: s3.list_buckets(ContinuationToken='%%%')]:
    assert refused(bad) == ('InvalidArgument', 400), refused(bad)

# CreateBucket of one's own bucket in us-east-1: 200 and nothing changes.
s3.put_object(Bucket='pages-a', Key='k', Body=b'kept')
s3.create_bucket(Bucket='pages-a')
assert s3.get_object(Bucket='pages-a', Key='k')['Body'].read() == b'kept'
assert refused(lambda: s3.create_bucket(Bucket='pages-a', ObjectOwnership='ObjectWriter')) == ('BucketAlreadyOwnedByYou', 409)

# Uploads in progress do not keep a bucket (objects do); a bucket made again lists none.
up = s3.create_multipart_upload(Bucket='pages-b', Key='big')
s3.upload_part(Bucket='pages-b', Key='big', UploadId=up['UploadId'], PartNumber=1, Body=b'z' * 100)
assert refused(lambda: s3.delete_bucket(Bucket='pages-a')) == ('BucketNotEmpty', 409)
s3.delete_bucket(Bucket='pages-b')
s3.create_bucket(Bucket='pages-b')
assert s3.list_multipart_uploads(Bucket='pages-b').get('Uploads', []) == []
print('ok')
"#;

#[test]
fn buckets_list_recreate_and_delete_as_aws_answers() {
    let server = Server::start_fast_2x2(env!("CARGO_BIN_EXE_strata"));
    boto3_ok(&server, SCRIPT);
}
