//! The event-driven flow: the order service saves the order, publishes `order-created` and answers; every
//! service consumes the topic at its own pace.
//!
//! The record goes to the partition Kafka's producer picks for its key (murmur2 for `order_id` and
//! `customer_id` keys, the sticky partitioner for no key). Each service is its own consumer group of
//! `instances` consumers; the range assignor (Kafka's `RangeAssignor`, [`crate::group::assignor`]) gives each consumer a contiguous block of partitions (so with
//! more consumers than partitions some sit idle), and a consumer handles its partitions' records one at a
//! time in the order they were published — one partition with one consumer is an M/M/1 queue. In `queue`
//! mode the service is instead a share group (KIP-932, [`crate::group::share`]): competing consumers take
//! whatever record is available next (M/M/c), which balances load but loses per-key order. During an
//! outage a group starts nothing and its lag grows. In a consumer group a failed attempt is retried in
//! place after an exponential backoff (holding up that consumer's partitions, as a blocking retry does)
//! and, after `retry.max_attempts`, dead-lettered; in a share group each failed record is released
//! (available again, ahead of newer records, to any consumer) and archived once delivered
//! `group.share.delivery.count.limit` (5) times, with no backoff and no dead-letter topic. (kplay's
//! order-flow latencies are far below the share group's 30 s record lock, which it does not model
//! here; `kplay world` does.) With `batch`, a consumer takes up to
//! `max_poll_records` at once and pays the latency once plus `per_record_ms` each.
//!
//! Beyond that core:
//! - **Producer batching** (`order_service.producer`): a record joins its partition's batch once saved; the
//!   batch is sent when it reaches `batch.size` or `linger.ms` after its first record, and every record in
//!   it is published when the send completes. Bigger batches mean fewer requests and a longer wait. The
//!   batches, and the sticky partition of keyless records, are [`crate::producer::Producer`]'s, with the
//!   scenario's `batch.size` and `linger.ms` (Kafka's defaults without `order_service.producer`).
//! - **Duplicates** (`duplicate_rate`): a record may reach a service twice. An `idempotent` service
//!   recognises the second copy by its order id and skips it at once; any other applies it again — for a
//!   payment service, a customer charged twice.
//! - **The payment-first saga** (`saga`): orders are PENDING when accepted; payment turns them PAID (and
//!   publishes `payment-confirmed`, which the `after_payment` services consume) or CANCELLED (declined or
//!   dead-lettered); the shipping service turns them SHIPPED (publishing `order-shipped`) and the delivery
//!   service DELIVERED. A follow-up event keeps its order's partition. With `saga.view`, an order-state read
//!   model (CQRS) is kept and, at report time, rebuilt by replaying the events from offset 0.

mod consumers;
mod saga;
mod stats;

use consumers::{Consumer, Group, State, range_owners};
use saga::{OrderState, OrderView, Saga};

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::picture::{self, EventPicture, GroupPicture};
use super::queue::Wakeup;
use super::report::CDF_POINTS;
use super::report::{
    EventReport, EventServiceReport, LittleMeter, Named, OrderStates, ProducerReport, SagaReport,
    ViewReport,
};
use super::{Ctx, Event, ServiceTiming};
use crate::group::assignor::{self, Member, Strategy};
use crate::metrics::Histogram;
use crate::producer::{Appended, Producer, ProducerConfig};
use crate::rng::{SimRng, Stream};
use crate::scenario::FlowTopic as Topic;
use crate::scenario::{ConsumeMode, KeyChoice, Latency, RetrySpec, Scenario};
use crate::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub(crate) enum KafkaEvent {
    /// The order is saved; with producer batching its record now joins a batch.
    Saved {
        number: u64,
        arrived: Instant,
        customer: u32,
    },
    /// A batch's `linger.ms` may have run out: the producer sends whatever is ready.
    LingerOver,
    /// The record is in the log and the user has their answer.
    Published {
        number: u64,
        arrived: Instant,
        partition: u32,
        customer: u32,
    },
    /// A consumer finished an attempt.
    Done { service: u16, consumer: u32 },
    /// A consumer waiting out an outage or a retry backoff may go on.
    Wake { service: u16, consumer: u32 },
    /// A service's last outage ended.
    OutageOver { service: u16 },
}

#[derive(Debug, Clone, Copy)]
struct Record {
    number: u64,
    /// When the record reached the topic this group reads.
    published: Instant,
    /// When the order was accepted (for the saga's order-to-delivery time).
    accepted: Instant,
    customer: u32,
    partition: u32,
    /// A second copy of a record already delivered.
    duplicate: bool,
    /// `queue` mode: times the share group delivered it before (each failed).
    deliveries: u8,
    /// Its last processing attempt failed.
    failed: bool,
}

/// A group's part in the saga.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Plain,
    Payment { decline_rate: f64 },
    Shipping,
    Delivery,
}

/// One partition's lag within one group. In Kafka mode records finish in offset order, so `now` is what
/// [`crate::group::offsets::lag_between`] gives for the group's committed offset; in `queue` mode there are
/// no offsets and it counts the records waiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartitionLag {
    /// Records published and not yet finished by the group right now.
    pub now: u64,
    /// The most at any moment so far.
    pub peak: u64,
}

#[derive(Clone)]
pub(crate) struct EventFlow {
    key: KeyChoice,
    producer: Producer,
    rng: SimRng,
    db_write: Latency,
    publish: Latency,
    groups: Vec<Group>,
    names: Vec<alloc::string::String>,
    arrived: u64,
    accepted: u64,
    /// Per partition, records published to `order-created`.
    published: Vec<u64>,
    response: Histogram,
    /// Whether the scenario configures producer batching (`order_service.producer`).
    batching: bool,
    /// Per partition, the orders in the producer's batches: (number, arrived, customer).
    unsent: Vec<VecDeque<(u64, Instant, u32)>>,
    batches_sent: u64,
    saga: Option<Saga>,
}

/// Bytes of each order record's value.
const RECORD_VALUE_BYTES: u32 = 100;

/// Customer marker for records whose key is not a customer.
const NO_CUSTOMER: u32 = u32::MAX;

/// `prefix` followed by the decimal digits of `n`, in `buf`.
fn key_bytes<'b>(prefix: &[u8], mut n: u64, buf: &'b mut [u8; 40]) -> &'b [u8] {
    let mut digits = [0_u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf[..prefix.len()].copy_from_slice(prefix);
    for i in 0..len {
        buf[prefix.len() + i] = digits[len - 1 - i];
    }
    &buf[..prefix.len() + len]
}

impl EventFlow {
    /// What the pipeline holds: records in the producer's batches, records waiting at or being handled
    /// by each group's consumers, and the saga's read model (a state and a log entry per change).
    pub(crate) fn held(&self) -> u64 {
        let unsent: usize = self.unsent.iter().map(VecDeque::len).sum();
        let waiting: usize = self
            .groups
            .iter()
            .map(|g| {
                g.shared.len()
                    + g.consumers
                        .iter()
                        .map(|c| c.queue.len() + c.batch.len())
                        .sum::<usize>()
            })
            .sum();
        let view = self
            .saga
            .as_ref()
            .and_then(|saga| saga.view.as_ref())
            .map_or(0, |view| view.states.len() + view.log.len());
        (unsent + waiting + view) as u64
    }

    pub(crate) fn new(scenario: &Scenario) -> Self {
        let partitions = NonZeroU32::new(scenario.topic.partitions).unwrap_or(NonZeroU32::MIN);
        let saga = scenario.saga.as_ref();
        let groups = scenario
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let last_outage = s
                    .outages
                    .iter()
                    .map(|o| Instant::from_millis(o.to_ms))
                    .max();
                let topic = scenario.subscription(s);
                let role = match saga {
                    Some(saga) if saga.payment == s.name => Role::Payment {
                        decline_rate: saga.decline_rate,
                    },
                    Some(saga) if saga.shipping.as_ref() == Some(&s.name) => Role::Shipping,
                    Some(saga) if saga.delivery.as_ref() == Some(&s.name) => Role::Delivery,
                    _ => Role::Plain,
                };
                Group {
                    topic,
                    role,
                    duplicate_rate: s.duplicate_rate,
                    idempotent: s.idempotent,
                    duplicates_skipped: 0,
                    duplicate_effects: 0,
                    timing: ServiceTiming::new(s),
                    mode: s.mode,
                    retry: s.retry,
                    max_poll_records: s.batch.map_or(1, |b| b.max_poll_records),
                    consumers: (0..s.instances)
                        .map(|_| Consumer {
                            queue: VecDeque::new(),
                            state: State::Idle,
                            batch: Vec::new(),
                            attempt: 0,
                            wakeup: Wakeup::default(),
                        })
                        .collect(),
                    owner: range_owners(partitions.get(), s.instances),
                    shared: VecDeque::new(),
                    rng: Stream::EventService(i as u32).rng(scenario.seed),
                    processed: 0,
                    dead_lettered: 0,
                    archived: 0,
                    retries: 0,
                    max_lag: 0,
                    end_to_end: Histogram::new(),
                    drain_from: last_outage,
                    drain: None,
                    first_outage: s
                        .outages
                        .iter()
                        .map(|o| Instant::from_millis(o.from_ms))
                        .min(),
                    normal_lag: 0,
                    caught_up: None,
                    out_of_order: 0,
                    last_finished: BTreeMap::new(),
                    partition_lag: alloc::vec![PartitionLag::default(); partitions.get() as usize],
                    little: LittleMeter::default(),
                }
            })
            .collect();
        Self {
            key: scenario.topic.key,
            producer: Producer::new(
                scenario
                    .order_service
                    .producer
                    .map_or_else(ProducerConfig::default, |p| ProducerConfig {
                        batch_size: p.batch_size,
                        linger: Duration::from_millis_f64(p.linger_ms),
                        ..ProducerConfig::default()
                    }),
                partitions,
                Stream::OrderProducer.rng(scenario.seed).next_u64(),
            ),
            rng: Stream::Publish.rng(scenario.seed),
            db_write: scenario.order_service.db_write,
            publish: scenario.order_service.publish,
            groups,
            names: scenario.services.iter().map(|s| s.name.clone()).collect(),
            arrived: 0,
            accepted: 0,
            published: alloc::vec![0; partitions.get() as usize],
            response: Histogram::new(),
            batching: scenario.order_service.producer.is_some(),
            unsent: alloc::vec![VecDeque::new(); partitions.get() as usize],
            batches_sent: 0,
            saga: saga.map(|s| Saga {
                counts: [0; 5],
                delivered: Histogram::new(),
                cancelled: Histogram::new(),
                view: s.view.then(OrderView::default),
            }),
        }
    }

    /// Schedules the end of every service's last outage (for drain times).
    pub(crate) fn start(&mut self, ctx: &mut Ctx<'_>) {
        for (i, g) in self.groups.iter().enumerate() {
            if let Some(end) = g.drain_from {
                ctx.queue.schedule(
                    end,
                    Event::Kafka(KafkaEvent::OutageOver { service: i as u16 }),
                );
            }
        }
    }

    /// Records not yet finished by some group.
    pub(crate) fn backlog(&self) -> u64 {
        self.groups.iter().map(|g| g.little.in_system()).sum()
    }

    /// Per partition, service `service`'s lag now and at its peak (empty for an unknown service).
    pub(crate) fn partition_lags(&self, service: usize) -> &[PartitionLag] {
        self.groups
            .get(service)
            .map_or(&[], |g| g.partition_lag.as_slice())
    }

    /// Current lag of each service.
    pub(crate) fn lags(&self) -> impl Iterator<Item = u64> + '_ {
        self.groups.iter().map(|g| g.little.in_system())
    }

    /// Where the pipeline's records are at `now` ([`super::picture`]).
    pub(crate) fn picture(&self, now: Instant) -> EventPicture {
        let partitions = self.published.len() as u32;
        let per = picture::per_column(partitions);
        EventPicture {
            publishing: self.arrived - self.accepted,
            published: self.accepted,
            partitions,
            per_column: per,
            columns: picture::columns(self.published.iter().copied(), per),
            groups: self
                .groups
                .iter()
                .zip(&self.names)
                .map(|(g, name)| GroupPicture {
                    name: name.clone(),
                    topic: g.topic.name().into(),
                    lag: g.little.in_system(),
                    columns: picture::columns(g.partition_lag.iter().map(|p| p.now), per),
                    consumers: g.consumers.len() as u32,
                    busy: g
                        .consumers
                        .iter()
                        .filter(|c| c.state != State::Idle)
                        .count() as u32,
                    down: g.timing.outage_end(now).is_some(),
                })
                .collect(),
        }
    }

    pub(crate) fn arrive(&mut self, ctx: &mut Ctx<'_>, number: u64, customer: u32) {
        self.arrived += 1;
        let customer = if self.key == KeyChoice::CustomerId {
            customer
        } else {
            NO_CUSTOMER
        };
        if self.batching {
            let saved = ctx.now + self.db_write.sample(&mut self.rng);
            let event = KafkaEvent::Saved {
                number,
                arrived: ctx.now,
                customer,
            };
            ctx.queue.schedule(saved, Event::Kafka(event));
            return;
        }
        // Without batching each record is its own request: only the partitioner's choice matters.
        let partition = self.send(ctx, number, customer).partition;
        let _sent = self.producer.poll_ready(ctx.now);
        let done =
            ctx.now + self.db_write.sample(&mut self.rng) + self.publish.sample(&mut self.rng);
        let published = KafkaEvent::Published {
            number,
            arrived: ctx.now,
            partition,
            customer,
        };
        ctx.queue.schedule(done, Event::Kafka(published));
    }

    /// `producer.send()` for order `number`: its key (or none) goes through the producer's partitioner.
    fn send(&mut self, ctx: &Ctx<'_>, number: u64, customer: u32) -> Appended {
        let mut buf = [0_u8; 40];
        let key = match self.key {
            KeyChoice::OrderId => Some(key_bytes(b"order-", number, &mut buf)),
            KeyChoice::CustomerId => Some(key_bytes(b"customer-", u64::from(customer), &mut buf)),
            KeyChoice::None => None,
        };
        self.producer.send(ctx.now, key, RECORD_VALUE_BYTES)
    }

    /// A saved order's record joins its partition's batch; batches that are full go out.
    fn batch(&mut self, ctx: &mut Ctx<'_>, number: u64, arrived: Instant, customer: u32) {
        let appended = self.send(ctx, number, customer);
        self.unsent[appended.partition as usize].push_back((number, arrived, customer));
        if appended.new_batch {
            let linger = self.producer.config().linger;
            ctx.queue
                .schedule(ctx.now + linger, Event::Kafka(KafkaEvent::LingerOver));
        }
        self.send_ready(ctx);
    }

    /// Sends every batch the producer has ready (full, or past `linger.ms`): its records are published
    /// when the request completes.
    fn send_ready(&mut self, ctx: &mut Ctx<'_>) {
        for batch in self.producer.poll_ready(ctx.now) {
            self.batches_sent += 1;
            let done = ctx.now + self.publish.sample(&mut self.rng);
            let queue = &mut self.unsent[batch.partition as usize];
            for (number, arrived, customer) in queue.drain(..batch.records as usize) {
                ctx.queue.schedule(
                    done,
                    Event::Kafka(KafkaEvent::Published {
                        number,
                        arrived,
                        partition: batch.partition,
                        customer,
                    }),
                );
            }
        }
    }

    pub(crate) fn handle(&mut self, ctx: &mut Ctx<'_>, event: KafkaEvent) {
        match event {
            KafkaEvent::Saved {
                number,
                arrived,
                customer,
            } => {
                self.batch(ctx, number, arrived, customer);
            }
            KafkaEvent::LingerOver => self.send_ready(ctx),
            KafkaEvent::Published {
                number,
                arrived,
                partition,
                customer,
            } => {
                self.accepted += 1;
                self.published[partition as usize] += 1;
                let waited = ctx.now - arrived;
                self.response.record(waited.as_micros());
                ctx.series.event_accepted(waited);
                if let Some(saga) = &mut self.saga {
                    saga.transition(number, None, OrderState::Pending);
                }
                let record = Record {
                    number,
                    published: ctx.now,
                    accepted: ctx.now,
                    customer,
                    partition,
                    duplicate: false,
                    deliveries: 0,
                    failed: false,
                };
                self.publish_to(ctx, Topic::OrderCreated, record);
            }
            KafkaEvent::Done { service, consumer } => {
                self.attempt_done(ctx, service as usize, consumer as usize)
            }
            KafkaEvent::Wake { service, consumer } => {
                let (g, c) = (service as usize, consumer as usize);
                let state = {
                    let consumer = &mut self.groups[g].consumers[c];
                    consumer.wakeup.fired();
                    consumer.state
                };
                if state == State::BackingOff {
                    self.start_attempt(ctx, g, c);
                } else {
                    self.try_start(ctx, g, c);
                }
            }
            KafkaEvent::OutageOver { service } => {
                let g = &mut self.groups[service as usize];
                if g.little.in_system() == 0 && g.drain.is_none() {
                    g.drain = Some(Duration::ZERO);
                }
                if g.little.in_system() <= g.normal_lag && g.caught_up.is_none() {
                    g.caught_up = Some(Duration::ZERO);
                }
            }
        }
    }

    /// Delivers `record` to every group reading `topic`.
    fn publish_to(&mut self, ctx: &mut Ctx<'_>, topic: Topic, record: Record) {
        for g in 0..self.groups.len() {
            if self.groups[g].topic != topic {
                continue;
            }
            self.deliver(ctx, g, record);
            let group = &mut self.groups[g];
            if group.duplicate_rate > 0.0 && group.rng.unit() < group.duplicate_rate {
                self.deliver(
                    ctx,
                    g,
                    Record {
                        duplicate: true,
                        ..record
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_written_without_allocating() {
        let mut buf = [0_u8; 40];
        assert_eq!(key_bytes(b"order-", 123, &mut buf), b"order-123");
        assert_eq!(key_bytes(b"customer-", 0, &mut buf), b"customer-0");
        assert_eq!(key_bytes(b"", u64::MAX, &mut buf), b"18446744073709551615");
    }

    #[test]
    fn range_owners_give_contiguous_blocks_and_leave_extras_idle() {
        assert_eq!(range_owners(4, 6), [0, 1, 2, 3]);
        assert_eq!(range_owners(7, 3), [0, 0, 0, 1, 1, 2, 2]);
        assert_eq!(range_owners(3, 1), [0, 0, 0]);
        // Past ten members, ids still sort in instance order.
        assert_eq!(range_owners(12, 12), (0..12).collect::<Vec<u32>>());
    }
}
