//! # Committed offsets, `auto.offset.reset` and lag
//!
//! A group remembers, per partition, its **committed offset: the next offset to read** (a consumer that
//! processed offsets 0..=4 commits 5; `KafkaConsumer#commitSync` asks for `lastProcessed + 1`). A member
//! that takes over a partition starts there. Without a committed offset, or when the committed offset no
//! longer exists (retention deleted it, or a truncation passed it), `auto.offset.reset` decides:
//! `earliest` (the log start offset), `latest` (the high watermark, Kafka's default) or `none` (an error).
//!
//! **Lag** is what the group has yet to read: `high watermark − committed`, as `kafka-consumer-groups.sh`
//! reports it with read_uncommitted, and undefined before the first commit. kplay never counts records
//! that retention has already deleted: below the log start offset a consumer would reset, so lag is
//! measured from `max(committed, log start offset)`.
//!
//! `kafka-consumer-groups.sh --reset-offsets` moves committed offsets explicitly — to the earliest or latest
//! offset, to a given offset (clamped into the log) or to the first offset at a timestamp — and, like the
//! tool, only while the group is Empty (a crashed member counts until its session expires).

use alloc::collections::BTreeMap;
use core::fmt;

use super::assignor::TopicPartition;
use crate::log::PartitionLog;
use crate::time::Instant;

/// `auto.offset.reset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OffsetResetPolicy {
    /// Start from the log start offset: read everything still retained.
    Earliest,
    /// Start from the high watermark: only records produced from now on (Kafka's default).
    #[default]
    Latest,
    /// Fail: the application must decide.
    None,
}

/// `auto.offset.reset=none` met a partition without a usable committed offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoOffsetForPartition(pub TopicPartition);

impl fmt::Display for NoOffsetForPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no committed offset for {} and auto.offset.reset is none",
            self.0
        )
    }
}

impl core::error::Error for NoOffsetForPartition {}

/// Where an explicit reset moves a group's committed offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetTo {
    /// `--to-earliest`: the log start offset.
    Earliest,
    /// `--to-latest`: the high watermark.
    Latest,
    /// `--to-offset N`, clamped into `log start..=high watermark`.
    Offset(u64),
    /// `--to-datetime`: the first offset whose timestamp is at or after this instant.
    Timestamp(Instant),
}

/// One group's committed offsets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommittedOffsets {
    offsets: BTreeMap<TopicPartition, u64>,
}

impl CommittedOffsets {
    /// The committed offset of `tp`, if the group ever committed one.
    #[must_use]
    pub fn get(&self, tp: &TopicPartition) -> Option<u64> {
        self.offsets.get(tp).copied()
    }

    /// Records a commit of `offset` (the next offset to read) for `tp`.
    pub fn commit(&mut self, tp: TopicPartition, offset: u64) {
        self.offsets.insert(tp, offset);
    }

    /// Every committed offset, by partition.
    pub fn iter(&self) -> impl Iterator<Item = (&TopicPartition, u64)> + '_ {
        self.offsets.iter().map(|(tp, &o)| (tp, o))
    }

    /// Sets `tp`'s committed offset as `kafka-consumer-groups.sh --reset-offsets` would, returning it.
    pub fn reset(&mut self, tp: TopicPartition, log: &PartitionLog, to: ResetTo) -> u64 {
        let (start, end) = (log.log_start_offset(), log.high_watermark());
        let offset = match to {
            ResetTo::Earliest => start,
            ResetTo::Latest => end,
            ResetTo::Offset(o) => o.clamp(start, end),
            ResetTo::Timestamp(t) => log.offset_for_timestamp(t).clamp(start, end),
        };
        self.offsets.insert(tp, offset);
        offset
    }
}

/// Where a consumer taking over `tp` starts reading: its committed offset if it lies in the log (from the
/// log start to the log end: a fetch between the high watermark and the log end returns nothing yet, not
/// an error — `LocalLog.read`), otherwise, `OFFSET_OUT_OF_RANGE`, what `policy` says.
///
/// # Errors
/// [`NoOffsetForPartition`] when a reset is needed and `policy` is [`OffsetResetPolicy::None`].
pub fn starting_offset(
    tp: &TopicPartition,
    committed: Option<u64>,
    log: &PartitionLog,
    policy: OffsetResetPolicy,
) -> Result<u64, NoOffsetForPartition> {
    match committed {
        Some(offset) if (log.log_start_offset()..=log.log_end_offset()).contains(&offset) => {
            Ok(offset)
        }
        _ => match policy {
            OffsetResetPolicy::Earliest => Ok(log.log_start_offset()),
            OffsetResetPolicy::Latest => Ok(log.high_watermark()),
            OffsetResetPolicy::None => Err(NoOffsetForPartition(tp.clone())),
        },
    }
}

/// The group's lag on one partition as `kafka-consumer-groups.sh --describe` prints it (`LAG`,
/// `ConsumerGroupCommand.getLag`): the log end a client sees (the high watermark, `ListOffsets` latest)
/// minus the committed offset, not clamped at the log start, so records retention already deleted still
/// count; `None` before the first commit, where the tool prints `-`. (A committed offset above the high
/// watermark, possible only after a truncation, gives 0 where the tool prints a negative number.)
#[must_use]
pub fn lag(committed: Option<u64>, log: &PartitionLog) -> Option<u64> {
    lag_between(committed, log.high_watermark())
}

/// [`lag`] from the offsets alone: kplay's one definition of lag.
#[must_use]
pub fn lag_between(committed: Option<u64>, high_watermark: u64) -> Option<u64> {
    committed.map(|c| high_watermark.saturating_sub(c))
}

/// Of the [`lag`], the records the group can still read: those from its committed offset (or the log
/// start, if retention deleted past it) to the high watermark.
#[must_use]
pub fn readable(committed: Option<u64>, log: &PartitionLog) -> Option<u64> {
    committed.map(|c| {
        log.high_watermark()
            .saturating_sub(c.max(log.log_start_offset()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogConfig;
    use crate::time::Duration;

    fn log(records: u64) -> PartitionLog {
        let config = LogConfig {
            segment_bytes: 250,
            retention_ms: Some(Duration::from_millis(10)),
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(config);
        for i in 0..records {
            log.append_and_commit(Instant::from_millis(i * 10), None, Some(10))
                .expect("append");
        }
        log
    }

    fn tp() -> TopicPartition {
        TopicPartition::new("orders", 0)
    }

    #[test]
    fn lag_is_high_watermark_minus_committed_and_undefined_before_a_commit() {
        let log = log(8);
        assert_eq!(lag(None, &log), None);
        assert_eq!(lag(Some(3), &log), Some(5));
        assert_eq!(lag(Some(8), &log), Some(0));
    }

    #[test]
    fn lag_counts_from_the_committed_offset_even_past_the_log_start() {
        let mut log = log(8);
        log.handle_retention(Instant::from_millis(66));
        assert_eq!(log.log_start_offset(), 6);
        assert_eq!(
            lag(Some(2), &log),
            Some(6),
            "kafka-consumer-groups.sh: log end 8 − committed 2"
        );
        assert_eq!(
            readable(Some(2), &log),
            Some(2),
            "offsets 2..6 are gone; only 6 and 7 are left to read"
        );
        assert_eq!((lag(None, &log), readable(None, &log)), (None, None));
        assert_eq!(
            starting_offset(&tp(), Some(2), &log, OffsetResetPolicy::Earliest),
            Ok(6)
        );
        assert_eq!(
            starting_offset(&tp(), Some(2), &log, OffsetResetPolicy::Latest),
            Ok(8)
        );
        assert!(starting_offset(&tp(), Some(2), &log, OffsetResetPolicy::None).is_err());
    }

    #[test]
    fn an_offset_between_the_high_watermark_and_the_log_end_is_a_position_not_out_of_range() {
        let mut log = log(8);
        for i in 8..10 {
            log.append(Instant::from_millis(i * 10), None, Some(10))
                .expect("append");
        }
        assert_eq!((log.high_watermark(), log.log_end_offset()), (8, 10));
        for policy in [OffsetResetPolicy::Earliest, OffsetResetPolicy::Latest] {
            assert_eq!(starting_offset(&tp(), Some(9), &log, policy), Ok(9));
            assert_eq!(starting_offset(&tp(), Some(10), &log, policy), Ok(10));
        }
        assert_eq!(
            starting_offset(&tp(), Some(11), &log, OffsetResetPolicy::Latest),
            Ok(8),
            "past the log end: out of range, reset"
        );
        assert!(
            log.fetch(9, 1).expect("in range").is_empty(),
            "nothing to read yet"
        );
        assert!(log.fetch(11, 1).is_err(), "OFFSET_OUT_OF_RANGE");
    }

    #[test]
    fn a_committed_offset_still_in_the_log_wins_over_the_reset_policy() {
        let log = log(8);
        for policy in [
            OffsetResetPolicy::Earliest,
            OffsetResetPolicy::Latest,
            OffsetResetPolicy::None,
        ] {
            assert_eq!(starting_offset(&tp(), Some(5), &log, policy), Ok(5));
            assert_eq!(
                starting_offset(&tp(), Some(8), &log, policy),
                Ok(8),
                "the HW itself is a valid position"
            );
        }
        assert_eq!(
            starting_offset(&tp(), None, &log, OffsetResetPolicy::Earliest),
            Ok(0)
        );
        assert_eq!(
            starting_offset(&tp(), None, &log, OffsetResetPolicy::Latest),
            Ok(8)
        );
        let err = starting_offset(&tp(), None, &log, OffsetResetPolicy::None).expect_err("none");
        assert_eq!(
            err.to_string(),
            "no committed offset for orders-0 and auto.offset.reset is none"
        );
    }

    #[test]
    fn explicit_resets_move_the_committed_offset_anywhere_in_the_log() {
        let log = log(8);
        let mut offsets = CommittedOffsets::default();
        offsets.commit(tp(), 7);
        assert_eq!(offsets.reset(tp(), &log, ResetTo::Earliest), 0);
        assert_eq!(offsets.reset(tp(), &log, ResetTo::Latest), 8);
        assert_eq!(offsets.reset(tp(), &log, ResetTo::Offset(3)), 3);
        assert_eq!(
            offsets.reset(tp(), &log, ResetTo::Offset(99)),
            8,
            "clamped to the end"
        );
        assert_eq!(
            offsets.reset(tp(), &log, ResetTo::Timestamp(Instant::from_millis(25))),
            3
        );
        assert_eq!(offsets.get(&tp()), Some(3));
    }
}
