//! Producing in the world: `produce` actions become records handed to a producer at their moments; the
//! producer's partitioner and batches ([`crate::producer::Producer`]) decide where and when they are sent,
//! and its sender how they reach the leader and what happens when they do not.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::append::Unsent;
use super::script::ProducerSpec;
use super::sender::{Lane, PartitionSend};
use super::{Delivery, ProducedRecord, World};
use crate::cluster::Acks;
use crate::producer::sender::SenderConfig;
use crate::producer::{Producer, ProducerConfig};
use crate::rng::{SimRng, Stream};
use crate::time::{Duration, Instant};

/// A `produce` action still writing records `interval_ms` apart.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ProduceStream {
    pub(super) action: u32,
    pub(super) producer: usize,
    pub(super) topic: usize,
    pub(super) key: Option<String>,
    pub(super) value_bytes: Option<u32>,
    pub(super) acks: Acks,
    pub(super) next: u64,
    pub(super) count: u64,
    pub(super) interval: Duration,
    pub(super) next_at: Instant,
}

/// A producer: one Kafka producer per topic it writes to (each with its own batches and sticky
/// partition), the records waiting in those batches, and its sender's queues and requests in flight.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ProducerState {
    pub(super) name: String,
    pub(super) sender: SenderConfig,
    pub(super) per_topic: Vec<Producer>,
    /// Per topic, per partition: records in the producer's batches, oldest first.
    pub(super) unsent: Vec<Vec<VecDeque<Unsent>>>,
    /// The producer id, once an idempotent producer has one (`InitProducerId`).
    pub(super) producer_id: Option<u64>,
    pub(super) epoch: u16,
    /// A batch failed after it may have been written: bump the epoch once nothing is in flight.
    pub(super) bump_epoch: bool,
    /// Lanes with batches queued or in flight.
    pub(super) sending: BTreeMap<Lane, PartitionSend>,
    /// The next sequence number per (topic, partition), in the current epoch.
    pub(super) sequences: BTreeMap<(usize, u32), u32>,
    pub(super) next_request: u64,
    /// Draws the retry backoff's jitter.
    pub(super) rng: SimRng,
    /// `transactional.id` and `transaction.timeout.ms`, for a transactional producer.
    pub(super) transactional: Option<(String, Duration)>,
    /// Where its transactions stand, as the producer knows it.
    pub(super) txn: TxnClient,
    /// Offsets `sendOffsetsToTransaction` has yet to deliver: refused with `CONCURRENT_TRANSACTIONS`
    /// while the last transaction's markers were being written, sent again before the commit.
    pub(super) unsent_offsets: Vec<crate::transaction::TxnOffset>,
}

/// A transactional producer's own view of its transaction (`TransactionManager`'s states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxnClient {
    /// Not registered yet (`initTransactions()` not called).
    Uninitialized,
    /// Registered, no transaction open.
    Ready,
    /// Between `beginTransaction()` and its end; a record of it failed with the error given, if any
    /// (Kafka's abortable error: the transaction can only be aborted).
    InTransaction(Option<&'static str>),
    /// `commitTransaction()` or `abortTransaction()` called: waiting for its batches to be answered.
    Ending(crate::log::Control, Option<&'static str>),
    /// Fenced by a newer producer with the same `transactional.id`, with the error that told it: every
    /// later call fails with it.
    Fenced(&'static str),
}

impl ProducerState {
    /// Takes every record the producer holds — in its open batches and queued to be sent, and with
    /// `in_flight` also those sent and not answered — returning their `produced` indices.
    pub(super) fn take_buffered(&mut self, in_flight: bool) -> Vec<usize> {
        for per_topic in &mut self.per_topic {
            per_topic.flush();
        }
        let mut taken: Vec<usize> = self
            .unsent
            .iter_mut()
            .flat_map(|parts| parts.iter_mut().flat_map(|q| q.drain(..)))
            .map(|u| u.produced)
            .collect();
        if in_flight {
            for send in core::mem::take(&mut self.sending).into_values() {
                taken.extend(send.into_records().map(|u| u.produced));
            }
        } else {
            for send in self.sending.values_mut() {
                taken.extend(send.drain_queue().map(|u| u.produced));
            }
            self.sending.retain(|_, s| !s.is_idle());
        }
        taken
    }
}

impl TxnClient {
    /// The name the state prints: `uninitialized`, `ready`, `in-transaction`, `committing`,
    /// `aborting` or `fenced`.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Uninitialized => "uninitialized",
            Self::Ready => "ready",
            Self::InTransaction(_) => "in-transaction",
            Self::Ending(crate::log::Control::Commit, _) => "committing",
            Self::Ending(crate::log::Control::Abort, _) => "aborting",
            Self::Fenced(_) => "fenced",
        }
    }
}

impl World {
    /// Records of `produce` actions that are due now go to their producers.
    pub(super) fn run_streams(&mut self) {
        let now = self.now;
        let mut i = 0;
        while i < self.streams.len() {
            while self.streams[i].next < self.streams[i].count && self.streams[i].next_at <= now {
                let stream = &mut self.streams[i];
                let index = stream.next;
                stream.next += 1;
                stream.next_at += stream.interval;
                let key = stream
                    .key
                    .as_ref()
                    .map(|k| k.replace("{i}", &index.to_string()));
                let (action, producer, topic, value_bytes, acks) = (
                    stream.action,
                    stream.producer,
                    stream.topic,
                    stream.value_bytes,
                    stream.acks,
                );
                self.send(action, producer, topic, key, value_bytes, acks);
            }
            if self.streams[i].next >= self.streams[i].count {
                self.streams.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// `producer.send()`: the partitioner picks the partition and the record joins its batch.
    pub(super) fn send(
        &mut self,
        action: u32,
        producer: usize,
        topic: usize,
        key: Option<String>,
        value_bytes: Option<u32>,
        acks: Acks,
    ) {
        let now = self.now;
        let refused = self.refused_send(producer);
        let state = &mut self.producers[producer];
        // A refused record never reaches the partitioner: Kafka's send() fails before choosing one.
        let partition = refused.is_none().then(|| {
            state.per_topic[topic]
                .send(
                    now,
                    key.as_deref().map(str::as_bytes),
                    value_bytes.unwrap_or(0),
                )
                .partition
        });
        let produced = self.produced.len();
        self.produced.push(ProducedRecord {
            action,
            topic: topic as u32,
            partition: partition.unwrap_or(0),
            written_at: None,
            delivery: refused.map_or(Delivery::Queued, Delivery::Failed),
            lost: false,
            attempts: 0,
            appends: 0,
        });
        let Some(partition) = partition else {
            return;
        };
        state.unsent[topic][partition as usize].push_back(Unsent {
            produced,
            key,
            value_bytes,
            acks,
            timestamp: now,
        });
    }
}

/// The producer `spec` describes. [`super::Script::check`] has resolved its configs already.
pub(super) fn new_producer(
    spec: &ProducerSpec,
    index: u32,
    partitions: &[u32],
    seed: u64,
) -> ProducerState {
    let defaults = ProducerConfig::default();
    let config = ProducerConfig {
        batch_size: spec.config.batch_size.unwrap_or(defaults.batch_size),
        linger: spec
            .config
            .linger_ms
            .map_or(defaults.linger, Duration::from_millis),
        ..defaults
    };
    ProducerState {
        name: spec.name.clone(),
        sender: SenderConfig::resolve(spec.config.sender_settings()).unwrap_or_default(),
        producer_id: None,
        epoch: 0,
        bump_epoch: false,
        sending: BTreeMap::new(),
        sequences: BTreeMap::new(),
        next_request: 0,
        rng: Stream::WorldSender { producer: index }.rng(seed),
        transactional: spec.config.transactional_id.clone().map(|id| {
            let timeout = spec
                .config
                .transaction_timeout_ms
                .map_or(crate::transaction::DEFAULT_TIMEOUT, Duration::from_millis);
            (id, timeout)
        }),
        txn: TxnClient::Uninitialized,
        unsent_offsets: Vec::new(),
        per_topic: partitions
            .iter()
            .enumerate()
            .map(|(t, &count)| {
                let stream = Stream::WorldProducer {
                    producer: index,
                    topic: t as u32,
                };
                let count = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
                Producer::new(config, count, stream.rng(seed).next_u64())
            })
            .collect(),
        unsent: partitions
            .iter()
            .map(|&count| alloc::vec![VecDeque::new(); count as usize])
            .collect(),
    }
}
