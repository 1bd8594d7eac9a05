//! A produce request at the partition leader, for one batch: checked whole, then appended.
//!
//! The leader refuses the whole batch or takes all of it (`ReplicaManager.appendToLocalLog`): a record too
//! large or keyless on a compacted topic (`RECORD_LIST_TOO_LARGE`, `INVALID_RECORD`), no leader
//! (`LEADER_NOT_AVAILABLE`), `acks=all` with too few in-sync replicas (`NOT_ENOUGH_REPLICAS`), and for an
//! idempotent producer a sequence or epoch out of line ([`crate::log::producer_state`]). A retry of a batch
//! already written is answered with the original's offsets and appends nothing. The log, the cluster's
//! replicas and the producer state then take the records in order.

use alloc::string::String;

use super::topic::{Archived, Stamp};
use super::{EventKind, World};
use crate::cluster::{Acks, ProduceError};
use crate::log::AppendError;
use crate::log::producer_state::{BatchMetadata, ProducerBatch, Verdict};
use crate::time::Instant;

/// A record the producer holds until its batch goes out: the `produced` entry it fills, its key, its
/// value's size (`None`: a tombstone), the `acks` it was sent with and its timestamp.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Unsent {
    pub(super) produced: usize,
    pub(super) key: Option<String>,
    pub(super) value_bytes: Option<u32>,
    pub(super) acks: Acks,
    pub(super) timestamp: Instant,
}

/// An idempotent producer's identity on a batch: id, epoch and the first record's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BatchStamp {
    pub(super) producer_id: u64,
    pub(super) epoch: u16,
    pub(super) base_sequence: u32,
    /// Written inside a transaction.
    pub(super) transactional: bool,
}

/// Where an accepted batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Accepted {
    /// Its first record's offset.
    pub(super) first_offset: u64,
    /// The cluster's write id of its last record, to learn when it is acknowledged.
    pub(super) last_write: u64,
}

impl World {
    /// Appends `records` to partition `partition` of topic `t` as one batch, or refuses it with Kafka's
    /// error name.
    pub(super) fn append_batch(
        &mut self,
        t: usize,
        partition: u32,
        records: &[Unsent],
        acks: Acks,
        stamp: Option<BatchStamp>,
        producer: &str,
    ) -> Result<Accepted, &'static str> {
        let p = partition as usize;
        let topic = &mut self.topics[t];
        for record in records {
            let key = record.key.as_deref().map(str::as_bytes);
            if let Err(err) = topic.logs[p].check_append(key, record.value_bytes) {
                return Err(match err {
                    AppendError::KeylessOnCompactedTopic => "INVALID_RECORD",
                    AppendError::RecordTooLarge { .. } => "RECORD_LIST_TOO_LARGE",
                });
            }
        }
        topic
            .cluster
            .check_produce(partition, acks)
            .map_err(|err| match err {
                ProduceError::NotEnoughReplicas { .. } => "NOT_ENOUGH_REPLICAS",
                ProduceError::NoLeader => "LEADER_NOT_AVAILABLE",
                ProduceError::UnknownPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            })?;
        self.verify_transaction(stamp, t, partition)?;
        let topic = &mut self.topics[t];
        let count = records.len() as u32;
        if let Some(s) = stamp {
            let last_seq = s.base_sequence.wrapping_add(count.saturating_sub(1));
            match topic.producer_states[p].check(
                s.producer_id,
                s.epoch,
                (s.base_sequence, last_seq),
                s.transactional,
            ) {
                Err(err) => return Err(err.name()),
                Ok(Verdict::Duplicate(original)) => {
                    let mirror = &topic.mirrors[p];
                    let last_write = mirror
                        .get(original.last_offset as usize)
                        .map_or(u64::MAX, |r| r.write);
                    return Ok(Accepted {
                        first_offset: original.first_offset,
                        last_write,
                    });
                }
                Ok(Verdict::Append) => {}
            }
        }
        let name = topic.name.clone();
        let mut first_offset = None;
        let mut last_write = 0;
        for (i, record) in records.iter().enumerate() {
            let topic = &mut self.topics[t];
            // check_produce accepted the batch, and nothing has changed since.
            let Ok(written) = topic.cluster.produce(self.now, partition, acks) else {
                break;
            };
            last_write = written.write;
            let record_stamp = stamp.map(|s| Stamp {
                producer_id: s.producer_id,
                epoch: s.epoch,
                sequence: s.base_sequence.wrapping_add(i as u32),
                batch_first: s.base_sequence,
                batch_last: s.base_sequence.wrapping_add(count.saturating_sub(1)),
                transactional: s.transactional,
            });
            let segments = topic.logs[p].segments().len();
            let archived = Archived {
                key: record.key.clone(),
                value_bytes: record.value_bytes,
                timestamp: record.timestamp,
                produced: Some(record.produced),
                stamp: record_stamp,
                control: None,
            };
            // check_append accepted it, so the log takes it.
            let offset = topic.append_write(p, archived, &written);
            first_offset.get_or_insert(offset);
            self.produced[record.produced].appends += 1;
            if topic.logs[p].segments().len() > segments {
                self.emit(EventKind::SegmentRolled {
                    topic: name.clone(),
                    partition,
                    base_offset: offset,
                });
            }
            self.emit(EventKind::Appended {
                topic: name.clone(),
                partition,
                offset,
                key: record.key.clone(),
                producer: String::from(producer),
            });
        }
        let first_offset = first_offset.unwrap_or_default();
        if let Some(s) = stamp {
            self.topics[t].producer_states[p].record(ProducerBatch {
                producer_id: s.producer_id,
                epoch: s.epoch,
                metadata: BatchMetadata {
                    first_seq: s.base_sequence,
                    last_seq: s.base_sequence.wrapping_add(count.saturating_sub(1)),
                    first_offset,
                    last_offset: first_offset + u64::from(count.saturating_sub(1)),
                },
                transactional: s.transactional,
            });
        }
        self.replicate_soon(t);
        // A single replica's high watermark moves with the append.
        self.cluster_op_on(t, Some(partition), |_, _| {});
        Ok(Accepted {
            first_offset,
            last_write,
        })
    }

    /// Followers of topic `t` fetch what its leaders just appended, [`crate::config::FOLLOWER_FETCH_DELAY`]
    /// from now.
    pub(super) fn replicate_soon(&mut self, t: usize) {
        if self.topics[t].cluster.config().replication_factor > 1 {
            let due = self.now + crate::config::FOLLOWER_FETCH_DELAY;
            self.next_fetch = Some(self.next_fetch.map_or(due, |at| at.min(due)));
        }
    }
}
