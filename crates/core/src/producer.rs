//! # The producer: partitioners and batches
//!
//! A producer collects records into one **batch** per partition (`RecordAccumulator`) and sends a batch
//! when it reaches `batch.size` bytes or has waited `linger.ms` (5 ms since Kafka 4.0, KIP-1030; 0 before).
//! Where a record goes:
//!
//! - a record **with a key** goes to `murmur2(key) % partitions` ([`crate::partitioner`]), unless
//!   `partitioner.ignore.keys=true`;
//! - a record **without a key** (or with ignored keys) goes to the built-in **sticky** partition of
//!   KIP-794 (Kafka 3.3+): every record of the topic goes to one partition until `batch.size` bytes were
//!   produced to it *and* its last batch is full — or until `2 × batch.size`, whichever comes first — and
//!   then a new partition is drawn at random. With `partitioner.adaptive.partitioning.enable` (the default)
//!   the draw favours partitions with fewer queued batches: weights are `max queue + 1 − queue` (the
//!   cumulative-frequency table of `BuiltInPartitioner`); with equal queues it is uniform. The new partition
//!   may be the same as the old one.
//! - with `partitioner.class=RoundRobinPartitioner`, records go to partitions in turn, keys ignored.
//!
//! Sizes follow the v2 record format: a batch has a 61-byte header and each record adds its key, its value
//! and about 9 bytes of framing. Randomness comes from the scenario's seed ([`crate::rng`]).

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use crate::partitioner::{RoundRobin, partition_for_key};
use crate::rng::SimRng;
use crate::time::{Duration, Instant};

/// Bytes of a v2 record batch header.
pub const BATCH_HEADER: u64 = 61;
/// Bytes of framing per record in a v2 batch (length, attributes, deltas, header count), approximately.
pub const RECORD_FRAMING: u64 = 9;

/// Which partitioner the producer uses (`partitioner.class`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PartitionerKind {
    /// No `partitioner.class`: keys hashed, keyless records sticky (KIP-794).
    #[default]
    BuiltIn,
    /// `org.apache.kafka.clients.producer.RoundRobinPartitioner`: every record in turn, keys ignored.
    RoundRobin,
}

/// Producer settings, with Kafka 4.0's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerConfig {
    /// `batch.size` (16384).
    pub batch_size: u64,
    /// `linger.ms` (5 ms).
    pub linger: Duration,
    /// `partitioner.class`.
    pub partitioner: PartitionerKind,
    /// `partitioner.ignore.keys` (false).
    pub ignore_keys: bool,
    /// `partitioner.adaptive.partitioning.enable` (true).
    pub adaptive: bool,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        Self {
            batch_size: 16_384,
            linger: Duration::from_millis(5),
            partitioner: PartitionerKind::BuiltIn,
            ignore_keys: false,
            adaptive: true,
        }
    }
}

/// A batch of records for one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Its partition.
    pub partition: u32,
    /// When its first record was appended.
    pub created: Instant,
    /// Records in it.
    pub records: u32,
    /// Estimated bytes, header included.
    pub bytes: u64,
}

impl Batch {
    fn is_full(&self, batch_size: u64) -> bool {
        self.records > 0 && self.bytes >= batch_size
    }
}

/// Where [`Producer::send`] put a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// The partition chosen.
    pub partition: u32,
    /// Whether the record opened a new batch.
    pub new_batch: bool,
}

/// A producer of one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Producer {
    config: ProducerConfig,
    partitions: NonZeroU32,
    queues: Vec<VecDeque<Batch>>,
    sticky: Option<u32>,
    produced_bytes: u64,
    round_robin: RoundRobin,
    rng: SimRng,
}

impl Producer {
    /// A producer for a topic of `partitions` partitions, drawing its random choices from `seed`.
    #[must_use]
    pub fn new(config: ProducerConfig, partitions: NonZeroU32, seed: u64) -> Self {
        Self {
            config,
            partitions,
            queues: alloc::vec![VecDeque::new(); partitions.get() as usize],
            sticky: None,
            produced_bytes: 0,
            round_robin: RoundRobin::new(),
            rng: SimRng::new(seed),
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &ProducerConfig {
        &self.config
    }

    /// Batches waiting to be sent, per partition.
    #[must_use]
    pub fn queued(&self, partition: u32) -> usize {
        self.queues.get(partition as usize).map_or(0, VecDeque::len)
    }

    /// The topic grew: later records see the new partition count (and keys may move).
    pub fn set_partitions(&mut self, partitions: NonZeroU32) {
        self.partitions = partitions;
        self.queues
            .resize(partitions.get() as usize, VecDeque::new());
        if self.sticky.is_some_and(|p| p >= partitions.get()) {
            self.sticky = None;
        }
    }

    /// Appends a record with `key` and a `value_size`-byte value at `now`.
    pub fn send(&mut self, now: Instant, key: Option<&[u8]>, value_size: u32) -> Appended {
        let bytes = key.map_or(0, |k| k.len() as u64) + u64::from(value_size) + RECORD_FRAMING;
        let keyed = key.filter(|_| !self.config.ignore_keys);
        let partition = match (self.config.partitioner, keyed) {
            (PartitionerKind::RoundRobin, _) => self.round_robin.next_partition(self.partitions),
            (PartitionerKind::BuiltIn, Some(key)) => partition_for_key(key, self.partitions),
            (PartitionerKind::BuiltIn, None) => match self.sticky {
                Some(p) => p,
                None => {
                    let p = self.next_sticky_partition();
                    self.sticky = Some(p);
                    p
                }
            },
        };
        let batch_size = self.config.batch_size;
        let queue = &mut self.queues[partition as usize];
        let new_batch = queue.back().is_none_or(|b| b.is_full(batch_size));
        if new_batch {
            queue.push_back(Batch {
                partition,
                created: now,
                records: 0,
                bytes: BATCH_HEADER,
            });
        }
        if let Some(batch) = queue.back_mut() {
            batch.records += 1;
            batch.bytes += bytes;
        }
        if self.config.partitioner == PartitionerKind::BuiltIn && keyed.is_none() {
            self.update_sticky(partition, bytes);
        }
        Appended {
            partition,
            new_batch,
        }
    }

    /// `BuiltInPartitioner.updatePartitionInfo`: switch after `batch.size` bytes once the partition's last
    /// batch is full, or after `2 × batch.size` regardless.
    fn update_sticky(&mut self, partition: u32, bytes: u64) {
        self.produced_bytes += bytes;
        let batch_size = self.config.batch_size;
        let all_batches_full = self.queues[partition as usize]
            .back()
            .is_none_or(|b| b.is_full(batch_size));
        if (self.produced_bytes >= batch_size && all_batches_full)
            || self.produced_bytes >= 2 * batch_size
        {
            self.produced_bytes = 0;
            self.sticky = Some(self.next_sticky_partition());
        }
    }

    /// `BuiltInPartitioner.nextPartition`: uniform, or weighted towards short queues when adaptive.
    fn next_sticky_partition(&mut self) -> u32 {
        let n = self.partitions.get();
        let sizes: Vec<u64> = self.queues.iter().map(|q| q.len() as u64).collect();
        let max = sizes.iter().copied().max().unwrap_or(0);
        if !self.config.adaptive || n < 2 || sizes.iter().all(|&s| s == max) {
            return self.rng.below(n);
        }
        let weights: Vec<u64> = sizes.iter().map(|&s| max + 1 - s).collect();
        let total: u64 = weights.iter().sum();
        let mut pick = u64::from(self.rng.below(u32::try_from(total).unwrap_or(u32::MAX)));
        for (p, &w) in weights.iter().enumerate() {
            if pick < w {
                return p as u32;
            }
            pick -= w;
        }
        n - 1
    }

    /// Batches ready to send at `now` (full, or older than `linger.ms`), removed from their queues.
    pub fn poll_ready(&mut self, now: Instant) -> Vec<Batch> {
        let (batch_size, linger) = (self.config.batch_size, self.config.linger);
        let mut ready = Vec::new();
        for queue in &mut self.queues {
            while queue
                .front()
                .is_some_and(|b| b.is_full(batch_size) || now - b.created >= linger)
            {
                ready.extend(queue.pop_front());
            }
        }
        ready
    }

    /// When the oldest waiting batch's `linger.ms` runs out.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.queues
            .iter()
            .filter_map(|q| q.front())
            .map(|b| b.created + self.config.linger)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(partitions: u32) -> NonZeroU32 {
        NonZeroU32::new(partitions).expect("positive")
    }

    /// 1000-byte batches; 91-byte values make 100-byte records.
    fn config(partitioner: PartitionerKind) -> ProducerConfig {
        ProducerConfig {
            batch_size: 1_000,
            linger: Duration::from_millis(1_000),
            partitioner,
            ..ProducerConfig::default()
        }
    }

    #[test]
    fn keyed_records_follow_murmur2_unless_keys_are_ignored() {
        let mut p = Producer::new(config(PartitionerKind::BuiltIn), n(6), 1);
        assert_eq!(p.send(Instant::ZERO, Some(b"user-1"), 91).partition, 2);
        let mut ignoring = Producer::new(
            ProducerConfig {
                ignore_keys: true,
                ..config(PartitionerKind::BuiltIn)
            },
            n(6),
            1,
        );
        let chosen: Vec<u32> = (0..30)
            .map(|_| ignoring.send(Instant::ZERO, Some(b"user-1"), 91).partition)
            .collect();
        assert!(
            chosen.iter().any(|&x| x != 2),
            "ignored keys are spread like keyless records: {chosen:?}"
        );
    }

    #[test]
    fn keyless_records_stick_to_a_partition_for_a_batch() {
        let mut p = Producer::new(config(PartitionerKind::BuiltIn), n(4), 7);
        let chosen: Vec<u32> = (0..40)
            .map(|_| p.send(Instant::ZERO, None, 91).partition)
            .collect();
        // The first batch takes 61 + 10 × 100 bytes ≥ 1000 after 10 records (produced 1000 ≥ batch.size and the
        // batch is full), so partitions change only at multiples of 10.
        for (i, w) in chosen.windows(2).enumerate() {
            if w[0] != w[1] {
                assert_eq!(
                    (i + 1) % 10,
                    0,
                    "switched after record {}: {chosen:?}",
                    i + 1
                );
            }
        }
        let runs = chosen
            .chunks(10)
            .filter(|c| c.iter().all(|&x| x == c[0]))
            .count();
        assert_eq!(runs, 4);
    }

    #[test]
    fn a_switch_waits_for_a_full_batch_but_not_past_twice_batch_size() {
        let mut p = Producer::new(config(PartitionerKind::BuiltIn), n(8), 3);
        let first = p.send(Instant::ZERO, None, 591).partition; // 600 bytes
        assert_eq!(
            p.poll_ready(Instant::from_millis(1_000)).len(),
            1,
            "linger expired: the batch is sent"
        );
        // 600 + 600 ≥ 1000 but the new batch (661 bytes) is not full: no switch yet.
        assert_eq!(
            p.send(Instant::from_millis(1_000), None, 591).partition,
            first
        );
        // 1800 bytes: the batch is full now, so the switch happens after this record.
        assert_eq!(
            p.send(Instant::from_millis(1_000), None, 591).partition,
            first
        );
        let _next = p.send(Instant::from_millis(1_000), None, 591).partition;
        assert_eq!(
            p.produced_bytes, 600,
            "the counter restarted with the new partition"
        );
    }

    #[test]
    fn adaptive_partitioning_avoids_long_queues() {
        let mut p = Producer::new(config(PartitionerKind::BuiltIn), n(2), 11);
        // Fill partition 0's queue with keyed records (murmur2("1") % 2 = 1 and "0" % 2 = 0).
        for _ in 0..50 {
            let _ = p.send(Instant::ZERO, Some(b"0"), 991);
        }
        assert_eq!(p.queued(0), 50);
        // Weights: partition 0 → 51 − 50 = 1, partition 1 → 51 − 0 = 51.
        let picks: Vec<u32> = (0..200).map(|_| p.next_sticky_partition()).collect();
        let zeros = picks.iter().filter(|&&x| x == 0).count();
        assert!(zeros < 20, "partition 0 picked {zeros} times out of 200");
    }

    #[test]
    fn round_robin_ignores_keys() {
        let mut p = Producer::new(config(PartitionerKind::RoundRobin), n(3), 0);
        let chosen: Vec<u32> = (0..6)
            .map(|_| p.send(Instant::ZERO, Some(b"same"), 10).partition)
            .collect();
        assert_eq!(chosen, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn batches_leave_when_full_or_lingered() {
        let mut p = Producer::new(config(PartitionerKind::RoundRobin), n(1), 0);
        for _ in 0..12 {
            let _ = p.send(Instant::ZERO, None, 91);
        }
        let sent = p.poll_ready(Instant::ZERO);
        assert_eq!(
            sent.iter().map(|b| b.records).collect::<Vec<_>>(),
            [10],
            "one full batch"
        );
        assert_eq!(p.poll_timeout(), Some(Instant::from_millis(1_000)));
        assert!(p.poll_ready(Instant::from_millis(999)).is_empty());
        assert_eq!(p.poll_ready(Instant::from_millis(1_000))[0].records, 2);
    }
}
