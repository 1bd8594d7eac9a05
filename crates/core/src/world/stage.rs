//! Consume-transform-produce: a member that writes every record it processes to another topic, the
//! shape of a Kafka Streams task (a `join` with `forward_to`).
//!
//! With a producer without a `transactional.id` the stage is **at-least-once**, as Kafka Streams'
//! default: every `commit_interval_ms` (30 s) it flushes its producer and commits the positions it has
//! read to, so a crash makes the next owner process again what came after the last commit, and the
//! output gets those records twice. With a transactional producer it is **exactly-once**
//! (`processing.guarantee=exactly_once_v2`, KIP-447): its first record opens a transaction, every
//! record's position goes into the transaction with the output records (`sendOffsetsToTransaction`),
//! and every `commit_interval_ms` (100 ms) it commits; while the transaction commits the member waits.
//! The input offsets become committed exactly when the output does. A crash leaves the transaction open
//! until `transaction.timeout.ms`, then the coordinator aborts it: the next owner, which waits while an
//! open transaction carries offsets of its partitions, processes those records again, and a
//! `read_committed` reader of the output sees each once.
//!
//! A member that leaves commits first (`close()`); one that crashes loses what its producer held in
//! memory, its open transaction staying until `transaction.timeout.ms`; one that joins is a new instance
//! of its application, so its transactional producer registers again, which fences and aborts whatever
//! the producer's previous instance left open (each stage member needs a producer of its own). A stage
//! whose transaction is aborted, or whose producer is fenced, goes back to its group's committed offsets
//! (Kafka Streams' `TaskCorruptedException` / `TaskMigratedException`), so nothing it read is skipped. Kafka Streams sends the offsets when it commits and commits before
//! partitions are revoked; kplay adds each record's offset to the transaction as it goes (an offset
//! refused with `CONCURRENT_TRANSACTIONS` while the previous transaction's markers are written is sent
//! again before the commit), which leaves the same committed offsets at every commit and lets a new owner
//! wait for a revoked partition's last offsets ([`offset_pending`]). A property test runs random joins,
//! leaves, crashes and broker failures and checks that no input record is ever committed twice. The
//! forwarded records have the input record's key and size. A stage stops forwarding when the world
//! holds its limit of records ([`crate::config::MAX_RECORDS`]).

use alloc::string::String;

use super::produce::{ProducerState, TxnClient};
use super::{ActionError, EventKind, World};
use crate::config::MAX_RECORDS;
use crate::group::assignor::TopicPartition;
use crate::log::Control;
use crate::time::{Duration, Instant};
use crate::transaction::{TransactionCoordinator, TxnError, TxnOffset};

/// Kafka Streams' `commit.interval.ms` under exactly-once.
const EXACTLY_ONCE_COMMIT_INTERVAL: Duration = Duration::from_millis(100);
/// Kafka Streams' `commit.interval.ms` under at-least-once.
const AT_LEAST_ONCE_COMMIT_INTERVAL: Duration = Duration::from_secs(30);

/// Where a stage writes, and when it commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Forward {
    /// The output topic.
    pub(super) topic: usize,
    /// The producer that writes it.
    pub(super) producer: usize,
    commit_interval: Duration,
    /// When it commits next: `None` until it processes a record after its last commit.
    commit_at: Option<Instant>,
    /// The `join` action, which the forwarded records' `produced` entries point to.
    action: u32,
}

impl World {
    /// The stage a `join` describes: `forward_to` (not a topic it reads), `forward_producer`,
    /// `commit_interval_ms`.
    pub(super) fn forward_spec(
        &self,
        reads: &[String],
        forward_to: Option<&str>,
        producer: Option<&str>,
        commit_interval_ms: Option<u64>,
    ) -> Result<Option<Forward>, ActionError> {
        let Some(topic) = forward_to else {
            return Ok(None);
        };
        if reads.iter().any(|t| t == topic) {
            return Err(ActionError::new(
                "forward_to",
                alloc::format!("{topic:?} is a topic the member reads"),
            ));
        }
        let topic = self.topic_index(topic, "forward_to")?;
        let producer = match producer {
            None => 0,
            Some(name) => self
                .producer_index(name)
                .map_err(|err| ActionError::new("forward_producer", err.message))?,
        };
        let default = if self.producers[producer].transactional.is_some() {
            EXACTLY_ONCE_COMMIT_INTERVAL
        } else {
            AT_LEAST_ONCE_COMMIT_INTERVAL
        };
        Ok(Some(Forward {
            topic,
            producer,
            commit_interval: commit_interval_ms.map_or(default, Duration::from_millis),
            commit_at: None,
            action: self.actions,
        }))
    }

    /// Member `m` of group `g` processed `offset` of `tp`, whose key and value size are `content`: the
    /// record goes to the stage's output, and for an exactly-once stage its position into the
    /// transaction.
    pub(super) fn forward(
        &mut self,
        g: usize,
        m: usize,
        f: Forward,
        tp: &TopicPartition,
        offset: u64,
        (key, value): (Option<String>, Option<u32>),
    ) {
        let transactional = self.producers[f.producer].transactional.is_some();
        if matches!(self.producers[f.producer].txn, TxnClient::Fenced(_)) {
            // Kafka Streams' TaskMigratedException: the stage starts again as a new instance, from
            // its group's committed offsets; this record is read again then.
            self.restart_stage_producer(f.producer);
            self.rewind_stages(f.producer);
            return;
        }
        if transactional
            && matches!(
                self.producers[f.producer].txn,
                TxnClient::Uninitialized | TxnClient::Ready
            )
        {
            self.begin_transaction(f.producer);
        }
        if (self.produced.len() as u64) < MAX_RECORDS {
            let acks = self.producers[f.producer].sender.acks;
            self.send(f.action, f.producer, f.topic, key, value, acks);
        }
        if transactional {
            let state = &self.groups[g];
            let sent = TxnOffset {
                group: state.group.id().into(),
                member: state.members[m].name.clone(),
                tp: tp.clone(),
                offset: offset + 1,
            };
            self.send_offset(f.producer, sent);
        }
        let now = self.now;
        if let Some(f) = self.groups[g].members[m].forward_mut() {
            f.commit_at.get_or_insert(now + f.commit_interval);
        }
    }

    /// `sendOffsetsToTransaction` for one offset: into producer `p`'s transaction, or, while the last
    /// one's markers are still being written (`CONCURRENT_TRANSACTIONS`), kept to be sent again before
    /// the commit. A fenced producer's transaction cannot take it; its commit fails as its records do.
    pub(super) fn send_offset(&mut self, p: usize, offset: TxnOffset) {
        let producer = &mut self.producers[p];
        let Some(pid) = producer.producer_id else {
            return;
        };
        let now = self.now;
        let added = self.coordinator.add_offset(
            now,
            (pid, producer.epoch),
            &offset.group,
            &offset.member,
            &offset.tp,
            offset.offset,
        );
        // A later offset of the same partition replaces an earlier one still waiting.
        producer
            .unsent_offsets
            .retain(|o| o.group != offset.group || o.tp != offset.tp);
        if added == Err(TxnError::Concurrent) {
            producer.unsent_offsets.push(offset);
        }
    }

    /// Stages whose commit interval ran out commit. A crashed member commits nothing.
    pub(super) fn run_stage_commits(&mut self, at: Instant) {
        for g in 0..self.groups.len() {
            for m in 0..self.groups[g].members.len() {
                let due = self.groups[g].members[m]
                    .forward()
                    .and_then(|f| f.commit_at)
                    .is_some_and(|t| t <= at);
                if due {
                    self.commit_stage(g, m);
                }
            }
        }
    }

    /// Member `m` of group `g`, if it is a live stage, commits: an exactly-once one its transaction, an
    /// at-least-once one its positions after flushing its producer.
    pub(super) fn commit_stage(&mut self, g: usize, m: usize) {
        let state = &mut self.groups[g];
        let alive = state
            .group
            .member(&state.members[m].id)
            .is_some_and(|c| c.is_alive());
        let Some(f) = state.members[m].forward_mut() else {
            return;
        };
        f.commit_at = None;
        let f = *f;
        if !alive {
            return;
        }
        if self.producers[f.producer].transactional.is_some() {
            self.end_transaction(f.producer, Control::Commit);
        } else {
            self.flush_producer(f.producer);
            for (tp, offset) in self.groups[g].members[m].processed() {
                self.commit(g, m, &tp, offset);
            }
        }
    }

    /// The stages writing with producer `p` lost their transaction (aborted): they go back to their
    /// group's committed offsets, so what the transaction held is processed again, not skipped.
    pub(super) fn rewind_stages(&mut self, p: usize) {
        for state in &mut self.groups {
            for member in &mut state.members {
                if member.forward().is_some_and(|f| f.producer == p) {
                    member.rewind();
                    if let Some(f) = member.forward_mut() {
                        f.commit_at = None;
                    }
                }
            }
        }
    }

    /// A stage member with producer `p` crashes, or joins as a new instance of its application: what the
    /// producer held in memory (batches, requests, offsets to send) is gone with the old instance, and a
    /// transactional one registers again on its next transaction (`initTransactions()` fences the old
    /// instance and aborts its open transaction; after a crash the coordinator does so at the timeout).
    pub(super) fn restart_stage_producer(&mut self, p: usize) {
        let producer = &mut self.producers[p];
        if producer.transactional.is_none() || producer.txn == TxnClient::Uninitialized {
            return;
        }
        let gone = producer.take_buffered(true);
        producer.unsent_offsets.clear();
        producer.txn = TxnClient::Uninitialized;
        for produced in gone {
            if !matches!(
                self.produced[produced].delivery,
                super::Delivery::Acknowledged | super::Delivery::Failed(_)
            ) {
                self.produced[produced].delivery = super::Delivery::Failed("TRANSACTION_ABORTED");
            }
        }
    }

    /// When a stage commits next.
    pub(super) fn stage_timeout(&self) -> Option<Instant> {
        self.groups
            .iter()
            .flat_map(|g| g.members.iter())
            .filter_map(|m| m.forward().and_then(|f| f.commit_at))
            .min()
    }

    /// A committed transaction's offset becomes its group's committed offset.
    pub(super) fn commit_transactional(&mut self, offset: &TxnOffset) {
        let Some(g) = self
            .groups
            .iter()
            .position(|s| s.group.id() == offset.group)
        else {
            return;
        };
        self.groups[g]
            .group
            .commit_transactional(offset.tp.clone(), offset.offset);
        self.emit(EventKind::Committed {
            group: offset.group.clone(),
            member: offset.member.clone(),
            topic: offset.tp.topic.clone(),
            partition: offset.tp.partition,
            offset: offset.offset,
        });
    }
}

/// Whether a transaction carries an offset of `group` for `tp`, or a stage's producer still has to
/// deliver one: a consumer gaining `tp` waits (KIP-447's `require_stable`). In Kafka a stage blocked in
/// `sendOffsetsToTransaction` does not rejoin its group, so the rebalance itself waits; kplay's rebalance
/// goes on and the new owner waits instead, which keeps the same records out of the output.
pub(super) fn offset_pending(
    coordinator: &TransactionCoordinator,
    producers: &[ProducerState],
    group: &str,
    tp: &TopicPartition,
) -> bool {
    coordinator.has_pending_offset(group, tp)
        || producers.iter().any(|p| {
            p.unsent_offsets
                .iter()
                .any(|o| o.group == group && o.tp == *tp)
        })
}
