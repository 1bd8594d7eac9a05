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

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::cluster::Acks;
use crate::config::{
    BROKERS, MAX_ACTIONS, MAX_AT_MS, MAX_IN_FLIGHT_REQUESTS, MAX_KEY_BYTES, MAX_NAME_BYTES,
    MAX_PRODUCERS, MAX_RECORDS, MAX_TOPICS, PARTITIONS, RECORDS_PER_ACTION, RECORDS_PER_S,
    SCRIPT_VERSION, VALUE_BYTES,
};
use crate::group::assignor::{ServerAssignor, Strategy};
use crate::group::coordinator::GroupConfig;
use crate::problem::{Problem, Problems};
use crate::producer::sender::{SenderConfig, SenderSettings};

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
    fn check(&self, p: &mut Problems, path: &str) {
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

/// One action at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptAction {
    /// When, in milliseconds of simulated time; never earlier than the action before.
    pub at_ms: u64,
    /// What.
    #[serde(flatten)]
    pub action: Action,
}

/// What can happen to a world. The JSON names each with `"do"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Action {
    /// Records written by a producer: `count` of them, `interval_ms` apart (0: all at once).
    Produce {
        /// The topic.
        topic: String,
        /// The key, or `null` for none (the sticky partitioner picks the partition). `{i}` in the key is
        /// replaced by the record's number within the action, so `"order-{i}"` gives distinct keys.
        #[serde(default)]
        key: Option<String>,
        /// Value size in bytes (default 100).
        #[serde(default = "default_value_bytes")]
        value_bytes: u32,
        /// A null value instead (`value_bytes` is then ignored): on a compacted topic, a tombstone that
        /// deletes the key once the cleaner has passed and `delete.retention.ms` has gone by.
        #[serde(default, skip_serializing_if = "is_false")]
        tombstone: bool,
        /// Overrides the producer's `acks` for these records.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acks: Option<AcksSpec>,
        /// How many records (default 1).
        #[serde(default = "default_count")]
        count: u64,
        /// Milliseconds between two records of this action (default 0).
        #[serde(default, skip_serializing_if = "is_zero")]
        interval_ms: u64,
        /// A producer of `producers` (default: Kafka's defaults).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        producer: Option<String>,
    },
    /// A consumer joins a group (creating the group on first join).
    Join {
        /// `group.id`.
        group: String,
        /// The consumer's name in the script (its `client.id`).
        member: String,
        /// Topics it subscribes to.
        topics: Vec<String>,
        /// `partition.assignment.strategy` of the classic protocol: `range` (default), `roundrobin`,
        /// `sticky`, `cooperative-sticky`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        strategy: Option<String>,
        /// `group.protocol`: `classic` (the default of Kafka 4.0's clients) or `consumer` (KIP-848).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        protocol: Option<String>,
        /// `group.remote.assignor` of the consumer protocol: `uniform` (default) or `range`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group_remote_assignor: Option<String>,
        /// `group.instance.id`: a static member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group_instance_id: Option<String>,
        /// Records it processes per second (default 100); 0 reads nothing by itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        records_per_s: Option<f64>,
        /// `auto.offset.reset`: `latest` (Kafka's default), `earliest` or `none`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auto_offset_reset: Option<String>,
        /// `isolation.level`: `read_uncommitted` (Kafka's default) or `read_committed` (only below the
        /// last stable offset, without aborted records).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        isolation_level: Option<String>,
        /// `enable.auto.commit` (true): kplay's member then commits after each record it processes;
        /// `false` leaves commits to `commit` actions, or to `forward_to`'s commit interval.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        enable_auto_commit: Option<bool>,
        /// A consume-transform-produce stage: each record the member processes is produced, with its
        /// key and size, to this topic.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forward_to: Option<String>,
        /// The producer `forward_to` writes with (default: the default producer). One with a
        /// `transactional.id` makes the stage exactly-once: the records and the offsets they came from
        /// go in one transaction, committed every `commit_interval_ms`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forward_producer: Option<String>,
        /// How often a forwarding member commits (Kafka Streams' `commit.interval.ms`: 100 with a
        /// transactional producer, 30000 otherwise).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        commit_interval_ms: Option<u64>,
    },
    /// A consumer closes (`LeaveGroup`; a static member just stops).
    Leave {
        /// The group.
        group: String,
        /// The member.
        member: String,
    },
    /// A consumer stops heartbeating without a word.
    Crash {
        /// The group.
        group: String,
        /// The member.
        member: String,
    },
    /// A member commits an offset (the next offset to read).
    Commit {
        /// The group.
        group: String,
        /// The member.
        member: String,
        /// The topic.
        topic: String,
        /// The partition.
        partition: u32,
        /// The offset.
        offset: u64,
    },
    /// `kafka-consumer-groups.sh --reset-offsets` for every partition of a topic (the group must be empty).
    ResetOffsets {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
        /// Where to.
        to: ResetSpec,
    },
    /// `kafka-consumer-groups.sh --delete`: the group and its committed offsets go (Kafka's
    /// `DeleteGroups`, refused with `GROUP_NOT_EMPTY` while it has members, crashed ones included).
    DeleteGroup {
        /// The group.
        group: String,
    },
    /// A broker fails.
    KillBroker {
        /// The broker.
        broker: u32,
    },
    /// A failed broker comes back.
    RestartBroker {
        /// The broker.
        broker: u32,
    },
    /// A live broker stops fetching (a slow follower).
    StallBroker {
        /// The broker.
        broker: u32,
    },
    /// A stalled broker fetches again.
    UnstallBroker {
        /// The broker.
        broker: u32,
    },
    /// `kafka-configs.sh --alter --add-config` on a topic: the log configs given replace the topic's
    /// (`cleanup.policy`, `retention.ms`, `retention.bytes`, `segment.bytes`, `segment.ms`,
    /// `delete.retention.ms`, `min.compaction.lag.ms`, `min.cleanable.dirty.ratio`); the others keep their
    /// values. They apply from the next append, retention check or cleaner pass, as on a broker.
    AlterConfig {
        /// The topic.
        topic: String,
        /// The configs to set. `min.insync.replicas` and `unclean.leader.election.enable` are set when
        /// the topic is created (kplay does not change replication settings of a running topic).
        config: TopicConfigSpec,
    },
    /// `beginTransaction()` on a producer with a `transactional.id` (its first one registers the id,
    /// `initTransactions()`, fencing an earlier producer with the same id).
    BeginTransaction {
        /// The producer.
        producer: String,
    },
    /// `commitTransaction()`: its batches are sent at once, and once they are answered the coordinator
    /// writes a `COMMIT` marker to every partition of the transaction.
    CommitTransaction {
        /// The producer.
        producer: String,
    },
    /// `abortTransaction()`: records not sent yet fail with `TRANSACTION_ABORTED`, and once the rest are
    /// answered the coordinator writes an `ABORT` marker to every partition of the transaction.
    AbortTransaction {
        /// The producer.
        producer: String,
    },
    /// A topic grows to `partitions`.
    AddPartitions {
        /// The topic.
        topic: String,
        /// The new partition count.
        partitions: u32,
    },
}

fn default_value_bytes() -> u32 {
    100
}

fn default_count() -> u64 {
    1
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// Where `reset-offsets` moves a group's committed offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "\"earliest\", \"latest\", {\"offset\": n} or {\"timestamp_ms\": t}"
)]
pub enum ResetSpec {
    /// `"earliest"` or `"latest"`.
    Named(ResetName),
    /// `{"offset": n}`.
    Offset {
        /// The offset (clamped into the log).
        offset: u64,
    },
    /// `{"timestamp_ms": t}`.
    Timestamp {
        /// The first offset at or after this time.
        timestamp_ms: u64,
    },
}

/// The named reset targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResetName {
    /// The log start offset.
    Earliest,
    /// The high watermark.
    Latest,
}

impl Action {
    /// Checks what can be checked of this action alone (ranges, names, choices), recording each problem
    /// under `path` (`actions[3]`, or empty for an action on its own). [`Script::check`] calls it for every
    /// action and [`super::World::handle_action`] for the one it is given.
    pub fn check(&self, at_ms: u64, p: &mut Problems, path: &str) {
        let at = |field: &str| {
            if path.is_empty() {
                field.into()
            } else {
                format!("{path}.{field}")
            }
        };
        match self {
            Action::Produce {
                key,
                value_bytes,
                count,
                interval_ms,
                ..
            } => {
                p.int_range(
                    &at("count"),
                    *count,
                    *RECORDS_PER_ACTION.start(),
                    *RECORDS_PER_ACTION.end(),
                );
                p.int_range(
                    &at("value_bytes"),
                    (*value_bytes).into(),
                    (*VALUE_BYTES.start()).into(),
                    (*VALUE_BYTES.end()).into(),
                );
                if key.as_ref().is_some_and(|k| k.len() > MAX_KEY_BYTES) {
                    p.add(at("key"), format!("longer than {MAX_KEY_BYTES} bytes"));
                }
                let span = interval_ms.saturating_mul(count.saturating_sub(1));
                if at_ms.saturating_add(span) > MAX_AT_MS {
                    p.add(
                        at("interval_ms"),
                        format!(
                            "{interval_ms} ms × {count} records ends after {MAX_AT_MS} ms, the latest time a world runs to"
                        ),
                    );
                }
            }
            Action::Join {
                member,
                strategy,
                protocol,
                group_remote_assignor,
                records_per_s,
                auto_offset_reset,
                isolation_level,
                forward_to,
                forward_producer,
                commit_interval_ms,
                group,
                group_instance_id,
                ..
            } => {
                check_name(p, &at("group"), group);
                check_name(p, &at("member"), member);
                if let Some(id) = group_instance_id {
                    check_name(p, &at("group_instance_id"), id);
                }
                if let Err(err) = group_config(
                    protocol.as_deref(),
                    strategy.as_deref(),
                    group_remote_assignor.as_deref(),
                ) {
                    p.add(at(&err.path), err.message);
                }
                if let Some(rate) = records_per_s {
                    p.float_range(
                        &at("records_per_s"),
                        *rate,
                        *RECORDS_PER_S.start(),
                        *RECORDS_PER_S.end(),
                    );
                }
                if let Some(reset) = auto_offset_reset
                    && !["earliest", "latest", "none"].contains(&reset.as_str())
                {
                    p.add(
                        at("auto_offset_reset"),
                        format!("{reset:?} is not one of \"earliest\", \"latest\", \"none\""),
                    );
                }
                if let Err(message) = read_committed(isolation_level.as_deref()) {
                    p.add(at("isolation_level"), message);
                }
                if let Some(ms) = commit_interval_ms {
                    p.int_range(&at("commit_interval_ms"), *ms, 1, MAX_AT_MS);
                }
                if forward_to.is_none() {
                    for (field, set) in [
                        ("forward_producer", forward_producer.is_some()),
                        ("commit_interval_ms", commit_interval_ms.is_some()),
                    ] {
                        if set {
                            p.add(at(field), "applies to a member with forward_to");
                        }
                    }
                }
            }
            Action::AlterConfig { topic, config } => {
                check_name(p, &at("topic"), topic);
                let path = at("config");
                if config.min_insync_replicas.is_some() {
                    p.add(
                        format!("{path}.min.insync.replicas"),
                        "is set when the topic is created",
                    );
                }
                if config.unclean_leader_election_enable.is_some() {
                    p.add(
                        format!("{path}.unclean.leader.election.enable"),
                        "is set when the topic is created",
                    );
                }
                if *config == TopicConfigSpec::default() {
                    p.add(path.clone(), "sets no config");
                }
                check_topic_config(p, &path, config, 1);
            }
            Action::AddPartitions { partitions, .. } => p.int_range(
                &at("partitions"),
                (*partitions).into(),
                (*PARTITIONS.start()).into(),
                (*PARTITIONS.end()).into(),
            ),
            _ => {}
        }
    }

    /// The JSON name of the action.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Produce { .. } => "produce",
            Self::Join { .. } => "join",
            Self::Leave { .. } => "leave",
            Self::Crash { .. } => "crash",
            Self::Commit { .. } => "commit",
            Self::ResetOffsets { .. } => "reset-offsets",
            Self::DeleteGroup { .. } => "delete-group",
            Self::KillBroker { .. } => "kill-broker",
            Self::RestartBroker { .. } => "restart-broker",
            Self::StallBroker { .. } => "stall-broker",
            Self::UnstallBroker { .. } => "unstall-broker",
            Self::AlterConfig { .. } => "alter-config",
            Self::AddPartitions { .. } => "add-partitions",
            Self::BeginTransaction { .. } => "begin-transaction",
            Self::CommitTransaction { .. } => "commit-transaction",
            Self::AbortTransaction { .. } => "abort-transaction",
        }
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

/// Whether `isolation.level` is `read_committed`.
///
/// # Errors
/// The message for a value that is neither `read_uncommitted` nor `read_committed`.
pub(super) fn read_committed(level: Option<&str>) -> Result<bool, String> {
    match level {
        None | Some("read_uncommitted") => Ok(false),
        Some("read_committed") => Ok(true),
        Some(other) => Err(format!(
            "{other:?} is not one of \"read_uncommitted\", \"read_committed\""
        )),
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

/// The group configuration a `join` asks for: `protocol` (`classic` by default, or `consumer`) with the
/// classic `strategy` or the consumer protocol's `group_remote_assignor`. As Kafka's client does, it
/// refuses the setting of the other protocol (`partition.assignment.strategy` cannot be set when
/// `group.protocol=consumer`).
pub(super) fn group_config(
    protocol: Option<&str>,
    strategy: Option<&str>,
    remote_assignor: Option<&str>,
) -> Result<GroupConfig, Problem> {
    match protocol {
        None | Some("classic") => {
            if remote_assignor.is_some() {
                return Err(problem(
                    "group_remote_assignor",
                    "group.remote.assignor is for the consumer protocol; set \"protocol\": \"consumer\" or use \"strategy\"",
                ));
            }
            let strategy = strategy
                .map(str::parse::<Strategy>)
                .transpose()
                .map_err(|err| problem("strategy", format!("{err}")))?
                .unwrap_or(Strategy::Range);
            Ok(GroupConfig {
                strategy,
                ..GroupConfig::default()
            })
        }
        Some("consumer") => {
            if strategy.is_some() {
                return Err(problem(
                    "strategy",
                    "partition.assignment.strategy cannot be set when group.protocol=consumer; the broker assigns (\"group_remote_assignor\": \"uniform\" or \"range\")",
                ));
            }
            let assignor = match remote_assignor {
                None | Some("uniform") => ServerAssignor::Uniform,
                Some("range") => ServerAssignor::Range,
                Some(other) => {
                    return Err(problem(
                        "group_remote_assignor",
                        format!("{other:?} is not one of \"uniform\", \"range\""),
                    ));
                }
            };
            Ok(GroupConfig::consumer(assignor))
        }
        Some(other) => Err(problem(
            "protocol",
            format!("{other:?} is not one of \"classic\", \"consumer\""),
        )),
    }
}

/// A problem at `field` of an action.
fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem {
        path: field.into(),
        message: message.into(),
    }
}
