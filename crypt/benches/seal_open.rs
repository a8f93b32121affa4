//! Seal and open throughput of the package format, per cipher, on a 64 MiB and a 4 KiB object.
//!
//! In memory only (no disk): the 64 MiB body goes in as 1 MiB `Bytes` chunks, as the
//! gateway's body streams deliver it, and each sealed chunk is dropped once returned; the 4 KiB body as one chunk. Open reads the whole
//! stored stream back in 1 MiB chunks. Figures are plaintext bytes per second.

use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use rand::RngCore;
use strata_crypt::{Cipher, ObjectKey, Opener, Sealer};

const MIB: usize = 1024 * 1024;

fn print_load(label: &str) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!("[{label}] loadavg: {}", load.trim());
}

fn chunks(data: &[u8], size: usize) -> Vec<Bytes> {
    data.chunks(size).map(Bytes::copy_from_slice).collect()
}

/// Seals `body`, handing each sealed chunk to `sink` (and dropping it), as a PUT streams.
fn seal(key: &ObjectKey, cipher: Cipher, body: &[Bytes], mut sink: impl FnMut(Bytes)) {
    let mut sealer = Sealer::new(key, 0, cipher).expect("new sealer");
    for chunk in body {
        sink(sealer.update(chunk.clone()).expect("seal"));
    }
    sink(sealer.finish().expect("finish"));
}

fn open(key: &ObjectKey, stored: &[Bytes]) -> usize {
    let mut opener = Opener::new(key, 0);
    let mut got = 0;
    for chunk in stored {
        got += opener.update(chunk.clone()).expect("open").len();
    }
    got + opener.finish().expect("finish").len()
}

fn bench(c: &mut Criterion) {
    print_load("seal_open start");
    eprintln!(
        "AES instructions: {}; preferred cipher: {:?}",
        strata_crypt::has_aes_instructions(),
        Cipher::preferred()
    );
    let key = ObjectKey::generate().expect("a key");
    let mut g = c.benchmark_group("seal_open");
    g.sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6));
    for (label, size, chunk) in [("64MiB", 64 * MIB, MIB), ("4KiB", 4096, 4096)] {
        let mut data = vec![0u8; size];
        rand::thread_rng().fill_bytes(&mut data);
        let body = chunks(&data, chunk);
        g.throughput(Throughput::Bytes(size as u64));
        g.sample_size(if size > MIB { 10 } else { 50 });
        for cipher in [Cipher::Aes256Gcm, Cipher::ChaCha20Poly1305] {
            let name = format!("{cipher:?}");
            g.bench_with_input(
                BenchmarkId::new(format!("seal_{label}"), &name),
                &body,
                |b, body| {
                    b.iter_custom(|iters| {
                        let start = Instant::now();
                        for _ in 0..iters {
                            seal(&key, cipher, body, |sealed| {
                                std::hint::black_box(sealed);
                            });
                        }
                        start.elapsed()
                    })
                },
            );
            let stored: Vec<Bytes> = {
                let mut sealed = Vec::new();
                seal(&key, cipher, &body, |chunk| {
                    sealed.extend_from_slice(&chunk)
                });
                chunks(&sealed, MIB)
            };
            g.bench_with_input(
                BenchmarkId::new(format!("open_{label}"), &name),
                &stored,
                |b, stored| {
                    b.iter_custom(|iters| {
                        let start = Instant::now();
                        for _ in 0..iters {
                            assert_eq!(open(&key, stored), size);
                        }
                        start.elapsed()
                    })
                },
            );
        }
    }
    g.finish();
    print_load("seal_open end");
}

criterion_group!(benches, bench);
criterion_main!(benches);
