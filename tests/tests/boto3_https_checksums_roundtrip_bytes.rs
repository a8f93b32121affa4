//! boto3 with its default settings over HTTPS (aws-chunked bodies with a CRC32 trailer,
//! `STREAMING-UNSIGNED-PAYLOAD-TRAILER`): put small and 5 MiB, upload_file 20 MiB in 8 MiB
//! parts with its composite CRC32, get with checksum mode, ranged get, head, paginated
//! list, copy, delete_objects, presigned GET and download_file. The script
//! (`realparts/clients/boto3_roundtrip.py`) byte-compares every download and checks every
//! checksum against its own computation; it exits non-zero on any mismatch.

use std::process::Command;
use strata_tests::*;

#[test]
fn boto3_https_default_checksums_roundtrip_bytes() {
    let python = required_env("STRATA_PYTHON");
    let server = Server::start_tls();
    let work = tempfile::tempdir().unwrap();
    let script = strata_tests::crate_dir().join("realparts/clients/boto3_roundtrip.py");
    let ca = server.ca_file.as_ref().expect("TLS server has a CA file");
    let mut cmd = Command::new(&python);
    cmd.arg(&script)
        .arg(server.tls_endpoint())
        .arg(ca)
        .args([ACCESS_KEY, SECRET_KEY])
        .arg(work.path())
        // Nothing from the developer's AWS setup may change boto3's defaults.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
    for var in [
        "AWS_PROFILE",
        "AWS_CA_BUNDLE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_REQUEST_CHECKSUM_CALCULATION",
        "AWS_RESPONSE_CHECKSUM_VALIDATION",
        "AWS_S3_ADDRESSING_STYLE",
        "AWS_SESSION_TOKEN",
        "REQUESTS_CA_BUNDLE",
    ] {
        cmd.env_remove(var);
    }
    let out = run_stdout(&mut cmd);
    // The script checks these itself; asserting here keeps the trailer path visible in the
    // test and fails loudly if the script ever stops checking.
    for line in [
        "ok PutObject small.bin: 1 request(s) with x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "ok UploadPart big.bin: 3 request(s) with x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "boto3 roundtrip: all checks passed",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
}
