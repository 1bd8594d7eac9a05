//! The actions of a script: what can happen to a world, each checked on its own ([`Action::check`]).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{AcksSpec, TopicConfigSpec, check_name, check_topic_config};
use crate::config::{
    MAX_ACKNOWLEDGE_KEYS, MAX_AT_MS, MAX_KEY_BYTES, MAX_POLL_RECORDS, PARTITIONS,
    RECORDS_PER_ACTION, RECORDS_PER_S, VALUE_BYTES,
};
use crate::group::assignor::{ServerAssignor, Strategy};
use crate::group::coordinator::GroupConfig;
use crate::problem::{Problem, Problems};

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
        /// `consumer` (default): a consumer group; `share`: a share group (KIP-932), whose members
        /// all read every partition and acknowledge record by record.
        #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
        group_type: Option<GroupType>,
        /// A share consumer: how it acknowledges records of some keys instead of `ACCEPT`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acknowledge: Option<Box<AcknowledgeSpec>>,
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
        /// Milliseconds it takes to process one record (instead of `records_per_s`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        processing_ms: Option<u64>,
        /// `max.poll.records` (500): the most records one poll returns.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_poll_records: Option<u32>,
        /// `max.poll.interval.ms` (300000): the longest a member may take between two polls before it
        /// is taken for stuck and leaves the group; also its rebalance timeout.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_poll_interval_ms: Option<u64>,
        /// `auto.commit.interval.ms` (5000): how often polls commit when `enable_auto_commit` is on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auto_commit_interval_ms: Option<u64>,
        /// `auto.offset.reset`: `latest` (Kafka's default), `earliest` or `none`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auto_offset_reset: Option<String>,
        /// `isolation.level`: `read_uncommitted` (Kafka's default) or `read_committed` (only below the
        /// last stable offset, without aborted records).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        isolation_level: Option<String>,
        /// `enable.auto.commit` (true): its polls commit what earlier polls returned every
        /// `auto_commit_interval_ms`, and it commits before giving partitions up and when it leaves;
        /// `false` leaves commits to `commit` actions. A member with `forward_to` commits as a stage.
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
    /// under `path` (`actions[3]`, or empty for an action on its own). [`super::Script::check`] calls it for every
    /// action and [`crate::world::World::handle_action`] for the one it is given.
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
                processing_ms,
                max_poll_records,
                max_poll_interval_ms,
                auto_commit_interval_ms,
                enable_auto_commit,
                auto_offset_reset,
                isolation_level,
                forward_to,
                forward_producer,
                commit_interval_ms,
                group,
                group_instance_id,
                group_type,
                acknowledge,
                topics: _,
            } => {
                check_name(p, &at("group"), group);
                check_name(p, &at("member"), member);
                if group_type == &Some(GroupType::Share) {
                    let consumer_only = [
                        ("strategy", strategy.is_some()),
                        ("protocol", protocol.is_some()),
                        ("group_remote_assignor", group_remote_assignor.is_some()),
                        ("group_instance_id", group_instance_id.is_some()),
                        ("max_poll_interval_ms", max_poll_interval_ms.is_some()),
                        ("auto_commit_interval_ms", auto_commit_interval_ms.is_some()),
                        ("enable_auto_commit", enable_auto_commit.is_some()),
                        ("isolation_level", isolation_level.is_some()),
                        ("forward_to", forward_to.is_some()),
                        ("forward_producer", forward_producer.is_some()),
                        ("commit_interval_ms", commit_interval_ms.is_some()),
                    ];
                    for (field, set) in consumer_only {
                        if set {
                            p.add(at(field), "is not a setting of a share consumer");
                        }
                    }
                    if records_per_s == &Some(0.0) {
                        p.add(
                            at("records_per_s"),
                            "a share consumer must process records (> 0)",
                        );
                    }
                    if auto_offset_reset.as_deref() == Some("none") {
                        p.add(
                            at("auto_offset_reset"),
                            "share.auto.offset.reset is \"earliest\" or \"latest\"",
                        );
                    }
                    for (field, keys) in acknowledge.iter().flat_map(|a| a.lists()) {
                        let path = at(&format!("acknowledge.{field}"));
                        if keys.len() > MAX_ACKNOWLEDGE_KEYS {
                            p.add(
                                &path,
                                format!("{} keys; at most {MAX_ACKNOWLEDGE_KEYS}", keys.len()),
                            );
                        }
                        for (i, key) in keys.iter().enumerate().take(MAX_ACKNOWLEDGE_KEYS) {
                            if key.len() > MAX_KEY_BYTES {
                                p.add(
                                    format!("{path}[{i}]"),
                                    format!("longer than {MAX_KEY_BYTES} bytes"),
                                );
                            }
                        }
                    }
                } else if acknowledge.is_some() {
                    p.add(
                        at("acknowledge"),
                        "applies to a share consumer (\"type\": \"share\")",
                    );
                }
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
                if let Some(ms) = processing_ms {
                    p.int_range(&at("processing_ms"), *ms, 1, MAX_AT_MS);
                    if records_per_s.is_some() {
                        p.add(
                            at("processing_ms"),
                            "set processing_ms or records_per_s, not both",
                        );
                    }
                }
                if let Some(n) = max_poll_records {
                    p.int_range(
                        &at("max_poll_records"),
                        u64::from(*n),
                        u64::from(*MAX_POLL_RECORDS.start()),
                        u64::from(*MAX_POLL_RECORDS.end()),
                    );
                }
                if let Some(ms) = max_poll_interval_ms {
                    p.int_range(&at("max_poll_interval_ms"), *ms, 1, MAX_AT_MS);
                }
                if let Some(ms) = auto_commit_interval_ms {
                    p.int_range(&at("auto_commit_interval_ms"), *ms, 0, MAX_AT_MS);
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
                if forward_to.is_some() && enable_auto_commit == &Some(true) {
                    p.add(
                        at("enable_auto_commit"),
                        "a member with forward_to commits as a stage (Kafka Streams turns auto-commit off)",
                    );
                }
                if enable_auto_commit == &Some(false) && auto_commit_interval_ms.is_some() {
                    p.add(
                        at("auto_commit_interval_ms"),
                        "applies only with enable_auto_commit on",
                    );
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

/// How a share consumer acknowledges the records of some keys (Kafka's `AcknowledgeType`); every other
/// record is acknowledged `ACCEPT`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeSpec {
    /// Keys whose processing fails: `RELEASE`, delivered again until
    /// `group.share.delivery.count.limit` archives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release: Vec<String>,
    /// Keys that cannot be processed: `REJECT`, archived at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reject: Vec<String>,
}

impl AcknowledgeSpec {
    /// The lists by their JSON field.
    fn lists(&self) -> [(&'static str, &[String]); 2] {
        [("release", &self.release), ("reject", &self.reject)]
    }
}

/// What kind of group a `join` joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupType {
    /// A consumer group (the default).
    Consumer,
    /// A share group (KIP-932).
    Share,
}

/// Whether `isolation.level` is `read_committed`.
///
/// # Errors
/// The message for a value that is neither `read_uncommitted` nor `read_committed`.
pub(in crate::world) fn read_committed(level: Option<&str>) -> Result<bool, String> {
    match level {
        None | Some("read_uncommitted") => Ok(false),
        Some("read_committed") => Ok(true),
        Some(other) => Err(format!(
            "{other:?} is not one of \"read_uncommitted\", \"read_committed\""
        )),
    }
}

/// The group configuration a `join` asks for: `protocol` (`classic` by default, or `consumer`) with the
/// classic `strategy` or the consumer protocol's `group_remote_assignor`. As Kafka's client does, it
/// refuses the setting of the other protocol (`partition.assignment.strategy` cannot be set when
/// `group.protocol=consumer`).
pub(in crate::world) fn group_config(
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
