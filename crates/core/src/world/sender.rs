//! The producers' senders in the world: batches queued per partition, requests in flight per broker,
//! retries, timeouts and the idempotent producer's sequence numbers, by the rules of
//! [`crate::producer::sender`].
//!
//! A closed batch joins its partition's queue (records with different `acks` overrides go in separate
//! batches). Each drain builds one request per leader broker with the first batch of every partition it
//! leads, while the producer has fewer than `max.in.flight.requests.per.connection` requests in flight to
//! that broker; it repeats until nothing more can go. A batch waits while it backs off, while its partition
//! has no leader, with `max.in.flight.requests.per.connection=1` while its partition has a batch in flight,
//! and, for an idempotent producer, while a retried batch waits for the batches in flight before it.
//! `acks=0` and `acks=1` are answered at once; `acks=all` once the batch is committed, or never — then the
//! request times out. A batch's records are answered together.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;

use super::append::{BatchStamp, Unsent};
use super::{Delivery, EventKind, World};
use crate::cluster::Acks;
use crate::producer::sender::is_retriable;
use crate::time::Instant;

/// A batch on its way: queued, backing off or in flight.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SendBatch {
    records: Vec<Unsent>,
    acks: Acks,
    /// When its first record was appended (`ProducerBatch.createdMs`): `delivery.timeout.ms` runs from here.
    created: Instant,
    /// Times it was put back to be retried.
    attempts: u32,
    /// The first record's sequence number, once an idempotent producer has sent it.
    base_sequence: Option<u32>,
    /// Not sent again before this, unless its partition's leader changed.
    retry_at: Instant,
    /// The leader epoch it was last sent to.
    leader_epoch: Option<u32>,
}

/// A batch in a request that has not been answered yet.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct InFlight {
    batch: SendBatch,
    request: u64,
    broker: u32,
    sent_at: Instant,
    first_offset: u64,
    last_write: u64,
}

/// Where a producer's batches queue: a topic, a partition and the `acks` they are sent with. Records with
/// an action's `acks` override go through their own queue, as they would through a second producer
/// configured with that `acks`.
pub(super) type Lane = (usize, u32, Acks);

/// One lane's batches at one producer.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct PartitionSend {
    queue: VecDeque<SendBatch>,
    in_flight: VecDeque<InFlight>,
}

impl PartitionSend {
    pub(super) fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.in_flight.is_empty()
    }

    /// Takes the records of every batch not in flight.
    pub(super) fn drain_queue(&mut self) -> impl Iterator<Item = Unsent> + '_ {
        self.queue.drain(..).flat_map(|b| b.records)
    }

    /// Every record, queued or in flight.
    pub(super) fn into_records(self) -> impl Iterator<Item = Unsent> {
        self.queue
            .into_iter()
            .chain(self.in_flight.into_iter().map(|f| f.batch))
            .flat_map(|b| b.records)
    }
}

impl World {
    /// Batches that are full or have waited `linger.ms` join their partitions' queues, and the senders
    /// send what they may.
    pub(super) fn send_ready_batches(&mut self) {
        let now = self.now;
        for p in 0..self.producers.len() {
            for t in 0..self.topics.len() {
                let ready = self.producers[p].per_topic[t].poll_ready(now);
                self.queue_batches(p, t, ready);
            }
        }
        self.drain();
    }

    /// `flush()` on producer `p`: all its batches join their queues now, and the senders send.
    pub(super) fn flush_producer(&mut self, p: usize) {
        for t in 0..self.topics.len() {
            let ready = self.producers[p].per_topic[t].flush();
            self.queue_batches(p, t, ready);
        }
        self.drain();
    }

    /// Closed batches of producer `p` for topic `t` join their partitions' queues.
    fn queue_batches(&mut self, p: usize, t: usize, ready: Vec<crate::producer::Batch>) {
        let now = self.now;
        let state = &mut self.producers[p];
        for batch in ready {
            let unsent = &mut state.unsent[t][batch.partition as usize];
            let count = (batch.records as usize).min(unsent.len());
            let records: Vec<Unsent> = unsent.drain(..count).collect();
            for run in split_by_acks(records) {
                let lane = (t, batch.partition, run[0].acks);
                state
                    .sending
                    .entry(lane)
                    .or_default()
                    .queue
                    .push_back(SendBatch {
                        acks: run[0].acks,
                        created: run[0].timestamp,
                        records: run,
                        attempts: 0,
                        base_sequence: None,
                        retry_at: now,
                        leader_epoch: None,
                    });
            }
        }
    }

    /// Sends every batch that may go now, request by request.
    pub(super) fn drain(&mut self) {
        for p in 0..self.producers.len() {
            if self.producers[p].sending.is_empty() {
                continue;
            }
            self.maybe_bump_epoch(p);
            loop {
                let mut by_broker: BTreeMap<u32, Vec<Lane>> = BTreeMap::new();
                for (&lane, send) in &self.producers[p].sending {
                    if let Some(leader) = self.sendable(p, lane, send) {
                        by_broker.entry(leader).or_default().push(lane);
                    }
                }
                let max = self.producers[p].sender.max_in_flight as usize;
                let mut sent = false;
                for (broker, mut parts) in by_broker {
                    if self.requests_in_flight(p, broker) >= max {
                        continue;
                    }
                    // In the order the batches' records were produced.
                    let sending = &self.producers[p].sending;
                    parts.sort_by_key(|lane| {
                        sending
                            .get(lane)
                            .and_then(|s| s.queue.front())
                            .map_or(usize::MAX, |b| b.records[0].produced)
                    });
                    let request = self.producers[p].next_request;
                    self.producers[p].next_request += 1;
                    for lane in parts {
                        self.send_batch(p, lane, broker, request);
                    }
                    sent = true;
                }
                if !sent {
                    break;
                }
            }
            self.producers[p].sending.retain(|_, s| !s.is_idle());
        }
    }

    /// The leader to send `lane`'s first queued batch to, if it may go now.
    fn sendable(&self, p: usize, (t, part, _): Lane, send: &PartitionSend) -> Option<u32> {
        let producer = &self.producers[p];
        let front = send.queue.front()?;
        let partition = self.topics[t].cluster.partitions().get(part as usize)?;
        let leader = partition.leader?;
        let leader_changed = front.leader_epoch != Some(partition.leader_epoch);
        let backing_off = front.attempts > 0 && self.now < front.retry_at && !leader_changed;
        let muted = producer.sender.max_in_flight == 1 && !send.in_flight.is_empty();
        let waits_for_sequence = match front.base_sequence {
            // A retry goes alone, after the batches in flight before it.
            Some(_) => !send.in_flight.is_empty(),
            // New sequences wait for the epoch bump.
            None => producer.bump_epoch && front.acks == Acks::All && producer.sender.idempotent,
        };
        (!backing_off && !muted && !waits_for_sequence).then_some(leader)
    }

    /// Requests producer `p` has in flight to `broker`.
    fn requests_in_flight(&self, p: usize, broker: u32) -> usize {
        self.producers[p]
            .sending
            .values()
            .flat_map(|s| s.in_flight.iter())
            .filter(|f| f.broker == broker)
            .map(|f| f.request)
            .collect::<BTreeSet<u64>>()
            .len()
    }

    /// Sends `lane`'s first queued batch to `broker` in request `request`.
    fn send_batch(&mut self, p: usize, lane: Lane, broker: u32, request: u64) {
        let now = self.now;
        let (t, part, _) = lane;
        let Some(mut batch) = self.producers[p]
            .sending
            .get_mut(&lane)
            .and_then(|s| s.queue.pop_front())
        else {
            return;
        };
        batch.leader_epoch = self.topics[t]
            .cluster
            .partitions()
            .get(part as usize)
            .map(|x| x.leader_epoch);
        let stamp = self.stamp(p, t, part, &mut batch);
        for record in &batch.records {
            let produced = &mut self.produced[record.produced];
            produced.attempts += 1;
            produced.delivery = Delivery::Waiting;
        }
        let name = self.producers[p].name.clone();
        match self.append_batch(t, part, &batch.records, batch.acks, stamp, &name) {
            Err(error) => self.batch_failed(p, lane, batch, error),
            Ok(accepted) => {
                for (i, record) in batch.records.iter().enumerate() {
                    self.produced[record.produced].written_at =
                        Some(accepted.first_offset + i as u64);
                }
                let answered = match batch.acks {
                    Acks::None => {
                        for record in &batch.records {
                            self.produced[record.produced].delivery = Delivery::Sent;
                        }
                        return;
                    }
                    Acks::Leader => true,
                    Acks::All => self.topics[t].cluster.is_acknowledged(accepted.last_write),
                };
                if answered {
                    self.batch_acknowledged(t, part, &batch, accepted.first_offset);
                } else if let Some(send) = self.producers[p].sending.get_mut(&lane) {
                    send.in_flight.push_back(InFlight {
                        batch,
                        request,
                        broker,
                        sent_at: now,
                        first_offset: accepted.first_offset,
                        last_write: accepted.last_write,
                    });
                }
            }
        }
    }

    /// The idempotent producer's stamp for `batch`, giving it a producer id and sequence numbers on its
    /// first send; `None` for a producer without idempotence (or an `acks` override other than `all`).
    fn stamp(
        &mut self,
        p: usize,
        t: usize,
        part: u32,
        batch: &mut SendBatch,
    ) -> Option<BatchStamp> {
        if !self.producers[p].sender.idempotent || batch.acks != Acks::All {
            return None;
        }
        let producer_id = match self.producers[p].producer_id {
            Some(id) => id,
            None => {
                let id = self.next_producer_id;
                self.next_producer_id += 1;
                self.producers[p].producer_id = Some(id);
                id
            }
        };
        let producer = &mut self.producers[p];
        let next = producer.sequences.entry((t, part)).or_default();
        let base_sequence = *batch.base_sequence.get_or_insert_with(|| {
            let base = *next;
            *next = base.wrapping_add(batch.records.len() as u32);
            base
        });
        Some(BatchStamp {
            producer_id,
            epoch: producer.epoch,
            base_sequence,
            transactional: producer.transactional.is_some(),
        })
    }

    /// The producer learns its batch is written: every record acknowledged at its offset.
    fn batch_acknowledged(&mut self, t: usize, part: u32, batch: &SendBatch, first_offset: u64) {
        let topic = self.topics[t].name.clone();
        for (i, record) in batch.records.iter().enumerate() {
            let offset = first_offset + i as u64;
            let produced = &mut self.produced[record.produced];
            produced.delivery = Delivery::Acknowledged;
            produced.written_at = Some(offset);
            self.emit(EventKind::Acknowledged {
                topic: topic.clone(),
                partition: part,
                offset,
            });
        }
    }

    /// The producer learns its batch failed with `error`: it retries while Kafka's rules allow, or fails
    /// the batch's records.
    fn batch_failed(&mut self, p: usize, lane: Lane, mut batch: SendBatch, error: &'static str) {
        let (t, part, _) = lane;
        let now = self.now;
        let producer = &mut self.producers[p];
        let config = producer.sender;
        let retry = batch.acks != Acks::None
            && is_retriable(error)
            && now < batch.created + config.delivery_timeout
            && batch.attempts < config.retries;
        let topic = self.topics[t].name.clone();
        if retry {
            batch.attempts += 1;
            batch.retry_at = now
                + config
                    .backoff
                    .backoff(batch.attempts - 1, &mut producer.rng);
            for record in &batch.records {
                self.produced[record.produced].delivery = Delivery::Retrying(error);
            }
            let records = batch.records.len() as u32;
            let attempt = batch.attempts;
            let producer = &mut self.producers[p];
            let name = producer.name.clone();
            let queue = &mut producer.sending.entry(lane).or_default().queue;
            match batch.base_sequence {
                // Back in sequence order (`insertInSequenceOrder`).
                Some(seq) => {
                    let at = queue
                        .iter()
                        .position(|b| b.base_sequence.is_none_or(|s| s > seq))
                        .unwrap_or(queue.len());
                    queue.insert(at, batch);
                }
                // Back at the front (`addFirst`), ahead of any batch put back before it.
                None => queue.push_front(batch),
            }
            self.emit(EventKind::Retrying {
                producer: name,
                topic,
                partition: part,
                records,
                error,
                attempt,
            });
        } else {
            // A transactional producer's epoch moves at the coordinator only.
            if batch.base_sequence.is_some() && self.producers[p].transactional.is_none() {
                self.producers[p].bump_epoch = true;
            }
            self.transactional_failure(p, error);
            for record in &batch.records {
                self.produced[record.produced].delivery = Delivery::Failed(error);
                self.emit(EventKind::WriteFailed {
                    topic: topic.clone(),
                    partition: part,
                    error,
                });
            }
        }
    }

    /// After a batch of an idempotent producer failed, once nothing is in flight: a new epoch, and every
    /// partition's sequences from 0 again (KIP-360).
    fn maybe_bump_epoch(&mut self, p: usize) {
        let producer = &mut self.producers[p];
        if !producer.bump_epoch || producer.sending.values().any(|s| !s.in_flight.is_empty()) {
            return;
        }
        producer.bump_epoch = false;
        producer.epoch = producer.epoch.wrapping_add(1);
        producer.sequences.clear();
        for send in producer.sending.values_mut() {
            for batch in &mut send.queue {
                batch.base_sequence = None;
            }
        }
    }

    /// Batches in flight to partition `part` of topic `t` whose writes were acknowledged complete; those
    /// whose writes failed with a leader change (`failed`) are retried.
    pub(super) fn settle(&mut self, t: usize, acked: &BTreeSet<u32>, failed: &BTreeSet<u32>) {
        for &part in acked.union(failed) {
            for p in 0..self.producers.len() {
                // acks=all is the only lane with requests left in flight.
                let lane = (t, part, Acks::All);
                let Some(send) = self.producers[p].sending.get_mut(&lane) else {
                    continue;
                };
                let in_flight = core::mem::take(&mut send.in_flight);
                for flight in in_flight {
                    if self.topics[t].cluster.is_acknowledged(flight.last_write) {
                        self.batch_acknowledged(t, part, &flight.batch, flight.first_offset);
                    } else if failed.contains(&part) {
                        self.batch_failed(p, lane, flight.batch, "NOT_LEADER_OR_FOLLOWER");
                    } else if let Some(send) = self.producers[p].sending.get_mut(&lane) {
                        send.in_flight.push_back(flight);
                    }
                }
            }
        }
    }

    /// Delivery and request timeouts due now: expired batches fail with `TIMEOUT`; a request unanswered
    /// for `request.timeout.ms` closes its connection, failing every request in flight to that broker with
    /// `REQUEST_TIMED_OUT`, oldest first.
    pub(super) fn run_sender_timers(&mut self) {
        let now = self.now;
        for p in 0..self.producers.len() {
            let config = self.producers[p].sender;
            let expired = |b: &SendBatch| b.created + config.delivery_timeout <= now;
            let lanes: Vec<Lane> = self.producers[p].sending.keys().copied().collect();
            for lane in lanes {
                let Some(send) = self.producers[p].sending.get_mut(&lane) else {
                    continue;
                };
                let (gone, kept): (Vec<InFlight>, Vec<InFlight>) =
                    send.in_flight.drain(..).partition(|f| expired(&f.batch));
                send.in_flight = kept.into();
                let mut timed_out: Vec<SendBatch> = gone.into_iter().map(|f| f.batch).collect();
                while send.queue.front().is_some_and(expired) {
                    timed_out.extend(send.queue.pop_front());
                }
                for batch in timed_out {
                    self.batch_failed(p, lane, batch, "TIMEOUT");
                }
            }
            let brokers: BTreeSet<u32> = self.producers[p]
                .sending
                .values()
                .flat_map(|s| s.in_flight.iter())
                .filter(|f| f.sent_at + config.request_timeout <= now)
                .map(|f| f.broker)
                .collect();
            for broker in brokers {
                let mut cut: Vec<(u64, Lane, SendBatch)> = Vec::new();
                for (&lane, send) in &mut self.producers[p].sending {
                    let (gone, kept): (Vec<InFlight>, Vec<InFlight>) =
                        send.in_flight.drain(..).partition(|f| f.broker == broker);
                    send.in_flight = kept.into();
                    cut.extend(gone.into_iter().map(|f| (f.request, lane, f.batch)));
                }
                cut.sort_by_key(|&(request, lane, _)| (request, lane));
                for (_, lane, batch) in cut {
                    self.batch_failed(p, lane, batch, "REQUEST_TIMED_OUT");
                }
            }
        }
    }

    /// The next moment a sender has something to do: a backoff ending, a request or a batch timing out.
    pub(super) fn sender_timeout(&self) -> Option<Instant> {
        let now = self.now;
        self.producers
            .iter()
            .flat_map(|producer| {
                let config = producer.sender;
                producer.sending.values().flat_map(move |send| {
                    let front = send.queue.front();
                    let backoff = front
                        .filter(|b| b.attempts > 0 && b.retry_at > now)
                        .map(|b| b.retry_at);
                    let expiry = front.map(|b| b.created + config.delivery_timeout);
                    let flights = send.in_flight.iter().flat_map(move |f| {
                        [
                            f.sent_at + config.request_timeout,
                            f.batch.created + config.delivery_timeout,
                        ]
                    });
                    backoff.into_iter().chain(expiry).chain(flights)
                })
            })
            .min()
    }
}

/// `records` in runs of equal `acks`, in order.
fn split_by_acks(records: Vec<Unsent>) -> Vec<Vec<Unsent>> {
    let mut runs: Vec<Vec<Unsent>> = Vec::new();
    for record in records {
        match runs.last_mut() {
            Some(run) if run[0].acks == record.acks => run.push(record),
            _ => runs.push(alloc::vec![record]),
        }
    }
    runs
}
