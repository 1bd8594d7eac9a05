//! The partitioner against a reference written straight from Java's `int` semantics.
//!
//! The crate computes murmur2 on `u32` with slices; this reference follows `Utils.murmur2` line by line on
//! `i32`, with Java's `>>>` spelled as a shift of the bits reinterpreted as unsigned. Agreement of the two on
//! random inputs of every length (and so every tail) is the evidence that the port is byte-exact.

use core::num::NonZeroU32;

use kplay_core::partitioner::{murmur2, partition_for_key};
use proptest::prelude::*;

/// Java's `x >>> n` on an `int`.
fn ushr(x: i32, n: u32) -> i32 {
    ((x as u32) >> n) as i32
}

/// `Utils.murmur2(byte[] data)`, transcribed with Java's signed bytes and ints.
fn java_murmur2(data: &[u8]) -> i32 {
    let length = data.len() as i32;
    let seed: i32 = 0x9747_b28c_u32 as i32;
    let m: i32 = 0x5bd1_e995;
    let r = 24;
    // Java bytes are signed; `& 0xff` undoes the sign extension.
    let byte = |i: i32| i32::from(data[i as usize] as i8) & 0xff;

    let mut h = seed ^ length;
    let length4 = length / 4;
    for i in 0..length4 {
        let i4 = i * 4;
        let mut k = byte(i4) + (byte(i4 + 1) << 8) + (byte(i4 + 2) << 16) + (byte(i4 + 3) << 24);
        k = k.wrapping_mul(m);
        k ^= ushr(k, r);
        k = k.wrapping_mul(m);
        h = h.wrapping_mul(m);
        h ^= k;
    }
    let base = length & !3;
    let rest = length % 4;
    if rest >= 3 {
        h ^= byte(base + 2) << 16;
    }
    if rest >= 2 {
        h ^= byte(base + 1) << 8;
    }
    if rest >= 1 {
        h ^= byte(base);
        h = h.wrapping_mul(m);
    }
    h ^= ushr(h, 13);
    h = h.wrapping_mul(m);
    h ^= ushr(h, 15);
    h
}

/// `Utils.toPositive(murmur2(key)) % numPartitions`, the Java way.
fn java_partition(key: &[u8], partitions: i32) -> i32 {
    (java_murmur2(key) & 0x7fff_ffff) % partitions
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn murmur2_matches_the_java_transcription(
        key in proptest::collection::vec(any::<u8>(), 0..64),
        partitions in 1..=100_000_i32,
    ) {
        prop_assert_eq!(murmur2(&key), java_murmur2(&key));
        let count = NonZeroU32::new(partitions as u32).expect("strategy yields 1..=100000");
        prop_assert_eq!(partition_for_key(&key, count) as i32, java_partition(&key, partitions));
    }
}

#[test]
fn reference_reproduces_kafkas_own_vectors() {
    // If the reference were wrong, agreeing with it would prove nothing.
    assert_eq!(java_murmur2(b"21"), -973_932_308);
    assert_eq!(java_murmur2(b"foobar"), -790_332_482);
    assert_eq!(java_murmur2(b"a-little-bit-long-string"), -985_981_536);
    assert_eq!(java_murmur2(b"a-little-bit-longer-string"), -1_486_304_829);
    assert_eq!(
        java_murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"),
        -58_897_971
    );
    assert_eq!(java_murmur2(b"abc"), 479_470_107);
}

#[test]
fn non_ascii_keys_hash_their_utf8_bytes() {
    for key in ["ключ", "注文-42", "café", "🦀", "\u{0}"] {
        assert_eq!(
            murmur2(key.as_bytes()),
            java_murmur2(key.as_bytes()),
            "{key:?}"
        );
    }
    // Different normalisation forms are different bytes, so they may land apart: Kafka hashes bytes, not text.
    assert_ne!(
        murmur2("café".as_bytes()),
        murmur2("cafe\u{301}".as_bytes())
    );
}

#[test]
fn every_tail_length_up_to_several_blocks() {
    let data: Vec<u8> = (0..=255u8).collect();
    for len in 0..=data.len() {
        assert_eq!(
            murmur2(&data[..len]),
            java_murmur2(&data[..len]),
            "length {len}"
        );
    }
}
