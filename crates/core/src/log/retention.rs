//! Retention: deleting whole segments, oldest first (`UnifiedLog.deleteOldSegments`).
//!
//! Three rules run in Kafka's order, each walking segments from the oldest and stopping at the first one
//! that does not qualify:
//! 1. segments entirely below the log start offset (moved up by `DeleteRecords`);
//! 2. `retention.bytes`: only when the log is at least that large; with `diff = size − retention.bytes`,
//!    delete segments while `diff − segment.size ≥ 0`, subtracting each;
//! 3. `retention.ms`: segments whose newest record is more than `retention.ms` older than now.
//!
//! A segment is deletable only if the high watermark has passed all of it (`HW ≥` the next segment's base
//! offset, or the LEO for the last segment), so the log start offset never passes the HW. An empty final
//! segment never qualifies. If every segment qualifies, the active one included, the log first rolls a new,
//! empty active segment and then deletes all the old ones: the log is empty and starts at its end offset.
//! Rules 2 and 3 only apply when `cleanup.policy` includes `delete`.

use alloc::vec::Vec;

use super::{PartitionLog, Segment};
use crate::time::Instant;

/// What one retention check removed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RetentionReport {
    /// Base offsets of the deleted segments.
    pub deleted_segments: Vec<u64>,
    /// Records removed.
    pub deleted_records: u64,
    /// Bytes freed.
    pub freed_bytes: u64,
}

impl PartitionLog {
    /// Applies retention as the broker's periodic check (`log.retention.check.interval.ms`) does at `now`.
    pub fn handle_retention(&mut self, now: Instant) -> RetentionReport {
        let mut report = RetentionReport::default();
        let log_start = self.log_start_offset;
        self.delete_while(&mut report, |_, next| {
            next.is_some_and(|n| n.base_offset <= log_start)
        });
        if !self.config.cleanup_policy.deletes() {
            return report;
        }
        if let Some(limit) = self.config.retention_bytes {
            let size = self.size();
            if size >= limit {
                let mut diff = size - limit;
                self.delete_while(&mut report, |segment, _| {
                    let fits = diff >= segment.size();
                    if fits {
                        diff -= segment.size();
                    }
                    fits
                });
            }
        }
        if let Some(retention) = self.config.retention_ms {
            self.delete_while(&mut report, |segment, _| {
                segment
                    .largest_timestamp()
                    .is_some_and(|newest| now - newest > retention)
            });
        }
        report
    }

    /// Raises the log start offset to `offset` (the `DeleteRecords` API, or a leader's start offset copied
    /// by a follower); whole segments below it go at the next [`Self::handle_retention`]. Never past the HW.
    pub fn delete_records_before(&mut self, offset: u64) {
        let offset = offset.min(self.high_watermark);
        if offset > self.log_start_offset {
            self.log_start_offset = offset;
            self.cleaner_checkpoint = self.cleaner_checkpoint.max(offset);
        }
    }

    /// `deletableSegments` followed by `deleteSegments` for one predicate, which sees each segment and the
    /// one after it.
    fn delete_while(
        &mut self,
        report: &mut RetentionReport,
        mut predicate: impl FnMut(&Segment, Option<&Segment>) -> bool,
    ) {
        let mut deletable = 0;
        while let Some(segment) = self.segments.get(deletable) {
            let next = self.segments.get(deletable + 1);
            let last_and_empty = next.is_none() && segment.records.is_empty();
            let upper_bound = next.map_or(self.log_end_offset, |n| n.base_offset);
            if last_and_empty || self.high_watermark < upper_bound || !predicate(segment, next) {
                break;
            }
            deletable += 1;
        }
        if deletable == 0 {
            return;
        }
        if deletable == self.segments.len() {
            // A log always keeps one segment: roll an empty one to survive the deletion.
            self.segments.push_back(Segment::new(self.log_end_offset));
        }
        for segment in self.segments.drain(..deletable) {
            report.deleted_segments.push(segment.base_offset);
            report.deleted_records += segment.records.len() as u64;
            report.freed_bytes += segment.size;
        }
        self.segments.shrink_to_fit();
        let first = self
            .segments
            .front()
            .map_or(self.log_end_offset, |s| s.base_offset);
        self.log_start_offset = self.log_start_offset.max(first);
        self.cleaner_checkpoint = self.cleaner_checkpoint.max(self.log_start_offset);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CleanupPolicy, LogConfig};
    use super::*;
    use crate::time::Duration;

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    /// A log of 3-record segments (80-byte records, 250-byte segments) with one record per millisecond.
    fn log_with(records: u64, config: LogConfig) -> PartitionLog {
        let mut log = PartitionLog::new(LogConfig {
            segment_bytes: 250,
            ..config
        });
        for i in 0..records {
            log.append_and_commit(at(i), None, Some(12))
                .expect("append");
        }
        log
    }

    fn bases(log: &PartitionLog) -> Vec<u64> {
        log.segments().map(|s| s.base_offset).collect()
    }

    #[test]
    fn time_retention_deletes_expired_segments_oldest_first() {
        // Segments [0,1,2] [3,4,5] [6,7]; newest timestamps 2, 5, 7 ms.
        let config = LogConfig {
            retention_ms: Some(Duration::from_millis(10)),
            ..LogConfig::default()
        };
        let mut log = log_with(8, config);
        assert!(
            log.handle_retention(at(12)).deleted_segments.is_empty(),
            "12 - 2 = 10 is not > 10"
        );
        let report = log.handle_retention(at(13));
        assert_eq!(report.deleted_segments, [0]);
        assert_eq!((report.deleted_records, report.freed_bytes), (3, 240));
        assert_eq!(log.log_start_offset(), 3);
        assert_eq!(bases(&log), [3, 6]);
    }

    #[test]
    fn time_retention_stops_at_the_first_segment_that_is_not_expired() {
        let config = LogConfig {
            retention_ms: Some(Duration::from_millis(10)),
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(LogConfig {
            segment_bytes: 250,
            ..config
        });
        // The middle segment holds a record from the future (timestamps are the producer's).
        for ms in [0, 0, 0, 100, 0, 0, 0] {
            log.append_and_commit(at(ms), None, Some(12))
                .expect("append");
        }
        let report = log.handle_retention(at(50));
        assert_eq!(
            report.deleted_segments,
            [0],
            "segment 3 is not expired, so segment 6 must wait"
        );
    }

    #[test]
    fn size_retention_keeps_the_log_at_or_under_the_limit() {
        // 8 records = 640 bytes in segments of 240, 240, 160.
        let config = LogConfig {
            retention_bytes: Some(400),
            retention_ms: None,
            ..LogConfig::default()
        };
        let mut log = log_with(8, config);
        let report = log.handle_retention(at(100));
        assert_eq!(
            report.deleted_segments,
            [0],
            "diff 240: one segment fits, the second would overshoot"
        );
        assert_eq!(log.size(), 400);

        let mut exact = log_with(
            8,
            LogConfig {
                retention_bytes: Some(640),
                retention_ms: None,
                ..LogConfig::default()
            },
        );
        assert!(
            exact.handle_retention(at(0)).deleted_segments.is_empty(),
            "diff 0 deletes nothing"
        );
        let mut under = log_with(
            8,
            LogConfig {
                retention_bytes: Some(641),
                retention_ms: None,
                ..LogConfig::default()
            },
        );
        assert!(under.handle_retention(at(0)).deleted_segments.is_empty());
    }

    #[test]
    fn when_everything_expired_the_active_segment_is_rolled_then_deleted() {
        let config = LogConfig {
            retention_ms: Some(Duration::from_millis(10)),
            ..LogConfig::default()
        };
        let mut log = log_with(8, config);
        let report = log.handle_retention(at(1_000));
        assert_eq!(report.deleted_segments, [0, 3, 6]);
        assert_eq!(
            (
                log.log_start_offset(),
                log.log_end_offset(),
                log.record_count()
            ),
            (8, 8, 0)
        );
        assert_eq!(bases(&log), [8]);
        assert_eq!(
            log.append_and_commit(at(1_001), None, Some(12)),
            Ok(8),
            "offsets carry on"
        );
        let empty_again = log.handle_retention(at(1_001));
        assert!(
            empty_again.deleted_segments.is_empty(),
            "a fresh record is not expired"
        );
    }

    #[test]
    fn retention_bytes_zero_empties_the_log() {
        let config = LogConfig {
            retention_bytes: Some(0),
            retention_ms: None,
            ..LogConfig::default()
        };
        let mut log = log_with(5, config);
        assert_eq!(log.handle_retention(at(0)).deleted_segments, [0, 3]);
        assert_eq!(log.log_start_offset(), 5);
        assert_eq!(
            log.handle_retention(at(0)),
            RetentionReport::default(),
            "an empty final segment stays"
        );
    }

    #[test]
    fn retention_never_passes_the_high_watermark() {
        let config = LogConfig {
            retention_ms: Some(Duration::from_millis(10)),
            ..LogConfig::default()
        };
        let mut log = log_with(8, config);
        log.set_high_watermark(5);
        assert_eq!(
            log.handle_retention(at(1_000)).deleted_segments,
            [0],
            "segment 3 ends at 6 > HW 5"
        );
        assert_eq!(log.log_start_offset(), 3);
        log.set_high_watermark(6);
        assert_eq!(log.handle_retention(at(1_000)).deleted_segments, [3]);
        assert!(log.log_start_offset() <= log.high_watermark());
    }

    #[test]
    fn compact_only_topics_do_not_expire() {
        let config = LogConfig {
            cleanup_policy: CleanupPolicy::Compact,
            retention_ms: Some(Duration::from_millis(1)),
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(LogConfig {
            segment_bytes: 250,
            ..config
        });
        for i in 0..6_u8 {
            log.append_and_commit(at(u64::from(i)), Some(&[i]), Some(10))
                .expect("append");
        }
        assert!(log.handle_retention(at(1_000)).deleted_segments.is_empty());
        log.set_config(LogConfig {
            cleanup_policy: CleanupPolicy::CompactDelete,
            ..*log.config()
        });
        assert!(!log.handle_retention(at(1_000)).deleted_segments.is_empty());
    }

    #[test]
    fn delete_records_moves_the_start_and_frees_whole_segments_below_it() {
        let mut log = log_with(
            8,
            LogConfig {
                retention_ms: None,
                ..LogConfig::default()
            },
        );
        log.delete_records_before(4);
        assert_eq!(log.log_start_offset(), 4);
        assert_eq!(
            log.handle_retention(at(0)).deleted_segments,
            [0],
            "segment 3 still holds offsets 4 and 5"
        );
        assert_eq!(
            log.log_start_offset(),
            4,
            "the start stays where DeleteRecords put it"
        );
        assert!(log.fetch(3, 1).is_err());
        assert_eq!(log.fetch(4, 1).expect("start")[0].offset, 4);
    }
}
