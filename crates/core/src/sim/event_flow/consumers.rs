//! The services' consumer groups: which consumer owns which partition (Kafka's `RangeAssignor`), the
//! records each consumer has waiting, and one attempt at a time — processing, failing, backing off,
//! retrying, dead-lettering — with the saga's follow-up events published as records finish.

use super::*;
use crate::group::share::DELIVERY_COUNT_LIMIT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Idle,
    Processing { ok: bool },
    BackingOff,
}

#[derive(Clone)]
pub(super) struct Consumer {
    pub(super) queue: VecDeque<Record>,
    pub(super) state: State,
    pub(super) batch: Vec<Record>,
    pub(super) attempt: u32,
    pub(super) wakeup: Wakeup,
}

#[derive(Clone)]
pub(super) struct Group {
    pub(super) topic: Topic,
    pub(super) role: Role,
    pub(super) duplicate_rate: f64,
    pub(super) idempotent: bool,
    pub(super) duplicates_skipped: u64,
    pub(super) duplicate_effects: u64,
    pub(super) timing: ServiceTiming,
    pub(super) mode: ConsumeMode,
    pub(super) retry: RetrySpec,
    pub(super) max_poll_records: u32,
    pub(super) consumers: Vec<Consumer>,
    /// Partition → consumer (Kafka mode).
    pub(super) owner: Vec<u32>,
    pub(super) shared: VecDeque<Record>,
    pub(super) rng: SimRng,
    pub(super) processed: u64,
    pub(super) dead_lettered: u64,
    /// `queue` mode: records archived at the share group's delivery count limit.
    pub(super) archived: u64,
    pub(super) retries: u64,
    pub(super) max_lag: u64,
    pub(super) end_to_end: Histogram,
    pub(super) drain_from: Option<Instant>,
    pub(super) drain: Option<Duration>,
    /// Start of the first outage; the lag seen before it is the group's normal level.
    pub(super) first_outage: Option<Instant>,
    pub(super) normal_lag: u64,
    pub(super) caught_up: Option<Duration>,
    pub(super) out_of_order: u64,
    pub(super) last_finished: BTreeMap<u32, u64>,
    pub(super) little: LittleMeter,
    /// Per partition: records delivered to the group and not yet finished, and the most at any moment.
    pub(super) partition_lag: Vec<PartitionLag>,
}
/// Schedules consumer `c` of group `g` to wake at `at`, unless a wake-up is already pending.
pub(super) fn wake_later(
    ctx: &mut Ctx<'_>,
    consumer: &mut Consumer,
    g: usize,
    c: usize,
    at: Instant,
) {
    consumer.wakeup.schedule(
        ctx.queue,
        at,
        Event::Kafka(KafkaEvent::Wake {
            service: g as u16,
            consumer: c as u32,
        }),
    );
}
/// Which consumer owns each partition: Kafka's `RangeAssignor` ([`assignor::assign`]) over one topic for
/// `consumers` members. Member ids are zero-padded so that the assignor's member order (by id) is the
/// instances' order; with more consumers than partitions the last ones stay idle.
pub(super) fn range_owners(partitions: u32, consumers: u32) -> Vec<u32> {
    const TOPIC: &str = "order-created";
    let topics = BTreeMap::from([(TOPIC.into(), partitions)]);
    let members: Vec<Member> = (0..consumers)
        .map(|c| Member::new(alloc::format!("instance-{c:04}"), &[TOPIC]))
        .collect();
    let mut owner = alloc::vec![0; partitions as usize];
    // One topic with 1..=1024 partitions and 1..=1000 members is always a valid group.
    if let Ok(assignment) = assignor::assign(Strategy::Range, &topics, &members) {
        for (c, owned) in assignment.partitions.iter().enumerate() {
            for tp in owned {
                owner[tp.partition as usize] = c as u32;
            }
        }
    }
    owner
}

impl EventFlow {
    pub(super) fn deliver(&mut self, ctx: &mut Ctx<'_>, g: usize, record: Record) {
        let partition = record.partition;
        let group = &mut self.groups[g];
        group.little.arrive(ctx.now);
        let lag = group.little.in_system();
        group.max_lag = group.max_lag.max(lag);
        if group.first_outage.is_some_and(|start| ctx.now < start) {
            group.normal_lag = group.normal_lag.max(lag);
        }
        ctx.series.lag(g, lag);
        let slot = &mut group.partition_lag[partition as usize];
        slot.now += 1;
        slot.peak = slot.peak.max(slot.now);
        match group.mode {
            ConsumeMode::Kafka => {
                let c = group.owner[partition as usize] as usize;
                group.consumers[c].queue.push_back(record);
                self.try_start(ctx, g, c);
            }
            ConsumeMode::Queue => {
                group.shared.push_back(record);
                if let Some(c) = group
                    .consumers
                    .iter()
                    .position(|c| c.state == State::Idle && !c.wakeup.is_pending())
                {
                    self.try_start(ctx, g, c);
                }
            }
        }
    }

    /// An idle consumer takes its next record (or batch), unless its service is down.
    pub(super) fn try_start(&mut self, ctx: &mut Ctx<'_>, g: usize, c: usize) {
        let group = &mut self.groups[g];
        let consumer = &mut group.consumers[c];
        if consumer.state != State::Idle {
            return;
        }
        let source = match group.mode {
            ConsumeMode::Kafka => &mut consumer.queue,
            ConsumeMode::Queue => &mut group.shared,
        };
        if source.is_empty() {
            return;
        }
        if let Some(end) = group.timing.outage_end(ctx.now) {
            wake_later(ctx, consumer, g, c, end);
            return;
        }
        let take = source.len().min(group.max_poll_records as usize);
        consumer.batch.extend(source.drain(..take));
        consumer.attempt = 0;
        self.start_attempt(ctx, g, c);
    }

    pub(super) fn start_attempt(&mut self, ctx: &mut Ctx<'_>, g: usize, c: usize) {
        let group = &mut self.groups[g];
        if let Some(end) = group.timing.outage_end(ctx.now) {
            let consumer = &mut group.consumers[c];
            consumer.state = State::BackingOff;
            wake_later(ctx, consumer, g, c, end);
            return;
        }
        let consumer = &mut group.consumers[c];
        let records = consumer.batch.len() as u32;
        // An idempotent service sees at once that a batch of duplicates was already handled.
        let only_duplicates = group.idempotent && consumer.batch.iter().all(|r| r.duplicate);
        let time = if only_duplicates {
            Duration::ZERO
        } else {
            group.timing.service_time(&mut group.rng, records)
        };
        let mut ok = true;
        for record in &mut consumer.batch {
            record.failed = !group.timing.succeeds(&mut group.rng, record.number);
            ok &= !record.failed;
        }
        consumer.state = State::Processing { ok };
        ctx.queue.schedule(
            ctx.now + time,
            Event::Kafka(KafkaEvent::Done {
                service: g as u16,
                consumer: c as u32,
            }),
        );
    }

    pub(super) fn attempt_done(&mut self, ctx: &mut Ctx<'_>, g: usize, c: usize) {
        let group = &mut self.groups[g];
        let consumer = &mut group.consumers[c];
        let State::Processing { ok } = consumer.state else {
            return;
        };
        if !ok && group.mode == ConsumeMode::Queue {
            // A share group: the consumer acknowledges each failed record RELEASE. It is available
            // again at its offset (acquired before newer records) until its delivery count reaches
            // the limit, when it is archived; the records that succeeded are done.
            let mut kept = Vec::with_capacity(consumer.batch.len());
            for record in consumer.batch.drain(..).rev() {
                if record.failed && u32::from(record.deliveries) + 1 < DELIVERY_COUNT_LIMIT {
                    group.retries += 1;
                    group.shared.push_front(Record {
                        deliveries: record.deliveries + 1,
                        failed: false,
                        ..record
                    });
                } else {
                    kept.push(record);
                }
            }
            kept.reverse();
            consumer.batch = kept;
        } else if !ok {
            consumer.attempt += 1;
            if consumer.attempt < group.retry.max_attempts {
                group.retries += 1;
                let backoff_ms = group.retry.backoff_ms
                    * libm::pow(group.retry.multiplier, f64::from(consumer.attempt - 1));
                consumer.state = State::BackingOff;
                let at = ctx.now + Duration::from_millis_f64(backoff_ms);
                wake_later(ctx, consumer, g, c, at);
                return;
            }
        }
        let finished = consumer.batch.len() as u64;
        let mut follow_ups: Vec<(Topic, Record)> = Vec::new();
        let queue = group.mode == ConsumeMode::Queue;
        for record in consumer.batch.drain(..) {
            // A share group settles record by record; a consumer group's batch succeeds or fails whole.
            let succeeded = if queue { !record.failed } else { ok };
            if record.duplicate {
                if group.idempotent {
                    group.duplicates_skipped += 1;
                } else {
                    group.duplicate_effects += 1;
                }
            } else if succeeded {
                group.processed += 1;
            } else if queue {
                group.archived += 1;
            } else {
                group.dead_lettered += 1;
            }
            if !record.duplicate
                && let Some(saga) = &mut self.saga
            {
                let next = Record {
                    published: ctx.now,
                    ..record
                };
                match group.role {
                    Role::Plain => {}
                    Role::Payment { decline_rate } => {
                        let declined = decline_rate > 0.0 && group.rng.unit() < decline_rate;
                        if succeeded && !declined {
                            saga.transition(
                                record.number,
                                Some(OrderState::Pending),
                                OrderState::Paid,
                            );
                            follow_ups.push((Topic::PaymentConfirmed, next));
                        } else {
                            saga.transition(
                                record.number,
                                Some(OrderState::Pending),
                                OrderState::Cancelled,
                            );
                            saga.cancelled
                                .record((ctx.now - record.accepted).as_micros());
                        }
                    }
                    Role::Shipping if ok => {
                        saga.transition(record.number, Some(OrderState::Paid), OrderState::Shipped);
                        follow_ups.push((Topic::OrderShipped, next));
                    }
                    Role::Delivery if ok => {
                        saga.transition(
                            record.number,
                            Some(OrderState::Shipped),
                            OrderState::Delivered,
                        );
                        saga.delivered
                            .record((ctx.now - record.accepted).as_micros());
                    }
                    Role::Shipping | Role::Delivery => {}
                }
            }
            group
                .end_to_end
                .record((ctx.now - record.published).as_micros());
            group.little.depart(ctx.now, record.published);
            group.partition_lag[record.partition as usize].now -= 1;
            if record.customer != NO_CUSTOMER {
                let last = group.last_finished.entry(record.customer).or_insert(0);
                if record.number < *last {
                    group.out_of_order += 1;
                } else {
                    *last = record.number;
                }
            }
        }
        consumer.state = State::Idle;
        let lag = group.little.in_system();
        ctx.series.lag(g, lag);
        ctx.series.processed(g, finished);
        if let Some(from) = group.drain_from.filter(|&from| ctx.now >= from) {
            if lag == 0 && group.drain.is_none() {
                group.drain = Some(ctx.now - from);
            }
            if lag <= group.normal_lag && group.caught_up.is_none() {
                group.caught_up = Some(ctx.now - from);
            }
        }
        for (topic, record) in follow_ups {
            self.publish_to(ctx, topic, record);
        }
        self.try_start(ctx, g, c);
        if self.groups[g].mode == ConsumeMode::Queue {
            // Other idle workers may take what is left.
            for other in 0..self.groups[g].consumers.len() {
                if self.groups[g].shared.is_empty() {
                    break;
                }
                self.try_start(ctx, g, other);
            }
        }
    }
}
