//! The classic protocol's rounds (`ClassicGroup`, `GroupMetadataManager`'s JoinGroup / SyncGroup): a change
//! starts a round, members rejoin within one heartbeat interval (or when a silent member's session
//! expires), the leader's assignor runs, and the group moves to the next generation. EAGER assignors revoke
//! everything as the round starts; COOPERATIVE ones revoke only what moves and hand it out in a follow-up
//! round. An empty group's first round waits `group.initial.rebalance.delay.ms`, extended while members
//! keep arriving, up to the rebalance timeout.

use alloc::string::String;
use alloc::vec::Vec;

use super::{ConsumerGroup, GroupError, MemberChange, RebalanceRound, Trigger};
use crate::group::assignor::{self, Member, TopicPartition};
use crate::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pending {
    pub(super) trigger: Trigger,
    pub(super) started: Instant,
    pub(super) earliest_completion: Instant,
    /// The first round of an empty group, while its initial delay runs.
    pub(super) initial: Option<InitialDelay>,
    /// Members that rejoined from `poll()` after hearing of the round.
    pub(super) rejoined: Vec<String>,
}

/// `group.initial.rebalance.delay.ms` under way (`GroupMetadataManager.tryCompleteInitialRebalanceElseSchedule`):
/// when the delay runs out, a new member having joined during it extends the round by another delay (at
/// most what the rebalance timeout leaves); otherwise the round completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InitialDelay {
    /// The delay running now.
    pub(super) delay: Duration,
    /// What the rebalance timeout leaves for later extensions.
    pub(super) remaining: Duration,
    /// A new member joined during this delay.
    pub(super) new_member_added: bool,
}

impl ConsumerGroup {
    /// A round completes once live members have rejoined and silent members' sessions have expired.
    /// A member hears of the round on its next heartbeat (one heartbeat interval) and rejoins from its
    /// next `poll()`: one busy with a batch holds the round until then. Busy or silent, no member holds
    /// it past the rebalance timeout, after which the round goes on without it (Kafka's
    /// `completeClassicGroupJoin` then drops a dynamic member that has not rejoined; kplay's dynamic
    /// members have left by then, their own `max.poll.interval.ms` having run out first, and a static one
    /// stays in the group with its assignment until its session expires).
    pub(super) fn completion_time(&self, pending: &Pending) -> Instant {
        let deadline = pending.started + self.rebalance_timeout();
        let silent = self
            .members
            .iter()
            .filter_map(|m| m.silent_since)
            .map(|s| (s + self.config.session_timeout).min(deadline));
        let busy = self
            .members
            .iter()
            .filter(|m| m.is_alive() && !pending.rejoined.contains(&m.id))
            .filter_map(|m| m.next_poll)
            .map(|at| at.min(deadline));
        silent
            .chain(busy)
            .fold(pending.earliest_completion, Instant::max)
    }

    /// The initial delay ran out: extends it if a new member joined during it and the rebalance timeout
    /// leaves time. Says whether it did.
    pub(super) fn extend_initial_delay(&mut self) -> bool {
        let configured = self.config.initial_rebalance_delay;
        let Some(pending) = &mut self.pending else {
            return false;
        };
        let Some(initial) = &mut pending.initial else {
            return false;
        };
        if !initial.new_member_added || initial.remaining == Duration::ZERO {
            return false;
        }
        let delay = configured.min(initial.remaining);
        initial.remaining = initial.remaining.saturating_sub(initial.delay);
        initial.delay = delay;
        initial.new_member_added = false;
        pending.earliest_completion += delay;
        true
    }

    pub(super) fn start_rebalance(&mut self, now: Instant, trigger: Trigger) {
        if let Some(pending) = &mut self.pending {
            // Members rejoin into the round already under way; one that was waited for and left lets it
            // complete now, not at a moment already past.
            pending.earliest_completion = pending.earliest_completion.max(now);
            return;
        }
        if !self.config.strategy.is_cooperative() {
            // EAGER: onJoinPrepare revokes everything before rejoining.
            for i in 0..self.members.len() {
                let revoked = core::mem::take(&mut self.members[i].assigned);
                if !revoked.is_empty() {
                    self.mark_unconsumed(now, &revoked);
                    self.members[i].previously_owned = revoked;
                }
            }
        }
        self.pending = Some(Pending {
            trigger,
            started: now,
            earliest_completion: now + self.config.heartbeat_interval,
            initial: None,
            rejoined: Vec::new(),
        });
    }

    pub(super) fn complete_round(&mut self, now: Instant) -> Result<(), GroupError> {
        let Some(pending) = self.pending.take() else {
            return Ok(());
        };
        let eager = !self.config.strategy.is_cooperative();
        let inputs: Vec<Member> = self
            .members
            .iter()
            .map(|m| {
                let owned = if eager {
                    &m.previously_owned
                } else {
                    &m.assigned
                };
                m.to_assignor_member(owned, m.generation)
            })
            .collect();
        let result = assignor::assign(self.config.strategy, &self.topics, &inputs)?;
        self.generation += 1;

        let mut changes = Vec::with_capacity(self.members.len());
        let mut follow_up = false;
        for (member, new) in self.members.iter_mut().zip(result.partitions) {
            let before = if eager {
                core::mem::take(&mut member.previously_owned)
            } else {
                member.assigned.clone()
            };
            let revoked: Vec<TopicPartition> = before
                .iter()
                .filter(|tp| !new.contains(tp))
                .cloned()
                .collect();
            let gained: Vec<TopicPartition> = new
                .iter()
                .filter(|tp| !before.contains(tp))
                .cloned()
                .collect();
            follow_up |= !eager && !revoked.is_empty();
            member.assigned = new.clone();
            member.generation = self.generation;
            changes.push(MemberChange {
                member: member.id.clone(),
                revoked: if eager { before } else { revoked },
                assigned: if eager { new.clone() } else { gained },
                owned: new,
            });
        }
        if !eager {
            // Cooperative revocations take effect now; eager ones did at the start of the round.
            for change in &changes {
                self.mark_unconsumed(now, &change.revoked);
            }
        }
        let mut paused = Vec::new();
        for member in self.members.iter().filter(|m| m.is_alive()) {
            for tp in &member.assigned {
                if let Some(since) = self.unconsumed_since.remove(tp) {
                    paused.push((tp.clone(), now - since));
                }
            }
        }
        paused.sort();
        self.rounds.push(RebalanceRound {
            generation: self.generation,
            trigger: pending.trigger,
            started: pending.started,
            completed: now,
            changes,
            paused,
            follow_up,
            consumer_protocol: false,
        });
        if follow_up {
            self.start_rebalance(now, Trigger::FollowUp);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, group, owned, settle};
    use super::super::{ConsumerGroup, GroupConfig, Trigger};
    use crate::group::assignor::Strategy;
    use crate::time::Duration;

    #[test]
    fn first_member_waits_the_initial_delay_then_gets_everything() {
        let mut g = group(Strategy::Range, 3);
        let a = g.join(at(0), "c", None, &["orders"]).expect("join");
        assert_eq!(g.poll_timeout(), Some(at(3_000)));
        g.handle_timeout(at(2_999)).expect("ok");
        assert!(g.is_rebalancing());
        g.handle_timeout(at(3_000)).expect("ok");
        assert_eq!((g.generation(), owned(&g, &a)), (1, vec![0, 1, 2]));
        assert_eq!(g.rounds()[0].trigger, Trigger::Joined(a));
    }

    /// The `GroupMetadataManagerTest` cases of the initial delay (3 s here as there), with the rebalance
    /// timeout each sets. Kafka's mock timer fires at the end of each `sleep`, so a delay extended there
    /// starts a little late; here it starts when the previous one ran out, as a broker's timer does.
    #[test]
    fn joins_during_the_initial_delay_extend_it_up_to_the_rebalance_timeout() {
        let with_timeout = |ms: u64| {
            let config = GroupConfig {
                rebalance_timeout: Duration::from_millis(ms),
                ..GroupConfig::default()
            };
            ConsumerGroup::new("g", config, [("orders".to_string(), 3)].into())
        };
        // testDelayInitialRebalanceByGroupInitialRebalanceDelayOnEmptyGroup: one member, 3 s.
        let mut g = with_timeout(300_000);
        g.join(at(0), "c", None, &["orders"]).expect("join");
        g.handle_timeout(at(1_500)).expect("ok");
        assert!(g.is_rebalancing());
        g.handle_timeout(at(3_000)).expect("ok");
        assert_eq!(g.generation(), 1);

        // testResetRebalanceDelayWhenNewMemberJoinsGroupDuringInitialRebalance: timeout 9 s, a second
        // member at 2.999 s: the delay runs again, to 6 s.
        let mut g = with_timeout(9_000);
        g.join(at(0), "c", None, &["orders"]).expect("join");
        g.join(at(2_999), "c", None, &["orders"]).expect("join");
        g.handle_timeout(at(5_999)).expect("ok");
        assert!(g.is_rebalancing(), "extended past 3 s");
        g.handle_timeout(at(6_000)).expect("ok");
        assert_eq!((g.generation(), g.rounds().len()), (1, 1));

        // testDelayRebalanceUptoRebalanceTimeout: timeout 6 s, two members at once and a third at 3.001 s:
        // one extension to 6 s, and none after, the timeout being used up.
        let mut g = with_timeout(6_000);
        g.join(at(0), "c", None, &["orders"]).expect("join");
        g.join(at(0), "c", None, &["orders"]).expect("join");
        g.handle_timeout(at(3_001)).expect("ok");
        g.join(at(3_001), "c", None, &["orders"]).expect("join");
        g.handle_timeout(at(5_999)).expect("ok");
        assert!(g.is_rebalancing());
        g.handle_timeout(at(6_000)).expect("ok");
        assert_eq!((g.generation(), g.members().len()), (1, 3));

        // Joins at 0, 2.5 and 5 s with Kafka's defaults: one rebalance at 9 s, not one at 3 s and another.
        let mut g = group(Strategy::Range, 3);
        for ms in [0, 2_500, 5_000] {
            g.handle_timeout(at(ms)).expect("ok");
            g.join(at(ms), "c", None, &["orders"]).expect("join");
        }
        settle(&mut g);
        assert_eq!(g.rounds().len(), 1);
        assert_eq!((g.generation(), g.rounds()[0].completed), (1, at(9_000)));
    }

    #[test]
    fn eager_rebalance_pauses_everyone_cooperative_only_the_moved_partition() {
        for (strategy, paused_partitions) in
            [(Strategy::Range, 3), (Strategy::CooperativeSticky, 1)]
        {
            let mut g = group(strategy, 3);
            let a = g.join(at(0), "c", None, &["orders"]).expect("join");
            settle(&mut g);
            let b = g.join(at(10_000), "c", None, &["orders"]).expect("join");
            settle(&mut g);
            assert_eq!(owned(&g, &a).len() + owned(&g, &b).len(), 3, "{strategy}");
            let paused: usize = g.rounds().iter().skip(1).map(|r| r.paused.len()).sum();
            assert_eq!(paused, paused_partitions, "{strategy}");
            if strategy.is_cooperative() {
                assert_eq!(
                    g.rounds().len(),
                    3,
                    "join round, then the follow-up that hands over the revoked partition"
                );
                assert!(g.rounds()[1].follow_up);
                assert_eq!(g.rounds()[1].changes[0].revoked.len(), 1);
                assert!(
                    g.rounds()[1].changes[1].assigned.is_empty(),
                    "withheld until the follow-up"
                );
                assert_eq!(g.rounds()[2].paused[0].1, Duration::from_millis(3_000));
            } else {
                assert_eq!(
                    g.rounds()[1].changes[0].revoked.len(),
                    3,
                    "eager revokes everything"
                );
                assert!(
                    g.rounds()[1]
                        .paused
                        .iter()
                        .all(|(_, d)| *d == Duration::from_millis(3_000))
                );
            }
        }
    }
}
