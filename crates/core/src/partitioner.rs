//! # Partitioner: which partition a record goes to
//!
//! A Kafka producer that is not told a partition picks one itself. For a record **with a key** the default
//! (built-in) partitioner hashes the serialized key bytes with Kafka's 32-bit murmur2 and takes
//! `toPositive(murmur2(key)) % numPartitions`, where `toPositive(n) = n & 0x7fffffff` clears the sign bit
//! (it is not `abs`). The modulus is the count of *all* partitions of the topic, so every producer in every
//! language that follows this rule sends a key to the same partition — and adding partitions moves keys.
//! This module reproduces `org.apache.kafka.common.utils.Utils.murmur2` byte for byte: seed `0x9747b28c`,
//! multiplier `0x5bd1e995`, shift 24, little-endian 4-byte blocks, a fall-through tail and a final mix, all in
//! wrapping 32-bit arithmetic. An empty key is *not* a missing key: it hashes to `275646681`.
//!
//! A record **without a key** cannot be hashed. Kafka's `RoundRobinPartitioner` (config `partitioner.class`)
//! spreads such records with a per-topic counter, `toPositive(counter) % numPartitions`; [`RoundRobin`]
//! models it. (The default for keyless records since Kafka 3.3 is the sticky partitioner of KIP-794, which
//! sends one to two batches' worth to a partition before switching: [`crate::producer`].)

use core::num::NonZeroU32;

/// The seed Kafka's `Utils.murmur2` starts from.
const SEED: u32 = 0x9747_b28c;
/// murmur2's multiplication constant.
const M: u32 = 0x5bd1_e995;
/// murmur2's shift.
const R: u32 = 24;

/// Kafka's murmur2 hash of `data`, as the signed 32-bit `int` Java returns.
///
/// ```
/// // Kafka's own test vector from UtilsTest.testMurmur2.
/// assert_eq!(kplay_core::partitioner::murmur2(b"21"), -973_932_308);
/// ```
#[must_use]
pub fn murmur2(data: &[u8]) -> i32 {
    // Java mixes the length in as a signed int; a key longer than i32::MAX bytes cannot exist there, and
    // truncating it the way Java's int cast would keeps this total for any slice.
    let mut h = SEED ^ (data.len() as u32);

    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }

    // Java's `switch (length % 4)` falls through from case 3 to case 1.
    let tail = blocks.remainder();
    if tail.len() == 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }

    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit. `to_positive(i32::MIN)` is `0`, not an overflow.
#[must_use]
pub const fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// The partition Kafka's default partitioner gives a record whose serialized key is `key`:
/// `toPositive(murmur2(key)) % partitions`.
///
/// ```
/// use core::num::NonZeroU32;
/// let six = NonZeroU32::new(6).unwrap();
/// assert_eq!(kplay_core::partitioner::partition_for_key(b"user-1", six), 2);
/// ```
#[must_use]
pub fn partition_for_key(key: &[u8], partitions: NonZeroU32) -> u32 {
    // `to_positive` leaves a value in 0..=i32::MAX, so the conversion is lossless.
    to_positive(murmur2(key)).unsigned_abs() % partitions.get()
}

/// The hash and partition of one keyed record, for showing how the choice was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPlacement {
    /// `murmur2(key)` as Java's signed int.
    pub murmur2: i32,
    /// `toPositive(murmur2)`.
    pub positive: i32,
    /// `positive % partitions`.
    pub partition: u32,
}

impl KeyPlacement {
    /// Works out where `key` goes on a topic of `partitions` partitions, keeping each intermediate value.
    #[must_use]
    pub fn of(key: &[u8], partitions: NonZeroU32) -> Self {
        let murmur2 = murmur2(key);
        let positive = to_positive(murmur2);
        Self {
            murmur2,
            positive,
            partition: positive.unsigned_abs() % partitions.get(),
        }
    }
}

/// Kafka's `RoundRobinPartitioner` for one topic: a counter that hands out `toPositive(counter) % n`.
///
/// Kafka's counter is a Java `int` that starts at 0 and wraps; so does this one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundRobin {
    counter: i32,
}

impl RoundRobin {
    /// A counter starting at zero, as a fresh producer's.
    #[must_use]
    pub const fn new() -> Self {
        Self { counter: 0 }
    }

    /// The partition for the next keyless record, advancing the counter.
    #[must_use]
    pub fn next_partition(&mut self, partitions: NonZeroU32) -> u32 {
        let current = self.counter;
        self.counter = self.counter.wrapping_add(1);
        to_positive(current).unsigned_abs() % partitions.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(partitions: u32) -> NonZeroU32 {
        NonZeroU32::new(partitions).expect("test partition counts are positive")
    }

    /// `UtilsTest.testMurmur2` in Apache Kafka.
    #[test]
    fn kafka_official_vectors() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            (b"abc", 479_470_107), // Kafka passes this one as a byte array.
        ];
        for (key, expected) in cases {
            assert_eq!(
                murmur2(key),
                expected,
                "murmur2({:?})",
                core::str::from_utf8(key)
            );
        }
    }

    /// librdkafka's cross-client vectors, which together cover every tail length (0 to 3).
    #[test]
    fn librdkafka_vectors_cover_every_tail_length() {
        let raw: [(&str, u32); 11] = [
            ("kafka", 0xd067_cf64),
            ("giberish123456789", 0x8f55_2b0c),
            ("1234", 0x9fc9_7b14),
            ("234", 0xe7c0_09ca),
            ("34", 0x8739_30da),
            ("4", 0x5a4b_5ca1),
            ("PreAmbleWillBeRemoved,ThePrePartThatIs", 0x7842_4f1c),
            ("reAmbleWillBeRemoved,ThePrePartThatIs", 0x4a62_b377),
            ("eAmbleWillBeRemoved,ThePrePartThatIs", 0xe0e4_e09e),
            ("AmbleWillBeRemoved,ThePrePartThatIs", 0x62b8_b43f),
            ("", 0x106e_08d9),
        ];
        for (key, expected) in raw {
            assert_eq!(murmur2(key.as_bytes()) as u32, expected, "murmur2({key:?})");
        }
        let tails: alloc::collections::BTreeSet<usize> =
            raw.iter().map(|(k, _)| k.len() % 4).collect();
        assert_eq!(
            tails.len(),
            4,
            "vectors must exercise tails of 0, 1, 2 and 3 bytes"
        );

        let positive = [
            ("kafka", 1_348_980_580),
            ("amqp", 767_747_138),
            ("giberish123456789", 257_239_820),
        ];
        for (key, expected) in positive {
            assert_eq!(
                to_positive(murmur2(key.as_bytes())),
                expected,
                "toPositive(murmur2({key:?}))"
            );
        }
    }

    #[test]
    fn partitions_match_the_kafka_facts_table() {
        // (key, murmur2, %3, %6, %12, %10, %50)
        let table: [(&str, i32, [u32; 5]); 13] = [
            ("", 275_646_681, [0, 3, 9, 1, 31]),
            ("a", -1_563_381_124, [1, 4, 4, 4, 24]),
            ("order-123", -940_440_895, [1, 1, 1, 3, 3]),
            ("kafka", -798_503_068, [1, 4, 4, 0, 30]),
            ("hello world", 1_221_641_059, [1, 1, 7, 9, 9]),
            ("key", -1_079_937_367, [1, 1, 1, 1, 31]),
            ("user-1", 1_404_122_828, [2, 2, 8, 8, 28]),
            ("user-2", -324_981_792, [2, 2, 8, 6, 6]),
            ("0", 971_027_396, [2, 2, 8, 6, 46]),
            ("1", -1_993_445_489, [0, 3, 3, 9, 9]),
            ("abc", 479_470_107, [0, 3, 3, 7, 7]),
            ("foobar", -790_332_482, [0, 0, 6, 6, 16]),
            ("21", -973_932_308, [0, 0, 0, 0, 40]),
        ];
        for (key, hash, partitions) in table {
            assert_eq!(murmur2(key.as_bytes()), hash, "murmur2({key:?})");
            for (count, expected) in [3, 6, 12, 10, 50].into_iter().zip(partitions) {
                assert_eq!(
                    partition_for_key(key.as_bytes(), n(count)),
                    expected,
                    "{key:?} % {count}"
                );
            }
        }
    }

    #[test]
    fn to_positive_clears_the_sign_bit_rather_than_negating() {
        assert_eq!(to_positive(-1), i32::MAX);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-973_932_308), 1_173_551_340);
        assert_eq!(to_positive(42), 42);
    }

    #[test]
    fn placement_keeps_every_step() {
        let placement = KeyPlacement::of(b"21", n(50));
        assert_eq!(
            placement,
            KeyPlacement {
                murmur2: -973_932_308,
                positive: 1_173_551_340,
                partition: 40
            }
        );
    }

    #[test]
    fn round_robin_cycles_from_zero_and_survives_wrapping() {
        let mut rr = RoundRobin::new();
        let first: alloc::vec::Vec<u32> = (0..7).map(|_| rr.next_partition(n(3))).collect();
        assert_eq!(first, [0, 1, 2, 0, 1, 2, 0]);

        let mut near_wrap = RoundRobin { counter: i32::MAX };
        assert_eq!(near_wrap.next_partition(n(10)), (i32::MAX % 10) as u32);
        // i32::MIN after wrapping; toPositive makes it 0.
        assert_eq!(near_wrap.next_partition(n(10)), 0);
    }
}
