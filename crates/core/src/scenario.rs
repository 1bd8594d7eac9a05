//! # Scenarios: what the order-flow simulation runs
//!
//! A scenario is plain JSON (schema version 1) shared by the CLI, the browser and files people exchange:
//! a seed, how long orders arrive and how fast, the order service's own work (`db_write`, `publish`), the
//! `order-created` topic (partitions and key), the downstream services, and the synchronous chain's
//! timeout. [`Scenario::validate`] checks every field and reports *every* problem with its path, e.g.
//! `services[1].instances: 0 is out of range (1..=1000)`.
//!
//! Latency distributions (all in milliseconds, sampled to whole microseconds):
//! - `{"dist": "constant", "ms": m}`
//! - `{"dist": "exponential", "mean_ms": m}` — memoryless; with Poisson arrivals a service is M/M/c.
//! - `{"dist": "uniform", "min_ms": a, "max_ms": b}`
//! - `{"dist": "lognormal", "median_ms": m, "sigma": s}` — `m · e^(s·Z)` with `Z` standard normal: the
//!   median is `m`, the mean `m · e^(s²/2)`, and `s` (the standard deviation of the log) sets the tail:
//!   0.25 is tight, 1 is heavy.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::config::{
    INSTANCES, MAX_OUTAGES, MAX_SERVICES, ORDER_RATE_PER_S, PARTITIONS, SCENARIO_MS,
};
use crate::problem::{Problem, Problems};
use crate::rng::SimRng;
use crate::time::Duration;

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
/// The longest single latency sample: 100 days in microseconds.
pub const MAX_SAMPLE_MICROS: u64 = 100 * 86_400 * 1_000_000;
/// Most orders one scenario may generate (rate × duration).
pub const MAX_ORDERS: f64 = 100_000_000.0;

/// A complete simulation scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Schema version; 1.
    #[serde(default = "schema_version")]
    pub version: u32,
    /// A short name, shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Seed of every random choice.
    pub seed: u64,
    /// How long orders keep arriving.
    pub duration_ms: u64,
    /// How orders arrive.
    pub arrivals: Arrivals,
    /// The order service's own work.
    pub order_service: OrderService,
    /// The `order-created` topic.
    pub topic: TopicSpec,
    /// Downstream services, in the order the synchronous chain calls them.
    pub services: Vec<ServiceSpec>,
    /// The synchronous chain.
    pub sync: SyncSpec,
    /// The payment-first saga, if the scenario has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saga: Option<SagaSpec>,
}

fn schema_version() -> u32 {
    SCHEMA_VERSION
}

/// The arrival process.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrivals {
    /// `poisson` (exponential gaps) or `constant` (evenly spaced).
    pub process: ArrivalProcess,
    /// Orders per second.
    pub rate_per_s: f64,
}

/// How arrival times are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalProcess {
    /// A Poisson process: independent, exponentially distributed gaps.
    Poisson,
    /// One order every `1 / rate` seconds.
    Constant,
}

/// A latency distribution (milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Latency {
    /// Always `ms`.
    Constant {
        /// The latency.
        ms: f64,
    },
    /// Exponential with mean `mean_ms`.
    Exponential {
        /// The mean.
        mean_ms: f64,
    },
    /// Uniform between `min_ms` and `max_ms`.
    Uniform {
        /// Lower bound.
        min_ms: f64,
        /// Upper bound.
        max_ms: f64,
    },
    /// Log-normal with median `median_ms` and log-standard-deviation `sigma`.
    Lognormal {
        /// The median.
        median_ms: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
}

impl Latency {
    /// One sample, in whole microseconds. Uses `libm` so every platform computes the same value.
    pub fn sample(&self, rng: &mut SimRng) -> Duration {
        let ms = match *self {
            Self::Constant { ms } => ms,
            Self::Exponential { mean_ms } => -mean_ms * libm::log(1.0 - rng.unit()),
            Self::Uniform { min_ms, max_ms } => min_ms + (max_ms - min_ms) * rng.unit(),
            Self::Lognormal { median_ms, sigma } => {
                // Box–Muller; the second normal of each pair is not kept, so a sample always costs two draws.
                let u1 = 1.0 - rng.unit();
                let u2 = rng.unit();
                let z = sqrt(-2.0 * libm::log(u1)) * libm::cos(core::f64::consts::TAU * u2);
                median_ms * libm::exp(sigma * z)
            }
        };
        // Clamped to 100 days: a heavy log-normal tail can exceed any clock, and time must never overflow.
        Duration::from_micros(libm::round(ms * 1_000.0).clamp(0.0, MAX_SAMPLE_MICROS as f64) as u64)
    }

    /// The distribution's mean in milliseconds.
    #[must_use]
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Self::Constant { ms } => ms,
            Self::Exponential { mean_ms } => mean_ms,
            Self::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
            Self::Lognormal { median_ms, sigma } => median_ms * libm::exp(sigma * sigma / 2.0),
        }
    }
}

/// The square root. IEEE 754 rounds it correctly, so `std`'s (one instruction on x86_64 and wasm32) and
/// `libm`'s (the `no_std` build's) give the same bits; `libm` computes it in software on wasm32, where it
/// was 6 % of a preset's time in the browser.
fn sqrt(x: f64) -> f64 {
    #[cfg(feature = "std")]
    return x.sqrt();
    #[cfg(not(feature = "std"))]
    libm::sqrt(x)
}

/// The order service's steps before it answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderService {
    /// Saving the order.
    pub db_write: Latency,
    /// Publishing `order-created` (event-driven only): the send, once the record's batch goes.
    pub publish: Latency,
    /// Producer batching; without it every record is sent on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<ProducerSpec>,
}

/// The order service's producer batching: a batch per partition goes when it holds `batch_size` bytes or
/// its first record has waited `linger_ms`. Records are 100-byte values plus framing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    /// `linger.ms`.
    pub linger_ms: f64,
    /// `batch.size` in bytes.
    pub batch_size: u64,
}

/// The payment-first saga: `payment` consumes `order-created`; an order it accepts is PAID and a
/// `payment-confirmed` event goes to the services in `after_payment`; an order it declines (or
/// dead-letters) is CANCELLED. The `shipping` service marks orders SHIPPED and publishes `order-shipped`,
/// which the `delivery` service consumes to mark them DELIVERED. With `view`, an order-state read model
/// (CQRS) is built from the events and rebuilt by replaying them from offset 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaSpec {
    /// The payment service.
    pub payment: String,
    /// Chance that payment declines an order it processed.
    #[serde(default)]
    pub decline_rate: f64,
    /// Services that consume `payment-confirmed` instead of `order-created`.
    #[serde(default)]
    pub after_payment: Vec<String>,
    /// The service (one of `after_payment`) whose success means SHIPPED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<String>,
    /// The service consuming `order-shipped` whose success means DELIVERED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
    /// Keep the order-state view and its event log (memory grows with the number of orders).
    #[serde(default)]
    pub view: bool,
}

/// The topic orders are published to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    /// Partitions.
    pub partitions: u32,
    /// The record key.
    pub key: KeyChoice,
    /// Distinct customers, for `key: customer_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers: Option<u32>,
}

/// The topics of the event-driven flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowTopic {
    /// `order-created`: the order service publishes every accepted order here.
    OrderCreated,
    /// `payment-confirmed`: the saga's payment service publishes orders it charged.
    PaymentConfirmed,
    /// `order-shipped`: the saga's shipping service publishes orders it shipped.
    OrderShipped,
}

impl FlowTopic {
    /// The topic's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::OrderCreated => "order-created",
            Self::PaymentConfirmed => "payment-confirmed",
            Self::OrderShipped => "order-shipped",
        }
    }
}

/// What the record key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyChoice {
    /// `order-<n>`: every order its own key, spread evenly.
    OrderId,
    /// `customer-<k>` for a random customer: a customer's orders stay in order.
    CustomerId,
    /// No key: the producer's sticky partitioner spreads batches.
    None,
}

/// How a service's consumers share the work in the event-driven flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ConsumeMode {
    /// A Kafka consumer group: each partition to one consumer (range assignor), in offset order.
    #[default]
    Kafka,
    /// A share group (KIP-932), Kafka's queue: competing consumers each take the next available
    /// record; an M/M/c queue, but no per-key order. A failed record is released and delivered again,
    /// then archived after `group.share.delivery.count.limit` (5) deliveries (no dead-letter topic).
    Queue,
}

/// Retries of a failed processing attempt, then the dead-letter topic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait before the first retry.
    pub backoff_ms: f64,
    /// Each later wait is this many times the previous one.
    pub multiplier: f64,
}

impl Default for RetrySpec {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            backoff_ms: 100.0,
            multiplier: 2.0,
        }
    }
}

/// Batched processing: a consumer takes up to `max_poll_records` at once and pays the service latency once
/// per batch plus `per_record_ms` per record (a bulk insert). A synchronous call pays both for one record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSpec {
    /// `max.poll.records`.
    pub max_poll_records: u32,
    /// Extra time per record in a batch.
    pub per_record_ms: f64,
}

/// A service's outage: calls fail and consumers stop from `from_ms` until `to_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    /// Start, from the beginning of the run.
    pub from_ms: u64,
    /// End (exclusive).
    pub to_ms: u64,
}

/// A downstream service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Name (lowercase letters, digits, `-`, `_`).
    pub name: String,
    /// Time to handle one order.
    pub latency: Latency,
    /// Workers (synchronous) and consumers (event-driven).
    pub instances: u32,
    /// Windows during which the service is down.
    #[serde(default)]
    pub outages: Vec<Outage>,
    /// Chance that handling an order fails.
    #[serde(default)]
    pub error_rate: f64,
    /// Whether a synchronous failure of this service fails the order.
    #[serde(default = "required_default")]
    pub required: bool,
    /// Consumer group or shared queue.
    #[serde(default)]
    pub mode: ConsumeMode,
    /// Retries before dead-lettering (event-driven).
    #[serde(default)]
    pub retry: RetrySpec,
    /// Every n-th order is a poison message this service always fails on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poison_every: Option<u64>,
    /// Batched processing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchSpec>,
    /// Chance that a record reaches this service twice (a redelivery after a rebalance or a producer
    /// retry without idempotence).
    #[serde(default)]
    pub duplicate_rate: f64,
    /// Whether the service recognises a record it already handled (by order id) and skips it.
    #[serde(default)]
    pub idempotent: bool,
}

fn required_default() -> bool {
    true
}

/// The synchronous chain's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSpec {
    /// A call taking longer than this fails at this point.
    pub timeout_ms: u64,
}

/// One problem in a scenario: where and what (the crate's one path-naming [`Problem`]).
pub type ScenarioError = Problem;

/// Scenario-specific checks on top of [`Problems`].
trait ScenarioChecks {
    fn latency(&mut self, path: &str, latency: &Latency);
}

impl ScenarioChecks for Problems {
    fn latency(&mut self, path: &str, latency: &Latency) {
        const MAX_MS: f64 = 3_600_000.0;
        match *latency {
            Latency::Constant { ms } => self.float_range(&format!("{path}.ms"), ms, 0.0, MAX_MS),
            Latency::Exponential { mean_ms } => {
                self.float_range(&format!("{path}.mean_ms"), mean_ms, 0.001, MAX_MS);
            }
            Latency::Uniform { min_ms, max_ms } => {
                self.float_range(&format!("{path}.min_ms"), min_ms, 0.0, MAX_MS);
                self.float_range(&format!("{path}.max_ms"), max_ms, 0.0, MAX_MS);
                if min_ms > max_ms {
                    self.add(
                        format!("{path}.max_ms"),
                        format!("{max_ms} is below min_ms ({min_ms})"),
                    );
                }
            }
            Latency::Lognormal { median_ms, sigma } => {
                self.float_range(&format!("{path}.median_ms"), median_ms, 0.001, MAX_MS);
                self.float_range(&format!("{path}.sigma"), sigma, 0.0, 3.0);
            }
        }
    }
}

impl Scenario {
    /// The topic `service` consumes: `order-created`, or in a saga the topic of the step before it.
    #[must_use]
    pub fn subscription(&self, service: &ServiceSpec) -> FlowTopic {
        match &self.saga {
            Some(saga)
                if saga.shipping.as_ref() == Some(&service.name)
                    || saga.after_payment.contains(&service.name) =>
            {
                FlowTopic::PaymentConfirmed
            }
            Some(saga) if saga.delivery.as_ref() == Some(&service.name) => FlowTopic::OrderShipped,
            _ => FlowTopic::OrderCreated,
        }
    }

    /// Checks every field; returns all problems found (empty when the scenario can run).
    #[must_use]
    pub fn validate(&self) -> Vec<ScenarioError> {
        let mut p = Problems::default();
        p.version("version", self.version, SCHEMA_VERSION);
        p.int_range("duration_ms", self.duration_ms, 1, SCENARIO_MS);
        p.float_range(
            "arrivals.rate_per_s",
            self.arrivals.rate_per_s,
            *ORDER_RATE_PER_S.start(),
            *ORDER_RATE_PER_S.end(),
        );
        let orders = self.arrivals.rate_per_s * self.duration_ms as f64 / 1_000.0;
        if orders > MAX_ORDERS {
            p.add(
                "arrivals.rate_per_s",
                format!("rate × duration is {orders:.0} orders; at most {MAX_ORDERS:.0} per run"),
            );
        }
        p.latency("order_service.db_write", &self.order_service.db_write);
        p.latency("order_service.publish", &self.order_service.publish);
        if let Some(producer) = &self.order_service.producer {
            p.float_range(
                "order_service.producer.linger_ms",
                producer.linger_ms,
                0.0,
                60_000.0,
            );
            p.int_range(
                "order_service.producer.batch_size",
                producer.batch_size,
                1,
                16 << 20,
            );
        }
        p.int_range(
            "topic.partitions",
            self.topic.partitions.into(),
            (*PARTITIONS.start()).into(),
            (*PARTITIONS.end()).into(),
        );
        match (self.topic.key, self.topic.customers) {
            (KeyChoice::CustomerId, None) => p.add(
                "topic.customers",
                "required with key customer_id (1..=10000000)",
            ),
            (KeyChoice::CustomerId, Some(n)) => {
                p.int_range("topic.customers", n.into(), 1, 10_000_000)
            }
            (_, Some(_)) => p.add("topic.customers", "only used with key customer_id"),
            (_, None) => {}
        }
        p.int_range("sync.timeout_ms", self.sync.timeout_ms, 1, 600_000);
        if self.services.is_empty() || self.services.len() > MAX_SERVICES as usize {
            p.add(
                "services",
                format!("{} services; give 1 to {MAX_SERVICES}", self.services.len()),
            );
        }
        // Past the limit, the services are not looked at one by one: the count is the problem, and
        // checking a huge list (names against names) would take as long as the input is absurd.
        for (i, s) in self.services.iter().enumerate().take(MAX_SERVICES as usize) {
            let at = |field: &str| format!("services[{i}].{field}");
            let valid_name = !s.name.is_empty()
                && s.name.len() <= 40
                && s.name.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !valid_name {
                p.add(
                    at("name"),
                    format!(
                        "{:?} must be 1-40 lowercase letters, digits, '-' or '_'",
                        s.name
                    ),
                );
            } else if self.services[..i].iter().any(|o| o.name == s.name) {
                p.add(
                    at("name"),
                    format!("{:?} is used by an earlier service", s.name),
                );
            }
            p.latency(&at("latency"), &s.latency);
            p.int_range(
                &at("instances"),
                s.instances.into(),
                (*INSTANCES.start()).into(),
                (*INSTANCES.end()).into(),
            );
            p.float_range(&at("error_rate"), s.error_rate, 0.0, 1.0);
            if s.outages.len() > MAX_OUTAGES {
                p.add(
                    at("outages"),
                    format!("{} outages; give at most {MAX_OUTAGES}", s.outages.len()),
                );
            }
            for (j, o) in s.outages.iter().enumerate().take(MAX_OUTAGES) {
                p.int_range(
                    &at(&format!("outages[{j}].from_ms")),
                    o.from_ms,
                    0,
                    SCENARIO_MS,
                );
                p.int_range(&at(&format!("outages[{j}].to_ms")), o.to_ms, 0, SCENARIO_MS);
                if o.from_ms >= o.to_ms {
                    p.add(
                        at(&format!("outages[{j}].to_ms")),
                        format!("{} must be after from_ms ({})", o.to_ms, o.from_ms),
                    );
                }
            }
            p.int_range(
                &at("retry.max_attempts"),
                s.retry.max_attempts.into(),
                1,
                20,
            );
            p.float_range(&at("retry.backoff_ms"), s.retry.backoff_ms, 0.0, 600_000.0);
            p.float_range(&at("retry.multiplier"), s.retry.multiplier, 1.0, 10.0);
            // The wait before the last retry, which the multiplier compounds: bounded like any time.
            let longest_backoff_ms = s.retry.backoff_ms
                * libm::pow(
                    s.retry.multiplier,
                    f64::from(s.retry.max_attempts.saturating_sub(2)),
                );
            if longest_backoff_ms > SCENARIO_MS as f64 {
                p.add(
                    at("retry.multiplier"),
                    format!(
                        "the longest backoff, backoff_ms × multiplier^(max_attempts − 2), is {longest_backoff_ms:.3e} ms; at most {SCENARIO_MS}"
                    ),
                );
            }
            if let Some(n) = s.poison_every {
                p.int_range(&at("poison_every"), n, 1, u64::MAX);
            }
            p.float_range(&at("duplicate_rate"), s.duplicate_rate, 0.0, 1.0);
            if let Some(batch) = &s.batch {
                p.int_range(
                    &at("batch.max_poll_records"),
                    batch.max_poll_records.into(),
                    1,
                    10_000,
                );
                p.float_range(
                    &at("batch.per_record_ms"),
                    batch.per_record_ms,
                    0.0,
                    60_000.0,
                );
            }
        }
        if let Some(saga) = &self.saga {
            self.validate_saga(saga, &mut p);
        }
        p.0
    }

    fn validate_saga(&self, saga: &SagaSpec, p: &mut Problems) {
        let exists = |name: &str| self.services.iter().any(|s| s.name == name);
        if !exists(&saga.payment) {
            p.add(
                "saga.payment",
                format!("{:?} is not one of the services", saga.payment),
            );
        }
        p.float_range("saga.decline_rate", saga.decline_rate, 0.0, 1.0);
        for (i, name) in saga.after_payment.iter().enumerate() {
            if !exists(name) {
                p.add(
                    format!("saga.after_payment[{i}]"),
                    format!("{name:?} is not one of the services"),
                );
            } else if *name == saga.payment {
                p.add(
                    format!("saga.after_payment[{i}]"),
                    "the payment service cannot wait for its own confirmation",
                );
            }
        }
        if let Some(shipping) = &saga.shipping
            && !saga.after_payment.contains(shipping)
        {
            p.add(
                "saga.shipping",
                format!("{shipping:?} must be one of after_payment (orders ship once paid)"),
            );
        }
        match (&saga.delivery, &saga.shipping) {
            (Some(_), None) => p.add(
                "saga.delivery",
                "needs saga.shipping: delivery consumes order-shipped",
            ),
            (Some(delivery), Some(_)) if !exists(delivery) => {
                p.add(
                    "saga.delivery",
                    format!("{delivery:?} is not one of the services"),
                );
            }
            (Some(delivery), Some(_))
                if *delivery == saga.payment || saga.after_payment.contains(delivery) =>
            {
                p.add(
                    "saga.delivery",
                    format!("{delivery:?} already consumes another event"),
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
      "seed": 42,
      "duration_ms": 600000,
      "arrivals": {"process": "poisson", "rate_per_s": 80},
      "order_service": {"db_write": {"dist": "constant", "ms": 2}, "publish": {"dist": "constant", "ms": 3}},
      "topic": {"partitions": 3, "key": "order_id"},
      "services": [
        {"name": "inventory", "latency": {"dist": "exponential", "mean_ms": 100}, "instances": 1,
         "outages": [{"from_ms": 60000, "to_ms": 660000}], "error_rate": 0.0, "required": true}
      ],
      "sync": {"timeout_ms": 30000}
    }"#;

    #[test]
    fn the_documented_example_parses_and_is_valid() {
        let scenario: Scenario = serde_json::from_str(EXAMPLE).expect("parses");
        assert_eq!(scenario.version, 1);
        assert_eq!(scenario.services[0].retry, RetrySpec::default());
        assert_eq!(scenario.validate(), []);
        let round_trip: Scenario =
            serde_json::from_str(&serde_json::to_string(&scenario).expect("serializes"))
                .expect("parses");
        assert_eq!(round_trip, scenario);
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let mut scenario: Scenario = serde_json::from_str(EXAMPLE).expect("parses");
        scenario.services[0].instances = 0;
        scenario.services[0].error_rate = 1.5;
        scenario.topic.partitions = 0;
        scenario.services.push(ServiceSpec {
            name: "inventory".into(),
            ..scenario.services[0].clone()
        });
        let messages: Vec<String> = scenario
            .validate()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            messages.contains(&"services[0].instances: 0 is out of range (1..=1000)".into()),
            "{messages:?}"
        );
        assert!(messages.contains(&"services[1].instances: 0 is out of range (1..=1000)".into()));
        assert!(messages.contains(&"services[0].error_rate: 1.5 is out of range (0..=1)".into()));
        assert!(messages.contains(&"topic.partitions: 0 is out of range (1..=1024)".into()));
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("services[1].name: \"inventory\" is used"))
        );
    }

    #[test]
    fn derived_times_are_bounded_with_the_field_that_causes_them() {
        let mut scenario: Scenario = serde_json::from_str(EXAMPLE).expect("parses");
        scenario.services[0].outages[0].to_ms = u64::MAX;
        scenario.services[0].retry = RetrySpec {
            max_attempts: 20,
            backoff_ms: 600_000.0,
            multiplier: 10.0,
        };
        let messages: Vec<String> = scenario
            .validate()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                "services[0].outages[0].to_ms: 18446744073709551615 is out of range (0..=86400000)",
                "services[0].retry.multiplier: the longest backoff, backoff_ms × multiplier^(max_attempts − 2), \
                 is 6.000e23 ms; at most 86400000",
            ]
        );
        scenario.services[0].outages = vec![
            Outage {
                from_ms: 0,
                to_ms: 1
            };
            MAX_OUTAGES + 1
        ];
        scenario.services[0].retry = RetrySpec::default();
        assert_eq!(
            scenario.validate()[0].to_string(),
            "services[0].outages: 65 outages; give at most 64"
        );
    }

    #[test]
    fn a_service_list_past_the_limit_is_refused_by_its_count_alone() {
        let mut scenario: Scenario = serde_json::from_str(EXAMPLE).expect("parses");
        // Duplicate names everywhere: checking them pairwise would be 10¹⁰ comparisons.
        scenario.services = vec![scenario.services[0].clone(); 100_000];
        let problems = scenario.validate();
        assert_eq!(
            problems[0].to_string(),
            "services: 100000 services; give 1 to 16"
        );
        assert_eq!(
            problems.len(),
            1 + (MAX_SERVICES as usize - 1),
            "{problems:?}"
        );
    }

    #[test]
    fn unknown_fields_and_distributions_are_rejected() {
        let typo = EXAMPLE.replace("\"rate_per_s\"", "\"rate\"");
        assert!(serde_json::from_str::<Scenario>(&typo).is_err());
        let bad_dist = EXAMPLE.replace("\"exponential\"", "\"gaussian\"");
        assert!(serde_json::from_str::<Scenario>(&bad_dist).is_err());
        let extra = EXAMPLE.replace("\"mean_ms\": 100", "\"mean_ms\": 100, \"sd\": 3");
        assert!(serde_json::from_str::<Scenario>(&extra).is_err());
    }

    #[test]
    fn extreme_tails_are_clamped_so_time_cannot_overflow() {
        let mut rng = SimRng::new(1);
        let extreme = Latency::Lognormal {
            median_ms: 3_600_000.0,
            sigma: 3.0,
        };
        let largest = (0..100_000)
            .map(|_| extreme.sample(&mut rng).as_micros())
            .max()
            .unwrap_or(0);
        assert_eq!(largest, MAX_SAMPLE_MICROS);
    }

    #[test]
    fn std_and_libm_square_roots_agree() {
        let mut rng = SimRng::new(5);
        let samples = (0..100_000).map(|_| -2.0 * libm::log(1.0 - rng.unit()));
        for x in samples.chain([0.0, f64::MIN_POSITIVE, 1e-310, 2.0, 1e300, f64::MAX]) {
            assert_eq!(sqrt(x).to_bits(), libm::sqrt(x).to_bits(), "√{x}");
        }
    }

    #[test]
    fn samplers_have_the_documented_means() {
        let mut rng = SimRng::new(9);
        for latency in [
            Latency::Constant { ms: 2.0 },
            Latency::Exponential { mean_ms: 100.0 },
            Latency::Uniform {
                min_ms: 10.0,
                max_ms: 30.0,
            },
            Latency::Lognormal {
                median_ms: 50.0,
                sigma: 0.5,
            },
        ] {
            let n = 200_000;
            let mean = (0..n)
                .map(|_| latency.sample(&mut rng).as_micros() as f64)
                .sum::<f64>()
                / n as f64
                / 1_000.0;
            let expected = latency.mean_ms();
            assert!(
                (mean - expected).abs() / expected < 0.01,
                "{latency:?}: {mean} vs {expected}"
            );
        }
    }
}
