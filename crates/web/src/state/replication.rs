//! The replication view: 1–[`MAX_BROKERS`] brokers and one replicated partition, as a world in the
//! model's worker ([`super::world`]), with a producer whose `acks` the user picks and the controls to
//! kill, restart or stall brokers.
//!
//! Followers fetch right after every write unless their broker is down or stalled, so what the view
//! shows is what the protocol does: a stalled follower leaves the ISR once it is
//! `replica.lag.time.max.ms` (30 s) behind, `acks=all` is refused below `min.insync.replicas`, a leader's
//! failure elects the next in-sync replica (or, with unclean election, any live one), and writes
//! acknowledged by a leader that failed before replicating them are listed as lost. The brokers, the
//! replication factor, `min.insync.replicas` and unclean election shape the cluster: changing them
//! starts a new world (a new timeline), as creating a new cluster would.

use kplay_core::config::SCRIPT_VERSION;
use kplay_core::world::Action;
use kplay_core::world::script::AcksSpec;
use kplay_worker::protocol::Intent;

/// The page's number for the replication view's world.
pub const VIEW: u32 = 3;
/// The topic.
pub const TOPIC: &str = "replicated";
/// Most brokers the view draws.
pub const MAX_BROKERS: u32 = 5;
/// Records one press of "produce" writes.
pub const BATCH: u64 = 5;
/// Simulated milliseconds "let time pass" moves.
pub const PASS_MS: u64 = 10_000;
/// The producer's name: `linger.ms` 0, so each record is written the moment it is produced.
const PRODUCER: &str = "producer";

/// The cluster's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Brokers.
    pub brokers: u32,
    /// The topic's replication factor.
    pub replication_factor: u32,
    /// `min.insync.replicas`.
    pub min_insync_replicas: u32,
    /// `unclean.leader.election.enable`.
    pub unclean: bool,
}

impl Default for Shape {
    /// Three brokers, three replicas and `min.insync.replicas` 2 (Kafka's default is 1; 2 is the usual
    /// production setting: `acks=all` then survives one broker down and is refused when two are).
    fn default() -> Self {
        Self {
            brokers: 3,
            replication_factor: 3,
            min_insync_replicas: 2,
            unclean: false,
        }
    }
}

impl Shape {
    /// The shape the fields ask for, as typed.
    ///
    /// # Errors
    /// A message naming the first field that is not a whole number from 1 to [`MAX_BROKERS`].
    pub fn parse(brokers: &str, rf: &str, min_isr: &str, unclean: bool) -> Result<Self, String> {
        let parse = |text: &str, what: &str| {
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_BROKERS).contains(n))
                .ok_or_else(|| {
                    format!("{what}: {text:?} is not a whole number from 1 to {MAX_BROKERS}.")
                })
        };
        Ok(Self {
            brokers: parse(brokers, "Brokers")?,
            replication_factor: parse(rf, "Replication factor")?,
            min_insync_replicas: parse(min_isr, "min.insync.replicas")?,
            unclean,
        })
    }

    /// The world of this shape, empty, as the JSON `kplay world` reads. (Written out rather than
    /// serialized: the page carries no code to read or write scripts.)
    #[must_use]
    pub fn script(self) -> String {
        format!(
            concat!(
                r#"{{"version":{version},"seed":0,"brokers":{brokers},"#,
                r#""topics":[{{"name":"{topic}","partitions":1,"replication_factor":{rf},"#,
                r#""config":{{"min.insync.replicas":{min_isr},"unclean.leader.election.enable":{unclean}}}}}],"#,
                r#""producers":[{{"name":"{producer}","config":{{"linger.ms":0}}}}],"actions":[]}}"#
            ),
            version = SCRIPT_VERSION,
            brokers = self.brokers,
            topic = TOPIC,
            rf = self.replication_factor,
            min_isr = self.min_insync_replicas,
            unclean = self.unclean,
            producer = PRODUCER,
        )
    }
}

/// `acks` as the select names it.
///
/// # Errors
/// A message naming the field for anything but `0`, `1` and `all`.
pub fn acks(choice: &str) -> Result<AcksSpec, String> {
    match choice {
        "0" => Ok(AcksSpec::Zero),
        "1" => Ok(AcksSpec::One),
        "all" | "-1" => Ok(AcksSpec::All),
        other => Err(format!("acks: {other:?} is not 0, 1 or all.")),
    }
}

/// [`BATCH`] records with `acks`.
#[must_use]
pub fn produce(acks: AcksSpec) -> Intent {
    Intent::Actions {
        actions: vec![Action::Produce {
            topic: TOPIC.into(),
            key: None,
            value_bytes: 100,
            tombstone: false,
            acks: Some(acks),
            count: BATCH,
            interval_ms: 0,
            producer: Some(PRODUCER.into()),
        }],
    }
}

/// What a broker's button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokerChange {
    /// Kill it.
    Kill,
    /// Bring it back.
    Restart,
    /// Stop it fetching.
    Stall,
    /// Let it fetch again.
    Unstall,
}

/// `change` to `broker`.
#[must_use]
pub fn broker(broker: u32, change: BrokerChange) -> Intent {
    let action = match change {
        BrokerChange::Kill => Action::KillBroker { broker },
        BrokerChange::Restart => Action::RestartBroker { broker },
        BrokerChange::Stall => Action::StallBroker { broker },
        BrokerChange::Unstall => Action::UnstallBroker { broker },
    };
    Intent::Actions {
        actions: vec![action],
    }
}

#[cfg(test)]
mod tests {
    use kplay_worker::engine::Engine;
    use kplay_worker::protocol::{Reply, Request};

    use super::*;
    use crate::state::testing::run;

    #[test]
    fn acks_all_is_refused_below_min_insync_replicas() {
        let at = |until_ms| {
            run(
                VIEW,
                Shape::default().script(),
                &[
                    (0, produce(AcksSpec::All)),
                    (1_000, broker(1, BrokerChange::Kill)),
                    (1_000, broker(2, BrokerChange::Kill)),
                    (2_000, produce(AcksSpec::All)),
                ],
                until_ms,
            )
        };
        let last_error = |frame: &kplay_worker::protocol::WorldFrame| {
            frame
                .state
                .produced
                .last()
                .and_then(|p| p.error.clone())
                .map(String::from)
        };
        let frame = at(2_000);
        let t = frame.tally;
        assert_eq!(
            (t.produced, t.acknowledged, t.retrying, t.failed),
            (10, 5, 5, 0)
        );
        assert_eq!(last_error(&frame).as_deref(), Some("NOT_ENOUGH_REPLICAS"));
        // Retried until delivery.timeout.ms (120 s) has passed since the batch was created.
        let later = at(122_000);
        assert_eq!((later.tally.retrying, later.tally.failed), (0, 5));
        assert_eq!(last_error(&later).as_deref(), Some("TIMEOUT"));
    }

    #[test]
    fn acks_1_writes_are_lost_when_the_leader_fails_before_replicating_them() {
        let shape = Shape::parse("3", "3", "1", false).expect("valid");
        let frame = run(
            VIEW,
            shape.script(),
            &[
                (0, broker(1, BrokerChange::Stall)),
                (0, broker(2, BrokerChange::Stall)),
                (0, produce(AcksSpec::One)),
                (1_000, broker(0, BrokerChange::Kill)),
            ],
            1_000,
        );
        assert_eq!(frame.lost_writes.len(), BATCH as usize);
        let partition = &frame.state.topics.0[0].1.partitions[0];
        assert_eq!(partition.leader, Some(1), "still in sync by time: clean");
        assert!(!frame.brokers[0].alive && frame.brokers[1].stalled);
    }

    #[test]
    fn shapes_and_acks_are_checked_with_the_field_named() {
        assert_eq!(
            Shape::parse("6", "3", "2", false),
            Err("Brokers: \"6\" is not a whole number from 1 to 5.".into())
        );
        assert!(
            Shape::parse("3", "x", "2", false).is_err_and(|m| m.starts_with("Replication factor"))
        );
        assert!(acks("2").is_err_and(|m| m.starts_with("acks")));
        let mut engine = Engine::default();
        let reply = engine.handle(
            Request::WorldOpen {
                view: VIEW,
                script: Shape::parse("3", "4", "2", false)
                    .expect("in range")
                    .script(),
                at_ms: 0,
            },
            &|| 0.0,
        );
        let Reply::WorldRefused { problems, .. } = reply else {
            panic!("accepted a replication factor above the brokers: {reply:?}")
        };
        assert!(problems.contains("replication_factor"), "{problems}");
    }
}
