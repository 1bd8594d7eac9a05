//! # The world: one Kafka cluster driven by a replayable action log
//!
//! A [`World`] is a whole cluster — brokers, replicated topics with their logs, producers, any number of
//! consumer groups — on one simulated clock. It composes the crate's concepts rather than copying them:
//! replication is [`crate::cluster::Cluster`] (one per topic, all on the same brokers), each partition's
//! data is a [`crate::log::PartitionLog`] (segments, retention, compaction, and the transactions of
//! [`crate::log::transactions`]), records are partitioned and batched by [`crate::producer::Producer`]
//! (murmur2 for keys, the built-in sticky partitioner of KIP-794 for keyless records, `batch.size` and
//! `linger.ms`), transactional producers answer to [`crate::transaction`]'s coordinator, and groups are
//! [`crate::group::coordinator`]'s [`ConsumerGroup`] with [`crate::group::offsets`]'s committed offsets
//! and lag. Share groups (KIP-932, a `join` with `"type": "share"`) read the same topics as a queue, with
//! [`crate::group::share`]'s per-record states (see `share.rs`).
//!
//! ```text
//!  actions ──► handle_action(now, action) ─┐            ┌─► poll_event(): appended, acknowledged, fetched,
//!                                          ├─ World ────┤   committed, rebalance started / revoked /
//!  clock ───► handle_timeout(now) ─────────┘            │   assigned / completed, ISR, leader, segments
//!             poll_timeout() ◄──────────────────────────┘─► state(): the JSON `kplay world` prints
//! ```
//!
//! **How it is driven** (quinn-proto's shape). Inputs: [`World::handle_action`] at a moment, and
//! [`World::handle_timeout`], which runs everything due up to a moment. [`World::poll_timeout`] says when
//! something is next due (a `linger.ms` expiring, a follower's fetch, a consumer's next record, a session
//! expiring, a rebalance completing, a retention check). Outputs: [`World::poll_event`] in the order things
//! happened, and [`World::state`] at any time. `handle_action(now, ..)` first runs what is due up to
//! `now`, so actions and timers interleave the same way however the caller steps the clock: replaying a
//! script ([`World::replay`]) gives the same world as running it live, which is what time travel
//! ([`timeline::Timeline`]) and links rely on. Nothing reads a clock; the seed drives every random choice.
//!
//! **Timing model** (simplifications, each named): a batch is sent the moment it is ready and reaches the
//! leader at once, up to `max.in.flight.requests.per.connection` requests per broker; an `acks=all`
//! request waits for the ISR or times out after `request.timeout.ms`, and failed batches are retried until
//! `delivery.timeout.ms` by the idempotent producer's rules ([`crate::producer::sender`]); followers fetch [`crate::config::FOLLOWER_FETCH_DELAY`] after the leader appends;
//! a consumer polls up to `max.poll.records` (500), processes one record every `processing_ms` (or
//! `1 / records_per_s` seconds), auto-commits at its polls every `auto.commit.interval.ms` (5 s), and
//! leaves the group when a batch outlasts `max.poll.interval.ms` (300 s), see `consumer.rs` (a member
//! that forwards what it reads commits as a Kafka Streams task does, see `stage.rs`); brokers notice a
//! failure at once. Kafka's configs and defaults apply otherwise: `session.timeout.ms` 45 s,
//! `heartbeat.interval.ms` 3 s, `group.initial.rebalance.delay.ms` 3 s (the classic protocol; a group that
//! joins with `"protocol": "consumer"` uses KIP-848's `group.consumer.heartbeat.interval.ms` 5 s and
//! `group.consumer.session.timeout.ms` 45 s, with no initial delay), `replica.lag.time.max.ms` 30 s,
//! `log.retention.check.interval.ms` 5 min, `log.cleaner.backoff.ms` 15 s, `min.insync.replicas` 1,
//! `auto.offset.reset` latest, `acks` all, `enable.idempotence` true, `linger.ms` 5, `batch.size` 16384,
//! `request.timeout.ms` 30 s, `delivery.timeout.ms` 120 s, `retry.backoff.ms` 100 (up to 1 s).

mod append;
mod consumer;
pub mod detail;
pub mod event;
mod group;
mod membership;
mod order;
mod produce;
pub mod script;
mod sender;
mod share;
mod stage;
pub mod state;
pub mod timeline;
mod topic;
mod transaction;
pub mod workload;

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use event::{EventKind, WorldEvent};
pub use script::{Action, Script, ScriptAction};

use crate::cluster::Acks;
use crate::config::{MAX_AT_MS, MAX_RECORDS, PARTITIONS, RUN_AFTER_LAST_ACTION, WORLD_STEP_BUDGET};
use crate::group::assignor::TopicPartition;
use crate::group::coordinator::{ConsumerGroup, GroupConfig};
use crate::problem::Problems;
use crate::producer::Producer;
use crate::time::{Duration, Instant};
use crate::transaction::TransactionCoordinator;
use consumer::MemberState;
use produce::{ProduceStream, ProducerState, new_producer};
use script::ProducerSpec;
use topic::TopicState;

/// An action the world refused: which field of it is at fault and why. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionError {
    /// The field, relative to the action (`topic`, `topics[1]`, `broker`, `at_ms`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl ActionError {
    /// An error at `field`; a long quoted input in `message` is cut short.
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: crate::problem::shorten_quotes(&message.into()),
        }
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl core::error::Error for ActionError {}

/// What became of one produced record, as its producer learns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Waiting in the producer's batch (`linger.ms`).
    Queued,
    /// Sent with `acks=0`: written, but the producer is told nothing (Kafka reports offset -1).
    Sent,
    /// Sent; waiting for the answer (with `acks=all`, for the ISR).
    Waiting,
    /// Failed with a retriable error (Kafka's name); to be sent again after its backoff.
    Retrying(&'static str),
    /// Acknowledged: the producer knows its offset.
    Acknowledged,
    /// Failed with Kafka's error name.
    Failed(&'static str),
}

/// One record a `produce` action wrote, in the order produced.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProducedRecord {
    /// Index of the action in the log.
    action: u32,
    /// Index of its topic.
    topic: u32,
    /// The partition the partitioner chose.
    partition: u32,
    /// Its offset in the leader's log once written.
    written_at: Option<u64>,
    /// What the producer knows.
    delivery: Delivery,
    /// Acknowledged, then gone from the partition (an unclean election, or `acks=1` and a failed leader).
    lost: bool,
    /// Times its batch was sent.
    attempts: u32,
    /// Times a leader appended it: more than 1 when a retry without idempotence wrote it again.
    appends: u32,
}

/// A consumer group and the consumers of the script in it.
#[derive(Debug, Clone, PartialEq)]
struct GroupState {
    group: ConsumerGroup,
    members: Vec<MemberState>,
    /// Per partition, the offset after the furthest record any member was handed.
    delivered_to: alloc::collections::BTreeMap<TopicPartition, u64>,
    /// Records handed to members, and of those, ones below the furthest already handed out (processed
    /// again: after a crash, a poll timeout, or an offset reset).
    deliveries: (u64, u64),
    /// Polls that came after `max.poll.interval.ms` had run out.
    poll_timeouts: u32,
    /// Commits refused, or failed at the client (`CommitFailedException`).
    failed_commits: u32,
    /// Per-key order as its members process records.
    order: order::KeyOrder,
}

/// Broker-wide settings.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Settings {
    retention_check: Duration,
    cleaner_backoff: Duration,
}

/// One deterministic Kafka cluster; see the module documentation for how it is driven.
#[derive(Debug, Clone, PartialEq)]
pub struct World {
    now: Instant,
    brokers: u32,
    settings: Settings,
    topics: Vec<TopicState>,
    producers: Vec<ProducerState>,
    groups: Vec<GroupState>,
    share_groups: Vec<share::ShareGroupState>,
    produced: Vec<ProducedRecord>,
    streams: Vec<ProduceStream>,
    /// The next producer id to hand out (`InitProducerId`).
    next_producer_id: u64,
    /// The transaction coordinator.
    coordinator: TransactionCoordinator,
    /// Markers the coordinator is writing.
    markers: Vec<transaction::MarkerWrite>,
    /// The coordinator's next look for timed-out transactions.
    next_txn_check: Instant,
    next_fetch: Option<Instant>,
    next_retention: Instant,
    next_cleaning: Instant,
    actions: u32,
    /// Something changed that an idle consumer may be waiting for (new data, a new assignment).
    wake: bool,
    /// Moments processed, and how many the world may process ([`World::with_step_budget`]).
    steps: u64,
    step_budget: u64,
    events: VecDeque<WorldEvent>,
    keep_events: bool,
}

impl World {
    /// The world a script describes, at time 0, before its actions.
    ///
    /// # Errors
    /// Every problem [`Script::check`] finds.
    pub fn new(script: &Script) -> Result<Self, Problems> {
        let problems = script.check();
        if !problems.is_empty() {
            return Err(problems);
        }
        let lag_max = script
            .broker_config
            .replica_lag_time_max_ms
            .map_or(Duration::from_secs(30), Duration::from_millis);
        let settings = Settings {
            retention_check: Duration::from_millis(
                script
                    .broker_config
                    .log_retention_check_interval_ms
                    .unwrap_or(300_000),
            ),
            cleaner_backoff: Duration::from_millis(
                script
                    .broker_config
                    .log_cleaner_backoff_ms
                    .unwrap_or(15_000),
            ),
        };
        let mut topics = Vec::with_capacity(script.topics.len());
        for (i, spec) in script.topics.iter().enumerate() {
            let topic = TopicState::new(spec, script.brokers, lag_max).map_err(|message| {
                let mut p = Problems::default();
                p.add(format!("topics[{i}]"), message);
                p
            })?;
            topics.push(topic);
        }
        let mut specs = alloc::vec![ProducerSpec {
            name: "default".into(),
            config: script::ProducerConfigSpec::default(),
        }];
        for spec in &script.producers {
            if spec.name == "default" {
                specs[0] = spec.clone();
            } else {
                specs.push(spec.clone());
            }
        }
        let partitions: Vec<u32> = topics.iter().map(TopicState::partition_count).collect();
        let producers = specs
            .iter()
            .enumerate()
            .map(|(p, spec)| new_producer(spec, p as u32, &partitions, script.seed))
            .collect();
        Ok(Self {
            now: Instant::ZERO,
            brokers: script.brokers,
            next_retention: Instant::ZERO + settings.retention_check,
            next_cleaning: Instant::ZERO + settings.cleaner_backoff,
            settings,
            topics,
            producers,
            groups: Vec::new(),
            share_groups: Vec::new(),
            produced: Vec::new(),
            streams: Vec::new(),
            next_producer_id: 0,
            coordinator: TransactionCoordinator::default(),
            markers: Vec::new(),
            next_txn_check: Instant::ZERO + crate::transaction::ABORT_CHECK_INTERVAL,
            next_fetch: None,
            actions: 0,
            wake: false,
            events: VecDeque::new(),
            keep_events: true,
            steps: 0,
            step_budget: WORLD_STEP_BUDGET,
        })
    }

    /// Builds the world and applies every action of the script, as a dry run that finds what only running
    /// can find (a member that never joined, a broker killed twice). The clock stops at the last action.
    ///
    /// # Errors
    /// Every problem, each at its JSON path (`actions[4].member: ...`).
    pub fn from_script(script: &Script) -> Result<Self, Problems> {
        let mut world = Self::new(script)?;
        world.apply(script, None)?;
        Ok(world)
    }

    /// Applies the script's actions (those up to `until`, if given) to this world, which starts from the
    /// script's configuration; stops early if the world reaches its step budget.
    ///
    /// # Errors
    /// Every action the world refuses, each at its JSON path.
    pub fn apply(&mut self, script: &Script, until: Option<Instant>) -> Result<(), Problems> {
        self.apply_with(script, until, &mut |_| {})
    }

    /// [`Self::apply`], calling `progress` after each action (for a progress line on long runs).
    ///
    /// # Errors
    /// As [`Self::apply`].
    pub fn apply_with(
        &mut self,
        script: &Script,
        until: Option<Instant>,
        progress: &mut dyn FnMut(&Self),
    ) -> Result<(), Problems> {
        let mut problems = Problems::default();
        for (i, step) in script.actions.iter().enumerate() {
            let at = Instant::from_millis(step.at_ms);
            if until.is_some_and(|until| at > until) || self.is_capped() {
                break;
            }
            if let Err(err) = self.handle_action(at, &step.action) {
                if self.is_capped() {
                    break; // not the script's fault: the budget ran out first
                }
                problems.add(format!("actions[{i}].{}", err.field), err.message);
            }
            progress(self);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The world of `script` at `until`: its actions up to then applied and the clock run to `until`.
    /// The same script and moment always give the same world.
    ///
    /// # Errors
    /// As [`Self::from_script`], for the actions up to `until`.
    pub fn replay(script: &Script, until: Instant) -> Result<Self, Problems> {
        let mut world = Self::new(script)?;
        world.apply(script, Some(until))?;
        world.handle_timeout(until);
        Ok(world)
    }

    /// Runs `script` the way `kplay world` does: every action is checked first (a dry run of the whole
    /// script, whatever moment is asked for); then the world at `at` ([`Self::replay`]), or, without `at`,
    /// the script run until nothing is pending or [`RUN_AFTER_LAST_ACTION`] after its last action. At most
    /// `budget` steps ([`Self::with_step_budget`]); `progress` is called after each action and moment.
    ///
    /// # Errors
    /// Every problem of the script, each at its JSON path.
    pub fn run_script(
        script: &Script,
        at: Option<Instant>,
        budget: u64,
        progress: &mut dyn FnMut(&Self),
    ) -> Result<Self, Problems> {
        let start = || Self::new(script).map(|w| w.with_step_budget(budget));
        let mut world = start()?;
        world.apply_with(script, None, progress)?;
        match at {
            Some(at) if !world.is_capped() => {
                world = start()?;
                world.apply_with(script, Some(at), progress)?;
                world.handle_timeout(at);
            }
            Some(_) => {}
            None => {
                let limit = Instant::from_millis(script.last_at_ms()) + RUN_AFTER_LAST_ACTION;
                world.run_until_idle_with(limit, progress);
            }
        }
        Ok(world)
    }

    /// Lets the world process at most `steps` moments in all ([`WORLD_STEP_BUDGET`] by default): past it,
    /// the clock stops where it is and [`Self::is_capped`] says so. Every run is thereby bounded.
    #[must_use]
    pub fn with_step_budget(mut self, steps: u64) -> Self {
        self.step_budget = steps;
        self
    }

    /// Moments processed so far (each is one or more things happening at one instant).
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Whether the world stopped at its step budget.
    #[must_use]
    pub fn is_capped(&self) -> bool {
        self.steps >= self.step_budget
    }

    /// Runs until nothing is pending or `limit` has passed, whichever is first; returns where the clock
    /// stopped (the last moment something happened, or `limit`).
    pub fn run_until_idle(&mut self, limit: Instant) -> Instant {
        self.run_until_idle_with(limit, &mut |_| {})
    }

    /// [`Self::run_until_idle`], calling `progress` after each moment (for a progress line on long runs).
    pub fn run_until_idle_with(
        &mut self,
        limit: Instant,
        progress: &mut dyn FnMut(&Self),
    ) -> Instant {
        while let Some(at) = self.poll_timeout().filter(|_| !self.is_capped()) {
            if at > limit {
                self.handle_timeout(limit);
                return limit;
            }
            self.handle_timeout(at);
            progress(self);
        }
        self.now
    }

    /// Whether events are kept for [`Self::poll_event`] (the default). A timeline's checkpoints turn it
    /// off: they only need the state.
    pub fn keep_events(&mut self, keep: bool) {
        self.keep_events = keep;
        if !keep {
            self.events.clear();
        }
    }

    /// The clock.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Actions applied so far.
    #[must_use]
    pub fn actions_applied(&self) -> u32 {
        self.actions
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<WorldEvent> {
        self.events.pop_front()
    }

    fn emit(&mut self, kind: EventKind) {
        if self.keep_events {
            self.events.push_back(WorldEvent {
                at_ms: self.now.as_millis(),
                at: self.now,
                kind,
            });
        }
    }

    fn topic_index(&self, name: &str, field: &str) -> Result<usize, ActionError> {
        self.topics
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| ActionError::new(field, format!("unknown topic {name:?}")))
    }

    fn group_index(&self, name: &str) -> Result<usize, ActionError> {
        self.groups
            .iter()
            .position(|g| g.group.id() == name)
            .ok_or_else(|| {
                let message = if self.share_index(name).is_some() {
                    format!("{name:?} is a share group, which has no committed offsets to act on")
                } else {
                    format!("unknown group {name:?}")
                };
                ActionError::new("group", message)
            })
    }

    fn share_index(&self, name: &str) -> Option<usize> {
        self.share_groups.iter().position(|g| g.name == name)
    }

    fn member_index(&self, group: usize, name: &str) -> Result<usize, ActionError> {
        self.groups[group]
            .members
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| {
                ActionError::new(
                    "member",
                    format!(
                        "{name:?} is not a member of group {:?}",
                        self.groups[group].group.id()
                    ),
                )
            })
    }

    fn producer_index(&self, name: &str) -> Result<usize, ActionError> {
        self.producers
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| ActionError::new("producer", format!("unknown producer {name:?}")))
    }

    fn check_broker(&self, broker: u32) -> Result<(), ActionError> {
        if broker >= self.brokers {
            return Err(ActionError::new(
                "broker",
                format!(
                    "unknown broker {broker}; brokers are 0..={}",
                    self.brokers - 1
                ),
            ));
        }
        Ok(())
    }

    /// Applies `action` at `now`, after running everything due up to `now`.
    ///
    /// # Errors
    /// [`ActionError`] naming the field at fault; the world is then as it was, except for the clock.
    pub fn handle_action(&mut self, now: Instant, action: &Action) -> Result<(), ActionError> {
        if now < self.now {
            return Err(ActionError::new(
                "at_ms",
                format!(
                    "{} is earlier than the world's clock ({}); actions must be in time order",
                    now.as_millis(),
                    self.now.as_millis()
                ),
            ));
        }
        let mut problems = Problems::default();
        if now > Instant::from_millis(MAX_AT_MS) {
            problems.add(
                "at_ms",
                format!("{} is out of range (0..={MAX_AT_MS})", now.as_millis()),
            );
        }
        action.check(now.as_millis(), &mut problems, "");
        if let Some(first) = problems.0.into_iter().next() {
            return Err(ActionError::new(first.path, first.message));
        }
        if let Action::Produce { count, .. } = action {
            let queued: u64 = self.streams.iter().map(|s| s.count - s.next).sum();
            let total = (self.produced.len() as u64)
                .saturating_add(queued)
                .saturating_add(*count);
            if total > MAX_RECORDS {
                return Err(ActionError::new(
                    "count",
                    format!("the world would hold {total} records; at most {MAX_RECORDS}"),
                ));
            }
        }
        self.handle_timeout(now);
        if self.is_capped() {
            return Err(ActionError::new(
                "at_ms",
                format!(
                    "the world stopped at {} ms, after its budget of {} steps",
                    self.now.as_millis(),
                    self.step_budget
                ),
            ));
        }
        match action {
            Action::Produce {
                topic,
                key,
                value_bytes,
                tombstone,
                acks,
                count,
                interval_ms,
                producer,
            } => {
                let topic = self.topic_index(topic, "topic")?;
                let producer = match producer {
                    None => 0,
                    Some(name) => self.producer_index(name)?,
                };
                let acks = acks.map(Acks::from);
                self.check_transactional_send(producer, acks)?;
                let acks = acks.unwrap_or(self.producers[producer].sender.acks);
                self.streams.push(ProduceStream {
                    action: self.actions,
                    producer,
                    topic,
                    key: key.clone(),
                    value_bytes: (!tombstone).then_some(*value_bytes),
                    acks,
                    next: 0,
                    count: *count,
                    interval: Duration::from_millis(*interval_ms),
                    next_at: now,
                });
                self.run_streams();
                self.send_ready_batches();
            }
            Action::Join { .. } => {
                if !self.handle_join(action)? {
                    return Ok(());
                }
            }
            Action::Leave { group, member } | Action::Crash { group, member } => {
                let leaving = matches!(action, Action::Leave { .. });
                if !self.handle_leave(group, member, leaving)? {
                    return Ok(());
                }
            }
            Action::Commit {
                group,
                member,
                topic,
                partition,
                offset,
            } => {
                let g = self.group_index(group)?;
                let m = self.member_index(g, member)?;
                let t = self.topic_index(topic, "topic")?;
                if *partition >= self.topics[t].partition_count() {
                    return Err(ActionError::new(
                        "partition",
                        format!(
                            "{topic} has partitions 0..={}",
                            self.topics[t].partition_count() - 1
                        ),
                    ));
                }
                let tp = TopicPartition::new(topic.clone(), *partition);
                self.commit(g, m, &tp, *offset);
            }
            Action::ResetOffsets { group, topic, to } => {
                let t = self.topic_index(topic, "topic")?;
                let g = match self.group_index(group) {
                    Ok(g) => g,
                    Err(_) => self.create_group(group, GroupConfig::default())?,
                };
                self.reset_offsets(g, t, *to);
            }
            Action::DeleteGroup { group } => {
                let g = self.group_index(group)?;
                self.delete_group(g)?;
            }
            Action::KillBroker { broker }
            | Action::RestartBroker { broker }
            | Action::StallBroker { broker }
            | Action::UnstallBroker { broker } => self.broker_action(action, *broker)?,
            Action::AlterConfig { topic, config } => {
                let t = self.topic_index(topic, "topic")?;
                self.topics[t].alter_config(config);
            }
            Action::AddPartitions { topic, partitions } => {
                let t = self.topic_index(topic, "topic")?;
                let current = self.topics[t].partition_count();
                if *partitions <= current || !PARTITIONS.contains(partitions) {
                    return Err(ActionError::new(
                        "partitions",
                        format!(
                            "{partitions} must be more than {current} (Kafka cannot remove partitions) and at most {}",
                            PARTITIONS.end()
                        ),
                    ));
                }
                self.add_partitions(t, *partitions);
            }
            Action::BeginTransaction { producer }
            | Action::CommitTransaction { producer }
            | Action::AbortTransaction { producer } => {
                self.transaction_action(action, producer)?;
            }
        }
        self.actions += 1;
        self.drain();
        self.end_transactions();
        self.wake = true;
        self.wake_consumers();
        Ok(())
    }

    /// The next moment something is due, if anything is.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let streams = self.streams.iter().map(|s| s.next_at);
        let batches = self
            .producers
            .iter()
            .flat_map(|p| p.per_topic.iter().filter_map(Producer::poll_timeout));
        let clusters = self.topics.iter().filter_map(|t| t.cluster.poll_timeout());
        let groups = self.groups.iter().filter_map(|g| g.group.poll_timeout());
        let consumers = self
            .groups
            .iter()
            .flat_map(|g| g.members.iter().filter_map(MemberState::next_due))
            .chain(self.share_timeout());
        let has_data = self.topics.iter().any(TopicState::has_records);
        let retention = has_data.then_some(self.next_retention);
        let cleaning = (has_data && self.topics.iter().any(TopicState::compacts))
            .then_some(self.next_cleaning);
        streams
            .chain(batches)
            .chain(self.sender_timeout())
            .chain(self.next_fetch)
            .chain(clusters)
            .chain(groups)
            .chain(consumers)
            .chain(retention)
            .chain(cleaning)
            .chain(self.transaction_timeout())
            .chain(self.stage_timeout())
            .min()
    }

    /// Runs everything due up to `now`, in time order, and moves the clock to `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(at) = self.poll_timeout() {
            if at > now || self.is_capped() {
                break;
            }
            self.step(at);
        }
        // A capped world's clock stays at the last moment it processed.
        if !self.is_capped() {
            self.now = self.now.max(now);
        }
    }

    /// Everything due at exactly `at`, in a fixed order: producers, replication, the ISR, groups, log
    /// maintenance, consumers.
    fn step(&mut self, at: Instant) {
        self.steps += 1;
        self.now = self.now.max(at);
        self.run_sender_timers();
        self.run_streams();
        self.send_ready_batches();
        if self.next_fetch.is_some_and(|t| t <= at) {
            self.next_fetch = None;
            for t in 0..self.topics.len() {
                self.cluster_op(t, |cluster, now| cluster.replicate(now));
            }
        }
        for t in 0..self.topics.len() {
            if self.topics[t]
                .cluster
                .poll_timeout()
                .is_some_and(|d| d <= at)
            {
                self.cluster_op(t, |cluster, now| cluster.handle_timeout(now));
            }
        }
        for g in 0..self.groups.len() {
            if self.groups[g].group.poll_timeout().is_some_and(|d| d <= at) {
                let now = self.now;
                self.group_op(g, |state| state.group.handle_timeout(now));
            }
        }
        if self.next_retention <= at {
            self.next_retention = at + self.settings.retention_check;
            self.run_retention();
        }
        if self.next_cleaning <= at {
            self.next_cleaning = at + self.settings.cleaner_backoff;
            self.run_cleaner();
        }
        self.run_transaction_timers(at);
        self.run_stage_commits(at);
        self.drain();
        self.end_transactions();
        self.run_consumers(at);
        self.run_share_groups(at);
        self.wake_consumers();
    }

    /// Keeps running consumers that were idle and may now have something to do.
    fn wake_consumers(&mut self) {
        if !core::mem::take(&mut self.wake) {
            return;
        }
        let now = self.now;
        for group in &mut self.groups {
            for member in &mut group.members {
                member.wake(now);
            }
        }
        self.wake_share_members();
    }
}
