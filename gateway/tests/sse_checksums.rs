//! SSE-C objects' checksums are sealed with the object's key: the real `strata` and the aws
//! CLI (`STRATA_AWS`) write SSE-C objects with SHA-256 and CRC32 checksums (a single put and
//! a multipart upload), and no volume file holds a checksum value, in text or in binary,
//! while HEAD, GET and GetObjectAttributes with the key report them exactly and without the
//! key refuse. The counter-check: an SSE-S3 object's checksum (in clear, as on AWS) is found
//! by the same scan, so the scan can see what it looks for.

#[path = "support/volume_scan.rs"]
mod volume_scan;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use md5::Md5;
use serde_json::Value;
use sha2::{Digest, Sha256};
use strata_tests::{aws_ok as ok, aws_run as aws, Layout, Server};
use volume_scan::files_holding;

const BUCKET: &str = "sums";
const KEY: &str = "0123456789abcdef0123456789ABCDEF";
const SSE_C: [&str; 4] = [
    "--sse-customer-algorithm",
    "AES256",
    "--sse-customer-key",
    KEY,
];

/// `args` followed by `extra`.
fn with<'a>(args: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(extra).copied().collect()
}

fn json(server: &Server, args: &[&str]) -> Value {
    serde_json::from_str(&ok(server, args)).unwrap()
}

fn put(server: &Server, key: &str, file: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "s3api",
        "put-object",
        "--bucket",
        BUCKET,
        "--key",
        key,
        "--body",
        file,
        "--checksum-algorithm",
        "SHA256",
    ];
    args.extend_from_slice(extra);
    json(server, &args)
}

/// That no volume file holds `value` (a checksum's base64 text) or its bytes. A shard file
/// is ciphertext, in which any 4 given bytes turn up by chance (a CRC32's odds were about 1
/// in 200 per value over this test's 19 MB of shards): raw values shorter than 16 bytes are
/// looked for only where records live, outside `.strata/data/`.
fn nowhere(server: &Server, layout: &Layout, value: &str) {
    assert_eq!(
        files_holding(server, layout, value.as_bytes()),
        Vec::<std::path::PathBuf>::new(),
        "{value} in clear"
    );
    let raw = STANDARD.decode(value).unwrap();
    let holding: Vec<_> = files_holding(server, layout, &raw)
        .into_iter()
        .filter(|f| raw.len() >= 16 || !f.to_string_lossy().contains("/.strata/data/"))
        .collect();
    assert_eq!(
        holding,
        Vec::<std::path::PathBuf>::new(),
        "{value}'s bytes in clear"
    );
}

#[test]
fn sse_c_checksums_are_sealed_on_disk_and_reported_with_the_key_only() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::fast_2x2();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(layout.clone())
        .dir(tmp.path().join("server"))
        .start();
    ok(&server, &["s3api", "create-bucket", "--bucket", BUCKET]);
    let body: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 253) as u8).collect();
    let file = tmp.path().join("body");
    std::fs::write(&file, &body).unwrap();
    let file = file.to_str().unwrap();
    let sha256 = STANDARD.encode(Sha256::digest(&body));
    // The CLI encodes the key (and adds its MD5) for the data operations only; ListParts,
    // CompleteMultipartUpload and GetObjectAttributes get them as the headers carry them.
    let key_b64 = STANDARD.encode(KEY);
    let key_md5 = STANDARD.encode(Md5::digest(KEY.as_bytes()));
    let encoded = [
        "--sse-customer-algorithm",
        "AES256",
        "--sse-customer-key",
        &key_b64,
        "--sse-customer-key-md5",
        &key_md5,
    ];

    // A single SSE-C put: the answer reports the checksum, the store keeps it sealed.
    let put_c = put(&server, "customer", file, &SSE_C);
    assert_eq!(put_c["ChecksumSHA256"], sha256.as_str(), "{put_c}");

    // A multipart SSE-C upload with CRC32 parts; ListParts needs the key too.
    let large: Vec<u8> = (0..9 * 1024 * 1024 + 777u32)
        .map(|i| (i % 241) as u8)
        .collect();
    let part_files: Vec<String> = large
        .chunks(8 * 1024 * 1024)
        .enumerate()
        .map(|(i, chunk)| {
            let f = tmp.path().join(format!("part{i}"));
            std::fs::write(&f, chunk).unwrap();
            f.to_str().unwrap().to_string()
        })
        .collect();
    let upload = with(
        &[
            "s3api",
            "create-multipart-upload",
            "--bucket",
            BUCKET,
            "--key",
            "customer-mp",
            "--checksum-algorithm",
            "CRC32",
        ],
        &SSE_C,
    );
    let upload_id = json(&server, &upload)["UploadId"]
        .as_str()
        .unwrap()
        .to_string();
    // `s3api OP` on the upload.
    let on_upload = |op: &'static str| {
        let id: &str = &upload_id;
        vec![
            "s3api",
            op,
            "--bucket",
            BUCKET,
            "--key",
            "customer-mp",
            "--upload-id",
            id,
        ]
    };
    let mut completed = Vec::new();
    for (i, part) in part_files.iter().enumerate() {
        let number = (i + 1).to_string();
        let mut args = on_upload("upload-part");
        args.extend_from_slice(&["--part-number", &number, "--body", part]);
        args.extend_from_slice(&["--checksum-algorithm", "CRC32"]);
        let answer = json(&server, &with(&args, &SSE_C));
        completed.push(serde_json::json!({
            "PartNumber": i + 1,
            "ETag": answer["ETag"],
            "ChecksumCRC32": answer["ChecksumCRC32"],
        }));
    }
    let list_parts = on_upload("list-parts");
    let listed = json(&server, &with(&list_parts, &encoded));
    let listed: Vec<&Value> = listed["Parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["ChecksumCRC32"])
        .collect();
    let answered: Vec<&Value> = completed.iter().map(|p| &p["ChecksumCRC32"]).collect();
    assert_eq!(listed, answered);
    assert!(
        !aws(&server, &list_parts).status.success(),
        "ListParts without the key"
    );
    let parts_doc = serde_json::json!({ "Parts": completed }).to_string();
    let mut complete = on_upload("complete-multipart-upload");
    complete.extend_from_slice(&["--multipart-upload", &parts_doc]);
    let done = json(&server, &with(&complete, &encoded));
    assert!(
        done["ChecksumCRC32"]
            .as_str()
            .unwrap_or_default()
            .ends_with("-2"),
        "{done}"
    );

    // With the key: HEAD (checksum mode) and GetObjectAttributes report the values.
    let mut head = vec![
        "s3api",
        "head-object",
        "--bucket",
        BUCKET,
        "--key",
        "customer",
    ];
    head.extend_from_slice(&["--checksum-mode", "ENABLED"]);
    let mut with_key = head.clone();
    with_key.extend_from_slice(&SSE_C);
    assert_eq!(json(&server, &with_key)["ChecksumSHA256"], sha256.as_str());
    let mut attributes = vec![
        "s3api",
        "get-object-attributes",
        "--bucket",
        BUCKET,
        "--key",
        "customer-mp",
        "--object-attributes",
        "Checksum",
        "ObjectParts",
    ];
    attributes.extend_from_slice(&encoded);
    let attrs = json(&server, &attributes);
    let parts = attrs["ObjectParts"]["Parts"]
        .as_array()
        .expect("parts")
        .clone();
    assert_eq!(parts.len(), 2, "{attrs}");
    let part_sums: Vec<String> = parts
        .iter()
        .map(|p| {
            p["ChecksumCRC32"]
                .as_str()
                .expect("a part CRC32")
                .to_string()
        })
        .collect();
    let expected: Vec<String> = large
        .chunks(8 * 1024 * 1024)
        .map(|c| STANDARD.encode(crc32_ieee(c).to_be_bytes()))
        .collect();
    assert_eq!(part_sums, expected, "{attrs}");
    // Attributes give the composite without its `-N`, as S3 does.
    let part_crcs: Vec<u8> = large
        .chunks(8 * 1024 * 1024)
        .flat_map(|c| crc32_ieee(c).to_be_bytes())
        .collect();
    let composite = STANDARD.encode(crc32_ieee(&part_crcs).to_be_bytes());
    assert_eq!(
        attrs["Checksum"]["ChecksumCRC32"],
        composite.as_str(),
        "{attrs}"
    );

    // Without the key: refused, not answered with sealed bytes or nothing.
    let out = aws(&server, &head);
    assert!(
        !out.status.success(),
        "a HEAD without the key reported checksums"
    );
    attributes.truncate(attributes.len() - encoded.len());
    let out = aws(&server, &attributes);
    assert!(!out.status.success(), "attributes without the key");

    // On disk: none of the values, in text or in bytes.
    nowhere(&server, &layout, &sha256);
    for sum in &part_sums {
        nowhere(&server, &layout, sum);
    }

    // The counter-check: an SSE-S3 object's checksum is in clear (as on AWS), and found.
    let other: Vec<u8> = body.iter().rev().copied().collect();
    let other_file = tmp.path().join("other");
    std::fs::write(&other_file, &other).unwrap();
    let sse_s3 = put(&server, "sse-s3", other_file.to_str().unwrap(), &[]);
    let clear = sse_s3["ChecksumSHA256"].as_str().unwrap().to_string();
    assert_eq!(clear, STANDARD.encode(Sha256::digest(&other)));
    assert!(
        !files_holding(&server, &layout, clear.as_bytes()).is_empty(),
        "the scan does not find a checksum stored in clear"
    );
}

/// CRC-32 (IEEE), as S3's CRC32 checksum.
fn crc32_ieee(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
