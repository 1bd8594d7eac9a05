//! The partition view: one topic and one consumer group reading it, as a world in the model's worker
//! ([`super::world`]).
//!
//! What the controls do becomes the world's actions ([`Intent`]s): producing is a `produce` action
//! (murmur2 for a key, the sticky partitioner without one), growing the partition count `add-partitions`
//! (the records stay, keys may move, the group rebalances), consumers `join`, `leave` and `crash` with the
//! chosen `partition.assignment.strategy`. Kafka cannot remove partitions, so lowering the count starts
//! an empty topic and a new timeline, and says so. The consumers read from the earliest offset, each
//! [`RECORDS_PER_SECOND`] records per second of simulated time, and commit after each record, so the lag
//! shown is the high watermark minus the committed offset (`-` before the group's first commit there, as
//! `kafka-consumer-groups.sh` shows it). Everything here reads the frame or builds intents: the world
//! itself, with its rebalances and sessions, runs in the worker.

use kplay_core::config::SCRIPT_VERSION;
use kplay_core::group::assignor::Strategy;
use kplay_core::world::Action;
use kplay_core::world::state::GroupView;
use kplay_worker::protocol::{Intent, WorldFrame};

use super::whole_number;

/// Consumers a group may have: the world's limit.
pub use kplay_core::config::MAX_MEMBERS as MAX_CONSUMERS;
/// Partition counts the partition view offers: the core's limit.
pub use kplay_core::config::PARTITIONS;

/// The page's number for the partition view's world.
pub const VIEW: u32 = 1;
/// Partitions of the topic when the app starts.
pub const DEFAULT_PARTITIONS: u32 = 6;
/// Name of the topic the partition view produces to.
pub const TOPIC: &str = "orders";
/// The consumer group's id.
pub const GROUP: &str = "order-readers";
/// Records each consumer processes per second of simulated time.
pub const RECORDS_PER_SECOND: f64 = 5.0;
/// Most records per second a keyed stream writes.
pub const MAX_PRODUCE_RATE: u32 = 1_000;
/// Seconds of simulated time a keyed stream lasts.
pub const STREAM_SECONDS: u64 = 60;

/// The view's world when the app starts, as the JSON `kplay world` reads: one broker and the topic,
/// empty. (Written out rather than serialized: the page carries no code to read or write scripts.)
#[must_use]
pub fn script(partitions: u32) -> String {
    format!(
        r#"{{"version":{SCRIPT_VERSION},"seed":0,"brokers":1,"topics":[{{"name":"{TOPIC}","partitions":{partitions},"replication_factor":1}}],"actions":[]}}"#
    )
}

/// One record with `key` (`None`: no key).
#[must_use]
pub fn produce(key: Option<String>) -> Intent {
    Intent::Actions {
        actions: vec![Action::Produce {
            topic: TOPIC.into(),
            key,
            value_bytes: 100,
            tombstone: false,
            acks: None,
            count: 1,
            interval_ms: 0,
            producer: None,
        }],
    }
}

/// A stream of keyed records (`key-0`, `key-1`, …) at `typed` records per second for
/// [`STREAM_SECONDS`].
///
/// # Errors
/// A message naming the field when `typed` is not a rate from 1 to [`MAX_PRODUCE_RATE`].
pub fn stream(typed: &str) -> Result<Intent, String> {
    let rate = whole_number("Records per second", typed, 1..=MAX_PRODUCE_RATE)?;
    Ok(Intent::Actions {
        actions: vec![Action::Produce {
            topic: TOPIC.into(),
            key: Some("key-{i}".into()),
            value_bytes: 100,
            tombstone: false,
            acks: None,
            count: u64::from(rate) * STREAM_SECONDS,
            interval_ms: 1_000 / u64::from(rate),
            producer: None,
        }],
    })
}

/// `count` consumers join with `strategy`.
#[must_use]
pub fn join(count: u32, strategy: Strategy) -> Intent {
    Intent::Join {
        group: GROUP.into(),
        topic: TOPIC.into(),
        count,
        strategy: strategy.name().into(),
        records_per_s: RECORDS_PER_SECOND,
    }
}

/// The newest live consumer leaves or, with `crash`, crashes.
#[must_use]
pub fn stop_newest(crash: bool) -> Intent {
    Intent::Stop {
        group: GROUP.into(),
        count: 1,
        crash,
    }
}

/// What the partition count field asks for, as typed, with `current` partitions now: growing adds partitions, shrinking recreates the
/// topic, the same count does nothing (`None`).
///
/// # Errors
/// A message naming the field when `typed` is not a count the core allows.
pub fn set_partitions(current: u32, typed: &str) -> Result<Option<Intent>, String> {
    let requested = whole_number("Partitions", typed, PARTITIONS)?;
    Ok(match requested.cmp(&current) {
        std::cmp::Ordering::Greater => Some(Intent::Actions {
            actions: vec![Action::AddPartitions {
                topic: TOPIC.into(),
                partitions: requested,
            }],
        }),
        std::cmp::Ordering::Less => Some(Intent::Recreate {
            topic: TOPIC.into(),
            partitions: requested,
        }),
        std::cmp::Ordering::Equal => None,
    })
}

/// What the consumer count field asks for, as typed, with `live` consumers now: consumers join, or the
/// newest leave.
///
/// # Errors
/// A message naming the field when `typed` is not a count from 0 to [`MAX_CONSUMERS`].
pub fn set_consumers(
    live: usize,
    typed: &str,
    strategy: Strategy,
) -> Result<Option<Intent>, String> {
    let target = whole_number("Consumers", typed, 0..=MAX_CONSUMERS)?;
    Ok(match target.cmp(&live) {
        std::cmp::Ordering::Greater => Some(join((target - live) as u32, strategy)),
        std::cmp::Ordering::Less => Some(Intent::Stop {
            group: GROUP.into(),
            count: (live - target) as u32,
            crash: false,
        }),
        std::cmp::Ordering::Equal => None,
    })
}

/// Switching the assignor: the group's consumers leave and as many join with `strategy`.
#[must_use]
pub fn restart(strategy: Strategy) -> Intent {
    Intent::Restart {
        group: GROUP.into(),
        topic: TOPIC.into(),
        strategy: strategy.name().into(),
        records_per_s: RECORDS_PER_SECOND,
    }
}

/// The view's group in `frame`, once a consumer has joined.
#[must_use]
pub fn group(frame: &WorldFrame) -> Option<&GroupView> {
    frame.state.groups.get(GROUP)
}

/// Partitions of the topic in `frame`.
#[must_use]
pub fn partition_count(frame: &WorldFrame) -> u32 {
    frame
        .state
        .topics
        .get(TOPIC)
        .map_or(0, |t| t.partitions.len() as u32)
}

/// Live consumers in the group.
#[must_use]
pub fn live_consumers(frame: &WorldFrame) -> usize {
    group(frame).map_or(0, |g| g.members.0.iter().filter(|(_, m)| m.alive).count())
}

/// One partition as its lane shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lane {
    /// The live consumer that owns it.
    pub owner: Option<String>,
    /// The group's committed offset.
    pub committed: Option<u64>,
    /// The group's lag (`None` before its first commit there).
    pub lag: Option<u64>,
    /// The next offset to be written.
    pub log_end_offset: u64,
}

/// Every partition's lane, in one pass over the group's members.
#[must_use]
pub fn lanes(frame: &WorldFrame) -> Vec<Lane> {
    let Some(topic) = frame.state.topics.get(TOPIC) else {
        return Vec::new();
    };
    let mut lanes: Vec<Lane> = topic
        .partitions
        .iter()
        .map(|p| Lane {
            log_end_offset: p.log_end_offset,
            ..Lane::default()
        })
        .collect();
    if let Some(group) = group(frame) {
        for (name, member) in group.members.0.iter().filter(|(_, m)| m.alive) {
            for (_, p) in member.assigned.iter().filter(|(t, _)| t == TOPIC) {
                if let Some(lane) = lanes.get_mut(*p as usize) {
                    lane.owner.get_or_insert_with(|| name.clone());
                }
            }
        }
        if let Some(offsets) = group.offsets.get(TOPIC) {
            for (lane, (_, offset)) in lanes.iter_mut().zip(&offsets.0) {
                lane.committed = offset.committed;
                lane.lag = offset.lag;
            }
        }
    }
    lanes
}

#[cfg(test)]
mod tests {
    use kplay_worker::engine::Engine;
    use kplay_worker::protocol::{Reply, Request};

    use super::*;

    fn open(engine: &mut Engine, partitions: u32) -> Box<WorldFrame> {
        frame(engine.handle(
            Request::WorldOpen {
                view: VIEW,
                script: script(partitions),
                at_ms: 0,
            },
            &|| 0.0,
        ))
    }

    fn frame(reply: Reply) -> Box<WorldFrame> {
        match reply {
            Reply::World { frame, .. } => frame,
            other => panic!("no frame: {other:?}"),
        }
    }

    fn act(engine: &mut Engine, intent: Intent) -> Box<WorldFrame> {
        frame(engine.handle(Request::WorldAct { view: VIEW, intent }, &|| 0.0))
    }

    fn go(engine: &mut Engine, at_ms: u64) -> Box<WorldFrame> {
        frame(engine.handle(Request::WorldGo { view: VIEW, at_ms }, &|| 0.0))
    }

    #[test]
    fn the_starting_script_is_the_one_kplay_world_reads() {
        let parsed: kplay_core::world::Script = serde_json::from_str(&script(6)).expect("a script");
        assert_eq!(parsed.topics[0].name, TOPIC);
        assert_eq!(parsed.topics[0].partitions, 6);
        assert!(parsed.check().is_empty());
    }

    #[test]
    fn typed_counts_become_intents_or_name_the_field() {
        let mut engine = Engine::default();
        let current = partition_count(&open(&mut engine, 6));
        assert_eq!(current, 6);
        assert_eq!(set_partitions(current, "6"), Ok(None));
        assert!(matches!(
            set_partitions(current, " 8 "),
            Ok(Some(Intent::Actions { .. }))
        ));
        assert!(matches!(
            set_partitions(current, "2"),
            Ok(Some(Intent::Recreate { partitions: 2, .. }))
        ));
        assert_eq!(
            set_partitions(current, "1025"),
            Err("Partitions: \"1025\" is not a whole number from 1 to 1024.".into())
        );
        assert!(set_consumers(0, "-1", Strategy::Range).is_err());
        assert_eq!(set_consumers(0, "0", Strategy::Range), Ok(None));
        assert!(matches!(
            set_consumers(3, "1", Strategy::Range),
            Ok(Some(Intent::Stop { count: 2, .. }))
        ));
        assert!(stream("0").is_err());
        assert!(stream("1001").is_err());
    }

    #[test]
    fn consumers_split_the_partitions_and_read_them_to_the_end() {
        let mut engine = Engine::default();
        open(&mut engine, 6);
        for key in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            act(&mut engine, produce(Some(key.into())));
        }
        act(&mut engine, join(3, Strategy::Range));
        let read = go(&mut engine, 30_000);
        let lanes = lanes(&read);
        assert_eq!(lanes.len(), 6);
        let owners: Vec<_> = lanes.iter().map(|l| l.owner.as_deref()).collect();
        assert_eq!(
            owners,
            [
                Some("consumer-1"),
                Some("consumer-1"),
                Some("consumer-2"),
                Some("consumer-2"),
                Some("consumer-3"),
                Some("consumer-3")
            ]
        );
        assert_eq!(lanes.iter().map(|l| l.log_end_offset).sum::<u64>(), 8);
        // Read to the end; a partition that never had a record has no commit, so no lag to show.
        assert!(
            lanes
                .iter()
                .all(|l| l.lag == (l.log_end_offset > 0).then_some(0)),
            "{lanes:?}"
        );
        assert_eq!(live_consumers(&read), 3);
    }

    #[test]
    fn a_crashed_consumer_keeps_its_partitions_until_its_session_expires() {
        let mut engine = Engine::default();
        open(&mut engine, 4);
        act(&mut engine, join(2, Strategy::Range));
        go(&mut engine, 10_000);
        act(&mut engine, stop_newest(true));
        let waiting = go(&mut engine, 40_000);
        assert_eq!(
            lanes(&waiting).iter().filter(|l| l.owner.is_none()).count(),
            2
        );
        let expired = go(&mut engine, 70_000);
        assert!(
            lanes(&expired)
                .iter()
                .all(|l| l.owner.as_deref() == Some("consumer-1"))
        );
        assert!(
            expired.rounds.iter().any(|r| r.contains("session expired")),
            "{:?}",
            expired.rounds
        );
    }
}
