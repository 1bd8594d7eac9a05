//! Compaction: keep the latest record of every key (`cleanup.policy=compact`, the `LogCleaner`).
//!
//! The cleaner never touches the active segment, nor records younger than `min.compaction.lag.ms`, nor
//! anything above the high watermark: the cleanable range ends at the first of those. Records after the
//! last cleaning's end (the *dirty* part) build a map key → latest offset; then every segment of the
//! cleanable range is rewritten keeping a record only if no later offset of its key is in the map, and,
//! for a tombstone (a key with a null value), only until its delete horizon: the first pass that keeps a
//! tombstone stamps it with `now + delete.retention.ms`, and a pass at or after that time drops it. Offsets
//! never change and order is kept. Consecutive cleaned segments whose sizes before the pass add up to at
//! most `segment.bytes` are rewritten as one (`LogCleaner.groupSegmentsBySize`), so a compacted log does
//! not keep ever more, ever smaller segments; the group's segment keeps the first one's base offset.
//! (Kafka also caps a group by its index files' sizes, `segment.index.bytes`; kplay keeps no index, and
//! at the default 10 MB that cap binds only past about a million records a segment.) A log is cleaned
//! when its dirty bytes exceed `min.cleanable.dirty.ratio` of its cleanable bytes (`LogCleanerManager`),
//! or on demand.
//!
//! With transactions ([`super::transactions`]) the cleanable range also ends at the first unstable
//! offset, and the records of aborted transactions are dropped without entering the offset map, so an
//! aborted value never hides a committed one (`LogCleaner.cleanInto`, `CleanedTransactionMetadata`).
//! kplay keeps the markers themselves (Kafka drops one once its transaction's records are gone and
//! `delete.retention.ms` has passed).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::ops::Range;

use super::PartitionLog;
use super::transactions::Transactions;
use crate::time::Instant;

/// What one cleaning pass did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CleanReport {
    /// Offsets `[start, end)` that were cleaned.
    pub cleaned_range: (u64, u64),
    /// Records removed because a later record has the same key.
    pub superseded_records: u64,
    /// Tombstones removed because their delete horizon had passed.
    pub expired_tombstones: u64,
    /// Records of aborted transactions removed.
    pub aborted_records: u64,
    /// Bytes freed.
    pub freed_bytes: u64,
}

impl PartitionLog {
    /// The offset cleaning must stop before: the active segment's base, the first segment holding a record
    /// younger than `min.compaction.lag.ms`, and the high watermark, whichever comes first.
    #[must_use]
    pub fn first_uncleanable_offset(&self, now: Instant) -> u64 {
        let lag = self.config.min_compaction_lag_ms;
        let too_young = self
            .segments
            .iter()
            .find(|s| s.largest_timestamp.is_some_and(|t| now - t < lag))
            .map_or(u64::MAX, |s| s.base_offset);
        self.active()
            .base_offset
            .min(too_young)
            .min(self.high_watermark)
    }

    /// Dirty bytes ÷ cleanable bytes, the ratio compared with `min.cleanable.dirty.ratio`.
    #[must_use]
    pub fn cleanable_ratio(&self, now: Instant) -> f64 {
        let end = self.first_uncleanable_offset(now);
        let (mut clean, mut dirty) = (0_u64, 0_u64);
        for record in self
            .segments
            .iter()
            .flat_map(|s| s.records.iter())
            .take_while(|r| r.offset < end)
        {
            if record.offset < self.cleaner_checkpoint {
                clean += record.size();
            } else {
                dirty += record.size();
            }
        }
        if clean + dirty == 0 {
            0.0
        } else {
            dirty as f64 / (clean + dirty) as f64
        }
    }

    /// Runs the cleaner at `now` if the topic compacts and the log is dirty enough (or `force`), returning
    /// what it did.
    pub fn handle_cleaning(&mut self, now: Instant, force: bool) -> Option<CleanReport> {
        self.handle_cleaning_with(now, force, &Transactions::default())
    }

    /// [`Self::handle_cleaning`] of a log whose transactions are `txns`.
    pub fn handle_cleaning_with(
        &mut self,
        now: Instant,
        force: bool,
        txns: &Transactions,
    ) -> Option<CleanReport> {
        if !self.config.cleanup_policy.compacts() {
            return None;
        }
        let end = self
            .first_uncleanable_offset(now)
            .min(txns.first_unstable_offset().unwrap_or(u64::MAX));
        if end <= self.cleaner_checkpoint && !force {
            return None;
        }
        if !force && self.cleanable_ratio(now) <= self.config.min_cleanable_dirty_ratio {
            return None;
        }
        Some(self.clean(now, end, txns))
    }

    fn clean(&mut self, now: Instant, end: u64, txns: &Transactions) -> CleanReport {
        let aborted = |r: &super::Record| {
            r.meta
                .transaction
                .is_some_and(|pid| r.meta.control.is_none() && txns.is_aborted(pid, r.offset))
        };
        // The offset map: each key's latest offset within the dirty range.
        let mut latest: BTreeMap<Box<[u8]>, u64> = BTreeMap::new();
        for record in self.segments.iter().flat_map(|s| s.records.iter()) {
            if record.offset >= end {
                break;
            }
            if record.offset >= self.cleaner_checkpoint
                && !aborted(record)
                && let Some(key) = &record.key
            {
                latest.insert(key.clone(), record.offset);
            }
        }

        let mut report = CleanReport {
            cleaned_range: (self.log_start_offset, end),
            ..CleanReport::default()
        };
        let horizon = now + self.config.delete_retention_ms;
        let cleanable = self
            .segments
            .iter()
            .take_while(|s| s.base_offset < end)
            .count();
        let sizes: Vec<u64> = self
            .segments
            .iter()
            .take(cleanable)
            .map(|s| s.size)
            .collect();
        let groups = group_segments_by_size(&sizes, self.config.segment_bytes);
        for segment in self.segments.iter_mut().take(cleanable) {
            let before = segment.size;
            segment.records.retain_mut(|record| {
                if record.offset >= end {
                    return true;
                }
                if aborted(record) {
                    report.aborted_records += 1;
                    return false;
                }
                let superseded = record
                    .key
                    .as_ref()
                    .and_then(|k| latest.get(k))
                    .is_some_and(|&l| record.offset < l);
                if superseded {
                    report.superseded_records += 1;
                    return false;
                }
                if record.is_tombstone() {
                    match record.delete_horizon {
                        None => record.delete_horizon = Some(horizon),
                        Some(at) if now >= at => {
                            report.expired_tombstones += 1;
                            return false;
                        }
                        Some(_) => {}
                    }
                }
                true
            });
            segment.records.shrink_to_fit();
            segment.recompute();
            report.freed_bytes += before - segment.size;
        }
        // Each group becomes one segment, from the last group back so indices stay valid.
        for group in groups.into_iter().rev() {
            let merged: Vec<_> = self.segments.drain(group.start + 1..group.end).collect();
            let first = &mut self.segments[group.start];
            for segment in merged {
                first.records.extend(segment.records);
            }
            first.recompute();
        }
        self.cleaner_checkpoint = self.cleaner_checkpoint.max(end);
        report
    }
}

/// `LogCleaner.groupSegmentsBySize`: consecutive segments of `sizes` in groups whose total is at most
/// `max_size` (a segment larger than that alone makes a group), in order.
#[must_use]
pub fn group_segments_by_size(sizes: &[u64], max_size: u64) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < sizes.len() {
        let mut total = sizes[start];
        let mut end = start + 1;
        while end < sizes.len() && total + sizes[end] <= max_size {
            total += sizes[end];
            end += 1;
        }
        groups.push(start..end);
        start = end;
    }
    groups
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::super::{CleanupPolicy, LogConfig};
    use super::*;
    use crate::time::Duration;

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn compacted() -> LogConfig {
        // Keys of 1 byte and values of 11 bytes make 80-byte records; three per 250-byte segment.
        LogConfig {
            cleanup_policy: CleanupPolicy::Compact,
            segment_bytes: 250,
            delete_retention_ms: Duration::from_millis(100),
            ..LogConfig::default()
        }
    }

    /// Appends `(key, value)` pairs, `None` values being tombstones, one per millisecond from `start`.
    fn append_all(log: &mut PartitionLog, start: u64, records: &[(u8, Option<u32>)]) {
        for (i, &(key, value)) in records.iter().enumerate() {
            log.append_and_commit(at(start + i as u64), Some(&[key]), value)
                .expect("keyed append");
        }
    }

    fn contents(log: &PartitionLog) -> Vec<(u64, u8, bool)> {
        log.segments()
            .flat_map(|s| s.records())
            .map(|r| {
                (
                    r.offset,
                    r.key.as_deref().map_or(0, |k| k[0]),
                    r.value_size.is_some(),
                )
            })
            .collect()
    }

    /// `LogCleanerTest.testAbortMarkerRemoval`'s setting without the marker's removal, and
    /// `testCleanWithTransactionsSpanningSegments`' stop at the first unstable offset: an aborted value
    /// of a key is dropped and never hides the committed one before it, and an open transaction's
    /// records are not cleaned.
    #[test]
    fn aborted_records_go_and_open_transactions_wait() {
        use super::super::RecordMeta;
        use super::super::producer_state::{BatchMetadata, Marker, ProducerBatch, ProducerStates};
        use super::super::transactions::Control;
        let mut log = PartitionLog::new(compacted());
        let mut states = ProducerStates::default();
        let write = |log: &mut PartitionLog,
                     states: &mut ProducerStates,
                     key: u8,
                     pid: Option<u64>,
                     seq: u32| {
            let meta = RecordMeta {
                transaction: pid,
                control: None,
            };
            let offset = log
                .append_with(at(u64::from(seq)), Some(&[key]), Some(11), meta)
                .expect("keyed append");
            if let Some(pid) = pid {
                states.record(ProducerBatch {
                    producer_id: pid,
                    epoch: 0,
                    metadata: BatchMetadata {
                        first_seq: seq,
                        last_seq: seq,
                        first_offset: offset,
                        last_offset: offset,
                    },
                    transactional: true,
                });
            }
        };
        write(&mut log, &mut states, 1, None, 0); // 0: k1, committed outside any transaction
        write(&mut log, &mut states, 1, Some(7), 0); // 1: k1 in a transaction of producer 7, then aborted
        let marker = log
            .append_with(
                at(2),
                None,
                None,
                RecordMeta {
                    transaction: Some(7),
                    control: Some(Control::Abort),
                },
            )
            .expect("a marker");
        states.record_marker(Marker {
            producer_id: 7,
            epoch: 0,
            control: Control::Abort,
            offset: marker,
        });
        write(&mut log, &mut states, 2, Some(8), 1); // 3: k2, open
        write(&mut log, &mut states, 2, None, 4); // 4: k2 again, after the open transaction
        log.roll();
        log.set_high_watermark(log.log_end_offset());
        states.on_high_watermark(log.high_watermark());
        let report = log
            .handle_cleaning_with(at(10), true, states.transactions())
            .expect("compacts");
        assert_eq!(report.aborted_records, 1);
        assert_eq!(
            report.cleaned_range,
            (0, 3),
            "stops at the open transaction"
        );
        let offsets: Vec<u64> = log
            .segments()
            .flat_map(|s| s.records())
            .map(|r| r.offset)
            .collect();
        assert_eq!(
            offsets,
            [0, 2, 3, 4],
            "k1's committed value and the marker stay"
        );
    }

    #[test]
    fn keeps_the_latest_record_per_key_with_offsets_unchanged() {
        let mut log = PartitionLog::new(compacted());
        // Offsets 0..=6: a b a c b a | d (active segment from offset 6).
        append_all(
            &mut log,
            0,
            &[
                (b'a', Some(11)),
                (b'b', Some(11)),
                (b'a', Some(11)),
                (b'c', Some(11)),
                (b'b', Some(11)),
                (b'a', Some(11)),
                (b'd', Some(11)),
            ],
        );
        let report = log.handle_cleaning(at(10), true).expect("compacted topic");
        assert_eq!(
            report.cleaned_range,
            (0, 6),
            "the active segment (base 6) is never compacted"
        );
        assert_eq!(report.superseded_records, 3);
        assert_eq!(report.freed_bytes, 240);
        assert_eq!(
            contents(&log),
            [
                (3, b'c', true),
                (4, b'b', true),
                (5, b'a', true),
                (6, b'd', true)
            ]
        );
        assert_eq!(
            log.fetch(0, 1).expect("offset 0 still valid")[0].offset,
            3,
            "a gap reads the next record"
        );
    }

    /// `LogCleanerTest.testSegmentGrouping`, by log size: a huge limit makes one group, a tiny one makes
    /// singletons, and a limit of three segments plus one byte makes groups of three (but the last).
    #[test]
    fn segments_are_grouped_by_size_in_order() {
        let sizes = [100_u64; 10];
        let one_group = group_segments_by_size(&sizes, u64::MAX);
        assert_eq!((one_group.len(), one_group[0].clone()), (1, 0..10));
        assert_eq!(
            group_segments_by_size(&sizes, 1),
            (0..10).map(|i| i..i + 1).collect::<Vec<_>>()
        );
        assert_eq!(
            group_segments_by_size(&sizes, 301),
            [0..3, 3..6, 6..9, 9..10]
        );
        assert_eq!(
            group_segments_by_size(&[500, 10, 10, 500], 400),
            [0..1, 1..3, 3..4]
        );
        assert!(group_segments_by_size(&[], 10).is_empty());
    }

    #[test]
    fn small_cleaned_segments_are_merged_up_to_segment_bytes() {
        let mut log = PartitionLog::new(compacted());
        let rewrite = |log: &mut PartitionLog, start: u64| {
            for round in 0..4 {
                append_all(
                    log,
                    start + round * 10,
                    &[(1, Some(11)), (2, Some(11)), (3, Some(11))],
                );
            }
        };
        // Grouping goes by sizes before the pass: full segments (240 of 250 bytes) stay apart.
        rewrite(&mut log, 0);
        let full = log.segments().count();
        log.handle_cleaning(at(1_000), true).expect("cleaned");
        assert_eq!(log.segments().count(), full);
        // The next pass finds the emptied segments small and rewrites them together.
        rewrite(&mut log, 2_000);
        let before = log.segments().count();
        log.handle_cleaning(at(3_000), true).expect("cleaned");
        let after = log.segments().count();
        assert!(after < before, "{before} segments became {after}");
        let limit = log.config().segment_bytes;
        assert!(log.segments().all(|s| s.size() <= limit));
        let offsets: Vec<u64> = contents(&log).iter().map(|(o, _, _)| *o).collect();
        assert!(
            offsets.windows(2).all(|w| w[0] < w[1]),
            "order kept: {offsets:?}"
        );
        let bases: Vec<u64> = log.segments().map(|s| s.base_offset).collect();
        assert!(
            bases.windows(2).all(|w| w[0] < w[1]) && bases[0] == 0,
            "{bases:?}"
        );
    }

    #[test]
    fn the_active_segment_is_never_compacted() {
        let mut log = PartitionLog::new(compacted());
        append_all(&mut log, 0, &[(b'a', Some(11)), (b'a', Some(11))]);
        let report = log.handle_cleaning(at(10), true).expect("compacted topic");
        assert_eq!(report.superseded_records, 0);
        assert_eq!(log.record_count(), 2);
    }

    #[test]
    fn tombstones_survive_delete_retention_then_go() {
        let mut log = PartitionLog::new(compacted());
        // a, a=tombstone, b | c (active)
        append_all(
            &mut log,
            0,
            &[
                (b'a', Some(11)),
                (b'a', None),
                (b'b', Some(11)),
                (b'c', Some(11)),
            ],
        );
        let first = log.handle_cleaning(at(10), true).expect("compacted");
        assert_eq!((first.superseded_records, first.expired_tombstones), (1, 0));
        assert_eq!(
            contents(&log),
            [(1, b'a', false), (2, b'b', true), (3, b'c', true)]
        );
        assert!(
            log.handle_cleaning(at(109), true)
                .expect("compacted")
                .expired_tombstones
                == 0,
            "horizon is 110"
        );
        let last = log.handle_cleaning(at(110), true).expect("compacted");
        assert_eq!(last.expired_tombstones, 1);
        assert_eq!(contents(&log), [(2, b'b', true), (3, b'c', true)]);
    }

    #[test]
    fn min_compaction_lag_and_dirty_ratio_hold_the_cleaner_back() {
        let config = LogConfig {
            min_compaction_lag_ms: Duration::from_millis(50),
            ..compacted()
        };
        let mut log = PartitionLog::new(config);
        append_all(
            &mut log,
            0,
            &[
                (b'a', Some(11)),
                (b'a', Some(11)),
                (b'a', Some(11)),
                (b'b', Some(11)),
            ],
        );
        assert_eq!(
            log.first_uncleanable_offset(at(10)),
            0,
            "records younger than 50 ms"
        );
        assert_eq!(log.first_uncleanable_offset(at(60)), 3);
        assert!(
            (log.cleanable_ratio(at(60)) - 1.0).abs() < f64::EPSILON,
            "never cleaned: all dirty"
        );
        assert!(
            log.handle_cleaning(at(60), false).is_some(),
            "ratio 1.0 > 0.5"
        );
        assert!(
            log.handle_cleaning(at(60), false).is_none(),
            "nothing dirty left"
        );
        let mut delete_only = PartitionLog::new(LogConfig::default());
        assert!(
            delete_only.handle_cleaning(at(0), true).is_none(),
            "cleanup.policy=delete never compacts"
        );
    }
}
