//! # A partition's transactions: open, decided, aborted, and the last stable offset
//!
//! A transactional producer's first batch on a partition opens its transaction there at that batch's
//! first offset; the transaction coordinator ends it by writing a **marker** (a one-record control batch,
//! `COMMIT` or `ABORT`) that takes an offset of its own (KIP-98). Between the two, the records are
//! *undecided*; once the marker is written the transaction is decided, and once the high watermark has
//! passed the marker it is *stable* (`ProducerStateManager`: `ongoingTxns`, `unreplicatedTxns`,
//! `firstUndecidedOffset`, `firstUnstableOffset`, `onHighWatermarkUpdated`).
//!
//! The **last stable offset** (LSO) is the first unstable offset, or the high watermark when there is
//! none. A `read_committed` consumer (`isolation.level`) reads only below it and drops the records of
//! aborted transactions, which the partition lists in its aborted-transaction index (`AbortedTxn`: the
//! producer, the transaction's first offset and its marker's offset), so an open transaction holds back
//! every record after it, committed or not, until it ends. A `read_uncommitted` consumer reads up to the
//! high watermark, aborted records included. Both skip the markers.
//!
//! The log cleaner drops aborted records and stops at the first unstable offset ([`super::compaction`]).
//! kplay keeps the aborted index for the life of the log (Kafka deletes an entry with its segment) and
//! keeps markers through compaction (Kafka drops them later).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// The kind of a transaction marker (`ControlRecordType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Control {
    /// The transaction's records are committed.
    Commit,
    /// The transaction's records are aborted: `read_committed` consumers never see them.
    Abort,
}

impl Control {
    /// The name `kplay world --records` prints: `commit` or `abort`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Commit => "commit",
            Self::Abort => "abort",
        }
    }
}

/// A transaction a marker ended on this partition (`CompletedTxn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompletedTxn {
    /// The producer.
    pub producer_id: u64,
    /// Its first record's offset.
    pub first_offset: u64,
    /// The marker's offset.
    pub last_offset: u64,
    /// Ended by an `ABORT` marker.
    pub aborted: bool,
}

/// The partition's transactions; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transactions {
    /// Open transactions by first offset: the producer.
    ongoing: BTreeMap<u64, u64>,
    /// Decided transactions whose marker is not below the high watermark yet, by first offset: the
    /// marker's offset.
    unreplicated: BTreeMap<u64, u64>,
    /// Aborted transactions, in the order their markers were written.
    aborted: Vec<CompletedTxn>,
}

impl Transactions {
    /// `producer_id` opened a transaction at `first_offset`.
    pub(super) fn begin(&mut self, producer_id: u64, first_offset: u64) {
        self.ongoing.insert(first_offset, producer_id);
    }

    /// A marker ended `txn` (`completeTxn`).
    pub(super) fn complete(&mut self, txn: CompletedTxn) {
        self.ongoing.remove(&txn.first_offset);
        self.unreplicated.insert(txn.first_offset, txn.last_offset);
        if txn.aborted {
            self.aborted.push(txn);
        }
    }

    /// Decided transactions whose markers are below `high_watermark` are stable.
    pub(super) fn on_high_watermark(&mut self, high_watermark: u64) {
        self.unreplicated
            .retain(|_, &mut last| last >= high_watermark);
    }

    /// The first offset of an open transaction (`firstUndecidedOffset`).
    #[must_use]
    pub fn first_undecided_offset(&self) -> Option<u64> {
        self.ongoing.keys().next().copied()
    }

    /// The first offset of an open or not yet stable transaction (`firstUnstableOffset`).
    #[must_use]
    pub fn first_unstable_offset(&self) -> Option<u64> {
        let decided = self.unreplicated.keys().next().copied();
        match (self.first_undecided_offset(), decided) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The last stable offset of a partition whose high watermark is `high_watermark`.
    #[must_use]
    pub fn last_stable_offset(&self, high_watermark: u64) -> u64 {
        self.first_unstable_offset()
            .map_or(high_watermark, |first| first.min(high_watermark))
    }

    /// Whether the record of `producer_id` at `offset` belongs to an aborted transaction.
    #[must_use]
    pub fn is_aborted(&self, producer_id: u64, offset: u64) -> bool {
        self.aborted.iter().any(|t| {
            t.producer_id == producer_id && (t.first_offset..=t.last_offset).contains(&offset)
        })
    }

    /// Open transactions: `(first offset, producer)`, oldest first.
    pub fn ongoing(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.ongoing.iter().map(|(&first, &pid)| (first, pid))
    }
}

#[cfg(test)]
mod tests {
    use super::super::producer_state::{
        BatchMetadata, Marker, ProducerBatch, ProducerStates, SequenceError, Verdict,
    };
    use super::*;

    const PID: u64 = 1;

    /// A one-record batch of `pid` at `offset` (`appendClientEntry`).
    fn data(
        s: &mut ProducerStates,
        pid: u64,
        epoch: u16,
        seq: u32,
        offset: u64,
        transactional: bool,
    ) -> Result<Verdict, SequenceError> {
        let verdict = s.check(pid, epoch, (seq, seq), transactional)?;
        s.record(ProducerBatch {
            producer_id: pid,
            epoch,
            metadata: BatchMetadata {
                first_seq: seq,
                last_seq: seq,
                first_offset: offset,
                last_offset: offset,
            },
            transactional,
        });
        Ok(verdict)
    }

    /// A marker of `pid` at `offset` (`appendEndTxnMarker`).
    fn marker(
        s: &mut ProducerStates,
        pid: u64,
        epoch: u16,
        control: Control,
        offset: u64,
    ) -> Result<Option<CompletedTxn>, SequenceError> {
        s.check_marker(pid, epoch)?;
        Ok(s.record_marker(Marker {
            producer_id: pid,
            epoch,
            control,
            offset,
        }))
    }

    fn invalid_epoch(r: Result<impl core::fmt::Debug, SequenceError>) -> bool {
        matches!(r, Err(SequenceError::InvalidEpoch { .. }))
    }

    fn out_of_order(r: Result<impl core::fmt::Debug, SequenceError>) -> bool {
        matches!(r, Err(SequenceError::OutOfOrder { .. }))
    }

    /// `ProducerStateManagerTest.testFirstUnstableOffset`: two open transactions; the first one's commit
    /// decides it but it stays unstable until the high watermark passes its marker.
    #[test]
    fn first_unstable_offset_waits_for_the_marker_to_be_replicated() {
        let mut s = ProducerStates::default();
        assert_eq!(s.transactions().first_undecided_offset(), None);
        data(&mut s, PID, 5, 0, 99, true).expect("accepted");
        let t = |s: &ProducerStates| {
            (
                s.transactions().first_undecided_offset(),
                s.transactions().first_unstable_offset(),
            )
        };
        assert_eq!(t(&s), (Some(99), Some(99)));
        data(&mut s, 2, 5, 0, 105, true).expect("accepted");
        assert_eq!(t(&s), (Some(99), Some(99)));
        marker(&mut s, PID, 5, Control::Commit, 109).expect("accepted");
        assert_eq!(t(&s), (Some(105), Some(99)));
        s.on_high_watermark(100);
        assert_eq!(t(&s), (Some(105), Some(99)));
        s.on_high_watermark(110);
        assert_eq!(t(&s), (Some(105), Some(105)));
        marker(&mut s, 2, 5, Control::Abort, 112).expect("accepted");
        assert_eq!(t(&s), (None, Some(105)));
        s.on_high_watermark(113);
        assert_eq!(t(&s), (None, None));
        assert_eq!(s.transactions().last_stable_offset(113), 113);
    }

    /// `ProducerStateManagerTest.testLastStableOffsetCompletedTxn`: three transactions; completing the
    /// first and the third leaves the second's start as the LSO, completing it frees the log.
    #[test]
    fn the_last_stable_offset_is_the_oldest_open_transaction() {
        let mut s = ProducerStates::default();
        let (start1, start2, start3) = (992_342, 992_367, 992_399);
        data(&mut s, PID, 0, 0, start1, true).expect("accepted");
        data(&mut s, PID + 1, 0, 0, start2, true).expect("accepted");
        data(&mut s, PID + 2, 0, 0, start3, true).expect("accepted");
        let last1 = start3 + 15;
        marker(&mut s, PID, 0, Control::Commit, last1).expect("accepted");
        s.on_high_watermark(last1 + 1);
        assert_eq!(s.transactions().first_unstable_offset(), Some(start2));
        assert_eq!(s.transactions().last_stable_offset(last1 + 1), start2);
        let last3 = last1 + 20;
        marker(&mut s, PID + 2, 0, Control::Commit, last3).expect("accepted");
        s.on_high_watermark(last3 + 1);
        assert_eq!(s.transactions().first_unstable_offset(), Some(start2));
        let last2 = last3 + 78;
        marker(&mut s, PID + 1, 0, Control::Commit, last2).expect("accepted");
        s.on_high_watermark(last2 + 1);
        assert_eq!(s.transactions().first_unstable_offset(), None);
        assert_eq!(s.transactions().last_stable_offset(last2 + 1), last2 + 1);
    }

    /// `ProducerStateManagerTest.testControlRecordBumpsProducerEpoch` and
    /// `testOutOfSequenceAfterControlRecordEpochBump`: an abort marker with a newer epoch ends the
    /// transaction and restarts the sequences at 0 in that epoch.
    #[test]
    fn a_marker_with_a_newer_epoch_fences_and_restarts_sequences() {
        let mut s = ProducerStates::default();
        data(&mut s, PID, 0, 0, 0, true).expect("accepted");
        data(&mut s, PID, 0, 1, 1, true).expect("accepted");
        let done = marker(&mut s, PID, 1, Control::Abort, 2).expect("accepted");
        assert_eq!(
            done,
            Some(CompletedTxn {
                producer_id: PID,
                first_offset: 0,
                last_offset: 2,
                aborted: true
            })
        );
        assert!(out_of_order(data(&mut s, PID, 1, 2, 3, true)));
        assert!(out_of_order(data(&mut s, PID, 2, 2, 3, true)));
        assert!(invalid_epoch(data(&mut s, PID, 0, 2, 3, true)), "fenced");
        assert_eq!(data(&mut s, PID, 1, 0, 3, true), Ok(Verdict::Append));
        assert!(s.transactions().is_aborted(PID, 1));
        assert!(!s.transactions().is_aborted(PID, 3), "a new transaction");
    }

    /// `ProducerStateManagerTest.testAppendTxnMarkerWithNoProducerState`: a marker alone is enough to
    /// fence older epochs, and the next batch must start at sequence 0.
    #[test]
    fn a_marker_alone_fences_and_expects_sequence_zero() {
        let mut s = ProducerStates::default();
        assert_eq!(marker(&mut s, PID, 2, Control::Commit, 27), Ok(None));
        assert!(invalid_epoch(data(&mut s, PID, 0, 0, 28, false)));
        assert!(out_of_order(data(&mut s, PID, 2, 17, 28, false)));
        assert_eq!(data(&mut s, PID, 2, 0, 39, false), Ok(Verdict::Append));
    }

    /// `ProducerStateManagerTest.testOldEpochForControlRecord` and
    /// `testNonTransactionalAppendWithOngoingTransaction`.
    #[test]
    fn old_markers_and_plain_batches_inside_a_transaction_are_refused() {
        let mut s = ProducerStates::default();
        data(&mut s, PID, 5, 0, 99, true).expect("accepted");
        assert!(invalid_epoch(marker(&mut s, PID, 3, Control::Commit, 100)));
        assert_eq!(
            data(&mut s, PID, 5, 1, 100, false),
            Err(SequenceError::InvalidTxnState)
        );
    }

    /// `ProducerStateManagerTest.testSkipEmptyTransactions`: markers of transactions with no data here
    /// complete nothing; the LSO stops at the one still open.
    #[test]
    fn markers_without_data_complete_nothing() {
        let mut s = ProducerStates::default();
        for (seq, offset) in (16..=20).enumerate() {
            data(&mut s, PID, 0, seq as u32, offset, true).expect("accepted");
        }
        s.on_high_watermark(21);
        assert_eq!(s.transactions().first_unstable_offset(), Some(16));
        let first = marker(&mut s, PID, 0, Control::Commit, 21).expect("accepted");
        assert_eq!(
            first.map(|t| (t.first_offset, t.last_offset)),
            Some((16, 21))
        );
        assert_eq!(marker(&mut s, PID, 0, Control::Commit, 22), Ok(None));
        assert_eq!(marker(&mut s, PID, 0, Control::Abort, 23), Ok(None));
        for (seq, offset) in (24..=27).enumerate() {
            data(&mut s, PID, 0, 5 + seq as u32, offset, true).expect("accepted");
        }
        assert!(
            marker(&mut s, PID, 0, Control::Abort, 28)
                .expect("accepted")
                .is_some()
        );
        assert_eq!(marker(&mut s, PID, 0, Control::Abort, 29), Ok(None));
        data(&mut s, PID, 0, 9, 30, true).expect("accepted");
        data(&mut s, PID, 0, 10, 31, true).expect("accepted");
        s.on_high_watermark(32);
        assert_eq!(s.transactions().first_unstable_offset(), Some(30));
        assert!(s.transactions().is_aborted(PID, 25));
        assert!(!s.transactions().is_aborted(PID, 18));
    }
}
