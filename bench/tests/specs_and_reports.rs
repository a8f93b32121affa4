//! The value languages of the command line, the report's arithmetic, and the wire formats
//! the generator produces (SigV4 pieces, aws-chunked lengths, S3 XML it reads).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::rngs::SmallRng;
use rand::SeedableRng;
use strata_bench::body::chunked_encoded_len;
use strata_bench::client::{is_loopback, Target};
use strata_bench::report::{render_table, CpuUse, Latency, OpReport, Phase, Report};
use strata_bench::sign::{amz_dates, canonical_query, uri_encode};
use strata_bench::spec::{parse_duration, parse_size, Mix, OpKind, SizeSpec, SpecError};
use strata_bench::stats::{new_histogram, Recorder};
use strata_bench::xml;

#[test]
fn sizes_take_binary_and_decimal_units() {
    assert_eq!(parse_size("0"), Ok(0));
    assert_eq!(parse_size("4KiB"), Ok(4096));
    assert_eq!(parse_size("64MiB"), Ok(64 << 20));
    assert_eq!(parse_size("1GiB"), Ok(1 << 30));
    assert_eq!(parse_size("2k"), Ok(2048));
    assert_eq!(parse_size("1MB"), Ok(1_000_000));
    assert_eq!(parse_size("10B"), Ok(10));
    assert!(matches!(parse_size("KiB"), Err(SpecError::Size(_))));
    assert!(matches!(parse_size("4XB"), Err(SpecError::Size(_))));
    assert!(matches!(parse_size("-1"), Err(SpecError::Size(_))));
    assert!(matches!(
        parse_size("99999999999GiB"),
        Err(SpecError::Size(_))
    ));
}

#[test]
fn durations_default_to_seconds() {
    assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
    assert_eq!(parse_duration("20"), Ok(Duration::from_secs(20)));
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
    assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
    assert!(parse_duration("1d").is_err());
    assert!(parse_duration("s").is_err());
}

#[test]
fn size_specs_are_fixed_ranges_or_weighted_lists() {
    assert_eq!("4KiB".parse(), Ok(SizeSpec::Fixed(4096)));
    assert_eq!(
        "1KiB..1MiB".parse(),
        Ok(SizeSpec::Uniform {
            min: 1024,
            max: 1 << 20
        })
    );
    assert_eq!(
        "4KiB:70,1MiB:30".parse(),
        Ok(SizeSpec::Weighted(vec![(4096, 70), (1 << 20, 30)]))
    );
    assert!(matches!(
        "1MiB..1KiB".parse::<SizeSpec>(),
        Err(SpecError::EmptyRange(_))
    ));
    assert!(matches!(
        "4KiB:0,1MiB:0".parse::<SizeSpec>(),
        Err(SpecError::Weight(_))
    ));
    assert!(matches!(
        "4KiB:x".parse::<SizeSpec>(),
        Err(SpecError::Weight(_))
    ));
}

#[test]
fn size_specs_print_as_they_parse() {
    for text in ["4KiB", "1KiB..1MiB", "4KiB:70,1MiB:30", "1000B"] {
        let spec: SizeSpec = text.parse().expect(text);
        assert_eq!(spec.to_string(), text);
    }
}

#[test]
fn samples_stay_within_the_spec_and_follow_weights() {
    let mut rng = SmallRng::seed_from_u64(1);
    let range: SizeSpec = "1KiB..1MiB".parse().expect("range");
    assert_eq!(range.max(), 1 << 20);
    for _ in 0..10_000 {
        let s = range.sample(&mut rng);
        assert!((1024..=1 << 20).contains(&s));
    }
    let weighted: SizeSpec = "1:90,2:10".parse().expect("weighted");
    let ones = (0..10_000)
        .filter(|_| weighted.sample(&mut rng) == 1)
        .count();
    // 90% expected; the bound is loose enough that a fixed seed never flakes.
    assert!((8_500..9_500).contains(&ones), "{ones}");
    assert_eq!(weighted.mean(), 1.1);
}

#[test]
fn mixes_name_operations_with_weights() {
    let mix: Mix = "get=45,put=15,delete=10,head=30".parse().expect("mix");
    assert_eq!(
        mix.entries(),
        &[
            (OpKind::Get, 45),
            (OpKind::Put, 15),
            (OpKind::Delete, 10),
            (OpKind::Head, 30)
        ]
    );
    assert!(mix.needs_objects());
    assert!(mix.contains(OpKind::Put));
    assert!(!mix.contains(OpKind::List));
    assert_eq!(mix.to_string(), "get=45,put=15,delete=10,head=30");
    assert!(matches!(
        "get=1,get=2".parse::<Mix>(),
        Err(SpecError::DuplicateOp(_))
    ));
    assert!(matches!(
        "fetch=1".parse::<Mix>(),
        Err(SpecError::UnknownOp(_))
    ));
    assert!(matches!("get=0".parse::<Mix>(), Err(SpecError::Weight(_))));
    assert_eq!("mpu".parse(), Ok(OpKind::Multipart));
    assert!(!Mix::single(OpKind::Put).needs_objects());

    let mut rng = SmallRng::seed_from_u64(2);
    let mut counts = [0u32; OpKind::ALL.len()];
    for _ in 0..10_000 {
        counts[mix.sample(&mut rng).index()] += 1;
    }
    assert_eq!(counts[OpKind::List.index()], 0);
    assert!((4_000..5_000).contains(&counts[OpKind::Get.index()]));
}

#[test]
fn overwrite_is_an_operation_that_needs_objects() {
    assert_eq!("overwrite".parse(), Ok(OpKind::Overwrite));
    assert_eq!(" Overwrite ".parse(), Ok(OpKind::Overwrite));
    assert_eq!(OpKind::Overwrite.name(), "overwrite");
    // It replaces existing objects, so the prepare phase must write them first.
    assert!(Mix::single(OpKind::Overwrite).needs_objects());

    let mix: Mix = "put=50,overwrite=50".parse().expect("mix");
    assert_eq!(mix.entries(), &[(OpKind::Put, 50), (OpKind::Overwrite, 50)]);
    assert!(mix.needs_objects());
    assert!(mix.contains(OpKind::Overwrite));
    assert_eq!(mix.to_string(), "put=50,overwrite=50");
    assert!(matches!(
        "overwrite=1,overwrite=2".parse::<Mix>(),
        Err(SpecError::DuplicateOp(_))
    ));
    assert!(matches!(
        "replace=1".parse::<Mix>(),
        Err(SpecError::UnknownOp(_))
    ));
}

#[test]
fn every_operation_parses_by_its_name_and_is_listed_in_the_error() {
    let message = SpecError::UnknownOp("x".into()).to_string();
    for (i, op) in OpKind::ALL.into_iter().enumerate() {
        assert_eq!(op.index(), i);
        assert_eq!(op.name().parse(), Ok(op));
        assert!(message.contains(op.name()), "{message} lacks {}", op.name());
    }
}

#[test]
fn overwrites_are_reported_as_their_own_operation() {
    let mut rec = Recorder::new();
    rec.ok(OpKind::Put, Duration::from_millis(1), 4096, 1);
    rec.ok(OpKind::Overwrite, Duration::from_millis(2), 4096, 1);
    rec.ok(OpKind::Overwrite, Duration::from_millis(2), 4096, 1);
    let run = Phase::new(&rec, Duration::from_secs(1), CpuUse::default());
    let ops: Vec<OpKind> = run.ops.iter().map(|o| o.op).collect();
    assert_eq!(ops, [OpKind::Put, OpKind::Overwrite]);
    let over = run.op(OpKind::Overwrite).expect("overwrite ran");
    assert_eq!((over.ok, over.bytes), (2, 8192));

    let json = serde_json::to_value(over).expect("json");
    assert_eq!(json["op"], "overwrite");
    let report = Report {
        tool: "strata-bench",
        version: "0",
        started_unix: 0,
        endpoint: "http://127.0.0.1:9000".into(),
        workload: Default::default(),
        prepare: None,
        run,
        cleanup: None,
        generator_peak_rss: 0,
    };
    let table = render_table(&report);
    assert!(
        table.lines().any(|l| l.starts_with("overwrite         2 ")),
        "{table}"
    );
}

#[test]
fn percentiles_come_from_the_histogram_in_milliseconds() {
    let mut rec = Recorder::new();
    // 1..=1000 ms, one each.
    for ms in 1..=1000u64 {
        rec.ok(OpKind::Get, Duration::from_millis(ms), 1024, 1);
    }
    let s = rec.get(OpKind::Get);
    let l = Latency::from_histogram(s.latency.as_ref().expect("recorded"));
    // hdrhistogram keeps 3 significant digits: allow 0.1%.
    let near = |a: f64, b: f64| (a - b).abs() <= b * 0.001 + 1e-9;
    assert!(near(l.p50, 500.0), "{l:?}");
    assert!(near(l.p90, 900.0), "{l:?}");
    assert!(near(l.p99, 990.0), "{l:?}");
    assert!(near(l.p999, 999.0), "{l:?}");
    assert!(near(l.max, 1000.0), "{l:?}");
    assert!(near(l.mean, 500.5), "{l:?}");
    assert_eq!(
        Latency::from_histogram(&new_histogram()),
        Latency::default()
    );
    // An operation that never succeeded has no histogram and reports zeros.
    assert!(rec.get(OpKind::Put).latency.is_none());
    let none = OpReport::new(OpKind::Put, rec.get(OpKind::Put), Duration::from_secs(1));
    assert_eq!(none.latency_ms, Latency::default());
}

#[test]
fn rates_are_per_second_of_the_phase_and_merges_add_up() {
    let mut a = Recorder::new();
    let mut b = Recorder::new();
    for _ in 0..100 {
        a.ok(OpKind::Put, Duration::from_micros(250), 1 << 20, 1);
        b.ok(OpKind::Put, Duration::from_micros(750), 1 << 20, 1);
    }
    b.error(OpKind::Put, "503 SlowDown".into());
    b.error(OpKind::Put, "503 SlowDown".into());
    b.error(OpKind::Put, "transport".into());
    a.merge(&b);
    let r = OpReport::new(OpKind::Put, a.get(OpKind::Put), Duration::from_secs(4));
    assert_eq!(r.ok, 200);
    assert_eq!(r.errors, 3);
    assert_eq!(r.ops_per_s, 50.0);
    assert_eq!(r.mib_per_s, 50.0);
    assert_eq!(r.errors_by_class["503 SlowDown"], 2);
    assert_eq!(r.errors_by_class["transport"], 1);
    assert!((r.latency_ms.mean - 0.5).abs() < 0.001);

    let zero = OpReport::new(OpKind::Get, a.get(OpKind::Get), Duration::ZERO);
    assert_eq!(zero.ops_per_s, 0.0);

    let cpu = CpuUse::between(
        (Duration::from_secs(1), Duration::from_secs(1)),
        (Duration::from_secs(3), Duration::from_secs(2)),
        Duration::from_secs(2),
    );
    assert_eq!(
        (cpu.user_s, cpu.system_s, cpu.total_s, cpu.cores),
        (2.0, 1.0, 3.0, 1.5)
    );
}

#[test]
fn sigv4_pieces_follow_the_spec() {
    // 2013-05-24T00:00:00Z, the date of AWS's S3 SigV4 examples.
    let t = UNIX_EPOCH + Duration::from_secs(1_369_353_600);
    assert_eq!(
        amz_dates(t),
        ("20130524T000000Z".to_string(), "20130524".to_string())
    );
    let leap = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3723); // 2000-02-29 01:02:03
    assert_eq!(amz_dates(leap).0, "20000229T010203Z");
    assert_eq!(uri_encode("a b/c~d+é", true), "a%20b/c~d%2B%C3%A9");
    assert_eq!(uri_encode("a/b", false), "a%2Fb");
    let mut q = vec![
        ("prefix", "a/b/".to_string()),
        ("list-type", "2".to_string()),
        ("continuation-token", "x+y=".to_string()),
    ];
    assert_eq!(
        canonical_query(&mut q),
        "continuation-token=x%2By%3D&list-type=2&prefix=a%2Fb%2F"
    );
    let _ = SystemTime::now();
}

#[test]
fn aws_chunked_length_counts_headers_data_and_the_final_chunk() {
    // 66560 bytes in 64 KiB chunks (AWS's example): 65536 + 1024 + 0.
    assert_eq!(chunked_encoded_len(66_560, 65_536), 66_824);
    assert_eq!(chunked_encoded_len(0, 65_536), 86);
}

#[test]
fn only_loopback_targets_are_allowed_by_default() {
    assert!(is_loopback("127.0.0.1"));
    assert!(is_loopback("127.3.2.1"));
    assert!(is_loopback("::1"));
    assert!(is_loopback("localhost"));
    assert!(!is_loopback("10.0.0.1"));
    assert!(!is_loopback("example.com"));
    assert!(Target::parse("http://[::1]:9000", false, None).is_ok());
    assert!(Target::parse("http://192.168.1.2:9000", false, None).is_err());
    assert!(Target::parse("http://192.168.1.2:9000", true, None).is_ok());
    assert!(Target::parse("ftp://127.0.0.1", false, None).is_err());
    let vh = Target::parse("http://localhost:9000", false, Some(String::new())).expect("vh");
    assert_eq!(vh.host_header(Some("b")), "b.localhost:9000");
    assert_eq!(vh.path(Some("b"), Some("k/x")), "/k/x");
    let ps = Target::parse("http://127.0.0.1:9000", false, None).expect("ps");
    assert_eq!(ps.host_header(Some("b")), "127.0.0.1:9000");
    assert_eq!(ps.path(Some("b"), Some("k")), "/b/k");
}

#[test]
fn s3_xml_replies_are_read() {
    let page = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>p/a&amp;b</Key><Size>1</Size></Contents><Contents><Key>p/c</Key><Size>2</Size></Contents>
<NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>"#;
    let p = xml::list_page(page, true).expect("page");
    assert_eq!(p.count, 2);
    assert_eq!(p.keys, vec!["p/a&b", "p/c"]);
    assert!(p.truncated);
    assert_eq!(p.next_token.as_deref(), Some("tok+/="));
    assert!(xml::list_page(b"<Error><Code>X</Code></Error>", false).is_err());
    assert_eq!(
        xml::error_code(b"<Error><Code>NoSuchKey</Code><Message>m</Message></Error>").as_deref(),
        Some("NoSuchKey")
    );
    assert_eq!(xml::error_code(b"not xml <"), None);
    assert_eq!(
        xml::upload_id(b"<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>"),
        Ok("u-1".to_string())
    );
}
