//! Encoding and rebuilding one 1 MiB block (strata's block size) with strata's engine and
//! with reed-solomon-simd's own (which needs its 8 MiB multiplication table), per shape.
//! Throughput is block bytes per second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reed_solomon_simd::engine::{DefaultEngine, Engine};
use reed_solomon_simd::rate::{DefaultRateDecoder, DefaultRateEncoder, RateDecoder, RateEncoder};
use strata_volume::{ShardEngine, BLOCK_SIZE};

const SHAPES: [(usize, usize); 3] = [(2, 2), (4, 2), (8, 4)];

fn shards(k: usize) -> Vec<Vec<u8>> {
    let len = BLOCK_SIZE as usize / k;
    (0..k)
        .map(|i| (0..len).map(|j| (j * 31 + i * 7) as u8).collect())
        .collect()
}

fn encode<E: Engine>(enc: &mut DefaultRateEncoder<E>, originals: &[Vec<u8>]) -> usize {
    for o in originals {
        enc.add_original_shard(o).expect("shard");
    }
    enc.encode().expect("encode").recovery_iter().count()
}

/// Rebuilds the first min(k, m) originals from the rest and the parity.
fn rebuild<E: Engine>(
    dec: &mut DefaultRateDecoder<E>,
    originals: &[Vec<u8>],
    parity: &[Vec<u8>],
) -> usize {
    let lost = originals.len().min(parity.len());
    for (i, o) in originals.iter().enumerate().skip(lost) {
        dec.add_original_shard(i, o).expect("original");
    }
    for (i, p) in parity.iter().enumerate() {
        dec.add_recovery_shard(i, p).expect("recovery");
    }
    dec.decode()
        .expect("decode")
        .restored_original_iter()
        .count()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("erasure_1MiB");
    group.throughput(Throughput::Bytes(BLOCK_SIZE));
    for (k, m) in SHAPES {
        let originals = shards(k);
        let len = originals[0].len();
        let shape = format!("{k}+{m}");
        let mut lean = DefaultRateEncoder::new(k, m, len, ShardEngine::new(), None).expect("enc");
        let mut stock =
            DefaultRateEncoder::new(k, m, len, DefaultEngine::new(), None).expect("enc");
        group.bench_function(BenchmarkId::new("encode_strata", &shape), |b| {
            b.iter(|| encode(&mut lean, &originals))
        });
        group.bench_function(BenchmarkId::new("encode_crate", &shape), |b| {
            b.iter(|| encode(&mut stock, &originals))
        });
        for o in &originals {
            stock.add_original_shard(o).expect("shard");
        }
        let parity: Vec<Vec<u8>> = stock
            .encode()
            .expect("encode")
            .recovery_iter()
            .map(<[u8]>::to_vec)
            .collect();
        let mut lean = DefaultRateDecoder::new(k, m, len, ShardEngine::new(), None).expect("dec");
        let mut stock =
            DefaultRateDecoder::new(k, m, len, DefaultEngine::new(), None).expect("dec");
        group.bench_function(BenchmarkId::new("rebuild_strata", &shape), |b| {
            b.iter(|| rebuild(&mut lean, &originals, &parity))
        });
        group.bench_function(BenchmarkId::new("rebuild_crate", &shape), |b| {
            b.iter(|| rebuild(&mut stock, &originals, &parity))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
