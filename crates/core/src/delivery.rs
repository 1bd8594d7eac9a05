//! # Delivery semantics: what a crash costs
//!
//! A consumer polls up to `max.poll.records` records (Kafka's default is 500), processes them and commits
//! the next offset to read. *When* it commits decides what happens if it crashes in the middle of a batch
//! and another member of its group takes over from the committed offset (Kafka's documentation, "Message
//! Delivery Semantics", and the `KafkaConsumer` javadoc on manual offset control):
//!
//! - **at-most-once** — commit, then process: the records after the crash point were committed but never
//!   processed; they are **lost**.
//! - **at-least-once** — process, then commit: the batch's records processed before the crash are
//!   delivered again to the new owner; they are **processed twice**.
//! - **effectively-once** — at-least-once delivery with idempotent processing: the effect of each record is
//!   recorded under its identity (here its offset) in the same transaction as the effect itself, so a
//!   redelivered record is recognised and skipped. Nothing is lost and nothing is applied twice.
//!
//! [`crash_mid_batch`] replays one such incident over a partition and counts, per offset, how often its
//! effect was applied. kplay simplifies: one partition, commits that always succeed, and a crash that the
//! group notices at once (the rebalance that hands the partition over is the partition view's subject);
//! Kafka's transactions (`isolation.level=read_committed`, `sendOffsetsToTransaction`) reach the same
//! outcome as the idempotent processing modelled here, for effects that stay inside Kafka.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::config::{DELIVERY_MAX_POLL_RECORDS, DELIVERY_RECORDS};

/// When the consumer commits relative to processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitStrategy {
    /// Commit the batch's end offset before processing it: at-most-once.
    BeforeProcessing,
    /// Process the batch, then commit: at-least-once.
    AfterProcessing,
    /// Process, then commit, skipping records whose effect was already applied: effectively-once.
    IdempotentProcessing,
}

impl CommitStrategy {
    /// Every strategy, from the weakest guarantee to the strongest.
    pub const ALL: [Self; 3] = [
        Self::BeforeProcessing,
        Self::AfterProcessing,
        Self::IdempotentProcessing,
    ];

    /// The guarantee the strategy gives.
    #[must_use]
    pub const fn guarantee(self) -> &'static str {
        match self {
            Self::BeforeProcessing => "at-most-once",
            Self::AfterProcessing => "at-least-once",
            Self::IdempotentProcessing => "effectively-once",
        }
    }

    /// What the consumer does, in the order it does it.
    #[must_use]
    pub const fn recipe(self) -> &'static str {
        match self {
            Self::BeforeProcessing => "poll, commit, process",
            Self::AfterProcessing => "poll, process, commit",
            Self::IdempotentProcessing => "poll, process unless already applied, commit",
        }
    }
}

impl fmt::Display for CommitStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.guarantee())
    }
}

/// The incident: a partition, a batch size and where the first consumer dies. Built checked by
/// [`CrashScenario::new`], so every scenario stays within the limits of [`crate::config`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrashScenario {
    records: u64,
    max_poll_records: u32,
    crash_before: u64,
}

/// Why a crash scenario was refused: the input at fault and what it may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The input's name: `records`, `max.poll.records` or `crash_before`.
    pub field: &'static str,
    /// What was wrong, for people.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl Default for CrashScenario {
    /// The incident the delivery-semantics view opens with: 20 records polled 5 at a time, a crash before
    /// offset 12, in the middle of the third batch.
    fn default() -> Self {
        Self {
            records: 20,
            max_poll_records: 5,
            crash_before: 12,
        }
    }
}

impl CrashScenario {
    /// A partition of `records` records (offsets `0..records`), polled `max_poll_records` at a time by a
    /// consumer that crashes when it is about to process offset `crash_before` (having processed everything
    /// before it that it was handed; `crash_before == records` means it never crashes).
    ///
    /// # Errors
    /// The first input out of its range: `records` in [`DELIVERY_RECORDS`], `max.poll.records` in
    /// [`DELIVERY_MAX_POLL_RECORDS`], `crash_before` from 0 to `records`.
    pub fn new(
        records: u64,
        max_poll_records: u32,
        crash_before: u64,
    ) -> Result<Self, ScenarioError> {
        let out_of = |field, given: u64, low: u64, high: u64| ScenarioError {
            field,
            message: format!("{given} is not a whole number from {low} to {high}"),
        };
        if !DELIVERY_RECORDS.contains(&records) {
            let (low, high) = (*DELIVERY_RECORDS.start(), *DELIVERY_RECORDS.end());
            return Err(out_of("records", records, low, high));
        }
        if !DELIVERY_MAX_POLL_RECORDS.contains(&max_poll_records) {
            let (low, high) = (
                DELIVERY_MAX_POLL_RECORDS.start(),
                DELIVERY_MAX_POLL_RECORDS.end(),
            );
            return Err(out_of(
                "max.poll.records",
                u64::from(max_poll_records),
                u64::from(*low),
                u64::from(*high),
            ));
        }
        if crash_before > records {
            return Err(out_of("crash_before", crash_before, 0, records));
        }
        Ok(Self {
            records,
            max_poll_records,
            crash_before,
        })
    }

    /// Records in the partition.
    #[must_use]
    pub const fn records(&self) -> u64 {
        self.records
    }

    /// `max.poll.records`.
    #[must_use]
    pub const fn max_poll_records(&self) -> u32 {
        self.max_poll_records
    }

    /// The offset the first consumer was about to process when it crashed.
    #[must_use]
    pub const fn crash_before(&self) -> u64 {
        self.crash_before
    }
}

/// What happened to every record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryReport {
    /// Times each offset's effect was applied.
    pub applied: Vec<u32>,
    /// Times a consumer set about processing each offset (more than `applied` where idempotent
    /// processing recognised a redelivered record and skipped it).
    pub processed: Vec<u32>,
    /// Times each offset was handed to a consumer.
    pub delivered: Vec<u32>,
    /// Offsets never applied.
    pub lost: Vec<u64>,
    /// Offsets applied more than once.
    pub duplicated: Vec<u64>,
    /// The committed offset when the first consumer crashed.
    pub committed_at_crash: u64,
}

/// Runs the incident under `strategy`: consumer A polls and processes from offset 0 until it crashes before
/// processing `crash_before`; consumer B resumes from the committed offset and finishes the partition.
#[must_use]
pub fn crash_mid_batch(strategy: CommitStrategy, scenario: CrashScenario) -> DeliveryReport {
    let n = scenario.records;
    let batch = u64::from(scenario.max_poll_records);
    let mut applied = alloc::vec![0_u32; n as usize];
    let mut processed = alloc::vec![0_u32; n as usize];
    let mut delivered = alloc::vec![0_u32; n as usize];
    let mut process = |offset: u64, applied: &mut Vec<u32>| {
        processed[offset as usize] += 1;
        let slot = &mut applied[offset as usize];
        if strategy != CommitStrategy::IdempotentProcessing || *slot == 0 {
            *slot += 1;
        }
    };

    // Consumer A.
    let mut committed = 0;
    let mut position = 0;
    'a: while position < n {
        let end = (position + batch).min(n);
        (position..end).for_each(|o| delivered[o as usize] += 1);
        if strategy == CommitStrategy::BeforeProcessing {
            committed = end;
        }
        for offset in position..end {
            if offset == scenario.crash_before {
                break 'a;
            }
            process(offset, &mut applied);
        }
        if strategy != CommitStrategy::BeforeProcessing {
            committed = end;
        }
        position = end;
    }
    let committed_at_crash = committed;

    // Consumer B takes over from the committed offset.
    for offset in committed..n {
        delivered[offset as usize] += 1;
        process(offset, &mut applied);
    }

    let lost = (0..n).filter(|&o| applied[o as usize] == 0).collect();
    let duplicated = (0..n).filter(|&o| applied[o as usize] > 1).collect();
    DeliveryReport {
        applied,
        processed,
        delivered,
        lost,
        duplicated,
        committed_at_crash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20 records, batches of 5, crash before `crash_before`.
    fn incident(crash_before: u64) -> CrashScenario {
        CrashScenario::new(20, 5, crash_before).expect("in range")
    }
    /// The default incident's crash: before offset 12, in the batch 10..15.
    const INCIDENT_CRASH: u64 = 12;

    #[test]
    fn at_most_once_loses_the_rest_of_the_batch() {
        let report = crash_mid_batch(CommitStrategy::BeforeProcessing, incident(INCIDENT_CRASH));
        assert_eq!(report.committed_at_crash, 15);
        assert_eq!(report.lost, [12, 13, 14]);
        assert!(report.duplicated.is_empty());
    }

    #[test]
    fn at_least_once_processes_the_start_of_the_batch_twice() {
        let report = crash_mid_batch(CommitStrategy::AfterProcessing, incident(INCIDENT_CRASH));
        assert_eq!(report.committed_at_crash, 10);
        assert!(report.lost.is_empty());
        assert_eq!(report.duplicated, [10, 11]);
        assert_eq!(report.delivered[10], 2);
    }

    #[test]
    fn idempotent_processing_applies_everything_exactly_once() {
        let report = crash_mid_batch(
            CommitStrategy::IdempotentProcessing,
            incident(INCIDENT_CRASH),
        );
        assert!(report.lost.is_empty() && report.duplicated.is_empty());
        assert!(report.applied.iter().all(|&a| a == 1));
        assert_eq!(report.delivered[11], 2, "redelivered, but recognised");
        assert_eq!((report.processed[11], report.applied[11]), (2, 1));
        assert_eq!(
            (report.delivered[13], report.processed[13]),
            (2, 1),
            "handed to the first consumer, which crashed before it"
        );
    }

    #[test]
    fn a_crash_right_after_a_poll_loses_the_whole_batch_only_when_committed_first() {
        let at_boundary = incident(10);
        for strategy in [
            CommitStrategy::BeforeProcessing,
            CommitStrategy::AfterProcessing,
        ] {
            let report = crash_mid_batch(strategy, at_boundary);
            let expected_lost: &[u64] = if strategy == CommitStrategy::BeforeProcessing {
                &[10, 11, 12, 13, 14]
            } else {
                &[]
            };
            assert_eq!(report.lost, expected_lost, "{strategy}");
            assert!(report.duplicated.is_empty(), "{strategy}");
        }
        for strategy in CommitStrategy::ALL {
            let never = crash_mid_batch(strategy, incident(20));
            assert!(never.lost.is_empty() && never.duplicated.is_empty());
            assert!(never.delivered.iter().all(|&d| d == 1), "{strategy}");
        }
    }

    #[test]
    fn inputs_out_of_range_are_refused_naming_the_input() {
        let refused = |records, batch, crash| {
            CrashScenario::new(records, batch, crash)
                .expect_err("out of range")
                .to_string()
        };
        assert_eq!(
            refused(0, 5, 0),
            "records: 0 is not a whole number from 1 to 100"
        );
        assert_eq!(
            refused(20, 0, 0),
            "max.poll.records: 0 is not a whole number from 1 to 100"
        );
        assert_eq!(
            refused(20, 5, 21),
            "crash_before: 21 is not a whole number from 0 to 20"
        );
        assert!(CrashScenario::new(100, 100, 100).is_ok());
        assert_eq!(CrashScenario::default(), incident(INCIDENT_CRASH));
    }

    #[test]
    fn a_batch_larger_than_the_partition_is_one_poll() {
        let one_poll = CrashScenario::new(8, 100, 3).expect("in range");
        let first = crash_mid_batch(CommitStrategy::BeforeProcessing, one_poll);
        assert_eq!((first.committed_at_crash, first.lost.len()), (8, 5));
        let second = crash_mid_batch(CommitStrategy::AfterProcessing, one_poll);
        assert_eq!(
            (second.committed_at_crash, second.duplicated),
            (0, vec![0, 1, 2])
        );
    }

    proptest::proptest! {
        /// Over every incident in range: committing first never repeats, committing after never loses,
        /// idempotent processing applies each record once, and what at-most-once loses is exactly the rest
        /// of the batch the crash interrupted (what at-least-once repeats is the batch's start).
        #[test]
        fn each_strategy_keeps_its_guarantee(
            records in 1_u64..=100,
            batch in 1_u32..=100,
            crash_fraction in 0.0_f64..=1.0,
        ) {
            let crash = (records as f64 * crash_fraction) as u64;
            let scenario = CrashScenario::new(records, batch, crash).expect("in range");
            let at_most = crash_mid_batch(CommitStrategy::BeforeProcessing, scenario);
            let at_least = crash_mid_batch(CommitStrategy::AfterProcessing, scenario);
            let once = crash_mid_batch(CommitStrategy::IdempotentProcessing, scenario);
            proptest::prop_assert!(at_most.duplicated.is_empty());
            proptest::prop_assert!(at_least.lost.is_empty());
            proptest::prop_assert!(once.applied.iter().all(|&a| a == 1));
            let batch_start = crash - crash % u64::from(batch);
            let batch_end = (batch_start + u64::from(batch)).min(records);
            if crash < records {
                proptest::prop_assert_eq!(at_most.lost, (crash..batch_end).collect::<Vec<_>>());
                proptest::prop_assert_eq!(at_least.duplicated, (batch_start..crash).collect::<Vec<_>>());
            } else {
                proptest::prop_assert!(at_most.lost.is_empty() && at_least.duplicated.is_empty());
            }
            proptest::prop_assert_eq!(once.delivered, at_least.delivered);
        }
    }
}
