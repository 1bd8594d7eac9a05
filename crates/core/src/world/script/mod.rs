//! The world script: a cluster's configuration and a timestamped action log, as JSON.
//!
//! ```json
//! {"version": 1, "seed": 7, "brokers": 3,
//!  "topics": [{"name": "orders", "partitions": 3, "replication_factor": 3,
//!              "config": {"min.insync.replicas": 2}}],
//!  "actions": [{"at_ms": 0, "do": "join", "group": "billing", "member": "c1", "topics": ["orders"]},
//!              {"at_ms": 10, "do": "produce", "topic": "orders", "key": "order-1", "count": 5}]}
//! ```
//!
//! Names follow Kafka: topic configs use Kafka's config names (`retention.ms`, `cleanup.policy`, ...),
//! producer configs too (`acks`, `linger.ms`, `batch.size`). [`Script::check`] finds what is wrong without
//! running anything (versions, ranges, names, time order); whatever depends on history (a member that has
//! not joined) is found by running the actions ([`super::World::handle_action`]).

mod action;
mod producer;

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::config::{
    BROKERS, MAX_ACTIONS, MAX_AT_MS, MAX_NAME_BYTES, MAX_PRODUCERS, MAX_RECORDS, MAX_TOPICS,
    PARTITIONS, SCRIPT_VERSION,
};
use crate::problem::Problems;

pub use action::{AcknowledgeSpec, Action, GroupType, ResetName, ResetSpec, ScriptAction};
pub(in crate::world) use action::{group_config, read_committed};
pub use producer::{AcksSpec, ProducerConfigSpec, ProducerSpec};

/// A whole world: configuration plus the actions that drive it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// Schema version ([`SCRIPT_VERSION`]).
    pub version: u32,
    /// Seeds every random choice (the sticky partitioner's draws).
    #[serde(default)]
    pub seed: u64,
    /// Brokers, numbered from 0.
    pub brokers: u32,
    /// Topics, created at time 0.
    pub topics: Vec<TopicSpec>,
    /// Named producers; `produce` without `producer` uses one with Kafka's defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub producers: Vec<ProducerSpec>,
    /// Broker configs.
    #[serde(default, skip_serializing_if = "BrokerConfigSpec::is_default")]
    pub broker_config: BrokerConfigSpec,
    /// What happens, in time order.
    #[serde(default)]
    pub actions: Vec<ScriptAction>,
}

/// A topic and its configs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    /// The topic's name.
    pub name: String,
    /// Partitions at creation.
    pub partitions: u32,
    /// `replication.factor` (default 1; at most the number of brokers).
    #[serde(default = "one")]
    pub replication_factor: u32,
    /// Topic-level configs.
    #[serde(default, skip_serializing_if = "TopicConfigSpec::is_default")]
    pub config: TopicConfigSpec,
}

fn one() -> u32 {
    1
}

/// Topic configs by Kafka's names; each absent one has Kafka's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct TopicConfigSpec {
    #[serde(
        rename = "min.insync.replicas",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_insync_replicas: Option<u32>,
    #[serde(
        rename = "unclean.leader.election.enable",
        skip_serializing_if = "Option::is_none"
    )]
    pub unclean_leader_election_enable: Option<bool>,
    #[serde(rename = "cleanup.policy", skip_serializing_if = "Option::is_none")]
    pub cleanup_policy: Option<String>,
    #[serde(rename = "retention.ms", skip_serializing_if = "Option::is_none")]
    pub retention_ms: Option<i64>,
    #[serde(rename = "retention.bytes", skip_serializing_if = "Option::is_none")]
    pub retention_bytes: Option<i64>,
    #[serde(rename = "segment.bytes", skip_serializing_if = "Option::is_none")]
    pub segment_bytes: Option<u64>,
    #[serde(rename = "segment.ms", skip_serializing_if = "Option::is_none")]
    pub segment_ms: Option<u64>,
    #[serde(
        rename = "delete.retention.ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub delete_retention_ms: Option<u64>,
    #[serde(
        rename = "min.compaction.lag.ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_compaction_lag_ms: Option<u64>,
    #[serde(
        rename = "min.cleanable.dirty.ratio",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_cleanable_dirty_ratio: Option<f64>,
}

impl TopicConfigSpec {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Broker configs by Kafka's names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerConfigSpec {
    /// `replica.lag.time.max.ms` (30 s): a follower this far behind leaves the ISR.
    #[serde(
        rename = "replica.lag.time.max.ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub replica_lag_time_max_ms: Option<u64>,
    /// `log.retention.check.interval.ms` (5 min): how often retention runs.
    #[serde(
        rename = "log.retention.check.interval.ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub log_retention_check_interval_ms: Option<u64>,
    /// `log.cleaner.backoff.ms` (15 s): how often the cleaner looks for a log to compact.
    #[serde(
        rename = "log.cleaner.backoff.ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub log_cleaner_backoff_ms: Option<u64>,
}

impl BrokerConfigSpec {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

impl Script {
    /// A script with `brokers` brokers and `topics`, and no actions.
    #[must_use]
    pub fn new(seed: u64, brokers: u32, topics: Vec<TopicSpec>) -> Self {
        Self {
            version: SCRIPT_VERSION,
            seed,
            brokers,
            topics,
            producers: Vec::new(),
            broker_config: BrokerConfigSpec::default(),
            actions: Vec::new(),
        }
    }

    /// The moment of the last action (0 without actions).
    #[must_use]
    pub fn last_at_ms(&self) -> u64 {
        self.actions.last().map_or(0, |a| a.at_ms)
    }

    /// Checks what can be checked without running: version, ranges, names, configs, time order. Returns
    /// every problem found, each with its JSON path.
    #[must_use]
    pub fn check(&self) -> Problems {
        let mut p = Problems::default();
        p.version("version", self.version, SCRIPT_VERSION);
        p.int_range(
            "brokers",
            self.brokers.into(),
            (*BROKERS.start()).into(),
            (*BROKERS.end()).into(),
        );
        if self.topics.len() > MAX_TOPICS as usize {
            p.add(
                "topics",
                format!("{} topics; at most {MAX_TOPICS}", self.topics.len()),
            );
        }
        let mut names = BTreeSet::new();
        for (i, topic) in self.topics.iter().enumerate() {
            let at = |field: &str| format!("topics[{i}].{field}");
            check_name(&mut p, &at("name"), &topic.name);
            if !names.insert(topic.name.as_str()) {
                p.add(at("name"), format!("{:?} is defined twice", topic.name));
            }
            p.int_range(
                &at("partitions"),
                topic.partitions.into(),
                (*PARTITIONS.start()).into(),
                (*PARTITIONS.end()).into(),
            );
            p.int_range(
                &at("replication_factor"),
                topic.replication_factor.into(),
                1,
                self.brokers.max(1).into(),
            );
            check_topic_config(&mut p, &at("config"), &topic.config, self.brokers);
        }
        if self.producers.len() > MAX_PRODUCERS as usize {
            p.add(
                "producers",
                format!(
                    "{} producers; at most {MAX_PRODUCERS}",
                    self.producers.len()
                ),
            );
        }
        let mut producers = BTreeSet::new();
        for (i, producer) in self.producers.iter().enumerate() {
            check_name(&mut p, &format!("producers[{i}].name"), &producer.name);
            if !producers.insert(producer.name.as_str()) {
                p.add(
                    format!("producers[{i}].name"),
                    format!("{:?} is defined twice", producer.name),
                );
            }
            producer
                .config
                .check(&mut p, &format!("producers[{i}].config"));
        }
        for (field, value) in [
            (
                "replica.lag.time.max.ms",
                self.broker_config.replica_lag_time_max_ms,
            ),
            (
                "log.retention.check.interval.ms",
                self.broker_config.log_retention_check_interval_ms,
            ),
            (
                "log.cleaner.backoff.ms",
                self.broker_config.log_cleaner_backoff_ms,
            ),
        ] {
            if let Some(ms) = value {
                p.int_range(&format!("broker_config.{field}"), ms, 1, MAX_AT_MS);
            }
        }
        self.check_actions(&mut p);
        p
    }

    fn check_actions(&self, p: &mut Problems) {
        if self.actions.len() > MAX_ACTIONS {
            p.add(
                "actions",
                format!("{} actions; at most {MAX_ACTIONS}", self.actions.len()),
            );
            return;
        }
        let mut previous = 0;
        let mut records = 0_u64;
        for (i, action) in self.actions.iter().enumerate() {
            let at = |field: &str| format!("actions[{i}].{field}");
            if action.at_ms < previous {
                p.add(
                    at("at_ms"),
                    format!(
                        "{} is earlier than the action before ({previous}); actions must be in time order",
                        action.at_ms
                    ),
                );
            }
            previous = previous.max(action.at_ms);
            p.int_range(&at("at_ms"), action.at_ms, 0, MAX_AT_MS);
            action
                .action
                .check(action.at_ms, p, &format!("actions[{i}]"));
            if let Action::Produce { count, .. } = &action.action {
                records = records.saturating_add(*count);
            }
        }
        if records > MAX_RECORDS {
            p.add(
                "actions",
                format!("the actions produce {records} records; at most {MAX_RECORDS} per script"),
            );
        }
    }
}

fn check_name(p: &mut Problems, path: &str, name: &str) {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        p.add(
            path,
            format!("{name:?} must have 1 to {MAX_NAME_BYTES} bytes"),
        );
    }
}

fn check_topic_config(p: &mut Problems, path: &str, config: &TopicConfigSpec, brokers: u32) {
    if let Some(n) = config.min_insync_replicas {
        p.int_range(
            &format!("{path}.min.insync.replicas"),
            n.into(),
            1,
            brokers.max(1).into(),
        );
    }
    if let Some(policy) = &config.cleanup_policy
        && crate::log::CleanupPolicy::from_config(policy).is_none()
    {
        p.add(
            format!("{path}.cleanup.policy"),
            format!("{policy:?} is not one of \"delete\", \"compact\", \"compact,delete\""),
        );
    }
    for (field, value) in [
        ("retention.ms", config.retention_ms),
        ("retention.bytes", config.retention_bytes),
    ] {
        if let Some(v) = value
            && v < -1
        {
            p.add(
                format!("{path}.{field}"),
                format!("{v} is out of range (-1 for unlimited, or 0..)"),
            );
        }
    }
    if let Some(bytes) = config.segment_bytes {
        p.int_range(&format!("{path}.segment.bytes"), bytes, 14, 1 << 30);
    }
    for (field, value) in [
        ("segment.ms", config.segment_ms),
        ("delete.retention.ms", config.delete_retention_ms),
        ("min.compaction.lag.ms", config.min_compaction_lag_ms),
    ] {
        if let Some(ms) = value {
            p.int_range(&format!("{path}.{field}"), ms, 0, u64::MAX / 1_000);
        }
    }
    if let Some(ratio) = config.min_cleanable_dirty_ratio {
        p.float_range(
            &format!("{path}.min.cleanable.dirty.ratio"),
            ratio,
            0.0,
            1.0,
        );
    }
}
