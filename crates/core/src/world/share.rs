//! Share groups (KIP-932) in the world: consumers that read a topic as a queue.
//!
//! A `join` with `"type": "share"` makes a member of a share group. Kafka's `SimpleAssignor` gives every
//! member every partition of the topics it subscribes to, so members beyond the partition count are as
//! busy as the rest, and a record goes to whichever member's fetch acquires it first
//! ([`crate::group::share`] keeps each partition's record states). A member's loop is the share
//! consumer's with implicit acknowledgement (`KafkaShareConsumer`): `poll()` acknowledges everything the
//! previous poll returned (`ACCEPT`; `RELEASE` for a record of a key in its `acknowledge.release`,
//! whose processing failed; `REJECT` for one in `acknowledge.reject`, which cannot be processed) and
//! acquires up to `max.poll.records` records, spread over the partitions in
//! turn; it then processes one record every `processing_ms`. A batch that takes longer than the record
//! lock (30 s) loses its locks: those records become available to the other members while it is still
//! working, and its acknowledgements of them fail with `INVALID_RECORD_STATE`.
//!
//! `leave` releases what the member held at once; `crash` leaves its locks to run out, and the member to
//! be removed when `share.session.timeout.ms` (45 s) passes. A share group has no committed offsets,
//! so `commit`, `reset-offsets` and `delete-group` are for consumer groups only.
//!
//! Simplifications: a member is assigned its partitions as it joins, where Kafka gives them on its next
//! `ShareGroupHeartbeat` (at most 5 s later); a new share-partition starts at the log end
//! (`share.auto.offset.reset=latest`, the default) or, with `"auto_offset_reset": "earliest"` on the join
//! that creates it, at the log start; share groups read `read_uncommitted`.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

use super::consumer::next_record;
use super::order::KeyOrder;
use super::script::AcknowledgeSpec;
use super::state::{Named, ShareGroupView, ShareMemberView, SharePartitionView};
use super::{ActionError, EventKind, World};
use crate::group::assignor::TopicPartition;
use crate::group::share::{AcknowledgeType, Released, ShareConfig, ShareMember, SharePartition};
use crate::log::PartitionLog;
use crate::time::{Duration, Instant};

/// `share.session.timeout.ms`: how long a silent share consumer stays a member.
const SESSION_TIMEOUT: Duration = Duration::from_secs(45);

/// A share group and the consumers of the script in it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ShareGroupState {
    pub(super) name: String,
    pub(super) members: Vec<ShareMemberState>,
    /// Each partition it has read from, created by the first fetch there.
    pub(super) partitions: BTreeMap<TopicPartition, SharePartition>,
    /// Where a new share-partition starts: at the log start (`earliest`) or the log end.
    from_start: bool,
    next_tag: ShareMember,
    /// Records handed to members, and of those, ones delivered before.
    pub(super) deliveries: (u64, u64),
    /// Acknowledgements refused.
    pub(super) failed_acks: u64,
    pub(super) order: KeyOrder,
}

/// A record a member acquired and has yet to process.
#[derive(Debug, Clone, PartialEq)]
struct Held {
    tp: TopicPartition,
    offset: u64,
    delivery_count: u32,
}

/// A share consumer of the script.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ShareMemberState {
    pub(super) name: String,
    tag: ShareMember,
    topics: Vec<String>,
    /// Time per record.
    interval: Duration,
    max_poll_records: u32,
    /// Keys acknowledged `RELEASE` or `REJECT` rather than `ACCEPT`.
    acknowledge: AcknowledgeSpec,
    /// When a crashed member's session runs out (`None` while it heartbeats).
    pub(super) session_expires: Option<Instant>,
    /// What its last poll acquired and it has not processed yet.
    batch: VecDeque<Held>,
    /// What it processed, to acknowledge at its next poll.
    done: Vec<(TopicPartition, u64, AcknowledgeType)>,
    /// Which partition its next fetch starts with.
    cursor: usize,
    pub(super) last_poll: Instant,
    /// When it takes its next record (or polls), if it has something to do.
    next_at: Option<Instant>,
}

impl ShareMemberState {
    pub(super) fn alive(&self) -> bool {
        self.session_expires.is_none()
    }
}

/// A `join` with `"type": "share"`.
pub(super) struct ShareJoin<'a> {
    pub(super) group: &'a str,
    pub(super) member: &'a str,
    pub(super) topics: &'a [String],
    pub(super) interval: Duration,
    pub(super) max_poll_records: u32,
    pub(super) acknowledge: AcknowledgeSpec,
    pub(super) earliest: bool,
}

impl World {
    pub(super) fn share_join(&mut self, join: &ShareJoin<'_>) -> Result<(), ActionError> {
        for topic in join.topics {
            self.topic_index(topic, "topics")?;
        }
        if self.groups.iter().any(|g| g.group.id() == join.group) {
            return Err(ActionError::new(
                "type",
                alloc::format!(
                    "{:?} is a consumer group; a share group needs its own group.id",
                    join.group
                ),
            ));
        }
        let now = self.now;
        let g = match self.share_groups.iter().position(|g| g.name == join.group) {
            Some(g) => g,
            None => {
                self.share_groups.push(ShareGroupState {
                    name: join.group.into(),
                    members: Vec::new(),
                    partitions: BTreeMap::new(),
                    from_start: join.earliest,
                    next_tag: 0,
                    deliveries: (0, 0),
                    failed_acks: 0,
                    order: KeyOrder::default(),
                });
                self.share_groups.len() - 1
            }
        };
        let state = &mut self.share_groups[g];
        if state.members.iter().any(|m| m.name == join.member) {
            return Err(ActionError::new(
                "member",
                alloc::format!("{:?} is already a member of {:?}", join.member, join.group),
            ));
        }
        let tag = state.next_tag;
        state.next_tag += 1;
        state.members.push(ShareMemberState {
            name: join.member.into(),
            tag,
            topics: join.topics.to_vec(),
            interval: join.interval,
            max_poll_records: join.max_poll_records,
            acknowledge: join.acknowledge.clone(),
            session_expires: None,
            batch: VecDeque::new(),
            done: Vec::new(),
            cursor: 0,
            last_poll: now,
            next_at: Some(now),
        });
        let partitions = self.subscribed(join.topics);
        let group = String::from(join.group);
        self.emit(EventKind::Joined {
            group: group.clone(),
            member: join.member.into(),
        });
        self.emit(EventKind::Assigned {
            group,
            member: join.member.into(),
            partitions: partitions
                .into_iter()
                .map(|tp| (tp.topic, tp.partition))
                .collect(),
        });
        Ok(())
    }

    /// `leave` (`close()`: what it holds is released at once) or `crash` (its locks run out, its
    /// session later) of a share consumer.
    pub(super) fn share_leave(
        &mut self,
        g: usize,
        member: &str,
        leaving: bool,
    ) -> Result<(), ActionError> {
        let state = &mut self.share_groups[g];
        let m = state
            .members
            .iter()
            .position(|m| m.name == member)
            .ok_or_else(|| {
                ActionError::new(
                    "member",
                    alloc::format!("{member:?} is not in {:?}", state.name),
                )
            })?;
        if !state.members[m].alive() {
            return Err(ActionError::new(
                "member",
                alloc::format!("{member:?} has already stopped"),
            ));
        }
        let group = state.name.clone();
        if leaving {
            // close() acknowledges what it processed, then leaves.
            self.acknowledge_done(g, m);
            self.emit(EventKind::Left {
                group,
                member: member.into(),
            });
            self.remove_share_member(g, m, "left");
        } else {
            let member_state = &mut self.share_groups[g].members[m];
            member_state.session_expires = Some(self.now + SESSION_TIMEOUT);
            member_state.batch.clear();
            member_state.done.clear();
            member_state.next_at = None;
            self.emit(EventKind::Crashed {
                group,
                member: member.into(),
            });
        }
        Ok(())
    }

    /// The partitions of `topics`, in topic order.
    fn subscribed(&self, topics: &[String]) -> Vec<TopicPartition> {
        topics
            .iter()
            .filter_map(|name| self.topics.iter().find(|t| t.name == *name))
            .flat_map(|t| (0..t.partition_count()).map(|p| TopicPartition::new(t.name.clone(), p)))
            .collect()
    }

    fn remove_share_member(&mut self, g: usize, m: usize, reason: &'static str) {
        let member = self.share_groups[g].members.remove(m);
        let mut released = Vec::new();
        for (tp, partition) in &mut self.share_groups[g].partitions {
            for r in partition.release_member(member.tag) {
                released.push((tp.clone(), r));
            }
        }
        self.report_released(g, &member.name, released, reason);
        self.wake_share_members();
    }

    fn report_released(
        &mut self,
        g: usize,
        member: &str,
        released: Vec<(TopicPartition, Released)>,
        reason: &'static str,
    ) {
        let group = self.share_groups[g].name.clone();
        for (tp, r) in released {
            self.emit(EventKind::Released {
                group: group.clone(),
                member: member.into(),
                topic: tp.topic,
                partition: tp.partition,
                offset: r.offset,
                state: r.state.name(),
                reason,
            });
        }
    }

    /// The next moment a share group has something to do: a member's next record or poll, a lock
    /// running out, a session expiring.
    pub(super) fn share_timeout(&self) -> Option<Instant> {
        self.share_groups
            .iter()
            .flat_map(|g| {
                let members = g
                    .members
                    .iter()
                    .flat_map(|m| [m.next_at, m.session_expires]);
                let locks = g.partitions.values().map(SharePartition::poll_timeout);
                members.chain(locks)
            })
            .flatten()
            .min()
    }

    /// Everything of the share groups due at `at`: locks running out, sessions expiring, members
    /// taking their next record.
    pub(super) fn run_share_groups(&mut self, at: Instant) {
        for g in 0..self.share_groups.len() {
            let mut expired = Vec::new();
            let state = &mut self.share_groups[g];
            for (tp, partition) in &mut state.partitions {
                if partition.poll_timeout().is_some_and(|t| t <= at) {
                    for r in partition.handle_timeout(at) {
                        expired.push((tp.clone(), r));
                    }
                }
            }
            if !expired.is_empty() {
                // Reported under the member that held each record.
                for (tp, r) in expired {
                    let holder = self.share_groups[g]
                        .members
                        .iter()
                        .find(|m| m.tag == r.member)
                        .map_or_else(|| String::from("-"), |m| m.name.clone());
                    self.report_released(g, &holder, alloc::vec![(tp, r)], "lock-expired");
                }
                self.wake_share_members();
            }
            let mut m = 0;
            while m < self.share_groups[g].members.len() {
                let member = &self.share_groups[g].members[m];
                if member.session_expires.is_some_and(|t| t <= at) {
                    let (group, name) = (self.share_groups[g].name.clone(), member.name.clone());
                    self.emit(EventKind::SessionExpired {
                        group,
                        member: name,
                    });
                    self.remove_share_member(g, m, "session-expired");
                    continue;
                }
                if member.next_at.is_some_and(|t| t <= at) {
                    self.share_consume_one(g, m);
                }
                m += 1;
            }
        }
    }

    /// Idle share consumers look again: new data, or records released.
    pub(super) fn wake_share_members(&mut self) {
        let now = self.now;
        for group in &mut self.share_groups {
            for member in &mut group.members {
                if member.alive() && member.next_at.is_none() {
                    member.next_at = Some(now);
                }
            }
        }
    }

    /// Member `m` takes its next record, polling first when its batch is done.
    fn share_consume_one(&mut self, g: usize, m: usize) {
        let now = self.now;
        if self.share_groups[g].members[m].batch.is_empty() {
            self.acknowledge_done(g, m);
            self.share_fetch(g, m);
            self.share_groups[g].members[m].last_poll = now;
        }
        let state = &mut self.share_groups[g];
        let member = &mut state.members[m];
        let Some(held) = member.batch.pop_front() else {
            member.next_at = None;
            return;
        };
        member.next_at = Some(now + member.interval);
        let key = self
            .topics
            .iter()
            .find(|t| t.name == held.tp.topic)
            .and_then(|t| t.logs.get(held.tp.partition as usize))
            .and_then(|log| record_key(log, held.offset));
        let listed = |keys: &[String]| {
            key.as_deref()
                .is_some_and(|k| keys.iter().any(|r| r.as_bytes() == k))
        };
        let kind = if listed(&member.acknowledge.reject) {
            AcknowledgeType::Reject
        } else if listed(&member.acknowledge.release) {
            AcknowledgeType::Release
        } else {
            AcknowledgeType::Accept
        };
        member.done.push((held.tp.clone(), held.offset, kind));
        let name = member.name.clone();
        state.deliveries.0 += 1;
        if held.delivery_count > 1 {
            state.deliveries.1 += 1;
        }
        state.order.note(&held.tp, key.as_deref(), held.offset);
        let group = state.name.clone();
        self.emit(EventKind::Fetched {
            group,
            member: name,
            topic: held.tp.topic,
            partition: held.tp.partition,
            offset: held.offset,
        });
    }

    /// Acknowledges what member `m` processed since its last poll.
    fn acknowledge_done(&mut self, g: usize, m: usize) {
        let state = &mut self.share_groups[g];
        let member = &mut state.members[m];
        let (tag, name) = (member.tag, member.name.clone());
        let done = core::mem::take(&mut member.done);
        let mut outcomes = Vec::new();
        for (tp, offset, kind) in done {
            let Some(partition) = state.partitions.get_mut(&tp) else {
                continue;
            };
            let outcome = partition.acknowledge(tag, offset, kind);
            if outcome.is_err() {
                state.failed_acks += 1;
            }
            outcomes.push((tp, offset, kind, outcome));
        }
        let group = state.name.clone();
        let mut released = false;
        for (tp, offset, kind, outcome) in outcomes {
            match outcome {
                Err(err) => self.emit(EventKind::AcknowledgeFailed {
                    group: group.clone(),
                    member: name.clone(),
                    topic: tp.topic,
                    partition: tp.partition,
                    offset,
                    error: err.name(),
                }),
                Ok(state) if kind != AcknowledgeType::Accept => {
                    released |= kind == AcknowledgeType::Release;
                    self.emit(EventKind::Released {
                        group: group.clone(),
                        member: name.clone(),
                        topic: tp.topic,
                        partition: tp.partition,
                        offset,
                        state: state.name(),
                        reason: if kind == AcknowledgeType::Reject {
                            "rejected"
                        } else {
                            "released"
                        },
                    });
                }
                Ok(_) => {}
            }
        }
        if released {
            self.wake_share_members();
        }
    }

    /// Member `m`'s fetch: up to `max.poll.records` records acquired from its partitions, a partition
    /// at a time starting where the last fetch stopped.
    fn share_fetch(&mut self, g: usize, m: usize) {
        let now = self.now;
        let partitions = self.subscribed(&self.share_groups[g].members[m].topics);
        if partitions.is_empty() {
            return;
        }
        let state = &mut self.share_groups[g];
        let from_start = state.from_start;
        let member = &mut state.members[m];
        let limit = member.max_poll_records as usize;
        let first = member.cursor % partitions.len();
        for i in 0..partitions.len() {
            let room = limit - member.batch.len();
            if room == 0 {
                break;
            }
            let tp = &partitions[(first + i) % partitions.len()];
            let Some(log) = self
                .topics
                .iter()
                .find(|t| t.name == tp.topic)
                .and_then(|t| t.logs.get(tp.partition as usize))
            else {
                continue;
            };
            let partition = state.partitions.entry(tp.clone()).or_insert_with(|| {
                let start = if from_start {
                    log.log_start_offset()
                } else {
                    log.high_watermark()
                };
                SharePartition::new(ShareConfig::default(), start)
            });
            let from = partition.next_new_offset().max(log.log_start_offset());
            let fresh = record_offsets(log, from, log.high_watermark(), room);
            if fresh.is_empty() {
                // Nothing but transaction markers (or nothing at all) up to the high watermark.
                partition.skip_to(log.high_watermark().max(from));
            }
            for got in partition.acquire(now, member.tag, room, fresh) {
                member.batch.push_back(Held {
                    tp: tp.clone(),
                    offset: got.offset,
                    delivery_count: got.delivery_count,
                });
            }
            member.cursor = (first + i + 1) % partitions.len();
        }
    }
}

impl World {
    /// Every share group as the state shows it.
    pub(super) fn share_views(&self) -> Vec<(String, ShareGroupView)> {
        self.share_groups
            .iter()
            .map(|g| {
                let members = g
                    .members
                    .iter()
                    .map(|m| {
                        let assigned = self
                            .subscribed(&m.topics)
                            .into_iter()
                            .map(|tp| (tp.topic, tp.partition))
                            .collect();
                        let view = ShareMemberView {
                            assigned,
                            alive: m.alive(),
                            in_hand: u32::try_from(m.batch.len()).unwrap_or(u32::MAX),
                            last_poll_ms: m.last_poll.as_millis(),
                        };
                        (m.name.clone(), view)
                    })
                    .collect();
                let mut partitions: Vec<(String, Named<SharePartitionView>)> = Vec::new();
                for (tp, p) in &g.partitions {
                    let counts = p.counts();
                    let view = SharePartitionView {
                        start_offset: p.start_offset(),
                        end_offset: p.end_offset(),
                        available: counts.available,
                        acquired: counts.acquired,
                        acknowledged: counts.acknowledged,
                        archived: counts.archived,
                    };
                    let entry = (alloc::format!("{}", tp.partition), view);
                    match partitions.iter_mut().find(|(t, _)| *t == tp.topic) {
                        Some((_, named)) => named.0.push(entry),
                        None => partitions.push((tp.topic.clone(), Named(alloc::vec![entry]))),
                    }
                }
                let view = ShareGroupView {
                    members: Named(members),
                    delivered: g.deliveries.0,
                    redelivered: g.deliveries.1,
                    out_of_order: g.order.out_of_order(),
                    failed_acks: g.failed_acks,
                    partitions: Named(partitions),
                };
                (g.name.clone(), view)
            })
            .collect()
    }
}

/// The key of the record at `offset`, if the log still holds it.
fn record_key(log: &PartitionLog, offset: u64) -> Option<Vec<u8>> {
    let records = log.fetch(offset, 1).ok()?;
    let record = records.first().filter(|r| r.offset == offset)?;
    record.key.as_deref().map(<[u8]>::to_vec)
}

/// Up to `max` offsets of data records (not transaction markers) from `from`, below `upto`.
fn record_offsets(log: &PartitionLog, mut from: u64, upto: u64, max: usize) -> Vec<u64> {
    let mut offsets = Vec::new();
    while offsets.len() < max {
        let (record, next) = next_record(log, from, upto, |_| false);
        let Some(record) = record else { break };
        offsets.push(record.offset);
        from = next;
    }
    offsets
}
