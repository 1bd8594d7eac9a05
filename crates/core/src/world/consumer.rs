//! The consumers' poll loop: each member polls a batch, processes it record by record, and polls again.
//!
//! **Polling** (`KafkaConsumer.poll`, `FetchCollector`). A poll returns up to `max.poll.records` (500)
//! records from the partitions the member owns, one partition's fetch after another: each partition
//! gives up to `max.partition.fetch.bytes` (1 MiB, at least one record) before the next one's turn, as
//! Kafka's fetch buffer drains one partition's completed fetch at a time. A partition starts at the
//! member's **position**: the group's committed offset when it gained the partition, or
//! `auto.offset.reset` without one (Kafka's `SubscriptionState`: a position is per consumer and is lost
//! with the partition). A poll reads only below the high watermark, skips offsets compaction removed,
//! and resets a position retention deleted (`OFFSET_OUT_OF_RANGE` → `auto.offset.reset`). The member then
//! processes one record every `processing_ms` (or `1 / records_per_s` seconds) and polls when the batch
//! is done; with nothing to read it waits until new data or a new assignment wakes it.
//!
//! **Committing** (`ConsumerCoordinator`, `enable.auto.commit` true, `auto.commit.interval.ms` 5 s). A
//! poll commits the positions of everything earlier polls returned once the interval has passed
//! (`maybeAutoCommitOffsetsAsync`), a member commits before it gives partitions up (classic: when its
//! `poll()` rejoins a round, `onJoinPrepare`; consumer protocol: before it acknowledges the revocation),
//! and `close()` commits what it processed. So a crash redelivers up to one interval of records, and
//! the lag `kafka-consumer-groups.sh` prints moves in steps.
//!
//! **Liveness** (`max.poll.interval.ms`, 300 s). A member whose batch takes longer than that between two
//! polls is taken for stuck: its heartbeat thread leaves the group (`LeaveGroup`; a static member just
//! stops heartbeating, so the group waits for `session.timeout.ms`), its partitions go to others from
//! the last committed offset and are processed twice, and when it finally polls its commit fails
//! (`CommitFailedException`; under the consumer protocol it dropped its positions with its partitions
//! and commits nothing), its partitions are lost, and it joins again as a new member. Under the
//! classic protocol a member rejoins a rebalance only from `poll()`, so a busy member holds the whole
//! round up to the rebalance timeout ([`ConsumerGroup::handle_poll`]). A consume-transform-produce
//! stage commits as `stage.rs` says rather than auto-committing, and kplay does not time its polls out
//! (Kafka Streams handles that as a task migration).
//!
//! Transaction markers take offsets but are never delivered: the position moves past them. With
//! `isolation.level=read_committed` a member reads only below the partition's last stable offset and
//! skips the records of aborted transactions ([`crate::log::transactions`]); with `read_uncommitted`
//! (Kafka's default) it reads up to the high watermark, aborted records included.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::produce::TxnClient;
use super::stage::{Forward, offset_pending};
use super::{EventKind, World};
use crate::group::assignor::TopicPartition;
use crate::group::coordinator::{ConsumerGroup, GroupProtocol};
use crate::group::offsets::{OffsetResetPolicy, starting_offset};
use crate::log::{PartitionLog, Record};
use crate::time::{Duration, Instant};

/// `max.partition.fetch.bytes`: what one partition's fetch returns at most (at least one record).
const MAX_PARTITION_FETCH_BYTES: u64 = 1_048_576;

/// How a member polls, reads and commits (its consumer configs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Reading {
    /// `auto.offset.reset`.
    pub(super) reset: OffsetResetPolicy,
    /// `isolation.level=read_committed`.
    pub(super) read_committed: bool,
    /// `auto.commit.interval.ms` when `enable.auto.commit` is on (a stage never auto-commits).
    pub(super) auto_commit: Option<Duration>,
    /// `max.poll.records`.
    pub(super) max_poll_records: u32,
    /// `max.poll.interval.ms`.
    pub(super) max_poll_interval: Duration,
    /// Where a consume-transform-produce stage writes what it reads.
    pub(super) forward: Option<Forward>,
}

/// A record a poll returned, waiting to be processed.
#[derive(Debug, Clone, PartialEq)]
struct Polled {
    tp: TopicPartition,
    offset: u64,
    /// Its key, for the group's per-key order.
    key: Option<alloc::boxed::Box<[u8]>>,
    /// For a stage, what it forwards: the record's key and size.
    content: Option<(Option<String>, Option<u32>)>,
}

/// A consumer of the script and its client-side state.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MemberState {
    /// The script's name for it (its `client.id`).
    pub(super) name: String,
    /// The coordinator's member id.
    pub(super) id: String,
    /// `group.instance.id`.
    instance: Option<String>,
    /// Subscribed topics.
    topics: Vec<String>,
    /// Time per record; `None` reads nothing by itself.
    interval: Option<Duration>,
    reading: Reading,
    /// Where it reads next, per partition (what it has consumed: polls returned everything before).
    pub(super) positions: BTreeMap<TopicPartition, u64>,
    /// What it last committed per partition, to commit only what moved.
    committed: BTreeMap<TopicPartition, u64>,
    /// What the last poll returned and it has not processed yet.
    batch: VecDeque<Polled>,
    /// Which owned partition's fetch it drains, and how many bytes of it it took.
    cursor: (usize, u64),
    /// Its last poll.
    pub(super) polled_at: Instant,
    /// When its auto-commit is next due.
    commit_due: Instant,
    /// When its poll interval runs out, if its batch takes longer than `max.poll.interval.ms`.
    expires_at: Option<Instant>,
    /// It left the group on a poll timeout and joins again at its next poll.
    pub(super) out_of_group: bool,
    /// When it can take its next record.
    ready_at: Instant,
    /// When it will, if it has something to read.
    pub(super) next_at: Option<Instant>,
}

impl MemberState {
    pub(super) fn new(
        name: &str,
        id: &str,
        instance: Option<&str>,
        topics: &[String],
        interval: Option<Duration>,
        reading: Reading,
        now: Instant,
    ) -> Self {
        Self {
            name: name.into(),
            id: id.into(),
            instance: instance.map(Into::into),
            topics: topics.to_vec(),
            interval,
            reading,
            positions: BTreeMap::new(),
            committed: BTreeMap::new(),
            batch: VecDeque::new(),
            cursor: (0, 0),
            polled_at: now,
            commit_due: now + reading.auto_commit.unwrap_or(Duration::ZERO),
            expires_at: None,
            out_of_group: false,
            ready_at: now,
            next_at: None,
        }
    }

    /// A stage drops what it read of partitions it no longer owns (its tasks for them are closed).
    pub(super) fn close_revoked_tasks(&mut self, group: &ConsumerGroup) {
        let owned = group.member(&self.id).map(|m| m.assigned.as_slice());
        let keep = |tp: &TopicPartition| owned.is_some_and(|o| o.contains(tp));
        self.positions.retain(|tp, _| keep(tp));
        self.batch.retain(|r| keep(&r.tp));
    }

    /// Forgets positions in `topic` (its offsets were reset).
    pub(super) fn forget_topic(&mut self, topic: &str) {
        self.positions.retain(|tp, _| tp.topic != topic);
        self.batch.retain(|r| r.tp.topic != topic);
    }

    /// Goes back to its group's committed offsets: positions and what it holds are dropped.
    pub(super) fn rewind(&mut self) {
        self.positions.clear();
        self.batch.clear();
    }

    /// Whether it reads with `isolation.level=read_committed`.
    pub(super) fn read_committed(&self) -> bool {
        self.reading.read_committed
    }

    /// Records the last poll returned that it has not processed yet.
    pub(super) fn in_hand(&self) -> usize {
        self.batch.len()
    }

    /// Whether it auto-commits.
    pub(super) fn auto_commits(&self) -> bool {
        self.reading.auto_commit.is_some()
    }

    /// Whether it is processing a batch (it calls `poll()` only when done).
    pub(super) fn is_busy(&self, now: Instant) -> bool {
        !self.batch.is_empty() || self.ready_at > now
    }

    /// The next offset to process per partition: its positions, less what it holds unprocessed.
    pub(super) fn processed(&self) -> Vec<(TopicPartition, u64)> {
        self.positions
            .iter()
            .map(|(tp, &position)| {
                let first_unprocessed = self.batch.iter().find(|r| r.tp == *tp);
                (tp.clone(), first_unprocessed.map_or(position, |r| r.offset))
            })
            .collect()
    }

    /// [`Self::processed`], of the partitions where it moved since its last commit.
    pub(super) fn processed_uncommitted(&self) -> Vec<(TopicPartition, u64)> {
        let mut processed = self.processed();
        processed.retain(|(tp, o)| self.committed.get(tp) != Some(o));
        processed
    }

    /// Its consume-transform-produce output, if it has one.
    pub(super) fn forward(&self) -> Option<&Forward> {
        self.reading.forward.as_ref()
    }

    /// [`Self::forward`], to change.
    pub(super) fn forward_mut(&mut self) -> Option<&mut Forward> {
        self.reading.forward.as_mut()
    }

    /// When it next has something due: a record, or its poll interval running out.
    pub(super) fn next_due(&self) -> Option<Instant> {
        [self.next_at, self.expires_at].into_iter().flatten().min()
    }

    /// An idle member looks for work again at `now` (or when it is ready).
    pub(super) fn wake(&mut self, now: Instant) {
        if self.interval.is_some() {
            let ready = self.ready_at.max(now);
            // One waiting only to commit later looks for records now.
            self.next_at = Some(self.next_at.map_or(ready, |t| t.min(ready)));
        }
    }

    /// Its commit of `offset` for `tp` succeeded.
    pub(super) fn note_committed(&mut self, tp: &TopicPartition, offset: u64) {
        self.committed.insert(tp.clone(), offset);
    }

    /// Positions that moved since it last committed them.
    fn uncommitted(&self) -> Vec<(TopicPartition, u64)> {
        self.positions
            .iter()
            .filter(|(tp, o)| self.committed.get(*tp) != Some(*o))
            .map(|(tp, &o)| (tp.clone(), o))
            .collect()
    }
}

impl World {
    /// Every member due at `at` reads one record (polling first when its batch is done), goes idle, or
    /// runs out of poll interval.
    pub(super) fn run_consumers(&mut self, at: Instant) {
        for g in 0..self.groups.len() {
            let mut m = 0;
            while m < self.groups[g].members.len() {
                let member = &self.groups[g].members[m];
                if member.expires_at.is_some_and(|t| t <= at) {
                    self.poll_timeout_expired(g, m);
                } else if member.next_at.is_some_and(|t| t <= at) {
                    self.consume_one(g, m);
                }
                m += 1;
            }
        }
    }

    /// `max.poll.interval.ms` ran out while member `m` was still processing: its heartbeat thread leaves
    /// the group (a static member only stops heartbeating). It carries on with its batch.
    fn poll_timeout_expired(&mut self, g: usize, m: usize) {
        self.groups[g].poll_timeouts += 1;
        let member = &mut self.groups[g].members[m];
        member.expires_at = None;
        member.out_of_group = true;
        let (id, name) = (member.id.clone(), member.name.clone());
        let static_member = member.instance.is_some();
        let group = self.groups[g].group.id().to_string();
        self.emit(EventKind::PollTimeoutExpired {
            group,
            member: name,
        });
        let now = self.now;
        self.group_op(g, |state| {
            if static_member {
                state.group.crash(now, &id)
            } else {
                state.group.leave(now, &id)
            }
        });
    }

    fn consume_one(&mut self, g: usize, m: usize) {
        let now = self.now;
        let state = &mut self.groups[g];
        let member = &mut state.members[m];
        // A crashed process does nothing more; one put out of the group still runs its loop.
        let crashed =
            !member.out_of_group && !state.group.member(&member.id).is_some_and(|c| c.is_alive());
        let Some(interval) = member.interval.filter(|_| !crashed) else {
            member.batch.clear();
            member.next_at = None;
            return;
        };
        // An exactly-once stage waits while its transaction commits (`commitTransaction()` blocks).
        if let Some(f) = member.reading.forward
            && matches!(self.producers[f.producer].txn, TxnClient::Ending(..))
        {
            member.next_at = None;
            return;
        }
        if member.batch.is_empty() && !self.poll(g, m, interval) {
            return;
        }
        let member = &mut self.groups[g].members[m];
        let Some(record) = member.batch.pop_front() else {
            // Nothing to read: it waits for data, or polls again to commit what it consumed.
            let pending = member.auto_commits() && !member.uncommitted().is_empty();
            member.next_at = pending.then_some(member.commit_due.max(now));
            return;
        };
        member.ready_at = now + interval;
        member.next_at = Some(member.ready_at);
        let forward = member.reading.forward;
        let name = member.name.clone();
        let state = &mut self.groups[g];
        let furthest = state.delivered_to.entry(record.tp.clone()).or_default();
        state.deliveries.0 += 1;
        if record.offset < *furthest {
            state.deliveries.1 += 1;
        }
        *furthest = (*furthest).max(record.offset + 1);
        state
            .order
            .note(&record.tp, record.key.as_deref(), record.offset);
        let group = state.group.id().into();
        self.emit(EventKind::Fetched {
            group,
            member: name,
            topic: record.tp.topic.clone(),
            partition: record.tp.partition,
            offset: record.offset,
        });
        if let (Some(f), Some(content)) = (forward, record.content) {
            self.forward(g, m, f, &record.tp, record.offset, content);
        }
    }

    /// Member `m` calls `poll()`: it joins again if it was put out of the group, rejoins a classic round
    /// it heard of (committing first), auto-commits when due, and takes its next batch. Says whether it
    /// is still in the loop (a member that joins again waits for its assignment).
    fn poll(&mut self, g: usize, m: usize, interval: Duration) -> bool {
        let now = self.now;
        if self.groups[g].members[m].out_of_group {
            self.join_again(g, m);
            return false;
        }
        let state = &self.groups[g];
        let member = &state.members[m];
        let rejoining = state.group.awaits_rejoin(&member.id, now);
        let commit_due = member
            .reading
            .auto_commit
            .is_some_and(|_| rejoining || now >= member.commit_due);
        if commit_due {
            self.auto_commit(g, m);
        }
        let state = &mut self.groups[g];
        if let Some(owner) = state.group.member(&state.members[m].id) {
            let owned = owner.assigned.clone();
            state.members[m]
                .positions
                .retain(|tp, _| owned.contains(tp));
        }
        self.fetch_batch(g, m);
        let state = &mut self.groups[g];
        let member = &mut state.members[m];
        member.polled_at = now;
        let took = member.batch.len() as u64;
        let next_poll = (took > 0).then(|| now + interval.saturating_mul(took));
        member.expires_at = next_poll
            .filter(|&t| {
                member.reading.forward.is_none() && t > now + member.reading.max_poll_interval
            })
            .map(|_| now + member.reading.max_poll_interval);
        let id = member.id.clone();
        let _ = state.group.handle_poll(now, &id, next_poll);
        true
    }

    /// Commits every position that moved (an auto-commit).
    pub(super) fn auto_commit(&mut self, g: usize, m: usize) {
        let member = &mut self.groups[g].members[m];
        if let Some(interval) = member.reading.auto_commit {
            member.commit_due = self.now + interval;
        }
        let moved = member.uncommitted();
        for (tp, offset) in moved {
            self.commit(g, m, &tp, offset);
        }
    }

    /// A member that left on a poll timeout polls again: the commit it attempts fails
    /// (`CommitFailedException`: it is no longer part of an active group), its partitions are lost, and
    /// it joins as a new member (a static one under its instance id).
    fn join_again(&mut self, g: usize, m: usize) {
        let now = self.now;
        let state = &mut self.groups[g];
        let group = state.group.id().to_string();
        // The classic consumer's rejoin first commits (`onJoinPrepare`), which fails: it is no longer in
        // the group. The consumer protocol's has dropped its positions with its partitions already.
        let classic = state.group.config().protocol == GroupProtocol::Classic;
        let member = &mut state.members[m];
        member.out_of_group = false;
        let failed = if member.auto_commits() && classic {
            member.uncommitted()
        } else {
            Vec::new()
        };
        state.failed_commits += u32::try_from(failed.len()).unwrap_or(u32::MAX);
        member.rewind();
        member.next_at = None;
        let name = member.name.clone();
        for (tp, _) in failed {
            self.emit(EventKind::CommitFailed {
                group: group.clone(),
                member: name.clone(),
                topic: tp.topic,
                partition: tp.partition,
                error: "CommitFailedException".into(),
            });
        }
        self.emit(EventKind::Joined {
            group,
            member: name,
        });
        self.group_op(g, |state| {
            let member = &mut state.members[m];
            let topics: Vec<&str> = member.topics.iter().map(String::as_str).collect();
            let id = state
                .group
                .join(now, &member.name, member.instance.as_deref(), &topics)?;
            state
                .group
                .set_rebalance_timeout(&id, member.reading.max_poll_interval)?;
            member.id = id;
            member.committed.clear();
            Ok(())
        });
    }

    /// Member `m`'s poll takes up to `max.poll.records` from its partitions, one partition's fetch at a
    /// time, starting where the last poll stopped.
    fn fetch_batch(&mut self, g: usize, m: usize) {
        let state = &mut self.groups[g];
        let member = &mut state.members[m];
        let reading = member.reading;
        let owned: Vec<TopicPartition> = match state.group.member(&member.id) {
            Some(c) if c.is_alive() => c.assigned.clone(),
            _ => return,
        };
        if owned.is_empty() {
            return;
        }
        let limit = reading.max_poll_records as usize;
        let (mut index, mut taken_bytes) = member.cursor;
        index %= owned.len();
        // Each owned partition once, the one it was draining last (which may have more) first.
        for _ in 0..=owned.len() {
            if member.batch.len() >= limit {
                break;
            }
            let tp = &owned[index];
            let more = self
                .topics
                .iter()
                .find(|t| t.name == tp.topic)
                .and_then(|topic| {
                    let log = topic.logs.get(tp.partition as usize)?;
                    let states = &topic.producer_states[tp.partition as usize];
                    let committed = state.group.offsets().get(tp);
                    let position = match member.positions.get(tp) {
                        // Up to the log end a fetch is in range (above the high watermark it returns nothing).
                        Some(&p)
                            if (log.log_start_offset()..=log.log_end_offset()).contains(&p) =>
                        {
                            Ok(p)
                        }
                        // Retention deleted it, or a truncation cut the log below it: OFFSET_OUT_OF_RANGE →
                        // auto.offset.reset.
                        Some(_) => starting_offset(tp, None, log, reading.reset),
                        // An open transaction carries an offset for it: wait (KIP-447's require_stable).
                        None if offset_pending(
                            &self.coordinator,
                            &self.producers,
                            state.group.id(),
                            tp,
                        ) =>
                        {
                            return None;
                        }
                        None => starting_offset(tp, committed, log, reading.reset),
                    };
                    // With auto.offset.reset=none Kafka's poll throws; kplay's member skips the partition.
                    let mut position = position.ok()?;
                    let upto = if reading.read_committed {
                        states
                            .transactions()
                            .last_stable_offset(log.high_watermark())
                    } else {
                        log.high_watermark()
                    };
                    let aborted = |r: &Record| {
                        reading.read_committed
                            && r.meta
                                .transaction
                                .is_some_and(|pid| states.transactions().is_aborted(pid, r.offset))
                    };
                    let mut full = false;
                    while member.batch.len() < limit {
                        if taken_bytes >= MAX_PARTITION_FETCH_BYTES {
                            full = true;
                            break;
                        }
                        let (record, next) = next_record(log, position, upto, aborted);
                        position = next;
                        let Some(record) = record else { break };
                        taken_bytes += record_bytes(record);
                        member.batch.push_back(Polled {
                            tp: tp.clone(),
                            offset: record.offset,
                            key: record.key.clone(),
                            content: reading.forward.map(|_| {
                                let key = record.key.as_deref().map(String::from_utf8_lossy);
                                (key.map(|k| k.into_owned()), record.value_size)
                            }),
                        });
                    }
                    member.positions.insert(tp.clone(), position);
                    // Stopped by max.poll.records with the partition's fetch not used up: it goes on next time.
                    Some(!full && member.batch.len() >= limit && position < upto)
                });
            if more == Some(true) {
                break;
            }
            index = (index + 1) % owned.len();
            taken_bytes = 0;
        }
        member.cursor = (index, taken_bytes);
    }
}

/// A record's bytes against `max.partition.fetch.bytes`: its key and value.
fn record_bytes(record: &Record) -> u64 {
    record.key.as_ref().map_or(0, |k| k.len() as u64) + u64::from(record.value_size.unwrap_or(0))
}

/// The first record to deliver from `position` below `limit` that is neither a marker nor `skipped`,
/// or `None` with the position to resume from.
pub(super) fn next_record(
    log: &PartitionLog,
    mut position: u64,
    limit: u64,
    skipped: impl Fn(&Record) -> bool,
) -> (Option<&Record>, u64) {
    /// Records looked at per fetch.
    const SCAN: usize = 64;
    while position < limit {
        // Nothing stored from `position` to the limit: compaction's gaps, or a log cut back.
        let Ok(records) = log.fetch(position, SCAN) else {
            return (None, limit);
        };
        if records.is_empty() {
            return (None, limit);
        }
        for r in records {
            if r.offset >= limit {
                return (None, limit);
            }
            if r.meta.control.is_none() && !skipped(r) {
                return (Some(r), r.offset + 1);
            }
            position = r.offset + 1;
        }
    }
    (None, position)
}
