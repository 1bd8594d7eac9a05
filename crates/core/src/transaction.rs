//! # The transaction coordinator: transactional ids, epochs, commit and abort (KIP-98)
//!
//! A producer with a `transactional.id` registers it with `InitProducerId`. The coordinator
//! (`TransactionCoordinator.handleInitProducerId`, `TransactionMetadata`) keeps one producer id per
//! transactional id and bumps its **epoch** at every registration, so a second producer with the same
//! id — a restarted instance — **fences** the first: any write or commit with the old epoch is refused
//! (`INVALID_PRODUCER_EPOCH` from a partition leader, `PRODUCER_FENCED` from the coordinator). If the
//! old instance left a transaction open, the coordinator aborts it first with the epoch bumped once
//! (`PrepareEpochFence`), and the new instance gets the epoch after that.
//!
//! A transaction starts with the first partition it writes to (`Empty` / `Complete*` → `Ongoing`, which
//! starts its `transaction.timeout.ms` clock) and ends with `EndTxn`: `PrepareCommit` or `PrepareAbort`,
//! then the coordinator writes a marker to every partition of the transaction and, once every marker is
//! replicated ([`TransactionCoordinator::complete`]), moves to `CompleteCommit` / `CompleteAbort`. Until
//! then the producer's next transaction is refused with `CONCURRENT_TRANSACTIONS`, which it retries. Every `transaction.abort.timed.out.transaction.cleanup.interval.ms`
//! (10 s) it aborts transactions open longer than their timeout, bumping the epoch as a fence
//! (`abortTimedOutTransactions`, `prepareFenceProducerEpoch`).
//!
//! A transaction also carries consumer offsets (`sendOffsetsToTransaction`, `TxnOffsetCommit`): they
//! become the group's committed offsets when it commits and vanish when it aborts, and while it is open
//! a consumer that gains one of those partitions waits for them (`require_stable`, KIP-447) instead of
//! reading from the older committed offset — which is what makes consume-transform-produce exactly-once.
//!
//! kplay follows `transaction.version` 1: the epoch moves at registration and at a coordinator's abort
//! only (KIP-890's version 2 also bumps it at every commit and abort, which changes no offset or
//! visibility). The coordinator answers at once; its `__transaction_state` log is not modelled.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use crate::group::assignor::TopicPartition;
use crate::log::Control;
use crate::time::{Duration, Instant};

/// How often the coordinator looks for timed-out transactions
/// (`transaction.abort.timed.out.transaction.cleanup.interval.ms`).
pub const ABORT_CHECK_INTERVAL: Duration = Duration::from_secs(10);

/// `transaction.timeout.ms`'s default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A transaction's state at the coordinator (`TransactionState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnState {
    /// Registered, no transaction yet.
    Empty,
    /// Records written; not ended.
    Ongoing,
    /// Committing: markers being written.
    PrepareCommit,
    /// Aborting: markers being written.
    PrepareAbort,
    /// Committed: markers written.
    CompleteCommit,
    /// Aborted: markers written.
    CompleteAbort,
}

impl TxnState {
    /// Kafka's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::Ongoing => "Ongoing",
            Self::PrepareCommit => "PrepareCommit",
            Self::PrepareAbort => "PrepareAbort",
            Self::CompleteCommit => "CompleteCommit",
            Self::CompleteAbort => "CompleteAbort",
        }
    }
}

/// Why the coordinator refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnError {
    /// The request's epoch is older than the transactional id's (`PRODUCER_FENCED`; a partition leader
    /// says `INVALID_PRODUCER_EPOCH`).
    Fenced,
    /// No such producer id: it never registered.
    UnknownProducerId,
    /// The last transaction's markers are still being written (`CONCURRENT_TRANSACTIONS`, retriable).
    Concurrent,
}

impl TxnError {
    /// Kafka's error name, as the coordinator answers it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Fenced => "PRODUCER_FENCED",
            Self::UnknownProducerId => "UNKNOWN_PRODUCER_ID",
            Self::Concurrent => "CONCURRENT_TRANSACTIONS",
        }
    }
}

/// Markers the coordinator writes: one per partition of the transaction it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndMarkers {
    /// The transactional id.
    pub transactional_id: String,
    /// The producer id.
    pub producer_id: u64,
    /// The epoch the markers carry.
    pub epoch: u16,
    /// Commit or abort.
    pub control: Control,
    /// The partitions, in order.
    pub partitions: Vec<TopicPartition>,
    /// Consumer offsets the transaction carried: committed with it, dropped with an abort.
    pub offsets: Vec<TxnOffset>,
}

/// An offset a transaction carries for a consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnOffset {
    /// `group.id`.
    pub group: String,
    /// The member that sent it.
    pub member: String,
    /// The partition.
    pub tp: TopicPartition,
    /// The next offset to read.
    pub offset: u64,
}

/// One transactional id at the coordinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionMetadata {
    /// The producer id it keeps.
    pub producer_id: u64,
    /// The current epoch.
    pub epoch: u16,
    /// Its state.
    pub state: TxnState,
    /// Partitions of the open (or last) transaction.
    pub partitions: BTreeSet<TopicPartition>,
    /// When the open transaction started.
    pub started: Option<Instant>,
    /// `transaction.timeout.ms`.
    pub timeout: Duration,
    /// Consumer offsets of the open transaction, by group and partition: the member and the offset.
    pub offsets: BTreeMap<(String, TopicPartition), (String, u64)>,
}

/// The coordinator of every transactional id. Inputs: [`Self::init_producer_id`],
/// [`Self::add_partition`], [`Self::end_txn`], and [`Self::abort_timed_out`] at the check interval;
/// the markers they return are the output, for the caller to write to the partitions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionCoordinator {
    txns: BTreeMap<String, TransactionMetadata>,
}

impl TransactionCoordinator {
    /// `InitProducerId` for `transactional_id`: its producer id (a new one from `new_id` the first time)
    /// and its next epoch, with the abort markers of a transaction the previous instance left open.
    pub fn init_producer_id(
        &mut self,
        transactional_id: &str,
        timeout: Duration,
        new_id: impl FnOnce() -> u64,
    ) -> (u64, u16, Option<EndMarkers>) {
        let markers = match self.txns.get_mut(transactional_id) {
            Some(txn) if txn.state == TxnState::Ongoing => {
                txn.epoch = txn.epoch.wrapping_add(1);
                Some(finish(transactional_id, txn, Control::Abort))
            }
            _ => None,
        };
        let txn = match self.txns.get_mut(transactional_id) {
            Some(txn) => {
                txn.epoch = txn.epoch.wrapping_add(1);
                txn
            }
            None => {
                self.txns
                    .entry(String::from(transactional_id))
                    .or_insert(TransactionMetadata {
                        producer_id: new_id(),
                        epoch: 0,
                        state: TxnState::Empty,
                        partitions: BTreeSet::new(),
                        started: None,
                        timeout,
                        offsets: BTreeMap::new(),
                    })
            }
        };
        txn.timeout = timeout;
        (txn.producer_id, txn.epoch, markers)
    }

    /// The producer `producer_id` at `epoch` writes to `tp` (`AddPartitionsToTxn`, or KIP-890's
    /// verification): the partition joins its transaction, which starts if none is open.
    ///
    /// # Errors
    /// [`TxnError::Fenced`] for an old epoch, [`TxnError::UnknownProducerId`] for an id never registered.
    pub fn add_partition(
        &mut self,
        now: Instant,
        producer_id: u64,
        epoch: u16,
        tp: &TopicPartition,
    ) -> Result<(), TxnError> {
        let txn = self.open(now, producer_id, epoch)?;
        txn.partitions.insert(tp.clone());
        Ok(())
    }

    /// `sendOffsetsToTransaction`: `member` of `group` will have read `tp` up to `offset` if the
    /// transaction of `producer_id` at `epoch` commits (it starts one if none is open).
    ///
    /// # Errors
    /// As [`Self::add_partition`].
    pub fn add_offset(
        &mut self,
        now: Instant,
        (producer_id, epoch): (u64, u16),
        group: &str,
        member: &str,
        tp: &TopicPartition,
        offset: u64,
    ) -> Result<(), TxnError> {
        let txn = self.open(now, producer_id, epoch)?;
        txn.offsets.insert(
            (String::from(group), tp.clone()),
            (String::from(member), offset),
        );
        Ok(())
    }

    /// Whether an open transaction carries an offset of `group` for `tp`: a consumer that gains `tp`
    /// waits (`UNSTABLE_OFFSET_COMMIT`).
    #[must_use]
    pub fn has_pending_offset(&self, group: &str, tp: &TopicPartition) -> bool {
        self.txns
            .values()
            .any(|t| t.offsets.keys().any(|(g, p)| g == group && p == tp))
    }

    /// The transaction of `producer_id` at `epoch`, opened if none is.
    fn open(
        &mut self,
        now: Instant,
        producer_id: u64,
        epoch: u16,
    ) -> Result<&mut TransactionMetadata, TxnError> {
        let (_, txn) = self.by_producer(producer_id, epoch)?;
        if matches!(txn.state, TxnState::PrepareCommit | TxnState::PrepareAbort) {
            return Err(TxnError::Concurrent);
        }
        if txn.state != TxnState::Ongoing {
            txn.state = TxnState::Ongoing;
            txn.partitions.clear();
            txn.started = Some(now);
        }
        Ok(txn)
    }

    /// `EndTxn`: commit or abort the open transaction of `producer_id` at `epoch`; `None` when it has
    /// none (an empty transaction writes no markers).
    ///
    /// # Errors
    /// As [`Self::add_partition`].
    pub fn end_txn(
        &mut self,
        producer_id: u64,
        epoch: u16,
        control: Control,
    ) -> Result<Option<EndMarkers>, TxnError> {
        let (id, txn) = self.by_producer(producer_id, epoch)?;
        Ok((txn.state == TxnState::Ongoing).then(|| finish(id, txn, control)))
    }

    /// The periodic check at `now`: every transaction open longer than its timeout is aborted with its
    /// epoch bumped (the producer that opened it is fenced).
    pub fn abort_timed_out(&mut self, now: Instant) -> Vec<EndMarkers> {
        let mut out = Vec::new();
        for (id, txn) in &mut self.txns {
            let expired = txn.state == TxnState::Ongoing
                && txn.started.is_some_and(|s| s + txn.timeout < now);
            if expired {
                txn.epoch = txn.epoch.wrapping_add(1);
                out.push(finish(id, txn, Control::Abort));
            }
        }
        out
    }

    /// Transactional ids whose markers are being written.
    pub fn preparing(&self) -> impl Iterator<Item = &str> {
        self.txns
            .iter()
            .filter(|(_, t)| matches!(t.state, TxnState::PrepareCommit | TxnState::PrepareAbort))
            .map(|(id, _)| id.as_str())
    }

    /// Every marker of `transactional_id`'s transaction is replicated: `Complete*`.
    pub fn complete(&mut self, transactional_id: &str) {
        if let Some(txn) = self.txns.get_mut(transactional_id) {
            txn.state = match txn.state {
                TxnState::PrepareCommit => TxnState::CompleteCommit,
                TxnState::PrepareAbort => TxnState::CompleteAbort,
                other => other,
            };
        }
    }

    /// Every transactional id, by name.
    pub fn transactions(&self) -> impl Iterator<Item = (&str, &TransactionMetadata)> {
        self.txns.iter().map(|(id, t)| (id.as_str(), t))
    }

    /// Whether any transaction is open (the periodic check has something to look at).
    #[must_use]
    pub fn has_ongoing(&self) -> bool {
        self.txns.values().any(|t| t.state == TxnState::Ongoing)
    }

    /// The transactional id of `producer_id` and its metadata, if `epoch` is not fenced.
    fn by_producer(
        &mut self,
        producer_id: u64,
        epoch: u16,
    ) -> Result<(&str, &mut TransactionMetadata), TxnError> {
        let (id, txn) = self
            .txns
            .iter_mut()
            .find(|(_, t)| t.producer_id == producer_id)
            .ok_or(TxnError::UnknownProducerId)?;
        if epoch < txn.epoch {
            return Err(TxnError::Fenced);
        }
        Ok((id.as_str(), txn))
    }
}

/// Ends `txn` with `control`: its markers, at its current epoch.
fn finish(id: &str, txn: &mut TransactionMetadata, control: Control) -> EndMarkers {
    txn.state = match control {
        Control::Commit => TxnState::PrepareCommit,
        Control::Abort => TxnState::PrepareAbort,
    };
    txn.started = None;
    EndMarkers {
        transactional_id: String::from(id),
        producer_id: txn.producer_id,
        epoch: txn.epoch,
        control,
        partitions: txn.partitions.iter().cloned().collect(),
        offsets: core::mem::take(&mut txn.offsets)
            .into_iter()
            .map(|((group, tp), (member, offset))| TxnOffset {
                group,
                member,
                tp,
                offset,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: u32) -> TopicPartition {
        TopicPartition {
            topic: "orders".into(),
            partition: p,
        }
    }

    fn at(s: u64) -> Instant {
        Instant::ZERO + Duration::from_secs(s)
    }

    /// `TransactionCoordinatorTest.shouldInitPidWithEpochZeroForNewTransactionalId` and
    /// `shouldIncrementEpochAndUpdateMetadataOnHandleInitPidWhenExistingCompleteTransaction`: the first
    /// registration gets epoch 0, the next one the same id at epoch 1.
    #[test]
    fn each_registration_bumps_the_epoch_of_one_producer_id() {
        let mut c = TransactionCoordinator::default();
        assert_eq!(
            c.init_producer_id("tx", DEFAULT_TIMEOUT, || 7),
            (7, 0, None)
        );
        assert_eq!(
            c.init_producer_id("tx", DEFAULT_TIMEOUT, || 8),
            (7, 1, None)
        );
        assert_eq!(c.add_partition(at(1), 7, 0, &tp(0)), Err(TxnError::Fenced));
        assert_eq!(c.end_txn(7, 1, Control::Commit), Ok(None), "empty");
    }

    /// `TransactionCoordinatorTest.shouldAbortTransactionOnHandleInitPidWhenExistingTransactionInOngoingState`
    /// (with the client's retry after `CONCURRENT_TRANSACTIONS`): the open transaction is aborted at
    /// epoch + 1 and the new instance gets epoch + 2.
    #[test]
    fn a_new_instance_aborts_what_the_old_one_left_open() {
        let mut c = TransactionCoordinator::default();
        let (pid, epoch, _) = c.init_producer_id("tx", DEFAULT_TIMEOUT, || 3);
        c.add_partition(at(0), pid, epoch, &tp(1))
            .expect("accepted");
        c.add_partition(at(0), pid, epoch, &tp(0))
            .expect("accepted");
        let (_, new_epoch, markers) = c.init_producer_id("tx", DEFAULT_TIMEOUT, || 9);
        let markers = markers.expect("abort markers");
        assert_eq!((markers.epoch, markers.control), (1, Control::Abort));
        assert_eq!(markers.partitions, [tp(0), tp(1)]);
        assert_eq!(new_epoch, 2);
        assert_eq!(
            c.add_partition(at(6), pid, new_epoch, &tp(0)),
            Err(TxnError::Concurrent),
            "until the abort markers are in"
        );
        c.complete("tx");
        assert_eq!(c.add_partition(at(6), pid, new_epoch, &tp(0)), Ok(()));
        assert_eq!(
            c.end_txn(pid, epoch, Control::Commit),
            Err(TxnError::Fenced)
        );
    }

    /// Offsets sent to a transaction are pending while it is open and leave with its markers.
    #[test]
    fn offsets_ride_with_the_transaction() {
        let mut c = TransactionCoordinator::default();
        let (pid, epoch, _) = c.init_producer_id("tx", DEFAULT_TIMEOUT, || 3);
        c.add_offset(at(0), (pid, epoch), "g", "m", &tp(0), 42)
            .expect("accepted");
        assert!(c.has_pending_offset("g", &tp(0)));
        assert!(!c.has_pending_offset("g", &tp(1)));
        let markers = c
            .end_txn(pid, epoch, Control::Commit)
            .expect("accepted")
            .expect("open");
        assert_eq!(markers.offsets.len(), 1);
        assert_eq!(markers.offsets[0].offset, 42);
        assert!(!c.has_pending_offset("g", &tp(0)));
    }

    /// `TransactionCoordinatorTest.shouldAbortExpiredTransactionsInOngoingStateAndBumpEpoch`: open longer
    /// than its timeout (strictly), the transaction is aborted with the epoch bumped.
    #[test]
    fn a_transaction_open_past_its_timeout_is_aborted_and_fenced() {
        let mut c = TransactionCoordinator::default();
        let (pid, epoch, _) = c.init_producer_id("tx", DEFAULT_TIMEOUT, || 3);
        c.add_partition(at(2), pid, epoch, &tp(0))
            .expect("accepted");
        assert!(c.abort_timed_out(at(62)).is_empty(), "not past 60 s yet");
        let aborted = c.abort_timed_out(at(70));
        assert_eq!(aborted.len(), 1);
        assert_eq!(aborted[0].epoch, 1);
        assert_eq!(c.preparing().collect::<Vec<_>>(), ["tx"]);
        c.complete("tx");
        assert_eq!(
            c.transactions().next().map(|(_, t)| t.state),
            Some(TxnState::CompleteAbort)
        );
        assert_eq!(
            c.add_partition(at(71), pid, epoch, &tp(0)),
            Err(TxnError::Fenced)
        );
        assert!(!c.has_ongoing());
    }
}
