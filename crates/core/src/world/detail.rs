//! What a view draws of the world beyond [`super::state::WorldState`]: a partition's last records, its
//! segments, each broker's replica of it, the rebalance rounds of a group, and a tally of what producers
//! were told. Each is bounded by the caller (the last `count` records, the last `count` segments), so a
//! view asking for them many times a second pays for what it draws, not for the whole log.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::topic::TopicState;
use super::{Delivery, World};
use crate::log::transactions::Transactions;
use crate::log::{PartitionLog, Record};

/// A stored record as a view lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    /// Its offset.
    pub offset: u64,
    /// Its key as text (bytes that are not UTF-8 are replaced), `None` for a record without one.
    pub key: Option<String>,
    /// A null value: on a compacted topic, a tombstone that deletes the key.
    pub tombstone: bool,
    /// When it was written, in simulated milliseconds.
    pub timestamp_ms: u64,
    /// A transaction marker: `commit` or `abort`; `null` for data.
    pub control: Option<Cow<'static, str>>,
    /// A record written in a transaction: `open`, `committed` or `aborted`; `null` outside one.
    pub transaction: Option<Cow<'static, str>>,
}

impl RecordView {
    /// `record` of a partition whose transactions are `txns`.
    #[must_use]
    pub fn of(record: &Record, txns: &Transactions) -> Self {
        let control = record.meta.control;
        let transaction = record
            .meta
            .transaction
            .filter(|_| control.is_none())
            .map(|pid| {
                if txns.is_aborted(pid, record.offset) {
                    "aborted"
                } else if txns
                    .ongoing()
                    .any(|(first, p)| p == pid && first <= record.offset)
                {
                    "open"
                } else {
                    "committed"
                }
            });
        Self {
            offset: record.offset,
            key: record
                .key
                .as_deref()
                .map(|k| String::from_utf8_lossy(k).into_owned()),
            tombstone: record.is_tombstone(),
            timestamp_ms: record.timestamp.as_millis(),
            control: control.map(|c| Cow::Borrowed(c.name())),
            transaction: transaction.map(Cow::Borrowed),
        }
    }
}

/// One segment of a partition's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentView {
    /// The offset it starts at (its file name in Kafka).
    pub base_offset: u64,
    /// Bytes its records count for.
    pub bytes: u64,
    /// Records it holds (after compaction, fewer than its offsets span).
    pub record_count: u32,
    /// Its last records, oldest first (at most the count asked for).
    pub records: Vec<RecordView>,
}

/// One broker as the replication view draws it, with its replica of one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerView {
    /// Its id.
    pub broker: u32,
    /// Up (not failed).
    pub alive: bool,
    /// Up but not fetching (`stall-broker`).
    pub stalled: bool,
    /// Its replica of the partition, if it holds one.
    pub replica: Option<ReplicaView>,
}

/// One replica's log as the cluster tracks it: which write, from which leader epoch, at each offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaView {
    /// Its log end offset.
    pub log_end_offset: u64,
    /// Its last records as `(offset, write, leader epoch)`, oldest first; writes are numbered per topic
    /// in the order the leaders accepted them.
    pub records: Vec<(u64, u64, u32)>,
}

/// A topic's configs in force, as Kafka names and spells them (`-1`: unlimited).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicConfigView {
    /// `cleanup.policy`.
    pub cleanup_policy: Cow<'static, str>,
    /// `retention.ms`.
    pub retention_ms: i64,
    /// `retention.bytes`.
    pub retention_bytes: i64,
    /// `segment.bytes`.
    pub segment_bytes: u64,
    /// `min.cleanable.dirty.ratio`.
    pub min_cleanable_dirty_ratio: f64,
    /// `min.insync.replicas`.
    pub min_insync_replicas: u32,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election_enable: bool,
    /// The replication factor.
    pub replication_factor: u32,
}

/// What producers were told about the records of one topic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Records produced (still batched ones included).
    pub produced: u64,
    /// Acknowledged to the producer (`acks=1` once the leader wrote them, `acks=all` once the ISR did;
    /// `acks=0` ones count as the producer is told nothing more).
    pub acknowledged: u64,
    /// Refused or failed, with an error.
    pub failed: u64,
    /// Acknowledged, then lost with a leader.
    pub lost: u64,
    /// Being retried after a retriable error.
    pub retrying: u64,
    /// Extra copies leaders appended: records a retry without idempotence wrote again.
    pub duplicates: u64,
}

impl World {
    fn topic(&self, topic: &str) -> Option<&TopicState> {
        self.topics.iter().find(|t| t.name == topic)
    }

    /// Partition `partition` of `topic`: its log and its transactions.
    fn log(&self, topic: &str, partition: u32) -> Option<(&PartitionLog, &Transactions)> {
        let t = self.topic(topic)?;
        let p = partition as usize;
        Some((t.logs.get(p)?, t.producer_states.get(p)?.transactions()))
    }

    /// The last `count` records stored in `partition` of `topic`, oldest first (fewer when it holds fewer;
    /// none for a topic or partition that does not exist).
    #[must_use]
    pub fn tail(&self, topic: &str, partition: u32, count: usize) -> Vec<RecordView> {
        let Some((log, txns)) = self.log(topic, partition) else {
            return Vec::new();
        };
        let mut tail: Vec<RecordView> = log
            .segments()
            .rev()
            .flat_map(|segment| segment.records().iter().rev())
            .take(count)
            .map(|r| RecordView::of(r, txns))
            .collect();
        tail.reverse();
        tail
    }

    /// The last `count` segments of `partition` of `topic`, oldest first, each with its last `records`
    /// records (none for a topic or partition that does not exist).
    #[must_use]
    pub fn segments(
        &self,
        topic: &str,
        partition: u32,
        count: usize,
        records: usize,
    ) -> Vec<SegmentView> {
        let Some((log, txns)) = self.log(topic, partition) else {
            return Vec::new();
        };
        let mut segments: Vec<SegmentView> = log
            .segments()
            .rev()
            .take(count)
            .map(|segment| {
                let all = segment.records();
                SegmentView {
                    base_offset: segment.base_offset,
                    bytes: segment.size(),
                    record_count: all.len() as u32,
                    records: all[all.len().saturating_sub(records)..]
                        .iter()
                        .map(|r| RecordView::of(r, txns))
                        .collect(),
                }
            })
            .collect();
        segments.reverse();
        segments
    }

    /// Every broker, with its replica of `partition` of `topic` (its last `records` records).
    #[must_use]
    pub fn brokers(&self, topic: &str, partition: u32, records: usize) -> Vec<BrokerView> {
        let cluster = self.topic(topic).map(|t| &t.cluster);
        let replicated = cluster.and_then(|c| c.partitions().get(partition as usize));
        (0..self.brokers)
            .map(|broker| BrokerView {
                broker,
                alive: cluster.is_none_or(|c| c.is_alive(broker)),
                stalled: cluster.is_some_and(|c| c.is_stalled(broker)),
                replica: replicated
                    .and_then(|p| p.replicas.iter().find(|r| r.broker == broker))
                    .map(|replica| {
                        let from = replica.log.len().saturating_sub(records);
                        ReplicaView {
                            log_end_offset: replica.log.len() as u64,
                            records: replica.log[from..]
                                .iter()
                                .zip(from as u64..)
                                .map(|(r, offset)| (offset, r.write, r.epoch))
                                .collect(),
                        }
                    }),
            })
            .collect()
    }

    /// The configs `topic` has now (after `alter-config` actions), if it exists.
    #[must_use]
    pub fn topic_config(&self, topic: &str) -> Option<TopicConfigView> {
        let t = self.topic(topic)?;
        let log = t.log_config();
        let cluster = t.cluster.config();
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Some(TopicConfigView {
            cleanup_policy: Cow::Borrowed(log.cleanup_policy.name()),
            retention_ms: log.retention_ms.map_or(-1, |d| signed(d.as_millis())),
            retention_bytes: log.retention_bytes.map_or(-1, signed),
            segment_bytes: log.segment_bytes,
            min_cleanable_dirty_ratio: log.min_cleanable_dirty_ratio,
            min_insync_replicas: cluster.min_insync_replicas,
            unclean_leader_election_enable: cluster.unclean_leader_election,
            replication_factor: cluster.replication_factor,
        })
    }

    /// The acknowledged writes to `topic` that were lost with a leader, by write number (as
    /// [`ReplicaView::records`] numbers them).
    #[must_use]
    pub fn lost_writes(&self, topic: &str) -> Vec<u64> {
        self.topic(topic)
            .map_or_else(Vec::new, |t| t.cluster.lost_acknowledged())
    }

    /// What producers were told about the records of `topic`.
    #[must_use]
    pub fn tally(&self, topic: &str) -> Tally {
        let Some(index) = self.topics.iter().position(|t| t.name == topic) else {
            return Tally::default();
        };
        let mut tally = Tally::default();
        for record in self.produced.iter().filter(|r| r.topic as usize == index) {
            tally.produced += 1;
            match record.delivery {
                Delivery::Sent | Delivery::Acknowledged => tally.acknowledged += 1,
                Delivery::Failed(_) => tally.failed += 1,
                Delivery::Retrying(_) => tally.retrying += 1,
                Delivery::Queued | Delivery::Waiting => {}
            }
            tally.lost += u64::from(record.lost);
            tally.duplicates += u64::from(record.appends.saturating_sub(1));
        }
        tally
    }

    /// The rebalance rounds of `group`, oldest first (none for a group that does not exist).
    #[must_use]
    pub fn rounds(&self, group: &str) -> &[crate::group::coordinator::RebalanceRound] {
        self.groups
            .iter()
            .find(|g| g.group.id() == group)
            .map_or(&[], |g| g.group.rounds())
    }
}
