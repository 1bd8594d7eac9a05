//! Consumer groups in the world: joins, leaves, commits, offset resets, and what each coordinator
//! operation changed, reported as events (who was revoked or assigned what, rebalances started and
//! completed, sessions expired).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::num::NonZeroU32;

use super::consumer::{MemberState, Reading};
use super::script::{ResetName, ResetSpec};
use super::{ActionError, EventKind, GroupState, World};
use crate::config::{MAX_GROUPS, MAX_MEMBERS};
use crate::group::assignor::TopicPartition;
use crate::group::coordinator::{ConsumerGroup, GroupConfig, GroupError, GroupProtocol, Trigger};
use crate::group::offsets::{OffsetResetPolicy, ResetTo};
use crate::time::{Duration, Instant};

/// A `join` action, checked.
pub(super) struct Join<'a> {
    pub(super) group: &'a str,
    pub(super) member: &'a str,
    pub(super) topics: &'a [String],
    pub(super) config: GroupConfig,
    pub(super) instance: Option<&'a str>,
    /// Time to process one record (`None`: it reads nothing by itself).
    pub(super) interval: Option<Duration>,
    pub(super) reset: Option<&'a str>,
    /// How it reads and commits; its `auto.offset.reset` comes from `reset`.
    pub(super) reading: Reading,
}

impl World {
    pub(super) fn join(&mut self, join: &Join<'_>) -> Result<(), ActionError> {
        let Join {
            group,
            member,
            topics,
            config,
            instance,
            interval,
            reset,
            mut reading,
        } = *join;
        if topics.is_empty() {
            return Err(ActionError::new(
                "topics",
                "subscribe to at least one topic",
            ));
        }
        for (i, topic) in topics.iter().enumerate() {
            self.topic_index(topic, &format!("topics[{i}]"))?;
        }
        if self.share_index(group).is_some() {
            return Err(ActionError::new(
                "group",
                format!("{group:?} is a share group; join it with \"type\": \"share\""),
            ));
        }
        reading.reset = match reset {
            None | Some("latest") => OffsetResetPolicy::Latest,
            Some("earliest") => OffsetResetPolicy::Earliest,
            Some("none") => OffsetResetPolicy::None,
            Some(other) => {
                return Err(ActionError::new(
                    "auto_offset_reset",
                    format!("{other:?} is not one of \"earliest\", \"latest\", \"none\""),
                ));
            }
        };
        let g = match self.group_index(group) {
            Ok(g) => g,
            Err(_) => self.create_group(group, config)?,
        };
        let current = *self.groups[g].group.config();
        // Members may differ in max.poll.interval.ms (their rebalance timeouts); not in protocol or assignor.
        if current
            != (GroupConfig {
                rebalance_timeout: current.rebalance_timeout,
                ..config
            })
        {
            if self.groups[g].group.members().is_empty() {
                // An empty group takes the protocol of its first member.
                let _ = self.groups[g].group.set_config(config);
            } else {
                let (field, asked, used) = if current.protocol.name() == config.protocol.name() {
                    let field = match config.protocol {
                        GroupProtocol::Classic => "strategy",
                        GroupProtocol::Consumer(_) => "group_remote_assignor",
                    };
                    (field, config.assignor_name(), current.assignor_name())
                } else {
                    ("protocol", config.protocol.name(), current.protocol.name())
                };
                return Err(ActionError::new(
                    field,
                    format!(
                        "{asked} differs from the {used} the group's members use: Kafka refuses the join (INCONSISTENT_GROUP_PROTOCOL; kplay keeps one protocol and one assignor per group)"
                    ),
                ));
            }
        }
        let existing = self.groups[g].members.iter().position(|m| m.name == member);
        let rejoining = match existing {
            Some(m) => {
                let state = &self.groups[g].members[m];
                let coordinator = self.groups[g].group.member(&state.id);
                let same_instance = instance.is_some()
                    && coordinator.is_some_and(|c| c.instance_id.as_deref() == instance);
                if !same_instance || coordinator.is_some_and(|c| c.is_alive()) {
                    return Err(ActionError::new(
                        "member",
                        format!(
                            "{member:?} is already in group {group:?}; a member rejoins only as a static member (the same group_instance_id) after it stopped"
                        ),
                    ));
                }
                Some(m)
            }
            None => {
                if let Some(owner) = instance.and_then(|i| {
                    self.groups[g].members.iter().find(|m| {
                        self.groups[g]
                            .group
                            .member(&m.id)
                            .is_some_and(|c| c.instance_id.as_deref() == Some(i))
                    })
                }) {
                    return Err(ActionError::new(
                        "group_instance_id",
                        format!(
                            "{:?} belongs to member {:?}",
                            instance.unwrap_or_default(),
                            owner.name
                        ),
                    ));
                }
                if self.groups[g].group.members().len() >= MAX_MEMBERS {
                    return Err(ActionError::new(
                        "member",
                        format!(
                            "group {group:?} has {MAX_MEMBERS} members, the most a world allows"
                        ),
                    ));
                }
                None
            }
        };
        if let Some(f) = reading.forward {
            self.restart_stage_producer(f.producer);
        }
        self.emit(EventKind::Joined {
            group: group.into(),
            member: member.into(),
        });
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        let now = self.now;
        self.group_op(g, |state| {
            let id = state.group.join(now, member, instance, &names)?;
            state
                .group
                .set_rebalance_timeout(&id, reading.max_poll_interval)?;
            let member = MemberState::new(member, &id, instance, topics, interval, reading, now);
            match rejoining {
                Some(m) => state.members[m] = member,
                None => state.members.push(member),
            }
            Ok(())
        });
        Ok(())
    }

    pub(super) fn create_group(
        &mut self,
        name: &str,
        config: GroupConfig,
    ) -> Result<usize, ActionError> {
        if self.groups.len() >= MAX_GROUPS {
            return Err(ActionError::new(
                "group",
                format!("a world has at most {MAX_GROUPS} groups"),
            ));
        }
        let topics: BTreeMap<String, u32> = self
            .topics
            .iter()
            .map(|t| (t.name.clone(), t.partition_count()))
            .collect();
        self.groups.push(GroupState {
            group: ConsumerGroup::new(name, config, topics),
            members: Vec::new(),
            delivered_to: BTreeMap::new(),
            deliveries: (0, 0),
            poll_timeouts: 0,
            failed_commits: 0,
            order: super::order::KeyOrder::default(),
        });
        Ok(self.groups.len() - 1)
    }

    pub(super) fn reset_offsets(&mut self, g: usize, t: usize, to: ResetSpec) {
        let to = match to {
            ResetSpec::Named(ResetName::Earliest) => ResetTo::Earliest,
            ResetSpec::Named(ResetName::Latest) => ResetTo::Latest,
            ResetSpec::Offset { offset } => ResetTo::Offset(offset),
            ResetSpec::Timestamp { timestamp_ms } => {
                ResetTo::Timestamp(Instant::from_millis(timestamp_ms))
            }
        };
        let topic = &self.topics[t];
        let group = &mut self.groups[g];
        let name = group.group.id().to_string();
        match group.group.offsets_for_reset() {
            Ok(offsets) => {
                let moved: Vec<(u32, u64)> = topic
                    .logs
                    .iter()
                    .enumerate()
                    .map(|(p, log)| {
                        let tp = TopicPartition::new(topic.name.clone(), p as u32);
                        (p as u32, offsets.reset(tp, log, to))
                    })
                    .collect();
                for member in &mut group.members {
                    member.forget_topic(&topic.name);
                }
                let topic = topic.name.clone();
                self.emit(EventKind::OffsetsReset {
                    group: name,
                    topic,
                    offsets: moved,
                });
            }
            Err(err) => {
                let topic = topic.name.clone();
                self.emit(EventKind::ResetRefused {
                    group: name,
                    topic,
                    error: err.to_string(),
                });
            }
        }
    }

    /// Removes group `g` and its committed offsets, as `DeleteGroups` does once no member is left.
    pub(super) fn delete_group(&mut self, g: usize) -> Result<(), ActionError> {
        let state = &self.groups[g];
        if let Some(member) = state
            .members
            .iter()
            .find(|m| state.group.member(&m.id).is_some())
        {
            let why = if state.group.member(&member.id).is_some_and(|m| m.is_alive()) {
                "has not left"
            } else {
                "crashed and stays a member until its session expires"
            };
            return Err(ActionError::new(
                "group",
                format!(
                    "GROUP_NOT_EMPTY: {:?} still has members ({} {why})",
                    state.group.id(),
                    member.name
                ),
            ));
        }
        let group = self.groups.remove(g).group.id().to_string();
        self.emit(EventKind::GroupDeleted { group });
        Ok(())
    }

    pub(super) fn add_partitions(&mut self, t: usize, partitions: u32) {
        let now = self.now;
        let name = self.topics[t].name.clone();
        self.topics[t].add_partitions(now, partitions);
        let count = NonZeroU32::new(partitions).unwrap_or(NonZeroU32::MIN);
        for producer in &mut self.producers {
            producer.per_topic[t].set_partitions(count);
            producer.unsent[t].resize(partitions as usize, VecDeque::new());
        }
        self.emit(EventKind::PartitionsAdded {
            topic: name.clone(),
            partitions,
        });
        for g in 0..self.groups.len() {
            self.group_op(g, |state| {
                state.group.add_partitions(now, &name, partitions)
            });
        }
    }

    /// Runs a coordinator operation on group `g` and reports what it changed: members whose partitions
    /// were revoked or assigned, rebalances started and completed, members whose sessions expired.
    pub(super) fn group_op(
        &mut self,
        g: usize,
        op: impl FnOnce(&mut GroupState) -> Result<(), GroupError>,
    ) {
        let state = &mut self.groups[g];
        let was_rebalancing = state.group.is_rebalancing();
        let rounds_before = state.group.rounds().len();
        // Each member as it was, with its script name: a static member that rejoins gets a new id.
        let before: Vec<(String, Option<String>, Vec<TopicPartition>, bool)> = state
            .group
            .members()
            .iter()
            .map(|m| {
                let name = state.members.iter().find(|w| w.id == m.id);
                let name = name.map(|w| w.name.clone());
                (m.id.clone(), name, m.assigned.clone(), m.is_alive())
            })
            .collect();
        // The world checks every input before it reaches the coordinator, which therefore accepts it.
        let _ = op(state);
        let name = state.group.id().to_string();
        let name_of = |id: &str| {
            state
                .members
                .iter()
                .find(|m| m.id == id)
                .map_or_else(|| id.to_string(), |m| m.name.clone())
        };
        let consumer_protocol = state.group.config().protocol != GroupProtocol::Classic;
        let now = self.now;
        let mut out = Vec::new();
        let mut commits = Vec::new();
        for (id, was_named, assigned, was_alive) in &before {
            let named = || was_named.clone().unwrap_or_else(|| name_of(id));
            let now_owned = state.group.member(id).map(|m| m.assigned.as_slice());
            let lost: Vec<_> = assigned
                .iter()
                .filter(|tp| !now_owned.is_some_and(|o| o.contains(tp)))
                .map(|tp| (tp.topic.clone(), tp.partition))
                .collect();
            // A static member that came back under a new id replaced its old one (Kafka's
            // `replaceStaticMember`): that is its rejoin, not a session expiring.
            let replaced = was_named
                .as_ref()
                .is_some_and(|n| state.members.iter().any(|w| w.name == *n && w.id != *id));
            if now_owned.is_none() && !was_alive && !replaced {
                out.push(EventKind::SessionExpired {
                    group: name.clone(),
                    member: named(),
                });
            }
            // An auto-committing member commits what it consumed of the partitions it gives up, before
            // it gives them up: under the consumer protocol as it acknowledges the revocation, and under
            // the classic one when it is not busy (a busy one does so when its poll rejoins the round).
            // A member put out of the group (its poll timed out) or silent has lost them instead.
            let giving_up = !lost.is_empty()
                && *was_alive
                && state.members.iter().any(|m| {
                    m.id == *id
                        && !m.out_of_group
                        && m.auto_commits()
                        && m.forward().is_none()
                        && (consumer_protocol || !m.is_busy(now))
                });
            if giving_up {
                commits.push((id.clone(), lost.clone()));
            }
            if !lost.is_empty() {
                out.push(EventKind::Revoked {
                    group: name.clone(),
                    member: named(),
                    partitions: lost,
                });
            }
        }
        for m in state.group.members() {
            let had = before
                .iter()
                .find(|(id, ..)| *id == m.id)
                .map(|(_, _, a, _)| a.as_slice())
                .unwrap_or_default();
            let gained: Vec<_> = m
                .assigned
                .iter()
                .filter(|tp| !had.contains(tp))
                .map(|tp| (tp.topic.clone(), tp.partition))
                .collect();
            if !gained.is_empty() {
                out.push(EventKind::Assigned {
                    group: name.clone(),
                    member: name_of(&m.id),
                    partitions: gained,
                });
            }
        }
        for round in &state.group.rounds()[rounds_before..] {
            let paused: Vec<(String, u64)> = round
                .pauses()
                .into_iter()
                .map(|(id, waited)| (name_of(id), waited.as_millis()))
                .collect();
            out.push(EventKind::RebalanceCompleted {
                group: name.clone(),
                generation: round.generation,
                paused_ms: paused,
            });
        }
        let completed = state.group.rounds().len() > rounds_before;
        if let Some(trigger) = state.group.rebalance_trigger()
            && (!was_rebalancing || completed)
        {
            let trigger = match trigger {
                Trigger::Joined(id) => format!("{} joined", name_of(id)),
                Trigger::Left(id) => format!("{} left", name_of(id)),
                Trigger::SessionExpired(id) => format!("{}'s session expired", name_of(id)),
                other => other.to_string(),
            };
            out.push(EventKind::RebalanceStarted {
                group: name.clone(),
                trigger,
            });
        }
        // Members the coordinator no longer has are gone from the script's view too, but for those put
        // out of the group on a poll timeout, which join again at their next poll.
        let group = &state.group;
        state
            .members
            .retain(|m| m.out_of_group || group.member(&m.id).is_some());
        for member in &mut state.members {
            if member.forward().is_some() {
                member.close_revoked_tasks(group);
            }
        }
        // The commits are reported before the revocations they precede, as in Kafka.
        for (id, lost) in commits {
            let Some(m) = self.groups[g].members.iter().position(|m| m.id == id) else {
                continue;
            };
            let member = &mut self.groups[g].members[m];
            let positions: Vec<(TopicPartition, u64)> = lost
                .into_iter()
                .filter_map(|(topic, partition)| {
                    let tp = TopicPartition::new(topic, partition);
                    let offset = member.positions.remove(&tp)?;
                    Some((tp, offset))
                })
                .collect();
            for (tp, offset) in positions {
                self.commit(g, m, &tp, offset);
            }
        }
        for kind in out {
            self.emit(kind);
        }
        self.wake = true;
    }

    pub(super) fn commit(&mut self, g: usize, m: usize, tp: &TopicPartition, offset: u64) {
        let state = &mut self.groups[g];
        let (group, member) = (state.group.id().to_string(), state.members[m].name.clone());
        let id = state.members[m].id.clone();
        let consumer_protocol = state.group.config().protocol != GroupProtocol::Classic;
        let kind = match state.group.commit(&id, tp, offset) {
            Ok(()) => {
                state.members[m].note_committed(tp, offset);
                EventKind::Committed {
                    group,
                    member,
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    offset,
                }
            }
            Err(err) => {
                state.failed_commits += 1;
                EventKind::CommitFailed {
                    group,
                    member,
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    error: match err {
                        GroupError::UnknownMember(_) => "UNKNOWN_MEMBER_ID".into(),
                        // The consumer protocol checks the member epoch instead of the generation.
                        GroupError::IllegalCommit { .. } if consumer_protocol => {
                            "STALE_MEMBER_EPOCH".into()
                        }
                        GroupError::IllegalCommit { .. } => "ILLEGAL_GENERATION".into(),
                        other => other.to_string(),
                    },
                }
            }
        };
        self.emit(kind);
    }
}
