//! # Sending: acks, retries, timeouts and the idempotent producer
//!
//! What the producer's sender thread does with a batch once it is ready, by Kafka's rules:
//!
//! - **Which configs hold** ([`SenderConfig::resolve`], `ProducerConfig.postProcessAndValidateIdempotenceConfigs`
//!   and `KafkaProducer.configureDeliveryTimeout`). `enable.idempotence` is on by default (since 3.0, KIP-679)
//!   and needs `acks=all`, `retries` > 0 and `max.in.flight.requests.per.connection` ≤ 5. Set explicitly, a
//!   conflict is an error; left to its default, a conflict silently turns idempotence off.
//!   `delivery.timeout.ms` must be at least `linger.ms + request.timeout.ms`; below that, an explicit value
//!   is an error and the default is raised to the sum.
//! - **Retries** (`Sender.completeBatch` and `canRetry`). A batch that fails with a retriable error
//!   ([`is_retriable`]) goes back to the front of its partition's queue while it has `retries` left and
//!   `delivery.timeout.ms` has not passed since it was created; otherwise its records fail. It waits
//!   `retry.backoff.ms` × 2^(attempts − 1), at most `retry.backoff.max.ms`, with ±20 % jitter (KIP-580's
//!   [`Backoff`], `ExponentialBackoff`), unless its partition's leader changed meanwhile (KIP-951:
//!   `RecordAccumulator.shouldBackoff`).
//! - **Order.** Without idempotence a retried batch is put back with `addFirst` (`RecordAccumulator.reenqueue`):
//!   when several batches of a partition were in flight and fail together, the last to be put back goes
//!   first, so with `max.in.flight.requests.per.connection` > 1 a retry reorders records, and a retry of a
//!   batch the broker had written duplicates it. With idempotence batches carry a producer id, an epoch and
//!   sequence numbers; a retried batch is put back in sequence order (`insertInSequenceOrder`), and while a
//!   partition retries only its first batch is in flight (`shouldStopDrainBatchesForPartition`). The broker
//!   answers a duplicate from its cache ([`crate::log::producer_state`]).
//! - **Timeouts.** A request unanswered after `request.timeout.ms` makes the client close the connection
//!   (`NetworkClient.handleTimedOutRequests`): every request in flight to that broker fails with
//!   `REQUEST_TIMED_OUT`, oldest first (`InFlightRequests.clearAll`), and is retried as above. A batch whose
//!   `delivery.timeout.ms` has passed since it was created fails with a `TimeoutException`
//!   ("Expiring N record(s) … ms has passed since batch creation"), reported as `TIMEOUT` — whether it was
//!   waiting to be sent or in flight (`Sender.getExpiredInflightBatches`). Such a batch may still have been
//!   written: the broker keeps it, and it becomes readable once it is committed.
//!
//! Simplified: the network has no latency, so the client's request timer (started at the send) always runs
//! out before the broker's purgatory would answer (started on arrival); an idempotent producer whose batch
//! fails after it may have been written bumps its epoch and restarts its sequences at 0 once nothing is in
//! flight (KIP-360), where Kafka first tries to resolve the sequence.

use super::ProducerConfig;
use crate::cluster::Acks;
use crate::rng::SimRng;
use crate::time::Duration;

/// `max.in.flight.requests.per.connection`'s limit for an idempotent producer, which matches the broker's
/// cache of the last five batches per producer (`ProducerStateEntry.NUM_BATCHES_TO_RETAIN`).
pub const MAX_IN_FLIGHT_FOR_IDEMPOTENCE: u32 = 5;

/// The producer configs the sender depends on, as a user gives them (`None`: not set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderSettings {
    /// `acks` (`all`).
    pub acks: Option<Acks>,
    /// `enable.idempotence` (true).
    pub enable_idempotence: Option<bool>,
    /// `max.in.flight.requests.per.connection` (5).
    pub max_in_flight: Option<u32>,
    /// `retries` (2147483647).
    pub retries: Option<u32>,
    /// `request.timeout.ms` (30000).
    pub request_timeout_ms: Option<u64>,
    /// `delivery.timeout.ms` (120000).
    pub delivery_timeout_ms: Option<u64>,
    /// `retry.backoff.ms` (100).
    pub retry_backoff_ms: Option<u64>,
    /// `retry.backoff.max.ms` (1000).
    pub retry_backoff_max_ms: Option<u64>,
    /// `linger.ms` (5), which `delivery.timeout.ms` must cover.
    pub linger_ms: Option<u64>,
}

/// What the sender does, once Kafka's rules have resolved the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderConfig {
    /// `acks`.
    pub acks: Acks,
    /// Whether batches carry a producer id and sequence numbers.
    pub idempotent: bool,
    /// `max.in.flight.requests.per.connection`.
    pub max_in_flight: u32,
    /// `retries`.
    pub retries: u32,
    /// `request.timeout.ms`.
    pub request_timeout: Duration,
    /// `delivery.timeout.ms`, after the rule that it covers `linger.ms + request.timeout.ms`.
    pub delivery_timeout: Duration,
    /// `retry.backoff.ms` and `retry.backoff.max.ms`.
    pub backoff: Backoff,
}

impl Default for SenderConfig {
    /// Kafka's defaults, which agree with each other (idempotence holds; 120 s covers 5 ms + 30 s).
    fn default() -> Self {
        Self {
            acks: Acks::All,
            idempotent: true,
            max_in_flight: MAX_IN_FLIGHT_FOR_IDEMPOTENCE,
            retries: i32::MAX as u32,
            request_timeout: Duration::from_millis(30_000),
            delivery_timeout: Duration::from_millis(120_000),
            backoff: Backoff::new(100, 1_000),
        }
    }
}

/// A configuration Kafka refuses with a `ConfigException`: the config at fault and Kafka's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderConfigError {
    /// The config's name, such as `acks`.
    pub config: &'static str,
    /// Kafka's message.
    pub message: &'static str,
}

impl core::fmt::Display for SenderConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.config, self.message)
    }
}

impl core::error::Error for SenderConfigError {}

impl SenderConfig {
    /// The configuration `settings` give, by Kafka's rules (see the module documentation).
    ///
    /// # Errors
    /// [`SenderConfigError`] for what Kafka refuses: idempotence set explicitly with `acks` other than
    /// `all`, `retries` 0 or more than five requests in flight; `delivery.timeout.ms` set below
    /// `linger.ms + request.timeout.ms`.
    pub fn resolve(settings: SenderSettings) -> Result<Self, SenderConfigError> {
        let defaults = Self::default();
        let acks = settings.acks.unwrap_or(defaults.acks);
        let retries = settings.retries.unwrap_or(defaults.retries);
        let max_in_flight = settings.max_in_flight.unwrap_or(defaults.max_in_flight);
        let explicit = settings.enable_idempotence == Some(true);
        let mut idempotent = settings.enable_idempotence.unwrap_or(true);
        if idempotent {
            let conflicts = [
                (
                    retries == 0,
                    "retries",
                    "must be non-zero when using the idempotent producer",
                ),
                (
                    acks != Acks::All,
                    "acks",
                    "must be all in order to use the idempotent producer; otherwise idempotence cannot be guaranteed",
                ),
                (
                    max_in_flight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE,
                    "max.in.flight.requests.per.connection",
                    "must be at most 5 to use the idempotent producer",
                ),
            ];
            for (conflict, config, message) in conflicts {
                if conflict && explicit {
                    return Err(SenderConfigError { config, message });
                }
                idempotent &= !conflict;
            }
        }
        let request_timeout_ms = settings
            .request_timeout_ms
            .unwrap_or(defaults.request_timeout.as_millis());
        let linger_ms = settings
            .linger_ms
            .unwrap_or(ProducerConfig::default().linger.as_millis());
        let floor = linger_ms
            .saturating_add(request_timeout_ms)
            .min(i32::MAX as u64);
        let delivery_timeout_ms = match settings.delivery_timeout_ms {
            Some(ms) if ms < floor => {
                return Err(SenderConfigError {
                    config: "delivery.timeout.ms",
                    message: "should be equal to or larger than linger.ms + request.timeout.ms",
                });
            }
            Some(ms) => ms,
            None => floor.max(defaults.delivery_timeout.as_millis()),
        };
        Ok(Self {
            acks,
            idempotent,
            max_in_flight,
            retries,
            request_timeout: Duration::from_millis(request_timeout_ms),
            delivery_timeout: Duration::from_millis(delivery_timeout_ms),
            backoff: Backoff::new(
                settings
                    .retry_backoff_ms
                    .unwrap_or(defaults.backoff.initial_ms),
                settings
                    .retry_backoff_max_ms
                    .unwrap_or(defaults.backoff.max_ms),
            ),
        })
    }
}

/// KIP-580's exponential backoff with Kafka's base 2 and jitter 0.2 (`ExponentialBackoff`,
/// `CommonClientConfigs.RETRY_BACKOFF_EXP_BASE` and `RETRY_BACKOFF_JITTER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    initial_ms: u64,
    max_ms: u64,
}

impl Backoff {
    /// `retry.backoff.ms` and `retry.backoff.max.ms`; a maximum below the initial value gives a constant
    /// backoff of the maximum.
    #[must_use]
    pub fn new(initial_ms: u64, max_ms: u64) -> Self {
        Self {
            initial_ms: initial_ms.min(max_ms),
            max_ms,
        }
    }

    /// The wait before attempt `attempts + 1`: `initial × 2^min(attempts, log2(max / initial))`, times a
    /// factor drawn uniformly from [0.8, 1.2), never above the maximum.
    pub fn backoff(&self, attempts: u32, rng: &mut SimRng) -> Duration {
        if self.max_ms <= self.initial_ms {
            return Duration::from_millis(self.initial_ms);
        }
        let exp_max = libm::log2(self.max_ms as f64 / self.initial_ms.max(1) as f64);
        let exp = f64::from(attempts).min(exp_max);
        let term = self.initial_ms as f64 * libm::pow(2.0, exp);
        let factor = 0.8 + 0.4 * rng.unit();
        // Truncated like Java's `(long)` cast; the product is finite and non-negative.
        let ms = (factor * term) as u64;
        Duration::from_millis(ms.min(self.max_ms))
    }
}

/// Whether the producer retries a batch that failed with Kafka's error `error` (a `RetriableException`):
/// a leader that moved or is not known yet, too few in-sync replicas, a timed-out or cut connection.
/// Records too large, a keyless record on a compacted topic, a sequence the broker cannot place and a
/// delivery timeout are final.
#[must_use]
pub fn is_retriable(error: &str) -> bool {
    matches!(
        error,
        "NOT_LEADER_OR_FOLLOWER"
            | "LEADER_NOT_AVAILABLE"
            | "NOT_ENOUGH_REPLICAS"
            | "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
            | "REQUEST_TIMED_OUT"
            | "NETWORK_EXCEPTION"
            | "UNKNOWN_TOPIC_OR_PARTITION"
            | "CONCURRENT_TRANSACTIONS"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SenderSettings {
        SenderSettings::default()
    }

    #[test]
    fn defaults_are_kafkas() {
        let c = SenderConfig::resolve(settings()).expect("defaults are valid");
        assert_eq!(c.acks, Acks::All);
        assert!(c.idempotent);
        assert_eq!(c.max_in_flight, 5);
        assert_eq!(c.retries, 2_147_483_647);
        assert_eq!(c.request_timeout, Duration::from_millis(30_000));
        assert_eq!(c.delivery_timeout, Duration::from_millis(120_000));
        assert_eq!(SenderConfig::default(), c);
    }

    /// `KafkaProducerTest.testAcksAndIdempotenceForIdempotentProducers`,
    /// `testRetriesAndIdempotenceForIdempotentProducers` and
    /// `testInflightRequestsAndIdempotenceForIdempotentProducers`: a conflict turns default idempotence
    /// off and makes explicit idempotence a `ConfigException`.
    #[test]
    fn conflicts_disable_default_idempotence_and_refuse_explicit_idempotence() {
        let cases: [(SenderSettings, &str); 3] = [
            (
                SenderSettings {
                    acks: Some(Acks::Leader),
                    ..settings()
                },
                "acks",
            ),
            (
                SenderSettings {
                    retries: Some(0),
                    ..settings()
                },
                "retries",
            ),
            (
                SenderSettings {
                    max_in_flight: Some(6),
                    ..settings()
                },
                "max.in.flight.requests.per.connection",
            ),
        ];
        for (case, config) in cases {
            let resolved = SenderConfig::resolve(case).expect("a default is overridden");
            assert!(!resolved.idempotent, "{config} turns idempotence off");
            let explicit = SenderConfig::resolve(SenderSettings {
                enable_idempotence: Some(true),
                ..case
            });
            assert_eq!(explicit.map_err(|e| e.config), Err(config));
        }
        let off = SenderConfig::resolve(SenderSettings {
            enable_idempotence: Some(false),
            max_in_flight: Some(50),
            ..settings()
        })
        .expect("no idempotence, no limit");
        assert_eq!((off.idempotent, off.max_in_flight), (false, 50));
    }

    /// `KafkaProducerTest.testDeliveryTimeoutAndLingerMsConfig`: `delivery.timeout.ms` 1000 with `linger.ms`
    /// 1000 and `request.timeout.ms` 1 is refused, with `linger.ms` 999 accepted; an unset
    /// `delivery.timeout.ms` is raised to the sum (`configureDeliveryTimeout`).
    #[test]
    fn delivery_timeout_covers_linger_and_request_timeout() {
        let case = |linger| SenderSettings {
            delivery_timeout_ms: Some(1_000),
            linger_ms: Some(linger),
            request_timeout_ms: Some(1),
            ..settings()
        };
        let refused = SenderConfig::resolve(case(1_000));
        assert_eq!(refused.map_err(|e| e.config), Err("delivery.timeout.ms"));
        assert!(SenderConfig::resolve(case(999)).is_ok());
        let raised = SenderConfig::resolve(SenderSettings {
            request_timeout_ms: Some(200_000),
            linger_ms: Some(10),
            ..settings()
        })
        .expect("the default is raised");
        assert_eq!(raised.delivery_timeout, Duration::from_millis(200_010));
    }

    /// `ExponentialBackoffTest.testExponentialBackoff` (100 ms doubling, at most 2000 ms, jitter 0.2: the
    /// first five attempts within ±20 % of 100 × 2^n, later ones at most the maximum) and
    /// `testExponentialBackoffWithoutJitter`'s constant case.
    #[test]
    fn backoff_doubles_with_jitter_up_to_its_maximum() {
        let backoff = Backoff::new(100, 2_000);
        let mut rng = SimRng::new(7);
        for _ in 0..=100 {
            for attempts in 0..=10_u32 {
                let ms = backoff.backoff(attempts, &mut rng).as_millis() as f64;
                if attempts <= 4 {
                    let expected = 100.0 * f64::from(1_u32 << attempts);
                    assert!((ms - expected).abs() <= expected * 0.2, "{attempts}: {ms}");
                } else {
                    assert!((1_600.0..=2_000.0).contains(&ms), "{attempts}: {ms}");
                }
            }
        }
        let constant = Backoff::new(500, 200);
        assert_eq!(constant.backoff(3, &mut rng), Duration::from_millis(200));
    }

    #[test]
    fn retriable_errors_are_kafkas_retriable_exceptions() {
        assert!(is_retriable("NOT_ENOUGH_REPLICAS"));
        assert!(is_retriable("REQUEST_TIMED_OUT"));
        assert!(is_retriable("NOT_LEADER_OR_FOLLOWER"));
        assert!(!is_retriable("RECORD_LIST_TOO_LARGE"));
        assert!(!is_retriable("INVALID_RECORD"));
        assert!(!is_retriable("TIMEOUT"));
        assert!(!is_retriable("OUT_OF_ORDER_SEQUENCE_NUMBER"));
    }
}
