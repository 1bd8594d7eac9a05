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
//! Sizes are the v2 record format's ([`crate::record_format`]): a batch has a 61-byte header and each record
//! its key, its value and its framing. A batch never grows past `batch.size`: a record that does not fit
//! closes it and opens the next (a record larger than `batch.size` gets a batch of its own). Randomness
//! comes from the scenario's seed ([`crate::rng`]).

pub mod sender;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::num::NonZeroU32;

use crate::partitioner::{RoundRobin, partition_for_key};
use crate::record_format::{RECORD_BATCH_OVERHEAD, record_size, record_size_upper_bound};
use crate::rng::SimRng;
use crate::time::{Duration, Instant};

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
    /// Estimated bytes, header included (`MemoryRecordsBuilder.estimatedBytesWritten`).
    pub bytes: u64,
    /// Bytes it may grow to (`writeLimit`): `batch.size`, or one record's upper bound if larger.
    limit: u64,
    /// Closed for appends: a record found no room in it, so a newer batch took over.
    closed: bool,
}

impl Batch {
    /// `MemoryRecordsBuilder.isFull`: closed, or at its limit once it holds a record.
    fn is_full(&self) -> bool {
        self.closed || (self.records > 0 && self.limit <= self.bytes)
    }

    /// `ProducerBatch.tryAppend`: appends a record of `key` and `value` bytes at `now` if it fits
    /// (`hasRoomFor`; the first record always does), returning the bytes it added.
    fn try_append(&mut self, now: Instant, key: Option<u64>, value: u64) -> Option<u64> {
        let delta = now.as_millis() as i64 - self.created.as_millis() as i64;
        let size = record_size(self.records, delta, key, Some(value));
        if self.is_full() || (self.records > 0 && self.bytes + size > self.limit) {
            return None;
        }
        self.records += 1;
        self.bytes += size;
        Some(size)
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

    /// Appends a record with `key` and a `value_size`-byte value at `now`, as `RecordAccumulator.append`
    /// does: into the partition's last batch if it has room, else into a new batch. For a keyless record
    /// the sticky partition may switch first, when a switch deferred until the partition's last batch was
    /// full can now complete (`partitionChanged`), and is re-checked after the append
    /// (`updatePartitionInfo`) with the bytes it added, a new batch's header included.
    pub fn send(&mut self, now: Instant, key: Option<&[u8]>, value_size: u32) -> Appended {
        let key_len = key.map(|k| k.len() as u64);
        let value = u64::from(value_size);
        let keyed = key.filter(|_| !self.config.ignore_keys);
        let sticky = self.config.partitioner == PartitionerKind::BuiltIn && keyed.is_none();
        let partition = match (self.config.partitioner, keyed) {
            (PartitionerKind::RoundRobin, _) => self.round_robin.next_partition(self.partitions),
            (PartitionerKind::BuiltIn, Some(key)) => partition_for_key(key, self.partitions),
            (PartitionerKind::BuiltIn, None) => self.sticky_partition(),
        };
        let queue = &mut self.queues[partition as usize];
        if let Some(added) = queue
            .back_mut()
            .and_then(|last| last.try_append(now, key_len, value))
        {
            if sticky {
                self.update_sticky(partition, added);
            }
            return Appended {
                partition,
                new_batch: false,
            };
        }
        // No room: the last batch is closed for appends, which may complete a deferred switch.
        if let Some(last) = queue.back_mut() {
            last.closed = true;
        }
        if sticky && self.update_sticky(partition, 0) {
            return self.send(now, key, value_size);
        }
        let mut batch = Batch {
            partition,
            created: now,
            records: 0,
            bytes: RECORD_BATCH_OVERHEAD,
            limit: self
                .config
                .batch_size
                .max(RECORD_BATCH_OVERHEAD + record_size_upper_bound(key_len, Some(value))),
            closed: false,
        };
        let added = batch.try_append(now, key_len, value).unwrap_or(0);
        self.queues[partition as usize].push_back(batch);
        if sticky {
            self.update_sticky(partition, RECORD_BATCH_OVERHEAD + added);
        }
        Appended {
            partition,
            new_batch: true,
        }
    }

    /// The sticky partition for the next keyless record, drawn when there is none yet. Before appending,
    /// a switch that was deferred while the partition's last batch had room completes once it is full
    /// (`RecordAccumulator.partitionChanged`).
    fn sticky_partition(&mut self) -> u32 {
        let current = match self.sticky {
            Some(p) => p,
            None => {
                let p = self.next_sticky_partition();
                self.sticky = Some(p);
                p
            }
        };
        self.update_sticky(current, 0);
        self.sticky.unwrap_or(current)
    }

    /// `BuiltInPartitioner.updatePartitionInfo`: counts `bytes` more produced to the sticky `partition`
    /// and switches after `batch.size` bytes once the partition's last batch is full, or after
    /// `2 × batch.size` regardless. Says whether it switched.
    fn update_sticky(&mut self, partition: u32, bytes: u64) -> bool {
        self.produced_bytes += bytes;
        let batch_size = self.config.batch_size;
        let all_batches_full = self.queues[partition as usize]
            .back()
            .is_none_or(Batch::is_full);
        let switch = (self.produced_bytes >= batch_size && all_batches_full)
            || self.produced_bytes >= 2 * batch_size;
        if switch {
            self.produced_bytes = 0;
            self.sticky = Some(self.next_sticky_partition());
        }
        switch
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
        let linger = self.config.linger;
        self.take(|b| b.is_full() || now - b.created >= linger)
    }

    /// `flush()`: every batch is ready now, whatever its `linger.ms`; removed from their queues.
    pub fn flush(&mut self) -> Vec<Batch> {
        self.take(|_| true)
    }

    fn take(&mut self, ready: impl Fn(&Batch) -> bool) -> Vec<Batch> {
        let mut out = Vec::new();
        for queue in &mut self.queues {
            while queue.front().is_some_and(&ready) {
                out.extend(queue.pop_front());
            }
        }
        out
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

    /// 1000-byte batches; 91-byte values make 100-byte records (a 98-byte body and 2 length bytes).
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
    fn keyless_records_of_1000_bytes_switch_partition_every_32_records() {
        // Kafka's defaults in a tight loop (one moment): a 1,000-byte value makes a 1,009-byte record, so a
        // 16,384-byte batch holds 16 (61 + 16 × 1,009 = 16,205; a 17th would not fit). After 16 records
        // 16,205 bytes were produced, under batch.size: the next record closes the batch and opens a
        // second one on the same partition, after which 17,275 bytes are produced but that batch has
        // room, so the switch waits; the 33rd record finds the second batch full, completes the switch
        // and goes to the next partition.
        let mut p = Producer::new(ProducerConfig::default(), n(16), 5);
        let chosen: Vec<u32> = (0..320)
            .map(|_| p.send(Instant::ZERO, None, 1_000).partition)
            .collect();
        for (i, w) in chosen.windows(2).enumerate() {
            if w[0] != w[1] {
                assert_eq!(
                    (i + 1) % 32,
                    0,
                    "switched after record {}: {chosen:?}",
                    i + 1
                );
            }
        }
        let switches = chosen.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(switches >= 5, "{switches} switches in 320 records");
        let batches: Vec<u32> = p.queues.iter().flatten().map(|b| b.records).collect();
        assert!(batches.iter().all(|&r| r == 16), "{batches:?}");
        assert!(p.queues.iter().flatten().all(|b| b.bytes <= 16_384));
    }

    #[test]
    fn a_large_record_switches_only_once_its_batch_is_complete() {
        // RecordAccumulatorTest.testUniformBuiltInPartitioner: batch.size 1,024; a small record, then
        // 1,024-byte records. The first large one exceeds the sticky limit but its batch (sized for it) is
        // incomplete, so it stays; each next one completes the previous batch and switches.
        let config = ProducerConfig {
            batch_size: 1_024,
            linger: Duration::ZERO,
            ..ProducerConfig::default()
        };
        let mut p = Producer::new(config, n(3), 9);
        let small = RECORD_BATCH_OVERHEAD + record_size(0, 0, None, Some(5));
        let large = RECORD_BATCH_OVERHEAD + record_size(0, 0, None, Some(1_024));
        let first = p.send(Instant::ZERO, None, 5).partition;
        assert_eq!(p.produced_bytes, small);
        assert_eq!(p.send(Instant::ZERO, None, 1_024).partition, first);
        assert_eq!(p.produced_bytes, small + large, "no switch yet");
        for _ in 0..3 {
            let appended = p.send(Instant::ZERO, None, 1_024);
            assert!(appended.new_batch);
            assert_eq!(
                p.produced_bytes, large,
                "switched, counting again from this record"
            );
        }
    }

    #[test]
    fn lingered_batches_are_between_half_and_all_of_batch_size() {
        // RecordAccumulatorTest.testBuiltInPartitionerFractionalBatches: batch.size 512, linger.ms 10,
        // 32-byte values, ten rounds of two thirds of a batch then 10 ms: each round sends one batch of
        // more than half and less than all of batch.size, as the switch waits for a complete batch.
        let config = ProducerConfig {
            batch_size: 512,
            linger: Duration::from_millis(10),
            ..ProducerConfig::default()
        };
        let mut p = Producer::new(config, n(3), 1);
        let mut now = Instant::ZERO;
        for _ in 0..10 {
            for _ in 0..512 * 2 / 3 / 32 {
                let _ = p.send(now, None, 32);
            }
            now += Duration::from_millis(10);
            let sent = p.poll_ready(now);
            assert_eq!(sent.len(), 1, "{sent:?}");
            assert!(
                sent[0].bytes > 256 && sent[0].bytes < 512,
                "{}",
                sent[0].bytes
            );
        }
    }

    #[test]
    fn a_switch_waits_for_a_full_batch_and_a_batch_never_outgrows_batch_size() {
        // 591-byte values make 600-byte records; batch.size 1,000.
        let mut p = Producer::new(config(PartitionerKind::BuiltIn), n(8), 3);
        let first = p.send(Instant::ZERO, None, 591).partition;
        assert_eq!(p.produced_bytes, 661);
        assert_eq!(
            p.poll_ready(Instant::from_millis(1_000)).len(),
            1,
            "linger expired: the batch is sent"
        );
        // 661 + 661 ≥ 1,000 but the new batch (661 bytes) has room: no switch yet.
        let later = Instant::from_millis(1_000);
        assert_eq!(p.send(later, None, 591).partition, first);
        assert_eq!(p.produced_bytes, 1_322);
        // The next record does not fit (661 + 600 > 1,000): the batch closes, the switch completes and the
        // record opens a batch on the new partition.
        let third = p.send(later, None, 591);
        assert!(third.new_batch);
        assert_eq!(
            p.produced_bytes, 661,
            "the counter restarted with the new partition"
        );
        assert!(p.queues.iter().flatten().all(|b| b.bytes <= 1_000));
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
        // 61 + 9 × 100 = 961 bytes: the tenth record does not fit and closes the first batch.
        let sent = p.poll_ready(Instant::ZERO);
        assert_eq!(
            sent.iter()
                .map(|b| (b.records, b.bytes))
                .collect::<Vec<_>>(),
            [(9, 961)],
            "one full batch"
        );
        assert_eq!(p.poll_timeout(), Some(Instant::from_millis(1_000)));
        assert!(p.poll_ready(Instant::from_millis(999)).is_empty());
        assert_eq!(p.poll_ready(Instant::from_millis(1_000))[0].records, 3);
    }
}
