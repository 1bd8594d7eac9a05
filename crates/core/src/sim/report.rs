//! The simulation report: what both flows did, as JSON-ready structures.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::series::SeriesReport;
use crate::metrics::Summary;
pub use crate::named::Named;
use crate::time::{Duration, Instant};

/// Points in each response-time distribution of the report.
pub const CDF_POINTS: usize = 50;

/// A queue's long-run figures, for Little's law `L = λW`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct QueueStats {
    /// Requests or records that entered.
    pub arrivals: u64,
    /// `λ`: arrivals per second over the whole run.
    pub arrival_rate_per_s: f64,
    /// `L`: time-average number waiting or in service.
    pub mean_in_system: f64,
    /// `W`: mean time from entering to leaving (ms).
    pub mean_time_in_system_ms: f64,
}

/// The synchronous chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SyncReport {
    /// Orders that arrived.
    pub orders: u64,
    /// Orders whose every required call succeeded.
    pub succeeded: u64,
    /// Orders failed by a required service (error, outage or timeout).
    pub failed: u64,
    /// What the user waited, success or failure.
    pub response_ms: Summary,
    /// The distribution of that wait: `[ms, fraction]` pairs, 50 of them.
    pub response_cdf: Vec<[f64; 2]>,
    /// Per service: failed calls (errors, outages, timeouts).
    pub failed_calls: Named<u64>,
    /// Per service: its request queue.
    pub queues: Named<QueueStats>,
}

/// One service's consumer group (or shared queue) in the event-driven flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventServiceReport {
    /// Records handled successfully.
    pub processed: u64,
    /// Records sent to the dead-letter topic after their last attempt.
    pub dead_lettered: u64,
    /// `queue` mode (a share group): records archived after `group.share.delivery.count.limit`
    /// failed deliveries.
    #[serde(default)]
    pub archived: u64,
    /// Attempts retried after a failure (`queue` mode: records released to be delivered again).
    pub retries: u64,
    /// Largest lag (published − finished) at any moment.
    pub max_lag: u64,
    /// From publish to this service finishing the record (processed or dead-lettered).
    pub end_to_end_ms: Summary,
    /// From the end of the last outage until lag first returned to 0; `null` without outages. With many
    /// busy consumers lag is exactly 0 only when all are idle at once, so this can exceed the time the
    /// backlog took to clear; see `caught_up_ms`.
    pub drain_ms: Option<f64>,
    /// From the end of the last outage until lag first fell back to the highest lag seen before the first
    /// outage (the group's normal level); `null` without outages.
    pub caught_up_ms: Option<f64>,
    /// Consumers (or workers).
    pub consumers: u32,
    /// Consumers with no partition (more consumers than partitions).
    pub idle_consumers: u32,
    /// Records finished before an earlier record with the same customer key (possible in queue mode).
    pub out_of_order: u64,
    /// Second copies recognised and skipped (idempotent services).
    pub duplicates_skipped: u64,
    /// Second copies applied again (services that are not idempotent).
    pub duplicate_effects: u64,
    /// The records in the group, for Little's law.
    pub queue: QueueStats,
}

/// The event-driven flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EventReport {
    /// Orders that arrived.
    pub orders: u64,
    /// Orders saved and published (the order service answered).
    pub accepted: u64,
    /// What the user waited: `db_write + publish`.
    pub response_ms: Summary,
    /// The distribution of that wait: `[ms, fraction]` pairs, 50 of them.
    pub response_cdf: Vec<[f64; 2]>,
    /// Per service.
    pub services: Named<EventServiceReport>,
    /// Producer batching, when the scenario configures it.
    pub producer: Option<ProducerReport>,
    /// The payment-first saga, when the scenario has one.
    pub saga: Option<SagaReport>,
}

/// What producer batching did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProducerReport {
    /// Produce requests sent (one per batch).
    pub batches: u64,
    /// Mean records per batch.
    pub records_per_batch: f64,
    /// Produce requests per second of arrivals.
    pub requests_per_s: f64,
}

/// Orders by state at the end of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OrderStates {
    /// Accepted, payment not decided.
    pub pending: u64,
    /// Payment confirmed.
    pub paid: u64,
    /// Shipped.
    pub shipped: u64,
    /// Delivered.
    pub delivered: u64,
    /// Payment declined or failed: compensated.
    pub cancelled: u64,
}

/// The order-state read model (CQRS) built from the saga's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewReport {
    /// Orders in the view.
    pub orders: u64,
    /// The view's orders by state.
    pub states: OrderStates,
    /// State-change events it was built from (the log replayed).
    pub events: u64,
    /// Whether replaying the events from offset 0 rebuilt exactly the live view.
    pub replay_matches: bool,
}

/// The payment-first saga.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SagaReport {
    /// Orders by state.
    pub states: OrderStates,
    /// From acceptance to DELIVERED.
    pub delivered_ms: Summary,
    /// From acceptance to CANCELLED.
    pub cancelled_ms: Summary,
    /// The read model, when kept.
    pub view: Option<ViewReport>,
}

/// How the run went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RunInfo {
    /// Name from the scenario.
    pub name: Option<String>,
    /// The seed used.
    pub seed: u64,
    /// Simulated time until the last order was finished everywhere (ms).
    pub simulated_ms: f64,
    /// Events processed.
    pub events: u64,
    /// Why the run stopped early, if it did.
    pub capped: Option<String>,
}

/// The full report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Report {
    /// The synchronous chain.
    pub sync: SyncReport,
    /// The Kafka pipeline.
    pub event_driven: EventReport,
    /// Time series for charts.
    pub series: SeriesReport,
    /// Run metadata.
    pub run: RunInfo,
}

/// Accumulates Little's-law figures for one queue.
///
/// The sums are `u64` (wasm has no native 128-bit multiply, and this runs twice per record): within a
/// scenario's limits (at most 10⁸ orders, and every product a count times microseconds) they cannot
/// overflow in practice; they saturate rather than wrap if they ever would.
#[derive(Debug, Clone, Default)]
pub(crate) struct LittleMeter {
    arrivals: u64,
    departures: u64,
    in_system: u64,
    /// Records × microseconds in the system, summed.
    area_us: u64,
    last_change: Instant,
    /// Microseconds in the system, summed over departures.
    sojourn_us: u64,
}

impl LittleMeter {
    fn touch(&mut self, now: Instant) {
        self.area_us = self.area_us.saturating_add(crate::time::saturating_mul(
            self.in_system,
            (now - self.last_change).as_micros(),
        ));
        self.last_change = now;
    }

    pub(crate) fn arrive(&mut self, now: Instant) {
        self.touch(now);
        self.in_system += 1;
        self.arrivals += 1;
    }

    pub(crate) fn depart(&mut self, now: Instant, entered: Instant) {
        self.touch(now);
        self.in_system -= 1;
        self.departures += 1;
        self.sojourn_us = self.sojourn_us.saturating_add((now - entered).as_micros());
    }

    pub(crate) fn in_system(&self) -> u64 {
        self.in_system
    }

    pub(crate) fn stats(&self, end: Instant) -> QueueStats {
        let mut meter = self.clone();
        meter.touch(end.max(self.last_change));
        let elapsed = end - Instant::ZERO;
        let seconds = elapsed.as_secs_f64();
        QueueStats {
            arrivals: meter.arrivals,
            arrival_rate_per_s: if seconds > 0.0 {
                meter.arrivals as f64 / seconds
            } else {
                0.0
            },
            mean_in_system: if elapsed > Duration::ZERO {
                meter.area_us as f64 / elapsed.as_micros() as f64
            } else {
                0.0
            },
            mean_time_in_system_ms: if meter.departures > 0 {
                // Microseconds per departure, in milliseconds (this order of operations is the report's).
                meter.sojourn_us as f64 / meter.departures as f64 / 1_000.0
            } else {
                0.0
            },
        }
    }
}
