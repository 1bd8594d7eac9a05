//! The synchronous chain: the order service saves the order, then calls every service in turn and waits.
//!
//! Each service is a FIFO queue served by `instances` workers, one request each (M/M/c with Poisson
//! arrivals and exponential latency). A call made during an outage fails at once; a call not answered
//! within `sync.timeout_ms` fails at the timeout (the worker still finishes it: the server never learns
//! that the client gave up). A failed call of a `required` service fails the order and ends the chain;
//! other failures are ignored. The user waits from arrival until the chain ends.
//!
//! Timeouts cost one timer per service, not one per call: every call to a service has the same timeout,
//! so deadlines expire in the order calls were made. Each service keeps its outstanding calls in that
//! order and a single timer for the oldest one's deadline.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use super::picture::{HopPicture, SyncPicture, WaitingOrder};
use super::queue::Wakeup;
use super::report::CDF_POINTS;
use super::report::{LittleMeter, Named, SyncReport};
use super::{Ctx, Event, ServiceTiming};
use crate::metrics::Histogram;
use crate::rng::{SimRng, Stream};
use crate::scenario::Scenario;
use crate::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub(crate) enum SyncEvent {
    /// The order is saved; call the first service.
    Saved { order: u32 },
    /// A worker finished a request.
    Answered {
        service: u16,
        order: u32,
        call: u32,
        ok: bool,
        entered: Instant,
    },
    /// The oldest outstanding call of a service may have reached its deadline.
    Deadline { service: u16 },
}

#[derive(Clone)]
struct Request {
    order: u32,
    call: u32,
    number: u64,
    entered: Instant,
}

#[derive(Clone)]
struct Service {
    timing: ServiceTiming,
    required: bool,
    /// The saga's payment declines: a declined call is a failed call.
    decline_rate: f64,
    busy: u32,
    /// Orders whose call to this service is unanswered (queued or in service).
    pending: u64,
    waiting: VecDeque<Request>,
    /// Calls made and maybe unanswered, oldest first: (deadline, order slot, call id).
    outstanding: VecDeque<(Instant, u32, u32)>,
    /// The call-timeout timer: one pending deadline check at a time.
    timer: Wakeup,
    rng: SimRng,
    failed_calls: u64,
    little: LittleMeter,
}

#[derive(Clone)]
struct Order {
    number: u64,
    arrived: Instant,
    next_service: usize,
    call: u32,
    pending: bool,
    failed: bool,
}

#[derive(Clone)]
pub(crate) struct SyncFlow {
    services: Vec<Service>,
    names: Vec<alloc::string::String>,
    orders: Vec<Option<Order>>,
    free: Vec<u32>,
    db_rng: SimRng,
    db_write: crate::scenario::Latency,
    timeout: Duration,
    /// Ids of calls, unique over the run: order slots are reused, and a late answer or timeout of an earlier
    /// occupant's call must not be taken for the current one's.
    next_call: u32,
    arrived: u64,
    succeeded: u64,
    failed: u64,
    response: Histogram,
}

impl SyncFlow {
    /// What the chain holds: calls waiting or unanswered at each service, and the order slots (free
    /// ones too: the slab never shrinks).
    pub(crate) fn held(&self) -> u64 {
        let calls: usize = self
            .services
            .iter()
            .map(|s| s.waiting.len() + s.outstanding.len())
            .sum();
        (calls + self.orders.len()) as u64
    }

    pub(crate) fn new(scenario: &Scenario) -> Self {
        let services = scenario
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| Service {
                timing: ServiceTiming::new(s),
                required: s.required,
                decline_rate: scenario
                    .saga
                    .as_ref()
                    .filter(|saga| saga.payment == s.name)
                    .map_or(0.0, |saga| saga.decline_rate),
                busy: 0,
                pending: 0,
                waiting: VecDeque::new(),
                outstanding: VecDeque::new(),
                timer: Wakeup::default(),
                rng: Stream::SyncService(i as u32).rng(scenario.seed),
                failed_calls: 0,
                little: LittleMeter::default(),
            })
            .collect();
        Self {
            services,
            names: scenario.services.iter().map(|s| s.name.clone()).collect(),
            orders: Vec::new(),
            free: Vec::new(),
            db_rng: Stream::DatabaseWrite.rng(scenario.seed),
            db_write: scenario.order_service.db_write,
            timeout: Duration::from_millis(scenario.sync.timeout_ms),
            next_call: 0,
            arrived: 0,
            succeeded: 0,
            failed: 0,
            response: Histogram::new(),
        }
    }

    /// Orders still waiting for their chain.
    pub(crate) fn in_flight(&self) -> usize {
        self.orders.len() - self.free.len()
    }

    pub(crate) fn arrive(&mut self, ctx: &mut Ctx<'_>, number: u64) {
        self.arrived += 1;
        let order = Order {
            number,
            arrived: ctx.now,
            next_service: 0,
            call: 0,
            pending: false,
            failed: false,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.orders[slot as usize] = Some(order);
                slot
            }
            None => {
                self.orders.push(Some(order));
                (self.orders.len() - 1) as u32
            }
        };
        let saved = ctx.now + self.db_write.sample(&mut self.db_rng);
        ctx.queue
            .schedule(saved, Event::Sync(SyncEvent::Saved { order: slot }));
    }

    pub(crate) fn handle(&mut self, ctx: &mut Ctx<'_>, event: SyncEvent) {
        match event {
            SyncEvent::Saved { order } => self.call_next(ctx, order),
            SyncEvent::Answered {
                service,
                order,
                call,
                ok,
                entered,
            } => {
                let s = &mut self.services[service as usize];
                s.busy -= 1;
                s.little.depart(ctx.now, entered);
                self.start_work(ctx, service as usize);
                if self.is_waiting_for(order, call) {
                    self.resolve(ctx, order, ok);
                }
            }
            SyncEvent::Deadline { service } => {
                let index = service as usize;
                self.services[index].timer.fired();
                while let Some(&(deadline, order, call)) = self.services[index].outstanding.front()
                {
                    if self.is_waiting_for(order, call) && deadline > ctx.now {
                        break;
                    }
                    self.services[index].outstanding.pop_front();
                    if self.is_waiting_for(order, call) {
                        self.resolve(ctx, order, false);
                    }
                }
                self.arm_timer(ctx, index);
            }
        }
    }

    fn is_waiting_for(&self, order: u32, call: u32) -> bool {
        self.orders[order as usize]
            .as_ref()
            .is_some_and(|o| o.pending && o.call == call)
    }

    fn call_next(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        let Some(order) = self.orders[slot as usize].as_mut() else {
            return;
        };
        if order.next_service == self.services.len() {
            self.finish(ctx, slot);
            return;
        }
        let index = order.next_service;
        let service = &mut self.services[index];
        if service.timing.outage_end(ctx.now).is_some() {
            self.resolve(ctx, slot, false);
            return;
        }
        self.next_call = self.next_call.wrapping_add(1);
        order.call = self.next_call;
        order.pending = true;
        service.pending += 1;
        let request = Request {
            order: slot,
            call: order.call,
            number: order.number,
            entered: ctx.now,
        };
        service
            .outstanding
            .push_back((ctx.now + self.timeout, slot, order.call));
        service.little.arrive(ctx.now);
        service.waiting.push_back(request);
        self.arm_timer(ctx, index);
        self.start_work(ctx, index);
    }

    /// Drops answered calls from the front of `index`'s outstanding list and sets its timer for the oldest
    /// unanswered one.
    fn arm_timer(&mut self, ctx: &mut Ctx<'_>, index: usize) {
        while let Some(&(_, order, call)) = self.services[index].outstanding.front() {
            if self.is_waiting_for(order, call) {
                break;
            }
            self.services[index].outstanding.pop_front();
        }
        let service = &mut self.services[index];
        if let Some(&(deadline, _, _)) = service.outstanding.front() {
            service.timer.schedule(
                ctx.queue,
                deadline,
                Event::Sync(SyncEvent::Deadline {
                    service: index as u16,
                }),
            );
        }
    }

    /// Puts idle workers of `index` to work on waiting requests.
    fn start_work(&mut self, ctx: &mut Ctx<'_>, index: usize) {
        let service = &mut self.services[index];
        while service.busy < service.timing.instances {
            let Some(request) = service.waiting.pop_front() else {
                break;
            };
            service.busy += 1;
            let time = service.timing.service_time(&mut service.rng, 1);
            let ok = service.timing.succeeds(&mut service.rng, request.number)
                && !(service.decline_rate > 0.0 && service.rng.unit() < service.decline_rate);
            let answered = SyncEvent::Answered {
                service: index as u16,
                order: request.order,
                call: request.call,
                ok,
                entered: request.entered,
            };
            ctx.queue.schedule(ctx.now + time, Event::Sync(answered));
        }
    }

    fn resolve(&mut self, ctx: &mut Ctx<'_>, slot: u32, ok: bool) {
        let Some(order) = self.orders[slot as usize].as_mut() else {
            return;
        };
        let service = &mut self.services[order.next_service];
        if order.pending {
            service.pending -= 1;
        }
        order.pending = false;
        if !ok {
            service.failed_calls += 1;
            if service.required {
                order.failed = true;
                self.finish(ctx, slot);
                return;
            }
        }
        order.next_service += 1;
        self.call_next(ctx, slot);
    }

    fn finish(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        let Some(order) = self.orders[slot as usize].take() else {
            return;
        };
        self.free.push(slot);
        let waited = ctx.now - order.arrived;
        self.response.record(waited.as_micros());
        if order.failed {
            self.failed += 1;
        } else {
            self.succeeded += 1;
        }
        ctx.series.sync_answered(waited, !order.failed);
    }

    /// Where the chain's orders are at `now` ([`super::picture`]), from counts kept as calls are made and
    /// resolved: no pass over the orders in flight.
    pub(crate) fn picture(&self, now: Instant) -> SyncPicture {
        let mut timers = Vec::new();
        let hops = self
            .services
            .iter()
            .zip(&self.names)
            .enumerate()
            .map(|(index, (s, name))| {
                // The first call still unanswered in call order (answered ones ahead of it are dropped
                // only when the service's timer is next armed).
                let first = s
                    .outstanding
                    .iter()
                    .find(|&&(_, order, call)| self.is_waiting_for(order, call))
                    .and_then(|&(_, order, _)| self.orders[order as usize].as_ref());
                if let Some(order) = first {
                    timers.push(WaitingOrder {
                        order: order.number,
                        at: index as u32,
                        waited_ms: (now - order.arrived).as_millis_f64(),
                    });
                }
                HopPicture {
                    name: name.clone(),
                    waiting: s.pending,
                    busy: s.busy,
                    workers: s.timing.instances,
                    down: s.timing.outage_end(now).is_some(),
                    failed_calls: s.failed_calls,
                }
            })
            .collect::<Vec<_>>();
        let waiting = self.in_flight() as u64;
        SyncPicture {
            waiting,
            saving: waiting - hops.iter().map(|h| h.waiting).sum::<u64>(),
            hops,
            timers,
        }
    }

    pub(crate) fn report(&self, end: Instant) -> SyncReport {
        let names = || self.names.iter().cloned();
        SyncReport {
            orders: self.arrived,
            succeeded: self.succeeded,
            failed: self.failed,
            response_ms: self.response.summary(),
            response_cdf: self.response.cdf(CDF_POINTS),
            failed_calls: Named(
                names()
                    .zip(self.services.iter().map(|s| s.failed_calls))
                    .collect(),
            ),
            queues: Named(
                names()
                    .zip(self.services.iter().map(|s| s.little.stats(end)))
                    .collect(),
            ),
        }
    }
}
