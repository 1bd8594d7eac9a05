//! Named producers and their configs, by Kafka's names (`acks`, `linger.ms`, `transactional.id`, ...).

use alloc::format;
use alloc::string::String;

use serde::{Deserialize, Serialize};

use super::check_name;
use crate::cluster::Acks;
use crate::config::{MAX_AT_MS, MAX_IN_FLIGHT_REQUESTS};
use crate::problem::Problems;
use crate::producer::sender::{SenderConfig, SenderSettings};

/// A named producer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    /// Its name, for `produce`'s `producer`.
    pub name: String,
    /// Its configs.
    #[serde(default)]
    pub config: ProducerConfigSpec,
}

/// Producer configs by Kafka's names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerConfigSpec {
    /// `acks` (`all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acks: Option<AcksSpec>,
    /// `linger.ms` (5).
    #[serde(rename = "linger.ms", skip_serializing_if = "Option::is_none")]
    pub linger_ms: Option<u64>,
    /// `batch.size` (16384).
    #[serde(rename = "batch.size", skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u64>,
    /// `enable.idempotence` (true, unless another config conflicts and it is not set).
    #[serde(rename = "enable.idempotence", skip_serializing_if = "Option::is_none")]
    pub enable_idempotence: Option<bool>,
    /// `max.in.flight.requests.per.connection` (5).
    #[serde(
        rename = "max.in.flight.requests.per.connection",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_in_flight_requests_per_connection: Option<u32>,
    /// `retries` (2147483647).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    /// `request.timeout.ms` (30000).
    #[serde(rename = "request.timeout.ms", skip_serializing_if = "Option::is_none")]
    pub request_timeout_ms: Option<u64>,
    /// `delivery.timeout.ms` (120000).
    #[serde(
        rename = "delivery.timeout.ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub delivery_timeout_ms: Option<u64>,
    /// `retry.backoff.ms` (100).
    #[serde(rename = "retry.backoff.ms", skip_serializing_if = "Option::is_none")]
    pub retry_backoff_ms: Option<u64>,
    /// `retry.backoff.max.ms` (1000).
    #[serde(
        rename = "retry.backoff.max.ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub retry_backoff_max_ms: Option<u64>,
    /// `transactional.id` (none): the producer writes in transactions (`begin-transaction`, ...) and a
    /// second producer with the same id fences it.
    #[serde(rename = "transactional.id", skip_serializing_if = "Option::is_none")]
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms` (60000): the coordinator aborts a transaction open longer.
    #[serde(
        rename = "transaction.timeout.ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub transaction_timeout_ms: Option<u64>,
}

impl ProducerConfigSpec {
    /// The configs the sender depends on ([`SenderConfig::resolve`] applies Kafka's rules to them).
    #[must_use]
    pub fn sender_settings(&self) -> SenderSettings {
        SenderSettings {
            acks: self.acks.map(Acks::from),
            // A transactional producer is idempotent, as if it were set: conflicts are refused.
            enable_idempotence: self
                .enable_idempotence
                .or(self.transactional_id.as_ref().map(|_| true)),
            max_in_flight: self.max_in_flight_requests_per_connection,
            retries: self.retries,
            request_timeout_ms: self.request_timeout_ms,
            delivery_timeout_ms: self.delivery_timeout_ms,
            retry_backoff_ms: self.retry_backoff_ms,
            retry_backoff_max_ms: self.retry_backoff_max_ms,
            linger_ms: self.linger_ms,
        }
    }

    /// Range problems and the conflicts Kafka refuses, each at `path`'s config.
    pub(super) fn check(&self, p: &mut Problems, path: &str) {
        let at = |name: &str| format!("{path}.{name}");
        if let Some(ms) = self.linger_ms {
            p.int_range(&at("linger.ms"), ms, 0, 60_000);
        }
        if let Some(bytes) = self.batch_size {
            p.int_range(&at("batch.size"), bytes, 1, 16 << 20);
        }
        if let Some(n) = self.max_in_flight_requests_per_connection {
            p.int_range(
                &at("max.in.flight.requests.per.connection"),
                n.into(),
                1,
                MAX_IN_FLIGHT_REQUESTS.into(),
            );
        }
        let int = i32::MAX as u64;
        if let Some(n) = self.retries {
            p.int_range(&at("retries"), n.into(), 0, int);
        }
        for (name, value, max) in [
            ("request.timeout.ms", self.request_timeout_ms, int),
            ("delivery.timeout.ms", self.delivery_timeout_ms, int),
            ("retry.backoff.ms", self.retry_backoff_ms, MAX_AT_MS),
            ("retry.backoff.max.ms", self.retry_backoff_max_ms, MAX_AT_MS),
        ] {
            if let Some(ms) = value {
                p.int_range(&at(name), ms, 0, max);
            }
        }
        if let Some(id) = &self.transactional_id {
            check_name(p, &at("transactional.id"), id);
            if self.enable_idempotence == Some(false) {
                p.add(
                    at("transactional.id"),
                    "needs enable.idempotence (Kafka: \"Cannot set a transactional.id without also enabling idempotence\")",
                );
            }
        }
        if let Some(ms) = self.transaction_timeout_ms {
            // transaction.max.timeout.ms, the broker's limit (INVALID_TRANSACTION_TIMEOUT above it).
            p.int_range(&at("transaction.timeout.ms"), ms, 1, 900_000);
        }
        if let Err(err) = SenderConfig::resolve(self.sender_settings()) {
            p.add(at(err.config), err.message);
        }
    }
}

/// `acks` as Kafka spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcksSpec {
    /// `acks=0`.
    #[serde(rename = "0")]
    Zero,
    /// `acks=1`.
    #[serde(rename = "1")]
    One,
    /// `acks=all` (also `-1`).
    #[serde(rename = "all", alias = "-1")]
    All,
}

impl From<AcksSpec> for Acks {
    fn from(acks: AcksSpec) -> Self {
        match acks {
            AcksSpec::Zero => Self::None,
            AcksSpec::One => Self::Leader,
            AcksSpec::All => Self::All,
        }
    }
}
