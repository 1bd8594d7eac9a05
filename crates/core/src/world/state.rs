//! The world's state at a moment, as every front end shows it: `kplay world` prints it as JSON, the views
//! draw it, and a test compares the two. Maps keep the world's order (topics as the script lists them,
//! groups as they were created, members as they joined, partitions by number).

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::consumer::MemberState;
use super::detail::RecordView;
use super::produce::TxnClient;
use super::{Delivery, World};
use crate::group::coordinator::GroupProtocol;
use crate::group::offsets;
pub use crate::named::Named;
use crate::time::Instant;

/// Everything `kplay world` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorldState {
    /// The moment, in milliseconds.
    pub at_ms: u64,
    /// Topics by name.
    pub topics: Named<TopicView>,
    /// Groups by `group.id`.
    pub groups: Named<GroupView>,
    /// One entry per record produced, in order.
    pub produced: Vec<ProducedView>,
    /// Transactional ids at the transaction coordinator, by id.
    #[serde(default)]
    pub transactions: Named<TransactionView>,
    /// Share groups (KIP-932) by `group.id`.
    #[serde(default)]
    pub share_groups: Named<ShareGroupView>,
}

/// A share group (KIP-932): members that all read every partition, record by record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareGroupView {
    /// Members by the script's name.
    pub members: Named<ShareMemberView>,
    /// Records handed to its members.
    pub delivered: u64,
    /// Of those, deliveries of a record delivered before (released, or its lock ran out).
    pub redelivered: u64,
    /// Records processed after a later record of their key (in the same partition).
    pub out_of_order: u64,
    /// Acknowledgements refused (`INVALID_RECORD_STATE`: the lock had run out).
    pub failed_acks: u64,
    /// Each share-partition read so far, by topic and partition.
    pub partitions: Named<Named<SharePartitionView>>,
}

/// A member of a share group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareMemberView {
    /// `[topic, partition]` pairs it reads (every partition of its topics).
    pub assigned: Vec<(String, u32)>,
    /// Whether it heartbeats.
    pub alive: bool,
    /// Records its last poll acquired that it has not processed yet.
    pub in_hand: u32,
    /// When it last called `poll()`, in milliseconds.
    pub last_poll_ms: u64,
}

/// One partition as a share group reads it: its start and end offsets and its records by state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharePartitionView {
    /// The share-partition start offset (SPSO): every record below is acknowledged or archived.
    pub start_offset: u64,
    /// The share-partition end offset (SPEO): the last record in flight (the SPSO when none is).
    pub end_offset: u64,
    /// Records in flight waiting to be acquired.
    pub available: u64,
    /// Records held by a member now.
    pub acquired: u64,
    /// Records acknowledged, ever.
    pub acknowledged: u64,
    /// Records archived (rejected, or at the delivery count limit), ever.
    pub archived: u64,
}

/// A transactional id at the transaction coordinator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransactionView {
    /// Its producer id.
    pub producer_id: u64,
    /// Its current epoch: a producer with an older one is fenced.
    pub epoch: u16,
    /// `Empty`, `Ongoing`, `CompleteCommit` or `CompleteAbort`.
    pub state: Cow<'static, str>,
    /// `[topic, partition]` pairs of the open (or last) transaction.
    pub partitions: Vec<(String, u32)>,
    /// When the open transaction started, in milliseconds (`null` when none is open).
    pub started_ms: Option<u64>,
    /// The script's producer that registered the id last and is not fenced (or the last one).
    pub producer: Option<String>,
    /// What that producer believes: `ready`, `in-transaction`, `committing`, `aborting` or `fenced`
    /// (it learns of a coordinator's abort only when its next request fails).
    pub producer_state: Cow<'static, str>,
}

/// A topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicView {
    /// Its partitions by number.
    pub partitions: Vec<PartitionView>,
}

/// A partition: replication and offsets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionView {
    /// Its number.
    pub partition: u32,
    /// The leader's broker, `null` when offline.
    pub leader: Option<u32>,
    /// The leader epoch.
    pub leader_epoch: u32,
    /// Replicas' brokers in assignment order.
    pub replicas: Vec<u32>,
    /// In-sync replicas' brokers.
    pub isr: Vec<u32>,
    /// First offset still stored.
    pub log_start_offset: u64,
    /// Consumers read below it.
    pub high_watermark: u64,
    /// The next offset to be written.
    pub log_end_offset: u64,
    /// `read_committed` consumers read below it: the first offset of a transaction not yet decided
    /// and replicated, or the high watermark.
    pub last_stable_offset: u64,
    /// Segments on the leader, the active one last.
    pub segments: u32,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    /// `group.protocol`: `classic` or `consumer` (KIP-848).
    pub protocol: Cow<'static, str>,
    /// `Empty`, `PreparingRebalance` or `Stable` (classic); `Empty`, `Assigning`, `Reconciling` or
    /// `Stable` (consumer).
    pub state: Cow<'static, str>,
    /// `partition.assignment.strategy` (classic) or `group.remote.assignor` (consumer: `uniform`, `range`).
    pub strategy: Cow<'static, str>,
    /// The generation (classic) or the group epoch (consumer); 0 before the first rebalance.
    pub generation: i32,
    /// Rebalances completed: classic rounds, or consumer-protocol reconciliations that ended Stable.
    pub rebalances: u32,
    /// Milliseconds the completed rebalances lasted, from their start to the group being Stable.
    pub rebalancing_ms: u64,
    /// Partition-milliseconds without an owner, over the partitions the completed rebalances handed back
    /// out (a partition paused 3 s counts 3,000).
    pub unowned_partition_ms: u64,
    /// Records handed to its members' processing loops.
    pub delivered: u64,
    /// Of those, records the group had already handed out (offsets below the furthest one delivered
    /// from their partition): processed twice, after a crash, a poll timeout or an offset reset.
    pub redelivered: u64,
    /// Records processed after a later record of their key (in the same partition): only redelivery
    /// (a crash, a poll timeout, an offset reset) does that in a consumer group.
    pub out_of_order: u64,
    /// Times a member's processing outlasted `max.poll.interval.ms`, putting it out of the group.
    pub poll_timeouts: u32,
    /// Offset commits that failed: refused by the coordinator, or failed at the client
    /// (`CommitFailedException`) because the member had been put out of the group.
    pub failed_commits: u32,
    /// When the rebalance under way started, in milliseconds (`null` while none is).
    pub rebalance_since_ms: Option<u64>,
    /// Members by the script's name.
    pub members: Named<MemberView>,
    /// Committed offsets and lag, by topic and partition.
    pub offsets: Named<Named<OffsetView>>,
}

/// `[topic, partition]` pairs.
fn pairs(partitions: &[crate::group::assignor::TopicPartition]) -> Vec<(String, u32)> {
    partitions
        .iter()
        .map(|tp| (tp.topic.clone(), tp.partition))
        .collect()
}

/// A member of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    /// The coordinator's member id.
    pub member_id: String,
    /// `[topic, partition]` pairs it owns.
    pub assigned: Vec<(String, u32)>,
    /// Whether it heartbeats (a crashed member stays in the group until its session expires).
    pub alive: bool,
    /// `group.instance.id` of a static member (`null` for a dynamic one).
    pub group_instance_id: Option<String>,
    /// When a member that stopped heartbeating leaves the group (`session.timeout.ms` after its last
    /// heartbeat), in milliseconds; `null` while it is alive.
    pub session_expires_ms: Option<u64>,
    /// How long it waited, over the completed rebalances, for the partitions each handed it: per round
    /// the longest wait among them (what `rebalance-completed` reports), summed.
    pub paused_ms: u64,
    /// Consumer protocol: its member epoch (`null` under the classic protocol).
    pub epoch: Option<i32>,
    /// Consumer protocol: its share of the target assignment, which `assigned` reconciles towards.
    pub target: Option<Vec<(String, u32)>>,
    /// Consumer protocol: `STABLE`, `UNREVOKED_PARTITIONS` or `UNRELEASED_PARTITIONS`.
    pub member_state: Option<Cow<'static, str>>,
    /// `isolation.level=read_committed`: it reads below the last stable offset, without aborted records.
    pub read_committed: bool,
    /// Records its last poll returned that it has not processed yet.
    pub in_hand: u32,
    /// When it last called `poll()`, in milliseconds.
    pub last_poll_ms: u64,
    /// It outlasted `max.poll.interval.ms` and left the group: it joins again at its next poll.
    pub poll_timed_out: bool,
}

/// One partition's progress for a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffsetView {
    /// The committed offset (the next to read), `null` before the first commit.
    pub committed: Option<u64>,
    /// The high watermark minus the committed offset, as `kafka-consumer-groups.sh` prints `LAG`
    /// ([`offsets::lag`]): records retention deleted still count; `null` before the first commit, as the
    /// tool shows `-`.
    pub lag: Option<u64>,
    /// Of those, the records still in the log to read ([`offsets::readable`]); `null` before the first
    /// commit.
    pub readable: Option<u64>,
}

/// What became of one produced record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProducedView {
    /// Index of the `produce` action (or of the `join` of the stage that forwarded it).
    pub action: u32,
    /// Its topic.
    pub topic: String,
    /// The partition the partitioner chose (0 for a record its transactional producer refused before
    /// choosing one: fenced, or no transaction open).
    pub partition: u32,
    /// The offset the producer was told (`null` until acknowledged, and always with `acks=0`).
    pub offset: Option<u64>,
    /// Kafka's error name if it failed, or the last error while it is retrying.
    pub error: Option<Cow<'static, str>>,
    /// `queued` (in a batch), `waiting` (sent, no answer yet), `retrying` (backing off after a retriable
    /// error), `sent` (`acks=0`: never answered), `acknowledged` or `failed`.
    pub status: Cow<'static, str>,
    /// Acknowledged, then lost.
    pub lost: bool,
    /// Times its batch was sent (more than 1: retried).
    pub attempts: u32,
    /// Times a leader appended it (more than 1: a retry without idempotence wrote it again).
    pub appends: u32,
}

/// One record in a partition's log with its producer's stamp, as `kplay world --records` lists it
/// (Kafka's `kafka-dump-log.sh` prints the same producer fields, with -1 for a record of a producer
/// without idempotence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampedRecord {
    /// The record.
    #[serde(flatten)]
    pub record: RecordView,
    /// The idempotent producer's id, -1 for none.
    pub producer_id: i64,
    /// The producer's epoch, -1 for none.
    pub producer_epoch: i32,
    /// Its sequence number, -1 for none.
    pub sequence: i64,
    /// Index in `produced` of the send that wrote it: two records with the same index are one record
    /// written twice (a retry without idempotence); `null` for a transaction marker.
    pub produced: Option<usize>,
}

impl World {
    /// The records of partition `partition` of `topic` still in its log, oldest first; `None` for a topic or
    /// partition the world does not have.
    #[must_use]
    pub fn records(&self, topic: &str, partition: u32) -> Option<Vec<StampedRecord>> {
        let t = self.topics.iter().find(|t| t.name == topic)?;
        let log = t.logs.get(partition as usize)?;
        let mirror = &t.mirrors[partition as usize];
        let states = &t.producer_states[partition as usize];
        let records = log
            .segments()
            .flat_map(|segment| segment.records())
            .filter_map(|record| {
                let write = mirror.get(record.offset as usize)?.write;
                let archived = t.archive.get(write as usize)?;
                let stamp = archived.stamp;
                Some(StampedRecord {
                    record: RecordView::of(record, states.transactions()),
                    producer_id: stamp.map_or(-1, |s| s.producer_id as i64),
                    producer_epoch: stamp.map_or(-1, |s| i32::from(s.epoch)),
                    sequence: stamp
                        .filter(|_| archived.control.is_none())
                        .map_or(-1, |s| i64::from(s.sequence)),
                    produced: archived.produced,
                })
            })
            .collect();
        Some(records)
    }

    /// The state at the current moment.
    #[must_use]
    pub fn state(&self) -> WorldState {
        self.state_with(&self.produced)
    }

    /// [`Self::state`] with only the last record produced in `produced`: what a view draws many times a
    /// second, without a list that grows with every record.
    #[must_use]
    pub fn glance(&self) -> WorldState {
        let last = self.produced.len().saturating_sub(1);
        self.state_with(&self.produced[last..])
    }

    fn state_with(&self, produced: &[super::ProducedRecord]) -> WorldState {
        let topics = self
            .topics
            .iter()
            .map(|t| {
                let partitions = t
                    .cluster
                    .partitions()
                    .iter()
                    .zip(&t.logs)
                    .enumerate()
                    .map(|(p, (replication, log))| PartitionView {
                        partition: p as u32,
                        leader: replication.leader,
                        leader_epoch: replication.leader_epoch,
                        replicas: replication.replicas.iter().map(|r| r.broker).collect(),
                        isr: replication.isr.iter().copied().collect(),
                        log_start_offset: log.log_start_offset(),
                        high_watermark: log.high_watermark(),
                        log_end_offset: log.log_end_offset(),
                        last_stable_offset: t.producer_states[p]
                            .transactions()
                            .last_stable_offset(log.high_watermark()),
                        segments: log.segments().len() as u32,
                    })
                    .collect();
                (t.name.clone(), TopicView { partitions })
            })
            .collect();
        let groups = self
            .groups
            .iter()
            .map(|g| {
                let group = &g.group;
                let consumer = group.config().protocol != GroupProtocol::Classic;
                // Each member's pauses summed over the completed rounds, in one pass.
                let mut paused: BTreeMap<&str, u64> = BTreeMap::new();
                for round in group.rounds() {
                    for (id, waited) in round.pauses() {
                        *paused.entry(id).or_default() += waited.as_millis();
                    }
                }
                let name_of = |id: &str| {
                    g.members
                        .iter()
                        .find(|m| m.id == id)
                        .map_or_else(|| id.to_string(), |m| m.name.clone())
                };
                let members = group
                    .members()
                    .iter()
                    .map(|m| {
                        (
                            name_of(&m.id),
                            MemberView {
                                member_id: m.id.clone(),
                                assigned: pairs(&m.assigned),
                                alive: m.is_alive(),
                                group_instance_id: m.instance_id.clone(),
                                session_expires_ms: group.session_expiry(m).map(Instant::as_millis),
                                paused_ms: paused.get(m.id.as_str()).copied().unwrap_or(0),
                                epoch: consumer.then_some(m.generation),
                                target: consumer.then(|| pairs(&m.target)),
                                member_state: consumer
                                    .then_some(Cow::Borrowed(m.reconciliation.name())),
                                ..client_view(g.members.iter().find(|x| x.id == m.id))
                            },
                        )
                    })
                    .chain(
                        // Members put out of the group, still processing what they hold.
                        g.members
                            .iter()
                            .filter(|x| group.member(&x.id).is_none())
                            .map(|x| {
                                (
                                    x.name.clone(),
                                    MemberView {
                                        member_id: x.id.clone(),
                                        ..client_view(Some(x))
                                    },
                                )
                            }),
                    )
                    .collect();
                let followed = |topic: &str| {
                    group
                        .members()
                        .iter()
                        .any(|m| m.topics.iter().any(|t| t == topic))
                        || group.offsets().iter().any(|(tp, _)| tp.topic == topic)
                };
                let offsets = self
                    .topics
                    .iter()
                    .filter(|t| followed(&t.name))
                    .map(|t| {
                        let per_partition = t
                            .logs
                            .iter()
                            .enumerate()
                            .map(|(p, log)| {
                                let tp = crate::group::assignor::TopicPartition::new(
                                    t.name.clone(),
                                    p as u32,
                                );
                                let committed = group.offsets().get(&tp);
                                (
                                    p.to_string(),
                                    OffsetView {
                                        committed,
                                        lag: offsets::lag(committed, log),
                                        readable: offsets::readable(committed, log),
                                    },
                                )
                            })
                            .collect();
                        (t.name.clone(), Named(per_partition))
                    })
                    .collect();
                let rounds = group.rounds();
                (
                    group.id().to_string(),
                    GroupView {
                        protocol: Cow::Borrowed(group.config().protocol.name()),
                        state: Cow::Borrowed(group.state().name()),
                        strategy: Cow::Borrowed(group.config().assignor_name()),
                        generation: group.generation(),
                        rebalances: rounds.len() as u32,
                        rebalancing_ms: rounds
                            .iter()
                            .map(|r| (r.completed - r.started).as_millis())
                            .sum(),
                        unowned_partition_ms: rounds
                            .iter()
                            .flat_map(|r| &r.paused)
                            .map(|(_, waited)| waited.as_millis())
                            .sum(),
                        delivered: g.deliveries.0,
                        redelivered: g.deliveries.1,
                        out_of_order: g.order.out_of_order(),
                        poll_timeouts: g.poll_timeouts,
                        failed_commits: g.failed_commits,
                        rebalance_since_ms: group.rebalance_started().map(Instant::as_millis),
                        members: Named(members),
                        offsets: Named(offsets),
                    },
                )
            })
            .collect();
        let produced = produced
            .iter()
            .map(|r| {
                let (status, error) = match r.delivery {
                    Delivery::Queued => ("queued", None),
                    Delivery::Sent => ("sent", None),
                    Delivery::Waiting => ("waiting", None),
                    Delivery::Retrying(error) => ("retrying", Some(error)),
                    Delivery::Acknowledged => ("acknowledged", None),
                    Delivery::Failed(error) => ("failed", Some(error)),
                };
                ProducedView {
                    action: r.action,
                    topic: self.topics[r.topic as usize].name.clone(),
                    partition: r.partition,
                    offset: r
                        .written_at
                        .filter(|_| r.delivery == Delivery::Acknowledged),
                    error: error.map(Cow::Borrowed),
                    status: Cow::Borrowed(status),
                    lost: r.lost,
                    attempts: r.attempts,
                    appends: r.appends,
                }
            })
            .collect();
        let transactions = self
            .coordinator
            .transactions()
            .map(|(id, t)| {
                let registered: Vec<&super::produce::ProducerState> = self
                    .producers
                    .iter()
                    .filter(|p| {
                        p.transactional.as_ref().is_some_and(|(x, _)| x == id)
                            && p.txn != TxnClient::Uninitialized
                    })
                    .collect();
                let producer = registered
                    .iter()
                    .rev()
                    .find(|p| !matches!(p.txn, TxnClient::Fenced(_)))
                    .or(registered.last());
                (
                    id.to_string(),
                    TransactionView {
                        producer_id: t.producer_id,
                        epoch: t.epoch,
                        state: Cow::Borrowed(t.state.name()),
                        partitions: pairs(&t.partitions.iter().cloned().collect::<Vec<_>>()),
                        started_ms: t.started.map(Instant::as_millis),
                        producer: producer.map(|p| p.name.clone()),
                        producer_state: Cow::Borrowed(
                            producer.map_or(TxnClient::Uninitialized, |p| p.txn).name(),
                        ),
                    },
                )
            })
            .collect();
        WorldState {
            at_ms: self.now.as_millis(),
            topics: Named(topics),
            groups: Named(groups),
            produced,
            transactions: Named(transactions),
            share_groups: Named(self.share_views()),
        }
    }
}

/// What a member's client knows of itself, in a [`MemberView`] (the coordinator's fields left empty).
fn client_view(member: Option<&MemberState>) -> MemberView {
    MemberView {
        member_id: String::new(),
        assigned: Vec::new(),
        alive: true,
        group_instance_id: None,
        session_expires_ms: None,
        paused_ms: 0,
        epoch: None,
        target: None,
        member_state: None,
        read_committed: member.is_some_and(MemberState::read_committed),
        in_hand: member.map_or(0, |m| m.in_hand() as u32),
        last_poll_ms: member.map_or(0, |m| m.polled_at.as_millis()),
        poll_timed_out: member.is_some_and(|m| m.out_of_group),
    }
}
