//! The consumers' loop: each member reads its partitions at its own pace.
//!
//! A member with `records_per_s > 0` takes one record every `1 / records_per_s` seconds from the
//! partitions it owns now, in turn, starting each partition at its **position**: the group's committed
//! offset when it gained the partition, or `auto.offset.reset` without one (Kafka's
//! `SubscriptionState`: a position is per consumer and is lost when the partition is revoked). It reads
//! only below the high watermark, skips offsets compaction removed, resets when retention deleted its
//! position (`OFFSET_OUT_OF_RANGE` → `auto.offset.reset`), and commits the next offset after each record.
//! A member with nothing to read goes idle until new data or a new assignment wakes it.
//!
//! Transaction markers take offsets but are never delivered: the position moves past them. With
//! `isolation.level=read_committed` a member reads only below the partition's last stable offset and
//! skips the records of aborted transactions ([`crate::log::transactions`]); with `read_uncommitted`
//! (Kafka's default) it reads up to the high watermark, aborted records included.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::produce::TxnClient;
use super::stage::{Forward, offset_pending};
use super::{EventKind, World};
use crate::group::assignor::TopicPartition;
use crate::group::coordinator::ConsumerGroup;
use crate::group::offsets::{OffsetResetPolicy, starting_offset};
use crate::log::{PartitionLog, Record};
use crate::time::{Duration, Instant};

/// How a member reads and commits (its consumer configs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Reading {
    /// `auto.offset.reset`.
    pub(super) reset: OffsetResetPolicy,
    /// `isolation.level=read_committed`.
    pub(super) read_committed: bool,
    /// `enable.auto.commit`: commit after each record (when it forwards nothing).
    pub(super) auto_commit: bool,
    /// Where a consume-transform-produce stage writes what it reads.
    pub(super) forward: Option<Forward>,
}

/// A consumer of the script and its client-side state.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MemberState {
    /// The script's name for it (its `client.id`).
    pub(super) name: String,
    /// The coordinator's member id.
    pub(super) id: String,
    /// Time per record; `None` reads nothing by itself.
    interval: Option<Duration>,
    reading: Reading,
    /// Where it reads next, per partition it owns.
    pub(super) positions: BTreeMap<TopicPartition, u64>,
    /// Which owned partition it reads next.
    cursor: usize,
    /// When it can take its next record.
    ready_at: Instant,
    /// When it will, if it has something to read.
    pub(super) next_at: Option<Instant>,
}

impl MemberState {
    pub(super) fn new(
        name: &str,
        id: &str,
        records_per_s: f64,
        reading: Reading,
        now: Instant,
    ) -> Self {
        let interval = (records_per_s > 0.0).then(|| {
            // At least a microsecond a record; the rate was checked to be at most 1,000,000/s.
            Duration::from_micros(libm::round(1_000_000.0 / records_per_s).max(1.0) as u64)
        });
        Self {
            name: name.into(),
            id: id.into(),
            interval,
            reading,
            positions: BTreeMap::new(),
            cursor: 0,
            ready_at: now,
            next_at: None,
        }
    }

    /// Drops positions of partitions the member no longer owns.
    pub(super) fn keep_assigned(&mut self, group: &ConsumerGroup) {
        let owned = group.member(&self.id).map(|m| m.assigned.as_slice());
        self.positions
            .retain(|tp, _| owned.is_some_and(|o| o.contains(tp)));
    }

    /// Forgets positions in `topic` (its offsets were reset).
    pub(super) fn forget_topic(&mut self, topic: &str) {
        self.positions.retain(|tp, _| tp.topic != topic);
    }

    /// Whether it reads with `isolation.level=read_committed`.
    pub(super) fn read_committed(&self) -> bool {
        self.reading.read_committed
    }

    /// Its consume-transform-produce output, if it has one.
    pub(super) fn forward(&self) -> Option<&Forward> {
        self.reading.forward.as_ref()
    }

    /// [`Self::forward`], to change.
    pub(super) fn forward_mut(&mut self) -> Option<&mut Forward> {
        self.reading.forward.as_mut()
    }

    /// An idle member looks for work again at `now` (or when it is ready).
    pub(super) fn wake(&mut self, now: Instant) {
        if self.interval.is_some() && self.next_at.is_none() {
            self.next_at = Some(self.ready_at.max(now));
        }
    }
}

impl World {
    /// Every member due at `at` reads one record, or goes idle.
    pub(super) fn run_consumers(&mut self, at: Instant) {
        for g in 0..self.groups.len() {
            for m in 0..self.groups[g].members.len() {
                if self.groups[g].members[m].next_at.is_some_and(|t| t <= at) {
                    self.consume_one(g, m);
                }
            }
        }
    }

    fn consume_one(&mut self, g: usize, m: usize) {
        let now = self.now;
        let state = &mut self.groups[g];
        let member = &mut state.members[m];
        let Some(interval) = member.interval else {
            member.next_at = None;
            return;
        };
        let reading = member.reading;
        // An exactly-once stage waits while its transaction commits (`commitTransaction()` blocks).
        if let Some(f) = reading.forward
            && matches!(self.producers[f.producer].txn, TxnClient::Ending(..))
        {
            member.next_at = None;
            return;
        }
        let owned: Vec<TopicPartition> = match state.group.member(&member.id) {
            Some(c) if c.is_alive() => c.assigned.clone(),
            _ => Vec::new(),
        };
        let mut delivered = None;
        for k in 0..owned.len() {
            let index = (member.cursor + k) % owned.len();
            let tp = &owned[index];
            let Some(topic) = self.topics.iter().find(|t| t.name == tp.topic) else {
                continue;
            };
            let Some(log) = topic.logs.get(tp.partition as usize) else {
                continue;
            };
            let committed = state.group.offsets().get(tp);
            let position = match member.positions.get(tp) {
                // Up to the log end a fetch is in range (above the high watermark it returns nothing).
                Some(&p) if (log.log_start_offset()..=log.log_end_offset()).contains(&p) => Ok(p),
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
                    continue;
                }
                None => starting_offset(tp, committed, log, reading.reset),
            };
            // With auto.offset.reset=none Kafka's poll throws; kplay's member just skips the partition.
            let Ok(position) = position else { continue };
            let states = &topic.producer_states[tp.partition as usize];
            let limit = if reading.read_committed {
                states
                    .transactions()
                    .last_stable_offset(log.high_watermark())
            } else {
                log.high_watermark()
            };
            match next_record(log, position, limit, |r| {
                reading.read_committed
                    && r.meta
                        .transaction
                        .is_some_and(|pid| states.transactions().is_aborted(pid, r.offset))
            }) {
                (Some(record), next) => {
                    member.positions.insert(tp.clone(), next);
                    member.cursor = index + 1;
                    // A stage writes the record on: its key and size.
                    let content = reading.forward.map(|_| {
                        let key = record.key.as_deref().map(String::from_utf8_lossy);
                        (key.map(|k| k.into_owned()), record.value_size)
                    });
                    delivered = Some((tp.clone(), record.offset, content));
                    break;
                }
                // Nothing to deliver below the limit: markers, aborted records, or compaction's gaps.
                (None, next) => {
                    member.positions.insert(tp.clone(), next);
                }
            }
        }
        let Some((tp, offset, content)) = delivered else {
            member.next_at = None;
            return;
        };
        member.ready_at = now + interval;
        member.next_at = Some(member.ready_at);
        let (group, name) = (state.group.id().into(), member.name.clone());
        self.emit(EventKind::Fetched {
            group,
            member: name,
            topic: tp.topic.clone(),
            partition: tp.partition,
            offset,
        });
        match (reading.forward, content) {
            (Some(f), Some(content)) => self.forward(g, m, f, &tp, offset, content),
            _ if reading.auto_commit => self.commit(g, m, &tp, offset + 1),
            _ => {}
        }
    }
}

/// The first record to deliver from `position` below `limit` that is neither a marker nor `skipped`,
/// or `None` with the position to resume from.
fn next_record(
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
