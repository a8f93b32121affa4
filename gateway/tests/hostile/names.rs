//! Hostile bucket names and keys. Bucket names follow AWS's rules exactly. Keys are bytes:
//! `..` and `//` are kept literally (as AWS does) and never reach the file system; NUL is
//! refused; other control characters round-trip; 1,025 bytes is `KeyTooLongError`.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use strata_tests::{assert_error, listed, pattern};

use crate::start;

#[test]
fn invalid_bucket_names_are_invalid_bucket_name() {
    let s = start();
    let long = "b".repeat(64);
    for name in [
        "ab",
        long.as_str(),
        "MyBucket",
        "192.168.1.1",
        "my..bucket",
        "..",
        "-dash-first",
        "under_score",
    ] {
        let r = s.request("PUT", &format!("/{name}"), b"");
        assert_error(&r, 400, "InvalidBucketName");
        let head = s.request("HEAD", &format!("/{name}"), b"");
        assert_eq!(head.status, 404, "{name} exists after a refused create");
    }
    let all = s.request("GET", "/", b"");
    assert_eq!(all.status, 200);
    assert!(!all.text().contains("<Name>"), "{}", all.text());
    // Sixty-three characters is the longest legal name: the limit is exact.
    let longest = "b".repeat(63);
    assert_eq!(s.request("PUT", &format!("/{longest}"), b"").status, 200);
}

fn marker() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("strata-escape-{}-{nanos}", std::process::id())
}

/// Every path under `dir` (down to `depth` levels) whose name contains `needle`.
fn find_named(dir: &Path, needle: &str, depth: usize, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().contains(needle))
        {
            out.push(p.display().to_string());
        }
        if depth > 0 && p.is_dir() && !p.is_symlink() {
            find_named(&p, needle, depth - 1, out);
        }
    }
}

#[test]
fn dot_dot_and_double_slash_keys_are_literal_and_stay_inside() {
    let s = start();
    assert_eq!(s.request("PUT", "/paths", b"").status, 200);
    let m = marker();
    let up = "../".repeat(12);
    // (what goes on the wire after `/paths/`, the key S3 sees)
    let cases = [
        (format!("{up}tmp/{m}"), format!("{up}tmp/{m}")),
        (format!("../{m}"), format!("../{m}")),
        ("a/../b".to_string(), "a/../b".to_string()),
        ("./c".to_string(), "./c".to_string()),
        ("..".to_string(), "..".to_string()),
        ("/lead".to_string(), "/lead".to_string()),
        ("x//y".to_string(), "x//y".to_string()),
        ("dir/".to_string(), "dir/".to_string()),
    ];
    for (i, (wire, key)) in cases.iter().enumerate() {
        let data = pattern(1000 + i, i as u64);
        let put = s.request("PUT", &format!("/paths/{wire}"), &data);
        assert_eq!(put.status, 200, "{key}: {}", put.text());
        let get = s.request("GET", &format!("/paths/{wire}"), b"");
        assert_eq!(get.status, 200, "{key}");
        assert!(get.body == data, "{key:?} did not round-trip byte-exact");
        let list = s.request("GET", "/paths?list-type=2&encoding-type=url", b"");
        assert!(list.text().contains(&listed(key)), "{key}: {}", list.text());
    }
    // Literal means literal: `a/../b` is not `b`, `x//y` is not `x/y`.
    s.assert_no_object("paths", "b");
    s.assert_no_object("paths", "x/y");
    s.assert_no_object("paths", "c");
    // Keys never became paths: nothing named after the marker exists anywhere near.
    assert!(!Path::new("/tmp").join(&m).exists());
    let mut found = Vec::new();
    // The temp dir's top level (where an escape from the server's dir would land) and the
    // whole of the server's dir.
    find_named(&std::env::temp_dir(), &m, 0, &mut found);
    find_named(s.dir(), &m, usize::MAX, &mut found);
    assert!(found.is_empty(), "files named after a key: {found:?}");
}

#[test]
fn a_nul_byte_in_a_key_is_refused() {
    let s = start();
    assert_eq!(s.request("PUT", "/nul", b"").status, 200);
    let r = s.request("PUT", "/nul/evil%00.txt", b"x");
    assert_error(&r, 400, "InvalidArgument");
    let get = s.request("GET", "/nul/evil%00.txt", b"");
    assert_error(&get, 400, "InvalidArgument");
    s.assert_no_object("nul", "evil");
    s.assert_not_listed("nul", "evil\0.txt");
    s.assert_not_listed("nul", "evil");
}

#[test]
fn other_control_characters_in_keys_round_trip() {
    let s = start();
    assert_eq!(s.request("PUT", "/ctl", b"").status, 200);
    for (wire, key) in [
        ("a%01b", "a\u{1}b"),
        ("tab%09here", "tab\there"),
        ("line%0Abreak%0D", "line\nbreak\r"),
        ("esc%1B%5B31m", "esc\u{1b}[31m"),
        ("del%7F", "del\u{7f}"),
    ] {
        let data = pattern(333, key.len() as u64);
        let put = s.request("PUT", &format!("/ctl/{wire}"), &data);
        assert_eq!(put.status, 200, "{key:?}: {}", put.text());
        let get = s.request("GET", &format!("/ctl/{wire}"), b"");
        assert!(get.body == data, "{key:?} did not round-trip");
        assert_eq!(s.request("HEAD", &format!("/ctl/{wire}"), b"").status, 200);
        let list = s.request("GET", "/ctl?list-type=2&encoding-type=url", b"");
        assert!(
            list.text().contains(&listed(key)),
            "{key:?}: {}",
            list.text()
        );
        assert_eq!(
            s.request("DELETE", &format!("/ctl/{wire}"), b"").status,
            204
        );
        s.assert_no_object("ctl", wire);
    }
}

#[test]
fn a_key_of_1025_bytes_is_key_too_long() {
    let s = start();
    assert_eq!(s.request("PUT", "/long", b"").status, 200);
    let ascii = "k".repeat(1025);
    // 512 two-byte characters and one more byte: 1,025 bytes in 513 characters.
    let multibyte = format!("{}k", "%C3%A9".repeat(512));
    for wire in [ascii.as_str(), multibyte.as_str()] {
        let r = s.request("PUT", &format!("/long/{wire}"), b"x");
        assert_error(&r, 400, "KeyTooLongError");
        let up = s.request("POST", &format!("/long/{wire}?uploads"), b"");
        assert_error(&up, 400, "KeyTooLongError");
    }
    let list = s.request("GET", "/long?list-type=2", b"");
    assert!(
        list.text().contains("<KeyCount>0</KeyCount>"),
        "{}",
        list.text()
    );
    s.assert_no_uploads("long");
    // 1,024 bytes is the limit, not one less.
    let fits = "k".repeat(1024);
    let put = s.request("PUT", &format!("/long/{fits}"), b"fits");
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(
        s.request("GET", &format!("/long/{fits}"), b"").body,
        b"fits"
    );
}
