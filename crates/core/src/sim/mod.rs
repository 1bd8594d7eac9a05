//! # The order-flow simulation: synchronous chain vs Kafka pipeline
//!
//! One seeded stream of orders goes through two architectures at once:
//!
//! - [`sync_flow`]: the order service calls every service in turn and the user waits for all of them;
//! - [`event_flow`]: the order service saves the order, publishes `order-created` and answers at once;
//!   each service is a consumer group reading at its own pace.
//!
//! It is a discrete-event simulation: a future event list ordered by `(time, sequence)` in whole
//! microseconds, processed one event at a time. Arrivals are generated lazily (one pending at a time) and
//! each order's state lives only while it is in flight, so memory follows the backlog, never the number
//! of orders (except with the saga's read model, which keeps a state per order). [`Simulation::held`]
//! counts it; [`Simulation::with_held_limit`] stops a run whose backlog outgrows a budget, as the
//! browser's does. Arrivals stop at `duration_ms`; the run goes on until every order has been answered by
//! the chain and finished (processed or dead-lettered) by every consumer group. Each random quantity has its
//! own seeded stream ([`SimRng::stream`]), so the same scenario and seed give byte-identical reports on
//! every platform, and changing one service does not reshuffle another's numbers.
//!
//! Closed forms the tests check: one exponential service with one worker at `λ < μ` is M/M/1 with mean
//! response `1/(μ−λ)`; with `c` workers it is M/M/c (Erlang C); `P` partitions with `P` consumers and
//! unique keys are `P` independent M/M/1 queues at `λ/P`; and every queue obeys Little's law `L = λW`.

pub mod event_flow;
pub mod picture;
mod queue;
pub mod report;
pub mod series;
pub mod sync_flow;

use alloc::format;
use alloc::vec::Vec;

use self::event_flow::{EventFlow, KafkaEvent, PartitionLag};
use self::picture::FlowPicture;
use self::queue::EventQueue;
use self::report::{Report, RunInfo};
use self::series::Series;
use self::sync_flow::{SyncEvent, SyncFlow};
use crate::config::{BROWSER_EVENT_BUDGET, BROWSER_HELD_BUDGET};
use crate::rng::{SimRng, Stream};
use crate::scenario::{ArrivalProcess, KeyChoice, Latency, Scenario, ScenarioError, ServiceSpec};
use crate::time::{Duration, Instant};

/// Events processed at most by [`simulate`] before it stops and says so.
pub const DEFAULT_EVENT_LIMIT: u64 = 2_000_000_000;

/// Events between two looks at what a run with a held limit holds ([`Simulation::with_held_limit`]): often
/// enough that the limit is overshot by little, rarely enough to cost nothing.
pub const HELD_CHECK_EVENTS: u64 = 1 << 16;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Arrival,
    Sync(SyncEvent),
    Kafka(KafkaEvent),
}

/// What a flow needs from the engine while it handles an event.
pub(crate) struct Ctx<'a> {
    pub(crate) now: Instant,
    pub(crate) queue: &'a mut EventQueue<Event>,
    pub(crate) series: &'a mut Series,
}

/// A service's timing and failure behaviour, shared by both flows.
#[derive(Clone)]
pub(crate) struct ServiceTiming {
    latency: Latency,
    pub(crate) instances: u32,
    outages: Vec<(Instant, Instant)>,
    error_rate: f64,
    poison_every: Option<u64>,
    per_record_ms: f64,
}

impl ServiceTiming {
    pub(crate) fn new(spec: &ServiceSpec) -> Self {
        Self {
            latency: spec.latency,
            instances: spec.instances,
            outages: spec
                .outages
                .iter()
                .map(|o| {
                    (
                        Instant::from_millis(o.from_ms),
                        Instant::from_millis(o.to_ms),
                    )
                })
                .collect(),
            error_rate: spec.error_rate,
            poison_every: spec.poison_every,
            per_record_ms: spec.batch.map_or(0.0, |b| b.per_record_ms),
        }
    }

    /// The end of the outage covering `now`, if the service is down.
    pub(crate) fn outage_end(&self, now: Instant) -> Option<Instant> {
        self.outages
            .iter()
            .filter(|&&(from, to)| from <= now && now < to)
            .map(|&(_, to)| to)
            .max()
    }

    /// Time to handle `records` records at once.
    pub(crate) fn service_time(&self, rng: &mut SimRng, records: u32) -> Duration {
        self.latency.sample(rng)
            + Duration::from_millis_f64(self.per_record_ms * f64::from(records))
    }

    /// Whether handling order `number` succeeds this time (poison messages never do).
    pub(crate) fn succeeds(&self, rng: &mut SimRng, number: u64) -> bool {
        if self.poison_every.is_some_and(|n| number.is_multiple_of(n)) {
            return false;
        }
        self.error_rate <= 0.0 || rng.unit() >= self.error_rate
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Events remain.
    Running,
    /// Every order is answered and finished everywhere.
    Finished,
    /// A budget ran out first: the event limit, or the limit on what the run holds.
    Capped,
}

/// The budget that stopped a capped run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Budget {
    /// The event limit.
    Events,
    /// The limit on what the run holds ([`Simulation::held`]), with what it held.
    Held(u64),
}

/// A simulation in progress; advance it with [`Simulation::step`] or [`Simulation::run_until`].
#[derive(Clone)]
pub struct Simulation {
    scenario: Scenario,
    queue: EventQueue<Event>,
    now: Instant,
    /// When orders stop arriving.
    arrivals_end: Instant,
    arrival_rng: SimRng,
    next_arrival: f64,
    orders: u64,
    sync: SyncFlow,
    kafka: EventFlow,
    series: Series,
    events: u64,
    event_limit: u64,
    held_limit: u64,
    /// Set once a budget stops the run.
    budget: Option<Budget>,
    status: Status,
}

impl Simulation {
    /// Prepares `scenario`.
    ///
    /// # Errors
    /// Every problem [`Scenario::validate`] finds.
    pub fn new(scenario: &Scenario) -> Result<Self, Vec<ScenarioError>> {
        let problems = scenario.validate();
        if !problems.is_empty() {
            return Err(problems);
        }
        let duration = Duration::from_millis(scenario.duration_ms);
        // About 500 windows over the arrival period, in whole multiples of 100 ms.
        const STEP: u64 = 100_000;
        let window =
            Duration::from_micros((duration.as_micros() / 500).div_ceil(STEP).max(1) * STEP);
        let mut series = Series::new(
            window,
            scenario.services.iter().map(|s| s.name.clone()).collect(),
        );
        let mut queue = EventQueue::new();
        let mut kafka = EventFlow::new(scenario);
        kafka.start(&mut Ctx {
            now: Instant::ZERO,
            queue: &mut queue,
            series: &mut series,
        });
        let mut simulation = Self {
            scenario: scenario.clone(),
            queue,
            now: Instant::ZERO,
            arrivals_end: Instant::ZERO + duration,
            arrival_rng: Stream::Arrivals.rng(scenario.seed),
            next_arrival: 0.0,
            orders: 0,
            sync: SyncFlow::new(scenario),
            kafka,
            series,
            events: 0,
            event_limit: DEFAULT_EVENT_LIMIT,
            held_limit: u64::MAX,
            budget: None,
            status: Status::Running,
        };
        simulation.schedule_next_arrival();
        Ok(simulation)
    }

    /// Stops the run after `limit` events (it reports [`Status::Capped`] and says so in the report).
    #[must_use]
    pub fn with_event_limit(mut self, limit: u64) -> Self {
        self.event_limit = limit;
        self
    }

    /// Stops the run once it holds more than `limit` records, calls and events at once ([`Self::held`],
    /// looked at every [`HELD_CHECK_EVENTS`] events); it reports [`Status::Capped`] and says so.
    #[must_use]
    pub fn with_held_limit(mut self, limit: u64) -> Self {
        self.held_limit = limit;
        self
    }

    /// The browser's budgets, which the page cannot lift: [`BROWSER_EVENT_BUDGET`] events and
    /// [`BROWSER_HELD_BUDGET`] held at once. The model's worker and the lessons run with them.
    #[must_use]
    pub fn with_browser_budgets(self) -> Self {
        self.with_event_limit(BROWSER_EVENT_BUDGET)
            .with_held_limit(BROWSER_HELD_BUDGET)
    }

    /// What the run holds now, the measure of its memory: events waiting, calls waiting or unanswered in
    /// the chain and its order slots, records in the producer's batches and at the consumers, and the
    /// saga's read model. Each costs a few dozen bytes; a backlog makes them many.
    #[must_use]
    pub fn held(&self) -> u64 {
        self.queue.len() as u64 + self.sync.held() + self.kafka.held()
    }

    /// The scenario being run.
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Simulated time reached.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Where the run stands.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }

    /// Events processed so far.
    #[must_use]
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Orders generated so far.
    #[must_use]
    pub fn orders(&self) -> u64 {
        self.orders
    }

    /// Orders waiting on the synchronous chain right now.
    #[must_use]
    pub fn sync_in_flight(&self) -> usize {
        self.sync.in_flight()
    }

    /// Each service's consumer lag right now, in scenario order.
    pub fn lags(&self) -> impl Iterator<Item = u64> + '_ {
        self.kafka.lags()
    }

    /// Per partition of the `order-created` topic, service `service`'s consumer lag now and at its peak
    /// (in scenario order; empty for an unknown service). The lag of a partition is the records published
    /// to it that the group has not finished yet, the per-partition figure of `kafka-consumer-groups.sh
    /// --describe`'s `LAG` column.
    #[must_use]
    pub fn partition_lags(&self, service: usize) -> &[PartitionLag] {
        self.kafka.partition_lags(service)
    }

    /// Where the orders and records are right now ([`picture`]); taking it changes nothing.
    #[must_use]
    pub fn picture(&self) -> FlowPicture {
        FlowPicture {
            now_ms: (self.now - Instant::ZERO).as_millis_f64(),
            sync: self.sync.picture(self.now),
            event: self.kafka.picture(self.now),
        }
    }

    /// How far the run is, from 0 to 1: arrivals first, then the backlog left to drain.
    #[must_use]
    pub fn progress(&self) -> f64 {
        if self.status != Status::Running {
            return 1.0;
        }
        let arrivals = self.now.min(self.arrivals_end).as_micros() as f64
            / self.arrivals_end.as_micros() as f64;
        if arrivals < 1.0 {
            return arrivals * 0.95;
        }
        let left = self.kafka.backlog() as f64 + self.sync.in_flight() as f64;
        0.95 + 0.05 / (1.0 + left / 1_000.0)
    }

    fn schedule_next_arrival(&mut self) {
        let rate_per_us = self.scenario.arrivals.rate_per_s / 1e6;
        let gap = match self.scenario.arrivals.process {
            ArrivalProcess::Poisson => -libm::log(1.0 - self.arrival_rng.unit()) / rate_per_us,
            ArrivalProcess::Constant => 1.0 / rate_per_us,
        };
        if self.orders > 0 || self.scenario.arrivals.process == ArrivalProcess::Poisson {
            self.next_arrival += gap;
        }
        let at = Instant::from_micros(libm::round(self.next_arrival) as u64);
        if at < self.arrivals_end {
            self.queue.schedule(at, Event::Arrival);
        }
    }

    /// Processes up to `max_events` events.
    pub fn step(&mut self, max_events: u64) -> Status {
        self.run(Instant::from_micros(u64::MAX), max_events)
    }

    /// Processes events up to and including simulated time `until` (or `max_events` of them). The clock
    /// moves to `until` only when no event is left before it.
    pub fn run_until(&mut self, until: Instant, max_events: u64) -> Status {
        let status = self.run(until, max_events);
        let reached = self.queue.peek_time().is_none_or(|next| next > until);
        if status == Status::Running && reached && until > self.now {
            self.now = until;
            self.series.advance_to(self.now);
        }
        status
    }

    fn run(&mut self, until: Instant, max_events: u64) -> Status {
        let mut done = 0;
        while self.status == Status::Running && done < max_events {
            if self.events >= self.event_limit {
                self.status = Status::Capped;
                self.budget = Some(Budget::Events);
                break;
            }
            if self.held_limit < u64::MAX && self.events.is_multiple_of(HELD_CHECK_EVENTS) {
                let held = self.held();
                if held > self.held_limit {
                    self.status = Status::Capped;
                    self.budget = Some(Budget::Held(held));
                    break;
                }
            }
            match self.queue.peek_time() {
                None => {
                    self.status = Status::Finished;
                    break;
                }
                Some(t) if t > until => break,
                Some(_) => {}
            }
            let Some((time, event)) = self.queue.pop() else {
                break;
            };
            self.now = time;
            self.series.advance_to(time);
            self.events += 1;
            done += 1;
            let mut ctx = Ctx {
                now: time,
                queue: &mut self.queue,
                series: &mut self.series,
            };
            match event {
                Event::Arrival => {
                    self.orders += 1;
                    let customer = match (self.scenario.topic.key, self.scenario.topic.customers) {
                        (KeyChoice::CustomerId, Some(n)) => self.arrival_rng.below(n),
                        _ => 0,
                    };
                    self.sync.arrive(&mut ctx, self.orders);
                    self.kafka.arrive(&mut ctx, self.orders, customer);
                    self.schedule_next_arrival();
                }
                Event::Sync(e) => self.sync.handle(&mut ctx, e),
                Event::Kafka(e) => self.kafka.handle(&mut ctx, e),
            }
        }
        self.status
    }

    /// The report as of now (final once the status is not [`Status::Running`]).
    #[must_use]
    pub fn report(&self) -> Report {
        // The window in progress is closed on a copy, so the run can go on afterwards.
        let mut series = self.series.clone();
        series.finish();
        let digits = |n: u64| crate::problem::group_digits(&format!("{n}"));
        let at = format!(
            "at {:.3} s of simulated time (the scenario sends orders for {} s)",
            (self.now - Instant::ZERO).as_secs_f64(),
            self.scenario.duration_ms as f64 / 1_000.0,
        );
        let capped = self.budget.map(|budget| match budget {
            Budget::Events => format!(
                "stopped after {} events {at}; the figures cover the run so far",
                digits(self.events)
            ),
            Budget::Held(held) => format!(
                "stopped holding {} records, calls and events at once (more than {}) {at}; the figures \
                 cover the run so far",
                digits(held),
                digits(self.held_limit)
            ),
        });
        Report {
            sync: self.sync.report(self.now),
            event_driven: self.kafka.report(self.now),
            series: series.report,
            run: RunInfo {
                name: self.scenario.name.clone(),
                seed: self.scenario.seed,
                simulated_ms: (self.now - Instant::ZERO).as_millis_f64(),
                events: self.events,
                capped,
            },
        }
    }
}

/// Runs `scenario` to the end (or the default event limit) and returns its report.
///
/// # Errors
/// Every problem [`Scenario::validate`] finds.
pub fn simulate(scenario: &Scenario) -> Result<Report, Vec<ScenarioError>> {
    let mut simulation = Simulation::new(scenario)?;
    while simulation.step(u64::MAX) == Status::Running {}
    Ok(simulation.report())
}
