//! flate2's zlib-ng backend, running on the stand-in, compresses and decompresses for real.

use std::io::{Read, Write};

use flate2::read::{GzDecoder, ZlibDecoder};
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

fn sample() -> Vec<u8> {
    // Compressible but not trivial: a repeating text with a counter in it.
    (0..20_000u32)
        .flat_map(|i| format!("line {i} of the sample {}\n", i % 7).into_bytes())
        .collect()
}

#[test]
fn gzip_round_trip_restores_every_byte() {
    let data = sample();
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(&data).unwrap();
    let packed = enc.finish().unwrap();
    assert!(
        packed.len() < data.len() / 4,
        "{} bytes packed",
        packed.len()
    );
    let mut out = Vec::new();
    GzDecoder::new(&packed[..]).read_to_end(&mut out).unwrap();
    assert_eq!(out, data);
}

#[test]
fn zlib_stream_from_the_stand_in_is_standard_zlib() {
    // RFC 1950 header: CMF 0x78 (deflate, 32 KiB window), and CMF*256+FLG divisible by 31.
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::best());
    enc.write_all(b"hello, zlib").unwrap();
    let packed = enc.finish().unwrap();
    assert_eq!(packed[0], 0x78);
    assert_eq!((u16::from(packed[0]) * 256 + u16::from(packed[1])) % 31, 0);
    let mut out = String::new();
    ZlibDecoder::new(&packed[..])
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out, "hello, zlib");
}

#[test]
fn corrupt_input_is_an_error_not_a_crash() {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(&sample()).unwrap();
    let mut packed = enc.finish().unwrap();
    let middle = packed.len() / 2;
    packed[middle] ^= 0xff;
    let mut out = Vec::new();
    assert!(GzDecoder::new(&packed[..]).read_to_end(&mut out).is_err());
}

#[test]
fn dictionaries_and_parameter_changes_reach_zlib() {
    let dict = b"line of the sample";
    let data = sample();
    let mut comp = Compress::new(Compression::default(), true);
    comp.set_dictionary(dict).unwrap();
    comp.set_level(Compression::best()).unwrap();
    let mut packed = Vec::with_capacity(data.len());
    let status = comp
        .compress_vec(&data, &mut packed, FlushCompress::Finish)
        .unwrap();
    assert_eq!(status, Status::StreamEnd);

    let mut decomp = Decompress::new(true);
    let mut out = Vec::with_capacity(data.len());
    // zlib asks for the dictionary before it inflates anything.
    assert!(decomp
        .decompress_vec(&packed, &mut out, FlushDecompress::Finish)
        .is_err());
    decomp.set_dictionary(dict).unwrap();
    let consumed = decomp.total_in() as usize;
    decomp
        .decompress_vec(&packed[consumed..], &mut out, FlushDecompress::Finish)
        .unwrap();
    assert_eq!(out, data);
}
