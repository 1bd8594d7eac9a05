//! # The partition log: offsets, segments, high watermark
//!
//! Each partition is an append-only sequence of records; the next record gets the **log end offset** (LEO).
//! On disk the log is split into **segments**, each starting at its `base_offset`; new records go to the
//! last, *active* segment, which is rolled (closed, a new one started) when it would exceed `segment.bytes`
//! or once its first record is older than `segment.ms` (Kafka's `LogSegment.shouldRoll`). Old data leaves
//! the log a whole segment at a time ([`retention`]) or is compacted key by key
//! ([`compaction`]); the first offset still present is the **log start offset**.
//!
//! Consumers read only below the **high watermark** (HW): the offset up to which every in-sync replica has
//! the data (see [`crate::cluster`] for replication). A log with a single replica advances its HW with every
//! append. Each record counts as a v2 batch holding just it (its key, value and framing plus the 61-byte
//! batch header, [`crate::record_format`]), so that `segment.bytes` and `retention.bytes` behave as they
//! would on a broker receiving one record per produce request.

pub mod compaction;
pub mod config;
pub mod producer_state;
pub mod retention;
pub mod transactions;

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::fmt;

pub use compaction::CleanReport;
pub use config::{CleanupPolicy, LogConfig};
pub use retention::RetentionReport;
pub use transactions::Control;

use crate::record_format::single_record_batch;
use crate::time::Instant;

/// Bytes a record with this key and value counts for: a v2 batch holding just it
/// ([`crate::record_format`]).
fn record_size(key: Option<&[u8]>, value_size: Option<u32>) -> u64 {
    single_record_batch(key.map(|k| k.len() as u64), value_size.map(u64::from))
}

/// A record as stored in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its offset; never changes, even when compaction removes the records around it.
    pub offset: u64,
    /// The producer's (or broker's) timestamp.
    pub timestamp: Instant,
    /// The serialized key; `None` for a record without one.
    pub key: Option<Box<[u8]>>,
    /// Size of the value in bytes; `None` is a null value, which on a compacted topic is a **tombstone**.
    pub value_size: Option<u32>,
    /// When a tombstone may be dropped by the cleaner (`deleteHorizonMs`), once a cleaning pass has seen it.
    pub delete_horizon: Option<Instant>,
    /// What it says about its transaction.
    pub meta: RecordMeta,
}

/// A record's place in a transaction, as its batch's attributes say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordMeta {
    /// Written in a transaction of this producer id (`None`: outside any transaction).
    pub transaction: Option<u64>,
    /// A transaction marker ([`transactions`]) rather than data.
    pub control: Option<Control>,
}

/// A control record's key (version, type) and value (version, coordinator epoch) sizes in bytes
/// (`EndTransactionMarker`).
const MARKER_KEY: [u8; 4] = [0; 4];
const MARKER_VALUE_BYTES: u32 = 6;

impl Record {
    /// Bytes this record counts for.
    #[must_use]
    pub fn size(&self) -> u64 {
        match self.meta.control {
            Some(_) => record_size(Some(&MARKER_KEY), Some(MARKER_VALUE_BYTES)),
            None => record_size(self.key.as_deref(), self.value_size),
        }
    }

    /// A keyed record with a null value.
    #[must_use]
    pub fn is_tombstone(&self) -> bool {
        self.key.is_some() && self.value_size.is_none()
    }
}

/// A segment: records from `base_offset` on, up to the next segment's base offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The offset the segment starts at (its file name on a broker).
    pub base_offset: u64,
    records: Vec<Record>,
    size: u64,
    largest_timestamp: Option<Instant>,
    /// Timestamp of the first record appended: `segment.ms` counts from it.
    first_timestamp: Option<Instant>,
}

impl Segment {
    fn new(base_offset: u64) -> Self {
        Self {
            base_offset,
            records: Vec::new(),
            size: 0,
            largest_timestamp: None,
            first_timestamp: None,
        }
    }

    /// The records still in the segment, by offset.
    #[must_use]
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Bytes the segment holds.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The newest record timestamp, which `retention.ms` is measured from.
    #[must_use]
    pub fn largest_timestamp(&self) -> Option<Instant> {
        self.largest_timestamp
    }

    fn push(&mut self, record: Record) {
        self.size += record.size();
        self.largest_timestamp = Some(
            self.largest_timestamp
                .map_or(record.timestamp, |t| t.max(record.timestamp)),
        );
        self.first_timestamp.get_or_insert(record.timestamp);
        self.records.push(record);
    }

    fn recompute(&mut self) {
        self.size = self.records.iter().map(Record::size).sum();
        self.largest_timestamp = self.records.iter().map(|r| r.timestamp).max();
    }
}

/// [`PartitionLog::append`] refused a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendError {
    /// Compacted topics reject records without a key ("Compacted topic cannot accept message without key").
    KeylessOnCompactedTopic,
    /// The record alone is larger than `segment.bytes` (Kafka: RecordBatchTooLargeException).
    RecordTooLarge {
        /// The record's size.
        size: u64,
        /// `segment.bytes`.
        segment_bytes: u64,
    },
}

impl fmt::Display for AppendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeylessOnCompactedTopic => {
                f.write_str("compacted topic cannot accept a record without a key")
            }
            Self::RecordTooLarge {
                size,
                segment_bytes,
            } => {
                write!(
                    f,
                    "record of {size} bytes is larger than segment.bytes ({segment_bytes})"
                )
            }
        }
    }
}

impl core::error::Error for AppendError {}

/// A fetch asked for an offset the log does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetOutOfRange {
    /// The offset asked for.
    pub offset: u64,
    /// The log start offset.
    pub log_start_offset: u64,
    /// The log end offset.
    pub log_end_offset: u64,
}

impl fmt::Display for OffsetOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "offset {} is out of range ({}..={})",
            self.offset, self.log_start_offset, self.log_end_offset
        )
    }
}

impl core::error::Error for OffsetOutOfRange {}

/// One partition's log.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionLog {
    config: LogConfig,
    segments: VecDeque<Segment>,
    log_start_offset: u64,
    log_end_offset: u64,
    high_watermark: u64,
    /// Where the cleaner stopped last time: records below are "clean", above "dirty".
    cleaner_checkpoint: u64,
}

impl PartitionLog {
    /// An empty log with `config`.
    #[must_use]
    pub fn new(config: LogConfig) -> Self {
        let mut segments = VecDeque::new();
        segments.push_back(Segment::new(0));
        Self {
            config,
            segments,
            log_start_offset: 0,
            log_end_offset: 0,
            high_watermark: 0,
            cleaner_checkpoint: 0,
        }
    }

    /// The log's configuration.
    #[must_use]
    pub fn config(&self) -> &LogConfig {
        &self.config
    }

    /// Changes the configuration; it applies from the next append, roll, retention check or cleaning.
    pub fn set_config(&mut self, config: LogConfig) {
        self.config = config;
    }

    /// The first offset still in the log.
    #[must_use]
    pub fn log_start_offset(&self) -> u64 {
        self.log_start_offset
    }

    /// The offset the next record will get.
    #[must_use]
    pub fn log_end_offset(&self) -> u64 {
        self.log_end_offset
    }

    /// Consumers may read offsets below this.
    #[must_use]
    pub fn high_watermark(&self) -> u64 {
        self.high_watermark
    }

    /// Moves the high watermark, kept within `log_start_offset..=log_end_offset`. It only moves backwards
    /// when a replica truncates its log.
    pub fn set_high_watermark(&mut self, offset: u64) {
        self.high_watermark = offset.clamp(self.log_start_offset, self.log_end_offset);
    }

    /// The segments, oldest first; the last one is the active segment.
    pub fn segments(&self) -> impl DoubleEndedIterator<Item = &Segment> + ExactSizeIterator + '_ {
        self.segments.iter()
    }

    /// Total bytes in the log.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.segments.iter().map(Segment::size).sum()
    }

    /// Records currently stored (after retention and compaction).
    #[must_use]
    pub fn record_count(&self) -> usize {
        self.segments.iter().map(|s| s.records.len()).sum()
    }

    /// Whether [`Self::append`] would accept this record, without appending it.
    ///
    /// # Errors
    /// As [`Self::append`].
    pub fn check_append(
        &self,
        key: Option<&[u8]>,
        value_size: Option<u32>,
    ) -> Result<(), AppendError> {
        if key.is_none() && self.config.cleanup_policy.compacts() {
            return Err(AppendError::KeylessOnCompactedTopic);
        }
        let size = record_size(key, value_size);
        if size > self.config.segment_bytes {
            return Err(AppendError::RecordTooLarge {
                size,
                segment_bytes: self.config.segment_bytes,
            });
        }
        Ok(())
    }

    /// Appends a record at `now`, rolling the active segment first if `segment.bytes` or `segment.ms` says
    /// so. Returns its offset. The high watermark does not move; see [`Self::append_and_commit`].
    ///
    /// # Errors
    /// [`AppendError`] if the record cannot be written.
    pub fn append(
        &mut self,
        now: Instant,
        key: Option<&[u8]>,
        value_size: Option<u32>,
    ) -> Result<u64, AppendError> {
        self.append_with(now, key, value_size, RecordMeta::default())
    }

    /// [`Self::append`] of a record written in a transaction (`meta.transaction`), or of a transaction
    /// marker (`meta.control`, with no key or value of its own: a marker is never refused).
    ///
    /// # Errors
    /// As [`Self::append`], for data.
    pub fn append_with(
        &mut self,
        now: Instant,
        key: Option<&[u8]>,
        value_size: Option<u32>,
        meta: RecordMeta,
    ) -> Result<u64, AppendError> {
        if meta.control.is_none() {
            self.check_append(key, value_size)?;
        }
        let record = Record {
            offset: self.log_end_offset,
            timestamp: now,
            key: key.map(Box::from).filter(|_| meta.control.is_none()),
            value_size: value_size.filter(|_| meta.control.is_none()),
            delete_horizon: None,
            meta,
        };
        let size = record.size();
        if self.should_roll(now, size) {
            self.roll();
        }
        self.active_mut().push(record);
        self.log_end_offset += 1;
        Ok(self.log_end_offset - 1)
    }

    /// [`Self::append`] on a log whose only replica is the leader: the record is committed at once.
    ///
    /// # Errors
    /// As [`Self::append`].
    pub fn append_and_commit(
        &mut self,
        now: Instant,
        key: Option<&[u8]>,
        value_size: Option<u32>,
    ) -> Result<u64, AppendError> {
        let offset = self.append(now, key, value_size)?;
        self.high_watermark = self.log_end_offset;
        Ok(offset)
    }

    fn active(&self) -> &Segment {
        // There is always an active segment: the log starts with one and `roll` only ever adds.
        self.segments
            .back()
            .unwrap_or_else(|| unreachable!("a log always has an active segment"))
    }

    fn active_mut(&mut self) -> &mut Segment {
        self.segments
            .back_mut()
            .unwrap_or_else(|| unreachable!("a log always has an active segment"))
    }

    /// `LogSegment.shouldRoll` without indexes: the active segment is non-empty and either the record would
    /// push it past `segment.bytes` or its first record is more than `segment.ms` old.
    fn should_roll(&self, now: Instant, incoming: u64) -> bool {
        let active = self.active();
        if active.records.is_empty() {
            return false;
        }
        let too_big = active.size > self.config.segment_bytes - incoming;
        let too_old = active
            .first_timestamp
            .is_some_and(|first| now - first > self.config.segment_ms);
        too_big || too_old
    }

    /// Closes the active segment and starts a new one at the log end offset (a no-op when the active
    /// segment is empty).
    pub fn roll(&mut self) {
        if !self.active().records.is_empty() || self.active().base_offset != self.log_end_offset {
            self.segments.push_back(Segment::new(self.log_end_offset));
        }
    }

    /// Up to `max_records` records from `offset` on, below the high watermark. An offset that compaction
    /// emptied returns the next record after it, as a broker does. An offset at or above the high watermark
    /// but not past the log end returns nothing: the records are there but not committed yet (Kafka's
    /// `LocalLog.read` answers with empty data when the start is past its read limit).
    ///
    /// # Errors
    /// [`OffsetOutOfRange`] if `offset` is below the log start offset or past the log end offset
    /// (`OFFSET_OUT_OF_RANGE`, after which a consumer applies `auto.offset.reset`).
    pub fn fetch(&self, offset: u64, max_records: usize) -> Result<Vec<&Record>, OffsetOutOfRange> {
        if offset < self.log_start_offset || offset > self.log_end_offset {
            return Err(OffsetOutOfRange {
                offset,
                log_start_offset: self.log_start_offset,
                log_end_offset: self.log_end_offset,
            });
        }
        if offset >= self.high_watermark {
            return Ok(Vec::new());
        }
        let first_segment = self
            .segments
            .partition_point(|s| s.base_offset <= offset)
            .saturating_sub(1);
        Ok(self
            .segments
            .range(first_segment..)
            .flat_map(|s| {
                let start = s.records.partition_point(|r| r.offset < offset);
                s.records[start..].iter()
            })
            .take_while(|r| r.offset < self.high_watermark)
            .take(max_records)
            .collect())
    }

    /// `ListOffsets` by timestamp: the first offset whose record has a timestamp at or after `timestamp`
    /// (among committed records), or the high watermark if there is none.
    #[must_use]
    pub fn offset_for_timestamp(&self, timestamp: Instant) -> u64 {
        self.segments
            .iter()
            .filter(|s| s.largest_timestamp.is_some_and(|t| t >= timestamp))
            .flat_map(|s| s.records.iter())
            .find(|r| r.timestamp >= timestamp && r.offset < self.high_watermark)
            .map_or(self.high_watermark, |r| r.offset)
    }

    /// Drops every record at or above `offset` (a follower truncating to its leader's log).
    pub fn truncate_to(&mut self, offset: u64) {
        if offset >= self.log_end_offset {
            return;
        }
        let offset = offset.max(self.log_start_offset);
        while self.segments.len() > 1 && self.active().base_offset >= offset {
            self.segments.pop_back();
        }
        let active = self.active_mut();
        active.records.retain(|r| r.offset < offset);
        active.recompute();
        if active.records.is_empty() {
            active.first_timestamp = None;
        }
        self.log_end_offset = offset;
        self.high_watermark = self.high_watermark.min(offset);
        self.cleaner_checkpoint = self.cleaner_checkpoint.min(offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Duration;

    fn small_segments() -> LogConfig {
        // Each 10-byte-value keyless record is 80 bytes; three fit in a 250-byte segment.
        LogConfig {
            segment_bytes: 250,
            ..LogConfig::default()
        }
    }

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    #[test]
    fn offsets_are_consecutive_and_segments_roll_by_size() {
        let mut log = PartitionLog::new(small_segments());
        for i in 0..7 {
            assert_eq!(log.append_and_commit(at(i), None, Some(12)), Ok(i));
        }
        let bases: Vec<u64> = log.segments().map(|s| s.base_offset).collect();
        assert_eq!(bases, [0, 3, 6]);
        assert_eq!(
            (
                log.log_start_offset(),
                log.log_end_offset(),
                log.high_watermark()
            ),
            (0, 7, 7)
        );
        assert_eq!(log.size(), 7 * 80);
    }

    #[test]
    fn segments_roll_by_age() {
        let config = LogConfig {
            segment_ms: Duration::from_millis(100),
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(config);
        log.append_and_commit(at(0), None, Some(1)).expect("append");
        log.append_and_commit(at(100), None, Some(1))
            .expect("append");
        assert_eq!(
            log.segments().len(),
            1,
            "exactly segment.ms old does not roll (Kafka uses >)"
        );
        log.append_and_commit(at(101), None, Some(1))
            .expect("append");
        assert_eq!(
            log.segments().map(|s| s.base_offset).collect::<Vec<_>>(),
            [0, 2]
        );
    }

    #[test]
    fn fetch_stops_at_the_high_watermark() {
        let mut log = PartitionLog::new(small_segments());
        for i in 0..5 {
            log.append(at(i), None, Some(12)).expect("append");
        }
        log.set_high_watermark(3);
        let offsets: Vec<u64> = log
            .fetch(1, 10)
            .expect("in range")
            .iter()
            .map(|r| r.offset)
            .collect();
        assert_eq!(offsets, [1, 2]);
        assert!(
            log.fetch(3, 10)
                .expect("the HW itself is a valid position")
                .is_empty()
        );
        // Between the HW and the log end: nothing yet, not an error (LocalLog.read's empty answer).
        assert!(log.fetch(4, 10).expect("below the log end").is_empty());
        assert!(log.fetch(5, 10).expect("the log end itself").is_empty());
        let err = log.fetch(6, 10).expect_err("beyond the log end");
        assert_eq!(err.to_string(), "offset 6 is out of range (0..=5)");
        assert_eq!(log.fetch(0, 2).expect("in range").len(), 2);
    }

    #[test]
    fn keyless_records_are_refused_on_compacted_topics() {
        let mut log = PartitionLog::new(LogConfig {
            cleanup_policy: CleanupPolicy::Compact,
            ..LogConfig::default()
        });
        assert_eq!(
            log.append(at(0), None, Some(1)),
            Err(AppendError::KeylessOnCompactedTopic)
        );
        assert_eq!(log.append(at(0), Some(b"k"), Some(1)), Ok(0));
        let mut tiny = PartitionLog::new(LogConfig {
            segment_bytes: 100,
            ..LogConfig::default()
        });
        assert!(matches!(
            tiny.append(at(0), None, Some(33)),
            Err(AppendError::RecordTooLarge { size: 101, .. })
        ));
    }

    #[test]
    fn offset_for_timestamp_finds_the_first_record_at_or_after() {
        let mut log = PartitionLog::new(small_segments());
        for ms in [10, 20, 30, 40] {
            log.append_and_commit(at(ms), None, Some(12))
                .expect("append");
        }
        assert_eq!(log.offset_for_timestamp(at(0)), 0);
        assert_eq!(log.offset_for_timestamp(at(25)), 2);
        assert_eq!(log.offset_for_timestamp(at(40)), 3);
        assert_eq!(
            log.offset_for_timestamp(at(41)),
            4,
            "past the newest record: the end of the log"
        );
    }

    #[test]
    fn truncation_removes_the_tail() {
        let mut log = PartitionLog::new(small_segments());
        for i in 0..7 {
            log.append_and_commit(at(i), None, Some(12))
                .expect("append");
        }
        log.truncate_to(4);
        assert_eq!(
            (
                log.log_end_offset(),
                log.high_watermark(),
                log.record_count()
            ),
            (4, 4, 4)
        );
        assert_eq!(
            log.segments().map(|s| s.base_offset).collect::<Vec<_>>(),
            [0, 3]
        );
        assert_eq!(log.append_and_commit(at(9), None, Some(12)), Ok(4));
    }
}
