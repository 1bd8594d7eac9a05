//! # The group coordinator: membership, rebalances, generations and epochs
//!
//! A consumer group changes shape when a member joins, leaves (`LeaveGroup`), or stops heartbeating for
//! the session timeout (it crashed or hung), and when a subscribed topic gains partitions. A crashed member
//! still counts as a member until its session expires. A **static member** (`group.instance.id`) sends no
//! `LeaveGroup` when it stops, and if it comes back before its session expires it gets its old assignment
//! under a new member id with no rebalance at all. How the group then moves partitions depends on its
//! `group.protocol`:
//!
//! - **classic** (`coordinator/classic.rs`): each change starts a **rebalance** round: the members rejoin, the leader
//!   runs the client-side assignor, and the group moves to a new **generation**. With an EAGER assignor
//!   (range, roundrobin, sticky) every member revokes *all* its partitions as the round starts, so the
//!   whole group stops for the whole round; with a COOPERATIVE one (cooperative-sticky, KIP-429) members
//!   keep what they own, a round revokes only what must move, and a follow-up round hands it out.
//! - **consumer** (KIP-848, `coordinator/consumer.rs`): no group-wide round. The group epoch is bumped, the broker's
//!   assignor computes a target assignment, and each member reconciles towards it on its own heartbeat,
//!   revoking what it must give up; a partition goes to its new owner only after the old owner has
//!   released it.
//!
//! Both protocols report their progress as [`RebalanceRound`]s: from the change that started it to the
//! moment every member holds its new assignment, with how long each partition went without an owner.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::assignor::{self, AssignError, ServerAssignor, Strategy, TopicPartition};
use super::offsets::CommittedOffsets;
use crate::time::{Duration, Instant};

mod classic;
mod consumer;

pub use consumer::Reconciliation;

/// A group's state, as `kafka-consumer-groups.sh --describe --state` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupState {
    /// No members.
    Empty,
    /// Classic: a rebalance round is under way.
    PreparingRebalance,
    /// Consumer protocol: the group epoch is ahead of the target assignment's.
    Assigning,
    /// Consumer protocol: some member has not yet reached the target assignment.
    Reconciling,
    /// Every member holds its assignment.
    Stable,
}

impl GroupState {
    /// Kafka's name for the state.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::PreparingRebalance => "PreparingRebalance",
            Self::Assigning => "Assigning",
            Self::Reconciling => "Reconciling",
            Self::Stable => "Stable",
        }
    }
}

impl fmt::Display for GroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `group.protocol`: how the group rebalances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupProtocol {
    /// `classic`: JoinGroup / SyncGroup rounds and the client-side assignor of [`GroupConfig::strategy`].
    Classic,
    /// `consumer` (KIP-848, GA in Kafka 4.0): the broker's assignor (`group.remote.assignor`), reconciled
    /// member by member on heartbeats.
    Consumer(ServerAssignor),
}

impl GroupProtocol {
    /// The protocol's `group.protocol` name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Classic => "classic",
            Self::Consumer(_) => "consumer",
        }
    }
}

/// How a group's members behave, with Kafka's defaults ([`Self::default`] for the classic protocol,
/// [`Self::consumer`] for KIP-848's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupConfig {
    /// `group.protocol` (classic by default in Kafka 4.0's clients).
    pub protocol: GroupProtocol,
    /// `partition.assignment.strategy` of the classic protocol (one assignor; its protocol decides eager or
    /// cooperative).
    pub strategy: Strategy,
    /// `session.timeout.ms` (45 s): silence after which a member is declared dead.
    pub session_timeout: Duration,
    /// `heartbeat.interval.ms` (3 s): how soon members hear of a rebalance.
    pub heartbeat_interval: Duration,
    /// `group.initial.rebalance.delay.ms` (3 s): the first rebalance of an empty group waits this long,
    /// and again each time a new member joined during the wait, up to the rebalance timeout.
    pub initial_rebalance_delay: Duration,
    /// The members' rebalance timeout, which the classic protocol takes from `max.poll.interval.ms`
    /// (300 s): the longest the initial delay can be extended.
    pub rebalance_timeout: Duration,
}

impl Default for GroupConfig {
    fn default() -> Self {
        Self {
            protocol: GroupProtocol::Classic,
            strategy: Strategy::Range,
            session_timeout: Duration::from_millis(45_000),
            heartbeat_interval: Duration::from_millis(3_000),
            initial_rebalance_delay: Duration::from_millis(3_000),
            rebalance_timeout: Duration::from_millis(300_000),
        }
    }
}

impl GroupConfig {
    /// A consumer-protocol group with the broker's defaults: `group.consumer.session.timeout.ms` 45 s,
    /// `group.consumer.heartbeat.interval.ms` 5 s, and no initial rebalance delay (KIP-848 has none).
    #[must_use]
    pub fn consumer(assignor: ServerAssignor) -> Self {
        Self {
            protocol: GroupProtocol::Consumer(assignor),
            heartbeat_interval: Duration::from_millis(5_000),
            initial_rebalance_delay: Duration::ZERO,
            ..Self::default()
        }
    }

    /// The assignor's name: the client strategy (classic) or the broker's assignor (consumer).
    #[must_use]
    pub const fn assignor_name(&self) -> &'static str {
        match self.protocol {
            GroupProtocol::Classic => self.strategy.name(),
            GroupProtocol::Consumer(assignor) => assignor.name(),
        }
    }
}

/// A member of the group as the coordinator tracks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    /// `member.id`, given by the coordinator at join.
    pub id: String,
    /// `group.instance.id` for a static member.
    pub instance_id: Option<String>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Partitions it owns and consumes now.
    pub assigned: Vec<TopicPartition>,
    /// The generation its assignment belongs to (classic), or its member epoch (consumer protocol).
    pub generation: i32,
    /// What it owned before an eager rebalance revoked everything (the sticky assignor's user data).
    previously_owned: Vec<TopicPartition>,
    /// When the coordinator last heard from it; `None` while it is alive and heartbeating.
    silent_since: Option<Instant>,
    /// Consumer protocol: its share of the target assignment.
    pub target: Vec<TopicPartition>,
    /// Consumer protocol: where its reconciliation stands.
    pub reconciliation: Reconciliation,
    /// Consumer protocol: its latest heartbeat (the next comes one heartbeat interval later).
    last_heartbeat: Instant,
    /// Its `max.poll.interval.ms`, which the classic protocol sends as the JoinGroup's rebalance timeout.
    rebalance_timeout: Duration,
    /// When its application calls `poll()` next, while it processes what the last poll returned
    /// (`None`: it is polling, or reads nothing). The classic protocol rejoins only from `poll()`.
    next_poll: Option<Instant>,
}

impl GroupMember {
    /// Whether the member is heartbeating (not crashed, not stopped).
    #[must_use]
    pub fn is_alive(&self) -> bool {
        self.silent_since.is_none()
    }

    /// The member as an assignor sees it, owning `owned` in `generation`.
    fn to_assignor_member(&self, owned: &[TopicPartition], generation: i32) -> assignor::Member {
        assignor::Member {
            id: self.id.clone(),
            instance_id: self.instance_id.clone(),
            topics: self.topics.clone(),
            owned: owned.to_vec(),
            generation,
        }
    }
}

/// Why a rebalance started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A new member joined.
    Joined(String),
    /// A member sent `LeaveGroup`.
    Left(String),
    /// A member's session expired.
    SessionExpired(String),
    /// A subscribed topic gained partitions.
    PartitionsAdded(String),
    /// The cooperative follow-up round that hands out revoked partitions.
    FollowUp,
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Joined(m) => write!(f, "{m} joined"),
            Self::Left(m) => write!(f, "{m} left"),
            Self::SessionExpired(m) => write!(f, "{m}'s session expired"),
            Self::PartitionsAdded(t) => write!(f, "partitions added to {t}"),
            Self::FollowUp => f.write_str("follow-up round for revoked partitions"),
        }
    }
}

/// What one member saw in a completed round.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberChange {
    /// The member.
    pub member: String,
    /// Partitions it gave up (for EAGER: everything it had, at the start of the round).
    pub revoked: Vec<TopicPartition>,
    /// Partitions it gained.
    pub assigned: Vec<TopicPartition>,
    /// What it owns after the round.
    pub owned: Vec<TopicPartition>,
}

/// A completed rebalance round, as the rebalance log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebalanceRound {
    /// The generation the round created.
    pub generation: i32,
    /// What started it.
    pub trigger: Trigger,
    /// When it started.
    pub started: Instant,
    /// When members received their assignments.
    pub completed: Instant,
    /// Each member's revocations and gains, in join order.
    pub changes: Vec<MemberChange>,
    /// Partitions that went unconsumed and how long, for those that got an owner again in this round.
    pub paused: Vec<(TopicPartition, Duration)>,
    /// Whether another round follows to hand out partitions revoked in this one (cooperative only).
    pub follow_up: bool,
    /// Whether the group uses the consumer protocol, where `generation` is the group epoch.
    pub consumer_protocol: bool,
}

/// The group refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupError {
    /// No member has this id.
    UnknownMember(String),
    /// The subscription or topic metadata is not one the assignor accepts.
    Assign(AssignError),
    /// A commit came from a member not in the current generation (`ILLEGAL_GENERATION`).
    IllegalCommit {
        /// The member.
        member: String,
        /// The partition.
        partition: TopicPartition,
    },
    /// Offsets are reset and groups deleted only when the group is Empty (`GROUP_NOT_EMPTY`).
    GroupNotEmpty,
}

impl fmt::Display for GroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownMember(m) => write!(f, "unknown member {m:?}"),
            Self::Assign(err) => write!(f, "{err}"),
            Self::IllegalCommit { member, partition } => {
                write!(
                    f,
                    "ILLEGAL_GENERATION: {member} cannot commit {partition}: it is not in the group's current generation"
                )
            }
            Self::GroupNotEmpty => f.write_str(
                "GROUP_NOT_EMPTY: the group has members (a crashed one until its session expires)",
            ),
        }
    }
}

impl core::error::Error for GroupError {}

impl From<AssignError> for GroupError {
    fn from(err: AssignError) -> Self {
        Self::Assign(err)
    }
}

/// A consumer group and its coordinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroup {
    id: String,
    config: GroupConfig,
    topics: BTreeMap<String, u32>,
    members: Vec<GroupMember>,
    /// The generation (classic) or the group epoch (consumer protocol).
    generation: i32,
    /// Classic: the round under way.
    pending: Option<classic::Pending>,
    /// Consumer protocol: the epoch of the target assignment (behind `generation` while Assigning).
    assignment_epoch: i32,
    /// Consumer protocol: the reconciliation under way, reported as a round when the group is Stable.
    reconciling: Option<consumer::Reconciling>,
    rounds: Vec<RebalanceRound>,
    /// Since when each partition that had a consumer has had none.
    unconsumed_since: BTreeMap<TopicPartition, Instant>,
    joins: u64,
    offsets: CommittedOffsets,
}

impl ConsumerGroup {
    /// An empty group `id` over `topics` (name → partition count).
    #[must_use]
    pub fn new(id: impl Into<String>, config: GroupConfig, topics: BTreeMap<String, u32>) -> Self {
        Self {
            id: id.into(),
            config,
            topics,
            members: Vec::new(),
            generation: 0,
            pending: None,
            assignment_epoch: 0,
            reconciling: None,
            rounds: Vec::new(),
            unconsumed_since: BTreeMap::new(),
            joins: 0,
            offsets: CommittedOffsets::default(),
        }
    }

    /// The `group.id`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The members' configuration.
    #[must_use]
    pub fn config(&self) -> &GroupConfig {
        &self.config
    }

    /// The current generation (0 before the first rebalance).
    #[must_use]
    pub fn generation(&self) -> i32 {
        self.generation
    }

    /// Members in join order.
    #[must_use]
    pub fn members(&self) -> &[GroupMember] {
        &self.members
    }

    /// The member with `id`.
    #[must_use]
    pub fn member(&self, id: &str) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.id == id)
    }

    /// Completed rounds, oldest first.
    #[must_use]
    pub fn rounds(&self) -> &[RebalanceRound] {
        &self.rounds
    }

    /// The group's state.
    #[must_use]
    pub fn state(&self) -> GroupState {
        if self.members.is_empty() {
            GroupState::Empty
        } else if self.config.protocol == GroupProtocol::Classic {
            if self.pending.is_some() {
                GroupState::PreparingRebalance
            } else {
                GroupState::Stable
            }
        } else if self.generation > self.assignment_epoch {
            GroupState::Assigning
        } else if self.members.iter().any(|m| !self.is_reconciled(m)) {
            GroupState::Reconciling
        } else {
            GroupState::Stable
        }
    }

    /// Whether a rebalance is under way (classic: a round; consumer protocol: a reconciliation).
    #[must_use]
    pub fn is_rebalancing(&self) -> bool {
        self.pending.is_some() || self.reconciling.is_some()
    }

    /// When the rebalance under way started, if one is.
    #[must_use]
    pub fn rebalance_started(&self) -> Option<Instant> {
        self.pending
            .as_ref()
            .map(|p| p.started)
            .or(self.reconciling.as_ref().map(|r| r.started))
    }

    /// When `member`'s session expires, if it has stopped heartbeating (`session.timeout.ms` after it
    /// went silent).
    #[must_use]
    pub fn session_expiry(&self, member: &GroupMember) -> Option<Instant> {
        member.silent_since.map(|s| s + self.config.session_timeout)
    }

    /// What started the rebalance under way, if one is.
    #[must_use]
    pub fn rebalance_trigger(&self) -> Option<&Trigger> {
        self.pending
            .as_ref()
            .map(|p| &p.trigger)
            .or(self.reconciling.as_ref().map(|r| &r.trigger))
    }

    /// Changes the group's protocol and assignor. Members must agree on them, so Kafka lets the group
    /// switch only while it is empty (otherwise a join fails with `INCONSISTENT_GROUP_PROTOCOL`).
    ///
    /// # Errors
    /// [`GroupError::GroupNotEmpty`] while the group has members.
    pub fn set_config(&mut self, config: GroupConfig) -> Result<(), GroupError> {
        if !self.members.is_empty() {
            return Err(GroupError::GroupNotEmpty);
        }
        self.config = config;
        // A round left without members has nothing to hand out; the generation count carries on.
        self.pending = None;
        self.reconciling = None;
        self.assignment_epoch = self.generation;
        Ok(())
    }

    /// The group's committed offsets.
    #[must_use]
    pub fn offsets(&self) -> &CommittedOffsets {
        &self.offsets
    }

    /// The live member consuming `tp`, if any.
    #[must_use]
    pub fn consumer_of(&self, tp: &TopicPartition) -> Option<&GroupMember> {
        self.members
            .iter()
            .find(|m| m.is_alive() && m.assigned.contains(tp))
    }

    /// A member joins subscribing to `topics`; returns its new member id (`{client_id}-{n}`). A static
    /// member whose instance id is still in the group takes its place without a rebalance.
    ///
    /// # Errors
    /// [`GroupError::Assign`] if a topic does not exist.
    pub fn join(
        &mut self,
        now: Instant,
        client_id: &str,
        instance_id: Option<&str>,
        topics: &[&str],
    ) -> Result<String, GroupError> {
        if let Some((index, topic)) = topics
            .iter()
            .enumerate()
            .find(|(_, t)| !self.topics.contains_key(**t))
        {
            return Err(AssignError::UnknownTopic {
                member: self.members.len(),
                index,
                topic: (*topic).into(),
            }
            .into());
        }
        self.joins += 1;
        let id = format!("{client_id}-{}", self.joins);
        let topics: Vec<String> = topics.iter().map(|t| (*t).into()).collect();

        if let Some(index) = instance_id.and_then(|i| {
            self.members
                .iter()
                .position(|m| m.instance_id.as_deref() == Some(i))
        }) {
            let existing = &mut self.members[index];
            // Static membership: same instance, new member id, old assignment, no rebalance — unless the
            // subscription changed, which needs one.
            let resubscribed = existing.topics != topics;
            existing.id = id.clone();
            existing.topics = topics;
            existing.silent_since = None;
            existing.last_heartbeat = now;
            existing.next_poll = None;
            // Consumption resumes where it stopped; the pause ends without a round.
            for tp in &existing.assigned {
                self.unconsumed_since.remove(tp);
            }
            if resubscribed {
                self.membership_changed(now, Trigger::Joined(id.clone()))?;
            }
            if let GroupProtocol::Consumer(_) = self.config.protocol {
                // Its joining heartbeat catches up with whatever epoch the group reached meanwhile.
                self.heartbeat(index, now)?;
            }
            return Ok(id);
        }

        let first = self.members.is_empty();
        self.members.push(GroupMember {
            id: id.clone(),
            instance_id: instance_id.map(Into::into),
            topics,
            assigned: Vec::new(),
            generation: assignor::DEFAULT_GENERATION,
            previously_owned: Vec::new(),
            silent_since: None,
            target: Vec::new(),
            reconciliation: Reconciliation::Stable,
            last_heartbeat: now,
            rebalance_timeout: self.config.rebalance_timeout,
            next_poll: None,
        });
        if let GroupProtocol::Consumer(_) = self.config.protocol {
            // The joining heartbeat (member epoch 0) bumps the group epoch and reconciles at once.
            self.bump_epoch(now, Trigger::Joined(id.clone()));
            self.heartbeat(self.members.len() - 1, now)?;
            return Ok(id);
        }
        self.start_rebalance(now, Trigger::Joined(id.clone()));
        let delay = self.config.initial_rebalance_delay;
        let timeout = self.rebalance_timeout();
        if let Some(pending) = &mut self.pending {
            if first {
                pending.earliest_completion = pending.started + delay;
                pending.initial = Some(classic::InitialDelay {
                    delay,
                    remaining: timeout.saturating_sub(delay),
                    new_member_added: false,
                });
            } else if let Some(initial) = &mut pending.initial {
                initial.new_member_added = true;
            }
        }
        Ok(id)
    }

    /// A member shuts down. A dynamic member sends `LeaveGroup` and a rebalance starts at once; a static
    /// member just goes silent, like a crash, and is removed only when its session expires.
    ///
    /// # Errors
    /// [`GroupError::UnknownMember`].
    pub fn leave(&mut self, now: Instant, member: &str) -> Result<(), GroupError> {
        let index = self.index_of(member)?;
        if self.members[index].instance_id.is_some() {
            return self.crash(now, member);
        }
        let gone = self.members.remove(index);
        self.mark_unconsumed(now, &gone.assigned);
        self.membership_changed(now, Trigger::Left(gone.id))
    }

    /// Starts what the protocol does on a change of membership or metadata: a classic round, or a new
    /// group epoch.
    fn membership_changed(&mut self, now: Instant, trigger: Trigger) -> Result<(), GroupError> {
        match self.config.protocol {
            GroupProtocol::Classic => self.start_rebalance(now, trigger),
            GroupProtocol::Consumer(_) => {
                self.bump_epoch(now, trigger);
                // A group left empty has nothing to reconcile.
                self.maybe_complete(now);
            }
        }
        Ok(())
    }

    /// A member stops heartbeating without a word (a crash, a long GC pause, a network partition). Its
    /// partitions go unconsumed until its session expires and a rebalance moves them.
    ///
    /// # Errors
    /// [`GroupError::UnknownMember`].
    pub fn crash(&mut self, now: Instant, member: &str) -> Result<(), GroupError> {
        let index = self.index_of(member)?;
        if self.members[index].silent_since.is_none() {
            self.members[index].silent_since = Some(now);
            let assigned = self.members[index].assigned.clone();
            self.mark_unconsumed(now, &assigned);
        }
        Ok(())
    }

    /// Grows `topic` to `partitions`; members see the new metadata and rebalance.
    ///
    /// # Errors
    /// [`GroupError::Assign`] for an unknown topic or a count that does not grow it.
    pub fn add_partitions(
        &mut self,
        now: Instant,
        topic: &str,
        partitions: u32,
    ) -> Result<(), GroupError> {
        let Some(current) = self.topics.get_mut(topic) else {
            return Err(AssignError::UnknownTopic {
                member: 0,
                index: 0,
                topic: topic.into(),
            }
            .into());
        };
        if partitions <= *current || partitions > assignor::MAX_PARTITIONS_PER_TOPIC {
            return Err(AssignError::PartitionCount {
                topic: topic.into(),
                partitions: partitions.into(),
            }
            .into());
        }
        *current = partitions;
        if self
            .members
            .iter()
            .any(|m| m.topics.iter().any(|t| t == topic))
        {
            self.membership_changed(now, Trigger::PartitionsAdded(topic.into()))?;
        }
        Ok(())
    }

    /// Sets `member`'s rebalance timeout: its `max.poll.interval.ms`, which a classic JoinGroup carries.
    /// The group's is the longest of its members' (`ClassicGroup.rebalanceTimeoutMs`).
    ///
    /// # Errors
    /// [`GroupError::UnknownMember`].
    pub fn set_rebalance_timeout(
        &mut self,
        member: &str,
        timeout: Duration,
    ) -> Result<(), GroupError> {
        let index = self.index_of(member)?;
        self.members[index].rebalance_timeout = timeout;
        Ok(())
    }

    /// The group's rebalance timeout: the longest of its members' (the configured one while it is empty).
    #[must_use]
    pub fn rebalance_timeout(&self) -> Duration {
        self.members
            .iter()
            .map(|m| m.rebalance_timeout)
            .max()
            .unwrap_or(self.config.rebalance_timeout)
    }

    /// Whether `member`'s next `poll()` at `now` rejoins a classic round it has heard of (and so commits
    /// first, `onJoinPrepare`).
    #[must_use]
    pub fn awaits_rejoin(&self, member: &str, now: Instant) -> bool {
        self.heard_of_round(now)
            && self
                .pending
                .as_ref()
                .is_some_and(|p| !p.rejoined.iter().any(|id| id == member))
    }

    /// Whether a classic round is under way and members have heard of it by `now` (on their heartbeat,
    /// one heartbeat interval after it started).
    fn heard_of_round(&self, now: Instant) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|p| now >= p.started + self.config.heartbeat_interval)
    }

    /// `member`'s application called `poll()` at `now` and will call it again at `next_poll` (`None`
    /// while it has nothing to process). Under the classic protocol a member rejoins a round only from
    /// `poll()`: one that heard of the round (a heartbeat interval after it started) rejoins with this
    /// call, and one still busy with its last batch holds the round until it polls or the rebalance
    /// timeout runs out.
    ///
    /// # Errors
    /// [`GroupError::UnknownMember`].
    pub fn handle_poll(
        &mut self,
        now: Instant,
        member: &str,
        next_poll: Option<Instant>,
    ) -> Result<(), GroupError> {
        let index = self.index_of(member)?;
        let heard = self.heard_of_round(now);
        let member = &mut self.members[index];
        if heard && let Some(pending) = &mut self.pending {
            if !pending.rejoined.contains(&member.id) {
                pending.rejoined.push(member.id.clone());
                // The round it held completes now at the earliest.
                pending.earliest_completion = pending.earliest_completion.max(now);
            }
            // Its poll() waits in the round rather than taking a batch.
            member.next_poll = None;
        } else {
            member.next_poll = next_poll;
        }
        Ok(())
    }

    /// Commits `offset` (the next offset to read) for `tp` on behalf of `member`. As in Kafka's classic
    /// protocol (`ClassicGroup.validateOffsetCommit`), the member and its generation are checked, not
    /// which partitions it owns: a commit from a member of the current generation is accepted even
    /// while an eager rebalance is preparing (the consumer commits in `onPartitionsRevoked`), and a
    /// member that has not yet received the current generation is refused (`ILLEGAL_GENERATION`).
    ///
    /// # Errors
    /// [`GroupError::UnknownMember`] or [`GroupError::IllegalCommit`].
    pub fn commit(
        &mut self,
        member: &str,
        tp: &TopicPartition,
        offset: u64,
    ) -> Result<(), GroupError> {
        let m = &self.members[self.index_of(member)?];
        // The consumer protocol checks the member epoch the client sends, which is always its own.
        let stale =
            self.config.protocol == GroupProtocol::Classic && m.generation != self.generation;
        if !m.is_alive() || stale {
            return Err(GroupError::IllegalCommit {
                member: member.into(),
                partition: tp.clone(),
            });
        }
        self.offsets.commit(tp.clone(), offset);
        Ok(())
    }

    /// Commits `offset` for `tp` as a committed transaction's offsets are (`TxnOffsetCommit`, checked
    /// when the transaction took it; applied when its `COMMIT` marker is written).
    pub fn commit_transactional(&mut self, tp: TopicPartition, offset: u64) {
        self.offsets.commit(tp, offset);
    }

    /// Mutable access to committed offsets for an explicit reset (`kafka-consumer-groups.sh
    /// --reset-offsets`), which Kafka allows only while the group is Empty ("Assignments can only be
    /// reset if the group is inactive"): a crashed member is still in the group until its session
    /// expires.
    ///
    /// # Errors
    /// [`GroupError::GroupNotEmpty`] while any member is in the group.
    pub fn offsets_for_reset(&mut self) -> Result<&mut CommittedOffsets, GroupError> {
        if !self.members.is_empty() {
            return Err(GroupError::GroupNotEmpty);
        }
        Ok(&mut self.offsets)
    }

    /// The next instant at which [`Self::handle_timeout`] has something to do.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let expiries = self
            .members
            .iter()
            .filter_map(|m| m.silent_since)
            .map(|s| s + self.config.session_timeout);
        let completion = self.pending.as_ref().map(|p| self.completion_time(p));
        let heartbeat = self.next_heartbeat().map(|(at, _)| at);
        expiries.chain(completion).chain(heartbeat).min()
    }

    /// Advances the group to `now`: expires silent members' sessions and completes due rebalance rounds.
    ///
    /// # Errors
    /// [`GroupError::Assign`] if the assignor rejects the group (it cannot once members joined validly).
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), GroupError> {
        loop {
            let expiry = self
                .members
                .iter()
                .enumerate()
                .filter_map(|(i, m)| m.silent_since.map(|s| (s + self.config.session_timeout, i)))
                .min();
            let heartbeat = self.next_heartbeat();
            // In time order; a session that expires at the moment of a heartbeat goes first.
            match (expiry, heartbeat) {
                (Some((at, index)), _) if at <= now && heartbeat.is_none_or(|(h, _)| at <= h) => {
                    let gone = self.members.remove(index);
                    self.membership_changed(at, Trigger::SessionExpired(gone.id))?;
                    continue;
                }
                (_, Some((at, index))) if at <= now => {
                    self.heartbeat(index, at)?;
                    continue;
                }
                _ => {}
            }
            match &self.pending {
                Some(pending) if self.completion_time(pending) <= now => {
                    let at = self.completion_time(pending);
                    if !self.extend_initial_delay() {
                        self.complete_round(at)?;
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn index_of(&self, member: &str) -> Result<usize, GroupError> {
        self.members
            .iter()
            .position(|m| m.id == member)
            .ok_or_else(|| GroupError::UnknownMember(member.into()))
    }

    fn mark_unconsumed(&mut self, now: Instant, partitions: &[TopicPartition]) {
        for tp in partitions {
            self.unconsumed_since.entry(tp.clone()).or_insert(now);
        }
    }
}

impl RebalanceRound {
    /// Each member's pause in this round: the longest wait among the partitions it was handed that had
    /// gone without an owner, by member id, in the order of those partitions.
    #[must_use]
    pub fn pauses(&self) -> Vec<(&str, Duration)> {
        let owners: BTreeMap<&TopicPartition, &str> = self
            .changes
            .iter()
            .flat_map(|c| c.owned.iter().map(move |tp| (tp, c.member.as_str())))
            .collect();
        let mut pauses: Vec<(&str, Duration)> = Vec::new();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (tp, waited) in &self.paused {
            let Some(&member) = owners.get(tp) else {
                continue;
            };
            match index.get(member) {
                Some(&i) => pauses[i].1 = pauses[i].1.max(*waited),
                None => {
                    index.insert(member, pauses.len());
                    pauses.push((member, *waited));
                }
            }
        }
        pauses
    }
}

impl fmt::Display for RebalanceRound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let epoch = if self.consumer_protocol {
            "group epoch"
        } else {
            "generation"
        };
        write!(
            f,
            "{epoch} {} ({}), {} → {}",
            self.generation, self.trigger, self.started, self.completed
        )?;
        for change in &self.changes {
            let list = |tps: &[TopicPartition]| {
                tps.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            write!(
                f,
                "; {}: -[{}] +[{}]",
                change.member,
                list(&change.revoked),
                list(&change.assigned)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(super) fn group(strategy: Strategy, partitions: u32) -> ConsumerGroup {
        let config = GroupConfig {
            strategy,
            ..GroupConfig::default()
        };
        ConsumerGroup::new("g", config, [("orders".to_string(), partitions)].into())
    }

    pub(super) fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    pub(super) fn owned(group: &ConsumerGroup, member: &str) -> Vec<u32> {
        group
            .member(member)
            .map(|m| m.assigned.iter().map(|tp| tp.partition).collect())
            .unwrap_or_default()
    }

    pub(super) fn settle(group: &mut ConsumerGroup) {
        while let Some(t) = group.poll_timeout() {
            group.handle_timeout(t).expect("valid group");
        }
    }

    #[test]
    fn a_crash_is_noticed_after_the_session_timeout() {
        let mut g = group(Strategy::Range, 2);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        let b = g.join(at(0), "c", None, &["orders"]).expect("join");
        settle(&mut g);
        assert_eq!((owned(&g, &a), owned(&g, &b)), (vec![0], vec![1]));
        g.crash(at(10_000), &b).expect("member");
        assert!(g.consumer_of(&TopicPartition::new("orders", 1)).is_none());
        assert_eq!(g.poll_timeout(), Some(at(55_000)));
        settle(&mut g);
        let last = g.rounds().last().expect("a round");
        assert_eq!(last.trigger, Trigger::SessionExpired(b));
        assert_eq!(owned(&g, &a), vec![0, 1]);
        let partition1 = last
            .paused
            .iter()
            .find(|(tp, _)| tp.partition == 1)
            .expect("partition 1 paused");
        assert_eq!(
            partition1.1,
            Duration::from_millis(48_000),
            "45 s session + 3 s round"
        );
    }

    #[test]
    fn a_silent_member_holds_up_a_rebalance_until_its_session_expires() {
        let mut g = group(Strategy::Range, 2);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        let b = g.join(at(0), "c", None, &["orders"]).expect("join");
        settle(&mut g);
        g.crash(at(10_000), &b).expect("member");
        let c = g.join(at(11_000), "c", None, &["orders"]).expect("join");
        assert_eq!(
            g.poll_timeout(),
            Some(at(55_000)),
            "the round cannot finish before b is declared dead"
        );
        settle(&mut g);
        assert_eq!(owned(&g, &a).len() + owned(&g, &c).len(), 2);
        assert!(g.member(&b).is_none());
    }

    #[test]
    fn a_static_member_restarting_quickly_causes_no_rebalance() {
        let mut g = group(Strategy::Range, 4);
        let a = g
            .join(at(0), "c", Some("host-a"), &["orders"])
            .expect("join");
        let _b = g
            .join(at(0), "c", Some("host-b"), &["orders"])
            .expect("join");
        settle(&mut g);
        let (rounds, before) = (g.rounds().len(), owned(&g, &a));
        g.leave(at(1_000), &a).expect("member");
        assert!(
            g.member(&a).is_some(),
            "a static member sends no LeaveGroup"
        );
        let a2 = g
            .join(at(20_000), "c", Some("host-a"), &["orders"])
            .expect("rejoin");
        settle(&mut g);
        assert_eq!(g.rounds().len(), rounds, "no rebalance");
        assert_eq!(owned(&g, &a2), before, "same partitions, new member id");
        assert_ne!(a, a2);
    }

    /// `OffsetMetadataManagerTest.testGenericGroupOffsetCommitWithIllegalGeneration` and
    /// `...WithRetentionTime`: the generation decides, not ownership.
    #[test]
    fn commits_are_checked_by_member_and_generation_not_ownership() {
        let mut g = group(Strategy::Range, 2);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        settle(&mut g);
        let (p0, p1) = (
            TopicPartition::new("orders", 0),
            TopicPartition::new("orders", 1),
        );
        g.commit(&a, &p0, 5)
            .expect("a member of generation 1 commits");
        assert_eq!(g.offsets().get(&p0), Some(5));
        let b = g.join(at(5_000), "c", None, &["orders"]).expect("join");
        // The eager round is preparing: a has revoked everything but is still of generation 1, so its
        // commit from onPartitionsRevoked is accepted; b has no generation yet.
        assert!(owned(&g, &a).is_empty());
        g.commit(&a, &p0, 6).expect("commit while revoking");
        assert!(matches!(
            g.commit(&b, &p0, 7),
            Err(GroupError::IllegalCommit { .. })
        ));
        settle(&mut g);
        assert_eq!(owned(&g, &b), [1]);
        g.commit(&b, &p0, 7)
            .expect("generation 2: accepted, though b owns partition 1");
        g.commit(&a, &p1, 3)
            .expect("and a, though it owns partition 0");
        assert_eq!(
            (g.offsets().get(&p0), g.offsets().get(&p1)),
            (Some(7), Some(3))
        );
        assert!(matches!(
            g.commit("nobody", &p0, 1),
            Err(GroupError::UnknownMember(_))
        ));
        assert!(g.offsets_for_reset().is_err(), "members are active");
        g.leave(at(20_000), &a).expect("member");
        g.leave(at(20_000), &b).expect("member");
        assert!(g.offsets_for_reset().is_ok());
    }

    #[test]
    fn offsets_reset_only_once_a_crashed_member_is_gone() {
        let mut g = group(Strategy::Range, 2);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        settle(&mut g);
        g.crash(at(10_000), &a).expect("member");
        g.handle_timeout(at(54_999)).expect("ok");
        assert!(
            matches!(g.offsets_for_reset(), Err(GroupError::GroupNotEmpty)),
            "the group is not Empty while the crashed member's session runs"
        );
        g.handle_timeout(at(55_000)).expect("ok");
        assert!(g.offsets_for_reset().is_ok());
    }

    #[test]
    fn adding_partitions_rebalances_subscribers() {
        let mut g = group(Strategy::RoundRobin, 2);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        settle(&mut g);
        g.add_partitions(at(10_000), "orders", 4).expect("grow");
        settle(&mut g);
        assert_eq!(owned(&g, &a), vec![0, 1, 2, 3]);
        assert_eq!(
            g.rounds().last().map(|r| r.trigger.clone()),
            Some(Trigger::PartitionsAdded("orders".into()))
        );
        assert!(
            g.add_partitions(at(11_000), "orders", 3).is_err(),
            "partitions never shrink"
        );
    }
}
