//! # Share groups (KIP-932): the share-partition
//!
//! A share group reads a topic as a queue: its members take records from the same partitions at once,
//! each record going to one member at a time, and acknowledge them one by one. There is no committed
//! offset per partition; instead the broker keeps, per partition, the state of every record **in
//! flight** between the share-partition start offset (SPSO) and end offset (SPEO) (Kafka's
//! `SharePartition`):
//!
//! - a fetch **acquires** `AVAILABLE` records for one member, adding one to each record's delivery
//!   count and locking it for `group.share.record.lock.duration.ms` (30 s); records released earlier
//!   are acquired again before new ones, and new ones only while fewer than
//!   `group.share.partition.max.record.locks` (200) are in flight;
//! - the member acknowledges each record it holds: `ACCEPT` → `ACKNOWLEDGED`, `RELEASE` → `AVAILABLE`
//!   again (delivered to someone later), `REJECT` → `ARCHIVED` (never delivered again);
//! - a lock that runs out, or a member that leaves, releases what it held: `AVAILABLE` again;
//! - a record whose delivery count reached `group.share.delivery.count.limit` (5) is `ARCHIVED` instead
//!   of made available (`InFlightState.tryUpdateState`), so no record is delivered more than the limit;
//! - the SPSO moves past records once every record below is `ACKNOWLEDGED` or `ARCHIVED`
//!   (`maybeUpdateCachedStateAndOffsets`).
//!
//! An acknowledgement of a record the member no longer holds (its lock ran out) fails with
//! `INVALID_RECORD_STATE`, as Kafka's does.
//!
//! Simplifications: kplay keeps one state per record, where Kafka keeps whole fetched batches in one
//! state until they split; and it acquires new records one at a time up to the lock limit, where Kafka
//! acquires a whole fetched batch once fewer than 200 are in flight (so it can go past 200 by a batch).
//! Members are numbers the caller gives ([`ShareMember`]).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use crate::time::{Duration, Instant};

/// `group.share.delivery.count.limit`: Kafka's default and the range it accepts.
pub const DELIVERY_COUNT_LIMIT: u32 = 5;
/// `group.share.record.lock.duration.ms`: Kafka's default.
pub const RECORD_LOCK_DURATION: Duration = Duration::from_secs(30);
/// `group.share.partition.max.record.locks`: Kafka's default.
pub const MAX_RECORD_LOCKS: u32 = 200;

/// A member as the share-partition knows it: a number unique among the group's members, past and present.
pub type ShareMember = u32;

/// The state of a record in flight (Kafka's `RecordState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// Waiting to be acquired.
    Available,
    /// Held by one member until it acknowledges it or its lock runs out.
    Acquired,
    /// Processed: never delivered again.
    Acknowledged,
    /// Rejected, or delivered as many times as the limit allows: never delivered again.
    Archived,
}

impl RecordState {
    /// Kafka's name: `AVAILABLE`, `ACQUIRED`, `ACKNOWLEDGED`, `ARCHIVED`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Available => "AVAILABLE",
            Self::Acquired => "ACQUIRED",
            Self::Acknowledged => "ACKNOWLEDGED",
            Self::Archived => "ARCHIVED",
        }
    }

    /// Whether the record is done with: acknowledged or archived.
    #[must_use]
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Acknowledged | Self::Archived)
    }
}

/// How a member acknowledges a record (Kafka's `AcknowledgeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcknowledgeType {
    /// Processed.
    Accept,
    /// Not processed: give it to someone (maybe this member) again.
    Release,
    /// Cannot be processed: archive it.
    Reject,
}

/// The share-partition's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareConfig {
    /// `group.share.delivery.count.limit` (2..=10).
    pub delivery_count_limit: u32,
    /// `group.share.record.lock.duration.ms`.
    pub record_lock_duration: Duration,
    /// `group.share.partition.max.record.locks`.
    pub max_record_locks: u32,
}

impl Default for ShareConfig {
    fn default() -> Self {
        Self {
            delivery_count_limit: DELIVERY_COUNT_LIMIT,
            record_lock_duration: RECORD_LOCK_DURATION,
            max_record_locks: MAX_RECORD_LOCKS,
        }
    }
}

/// Why an acknowledgement was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareError {
    /// The record is not acquired by this member (its lock ran out, or it was never its):
    /// `INVALID_RECORD_STATE`.
    InvalidRecordState,
}

impl ShareError {
    /// Kafka's error name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::InvalidRecordState => "INVALID_RECORD_STATE",
        }
    }
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One record in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct InFlight {
    state: RecordState,
    delivery_count: u32,
    /// Who holds it and until when, while it is acquired.
    holder: Option<(ShareMember, Instant)>,
}

/// A record a fetch acquired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acquired {
    /// Its offset.
    pub offset: u64,
    /// Deliveries so far, this one included (1 the first time).
    pub delivery_count: u32,
}

/// A record whose lock ran out or whose holder left: where it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    /// Its offset.
    pub offset: u64,
    /// The member that held it.
    pub member: ShareMember,
    /// `Available` again, or `Archived` at the delivery limit.
    pub state: RecordState,
}

/// Totals over a share-partition's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShareCounts {
    /// Records in flight now, by state.
    pub available: u64,
    /// Acquired now.
    pub acquired: u64,
    /// Acknowledged, ever.
    pub acknowledged: u64,
    /// Archived, ever.
    pub archived: u64,
}

/// One partition of a topic as one share group reads it.
///
/// Inputs: [`acquire`](Self::acquire) (a member's fetch, with the offsets of the log past
/// [`next_new_offset`](Self::next_new_offset)), [`acknowledge`](Self::acknowledge),
/// [`handle_timeout`](Self::handle_timeout) (locks running out) and
/// [`release_member`](Self::release_member) (a member leaving). Outputs: what each returns, and
/// [`poll_timeout`](Self::poll_timeout), the next lock to run out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharePartition {
    config: ShareConfig,
    /// The SPSO: every record below it is acknowledged or archived.
    start: u64,
    /// The next offset never acquired yet.
    next: u64,
    in_flight: BTreeMap<u64, InFlight>,
    acknowledged: u64,
    archived: u64,
}

impl SharePartition {
    /// A share-partition that starts reading at `start` (`share.auto.offset.reset`: the log end by
    /// default, or the log start with `earliest`).
    #[must_use]
    pub fn new(config: ShareConfig, start: u64) -> Self {
        Self {
            config,
            start,
            next: start,
            in_flight: BTreeMap::new(),
            acknowledged: 0,
            archived: 0,
        }
    }

    /// The share-partition start offset (SPSO).
    #[must_use]
    pub fn start_offset(&self) -> u64 {
        self.start
    }

    /// The share-partition end offset (SPEO) as Kafka reports it: the last offset in flight, or the
    /// SPSO when nothing is.
    #[must_use]
    pub fn end_offset(&self) -> u64 {
        self.in_flight
            .last_key_value()
            .map_or(self.start, |(offset, _)| *offset)
    }

    /// Where new records are fetched from.
    #[must_use]
    pub fn next_new_offset(&self) -> u64 {
        self.next
    }

    /// The state and delivery count of the record at `offset` while it is in flight (`None` below the
    /// SPSO, where Kafka keeps no state, and past what was ever acquired).
    #[must_use]
    pub fn state_of(&self, offset: u64) -> Option<(RecordState, u32)> {
        self.in_flight
            .get(&offset)
            .map(|r| (r.state, r.delivery_count))
    }

    /// Records in each state.
    #[must_use]
    pub fn counts(&self) -> ShareCounts {
        let mut counts = ShareCounts {
            acknowledged: self.acknowledged,
            archived: self.archived,
            ..ShareCounts::default()
        };
        for r in self.in_flight.values() {
            match r.state {
                RecordState::Available => counts.available += 1,
                RecordState::Acquired => counts.acquired += 1,
                RecordState::Acknowledged | RecordState::Archived => {}
            }
        }
        counts
    }

    /// Whether a fetch would find something: a released record, or room for new ones.
    #[must_use]
    pub fn has_available(&self) -> bool {
        self.in_flight
            .values()
            .any(|r| r.state == RecordState::Available)
    }

    /// A fetch by `member`: acquires up to `max` records, released ones first (oldest first), then new
    /// ones from `fresh` (the log's record offsets from [`next_new_offset`](Self::next_new_offset)
    /// on, below what may be read) while fewer than `max.record.locks` are in flight.
    pub fn acquire(
        &mut self,
        now: Instant,
        member: ShareMember,
        max: usize,
        fresh: impl IntoIterator<Item = u64>,
    ) -> Vec<Acquired> {
        let lock = (member, now + self.config.record_lock_duration);
        let mut got = Vec::new();
        for (offset, r) in &mut self.in_flight {
            if got.len() >= max {
                return got;
            }
            if r.state == RecordState::Available {
                r.state = RecordState::Acquired;
                r.delivery_count += 1;
                r.holder = Some(lock);
                got.push(Acquired {
                    offset: *offset,
                    delivery_count: r.delivery_count,
                });
            }
        }
        let locks = usize::try_from(self.config.max_record_locks).unwrap_or(usize::MAX);
        for offset in fresh {
            if got.len() >= max || self.in_flight.len() >= locks {
                break;
            }
            if offset < self.next {
                continue;
            }
            self.in_flight.insert(
                offset,
                InFlight {
                    state: RecordState::Acquired,
                    delivery_count: 1,
                    holder: Some(lock),
                },
            );
            self.next = offset + 1;
            got.push(Acquired {
                offset,
                delivery_count: 1,
            });
        }
        got
    }

    /// Moves [`next_new_offset`](Self::next_new_offset) to `offset` when nothing is in flight and
    /// the log holds no record before it (a fetch found only transaction markers, or retention
    /// deleted what was never fetched).
    pub fn skip_to(&mut self, offset: u64) {
        if self.in_flight.is_empty() && offset > self.next {
            self.next = offset;
            self.start = offset;
        }
    }

    /// `member` acknowledges the record at `offset`. Returns the record's new state.
    ///
    /// # Errors
    /// [`ShareError::InvalidRecordState`] when `member` does not hold the record.
    pub fn acknowledge(
        &mut self,
        member: ShareMember,
        offset: u64,
        kind: AcknowledgeType,
    ) -> Result<RecordState, ShareError> {
        let limit = self.config.delivery_count_limit;
        let r = self
            .in_flight
            .get_mut(&offset)
            .filter(|r| r.state == RecordState::Acquired && r.holder.is_some_and(|h| h.0 == member))
            .ok_or(ShareError::InvalidRecordState)?;
        let state = match kind {
            AcknowledgeType::Accept => RecordState::Acknowledged,
            AcknowledgeType::Reject => RecordState::Archived,
            AcknowledgeType::Release => release_state(r.delivery_count, limit),
        };
        self.settle(offset, state);
        self.advance();
        Ok(state)
    }

    /// Locks that ran out by `now` release their records.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Released> {
        self.release_where(|(_, until)| until <= now)
    }

    /// `member` left: what it held is released.
    pub fn release_member(&mut self, member: ShareMember) -> Vec<Released> {
        self.release_where(|(holder, _)| holder == member)
    }

    /// When the next lock runs out.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.in_flight
            .values()
            .filter_map(|r| r.holder.map(|(_, until)| until))
            .min()
    }

    fn release_where(&mut self, holds: impl Fn((ShareMember, Instant)) -> bool) -> Vec<Released> {
        let limit = self.config.delivery_count_limit;
        let released: Vec<Released> = self
            .in_flight
            .iter()
            .filter_map(|(offset, r)| {
                let (member, _) = r.holder.filter(|h| holds(*h))?;
                Some(Released {
                    offset: *offset,
                    member,
                    state: release_state(r.delivery_count, limit),
                })
            })
            .collect();
        for r in &released {
            self.settle(r.offset, r.state);
        }
        self.advance();
        released
    }

    fn settle(&mut self, offset: u64, state: RecordState) {
        if let Some(r) = self.in_flight.get_mut(&offset) {
            r.state = state;
            r.holder = None;
            match state {
                RecordState::Acknowledged => self.acknowledged += 1,
                RecordState::Archived => self.archived += 1,
                RecordState::Available | RecordState::Acquired => {}
            }
        }
    }

    /// Moves the SPSO past the records done with.
    fn advance(&mut self) {
        while let Some(entry) = self.in_flight.first_entry() {
            if !entry.get().state.is_terminal() {
                self.start = *entry.key();
                return;
            }
            entry.remove();
        }
        self.start = self.next;
    }
}

/// Where a released record goes: `AVAILABLE` again, or `ARCHIVED` once it was delivered `limit` times.
fn release_state(delivery_count: u32, limit: u32) -> RecordState {
    if delivery_count >= limit {
        RecordState::Archived
    } else {
        RecordState::Available
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn offsets(got: &[Acquired]) -> Vec<u64> {
        got.iter().map(|a| a.offset).collect()
    }

    /// Two members fetch the same partition: each gets different records; acknowledging the first ones
    /// moves the SPSO, a gap (a record still held) stops it.
    #[test]
    fn members_share_a_partition_record_by_record() {
        let mut p = SharePartition::new(ShareConfig::default(), 0);
        let a = p.acquire(at(0), 1, 3, 0..10);
        let b = p.acquire(at(0), 2, 3, 0..10);
        assert_eq!((offsets(&a), offsets(&b)), (vec![0, 1, 2], vec![3, 4, 5]));
        assert_eq!((p.start_offset(), p.end_offset()), (0, 5));
        for offset in [0, 2] {
            assert_eq!(
                p.acknowledge(1, offset, AcknowledgeType::Accept),
                Ok(RecordState::Acknowledged)
            );
        }
        assert_eq!(p.start_offset(), 1, "offset 1 is still held");
        assert_eq!(
            p.acknowledge(2, 1, AcknowledgeType::Accept),
            Err(ShareError::InvalidRecordState),
            "not member 2's"
        );
        p.acknowledge(1, 1, AcknowledgeType::Accept).expect("held");
        assert_eq!((p.start_offset(), p.end_offset()), (3, 5));
    }

    /// Kafka's `SharePartitionTest` vectors, as (name, limit, the steps' outcome): a record released
    /// or timed out is acquired again, its count going up each time, and archived once delivered
    /// `limit` times; an acknowledgement after the lock ran out is refused.
    #[test]
    fn kafkas_share_partition_vectors() {
        // testMaxDeliveryCountLimitExceededForRecordBatch: limit 2, records 5..15 acquired and
        // released twice are archived; SPSO, SPEO and the next fetch all move to 15.
        let config = ShareConfig {
            delivery_count_limit: 2,
            ..ShareConfig::default()
        };
        let mut p = SharePartition::new(config, 5);
        for round in 1..=2 {
            let got = p.acquire(at(0), 1, 500, 5..15);
            assert_eq!(offsets(&got), (5..15).collect::<Vec<_>>(), "round {round}");
            assert!(got.iter().all(|a| a.delivery_count == round));
            for offset in 5..15 {
                p.acknowledge(1, offset, AcknowledgeType::Release)
                    .expect("held");
            }
        }
        assert_eq!(
            (p.start_offset(), p.end_offset(), p.next_new_offset()),
            (15, 15, 15)
        );
        assert_eq!(p.counts().archived, 10);

        // testAcknowledgeAfterAcquisitionLockTimeout: 5..10 acquired; the lock runs out; ACCEPT and
        // REJECT are then refused with INVALID_RECORD_STATE and the records stay AVAILABLE.
        let mut p = SharePartition::new(ShareConfig::default(), 5);
        p.acquire(at(0), 1, 500, 5..10);
        assert_eq!(p.poll_timeout(), Some(at(30_000)));
        assert!(p.handle_timeout(at(29_999)).is_empty());
        assert_eq!(p.handle_timeout(at(30_000)).len(), 5);
        for kind in [AcknowledgeType::Accept, AcknowledgeType::Reject] {
            assert_eq!(
                p.acknowledge(1, 5, kind),
                Err(ShareError::InvalidRecordState)
            );
        }
        assert_eq!(p.state_of(5), Some((RecordState::Available, 1)));

        // testAcquisitionLockTimeoutCauseMaxDeliveryCountExceed: limit 2; the second lock to run out
        // archives the record rather than making it available.
        let mut p = SharePartition::new(config, 10);
        p.acquire(at(0), 1, 500, 10..20);
        assert!(
            p.handle_timeout(at(30_000))
                .iter()
                .all(|r| r.state == RecordState::Available)
        );
        let again = p.acquire(at(30_000), 1, 500, 20..20);
        assert!(again.iter().all(|a| a.delivery_count == 2));
        assert!(
            p.handle_timeout(at(60_000))
                .iter()
                .all(|r| r.state == RecordState::Archived)
        );
        assert_eq!(
            (p.state_of(10), p.start_offset()),
            (None, 20),
            "below the SPSO now"
        );
        assert!(p.acquire(at(60_000), 1, 500, 20..20).is_empty());
    }

    /// New records are acquired only while fewer than `max.record.locks` are in flight; a rejected
    /// record is archived at once; a member leaving releases what it held.
    #[test]
    fn in_flight_records_are_bounded_and_a_leaving_member_releases_its_own() {
        let config = ShareConfig {
            max_record_locks: 4,
            ..ShareConfig::default()
        };
        let mut p = SharePartition::new(config, 10);
        assert_eq!(offsets(&p.acquire(at(0), 1, 3, 10..20)), [10, 11, 12]);
        assert_eq!(offsets(&p.acquire(at(0), 2, 3, 13..20)), [13]);
        assert_eq!(
            p.acknowledge(1, 10, AcknowledgeType::Reject),
            Ok(RecordState::Archived)
        );
        assert_eq!(p.start_offset(), 11);
        assert_eq!(offsets(&p.acquire(at(0), 2, 3, 14..20)), [14]);
        let released = p.release_member(1);
        assert_eq!(
            released.iter().map(|r| r.offset).collect::<Vec<_>>(),
            [11, 12]
        );
        assert_eq!(
            p.counts(),
            ShareCounts {
                available: 2,
                acquired: 2,
                acknowledged: 0,
                archived: 1
            }
        );
        // Released records go first, oldest first, before new ones.
        assert_eq!(offsets(&p.acquire(at(5), 3, 3, 15..20)), [11, 12]);
    }
}
