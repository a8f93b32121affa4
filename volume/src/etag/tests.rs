//! The lane scheduler and the eight-lane compression agree with md-5 on every body, however
//! the bodies are cut and however many run at once.

use bytes::Bytes;
use md5::{Digest, Md5};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use super::service::{Md5Service, Md5Stream};
use super::x8::X8;

fn body(len: usize, seed: u64) -> Vec<u8> {
    let mut data = vec![0u8; len];
    StdRng::seed_from_u64(seed).fill_bytes(&mut data);
    data
}

fn reference(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

/// Feeds `data` in chunks of the given sizes (cycled), then finishes.
async fn hash_in_chunks(mut stream: Md5Stream, data: &[u8], cuts: &[usize]) -> [u8; 16] {
    let mut at = 0;
    let mut i = 0;
    while at < data.len() {
        let len = cuts[i % cuts.len()].min(data.len() - at);
        stream
            .update(Bytes::copy_from_slice(&data[at..at + len]))
            .await
            .expect("update");
        at += len;
        i += 1;
    }
    stream.finish().await.expect("finish")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn eight_lanes_match_scalar_md5_lane_by_lane() {
    let Some(x8) = X8::detect() else {
        panic!("this test needs a CPU with AVX2; the lane scheduler is not used without it");
    };
    let blocks: Vec<Vec<[u8; 64]>> = (0..8)
        .map(|l| {
            let b = body(64 * 33, l);
            b.as_chunks::<64>().0.to_vec()
        })
        .collect();
    let mut states = [[0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]; 8];
    let lanes: [&[[u8; 64]]; 8] = std::array::from_fn(|l| &blocks[l][..]);
    x8.compress(&mut states, lanes);
    for (l, state) in states.iter().enumerate() {
        let mut expect = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
        md5_asm::compress(&mut expect, &blocks[l]);
        assert_eq!(*state, expect, "lane {l}");
    }
}

#[test]
fn an_empty_body_has_the_md5_of_nothing() {
    let rt = runtime();
    for service in [Md5Service::start(), Md5Service::Threads] {
        let digest = rt
            .block_on(async { service.stream().finish().await })
            .expect("finish");
        assert_eq!(digest, reference(b""));
    }
}

#[test]
fn lanes_are_used_where_the_cpu_has_avx2() {
    assert!(
        X8::detect().is_some(),
        "this machine is expected to have AVX2"
    );
    assert!(matches!(Md5Service::start(), Md5Service::Lanes(_)));
}

#[test]
fn padding_is_right_at_every_length_around_a_block_edge() {
    let rt = runtime();
    let service = Md5Service::start();
    for len in (0..200).chain([1 << 20, (1 << 20) + 55, (1 << 20) + 56, (1 << 20) + 64]) {
        let data = body(len, len as u64);
        let got = rt.block_on(hash_in_chunks(service.stream(), &data, &[1 << 20]));
        assert_eq!(got, reference(&data), "length {len}");
    }
}

/// A chunk larger than a stream's whole queue (two blocks) is taken once the queue is empty,
/// not waited for forever; small chunks queue many at a time.
#[test]
fn chunks_larger_and_smaller_than_the_queue_hash_right() {
    let rt = runtime();
    let service = Md5Service::start();
    let data = body(5 << 20, 7);
    for cuts in [&[5 << 20][..], &[3 << 20, 1 << 20], &[65_536], &[1_000]] {
        let got = rt.block_on(hash_in_chunks(service.stream(), &data, cuts));
        assert_eq!(got, reference(&data), "cuts {cuts:?}");
    }
}

#[test]
fn concurrent_bodies_each_get_their_own_digest() {
    let rt = runtime();
    let service = std::sync::Arc::new(Md5Service::start());
    // More bodies than lanes, of different lengths and cut differently.
    let bodies: Vec<(Vec<u8>, Vec<usize>)> = (0..13)
        .map(|i| {
            let len = 3 * (1 << 20) + i * 4099;
            let cuts = match i % 3 {
                0 => vec![1 << 20],
                1 => vec![65536, 100, 63, 1],
                _ => vec![777_777, 64],
            };
            (body(len, 100 + i as u64), cuts)
        })
        .collect();
    let got = rt.block_on(async {
        let tasks: Vec<_> = bodies
            .iter()
            .cloned()
            .map(|(data, cuts)| {
                let service = service.clone();
                tokio::spawn(async move { hash_in_chunks(service.stream(), &data, &cuts).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    });
    for (i, ((data, _), digest)) in bodies.iter().zip(got).enumerate() {
        assert_eq!(digest, reference(data), "body {i}");
    }
}

#[test]
fn an_abandoned_body_does_not_disturb_the_others() {
    let rt = runtime();
    let service = Md5Service::start();
    let data = body(2 << 20, 7);
    let got = rt.block_on(async {
        let mut dropped = service.stream();
        dropped
            .update(Bytes::from(body(1 << 20, 8)))
            .await
            .expect("update");
        let kept = hash_in_chunks(service.stream(), &data, &[300_000]);
        drop(dropped);
        kept.await
    });
    assert_eq!(got, reference(&data));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_cut_of_any_bodies_hashes_like_md5(
        lens in prop::collection::vec(0usize..300_000, 1..10),
        cuts in prop::collection::vec(1usize..70_000, 1..5),
    ) {
        let rt = runtime();
        for service in [Md5Service::start(), Md5Service::Threads] {
            let service = std::sync::Arc::new(service);
            let bodies: Vec<Vec<u8>> =
                lens.iter().enumerate().map(|(i, &l)| body(l, i as u64)).collect();
            let got = rt.block_on(async {
                let tasks: Vec<_> = bodies
                    .iter()
                    .cloned()
                    .map(|data| {
                        let (service, cuts) = (service.clone(), cuts.clone());
                        tokio::spawn(async move {
                            hash_in_chunks(service.stream(), &data, &cuts).await
                        })
                    })
                    .collect();
                let mut out = Vec::new();
                for t in tasks {
                    out.push(t.await.expect("task"));
                }
                out
            });
            for (data, digest) in bodies.iter().zip(got) {
                prop_assert_eq!(digest, reference(data));
            }
        }
    }
}
