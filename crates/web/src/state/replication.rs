//! The replication view's state: a [`Cluster`] of 1–5 brokers and one replicated topic, a producer with a
//! chosen `acks`, and the controls to fail, restore or stall brokers and let time pass.
//!
//! Followers fetch right after every write unless their broker is down or stalled, so what the view shows
//! is what the protocol does at each step: a stalled follower leaves the ISR after `replica.lag.time.max.ms`
//! ([`Action::Advance`]), `acks=all` is refused below `min.insync.replicas`, a leader's failure elects the
//! next in-sync replica (or, with unclean election, any live one), and writes acknowledged by a leader that
//! failed before replicating them are listed as lost.

use kplay_core::cluster::{Acks, BrokerId, Cluster, ClusterConfig};
use kplay_core::time::{Duration, Instant};

/// Simulated time one press of "advance" moves.
pub const ADVANCE: Duration = Duration::from_secs(10);

/// Everything the replication view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationState {
    /// The cluster.
    pub cluster: Cluster,
    /// `acks` for the next writes.
    pub acks: Acks,
    /// The simulated clock.
    pub clock: Instant,
    /// What happened last, for the user.
    pub message: Option<(bool, String)>,
    /// Writes produced, acknowledged (including `acks=all` ones once the ISR has them), and failed.
    pub produced: u64,
    /// Writes acknowledged to the producer.
    pub acknowledged: u64,
    /// Writes refused or failed.
    pub refused: u64,
}

/// What the user can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Rebuild the cluster: brokers, replication factor, `min.insync.replicas`, unclean election.
    Configure {
        /// Brokers, as typed.
        brokers: String,
        /// Replication factor, as typed.
        replication_factor: String,
        /// `min.insync.replicas`, as typed.
        min_isr: String,
        /// `unclean.leader.election.enable`.
        unclean: bool,
    },
    /// Choose `acks`: "0", "1" or "all".
    SetAcks(String),
    /// Produce `n` records to partition 0.
    Produce(u32),
    /// Take a broker down.
    Fail(BrokerId),
    /// Bring a broker back.
    Restore(BrokerId),
    /// Make a live broker stop fetching, or fetch again.
    ToggleStall(BrokerId),
    /// Let [`ADVANCE`] of simulated time pass.
    Advance,
}

impl Default for ReplicationState {
    fn default() -> Self {
        // Kafka's default min.insync.replicas is 1; the view starts at 2, the usual production setting: with
        // 3 replicas, acks=all then survives one broker down and refuses writes when two are.
        let config = ClusterConfig {
            min_insync_replicas: 2,
            ..ClusterConfig::default()
        };
        let cluster = Cluster::new(Instant::ZERO, config)
            .unwrap_or_else(|_| unreachable!("the view's cluster config is valid"));
        Self {
            cluster,
            acks: Acks::All,
            clock: Instant::ZERO,
            message: None,
            produced: 0,
            acknowledged: 0,
            refused: 0,
        }
    }
}

impl ReplicationState {
    /// Applies `action` in place.
    pub fn apply(&mut self, action: Action) {
        self.message = None;
        match action {
            Action::Configure {
                brokers,
                replication_factor,
                min_isr,
                unclean,
            } => {
                let parse = |text: &str, what: &str| {
                    text.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=5).contains(n))
                        .ok_or_else(|| {
                            format!("{what}: {text:?} is not a whole number from 1 to 5.")
                        })
                };
                let config = parse(&brokers, "Brokers").and_then(|brokers| {
                    Ok(ClusterConfig {
                        brokers,
                        replication_factor: parse(&replication_factor, "Replication factor")?,
                        min_insync_replicas: parse(&min_isr, "min.insync.replicas")?,
                        unclean_leader_election: unclean,
                        ..ClusterConfig::default()
                    })
                });
                match config.and_then(|c| Cluster::new(self.clock, c).map_err(|e| e.to_string())) {
                    Ok(cluster) => {
                        *self = Self {
                            cluster,
                            acks: self.acks,
                            clock: self.clock,
                            ..Self::default()
                        };
                    }
                    Err(message) => self.message = Some((false, message)),
                }
            }
            Action::SetAcks(choice) => match choice.as_str() {
                "0" => self.acks = Acks::None,
                "1" => self.acks = Acks::Leader,
                "all" | "-1" => self.acks = Acks::All,
                other => {
                    self.message = Some((false, format!("acks: {other:?} is not 0, 1 or all.")))
                }
            },
            Action::Produce(n) => {
                for _ in 0..n {
                    self.produced += 1;
                    match self.cluster.produce(0, self.acks) {
                        Ok(written) => {
                            self.acknowledged += u64::from(written.acknowledged);
                            self.cluster.replicate(self.clock);
                        }
                        Err(err) => {
                            self.refused += 1;
                            self.message = Some((false, err.to_string()));
                        }
                    }
                    self.settle();
                }
            }
            Action::Fail(broker) => {
                self.cluster.fail_broker(broker);
                self.settle();
                self.message = Some((true, format!("Broker {broker} is down.")));
            }
            Action::Restore(broker) => {
                self.cluster.restore_broker(self.clock, broker);
                self.settle();
                self.message = Some((true, format!("Broker {broker} is back and catching up.")));
            }
            Action::ToggleStall(broker) => {
                let stalled = !self.stalled(broker);
                self.cluster.set_stalled(broker, stalled);
                self.cluster.replicate(self.clock);
                self.settle();
            }
            Action::Advance => {
                self.clock += ADVANCE;
                self.cluster.replicate(self.clock);
                self.cluster.handle_timeout(self.clock);
                self.settle();
            }
        }
    }

    /// Counts `acks=all` writes the ISR acknowledged and writes that failed with their leader.
    fn settle(&mut self) {
        self.acknowledged += self.cluster.poll_acknowledged().len() as u64;
        self.refused += self.cluster.poll_failed().len() as u64;
    }

    /// Whether `broker` is up but not fetching.
    #[must_use]
    pub fn stalled(&self, broker: BrokerId) -> bool {
        self.cluster.is_stalled(broker)
    }
}

super::reducible!(ReplicationState, Action);

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(brokers: &str, rf: &str, min_isr: &str, unclean: bool) -> Action {
        Action::Configure {
            brokers: brokers.into(),
            replication_factor: rf.into(),
            min_isr: min_isr.into(),
            unclean,
        }
    }

    #[test]
    fn acks_all_is_refused_below_min_insync_replicas() {
        let mut state = ReplicationState::default();
        state.apply(Action::Produce(3));
        assert_eq!(
            (state.produced, state.acknowledged, state.refused),
            (3, 3, 0)
        );
        state.apply(Action::Fail(1));
        state.apply(Action::Fail(2));
        state.apply(Action::Produce(1));
        assert_eq!(state.refused, 1);
        assert!(
            state
                .message
                .as_ref()
                .is_some_and(|(ok, m)| !ok && m.starts_with("NOT_ENOUGH_REPLICAS"))
        );
    }

    /// Unreplicated acks=1 writes, then broker 0 (the leader) fails after `advances` × 10 s.
    fn lose_the_leader(unclean: bool, advances: usize) -> ReplicationState {
        let mut state = ReplicationState::default();
        state.apply(configure("3", "3", "1", unclean));
        state.apply(Action::SetAcks("1".into()));
        state.apply(Action::ToggleStall(1));
        state.apply(Action::ToggleStall(2));
        state.apply(Action::Produce(2));
        for _ in 0..advances {
            state.apply(Action::Advance);
        }
        state.apply(Action::Fail(0));
        state
    }

    #[test]
    fn acks_1_writes_are_lost_when_a_lagging_follower_still_in_the_isr_takes_over() {
        let state = lose_the_leader(false, 0);
        assert_eq!(
            state.cluster.partitions()[0].leader,
            Some(1),
            "clean election: broker 1 is still in sync"
        );
        assert_eq!(state.cluster.lost_acknowledged().len(), 2);
    }

    #[test]
    fn once_the_isr_shrank_a_clean_cluster_goes_offline_and_an_unclean_one_loses_data() {
        let clean = lose_the_leader(false, 4);
        assert_eq!(
            clean.cluster.partitions()[0].leader,
            None,
            "no in-sync replica is alive: offline"
        );
        assert!(clean.cluster.lost_acknowledged().is_empty());
        let unclean = lose_the_leader(true, 4);
        assert_eq!(
            unclean.cluster.partitions()[0].leader,
            Some(1),
            "unclean election"
        );
        assert_eq!(unclean.cluster.lost_acknowledged().len(), 2);
    }

    #[test]
    fn bad_settings_are_refused_with_a_message() {
        let mut state = ReplicationState::default();
        for action in [
            configure("6", "3", "2", false),
            configure("3", "4", "2", false),
            configure("x", "1", "1", false),
            Action::SetAcks("2".into()),
        ] {
            state.apply(action.clone());
            assert!(
                state.message.as_ref().is_some_and(|(ok, _)| !ok),
                "{action:?}"
            );
            assert_eq!(state.cluster.config().brokers, 3);
        }
    }
}
