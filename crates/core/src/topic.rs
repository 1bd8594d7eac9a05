//! # Topic: named, partitioned, append-only
//!
//! A Kafka topic is split into partitions; each partition is an ordered, append-only log in which every
//! record gets the next **offset** (0, 1, 2, …) of that partition. Ordering is therefore guaranteed per
//! partition, not across the topic — which is why records that must stay in order share a key: the
//! [`partitioner`](crate::partitioner) sends equal keys to the same partition.
//!
//! A topic's partition count can only grow (`kafka-topics.sh --alter --partitions N` refuses to shrink), and
//! growing it changes `murmur2(key) % partitions` for most keys: new records of an old key may land on a
//! different partition than its earlier records. [`Topic::add_partitions`] models exactly that.
//!
//! Records without a key go where Kafka's default producer puts them: the built-in sticky partitioner of
//! KIP-794 ([`crate::producer`]), which keeps one partition until a batch's worth of bytes went to it. A
//! `Topic` has no clock, so its records arrive as one burst: batches leave only when full.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::num::NonZeroU32;

use crate::partitioner::KeyPlacement;
use crate::producer::{Producer, ProducerConfig};
use crate::rng::Stream;
use crate::time::Instant;

/// One record as stored in a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Position in its partition; the first record of a partition has offset 0.
    pub offset: u64,
    /// The serialized key, or `None` for a record without a key (which is not the same as an empty key).
    pub key: Option<Vec<u8>>,
}

/// How the partition of a produced record was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Hashed from the key by Kafka's default partitioner.
    Keyed(KeyPlacement),
    /// The record had no key; the sticky partitioner (KIP-794) picked the partition.
    Sticky,
}

/// Where a produced record was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Produced {
    /// The partition the record was appended to.
    pub partition: u32,
    /// The offset it was given there.
    pub offset: u64,
    /// Why it went to that partition.
    pub placement: Placement,
}

/// A topic with its partitions' records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    name: String,
    partitions: Vec<Vec<Record>>,
    /// Kafka's default producer, for the partitions of keyless records.
    producer: Producer,
}

/// [`Topic::add_partitions`] was asked to shrink the topic or keep its size: Kafka only adds partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionsCanOnlyGrow {
    /// Partitions the topic has.
    pub current: u32,
    /// Partitions that were asked for.
    pub requested: u32,
}

impl fmt::Display for PartitionsCanOnlyGrow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "partitions: {} is not more than the current {}; Kafka can add partitions but never remove them",
            self.requested, self.current
        )
    }
}

impl core::error::Error for PartitionsCanOnlyGrow {}

impl Topic {
    /// An empty topic named `name` with `partitions` partitions.
    #[must_use]
    pub fn new(name: impl Into<String>, partitions: NonZeroU32) -> Self {
        let count = partitions.get() as usize;
        Self {
            name: name.into(),
            partitions: alloc::vec![Vec::new(); count],
            producer: Producer::new(
                ProducerConfig::default(),
                partitions,
                Stream::TopicProducer.rng(0).next_u64(),
            ),
        }
    }

    /// The topic's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many partitions the topic has.
    #[must_use]
    pub fn partition_count(&self) -> NonZeroU32 {
        // The constructor and `add_partitions` only ever make this non-zero and at most u32::MAX.
        NonZeroU32::new(self.partitions.len() as u32).unwrap_or(NonZeroU32::MIN)
    }

    /// The records of `partition`, oldest first; empty for a partition that does not exist.
    #[must_use]
    pub fn records(&self, partition: u32) -> &[Record] {
        self.partitions
            .get(partition as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// The offset the next record of `partition` will get (Kafka's log end offset).
    #[must_use]
    pub fn log_end_offset(&self, partition: u32) -> u64 {
        self.records(partition).len() as u64
    }

    /// Appends a record with `key` (or without one) to the partition the producer would choose.
    pub fn produce(&mut self, key: Option<&[u8]>) -> Produced {
        let count = self.partition_count();
        let (partition, placement) = match key {
            Some(bytes) => {
                let placement = KeyPlacement::of(bytes, count);
                (placement.partition, Placement::Keyed(placement))
            }
            None => {
                let partition = self.producer.send(Instant::ZERO, None, 0).partition;
                // Full batches leave; the rest wait, so the producer's memory stays one batch a partition.
                let _sent = self.producer.poll_ready(Instant::ZERO);
                (partition, Placement::Sticky)
            }
        };
        let log = &mut self.partitions[partition as usize];
        let offset = log.len() as u64;
        log.push(Record {
            offset,
            key: key.map(<[u8]>::to_vec),
        });
        Produced {
            partition,
            offset,
            placement,
        }
    }

    /// Grows the topic to `partitions` partitions, keeping every record where it is.
    ///
    /// # Errors
    /// [`PartitionsCanOnlyGrow`] unless `partitions` is more than the current count.
    pub fn add_partitions(&mut self, partitions: NonZeroU32) -> Result<(), PartitionsCanOnlyGrow> {
        let current = self.partition_count().get();
        if partitions.get() <= current {
            return Err(PartitionsCanOnlyGrow {
                current,
                requested: partitions.get(),
            });
        }
        self.partitions
            .resize(partitions.get() as usize, Vec::new());
        self.producer.set_partitions(partitions);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(partitions: u32) -> NonZeroU32 {
        NonZeroU32::new(partitions).expect("test partition counts are positive")
    }

    #[test]
    fn keyed_records_get_consecutive_offsets_in_their_partition() {
        let mut topic = Topic::new("orders", n(3));
        let first = topic.produce(Some(b"user-1"));
        let second = topic.produce(Some(b"user-1"));
        assert_eq!((first.partition, first.offset), (2, 0));
        assert_eq!((second.partition, second.offset), (2, 1));
        assert_eq!(topic.log_end_offset(2), 2);
        assert_eq!(topic.log_end_offset(0), 0);
        assert_eq!(
            topic.records(2)[1],
            Record {
                offset: 1,
                key: Some(b"user-1".to_vec())
            }
        );
    }

    #[test]
    fn empty_key_is_hashed_but_missing_key_is_sticky() {
        let mut topic = Topic::new("t", n(6));
        let empty = topic.produce(Some(b""));
        assert_eq!(empty.partition, 3, "murmur2(\"\") = 275646681, % 6 = 3");
        assert!(matches!(empty.placement, Placement::Keyed(_)));

        // Sticky: keyless records share a partition until at least a full batch (16384 bytes; 9 bytes of
        // framing a record after the 61-byte header, so 1,814 records) went to it, then switch.
        let sticky: Vec<u32> = (0..6_000).map(|_| topic.produce(None).partition).collect();
        let first = sticky[0];
        let run = sticky.iter().take_while(|&&p| p == first).count();
        assert!((1_814..6_000).contains(&run), "{run}");
        assert!(topic.records(first)[0].key.is_none());
        assert!(matches!(topic.produce(None).placement, Placement::Sticky));
    }

    #[test]
    fn adding_partitions_moves_keys_but_not_records() {
        let mut topic = Topic::new("t", n(3));
        let before = topic.produce(Some(b"hello world"));
        assert_eq!(before.partition, 1);
        topic.add_partitions(n(12)).expect("growing is allowed");
        let after = topic.produce(Some(b"hello world"));
        assert_eq!(
            after.partition, 7,
            "the same key now hashes to another partition"
        );
        assert_eq!(
            topic.records(1).len(),
            1,
            "old records stay where they were written"
        );
        assert_eq!(topic.partition_count().get(), 12);
    }

    #[test]
    fn partitions_never_shrink() {
        let mut topic = Topic::new("t", n(4));
        let err = topic
            .add_partitions(n(2))
            .expect_err("shrinking is refused");
        assert_eq!(
            err,
            PartitionsCanOnlyGrow {
                current: 4,
                requested: 2
            }
        );
        assert!(
            err.to_string()
                .starts_with("partitions: 2 is not more than the current 4")
        );
        assert!(topic.add_partitions(n(4)).is_err());
        assert_eq!(topic.partition_count().get(), 4);
    }

    #[test]
    fn records_of_a_missing_partition_are_empty() {
        let topic = Topic::new("t", n(1));
        assert!(topic.records(5).is_empty());
        assert_eq!(topic.name(), "t");
    }
}
