//! # The seeded random generator
//!
//! Everything random in kplay — which partition a sticky producer switches to, arrival times, service
//! times — comes from one generator seeded by the scenario's `seed`, so the same seed gives the same run on
//! every platform. The algorithm is fixed: PCG-64 MCG (`rand_pcg::Pcg64Mcg`, 128-bit multiplicative
//! congruential state, XSL-RR output), seeded with `rand_core`'s `seed_from_u64` (a PCG-32 stream fills the
//! 128-bit seed). Bounded integers use Lemire's multiply-and-reject, so they are unbiased and identical on
//! 32- and 64-bit targets; floats take the top 53 bits.
//!
//! The step is kplay's own, on the state's two 64-bit halves: `rand_pcg` multiplies a `u128`, which wasm32
//! has no instruction for (each draw was a call to the software `__multi3`, 7 % of a preset's time in the
//! browser). The seeding is still `rand_pcg`'s, and a test checks the draws against `Pcg64Mcg`'s.

use rand_core::SeedableRng;
use rand_pcg::Pcg64Mcg;

/// PCG-64 MCG's multiplier (`rand_pcg`'s `MULTIPLIER`), as its high and low 64 bits.
const MULTIPLIER_HI: u64 = 0x2360_ED05_1FC6_5DA4;
const MULTIPLIER_LO: u64 = 0x4385_DF64_9FCC_F645;

/// kplay's deterministic generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRng {
    /// The 128-bit state's high half.
    hi: u64,
    /// The state's low half.
    lo: u64,
}

impl SimRng {
    /// The generator for `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let state = Pcg64Mcg::seed_from_u64(seed).state();
        Self {
            hi: (state >> 64) as u64,
            lo: state as u64,
        }
    }

    /// The generator of stream `stream` under `seed`: independent streams (one per service, one for
    /// arrivals, …) so adding a service does not change the numbers drawn for the others.
    #[must_use]
    pub fn stream(seed: u64, stream: u64) -> Self {
        Self::new(splitmix64(
            seed ^ splitmix64(stream.wrapping_add(0x9e37_79b9_7f4a_7c15)),
        ))
    }

    /// 64 random bits: the state times the multiplier (mod 2^128), then the XSL-RR output.
    pub fn next_u64(&mut self) -> u64 {
        let (lo, carry) = widening_mul(self.lo, MULTIPLIER_LO);
        let hi = carry
            .wrapping_add(self.lo.wrapping_mul(MULTIPLIER_HI))
            .wrapping_add(self.hi.wrapping_mul(MULTIPLIER_LO));
        (self.hi, self.lo) = (hi, lo);
        (hi ^ lo).rotate_right((hi >> 58) as u32)
    }

    /// 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }

    /// A uniform integer in `0..bound`; `0` when `bound` is 0.
    pub fn below(&mut self, bound: u32) -> u32 {
        if bound == 0 {
            return 0;
        }
        // Lemire (2019): the high half of x * bound is uniform once the low half clears the threshold.
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = u64::from(self.next_u32()) * u64::from(bound);
            if (product as u32) >= threshold {
                return (product >> 32) as u32;
            }
        }
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
    }
}

/// Every random stream in kplay, named once (turmoil's "entropy and randomness" rule): each source of
/// randomness draws from its own stream of the seed, so adding a service or a producer never changes the
/// numbers drawn for the others. [`Stream::id`] is the stream number given to [`SimRng::stream`]; the
/// ranges cannot overlap within their limits (`config::MAX_SERVICES`, `config::MAX_TOPICS`,
/// `config::MAX_PRODUCERS`), which a test checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// When orders arrive (the order-flow simulation).
    Arrivals,
    /// The order service's database write.
    DatabaseWrite,
    /// The order service's publish to Kafka.
    Publish,
    /// The order service's producer: the sticky partitioner's draws for keyless orders.
    OrderProducer,
    /// The producer of a [`crate::topic::Topic`] (the partition view): its sticky partitioner.
    TopicProducer,
    /// Service `i` of the synchronous chain: its latencies and errors.
    SyncService(u32),
    /// Service `i` of the Kafka pipeline: its latencies, errors and duplicates.
    EventService(u32),
    /// The retry backoff's jitter of producer `producer`'s sender in a world.
    WorldSender {
        /// The producer's index in the script.
        producer: u32,
    },
    /// The sticky partitioner of producer `producer` writing to topic `topic` in a world.
    WorldProducer {
        /// The producer's index in the script.
        producer: u32,
        /// The topic's index in the script.
        topic: u32,
    },
}

impl Stream {
    /// The stream number.
    #[must_use]
    pub const fn id(self) -> u64 {
        match self {
            Self::Arrivals => 1,
            Self::DatabaseWrite => 2,
            Self::Publish => 3,
            Self::OrderProducer => 4,
            Self::TopicProducer => 5,
            Self::SyncService(i) => 100 + i as u64,
            Self::EventService(i) => 200 + i as u64,
            Self::WorldSender { producer } => (2 << 32) | producer as u64,
            Self::WorldProducer { producer, topic } => {
                (1 << 32) | ((producer as u64) << 16) | topic as u64
            }
        }
    }

    /// The generator of this stream under `seed`.
    #[must_use]
    pub fn rng(self, seed: u64) -> SimRng {
        SimRng::stream(seed, self.id())
    }
}

/// `a * b` as its low and high 64 bits. A 64-bit target has the instruction.
#[cfg(target_pointer_width = "64")]
fn widening_mul(a: u64, b: u64) -> (u64, u64) {
    let product = u128::from(a) * u128::from(b);
    (product as u64, (product >> 64) as u64)
}

/// `a * b` as its low and high 64 bits, from four 32-bit products: wasm32 has 64-bit multiplies but no
/// 128-bit one.
#[cfg(any(test, not(target_pointer_width = "64")))]
fn widening_mul_halves(a: u64, b: u64) -> (u64, u64) {
    const LOW: u64 = 0xffff_ffff;
    let (a1, a0, b1, b0) = (a >> 32, a & LOW, b >> 32, b & LOW);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    // At most 3 × (2^32 − 1): no overflow.
    let middle = (p00 >> 32) + (p01 & LOW) + (p10 & LOW);
    (
        (middle << 32) | (p00 & LOW),
        p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32),
    )
}

#[cfg(not(target_pointer_width = "64"))]
use widening_mul_halves as widening_mul;

/// SplitMix64's finaliser: a fixed bijective mix of 64 bits.
const fn splitmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let (mut a, mut b, mut c) = (SimRng::new(42), SimRng::new(42), SimRng::new(43));
        let xs: alloc::vec::Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: alloc::vec::Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let zs: alloc::vec::Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn the_stream_is_pinned() {
        // Changing the algorithm or its seeding would silently change every simulation; this catches it.
        let mut rng = SimRng::new(42);
        assert_eq!(rng.next_u64(), 10_580_897_095_847_554_459);
        assert_eq!(rng.below(1_000), 946);
        assert!((rng.unit() - 0.355_935_840_284_451_9).abs() < 1e-16);
        assert_eq!(SimRng::new(0).below(1), 0);
        assert_eq!(SimRng::new(0).below(0), 0);
    }

    #[test]
    fn named_streams_never_collide_within_their_limits() {
        use crate::config::{MAX_PRODUCERS, MAX_SERVICES, MAX_TOPICS};
        let mut ids = alloc::collections::BTreeSet::new();
        let mut all = alloc::vec![
            Stream::Arrivals,
            Stream::DatabaseWrite,
            Stream::Publish,
            Stream::OrderProducer,
            Stream::TopicProducer,
        ];
        for i in 0..MAX_SERVICES {
            all.extend([Stream::SyncService(i), Stream::EventService(i)]);
        }
        for producer in 0..MAX_PRODUCERS {
            all.extend((0..MAX_TOPICS).map(|topic| Stream::WorldProducer { producer, topic }));
            all.push(Stream::WorldSender { producer });
        }
        for stream in &all {
            assert!(ids.insert(stream.id()), "{stream:?} collides");
        }
    }

    #[test]
    fn draws_are_rand_pcg_s_pcg64_mcg() {
        use rand_core::Rng;
        for seed in [0, 1, 42, u64::MAX, 0x0123_4567_89ab_cdef] {
            let (mut ours, mut reference) = (SimRng::new(seed), Pcg64Mcg::seed_from_u64(seed));
            for draw in 0..10_000 {
                assert_eq!(
                    ours.next_u64(),
                    reference.next_u64(),
                    "seed {seed}, draw {draw}"
                );
            }
        }
    }

    #[test]
    fn the_halves_multiply_as_a_u128_does() {
        let mut rng = SimRng::new(3);
        let edges = [0, 1, 0xffff_ffff, 1 << 32, u64::MAX, u64::MAX - 1];
        let pairs = edges
            .iter()
            .flat_map(|&a| edges.iter().map(move |&b| (a, b)))
            .chain((0..10_000).map(|_| (rng.next_u64(), rng.next_u64())));
        for (a, b) in pairs {
            let product = u128::from(a) * u128::from(b);
            assert_eq!(
                widening_mul_halves(a, b),
                (product as u64, (product >> 64) as u64),
                "{a} × {b}"
            );
        }
    }

    #[test]
    fn below_is_uniform_enough() {
        let mut rng = SimRng::new(7);
        let mut counts = [0_u32; 6];
        for _ in 0..60_000 {
            counts[rng.below(6) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        let u = rng.unit();
        assert!((0.0..1.0).contains(&u));
    }
}
