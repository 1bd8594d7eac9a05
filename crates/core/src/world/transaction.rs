//! Transactions in the world: producers with a `transactional.id`, the coordinator
//! ([`crate::transaction`]) and the markers it writes into the partitions.
//!
//! A producer's first `begin-transaction` registers its id (`initTransactions()`), which fences an
//! earlier producer with the same id and aborts what that one left open. Its records go out as usual,
//! stamped as transactional; the leader first checks the producer's epoch with the coordinator, which
//! adds the partition to the transaction (KIP-890's verification; a fenced producer gets
//! `INVALID_PRODUCER_EPOCH` and every later call of it fails the same way). `commit-transaction` sends its
//! batches at once (`flush()`), and when every one is answered the coordinator writes a `COMMIT` marker
//! to each partition of the transaction; a record that failed turns the commit into an abort (Kafka's
//! commit throws and the application must abort; kplay aborts for it, then bumps the epoch as KIP-360's
//! `InitProducerId` does). `abort-transaction` fails the records not sent yet with
//! `TRANSACTION_ABORTED`. Every 10 s the coordinator aborts transactions open past
//! `transaction.timeout.ms`.
//!
//! The coordinator writes each marker with `acks=all` and writes it again until the high watermark has
//! passed it (after `NOT_ENOUGH_REPLICAS`, with no leader, or when a failover cut it from the log); until every
//! marker of a transaction is in, the transaction stays `PrepareCommit` / `PrepareAbort` and the
//! producer's next transaction waits (`CONCURRENT_TRANSACTIONS`, retried). Records a `produce` action sends
//! while its producer has no transaction open fail with `INVALID_TXN_STATE` (Kafka's client throws
//! `IllegalStateException`).

use alloc::string::String;
use alloc::vec::Vec;

use super::append::BatchStamp;
use super::produce::TxnClient;
use super::script::Action;
use super::topic::{Archived, Stamp};
use super::{ActionError, Delivery, EventKind, World};
use crate::cluster::Acks;
use crate::group::assignor::TopicPartition;
use crate::log::Control;
use crate::log::producer_state::Marker;
use crate::time::Instant;
use crate::transaction::{ABORT_CHECK_INTERVAL, EndMarkers, TxnError};

/// A marker the coordinator is writing: not written yet, or written and not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MarkerWrite {
    transactional_id: String,
    topic: usize,
    partition: u32,
    producer_id: u64,
    epoch: u16,
    control: Control,
    /// The cluster's write id once written.
    write: Option<u64>,
}

impl World {
    /// `begin-transaction`, `commit-transaction`, `abort-transaction` on producer `name`.
    pub(super) fn transaction_action(
        &mut self,
        action: &Action,
        name: &str,
    ) -> Result<(), ActionError> {
        let p = self.producer_index(name)?;
        if self.producers[p].transactional.is_none() {
            return Err(ActionError::new(
                "producer",
                alloc::format!("producer {name:?} has no transactional.id"),
            ));
        }
        let call = action.name();
        let state = self.producers[p].txn;
        let refuse = |why: &str| {
            Err(ActionError::new(
                "producer",
                alloc::format!("{call}: producer {name:?} {why}"),
            ))
        };
        match (action, state) {
            (_, TxnClient::Fenced(error)) => {
                self.emit(EventKind::TransactionFailed {
                    producer: name.into(),
                    call,
                    error,
                });
            }
            (Action::BeginTransaction { .. }, TxnClient::Uninitialized | TxnClient::Ready) => {
                self.begin_transaction(p);
            }
            (Action::BeginTransaction { .. }, _) => {
                return refuse("already has a transaction open");
            }
            (_, TxnClient::InTransaction(_)) => {
                let control = match action {
                    Action::CommitTransaction { .. } => Control::Commit,
                    _ => Control::Abort,
                };
                self.end_transaction(p, control);
            }
            _ => return refuse("has no transaction open"),
        }
        Ok(())
    }

    /// `beginTransaction()` on producer `p`, registering it first if it never was.
    pub(super) fn begin_transaction(&mut self, p: usize) {
        if self.producers[p].txn == TxnClient::Uninitialized {
            self.init_transactions(p);
        }
        self.producers[p].txn = TxnClient::InTransaction(None);
        let producer = self.producers[p].name.clone();
        self.emit(EventKind::TransactionBegun { producer });
    }

    /// `commitTransaction()` (its batches go at once) or `abortTransaction()` (what is not sent yet
    /// fails) on producer `p`, which has a transaction open; the coordinator ends it once every batch is
    /// answered.
    pub(super) fn end_transaction(&mut self, p: usize, control: Control) {
        let TxnClient::InTransaction(error) = self.producers[p].txn else {
            return;
        };
        self.producers[p].txn = TxnClient::Ending(control, error);
        if control == Control::Commit {
            self.flush_producer(p);
        } else {
            self.abort_unsent(p);
        }
        self.end_transactions();
    }

    /// A `produce` action on producer `p`: a transactional producer must have a transaction open, and
    /// sends with `acks=all`.
    pub(super) fn check_transactional_send(
        &self,
        p: usize,
        acks: Option<Acks>,
    ) -> Result<(), ActionError> {
        let producer = &self.producers[p];
        if producer.transactional.is_none() {
            return Ok(());
        }
        let refuse = |why: &str| {
            Err(ActionError::new(
                "producer",
                alloc::format!("transactional producer {:?} {why}", producer.name),
            ))
        };
        if acks.is_some_and(|a| a != Acks::All) {
            return refuse("sends with acks=all");
        }
        match producer.txn {
            TxnClient::InTransaction(_) | TxnClient::Fenced(_) => Ok(()),
            TxnClient::Ending(..) => refuse("is ending its transaction"),
            _ => refuse("has no transaction open: begin-transaction first"),
        }
    }

    /// Why a record of producer `p` fails at once, before any batch: its producer is fenced, or has no
    /// transaction open.
    pub(super) fn refused_send(&self, p: usize) -> Option<&'static str> {
        let producer = &self.producers[p];
        producer.transactional.as_ref()?;
        match producer.txn {
            TxnClient::InTransaction(_) => None,
            TxnClient::Fenced(error) => Some(error),
            _ => Some("INVALID_TXN_STATE"),
        }
    }

    /// The leader asks the coordinator about a transactional batch for partition `part` of topic `t`: the
    /// partition joins the transaction, or the batch is refused.
    pub(super) fn verify_transaction(
        &mut self,
        stamp: Option<BatchStamp>,
        t: usize,
        part: u32,
    ) -> Result<(), &'static str> {
        let Some(s) = stamp.filter(|s| s.transactional) else {
            return Ok(());
        };
        let tp = TopicPartition::new(self.topics[t].name.clone(), part);
        let now = self.now;
        self.coordinator
            .add_partition(now, s.producer_id, s.epoch, &tp)
            .map_err(|err| match err {
                TxnError::Fenced => "INVALID_PRODUCER_EPOCH",
                other => other.name(),
            })
    }

    /// A record of producer `p` failed for good with `error`: a fenced producer stops, any other failure
    /// dooms the open transaction to an abort.
    pub(super) fn transactional_failure(&mut self, p: usize, error: &'static str) {
        let producer = &mut self.producers[p];
        if producer.transactional.is_none() {
            return;
        }
        if matches!(error, "INVALID_PRODUCER_EPOCH" | "PRODUCER_FENCED") {
            if !matches!(producer.txn, TxnClient::Fenced(_)) {
                producer.txn = TxnClient::Fenced(error);
                self.abort_unsent(p);
                // A stage that waited for its commit learns it is fenced.
                self.wake = true;
            }
            return;
        }
        producer.txn = match producer.txn {
            TxnClient::InTransaction(None) => TxnClient::InTransaction(Some(error)),
            TxnClient::Ending(control, None) => TxnClient::Ending(control, Some(error)),
            other => other,
        };
    }

    /// `initTransactions()`: producer `p` registers its `transactional.id`.
    fn init_transactions(&mut self, p: usize) {
        let Some((id, timeout)) = self.producers[p].transactional.clone() else {
            return;
        };
        let next = &mut self.next_producer_id;
        let (producer_id, epoch, fenced) = self.coordinator.init_producer_id(&id, timeout, || {
            *next += 1;
            *next - 1
        });
        let producer = &mut self.producers[p];
        producer.producer_id = Some(producer_id);
        producer.epoch = epoch;
        producer.sequences.clear();
        producer.bump_epoch = false;
        let name = producer.name.clone();
        if let Some(markers) = fenced {
            self.write_markers(markers, "fenced");
        }
        self.emit(EventKind::ProducerInitialized {
            producer: name,
            transactional_id: id,
            producer_id,
            epoch,
        });
    }

    /// Every record producer `p` holds that is not in flight fails with `TRANSACTION_ABORTED` (or the
    /// error that fenced it).
    fn abort_unsent(&mut self, p: usize) {
        let error = match self.producers[p].txn {
            TxnClient::Fenced(error) => error,
            _ => "TRANSACTION_ABORTED",
        };
        for produced in self.producers[p].take_buffered(false) {
            self.produced[produced].delivery = Delivery::Failed(error);
        }
    }

    /// Producers whose `commit-transaction` or `abort-transaction` has every batch answered end their
    /// transactions at the coordinator.
    pub(super) fn end_transactions(&mut self) {
        for p in 0..self.producers.len() {
            let TxnClient::Ending(control, error) = self.producers[p].txn else {
                continue;
            };
            let producer = &self.producers[p];
            let idle = producer.sending.is_empty()
                && producer
                    .unsent
                    .iter()
                    .all(|parts| parts.iter().all(|q| q.is_empty()));
            if !idle {
                continue;
            }
            // Offsets refused while the previous transaction completed go in before it ends.
            for offset in core::mem::take(&mut self.producers[p].unsent_offsets) {
                self.send_offset(p, offset);
            }
            let producer = &self.producers[p];
            let (producer_id, epoch) = (producer.producer_id.unwrap_or_default(), producer.epoch);
            let name = producer.name.clone();
            let outcome = if error.is_some() {
                Control::Abort
            } else {
                control
            };
            if let (Control::Commit, Some(error)) = (control, error) {
                self.emit(EventKind::TransactionFailed {
                    producer: name.clone(),
                    call: "commit-transaction",
                    error,
                });
            }
            match self.coordinator.end_txn(producer_id, epoch, outcome) {
                Err(err) => {
                    self.producers[p].txn = TxnClient::Fenced(err.name());
                    self.wake = true;
                    self.emit(EventKind::TransactionFailed {
                        producer: name,
                        call: if control == Control::Commit {
                            "commit-transaction"
                        } else {
                            "abort-transaction"
                        },
                        error: err.name(),
                    });
                    continue;
                }
                Ok(markers) => {
                    self.producers[p].txn = TxnClient::Ready;
                    // A stage that waited for its commit goes on.
                    self.wake = true;
                    let reason = error.unwrap_or(match control {
                        Control::Commit => "commit-transaction",
                        Control::Abort => "abort-transaction",
                    });
                    if let Some(markers) = markers {
                        self.write_markers(markers, reason);
                    }
                }
            }
            if outcome == Control::Abort {
                self.rewind_stages(p);
            }
            if error.is_some() {
                // KIP-360: after an abortable error the producer bumps its epoch before going on.
                self.init_transactions(p);
            }
        }
    }

    /// The coordinator's periodic check for timed-out transactions, and its markers: written again where
    /// they are missing, and transactions whose markers are all acknowledged complete.
    pub(super) fn run_transaction_timers(&mut self, at: Instant) {
        if self.next_txn_check <= at {
            let interval = ABORT_CHECK_INTERVAL.as_micros();
            self.next_txn_check = Instant::from_micros((at.as_micros() / interval + 1) * interval);
            for markers in self.coordinator.abort_timed_out(at) {
                self.write_markers(markers, "timeout");
            }
        }
        let mut markers = core::mem::take(&mut self.markers);
        markers.retain_mut(|marker| {
            let topic = &self.topics[marker.topic];
            let p = marker.partition as usize;
            // Where the write is in the leader's log now, if it still is (a failover may cut it).
            let at = marker
                .write
                .and_then(|w| topic.mirrors[p].iter().rposition(|r| r.write == w));
            if marker.write.is_some() && at.is_none() {
                marker.write = None;
            }
            if marker.write.is_none() {
                return self.write_marker(marker);
            }
            // Replicated once the high watermark has passed it (a leader that failed before
            // acknowledging it may still hand it on).
            at.is_none_or(|offset| {
                offset as u64 >= self.topics[marker.topic].logs[p].high_watermark()
            })
        });
        let done: Vec<String> = self
            .coordinator
            .preparing()
            .filter(|id| !markers.iter().any(|m| m.transactional_id == *id))
            .map(String::from)
            .collect();
        for id in done {
            self.coordinator.complete(&id);
        }
        self.markers = markers;
    }

    /// When the coordinator next looks for timed-out transactions, while one is open.
    pub(super) fn transaction_timeout(&self) -> Option<Instant> {
        self.coordinator
            .has_ongoing()
            .then_some(self.next_txn_check)
    }

    /// Writes `markers` to their partitions and reports the transaction's end.
    fn write_markers(&mut self, markers: EndMarkers, reason: &str) {
        let mut partitions = Vec::new();
        for tp in &markers.partitions {
            let Some(t) = self.topics.iter().position(|x| x.name == tp.topic) else {
                continue;
            };
            partitions.push((tp.topic.clone(), tp.partition));
            let mut marker = MarkerWrite {
                transactional_id: markers.transactional_id.clone(),
                topic: t,
                partition: tp.partition,
                producer_id: markers.producer_id,
                epoch: markers.epoch,
                control: markers.control,
                write: None,
            };
            if self.write_marker(&mut marker) {
                self.markers.push(marker);
            }
        }
        if markers.control == Control::Commit {
            for offset in &markers.offsets {
                self.commit_transactional(offset);
            }
        }
        // Consumers waiting for the transaction's offsets can go on.
        self.wake = true;
        self.emit(EventKind::TransactionEnded {
            transactional_id: markers.transactional_id,
            producer_id: markers.producer_id,
            control: markers.control.name(),
            reason: String::from(reason),
            partitions,
        });
    }

    /// Appends one marker at its partition's leader with `acks=all`, noting its write; a marker the
    /// leader refuses for now (no leader, too few in-sync replicas) is tried again later. Returns
    /// whether the marker is still needed: not when the partition knows a newer epoch of the producer.
    fn write_marker(&mut self, marker: &mut MarkerWrite) -> bool {
        let (t, part) = (marker.topic, marker.partition);
        let p = part as usize;
        let topic = &mut self.topics[t];
        // A newer epoch than the partition knows is how the coordinator fences; an older one cannot
        // come from it (it only ever bumps), so the marker is dropped.
        if topic.producer_states[p]
            .check_marker(marker.producer_id, marker.epoch)
            .is_err()
        {
            return false;
        }
        let now = self.now;
        let Ok(written) = topic.cluster.produce(now, part, Acks::All) else {
            return true;
        };
        let archived = Archived {
            key: None,
            value_bytes: None,
            timestamp: now,
            produced: None,
            stamp: Some(Stamp::marker(marker.producer_id, marker.epoch)),
            control: Some(marker.control),
        };
        let offset = topic.append_write(p, archived, &written);
        topic.producer_states[p].record_marker(Marker {
            producer_id: marker.producer_id,
            epoch: marker.epoch,
            control: marker.control,
            offset,
        });
        let name = topic.name.clone();
        self.emit(EventKind::MarkerWritten {
            topic: name,
            partition: part,
            offset,
            control: marker.control.name(),
        });
        self.replicate_soon(t);
        self.cluster_op_on(t, Some(part), |_, _| {});
        self.wake = true;
        marker.write = Some(written.write);
        true
    }
}
