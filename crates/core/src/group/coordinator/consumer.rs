//! The consumer group protocol (KIP-848, `group.protocol=consumer`, GA in Kafka 4.0): the broker assigns,
//! and each member reconciles on its own heartbeat.
//!
//! A join, a leave, a session expiry or new partitions bump the **group epoch**. The next heartbeat of
//! any member then runs the broker's assignor (`group.remote.assignor`, [`ServerAssignor`]) over the
//! members with the previous target as their current assignment, giving the **target assignment** at
//! that epoch (`GroupMetadataManager.consumerGroupHeartbeat`). Each member moves towards its share on its
//! own heartbeats, every `group.consumer.heartbeat.interval.ms` (5 s), as `CurrentAssignmentBuilder` does:
//!
//! - it keeps what it owns of its target and is asked to revoke the rest, staying at its old member epoch
//!   (**UNREVOKED_PARTITIONS**) until it reports them gone;
//! - then it moves to the target epoch and receives the partitions of its target that nobody holds any
//!   more; those another member still holds stay out (**UNRELEASED_PARTITIONS**) and come on a later
//!   heartbeat, once released — so a partition never has two owners;
//! - with nothing left to revoke or receive it is **STABLE** at the target epoch.
//!
//! The group is Empty, Assigning (the group epoch is ahead of the target's), Reconciling (a member is
//! not yet stable at the target epoch) or Stable (`ConsumerGroup.maybeUpdateGroupState`). There is no
//! JoinGroup/SyncGroup barrier and no `group.initial.rebalance.delay.ms`: the first member gets every
//! partition on its first heartbeat, and members that keep their partitions never stop consuming.
//!
//! kplay's timing model: a member heartbeats when it joins, then every heartbeat interval after its
//! previous heartbeat; when a response changes its assignment it runs its rebalance callback at once and
//! heartbeats again to acknowledge (the new consumer does so without waiting for the interval). At once
//! even while its application thread is busy with a batch: kplay's consumers register no
//! `ConsumerRebalanceListener`, and without one the consumer's background thread commits and gives the
//! partitions up without waiting for `poll()` (`ConsumerMembershipManager.invokeOnPartitionsRevokedCallback`;
//! the classic consumer, by contrast, rejoins only from `poll()`). A member
//! that crashed sends nothing: it holds its partitions, and keeps the group Reconciling, until its session
//! (`group.consumer.session.timeout.ms`, 45 s) expires. Heartbeats that would change nothing are not
//! simulated, which changes no outcome. Simplifications: the broker's assignor runs at once (Kafka 4.0
//! does too); revocation never takes long enough to hit the rebalance timeout; one assignor per group.

use alloc::vec::Vec;

use super::{
    ConsumerGroup, GroupError, GroupProtocol, GroupState, MemberChange, RebalanceRound, Trigger,
};
use crate::group::assignor::{self, Member, TopicPartition};
use crate::time::{Duration, Instant};

/// Where a member's reconciliation stands (`MemberState` of the group coordinator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reconciliation {
    /// It holds its whole target (or the classic protocol, where this does not apply).
    #[default]
    Stable,
    /// It has been asked to revoke partitions and has not yet confirmed.
    UnrevokedPartitions,
    /// Part of its target is still held by other members.
    UnreleasedPartitions,
}

impl Reconciliation {
    /// Kafka's name for the state.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Stable => "STABLE",
            Self::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            Self::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
        }
    }
}

/// A reconciliation under way, from the epoch bump that started it until the group is Stable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reconciling {
    pub(super) trigger: Trigger,
    pub(super) started: Instant,
    /// Revocations and gains so far, one entry per member that had any.
    changes: Vec<MemberChange>,
    /// Partitions that got an owner back, and how long they had none.
    paused: Vec<(TopicPartition, Duration)>,
}

/// How many acknowledging heartbeats one heartbeat can lead to: revoke, then receive, then nothing new.
const MAX_ACKNOWLEDGEMENTS: usize = 3;

impl ConsumerGroup {
    /// The epoch of the current target assignment (consumer protocol).
    #[must_use]
    pub fn assignment_epoch(&self) -> i32 {
        self.assignment_epoch
    }

    pub(super) fn is_reconciled(&self, m: &super::GroupMember) -> bool {
        m.generation == self.assignment_epoch && m.reconciliation == Reconciliation::Stable
    }

    /// Whether the member's next heartbeat would change anything.
    fn wants_heartbeat(&self, m: &super::GroupMember) -> bool {
        m.is_alive() && (self.generation > self.assignment_epoch || !self.is_reconciled(m))
    }

    /// The group epoch moves on: a member joined or left, a session expired, partitions were added.
    pub(super) fn bump_epoch(&mut self, now: Instant, trigger: Trigger) {
        self.generation += 1;
        // Members that had nothing to do skipped their heartbeats; their schedule runs on regardless. One
        // due at this very moment is still to come, after the change (as `handle_timeout` orders them).
        let interval = self.config.heartbeat_interval.as_millis().max(1);
        for m in &mut self.members {
            let elapsed = now.saturating_since(m.last_heartbeat).as_millis();
            let missed = elapsed.saturating_sub(1) / interval;
            m.last_heartbeat += Duration::from_millis(missed.saturating_mul(interval));
        }
        if self.reconciling.is_none() {
            self.reconciling = Some(Reconciling {
                trigger,
                started: now,
                changes: Vec::new(),
                paused: Vec::new(),
            });
        }
    }

    /// The next heartbeat that has something to do: (when, member index).
    pub(super) fn next_heartbeat(&self) -> Option<(Instant, usize)> {
        if self.config.protocol == GroupProtocol::Classic {
            return None; // classic heartbeats only carry news of rounds, which `classic` times itself
        }
        self.members
            .iter()
            .enumerate()
            .filter(|(_, m)| self.wants_heartbeat(m))
            .map(|(i, m)| (m.last_heartbeat + self.config.heartbeat_interval, i))
            .min()
    }

    /// Member `index` heartbeats at `now`: the target is brought up to the group epoch, the member
    /// reconciles towards it, and it acknowledges what changed with further heartbeats at once.
    ///
    /// # Errors
    /// [`GroupError::Assign`] if the assignor rejects the group (it cannot once members joined validly).
    pub(super) fn heartbeat(&mut self, index: usize, now: Instant) -> Result<(), GroupError> {
        for _ in 0..MAX_ACKNOWLEDGEMENTS {
            if self.generation > self.assignment_epoch {
                self.update_target()?;
            }
            if !self.reconcile(index, now) {
                break;
            }
        }
        self.members[index].last_heartbeat = now;
        self.maybe_complete(now);
        Ok(())
    }

    /// Runs the broker's assignor for the group epoch, the previous target as the current assignment.
    fn update_target(&mut self) -> Result<(), GroupError> {
        let GroupProtocol::Consumer(server) = self.config.protocol else {
            return Ok(());
        };
        let inputs: Vec<Member> = self
            .members
            .iter()
            .map(|m| m.to_assignor_member(&m.target, assignor::DEFAULT_GENERATION))
            .collect();
        let result = assignor::assign(server, &self.topics, &inputs)?;
        for (member, target) in self.members.iter_mut().zip(result.partitions) {
            member.target = target;
        }
        self.assignment_epoch = self.generation;
        Ok(())
    }

    /// One step of `CurrentAssignmentBuilder.build` for member `index`; says whether its assignment changed
    /// (which the member then acknowledges). A member asked to revoke does so at once.
    fn reconcile(&mut self, index: usize, now: Instant) -> bool {
        let m = &self.members[index];
        let epoch = match m.reconciliation {
            Reconciliation::Stable if self.is_reconciled(m) => return false,
            // The member reported the revoked partitions gone: it may move to the next epoch.
            Reconciliation::UnrevokedPartitions => m.generation + 1,
            Reconciliation::Stable | Reconciliation::UnreleasedPartitions => m.generation,
        };
        let kept: Vec<TopicPartition> = m
            .assigned
            .iter()
            .filter(|tp| m.target.contains(tp))
            .cloned()
            .collect();
        let revoked: Vec<TopicPartition> = m
            .assigned
            .iter()
            .filter(|tp| !m.target.contains(tp))
            .cloned()
            .collect();
        let (free, unreleased): (Vec<TopicPartition>, Vec<TopicPartition>) = m
            .target
            .iter()
            .filter(|tp| !kept.contains(tp))
            .cloned()
            .partition(|tp| {
                !self
                    .members
                    .iter()
                    .enumerate()
                    .any(|(j, other)| j != index && other.assigned.contains(tp))
            });

        let target_epoch = self.assignment_epoch;
        let member = &mut self.members[index];
        if !revoked.is_empty() {
            member.reconciliation = Reconciliation::UnrevokedPartitions;
            member.generation = epoch;
            member.assigned = kept;
            self.mark_unconsumed(now, &revoked);
            self.record_change(index, revoked, Vec::new());
            return true;
        }
        member.generation = target_epoch;
        member.reconciliation = if unreleased.is_empty() {
            Reconciliation::Stable
        } else {
            Reconciliation::UnreleasedPartitions
        };
        if free.is_empty() {
            return false;
        }
        member.assigned.extend(free.iter().cloned());
        member.assigned.sort();
        let mut paused = Vec::new();
        for tp in &free {
            if let Some(since) = self.unconsumed_since.remove(tp) {
                paused.push((tp.clone(), now - since));
            }
        }
        if let Some(round) = &mut self.reconciling {
            round.paused.extend(paused);
        }
        self.record_change(index, Vec::new(), free);
        true
    }

    fn record_change(
        &mut self,
        index: usize,
        revoked: Vec<TopicPartition>,
        assigned: Vec<TopicPartition>,
    ) {
        let member = &self.members[index];
        let Some(round) = &mut self.reconciling else {
            return;
        };
        let change = match round.changes.iter().position(|c| c.member == member.id) {
            Some(i) => &mut round.changes[i],
            None => {
                round.changes.push(MemberChange {
                    member: member.id.clone(),
                    ..MemberChange::default()
                });
                let last = round.changes.len() - 1;
                &mut round.changes[last]
            }
        };
        change.revoked.extend(revoked);
        change.assigned.extend(assigned);
        change.owned.clone_from(&member.assigned);
    }

    /// Closes the reconciliation under way as a round once the group is Stable.
    pub(super) fn maybe_complete(&mut self, now: Instant) {
        if self.state() == GroupState::Stable || self.members.is_empty() {
            let Some(mut round) = self.reconciling.take() else {
                return;
            };
            round.paused.sort();
            self.rounds.push(RebalanceRound {
                generation: self.generation,
                trigger: round.trigger,
                started: round.started,
                completed: now,
                changes: round.changes,
                paused: round.paused,
                follow_up: false,
                consumer_protocol: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, owned, settle};
    use super::super::{ConsumerGroup, GroupConfig, Trigger};
    use super::{GroupState, Reconciliation};
    use crate::group::assignor::{ServerAssignor, TopicPartition};
    use crate::time::Duration;

    fn group(partitions: u32) -> ConsumerGroup {
        ConsumerGroup::new(
            "g",
            GroupConfig::consumer(ServerAssignor::Uniform),
            [("orders".into(), partitions)].into(),
        )
    }

    #[test]
    fn the_first_member_gets_everything_on_its_first_heartbeat() {
        let mut g = group(3);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        assert_eq!(owned(&g, &a), [0, 1, 2], "no initial rebalance delay");
        assert_eq!((g.state(), g.generation()), (GroupState::Stable, 1));
        assert_eq!(g.member(&a).map(|m| m.generation), Some(1));
        assert_eq!(g.rounds().len(), 1);
        assert_eq!(g.poll_timeout(), None, "a stable group has nothing to do");
    }

    /// A joins at 0 s and heartbeats at 5, 10, 15 s; B joins at 12 s and heartbeats at 17 s. B's target
    /// partition is A's until A revokes it on its 15 s heartbeat; B receives it on its own at 17 s. A
    /// never stops consuming its other partitions.
    #[test]
    fn a_partition_moves_only_after_its_owner_revokes_it() {
        let mut g = group(3);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        let b = g.join(at(12_000), "c", None, &["orders"]).expect("join");
        assert_eq!(g.generation(), 2);
        assert_eq!(g.state(), GroupState::Reconciling);
        let member_b = g.member(&b).expect("b");
        assert_eq!(member_b.target, [TopicPartition::new("orders", 2)]);
        assert!(member_b.assigned.is_empty(), "orders-2 is still a's");
        assert_eq!(
            member_b.reconciliation,
            Reconciliation::UnreleasedPartitions
        );
        assert_eq!(member_b.generation, 2, "b is at the new epoch, waiting");
        assert_eq!(g.member(&a).map(|m| m.generation), Some(1));

        assert_eq!(g.poll_timeout(), Some(at(15_000)), "a's next heartbeat");
        g.handle_timeout(at(15_000)).expect("ok");
        assert_eq!(owned(&g, &a), [0, 1]);
        assert_eq!(g.member(&a).map(|m| m.generation), Some(2));
        assert!(
            owned(&g, &b).is_empty(),
            "b hears of it on its own heartbeat"
        );
        assert_eq!(g.poll_timeout(), Some(at(17_000)));
        settle(&mut g);
        assert_eq!(owned(&g, &b), [2]);
        assert_eq!(g.state(), GroupState::Stable);
        let round = g.rounds().last().expect("the reconciliation");
        assert_eq!(round.trigger, Trigger::Joined(b));
        assert_eq!((round.started, round.completed), (at(12_000), at(17_000)));
        assert_eq!(
            round.paused,
            [(
                TopicPartition::new("orders", 2),
                Duration::from_millis(2_000)
            )],
            "only the moved partition paused, from a's revocation to b's heartbeat"
        );
    }

    #[test]
    fn a_crashed_member_holds_its_partitions_until_its_session_expires() {
        let mut g = group(2);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        let b = g.join(at(1_000), "c", None, &["orders"]).expect("join");
        settle(&mut g);
        assert_eq!((owned(&g, &a), owned(&g, &b)), (vec![0], vec![1]));
        g.crash(at(20_000), &b).expect("member");
        assert_eq!(g.poll_timeout(), Some(at(65_000)), "45 s session");
        settle(&mut g);
        assert!(g.member(&b).is_none());
        assert_eq!(owned(&g, &a), [0, 1]);
        let round = g.rounds().last().expect("round");
        assert_eq!(round.trigger, Trigger::SessionExpired(b));
        // a heartbeats at 5 s steps from 0: 65 s is one of them, so it takes orders-1 at once.
        assert_eq!(round.paused[0].1, Duration::from_millis(45_000));
    }

    #[test]
    fn a_leaving_member_frees_its_partitions_at_once() {
        let mut g = group(2);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        let b = g.join(at(1_000), "c", None, &["orders"]).expect("join");
        settle(&mut g);
        g.leave(at(22_000), &b).expect("member");
        assert_eq!(
            g.state(),
            GroupState::Assigning,
            "no target yet at epoch {}",
            g.generation()
        );
        settle(&mut g);
        assert_eq!(owned(&g, &a), [0, 1]);
        assert_eq!(
            g.rounds().last().map(|r| r.paused.clone()),
            Some(vec![(
                TopicPartition::new("orders", 1),
                Duration::from_millis(3_000)
            )]),
            "from the leave at 22 s to a's heartbeat at 25 s"
        );
    }

    #[test]
    fn a_static_member_restarting_keeps_its_partitions_without_a_new_epoch() {
        let mut g = group(4);
        let a = g
            .join(at(0), "c", Some("host-a"), &["orders"])
            .expect("join");
        g.join(at(0), "c", Some("host-b"), &["orders"])
            .expect("join");
        settle(&mut g);
        let (epoch, before) = (g.generation(), owned(&g, &a));
        g.leave(at(1_000), &a).expect("member");
        let a2 = g
            .join(at(20_000), "c", Some("host-a"), &["orders"])
            .expect("rejoin");
        settle(&mut g);
        assert_eq!((g.generation(), owned(&g, &a2)), (epoch, before));
    }

    /// A static member that comes back after the group moved on reconciles on its joining heartbeat:
    /// a member joined while it was away, and the target gave the newcomer one of its partitions.
    #[test]
    fn a_returning_static_member_catches_up_on_its_joining_heartbeat() {
        let mut g = group(2);
        let a = g
            .join(at(0), "c", Some("host-a"), &["orders"])
            .expect("join");
        settle(&mut g);
        g.leave(at(1_000), &a).expect("a static member stops");
        let b = g.join(at(2_000), "c", None, &["orders"]).expect("join");
        assert_eq!(owned(&g, &a), [0, 1], "a still holds both while it is away");
        assert!(owned(&g, &b).is_empty());
        let a2 = g
            .join(at(3_000), "c", Some("host-a"), &["orders"])
            .expect("rejoin");
        assert_eq!(owned(&g, &a2), [0], "revoked on the joining heartbeat");
        settle(&mut g);
        assert_eq!((owned(&g, &a2), owned(&g, &b)), (vec![0], vec![1]));
        assert_eq!(g.state(), GroupState::Stable);
    }
}
