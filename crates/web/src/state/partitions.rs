//! The partition view: one topic and the consumer groups reading it, as a world in the model's worker
//! ([`super::world`]).
//!
//! What the controls do becomes the world's actions ([`Intent`]s): producing is a `produce` action
//! (murmur2 for a key, the sticky partitioner without one), growing the partition count `add-partitions`
//! (the records stay, keys may move, the groups rebalance), consumers `join`, `leave` and `crash` with the
//! chosen `partition.assignment.strategy`. Kafka cannot remove partitions, so lowering the count starts
//! an empty topic and a new timeline, and says so. Up to four groups ([`GROUPS`]) read the topic, each
//! on its own: a queue within a group, publish–subscribe across groups. The controls act on one of them;
//! "Add group" starts the next with one consumer, removing one is `kafka-consumer-groups.sh --delete`
//! (refused while a crashed member is still in it), and resetting one is `--reset-offsets`, done as an
//! operator does (stop the consumers, reset, start them again). Consumers read from the earliest offset,
//! each [`RECORDS_PER_SECOND`] records per second of simulated time, and auto-commit every 5 s as Kafka's
//! consumers do, so the lag shown (the high watermark minus the committed offset, `-` before the group's
//! first commit there, as `kafka-consumer-groups.sh` shows it) moves in steps. Everything here reads the frame or builds intents: the
//! world itself, with its rebalances and sessions, runs in the worker.

use kplay_core::config::{MAX_AT_MS, SCRIPT_VERSION};
use kplay_core::group::assignor::Assignor;
use kplay_core::world::Action;
use kplay_core::world::script::{ResetName, ResetSpec};
use kplay_core::world::state::{GroupView, SharePartitionView};
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
/// The consumer groups the view offers, in the order "Add group" creates them: each reads every record
/// of the topic on its own (publish–subscribe across groups, a queue within one).
pub const GROUPS: [&str; 4] = ["order-readers", "billing", "shipping", "analytics"];
/// The group the view starts with.
pub const GROUP: &str = GROUPS[0];
/// Records each consumer processes per second of simulated time.
pub const RECORDS_PER_SECOND: f64 = 5.0;
/// Most records per second a keyed stream writes.
pub const MAX_PRODUCE_RATE: u32 = 1_000;
/// Seconds of simulated time a keyed stream lasts.
pub const STREAM_SECONDS: u64 = 60;

/// The view's transactional producer, which the producer form writes with while it has a transaction
/// open, and its `transactional.id`.
pub const TX_PRODUCER: &str = "checkout";
/// [`TX_PRODUCER`]'s `transactional.id`.
pub const TRANSACTIONAL_ID: &str = "checkout-tx";

/// The view's world when the app starts, as the JSON `kplay world` reads: one broker and the topic,
/// empty, and a producer with a `transactional.id`. (Written out rather than serialized: the page
/// carries no code to read or write scripts.)
#[must_use]
pub fn script(partitions: u32) -> String {
    format!(
        r#"{{"version":{SCRIPT_VERSION},"seed":0,"brokers":1,"topics":[{{"name":"{TOPIC}","partitions":{partitions},"replication_factor":1}}],"producers":[{{"name":"{TX_PRODUCER}","config":{{"transactional.id":"{TRANSACTIONAL_ID}"}}}}],"actions":[]}}"#
    )
}

/// One record with `key` (`None`: no key), by [`TX_PRODUCER`] inside its open transaction when
/// `in_transaction`.
#[must_use]
pub fn produce(key: Option<String>, in_transaction: bool) -> Intent {
    Intent::Actions {
        actions: vec![Action::Produce {
            topic: TOPIC.into(),
            key,
            value_bytes: 100,
            tombstone: false,
            acks: None,
            count: 1,
            interval_ms: 0,
            producer: in_transaction.then(|| TX_PRODUCER.into()),
        }],
    }
}

/// `begin-transaction`, `commit-transaction` or `abort-transaction` (by `call`) of [`TX_PRODUCER`].
#[must_use]
pub fn transaction(call: &str) -> Intent {
    let producer = TX_PRODUCER.to_owned();
    let action = match call {
        "begin" => Action::BeginTransaction { producer },
        "commit" => Action::CommitTransaction { producer },
        _ => Action::AbortTransaction { producer },
    };
    Intent::Actions {
        actions: vec![action],
    }
}

/// Whether [`TX_PRODUCER`] has a transaction open (as it believes).
#[must_use]
pub fn in_transaction(frame: &WorldFrame) -> bool {
    frame
        .state
        .transactions
        .get(TRANSACTIONAL_ID)
        .is_some_and(|t| t.producer_state == "in-transaction")
}

/// The transaction's line: "checkout-tx · epoch 0 · Ongoing since 4.2 s · 3 partitions", or what it
/// is before the first `begin`.
#[must_use]
pub fn transaction_status(frame: &WorldFrame) -> String {
    let Some(t) = frame.state.transactions.get(TRANSACTIONAL_ID) else {
        return format!(
            "{TRANSACTIONAL_ID} \u{b7} not registered yet (the first Begin calls initTransactions)"
        );
    };
    let since = t
        .started_ms
        .map(|ms| format!(" since {:.1} s", ms as f64 / 1_000.0))
        .unwrap_or_default();
    let held = match t.partitions.len() {
        0 => String::new(),
        1 => " \u{b7} 1 partition".to_owned(),
        n => format!(" \u{b7} {n} partitions"),
    };
    format!(
        "{TRANSACTIONAL_ID} \u{b7} epoch {} \u{b7} {}{since}{held} \u{b7} producer {}",
        t.epoch, t.state, t.producer_state
    )
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

/// `count` consumers join `group` with `strategy`, static members (each with a `group.instance.id`) when
/// `static_members`, reading only committed records when `read_committed`.
#[must_use]
pub fn join(
    group: &str,
    count: u32,
    strategy: Assignor,
    static_members: bool,
    read_committed: bool,
) -> Intent {
    Intent::Join {
        group: group.into(),
        topic: TOPIC.into(),
        count,
        strategy: strategy.name().into(),
        records_per_s: RECORDS_PER_SECOND,
        static_members,
        read_committed,
    }
}

/// The newest stopped static consumer of `group` comes back with its `group.instance.id`.
#[must_use]
pub fn rejoin(group: &str, strategy: Assignor) -> Intent {
    Intent::Rejoin {
        group: group.into(),
        topic: TOPIC.into(),
        strategy: strategy.name().into(),
        records_per_s: RECORDS_PER_SECOND,
    }
}

/// The newest live consumer of `group` leaves or, with `crash`, crashes.
#[must_use]
pub fn stop_newest(group: &str, crash: bool) -> Intent {
    Intent::Stop {
        group: group.into(),
        count: 1,
        crash,
    }
}

/// What the partition count field asks for, as typed, with `current` partitions now: growing adds
/// partitions, shrinking recreates the topic, the same count does nothing (`None`).
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

/// What the consumer count field asks for, as typed, with `live` consumers in `group` now: consumers
/// join, or the newest leave.
///
/// # Errors
/// A message naming the field when `typed` is not a count from 0 to [`MAX_CONSUMERS`].
pub fn set_consumers(
    group: &str,
    live: usize,
    typed: &str,
    strategy: Assignor,
    static_members: bool,
    read_committed: bool,
) -> Result<Option<Intent>, String> {
    let target = whole_number("Consumers", typed, 0..=MAX_CONSUMERS)?;
    Ok(match target.cmp(&live) {
        std::cmp::Ordering::Greater => Some(join(
            group,
            (target - live) as u32,
            strategy,
            static_members,
            read_committed,
        )),
        std::cmp::Ordering::Less => Some(Intent::Stop {
            group: group.into(),
            count: (live - target) as u32,
            crash: false,
        }),
        std::cmp::Ordering::Equal => None,
    })
}

/// Switching `group`'s assignor: its consumers leave and as many join with `strategy`.
#[must_use]
pub fn restart(group: &str, strategy: Assignor) -> Intent {
    Intent::Restart {
        group: group.into(),
        topic: TOPIC.into(),
        strategy: strategy.name().into(),
        records_per_s: RECORDS_PER_SECOND,
    }
}

/// The next of [`GROUPS`] not in `frame`, with one consumer joining it (reading from the earliest offset,
/// so the new group reads everything already written), reading only committed records when
/// `read_committed`.
///
/// # Errors
/// A message when every group the view offers is there.
pub fn add_group(
    frame: &WorldFrame,
    strategy: Assignor,
    read_committed: bool,
) -> Result<(String, Intent), String> {
    let name = GROUPS
        .iter()
        .find(|name| frame.state.groups.get(name).is_none())
        .ok_or_else(|| format!("The view shows at most {} groups.", GROUPS.len()))?;
    Ok((
        (*name).to_owned(),
        join(name, 1, strategy, false, read_committed),
    ))
}

/// `group`'s consumers leave and the group is deleted with its committed offsets.
#[must_use]
pub fn remove_group(group: &str) -> Intent {
    Intent::RemoveGroup {
        group: group.into(),
    }
}

/// `kafka-consumer-groups.sh --reset-offsets` on `group` `to` `earliest`, `latest`, an `offset`
/// (`--to-offset`) or a `timestamp` (`--to-datetime`, the first offset at or after it), the last two at
/// the typed `at` (an offset, or milliseconds of simulated time); done as an operator does: its
/// consumers stop, the offsets move, as many start again with `strategy`.
///
/// # Errors
/// A message naming the choice or the typed value that is not one.
pub fn reset_offsets(
    group: &str,
    to: &str,
    at: &str,
    strategy: Assignor,
) -> Result<Intent, String> {
    let to = match to {
        "earliest" => ResetSpec::Named(ResetName::Earliest),
        "latest" => ResetSpec::Named(ResetName::Latest),
        "offset" => ResetSpec::Offset {
            offset: whole_number("Reset offsets to offset", at, 0..=u64::MAX)?,
        },
        "timestamp" => ResetSpec::Timestamp {
            timestamp_ms: whole_number("Reset offsets to time (ms)", at, 0..=MAX_AT_MS)?,
        },
        other => {
            return Err(format!(
                "Reset offsets: {} is not earliest, latest, offset or timestamp.",
                kplay_core::problem::quote(other)
            ));
        }
    };
    Ok(Intent::ResetOffsets {
        group: group.into(),
        topic: TOPIC.into(),
        to,
        strategy: strategy.name().into(),
        records_per_s: RECORDS_PER_SECOND,
    })
}

/// The groups in `frame`, in the order they were created.
#[must_use]
pub fn groups(frame: &WorldFrame) -> Vec<(&str, &GroupView)> {
    frame
        .state
        .groups
        .0
        .iter()
        .map(|(name, group)| (name.as_str(), group))
        .collect()
}

/// `name` if `frame` has that group, else the first group, else [`GROUP`]: the group the controls act on.
#[must_use]
pub fn selected<'a>(frame: &'a WorldFrame, name: &'a str) -> &'a str {
    if frame.state.groups.get(name).is_some() {
        name
    } else {
        frame
            .state
            .groups
            .0
            .first()
            .map_or(GROUP, |(first, _)| first.as_str())
    }
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

/// Live consumers in `group`.
#[must_use]
pub fn live_consumers(frame: &WorldFrame, group: &str) -> usize {
    frame
        .state
        .groups
        .get(group)
        .map_or(0, |g| g.members.0.iter().filter(|(_, m)| m.alive).count())
}

/// One partition as its lane shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lane {
    /// The first offset still stored.
    pub log_start_offset: u64,
    /// Consumers read below it.
    pub high_watermark: u64,
    /// `read_committed` consumers read below it.
    pub last_stable_offset: u64,
    /// The next offset to be written.
    pub log_end_offset: u64,
    /// What each group (in the frame's order) does with this partition.
    pub groups: Vec<LaneGroup>,
    /// Each share group that reads it: its name and the share-partition's state.
    pub share: Vec<(String, SharePartitionView)>,
}

/// One group's hold on one partition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LaneGroup {
    /// The live consumer that owns it.
    pub owner: Option<String>,
    /// A crashed consumer that still owns it until its session expires.
    pub ghost: Option<String>,
    /// The group's committed offset (auto-committed every 5 s: up to 5 s behind the owner's position).
    pub committed: Option<u64>,
    /// The group's lag (`None` before its first commit there).
    pub lag: Option<u64>,
}

/// Every partition's lane, with every group's hold on it, in one pass over each group's members.
#[must_use]
pub fn lanes(frame: &WorldFrame) -> Vec<Lane> {
    let Some(topic) = frame.state.topics.get(TOPIC) else {
        return Vec::new();
    };
    let groups = groups(frame);
    let mut lanes: Vec<Lane> = topic
        .partitions
        .iter()
        .map(|p| Lane {
            log_start_offset: p.log_start_offset,
            high_watermark: p.high_watermark,
            last_stable_offset: p.last_stable_offset,
            log_end_offset: p.log_end_offset,
            groups: vec![LaneGroup::default(); groups.len()],
            share: Vec::new(),
        })
        .collect();
    for (name, group) in &frame.state.share_groups.0 {
        for (p, view) in group.partitions.get(TOPIC).map_or(&[][..], |p| &p.0) {
            let lane = p.parse::<usize>().ok().and_then(|p| lanes.get_mut(p));
            if let Some(lane) = lane {
                lane.share.push((name.clone(), view.clone()));
            }
        }
    }
    for (g, (_, group)) in groups.iter().enumerate() {
        for (name, member) in &group.members.0 {
            for (_, p) in member.assigned.iter().filter(|(t, _)| t == TOPIC) {
                if let Some(hold) = lanes.get_mut(*p as usize).map(|lane| &mut lane.groups[g]) {
                    let slot = if member.alive {
                        &mut hold.owner
                    } else {
                        &mut hold.ghost
                    };
                    slot.get_or_insert_with(|| name.clone());
                }
            }
        }
        if let Some(offsets) = group.offsets.get(TOPIC) {
            for (lane, (_, offset)) in lanes.iter_mut().zip(&offsets.0) {
                lane.groups[g].committed = offset.committed;
                lane.groups[g].lag = offset.lag;
            }
        }
    }
    lanes
}

/// A group's generation, or its group epoch under the consumer protocol: "generation 2", "group epoch 3".
#[must_use]
pub fn epoch_label(group: &GroupView) -> String {
    let word = if group.protocol == "consumer" {
        "group epoch"
    } else {
        "generation"
    };
    format!("{word} {}", group.generation)
}

/// A group's generation or group epoch and any rebalance under way, as the group panel says it:
/// "generation 2 · rebalancing…" (classic), "group epoch 3 · Reconciling…" (consumer protocol).
#[must_use]
pub fn group_status(group: &GroupView) -> String {
    let busy = if group.protocol == "consumer" {
        let settled = group.state == "Stable" || group.state == "Empty";
        format!(
            " \u{b7} {}{}",
            group.state,
            if settled { "" } else { "\u{2026}" }
        )
    } else if group.rebalance_since_ms.is_some() {
        " \u{b7} rebalancing\u{2026}".to_owned()
    } else {
        String::new()
    };
    format!("{}{busy}", epoch_label(group))
}

/// What the diagram shows now, in words, for a screen reader's live region: each group's rebalance under
/// way and each crashed consumer still holding partitions. It changes only when one of those does.
#[must_use]
pub fn summary(frame: &WorldFrame) -> String {
    let mut said = Vec::new();
    for (name, group) in groups(frame) {
        if let Some(since) = group.rebalance_since_ms {
            let assignor = Assignor::of_group(&group.protocol, &group.strategy);
            let said_now = match assignor {
                Some(Assignor::Server(_)) => format!(
                    "{name} is {} since {}: each consumer gives up and takes partitions on its own heartbeat, the others keep reading.",
                    group.state.to_lowercase(),
                    super::seconds(since)
                ),
                Some(a) if !a.is_eager() => format!(
                    "{name} is rebalancing since {}: only the partitions that move stop until generation {}.",
                    super::seconds(since),
                    group.generation + 1
                ),
                _ => format!(
                    "{name} is rebalancing since {}: every consumer stopped reading until generation {}.",
                    super::seconds(since),
                    group.generation + 1
                ),
            };
            said.push(said_now);
        }
        for (member, view) in group.members.0.iter().filter(|(_, m)| !m.alive) {
            let held: Vec<String> = view.assigned.iter().map(|(_, p)| format!("P{p}")).collect();
            let expires = view
                .session_expires_ms
                .map_or_else(String::new, |at| format!(" at {}", super::seconds(at)));
            let how = if view.group_instance_id.is_some() {
                "stopped (a static member)"
            } else {
                "crashed"
            };
            said.push(if held.is_empty() {
                format!("{member} of {name} {how}; its session expires{expires}.")
            } else {
                format!(
                    "{member} of {name} {how}; its partitions {} wait for its session to expire{expires}.",
                    held.join(" ")
                )
            });
        }
    }
    if said.is_empty() {
        let groups = frame.state.groups.0.len();
        said.push(match groups {
            0 => "No consumer group reads the topic.".to_owned(),
            1 => "One group reads the topic; its consumers share the partitions.".to_owned(),
            n => format!("{n} groups each read every partition on their own."),
        });
    }
    said.join(" ")
}

#[cfg(test)]
mod tests {
    use kplay_worker::engine::Engine;
    use kplay_worker::protocol::{Reply, Request};

    use super::*;
    use kplay_core::group::assignor::Strategy;

    const RANGE: Assignor = Assignor::Client(Strategy::Range);

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
        assert!(set_consumers(GROUP, 0, "-1", RANGE, false, false).is_err());
        assert_eq!(set_consumers(GROUP, 0, "0", RANGE, false, false), Ok(None));
        assert!(matches!(
            set_consumers(GROUP, 3, "1", RANGE, false, false),
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
            act(&mut engine, produce(Some(key.into()), false));
        }
        act(&mut engine, join(GROUP, 3, RANGE, false, false));
        let read = go(&mut engine, 30_000);
        let lanes = lanes(&read);
        assert_eq!(lanes.len(), 6);
        let owners: Vec<_> = lanes.iter().map(|l| l.groups[0].owner.as_deref()).collect();
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
        // Read to the end; an auto-commit commits the position of an empty partition too, as Kafka's does.
        assert!(
            lanes.iter().all(|l| l.groups[0].lag == Some(0)),
            "{lanes:?}"
        );
        assert_eq!(live_consumers(&read, GROUP), 3);
    }

    #[test]
    fn a_crashed_consumer_keeps_its_partitions_until_its_session_expires() {
        let mut engine = Engine::default();
        open(&mut engine, 4);
        act(&mut engine, join(GROUP, 2, RANGE, false, false));
        go(&mut engine, 10_000);
        act(&mut engine, stop_newest(GROUP, true));
        let waiting = go(&mut engine, 40_000);
        assert_eq!(
            lanes(&waiting)
                .iter()
                .filter(|l| l.groups[0].owner.is_none())
                .count(),
            2
        );
        assert_eq!(
            lanes(&waiting)
                .iter()
                .filter(|l| l.groups[0].ghost.as_deref() == Some("consumer-2"))
                .count(),
            2,
            "the crashed consumer still holds its partitions"
        );
        assert!(
            summary(&waiting).contains(
                "consumer-2 of order-readers crashed; its partitions P2 P3 wait for its session to expire at 55.0 s."
            ),
            "{}",
            summary(&waiting)
        );
        let expired = go(&mut engine, 70_000);
        assert!(
            lanes(&expired)
                .iter()
                .all(|l| l.groups[0].owner.as_deref() == Some("consumer-1"))
        );
        assert!(
            expired.rounds[0]
                .1
                .iter()
                .any(|r| r.contains("session expired")),
            "{:?}",
            expired.rounds
        );
    }

    #[test]
    fn groups_read_the_topic_independently_and_can_be_reset_and_removed() {
        let mut engine = Engine::default();
        let empty = open(&mut engine, 2);
        assert_eq!(summary(&empty), "No consumer group reads the topic.");
        act(&mut engine, join(GROUP, 2, RANGE, false, false));
        act(&mut engine, stream("2").expect("a rate"));
        let (second, intent) = add_group(&go(&mut engine, 3_000), RANGE, false).expect("room");
        assert_eq!(second, "billing");
        act(&mut engine, intent);
        let during = go(&mut engine, 4_000);
        assert!(
            summary(&during).contains("billing is rebalancing since 3.0 s: every consumer stopped reading until generation 1."),
            "{}",
            summary(&during)
        );
        let read = go(&mut engine, 70_000);
        let read_lanes = lanes(&read);
        assert_eq!(selected(&read, "billing"), "billing");
        assert_eq!(selected(&read, "gone"), GROUP);
        // Both groups read every partition: a queue within each group, publish–subscribe across them.
        for lane in &read_lanes {
            assert_eq!(lane.groups.len(), 2);
            assert!(
                lane.groups
                    .iter()
                    .all(|g| g.owner.is_some() && g.committed == Some(lane.log_end_offset)),
                "{lane:?}"
            );
        }
        assert_eq!(
            summary(&read),
            "2 groups each read every partition on their own."
        );

        // Reset billing to the earliest offset: its lag is the whole log, then falls as it reads again.
        let reset = act(
            &mut engine,
            reset_offsets("billing", "earliest", "", RANGE).expect("a target"),
        );
        let lags = |frame: &WorldFrame, g: usize| -> u64 {
            lanes(frame)
                .iter()
                .map(|l| l.groups[g].lag.unwrap_or(0))
                .sum()
        };
        let total: u64 = lanes(&reset).iter().map(|l| l.log_end_offset).sum();
        assert_eq!((lags(&reset, 0), lags(&reset, 1)), (0, total));
        let later = go(&mut engine, 100_000);
        assert!(lags(&later, 1) < total, "billing reads again");
        assert!(
            reset_offsets("billing", "yesterday", "", RANGE)
                .expect_err("not a target")
                .contains("\"yesterday\"")
        );
        assert_eq!(
            reset_offsets("billing", "offset", "x7", RANGE).expect_err("not a number"),
            "Reset offsets to offset: \"x7\" is not a whole number from 0 to 18446744073709551615."
        );
        // To offset 3 on every partition: the lag is the log end minus 3 (or 0) on each.
        let to_three = act(
            &mut engine,
            reset_offsets("billing", "offset", "3", RANGE).expect("a target"),
        );
        let expected: u64 = lanes(&to_three)
            .iter()
            .map(|l| l.high_watermark.saturating_sub(3))
            .sum();
        assert_eq!(lags(&to_three, 1), expected);
        // To a time: the first offset at or after it, so the start of the run is the earliest offset.
        let to_start = act(
            &mut engine,
            reset_offsets("billing", "timestamp", "0", RANGE).expect("a target"),
        );
        let whole: u64 = lanes(&to_start)
            .iter()
            .map(|l| l.high_watermark - l.log_start_offset)
            .sum();
        assert_eq!(lags(&to_start, 1), whole);

        // Every group the view offers, then no more.
        let mut now = later;
        while now.state.groups.0.len() < GROUPS.len() {
            let (_, intent) = add_group(&now, RANGE, false).expect("room");
            now = act(&mut engine, intent);
        }
        assert!(add_group(&now, RANGE, false).is_err());
        let removed = act(&mut engine, remove_group("billing"));
        assert!(removed.state.groups.get("billing").is_none());
        assert_eq!(lanes(&removed)[0].groups.len(), GROUPS.len() - 1);
    }

    #[test]
    fn the_group_status_names_the_generation_or_the_group_epoch() {
        let mut engine = Engine::default();
        open(&mut engine, 6);
        act(&mut engine, join(GROUP, 2, RANGE, false, false));
        let frame = go(&mut engine, 100);
        let classic = frame.state.groups.get(GROUP).expect("the group");
        assert_eq!(
            group_status(classic),
            "generation 0 \u{b7} rebalancing\u{2026}"
        );
        let uniform = Assignor::Server(kplay_core::group::assignor::ServerAssignor::Uniform);
        act(&mut engine, restart(GROUP, uniform));
        let frame = go(&mut engine, 20_000);
        let consumer = frame.state.groups.get(GROUP).expect("the group");
        assert_eq!(consumer.protocol, "consumer");
        assert_eq!(group_status(consumer), "group epoch 2 \u{b7} Stable");
    }
}
