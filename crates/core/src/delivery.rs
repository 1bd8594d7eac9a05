//! # Delivery semantics: what a crash costs
//!
//! A consumer polls up to `max.poll.records` records, processes them and commits the next offset to read.
//! *When* it commits decides what happens if it crashes in the middle of a batch and another member takes
//! over from the committed offset:
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
//! effect was applied.

use alloc::vec::Vec;
use core::fmt;

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
    /// The guarantee the strategy gives.
    #[must_use]
    pub const fn guarantee(self) -> &'static str {
        match self {
            Self::BeforeProcessing => "at-most-once",
            Self::AfterProcessing => "at-least-once",
            Self::IdempotentProcessing => "effectively-once",
        }
    }
}

impl fmt::Display for CommitStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.guarantee())
    }
}

/// The incident: a partition, a batch size and where the first consumer dies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrashScenario {
    /// Records in the partition, offsets `0..records`.
    pub records: u64,
    /// `max.poll.records` (at least 1).
    pub max_poll_records: u32,
    /// The offset the first consumer was about to process when it crashed (it processed everything
    /// before it that it was handed).
    pub crash_before: u64,
}

/// What happened to every record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryReport {
    /// Times each offset's effect was applied.
    pub applied: Vec<u32>,
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
    let batch = u64::from(scenario.max_poll_records.max(1));
    let mut applied = alloc::vec![0_u32; n as usize];
    let mut delivered = alloc::vec![0_u32; n as usize];
    let apply = |offset: u64, applied: &mut Vec<u32>| {
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
            apply(offset, &mut applied);
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
        apply(offset, &mut applied);
    }

    let lost = (0..n).filter(|&o| applied[o as usize] == 0).collect();
    let duplicated = (0..n).filter(|&o| applied[o as usize] > 1).collect();
    DeliveryReport {
        applied,
        delivered,
        lost,
        duplicated,
        committed_at_crash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20 records, batches of 5, crash before offset 12 (in the batch 10..15).
    const INCIDENT: CrashScenario = CrashScenario {
        records: 20,
        max_poll_records: 5,
        crash_before: 12,
    };

    #[test]
    fn at_most_once_loses_the_rest_of_the_batch() {
        let report = crash_mid_batch(CommitStrategy::BeforeProcessing, INCIDENT);
        assert_eq!(report.committed_at_crash, 15);
        assert_eq!(report.lost, [12, 13, 14]);
        assert!(report.duplicated.is_empty());
    }

    #[test]
    fn at_least_once_processes_the_start_of_the_batch_twice() {
        let report = crash_mid_batch(CommitStrategy::AfterProcessing, INCIDENT);
        assert_eq!(report.committed_at_crash, 10);
        assert!(report.lost.is_empty());
        assert_eq!(report.duplicated, [10, 11]);
        assert_eq!(report.delivered[10], 2);
    }

    #[test]
    fn idempotent_processing_applies_everything_exactly_once() {
        let report = crash_mid_batch(CommitStrategy::IdempotentProcessing, INCIDENT);
        assert!(report.lost.is_empty() && report.duplicated.is_empty());
        assert!(report.applied.iter().all(|&a| a == 1));
        assert_eq!(report.delivered[11], 2, "redelivered, but recognised");
    }

    #[test]
    fn a_crash_right_after_a_poll_loses_the_whole_batch_only_when_committed_first() {
        let at_boundary = CrashScenario {
            crash_before: 10,
            ..INCIDENT
        };
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
        let never = crash_mid_batch(
            CommitStrategy::AfterProcessing,
            CrashScenario {
                crash_before: 99,
                ..INCIDENT
            },
        );
        assert!(never.lost.is_empty() && never.duplicated.is_empty());
    }
}
