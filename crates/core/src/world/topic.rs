//! A topic in the world: its replication ([`Cluster`]) and each partition's data ([`PartitionLog`]), kept
//! in step.
//!
//! The cluster tracks which write each replica holds at each offset; the partition log holds the leader's
//! records (keys, sizes, timestamps, segments). After every change of leadership the log is brought in
//! line with the new leader's replica: cut back to where their histories agree and extended with the
//! leader's records from the topic's archive of writes. Retention and compaction work on the log; the
//! log start offset the state reports is the log's.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use super::script::{TopicConfigSpec, TopicSpec};
use super::{Delivery, EventKind, World};
use crate::cluster::{BrokerId, Cluster, ClusterConfig, ReplicaRecord, agreeing_prefix};
use crate::log::producer_state::{BatchMetadata, Marker, ProducerBatch, ProducerStates, Written};
use crate::log::{CleanupPolicy, Control, LogConfig, PartitionLog, RecordMeta};
use crate::time::{Duration, Instant};

/// A write as produced, by its write id: what a new leader's log needs to rebuild a record.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Archived {
    pub(super) key: Option<String>,
    /// `None`: a null value (a tombstone).
    pub(super) value_bytes: Option<u32>,
    pub(super) timestamp: Instant,
    /// Its `produced` entry; `None` for a transaction marker, which no producer sent.
    pub(super) produced: Option<usize>,
    /// The idempotent producer's stamp, `None` for a producer without idempotence.
    pub(super) stamp: Option<Stamp>,
    /// A transaction marker's kind.
    pub(super) control: Option<Control>,
}

impl Archived {
    /// How the log holds it.
    fn meta(&self) -> RecordMeta {
        RecordMeta {
            transaction: self
                .stamp
                .filter(|s| s.transactional)
                .map(|s| s.producer_id),
            control: self.control,
        }
    }
}

/// What an idempotent producer writes on a record: its id and epoch, the record's sequence number and
/// its batch's sequence range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) producer_id: u64,
    pub(super) epoch: u16,
    pub(super) sequence: u32,
    pub(super) batch_first: u32,
    pub(super) batch_last: u32,
    /// Written inside a transaction (markers too).
    pub(super) transactional: bool,
}

impl Stamp {
    /// A marker's: the producer and the epoch the coordinator wrote it with, no sequence.
    pub(super) fn marker(producer_id: u64, epoch: u16) -> Self {
        Self {
            producer_id,
            epoch,
            sequence: 0,
            batch_first: 0,
            batch_last: 0,
            transactional: true,
        }
    }
}

/// One replicated topic.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TopicState {
    pub(super) name: String,
    pub(super) cluster: Cluster,
    pub(super) logs: Vec<PartitionLog>,
    log_config: LogConfig,
    /// Per partition, the write (id and epoch) at each offset of `logs`, from offset 0.
    pub(super) mirrors: Vec<Vec<ReplicaRecord>>,
    /// Every write by id (the cluster numbers them from 0).
    pub(super) archive: Vec<Archived>,
    /// Per partition, the leader's idempotent-producer state, as its log gives it.
    pub(super) producer_states: Vec<ProducerStates>,
    /// Acknowledged writes already reported lost.
    lost: BTreeSet<u64>,
}

impl TopicState {
    pub(super) fn new(spec: &TopicSpec, brokers: u32, lag_max: Duration) -> Result<Self, String> {
        let c = &spec.config;
        let log_config = overlay(c, LogConfig::default());
        let cluster = Cluster::new(
            Instant::ZERO,
            ClusterConfig {
                brokers,
                partitions: spec.partitions,
                replication_factor: spec.replication_factor,
                // Kafka's default is 1.
                min_insync_replicas: c.min_insync_replicas.unwrap_or(1),
                replica_lag_time_max: lag_max,
                unclean_leader_election: c.unclean_leader_election_enable.unwrap_or(false),
            },
        )
        .map_err(|err| alloc::string::ToString::to_string(&err))?;
        Ok(Self {
            name: spec.name.clone(),
            logs: (0..spec.partitions)
                .map(|_| PartitionLog::new(log_config))
                .collect(),
            mirrors: alloc::vec![Vec::new(); spec.partitions as usize],
            producer_states: alloc::vec![ProducerStates::default(); spec.partitions as usize],
            log_config,
            cluster,
            archive: Vec::new(),
            lost: BTreeSet::new(),
        })
    }

    /// Partition `p`'s leader appended `archived` as `written`: it goes into the archive, the log (as
    /// data of its transaction, or as a marker) and the log's mirror. Returns its offset.
    pub(super) fn append_write(
        &mut self,
        p: usize,
        archived: Archived,
        written: &crate::cluster::Written,
    ) -> u64 {
        // The cluster accepted the write, and the log takes whatever the cluster accepts.
        let offset = self.logs[p]
            .append_with(
                archived.timestamp,
                archived.key.as_deref().map(str::as_bytes),
                archived.value_bytes,
                archived.meta(),
            )
            .unwrap_or(written.offset);
        self.archive.push(archived);
        self.mirrors[p].push(ReplicaRecord {
            write: written.write,
            epoch: self.cluster.partitions()[p].leader_epoch,
        });
        offset
    }

    pub(super) fn partition_count(&self) -> u32 {
        self.logs.len() as u32
    }

    pub(super) fn has_records(&self) -> bool {
        self.logs.iter().any(|l| l.log_end_offset() > 0)
    }

    pub(super) fn log_config(&self) -> &LogConfig {
        &self.log_config
    }

    pub(super) fn compacts(&self) -> bool {
        self.log_config.cleanup_policy.compacts()
    }

    /// `alter-config`: the log configs `config` sets replace the topic's, in every partition's log.
    pub(super) fn alter_config(&mut self, config: &TopicConfigSpec) {
        self.log_config = overlay(config, self.log_config);
        for log in &mut self.logs {
            log.set_config(self.log_config);
        }
    }

    pub(super) fn add_partitions(&mut self, now: Instant, partitions: u32) {
        // The world checked that `partitions` grows the topic.
        let _ = self.cluster.add_partitions(now, partitions);
        self.logs
            .resize_with(partitions as usize, || PartitionLog::new(self.log_config));
        self.mirrors.resize(partitions as usize, Vec::new());
        self.producer_states
            .resize(partitions as usize, ProducerStates::default());
    }

    /// Brings partition `p`'s log in line with its leader's replica; returns whether records had to be
    /// cut (only then can an acknowledged write have been lost).
    fn follow_leader(&mut self, p: usize) -> bool {
        let partition = &self.cluster.partitions()[p];
        let Some(leader) = partition.leader else {
            return false; // offline: the data waits for a leader
        };
        let Some(replica) = partition.replicas.iter().find(|r| r.broker == leader) else {
            return false;
        };
        let mirror = &mut self.mirrors[p];
        let log = &mut self.logs[p];
        let agree = agreeing_prefix(mirror, &replica.log);
        let cut = agree < mirror.len();
        let changed = cut || mirror.len() < replica.log.len();
        if cut {
            log.truncate_to(agree as u64);
            mirror.truncate(agree);
        }
        // Below the log start offset nothing is stored; keep the offsets aligned.
        while (mirror.len() as u64) < log.log_end_offset() && mirror.len() < replica.log.len() {
            mirror.push(replica.log[mirror.len()]);
        }
        for record in &replica.log[mirror.len()..] {
            let archived = &self.archive[record.write as usize];
            // Records the leader holds were accepted once; the log takes them again.
            let _ = log.append_with(
                archived.timestamp,
                archived.key.as_deref().map(str::as_bytes),
                archived.value_bytes,
                archived.meta(),
            );
            mirror.push(*record);
        }
        if changed {
            self.producer_states[p] = self.rebuild_producer_state(p);
        }
        cut
    }

    /// The producer state of partition `p`'s log: its stamped batches and its markers in offset order.
    fn rebuild_producer_state(&self, p: usize) -> ProducerStates {
        let mut written: Vec<Written> = Vec::new();
        for (offset, record) in self.mirrors[p].iter().enumerate() {
            let archived = &self.archive[record.write as usize];
            let Some(stamp) = archived.stamp else {
                continue;
            };
            let offset = offset as u64;
            if let Some(control) = archived.control {
                written.push(Written::Marker(Marker {
                    producer_id: stamp.producer_id,
                    epoch: stamp.epoch,
                    control,
                    offset,
                }));
                continue;
            }
            match written.last_mut() {
                Some(Written::Batch(b))
                    if b.producer_id == stamp.producer_id
                        && b.epoch == stamp.epoch
                        && b.metadata.first_seq == stamp.batch_first
                        && b.metadata.last_offset + 1 == offset
                        && stamp.sequence != stamp.batch_first =>
                {
                    b.metadata.last_offset = offset;
                }
                _ => written.push(Written::Batch(ProducerBatch {
                    producer_id: stamp.producer_id,
                    epoch: stamp.epoch,
                    metadata: BatchMetadata {
                        first_seq: stamp.batch_first,
                        last_seq: stamp.batch_last,
                        first_offset: offset,
                        last_offset: offset,
                    },
                    transactional: stamp.transactional,
                })),
            }
        }
        ProducerStates::rebuild(written, self.logs[p].high_watermark())
    }
}

/// `base` with the log configs `c` sets.
fn overlay(c: &TopicConfigSpec, base: LogConfig) -> LogConfig {
    LogConfig {
        segment_bytes: c.segment_bytes.unwrap_or(base.segment_bytes),
        segment_ms: c.segment_ms.map_or(base.segment_ms, Duration::from_millis),
        retention_ms: match c.retention_ms {
            None => base.retention_ms,
            Some(-1) => None,
            Some(ms) => Some(Duration::from_millis(ms.unsigned_abs())),
        },
        retention_bytes: match c.retention_bytes {
            None => base.retention_bytes,
            Some(-1) => None,
            Some(bytes) => Some(bytes.unsigned_abs()),
        },
        cleanup_policy: c
            .cleanup_policy
            .as_deref()
            .and_then(CleanupPolicy::from_config)
            .unwrap_or(base.cleanup_policy),
        delete_retention_ms: c
            .delete_retention_ms
            .map_or(base.delete_retention_ms, Duration::from_millis),
        min_compaction_lag_ms: c
            .min_compaction_lag_ms
            .map_or(base.min_compaction_lag_ms, Duration::from_millis),
        min_cleanable_dirty_ratio: c
            .min_cleanable_dirty_ratio
            .unwrap_or(base.min_cleanable_dirty_ratio),
    }
}

/// A partition's replication state, to report what an operation changed.
#[derive(PartialEq)]
struct Snapshot {
    leader: Option<BrokerId>,
    epoch: u32,
    isr: BTreeSet<BrokerId>,
    high_watermark: u64,
}

impl World {
    /// Runs `op` on topic `t`'s cluster and reports what changed: leaders and epochs, the ISR, writes
    /// acknowledged, failed or lost; then brings the logs and high watermarks in line.
    pub(super) fn cluster_op(&mut self, t: usize, op: impl FnOnce(&mut Cluster, Instant)) {
        self.cluster_op_on(t, None, op);
    }

    /// [`Self::cluster_op`] for an operation that can only change partition `only` (when given).
    pub(super) fn cluster_op_on(
        &mut self,
        t: usize,
        only: Option<u32>,
        op: impl FnOnce(&mut Cluster, Instant),
    ) {
        let now = self.now;
        let topic = &mut self.topics[t];
        let range = match only {
            Some(p) => p as usize..p as usize + 1,
            None => 0..topic.logs.len(),
        };
        let before: Vec<Snapshot> = snapshots(&topic.cluster, range.clone());
        op(&mut topic.cluster, now);
        let after = snapshots(&topic.cluster, range.clone());
        let name = topic.name.clone();
        let mut out = Vec::new();
        let mut leaders_changed = false;
        for (p, (b, a)) in range.clone().zip(before.iter().zip(&after)) {
            if b == a {
                continue;
            }
            let partition = p as u32;
            for &broker in b.isr.difference(&a.isr) {
                out.push(EventKind::IsrShrunk {
                    topic: name.clone(),
                    partition,
                    broker,
                    isr: a.isr.iter().copied().collect(),
                });
            }
            if b.leader != a.leader || b.epoch != a.epoch {
                leaders_changed = true;
                out.push(EventKind::LeaderElected {
                    topic: name.clone(),
                    partition,
                    leader: a.leader,
                    epoch: a.epoch,
                    unclean: a.leader.is_some_and(|l| !b.isr.contains(&l)),
                });
            }
            for &broker in a.isr.difference(&b.isr) {
                out.push(EventKind::IsrExpanded {
                    topic: name.clone(),
                    partition,
                    broker,
                    isr: a.isr.iter().copied().collect(),
                });
            }
        }
        let mut cut = false;
        if leaders_changed {
            for p in 0..topic.logs.len() {
                cut |= topic.follow_leader(p);
            }
        }
        // Consumers read below the high watermark: one that moved may wake idle ones. (Compared with the
        // log's, not the snapshot before: a single replica's append moves the cluster's at once.)
        let mut readable = false;
        for (p, snapshot) in range.zip(&after) {
            readable |= topic.logs[p].high_watermark() != snapshot.high_watermark;
            topic.logs[p].set_high_watermark(snapshot.high_watermark);
            topic.producer_states[p].on_high_watermark(topic.logs[p].high_watermark());
        }
        // The producers learn what became of their requests from the writes settled here.
        let mut acked = BTreeSet::new();
        let partition_of = |write: u64| {
            let produced = topic.archive[write as usize].produced?;
            Some(self.produced[produced].partition)
        };
        for write in topic.cluster.poll_acknowledged() {
            acked.extend(partition_of(write));
        }
        let mut failed = BTreeSet::new();
        for write in topic.cluster.poll_failed() {
            failed.extend(partition_of(write));
        }
        if cut {
            for write in topic.cluster.lost_acknowledged() {
                let Some(produced) = topic.archive[write as usize].produced else {
                    continue;
                };
                let record = &mut self.produced[produced];
                if record.delivery == Delivery::Acknowledged && topic.lost.insert(write) {
                    record.lost = true;
                    out.push(EventKind::Lost {
                        topic: name.clone(),
                        partition: record.partition,
                        offset: record.written_at.unwrap_or_default(),
                    });
                }
            }
        }
        self.wake |= readable;
        for kind in out {
            self.emit(kind);
        }
        self.settle(t, &acked, &failed);
    }

    /// `kill-broker`, `restart-broker`, `stall-broker`, `unstall-broker`.
    pub(super) fn broker_action(
        &mut self,
        action: &super::Action,
        broker: u32,
    ) -> Result<(), super::ActionError> {
        use super::{Action, ActionError};
        self.check_broker(broker)?;
        let cluster = &self.topics.first().map(|t| &t.cluster);
        let alive = cluster.is_none_or(|c| c.is_alive(broker));
        let stalled = cluster.is_some_and(|c| c.is_stalled(broker));
        let refuse = |why: &str| {
            Err(ActionError::new(
                "broker",
                alloc::format!("broker {broker} {why}"),
            ))
        };
        match action {
            Action::KillBroker { .. } if !alive => return refuse("is already down"),
            Action::RestartBroker { .. } if alive => return refuse("is already up"),
            Action::StallBroker { .. } if !alive || stalled => {
                return refuse("must be up and fetching to stall");
            }
            Action::UnstallBroker { .. } if !stalled => return refuse("is not stalled"),
            _ => {}
        }
        let (event, fetch) = match action {
            Action::KillBroker { .. } => (EventKind::BrokerKilled { broker }, false),
            Action::RestartBroker { .. } => (EventKind::BrokerRestarted { broker }, false),
            Action::StallBroker { .. } => (EventKind::BrokerStalled { broker }, false),
            _ => (EventKind::BrokerUnstalled { broker }, true),
        };
        self.emit(event);
        for t in 0..self.topics.len() {
            self.cluster_op(t, |cluster, now| match action {
                Action::KillBroker { .. } => cluster.fail_broker(broker),
                Action::RestartBroker { .. } => cluster.restore_broker(now, broker),
                Action::StallBroker { .. } => cluster.set_stalled(broker, true),
                _ => cluster.set_stalled(broker, false),
            });
        }
        if fetch {
            self.next_fetch = Some(self.now);
        }
        Ok(())
    }

    /// The periodic retention check (`log.retention.check.interval.ms`).
    pub(super) fn run_retention(&mut self) {
        self.maintain_logs(|log, _, now, topic, partition, out| {
            let report = log.handle_retention(now);
            for base_offset in report.deleted_segments {
                out.push(EventKind::SegmentDeleted {
                    topic: topic.into(),
                    partition,
                    base_offset,
                    log_start_offset: log.log_start_offset(),
                });
            }
        });
    }

    /// The log cleaner's periodic pass (`log.cleaner.backoff.ms`) over compacted topics.
    pub(super) fn run_cleaner(&mut self) {
        self.maintain_logs(|log, states, now, topic, partition, out| {
            if let Some(report) = log.handle_cleaning_with(now, false, states.transactions()) {
                out.push(EventKind::Compacted {
                    topic: topic.into(),
                    partition,
                    superseded: report.superseded_records,
                    tombstones: report.expired_tombstones,
                });
            }
        });
    }

    /// Runs a maintenance pass over every partition log, reporting what it did.
    fn maintain_logs(
        &mut self,
        mut pass: impl FnMut(
            &mut PartitionLog,
            &ProducerStates,
            Instant,
            &str,
            u32,
            &mut Vec<EventKind>,
        ),
    ) {
        let now = self.now;
        let mut out = Vec::new();
        for topic in &mut self.topics {
            for (p, (log, states)) in topic
                .logs
                .iter_mut()
                .zip(&topic.producer_states)
                .enumerate()
            {
                pass(log, states, now, &topic.name, p as u32, &mut out);
            }
        }
        for kind in out {
            self.emit(kind);
        }
    }
}

fn snapshots(cluster: &Cluster, range: core::ops::Range<usize>) -> Vec<Snapshot> {
    cluster.partitions()[range]
        .iter()
        .map(|p| Snapshot {
            leader: p.leader,
            epoch: p.leader_epoch,
            isr: p.isr.clone(),
            high_watermark: p.high_watermark,
        })
        .collect()
}
