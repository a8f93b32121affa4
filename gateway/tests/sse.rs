//! Server-side encryption end to end: the real `strata` driven by the real aws CLI v2
//! (`STRATA_AWS`). New objects are SSE-S3 by default; `--sse AES256` and SSE-C round trip,
//! single puts, multipart uploads, copies and ranges alike; an SSE-C object needs its key. The
//! proof that bytes on disk are encrypted: recognisable plaintext written through S3
//! appears in no file under any volume directory, while the same scan finds it on a server
//! whose default is plaintext. A changed byte on disk fails the read, never yields other
//! bytes; the SSE-S3 key survives a restart. SSE-KMS round trips over the local keyring and
//! over a real OpenBao transit engine, with bucket default encryption and S3 Bucket Keys;
//! with the KMS down, SSE-KMS writes fail with a 503 and SSE-S3 goes on.

#[path = "support/volume_scan.rs"]
mod volume_scan;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};
use serde_json::Value;
use strata_tests::{aws_ok as ok, aws_run as aws, kms_key_of_arn, Bao, Layout, Server, BAO_TOKEN};
use volume_scan::{files_holding, volume_files};

/// What the scan looks for on disk.
const MARKER: &[u8] = b"STRATA-PLAINTEXT-MARKER-";
/// An SSE-C key as the aws CLI takes it (32 bytes, sent base64-encoded with its MD5).
const CUSTOMER_KEY: &str = "0123456789abcdef0123456789ABCDEF";
const OTHER_KEY: &str = "ffffffffffffffffffffffffffffffff";

/// Recognisable text of `len` bytes, numbered so that a misplaced range shows.
fn plaintext(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut n = 0u64;
    while out.len() < len {
        out.extend_from_slice(MARKER);
        out.extend_from_slice(format!("{n:012}\n").as_bytes());
        n += 1;
    }
    out.truncate(len);
    out
}

/// The S3 error code of a failed call (`... (CODE) when calling ...`).
fn error_code(server: &Server, args: &[&str]) -> String {
    let out = aws(server, args);
    assert!(!out.status.success(), "aws {args:?} succeeded");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .split_once("error occurred (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(code, _)| code.to_string())
        .unwrap_or_else(|| panic!("no error code in: {stderr}"))
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The volume files that hold the marker.
fn files_with_marker(server: &Server, layout: &Layout) -> Vec<PathBuf> {
    files_holding(server, layout, MARKER)
}

/// The key id of the KMS key ARN a HEAD answered (as AWS, strata answers ARNs).
fn arn_key(head: &Value) -> &str {
    let arn = head["SSEKMSKeyId"].as_str().unwrap_or_default();
    kms_key_of_arn(arn).unwrap_or_else(|| panic!("not a KMS key ARN: {arn:?}"))
}

fn head(server: &Server, key: &str, extra: &[&str]) -> Value {
    let mut args = vec!["s3api", "head-object", "--bucket", "sse-test", "--key", key];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(server, &args)).unwrap()
}

fn get_range(server: &Server, key: &str, range: &str, out: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "s3api",
        "get-object",
        "--bucket",
        "sse-test",
        "--key",
        key,
        "--range",
        range,
    ];
    args.extend_from_slice(extra);
    args.push(path(out));
    ok(server, &args);
    std::fs::read(out).unwrap()
}

const SSE_C: [&str; 4] = [
    "--sse-customer-algorithm",
    "AES256",
    "--sse-customer-key",
    CUSTOMER_KEY,
];

#[test]
fn objects_are_encrypted_on_disk_by_default_and_read_back_whole_and_in_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::fast_2x2();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(layout.clone())
        .dir(tmp.path().join("server"))
        .start();
    ok(&server, &["s3api", "create-bucket", "--bucket", "sse-test"]);
    let small = plaintext(300_000);
    // Over the CLI's 8 MB threshold: a multipart upload of two parts.
    let large = plaintext(9 * 1024 * 1024 + 12_345);
    let small_file = tmp.path().join("small");
    let large_file = tmp.path().join("large");
    std::fs::write(&small_file, &small).unwrap();
    std::fs::write(&large_file, &large).unwrap();
    let s3 = |key: &str| format!("s3://sse-test/{key}");
    ok(&server, &["s3", "cp", path(&small_file), &s3("default")]);
    ok(&server, &["s3", "cp", path(&large_file), &s3("default-mp")]);
    ok(
        &server,
        &[
            "s3",
            "cp",
            "--sse",
            "AES256",
            path(&small_file),
            &s3("asked"),
        ],
    );
    ok(
        &server,
        &[
            "s3",
            "cp",
            "--sse",
            "AES256",
            path(&large_file),
            &s3("asked-mp"),
        ],
    );
    let sse_c = ["--sse-c", "AES256", "--sse-c-key", CUSTOMER_KEY];
    let mut put_c = vec!["s3", "cp"];
    put_c.extend_from_slice(&sse_c);
    for (file, key) in [(&small_file, "customer"), (&large_file, "customer-mp")] {
        let mut args = put_c.clone();
        let target = s3(key);
        args.extend_from_slice(&[path(file), &target]);
        ok(&server, &args);
    }

    // No file under any volume holds the plaintext.
    assert_eq!(files_with_marker(&server, &layout), Vec::<PathBuf>::new());

    // HEAD says how each object is stored; an SSE-C ETag is not the plaintext's MD5.
    for key in ["default", "default-mp", "asked", "asked-mp"] {
        assert_eq!(
            head(&server, key, &[])["ServerSideEncryption"],
            "AES256",
            "{key}"
        );
    }
    let md5 = format!("\"{}\"", hex::encode(Md5::digest(&small)));
    assert_eq!(head(&server, "default", &[])["ETag"], md5.as_str());
    let customer = head(&server, "customer", &SSE_C);
    assert_eq!(customer["SSECustomerAlgorithm"], "AES256");
    assert_ne!(customer["ETag"], md5.as_str());

    // Whole objects and ranges (inside a package, across packages, across parts).
    let out = tmp.path().join("out");
    for (key, body) in [
        ("default", &small),
        ("default-mp", &large),
        ("asked", &small),
        ("asked-mp", &large),
    ] {
        ok(&server, &["s3", "cp", &s3(key), path(&out)]);
        assert!(std::fs::read(&out).unwrap() == *body, "{key} differs");
    }
    let mut get_c = vec!["s3", "cp"];
    get_c.extend_from_slice(&sse_c);
    for (key, body) in [("customer", &small), ("customer-mp", &large)] {
        let mut args = get_c.clone();
        let source = s3(key);
        args.extend_from_slice(&[&source, path(&out)]);
        ok(&server, &args);
        assert!(std::fs::read(&out).unwrap() == *body, "{key} differs");
    }
    let part = 8 * 1024 * 1024;
    let ranges = [(10, 20), (65_530, 131_080), (200_000, 299_999)];
    for (key, extra) in [("default", &[][..]), ("customer", &SSE_C[..])] {
        for (a, b) in ranges {
            let got = get_range(&server, key, &format!("bytes={a}-{b}"), &out, extra);
            assert!(got == small[a..=b], "{key} {a}-{b}");
        }
    }
    for (key, extra) in [("default-mp", &[][..]), ("customer-mp", &SSE_C[..])] {
        let (a, b) = (part - 70_000, part + 70_000);
        let got = get_range(&server, key, &format!("bytes={a}-{b}"), &out, extra);
        assert!(got == large[a..=b], "{key} across parts");
    }

    // Copies decrypt the source and encrypt the copy; an empty object round trips.
    ok(&server, &["s3", "cp", &s3("default-mp"), &s3("copied")]);
    let mut copy_c = vec![
        "s3api",
        "copy-object",
        "--bucket",
        "sse-test",
        "--key",
        "copied-c",
        "--copy-source",
        "sse-test/asked",
    ];
    copy_c.extend_from_slice(&SSE_C);
    ok(&server, &copy_c);
    ok(&server, &["s3", "cp", &s3("copied"), path(&out)]);
    assert!(std::fs::read(&out).unwrap() == large, "copied differs");
    let mut args = get_c.clone();
    let copied_c = s3("copied-c");
    args.extend_from_slice(&[&copied_c, path(&out)]);
    ok(&server, &args);
    assert!(std::fs::read(&out).unwrap() == small, "copied-c differs");
    // A copy from an SSE-C source needs the source's key in the copy-source headers.
    let copy_from_c = |extra: &[&str]| {
        let mut args = vec![
            "s3api",
            "copy-object",
            "--bucket",
            "sse-test",
            "--key",
            "from-c",
            "--copy-source",
            "sse-test/customer",
        ];
        args.extend_from_slice(extra);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let no_key = copy_from_c(&[]);
    let no_key: Vec<&str> = no_key.iter().map(String::as_str).collect();
    assert_eq!(error_code(&server, &no_key), "InvalidRequest");
    let with_key = copy_from_c(&[
        "--copy-source-sse-customer-algorithm",
        "AES256",
        "--copy-source-sse-customer-key",
        CUSTOMER_KEY,
    ]);
    let with_key: Vec<&str> = with_key.iter().map(String::as_str).collect();
    ok(&server, &with_key);
    assert_eq!(
        head(&server, "from-c", &[])["ServerSideEncryption"],
        "AES256"
    );
    ok(&server, &["s3", "cp", &s3("from-c"), path(&out)]);
    assert!(std::fs::read(&out).unwrap() == small, "from-c differs");
    // An SSE-S3 ETag is the plaintext's MD5 however the bytes came: copied from an SSE-C
    // source, or put with a Content-MD5 (which is checked on the plaintext).
    assert_eq!(head(&server, "from-c", &[])["ETag"], md5.as_str());
    let content_md5 = base64_key(&Md5::digest(&small));
    let put_md5 = |key: &str, digest: &str| {
        let args = [
            "s3api",
            "put-object",
            "--bucket",
            "sse-test",
            "--key",
            key,
            "--body",
            path(&small_file),
            "--content-md5",
            digest,
        ];
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let with_md5 = put_md5("with-md5", &content_md5);
    ok(
        &server,
        &with_md5.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(head(&server, "with-md5", &[])["ETag"], md5.as_str());
    let wrong = put_md5("wrong-md5", &base64_key(&Md5::digest(b"other")));
    let wrong: Vec<&str> = wrong.iter().map(String::as_str).collect();
    assert_eq!(error_code(&server, &wrong), "BadDigest");
    ok(
        &server,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "sse-test",
            "--key",
            "empty",
        ],
    );
    assert_eq!(
        head(&server, "empty", &[])["ServerSideEncryption"],
        "AES256"
    );
    assert_eq!(
        head(&server, "empty", &[])["ETag"],
        "\"d41d8cd98f00b204e9800998ecf8427e\""
    );
    ok(&server, &["s3", "cp", &s3("empty"), path(&out)]);
    assert_eq!(std::fs::read(&out).unwrap(), b"");
    assert_eq!(files_with_marker(&server, &layout), Vec::<PathBuf>::new());

    // An SSE-C object needs its key: none is a 400, another key a 403.
    let get = |extra: &[&str]| {
        let mut args = vec![
            "s3api",
            "get-object",
            "--bucket",
            "sse-test",
            "--key",
            "customer",
        ];
        args.extend_from_slice(extra);
        args.push(path(&out));
        error_code(&server, &args)
    };
    assert_eq!(get(&[]), "InvalidRequest");
    assert_eq!(
        get(&[
            "--sse-customer-algorithm",
            "AES256",
            "--sse-customer-key",
            OTHER_KEY
        ]),
        "AccessDenied"
    );
    // What strata does not provide is refused, never ignored.
    assert_eq!(
        error_code(
            &server,
            &[
                "s3api",
                "put-object",
                "--bucket",
                "sse-test",
                "--key",
                "kms",
                "--server-side-encryption",
                "aws:kms:dsse"
            ]
        ),
        "NotImplemented"
    );
}

#[test]
fn with_the_default_off_the_scan_finds_plaintext_and_a_changed_byte_fails_the_read() {
    let tmp = tempfile::tempdir().unwrap();
    // One volume without redundancy: nothing repairs a changed byte, so what catches it is
    // the encryption's authentication.
    let layout = Layout::default().class("fast", 1, "none");
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(layout.clone())
        .dir(tmp.path().join("server"))
        .env("STRATA_SSE_DEFAULT", "none")
        .start();
    ok(&server, &["s3api", "create-bucket", "--bucket", "sse-test"]);
    let body = plaintext(300_000);
    let file = tmp.path().join("body");
    std::fs::write(&file, &body).unwrap();
    ok(&server, &["s3", "cp", path(&file), "s3://sse-test/plain"]);
    assert!(head(&server, "plain", &[])
        .get("ServerSideEncryption")
        .is_none());
    // The scan is able to fail: plaintext objects are found.
    assert!(!files_with_marker(&server, &layout).is_empty());

    // Asking still encrypts; change one byte of what the object's write added on disk.
    let before = volume_files(&server, &layout);
    ok(
        &server,
        &[
            "s3",
            "cp",
            "--sse",
            "AES256",
            path(&file),
            "s3://sse-test/sealed",
        ],
    );
    let after = volume_files(&server, &layout);
    let largest = after
        .difference(&before)
        .max_by_key(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .expect("the write added files")
        .clone();
    let mut bytes = std::fs::read(&largest).unwrap();
    assert!(
        bytes.len() > 200_000,
        "{} holds {} bytes",
        largest.display(),
        bytes.len()
    );
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&largest, &bytes).unwrap();
    let out = tmp.path().join("out");
    let read = aws(
        &server,
        &[
            "s3api",
            "get-object",
            "--bucket",
            "sse-test",
            "--key",
            "sealed",
            path(&out),
        ],
    );
    assert!(!read.status.success(), "a changed byte was read back");
    assert!(
        std::fs::read(&out).map_or(true, |got| got != body),
        "a failed read must not leave the object's bytes"
    );
    // The object next to it is untouched.
    ok(&server, &["s3", "cp", "s3://sse-test/plain", path(&out)]);
    assert!(std::fs::read(&out).unwrap() == body);

    // The keyring and the sealed SSE-S3 key were made at first start, for the owner only;
    // after a restart the same key is unsealed and SSE-S3 objects still read.
    ok(
        &server,
        &[
            "s3",
            "cp",
            "--sse",
            "AES256",
            path(&file),
            "s3://sse-test/kept",
        ],
    );
    let data = tmp.path().join("server/data");
    for name in ["sse-keyring.json", "sse-s3.key"] {
        let mode = std::fs::metadata(data.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    drop(server);
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(layout.clone())
        .dir(tmp.path().join("server"))
        .env("STRATA_SSE_DEFAULT", "none")
        .start();
    ok(&server, &["s3", "cp", "s3://sse-test/kept", path(&out)]);
    assert!(
        std::fs::read(&out).unwrap() == body,
        "kept differs after a restart"
    );
    // An SSE-KMS object under the default keyring's key, then the state directory is lost
    // (a pod's emptyDir on a pod restart): the key files come back from the store.
    put_file(&server, &file, "kept-kms", &["--sse", "aws:kms"]);
    drop(server);
    std::fs::remove_dir_all(&data).unwrap();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(layout.clone())
        .dir(tmp.path().join("server"))
        .start();
    for key in ["kept", "kept-kms"] {
        assert_reads_back(&server, key, &out, &body);
    }
    for name in ["sse-keyring.json", "sse-s3.key"] {
        assert!(data.join(name).is_file(), "{name} not restored");
    }
    // A key file that is not the one the objects were sealed with stops the start.
    drop(server);
    std::fs::write(data.join("sse-s3.key"), b"another key").unwrap();
    let log = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(layout.clone())
        .dir(tmp.path().join("server"))
        .start_refused();
    assert!(log.contains("differs from its durable copy"), "{log}");
}

/// CopyObject of `sse-test/source` to `sse-test/key` with `extra` options.
fn copy(server: &Server, key: &str, source: &str, extra: &[&str]) {
    let source = format!("sse-test/{source}");
    let mut args = vec![
        "s3api",
        "copy-object",
        "--bucket",
        "sse-test",
        "--key",
        key,
        "--copy-source",
        &source,
    ];
    args.extend_from_slice(extra);
    ok(server, &args);
}

/// `aws s3 cp` of `file` to `sse-test/key` with `extra` options.
fn put_file(server: &Server, file: &Path, key: &str, extra: &[&str]) {
    let target = format!("s3://sse-test/{key}");
    let mut args = vec!["s3", "cp"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[path(file), &target]);
    ok(server, &args);
}

/// Downloads `sse-test/key` to `out` and compares it with `expected`.
fn assert_reads_back(server: &Server, key: &str, out: &Path, expected: &[u8]) {
    ok(
        server,
        &["s3", "cp", &format!("s3://sse-test/{key}"), path(out)],
    );
    assert!(std::fs::read(out).unwrap() == expected, "{key} differs");
}

fn bucket_encryption(server: &Server) -> Value {
    let out = ok(
        server,
        &["s3api", "get-bucket-encryption", "--bucket", "sse-test"],
    );
    let doc: Value = serde_json::from_str(&out).unwrap();
    doc["ServerSideEncryptionConfiguration"]["Rules"][0].clone()
}

fn put_bucket_encryption(server: &Server, rule: &str) {
    let config = format!(r#"{{"Rules":[{rule}]}}"#);
    ok(
        server,
        &[
            "s3api",
            "put-bucket-encryption",
            "--bucket",
            "sse-test",
            "--server-side-encryption-configuration",
            &config,
        ],
    );
}

/// SSE-KMS with the aws CLI against `server`, whose KMS has keys `app` and the default
/// `strata-sse-kms`: single and multipart puts, ranges, copies between modes, bucket default
/// encryption with a Bucket Key, the unknown key's error, and no plaintext on disk.
fn exercise_sse_kms(server: &Server, layout: &Layout, tmp: &Path) {
    ok(server, &["s3api", "create-bucket", "--bucket", "sse-test"]);
    let small = plaintext(200_000);
    let large = plaintext(9 * 1024 * 1024 + 777);
    let (small_file, large_file, out) = (tmp.join("small"), tmp.join("large"), tmp.join("out"));
    std::fs::write(&small_file, &small).unwrap();
    std::fs::write(&large_file, &large).unwrap();
    let app = ["--sse", "aws:kms", "--sse-kms-key-id", "app"];
    put_file(server, &small_file, "kms-default", &["--sse", "aws:kms"]);
    put_file(server, &small_file, "kms-app", &app);
    put_file(server, &large_file, "kms-app-mp", &app);
    let md5 = format!("\"{}\"", hex::encode(Md5::digest(&small)));
    for (key, key_id) in [
        ("kms-default", "strata-sse-kms"),
        ("kms-app", "app"),
        ("kms-app-mp", "app"),
    ] {
        let h = head(server, key, &[]);
        assert_eq!(h["ServerSideEncryption"], "aws:kms", "{key}");
        assert_eq!(arn_key(&h), key_id, "{key}: {h}");
        assert_ne!(
            h["ETag"],
            md5.as_str(),
            "{key}: an SSE-KMS ETag is not the MD5"
        );
    }
    assert_reads_back(server, "kms-default", &out, &small);
    assert_reads_back(server, "kms-app", &out, &small);
    assert_reads_back(server, "kms-app-mp", &out, &large);
    let part = 8 * 1024 * 1024;
    let (a, b) = (part - 70_000, part + 70_000);
    let got = get_range(server, "kms-app-mp", &format!("bytes={a}-{b}"), &out, &[]);
    assert!(got == large[a..=b], "a range across parts differs");
    // A key the KMS does not have.
    let code = error_code(
        server,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "sse-test",
            "--key",
            "nokey",
            "--server-side-encryption",
            "aws:kms",
            "--ssekms-key-id",
            "no-such-key",
        ],
    );
    assert_eq!(code, "KMS.NotFoundException");
    // Copies between modes: SSE-KMS to SSE-C and back, SSE-KMS to SSE-S3.
    copy(server, "kms-to-c", "kms-app", &SSE_C);
    let from_c_to_kms = [
        "--copy-source-sse-customer-algorithm",
        "AES256",
        "--copy-source-sse-customer-key",
        CUSTOMER_KEY,
        "--server-side-encryption",
        "aws:kms",
        "--ssekms-key-id",
        "app",
    ];
    copy(server, "c-to-kms", "kms-to-c", &from_c_to_kms);
    assert_eq!(arn_key(&head(server, "c-to-kms", &[])), "app");
    assert_reads_back(server, "c-to-kms", &out, &small);
    copy(
        server,
        "kms-to-s3",
        "kms-app-mp",
        &["--server-side-encryption", "AES256"],
    );
    assert_eq!(
        head(server, "kms-to-s3", &[])["ServerSideEncryption"],
        "AES256"
    );
    assert_reads_back(server, "kms-to-s3", &out, &large);

    // Bucket default encryption: every bucket reports SSE-S3 until told otherwise.
    assert_eq!(
        bucket_encryption(server)["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "AES256"
    );
    put_bucket_encryption(
        server,
        r#"{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"app"},"BucketKeyEnabled":true}"#,
    );
    let rule = bucket_encryption(server);
    assert_eq!(
        rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"],
        "app"
    );
    assert_eq!(rule["BucketKeyEnabled"], true);
    put_file(server, &small_file, "by-bucket", &[]);
    put_file(server, &large_file, "by-bucket-mp", &[]);
    for key in ["by-bucket", "by-bucket-mp"] {
        let h = head(server, key, &[]);
        assert_eq!(h["ServerSideEncryption"], "aws:kms", "{key}");
        assert_eq!(arn_key(&h), "app", "{key}: {h}");
        assert_eq!(h["BucketKeyEnabled"], true, "{key}");
    }
    assert_reads_back(server, "by-bucket", &out, &small);
    assert_reads_back(server, "by-bucket-mp", &out, &large);
    // The request's own choice wins over the bucket's.
    put_file(server, &small_file, "asked-s3", &["--sse", "AES256"]);
    assert_eq!(
        head(server, "asked-s3", &[])["ServerSideEncryption"],
        "AES256"
    );
    ok(
        server,
        &["s3api", "delete-bucket-encryption", "--bucket", "sse-test"],
    );
    put_file(server, &small_file, "after-delete", &[]);
    assert_eq!(
        head(server, "after-delete", &[])["ServerSideEncryption"],
        "AES256"
    );
    assert_eq!(files_with_marker(server, layout), Vec::<PathBuf>::new());
}

#[test]
fn sse_kms_over_the_local_keyring() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout::fast_2x2();
    // The keyring as a directory of key files (a mounted Secret) holding `app`; the
    // default SSE-KMS and SSE-S3 keys are made in it at first start.
    let keyring = tmp.path().join("keyring");
    std::fs::create_dir(&keyring).unwrap();
    let material = base64_key(&[5; 32]);
    std::fs::write(
        keyring.join("app"),
        format!(r#"{{"versions":[{{"version":1,"material":"{material}","created":1700000000}}]}}"#),
    )
    .unwrap();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(layout.clone())
        .dir(tmp.path().join("server"))
        .arg("--sse-keyring")
        .arg(path(&keyring))
        .start();
    exercise_sse_kms(&server, &layout, tmp.path());
}

fn base64_key(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn sse_kms_over_openbao_transit_and_a_kms_outage() {
    let tmp = tempfile::tempdir().unwrap();
    let bao = Bao::start();
    bao.transit_key("app");
    bao.transit_key("strata-sse-kms");
    bao.transit_key("strata-sse-s3");
    let token = tmp.path().join("kms-token");
    std::fs::write(&token, BAO_TOKEN).unwrap();
    let layout = Layout::fast_2x2();
    let server = Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .layout(layout.clone())
        .dir(tmp.path().join("server"))
        .arg("--kms-address")
        .arg(&bao.url())
        .arg("--kms-token-file")
        .arg(path(&token))
        .start();
    // Key `app` exists only in OpenBao (the local keyring never had it): every SSE-KMS
    // round trip below goes through transit. So does the SSE-S3 key: sealed by transit.
    exercise_sse_kms(&server, &layout, tmp.path());
    let sealed = std::fs::read(tmp.path().join("server/data/sse-s3.key")).unwrap();
    assert!(
        sealed.starts_with(b"vault:v1:"),
        "the SSE-S3 key is not sealed by transit"
    );

    // The KMS goes away: SSE-KMS writes are a 503, never a plaintext write; reads of
    // objects whose data keys this gateway holds go on, and so does SSE-S3.
    drop(bao);
    let small = plaintext(200_000);
    let out = tmp.path().join("out");
    assert_reads_back(&server, "kms-app", &out, &small);
    let code = error_code(
        &server,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "sse-test",
            "--key",
            "during-outage",
            "--server-side-encryption",
            "aws:kms",
            "--ssekms-key-id",
            "app",
        ],
    );
    assert_eq!(code, "ServiceUnavailable");
    let code = error_code(
        &server,
        &[
            "s3api",
            "head-object",
            "--bucket",
            "sse-test",
            "--key",
            "during-outage",
        ],
    );
    assert_eq!(code, "404");
    put_file(
        &server,
        &tmp.path().join("small"),
        "s3-during-outage",
        &["--sse", "AES256"],
    );
    assert_reads_back(&server, "s3-during-outage", &out, &small);
}
