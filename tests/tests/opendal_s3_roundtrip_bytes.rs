//! OpenDAL's s3 service (a Rust client: reqsign SigV4, its own XML, multipart writer) over
//! plain HTTP: write/read small and 20 MiB (through `writer_with(..).chunk(8 MiB)`, so
//! multipart), ranged reads, stat (size, ETag), list with a prefix (flat and recursive),
//! delete, and NotFound after delete. Every read is byte-compared.

use std::collections::BTreeSet;

use md5::{Digest as _, Md5};
use opendal::{services::S3, Entry, EntryMode, ErrorKind, Operator};
use strata_tests::*;

const MIB: usize = 1 << 20;
const BUCKET: &str = "opendal";

fn operator(server: &Server) -> Operator {
    // reqwest is built with `rustls-no-provider` in this workspace (the gateway's sinks pick
    // ring): a process that builds a reqwest client installs a provider first, as strata does.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = S3::default()
        .endpoint(&server.endpoint())
        .region("us-east-1")
        .bucket(BUCKET)
        .access_key_id(ACCESS_KEY)
        .secret_access_key(SECRET_KEY)
        .disable_config_load()
        .disable_ec2_metadata();
    Operator::new(builder).expect("s3 operator").finish()
}

/// Every file (not directory) under `prefix`, recursively, in listing order.
async fn files_under(op: &Operator, prefix: &str) -> Vec<Entry> {
    op.list_with(prefix)
        .recursive(true)
        .await
        .unwrap_or_else(|e| panic!("recursive listing of {prefix:?}: {e}"))
        .into_iter()
        .filter(|e| e.metadata().mode() == EntryMode::FILE)
        .collect()
}

fn assert_bytes(label: &str, expected: &[u8], got: &[u8]) {
    assert_eq!(got.len(), expected.len(), "{label}: length differs");
    assert!(got == expected, "{label}: content differs");
}

fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn opendal_s3_roundtrips_bytes() {
    let server = Server::start();
    create_bucket_with_aws_cli(&server, BUCKET);
    let op = operator(&server);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(roundtrip(&op));
}

async fn roundtrip(op: &Operator) {
    // small: one PutObject
    let small = random_bytes(100_000, 31);
    op.write("dir/small.bin", small.clone())
        .await
        .expect("write small");
    let got = op.read("dir/small.bin").await.expect("read small").to_vec();
    assert_bytes("read small", &small, &got);

    // 20 MiB through a chunked writer, fed in uneven pieces: 8 MiB parts, so 3 parts.
    let big = random_bytes(20 * MIB, 32);
    let mut w = op
        .writer_with("dir/big.bin")
        .chunk(8 * MIB)
        .await
        .expect("writer");
    for piece in big.chunks(3 * MIB + 17) {
        w.write(piece.to_vec()).await.expect("write big piece");
    }
    w.close().await.expect("close big");
    let got = op.read("dir/big.bin").await.expect("read big").to_vec();
    assert_bytes("read big", &big, &got);

    // ranged reads, one across the first part boundary
    for (lo, hi) in [
        (1000, 2_000_000),
        (8 * MIB - 100, 8 * MIB + 100),
        (19 * MIB, 20 * MIB),
    ] {
        let got = op
            .read_with("dir/big.bin")
            .range(lo as u64..hi as u64)
            .await
            .unwrap_or_else(|e| panic!("read range {lo}..{hi}: {e}"))
            .to_vec();
        assert_bytes(&format!("range {lo}..{hi}"), &big[lo..hi], &got);
    }

    // stat: size and ETag (MD5 for one put, `-3` for three parts)
    let meta = op.stat("dir/small.bin").await.expect("stat small");
    assert_eq!(meta.content_length(), small.len() as u64);
    let etag = meta.etag().expect("small has an ETag").trim_matches('"');
    assert_eq!(etag, md5_hex(&small), "ETag of a single put is its MD5");
    let meta = op.stat("dir/big.bin").await.expect("stat big");
    assert_eq!(meta.content_length(), big.len() as u64);
    let etag = meta.etag().expect("big has an ETag").trim_matches('"');
    assert!(
        etag.ends_with("-3"),
        "multipart ETag {etag:?} should end in -3"
    );

    // list with a prefix: flat (one level, directories as prefixes) and recursive
    let tree = [
        "list/a.txt",
        "list/b/c.txt",
        "list/b/d/e.txt",
        "listing.txt",
    ];
    for (i, path) in tree.iter().enumerate() {
        op.write(path, random_bytes(10 + i, 40 + i as u64))
            .await
            .unwrap_or_else(|e| panic!("write {path}: {e}"));
    }
    let flat: BTreeSet<(String, bool)> = op
        .list("list/")
        .await
        .expect("list flat")
        .into_iter()
        .filter(|e| e.path() != "list/")
        .map(|e| (e.path().to_string(), e.metadata().mode() == EntryMode::DIR))
        .collect();
    let want: BTreeSet<(String, bool)> = [
        ("list/a.txt".to_string(), false),
        ("list/b/".to_string(), true),
    ]
    .into();
    assert_eq!(flat, want, "flat listing of list/");
    let deep: BTreeSet<String> = files_under(op, "list/")
        .await
        .iter()
        .map(|e| e.path().to_string())
        .collect();
    let want: BTreeSet<String> = tree[..3].iter().map(|s| s.to_string()).collect();
    assert_eq!(deep, want, "recursive listing of list/");
    let sizes: Vec<u64> = files_under(op, "list/b/")
        .await
        .iter()
        .map(|e| e.metadata().content_length())
        .collect();
    assert_eq!(sizes, vec![11, 12], "sizes in a listing");

    // delete: gone for read and stat, and from listings
    for path in ["dir/small.bin", "dir/big.bin", "list/b/c.txt"] {
        op.delete(path)
            .await
            .unwrap_or_else(|e| panic!("delete {path}: {e}"));
        let err = op.read(path).await.expect_err("read after delete");
        assert_eq!(err.kind(), ErrorKind::NotFound, "read {path}: {err}");
        let err = op.stat(path).await.expect_err("stat after delete");
        assert_eq!(err.kind(), ErrorKind::NotFound, "stat {path}: {err}");
    }
    let left: BTreeSet<String> = files_under(op, "")
        .await
        .iter()
        .map(|e| e.path().to_string())
        .collect();
    let want: BTreeSet<String> = ["list/a.txt", "list/b/d/e.txt", "listing.txt"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(left, want, "what is left after deletes");
    let got = op
        .read("listing.txt")
        .await
        .expect("read survivor")
        .to_vec();
    assert_bytes("read listing.txt", &random_bytes(13, 43), &got);
}
