//! # Producer state on the broker: sequence numbers and duplicates
//!
//! An idempotent producer stamps each batch with its producer id, its epoch and the sequence number of the
//! batch's first record (`baseSequence`; records follow at +1 each). Each partition's leader keeps, per
//! producer, the epoch and the metadata of the last [`BATCHES_TO_RETAIN`] batches it appended
//! (`ProducerStateEntry`, `ProducerStateManager`), and checks every new batch against them:
//!
//! 1. a batch with the same epoch and exactly the sequence range of a retained one is a **duplicate** — a
//!    retry of a batch already written — and is answered with the original's offsets, not appended again
//!    (`UnifiedLog.analyzeAndValidateProducerState`, `findDuplicateBatch`);
//! 2. an epoch older than the producer's is refused: `INVALID_PRODUCER_EPOCH` (`checkProducerEpoch`);
//! 3. with the same epoch the first sequence must follow the last one (`lastSeq + 1`, or 0 after
//!    `Integer.MAX_VALUE`); with a new epoch it must be 0; otherwise `OUT_OF_ORDER_SEQUENCE_NUMBER`
//!    (`ProducerAppendInfo.checkSequence`). A producer the partition knows nothing of may start anywhere.
//!
//! A transactional batch opens the producer's transaction on the partition at its first offset, and a
//! non-transactional batch while one is open is refused with `INVALID_TXN_STATE`
//! (`ProducerAppendInfo.appendDataBatch`). A transaction marker (a control record written by the
//! transaction coordinator) ends it: its epoch may be newer than the producer's, which fences the older one
//! and restarts its sequences at 0, but never older (`appendEndTxnMarker`). The partition's open and
//! decided transactions, and so its last stable offset, are [`super::transactions`]'.
//!
//! The state is derived from the log: a new leader rebuilds it from the batches and markers in its replica
//! ([`ProducerStates::rebuild`]), so a retry sent to the new leader after a failover is still recognised
//! as a duplicate when the batch had reached it.

use alloc::collections::{BTreeMap, VecDeque};

use super::transactions::{CompletedTxn, Control, Transactions};

/// Batches retained per producer per partition (`ProducerStateEntry.NUM_BATCHES_TO_RETAIN`).
pub const BATCHES_TO_RETAIN: usize = 5;

/// Where a batch went: its sequence range and its offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMetadata {
    /// The first record's sequence number.
    pub first_seq: u32,
    /// The last record's sequence number.
    pub last_seq: u32,
    /// The first record's offset.
    pub first_offset: u64,
    /// The last record's offset.
    pub last_offset: u64,
}

/// What the leader does with an idempotent batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Append it.
    Append,
    /// A retry of a batch already written at these offsets: answer with them, append nothing.
    Duplicate(BatchMetadata),
}

/// Why the leader refuses an idempotent batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceError {
    /// `OUT_OF_ORDER_SEQUENCE_NUMBER`: the first sequence does not follow the last one appended.
    OutOfOrder {
        /// The batch's first sequence.
        found: u32,
        /// The last sequence appended in this epoch (`None` at a new epoch, which must start at 0).
        last: Option<u32>,
    },
    /// `INVALID_PRODUCER_EPOCH`: the producer has moved to a newer epoch (a zombie writes with an old one).
    InvalidEpoch {
        /// The batch's epoch.
        found: u16,
        /// The producer's current epoch.
        current: u16,
    },
    /// `INVALID_TXN_STATE`: a batch outside a transaction while the producer has one open here.
    InvalidTxnState,
}

impl SequenceError {
    /// Kafka's error name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::OutOfOrder { .. } => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            Self::InvalidEpoch { .. } => "INVALID_PRODUCER_EPOCH",
            Self::InvalidTxnState => "INVALID_TXN_STATE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    epoch: u16,
    batches: VecDeque<BatchMetadata>,
    /// The first offset of the producer's open transaction here (`currentTxnFirstOffset`).
    txn_first_offset: Option<u64>,
}

impl Entry {
    fn new(epoch: u16) -> Self {
        Self {
            epoch,
            batches: VecDeque::new(),
            txn_first_offset: None,
        }
    }
}

/// One partition's producer state; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProducerStates {
    producers: BTreeMap<u64, Entry>,
    transactions: Transactions,
}

/// A batch of an idempotent producer as the log holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerBatch {
    /// The producer id.
    pub producer_id: u64,
    /// The producer epoch.
    pub epoch: u16,
    /// Its sequence range and offsets.
    pub metadata: BatchMetadata,
    /// Written inside a transaction (the batch's `isTransactional` attribute).
    pub transactional: bool,
}

/// A transaction marker as the log holds it: a control batch of one record at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// The producer whose transaction it ends.
    pub producer_id: u64,
    /// The epoch the coordinator wrote it with (newer than the producer's when it fences it).
    pub epoch: u16,
    /// Commit or abort.
    pub control: Control,
    /// Its offset.
    pub offset: u64,
}

/// What a partition's log holds, in offset order, as far as producer state goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A batch of an idempotent or transactional producer.
    Batch(ProducerBatch),
    /// A transaction marker.
    Marker(Marker),
}

impl ProducerStates {
    /// What the leader does with a batch of `producer_id` at `epoch` with sequences `first_seq..=last_seq`,
    /// written inside a transaction or not.
    ///
    /// # Errors
    /// [`SequenceError`] when the batch is neither a duplicate nor next in line, or is not transactional
    /// while the producer has a transaction open here.
    pub fn check(
        &self,
        producer_id: u64,
        epoch: u16,
        (first_seq, last_seq): (u32, u32),
        transactional: bool,
    ) -> Result<Verdict, SequenceError> {
        let Some(entry) = self.producers.get(&producer_id) else {
            return Ok(Verdict::Append);
        };
        if epoch == entry.epoch
            && let Some(original) = entry
                .batches
                .iter()
                .find(|b| b.first_seq == first_seq && b.last_seq == last_seq)
        {
            return Ok(Verdict::Duplicate(*original));
        }
        if epoch < entry.epoch {
            return Err(SequenceError::InvalidEpoch {
                found: epoch,
                current: entry.epoch,
            });
        }
        let last = (epoch == entry.epoch)
            .then(|| entry.batches.back().map(|b| b.last_seq))
            .flatten();
        let in_sequence = match last {
            Some(last) => {
                u64::from(first_seq) == u64::from(last) + 1
                    || (first_seq == 0 && last == i32::MAX as u32)
            }
            // A new epoch, or only a marker known: sequences restart at 0.
            None => first_seq == 0,
        };
        if !in_sequence {
            return Err(SequenceError::OutOfOrder {
                found: first_seq,
                last,
            });
        }
        if !transactional && entry.txn_first_offset.is_some() {
            return Err(SequenceError::InvalidTxnState);
        }
        Ok(Verdict::Append)
    }

    /// Whether the leader takes a marker of `producer_id` at `epoch`.
    ///
    /// # Errors
    /// [`SequenceError::InvalidEpoch`] for an epoch older than the producer's (`testOldEpochForControlRecord`).
    pub fn check_marker(&self, producer_id: u64, epoch: u16) -> Result<(), SequenceError> {
        match self.producers.get(&producer_id) {
            Some(entry) if epoch < entry.epoch => Err(SequenceError::InvalidEpoch {
                found: epoch,
                current: entry.epoch,
            }),
            _ => Ok(()),
        }
    }

    /// Records an appended marker: it ends the producer's open transaction here, if it has one, which
    /// is returned; a newer epoch resets its sequences.
    pub fn record_marker(&mut self, marker: Marker) -> Option<CompletedTxn> {
        let entry = self.entry_at(marker.producer_id, marker.epoch);
        let first_offset = entry.txn_first_offset.take()?;
        let completed = CompletedTxn {
            producer_id: marker.producer_id,
            first_offset,
            last_offset: marker.offset,
            aborted: marker.control == Control::Abort,
        };
        self.transactions.complete(completed);
        Some(completed)
    }

    /// `producer_id`'s entry as of something it wrote at `epoch`: a new epoch forgets the batches of
    /// the old one, so its sequences start again.
    fn entry_at(&mut self, producer_id: u64, epoch: u16) -> &mut Entry {
        let entry = self
            .producers
            .entry(producer_id)
            .or_insert_with(|| Entry::new(epoch));
        if epoch != entry.epoch {
            entry.epoch = epoch;
            entry.batches.clear();
        }
        entry
    }

    /// The partition's transactions: open, decided but not yet replicated, aborted.
    #[must_use]
    pub fn transactions(&self) -> &Transactions {
        &self.transactions
    }

    /// The high watermark moved to `offset`: transactions whose markers are below it are stable.
    pub fn on_high_watermark(&mut self, offset: u64) {
        self.transactions.on_high_watermark(offset);
    }

    /// Records an appended batch (after [`Self::check`] said to append it, or when rebuilding from a log).
    pub fn record(&mut self, batch: ProducerBatch) {
        let entry = self.entry_at(batch.producer_id, batch.epoch);
        if entry.batches.len() == BATCHES_TO_RETAIN {
            entry.batches.pop_front();
        }
        entry.batches.push_back(batch.metadata);
        if batch.transactional && entry.txn_first_offset.is_none() {
            entry.txn_first_offset = Some(batch.metadata.first_offset);
            self.transactions
                .begin(batch.producer_id, batch.metadata.first_offset);
        }
    }

    /// The state of a log holding `written`, oldest first (a new leader's, or a log cut back), whose
    /// high watermark is `high_watermark`.
    pub fn rebuild(written: impl IntoIterator<Item = Written>, high_watermark: u64) -> Self {
        let mut states = Self::default();
        for w in written {
            match w {
                Written::Batch(batch) => states.record(batch),
                Written::Marker(marker) => {
                    states.record_marker(marker);
                }
            }
        }
        states.on_high_watermark(high_watermark);
        states
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PID: u64 = 1;

    fn batch(epoch: u16, first_seq: u32, last_seq: u32, first_offset: u64) -> ProducerBatch {
        ProducerBatch {
            producer_id: PID,
            epoch,
            metadata: BatchMetadata {
                first_seq,
                last_seq,
                first_offset,
                last_offset: first_offset + u64::from(last_seq.wrapping_sub(first_seq)),
            },
            transactional: false,
        }
    }

    /// Appends like a leader: check, then record what is appended.
    fn append(
        states: &mut ProducerStates,
        epoch: u16,
        first_seq: u32,
        last_seq: u32,
        offset: u64,
    ) -> Result<Verdict, SequenceError> {
        let verdict = states.check(PID, epoch, (first_seq, last_seq), false)?;
        if verdict == Verdict::Append {
            states.record(batch(epoch, first_seq, last_seq, offset));
        }
        Ok(verdict)
    }

    /// `ProducerStateManagerTest.testBasicIdMapping`, with duplicates checked first as the log does: a
    /// repeat of the last batch is a duplicate, a gap is out of order, a new epoch starts at 0 and an old
    /// epoch is refused.
    #[test]
    fn sequences_follow_each_other_and_epochs_only_grow() {
        let mut s = ProducerStates::default();
        assert_eq!(append(&mut s, 0, 0, 0, 0), Ok(Verdict::Append));
        assert_eq!(append(&mut s, 0, 1, 1, 1), Ok(Verdict::Append));
        assert!(matches!(
            append(&mut s, 0, 1, 1, 2),
            Ok(Verdict::Duplicate(_))
        ));
        assert_eq!(
            append(&mut s, 0, 5, 5, 2),
            Err(SequenceError::OutOfOrder {
                found: 5,
                last: Some(1)
            })
        );
        assert_eq!(append(&mut s, 1, 0, 0, 3), Ok(Verdict::Append));
        assert_eq!(
            append(&mut s, 0, 0, 0, 4),
            Err(SequenceError::InvalidEpoch {
                found: 0,
                current: 1
            })
        );
        assert_eq!(
            append(&mut s, 2, 3, 3, 4).map_err(SequenceError::name),
            Err("OUT_OF_ORDER_SEQUENCE_NUMBER"),
            "a new epoch starts at sequence 0"
        );
    }

    /// `UnifiedLogTest.testDuplicateAppends`: six single-record batches, then a three-record batch whose
    /// retry returns its offsets; a partial duplicate and a batch older than the last five are out of
    /// order; the fourth from the tail is still a duplicate.
    #[test]
    fn the_last_five_batches_answer_retries_with_their_offsets() {
        let mut s = ProducerStates::default();
        for seq in 0..6 {
            assert_eq!(
                append(&mut s, 0, seq, seq, u64::from(seq)),
                Ok(Verdict::Append)
            );
        }
        assert_eq!(append(&mut s, 0, 6, 8, 6), Ok(Verdict::Append));
        let Ok(Verdict::Duplicate(original)) = append(&mut s, 0, 6, 8, 9) else {
            panic!("the retry of the tail batch is a duplicate")
        };
        assert_eq!((original.first_offset, original.last_offset), (6, 8));
        assert!(
            append(&mut s, 0, 7, 8, 9).is_err(),
            "a partial duplicate of the tail"
        );
        assert!(matches!(
            append(&mut s, 0, 2, 2, 9),
            Ok(Verdict::Duplicate(m)) if m.first_offset == 2
        ));
        assert!(
            append(&mut s, 0, 1, 1, 9).is_err(),
            "older than the last five batches"
        );
    }

    /// `ProducerStateManagerTest.testProducerSequenceWrapAround` and `testProducerSequenceInvalidWrapAround`:
    /// after `Integer.MAX_VALUE` comes 0, not 1.
    #[test]
    fn sequences_wrap_after_the_largest_int() {
        let max = i32::MAX as u32;
        let mut s = ProducerStates::rebuild([Written::Batch(batch(15, max, max, 735))], 736);
        assert!(append(&mut s, 15, 1, 1, 1_235).is_err());
        assert_eq!(append(&mut s, 15, 0, 0, 1_235), Ok(Verdict::Append));
    }

    /// `ProducerStateManagerTest.testNoValidationOnFirstEntryWhenLoadingLog`: a producer the partition does
    /// not know may start at any sequence; rebuilding from the log keeps only the last five batches.
    #[test]
    fn unknown_producers_start_anywhere_and_a_rebuilt_state_matches_the_log() {
        let s = ProducerStates::default();
        assert_eq!(s.check(PID, 5, (16, 16), false), Ok(Verdict::Append));
        let log: alloc::vec::Vec<_> = (0..8).map(|i| batch(0, i, i, u64::from(i))).collect();
        let rebuilt = ProducerStates::rebuild(log.iter().copied().map(Written::Batch), 8);
        assert!(rebuilt.check(PID, 0, (2, 2), false).is_err(), "evicted");
        assert!(matches!(
            rebuilt.check(PID, 0, (3, 3), false),
            Ok(Verdict::Duplicate(_))
        ));
        assert_eq!(rebuilt.check(PID, 0, (8, 8), false), Ok(Verdict::Append));
    }
}
