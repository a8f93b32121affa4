//! Storage classes by their S3 names (`--storage-classes`), through boto3: a write names a
//! class as `x-amz-storage-class`, its bytes go to that class's volumes, and HEAD, GET,
//! ListObjects(V2), ListObjectVersions, ListParts and ListMultipartUploads report the name;
//! a name no class has is InvalidStorageClass, the class's own name included.

use std::path::Path;

use strata_tests::{boto3_ok, Layout, Server};

#[path = "support/volume_scan.rs"]
mod volume_scan;
use volume_scan::shard_file_sizes;

const SCRIPT: &str = r#"
s3.create_bucket(Bucket='tiers')
s3.put_bucket_versioning(Bucket='tiers', VersioningConfiguration={'Status': 'Enabled'})
s3.put_object(Bucket='tiers', Key='hot', Body=b'hot bytes')
v = s3.put_object(Bucket='tiers', Key='cold', Body=b'c' * (2 * 1024 * 1024), StorageClass='STANDARD_IA')['VersionId']
assert 'StorageClass' not in s3.head_object(Bucket='tiers', Key='hot')
assert s3.head_object(Bucket='tiers', Key='cold')['StorageClass'] == 'STANDARD_IA'
assert s3.get_object(Bucket='tiers', Key='cold', VersionId=v)['StorageClass'] == 'STANDARD_IA'
classes = {o['Key']: o['StorageClass'] for o in s3.list_objects_v2(Bucket='tiers')['Contents']}
assert classes == {'hot': 'STANDARD', 'cold': 'STANDARD_IA'}, classes
classes = {o['Key']: o['StorageClass'] for o in s3.list_objects(Bucket='tiers')['Contents']}
assert classes == {'hot': 'STANDARD', 'cold': 'STANDARD_IA'}, classes
versions = {o['Key']: o['StorageClass'] for o in s3.list_object_versions(Bucket='tiers')['Versions']}
assert versions == {'hot': 'STANDARD', 'cold': 'STANDARD_IA'}, versions
# A copy takes the class it is told, a multipart upload its creation's.
s3.copy_object(Bucket='tiers', Key='cold-copy', CopySource={'Bucket': 'tiers', 'Key': 'hot'}, StorageClass='STANDARD_IA')
assert s3.head_object(Bucket='tiers', Key='cold-copy')['StorageClass'] == 'STANDARD_IA'
up = s3.create_multipart_upload(Bucket='tiers', Key='mp', StorageClass='STANDARD_IA')['UploadId']
assert s3.list_parts(Bucket='tiers', Key='mp', UploadId=up)['StorageClass'] == 'STANDARD_IA'
assert [u['StorageClass'] for u in s3.list_multipart_uploads(Bucket='tiers')['Uploads']] == ['STANDARD_IA']
# Names no class has, the internal class name among them.
for name in ('GLACIER', 'bulk', 'standard_ia'):
    assert refused(lambda: s3.put_object(Bucket='tiers', Key='x', Body=b'x', StorageClass=name)) == ('InvalidStorageClass', 400), name
print('ok')
"#;

/// The largest shard file of the volume `dir`.
fn largest_shard(dir: &Path) -> u64 {
    shard_file_sizes(dir).into_iter().max().unwrap_or(0)
}

#[test]
fn classes_are_named_as_s3_names_them_and_unknown_names_are_refused() {
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(Layout::fast_2x2_bulk_mirror())
        .arg("--storage-classes")
        .arg("bulk=STANDARD_IA")
        .start();
    boto3_ok(&server, SCRIPT);
    // The STANDARD_IA object's 2 MiB are on the bulk class's volumes (a mirror: whole 1 MiB
    // blocks in each), not on the fast class's (2+2: its shards are half a block at most,
    // and it holds only the small objects).
    for i in 0..2 {
        let bulk = server.dir().join(format!("bulk{i}"));
        assert!(largest_shard(&bulk) >= 1 << 20, "{}", bulk.display());
    }
    for i in 0..4 {
        let fast = server.dir().join(format!("fast{i}"));
        assert!(largest_shard(&fast) < 1 << 19, "{}", fast.display());
    }
}
