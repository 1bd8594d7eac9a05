//! Producing in the world: `produce` actions become records handed to a producer at their moments; the
//! producer's partitioner and batches ([`crate::producer::Producer`]) decide where and when they are sent.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::script::ProducerSpec;
use super::{Delivery, ProducedRecord, World};
use crate::cluster::Acks;
use crate::producer::{Producer, ProducerConfig};
use crate::rng::Stream;
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
/// partition), and the records waiting in those batches.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ProducerState {
    pub(super) name: String,
    pub(super) acks: Acks,
    pub(super) per_topic: Vec<Producer>,
    /// Per topic, per partition: records in the producer's batches, oldest first.
    pub(super) unsent: Vec<Vec<VecDeque<Unsent>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Unsent {
    pub(super) produced: usize,
    pub(super) key: Option<String>,
    pub(super) value_bytes: Option<u32>,
    pub(super) acks: Acks,
    pub(super) timestamp: Instant,
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
    fn send(
        &mut self,
        action: u32,
        producer: usize,
        topic: usize,
        key: Option<String>,
        value_bytes: Option<u32>,
        acks: Acks,
    ) {
        let now = self.now;
        let state = &mut self.producers[producer];
        let appended = state.per_topic[topic].send(
            now,
            key.as_deref().map(str::as_bytes),
            value_bytes.unwrap_or(0),
        );
        let produced = self.produced.len();
        self.produced.push(ProducedRecord {
            action,
            topic: topic as u32,
            partition: appended.partition,
            written_at: None,
            delivery: Delivery::Queued,
            lost: false,
        });
        state.unsent[topic][appended.partition as usize].push_back(Unsent {
            produced,
            key,
            value_bytes,
            acks,
            timestamp: now,
        });
    }

    /// Batches that are full or have waited `linger.ms` go to their partition leaders.
    pub(super) fn send_ready_batches(&mut self) {
        let now = self.now;
        for p in 0..self.producers.len() {
            for t in 0..self.topics.len() {
                let ready = self.producers[p].per_topic[t].poll_ready(now);
                for batch in ready {
                    for _ in 0..batch.records {
                        let Some(record) =
                            self.producers[p].unsent[t][batch.partition as usize].pop_front()
                        else {
                            break;
                        };
                        let name = self.producers[p].name.clone();
                        self.write(t, batch.partition, record, &name);
                    }
                }
            }
        }
    }
}

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
        acks: spec.config.acks.map_or(Acks::All, Acks::from),
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
