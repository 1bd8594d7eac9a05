//! The world: Kafka's behaviours through whole scripts, replay determinism, and invariants over random
//! action logs.

use std::collections::{BTreeMap, BTreeSet};

use kplay_core::partitioner::partition_for_key;
use kplay_core::time::{Duration, Instant};
use kplay_core::world::event::{EventKind, digest};
use kplay_core::world::state::{OffsetView, WorldState};
use kplay_core::world::timeline::Timeline;
use kplay_core::world::{Action, Script, ScriptAction, World};
use proptest::prelude::*;
use serde_json::json;

pub(crate) fn script(value: serde_json::Value) -> Script {
    serde_json::from_value(value).expect("a valid script document")
}

/// Runs every action, then the clock to `until_ms`.
pub(crate) fn run(script: &Script, until_ms: u64) -> World {
    let mut world = World::from_script(script).expect("the script is accepted");
    world.handle_timeout(Instant::from_millis(until_ms));
    world
}

pub(crate) fn events(world: &mut World) -> Vec<EventKind> {
    std::iter::from_fn(|| world.poll_event())
        .map(|e| e.kind)
        .collect()
}

pub(crate) fn owners(state: &WorldState, group: &str) -> BTreeMap<(String, u32), String> {
    let mut owners = BTreeMap::new();
    for (name, member) in &state.groups.get(group).expect("group").members.0 {
        for tp in &member.assigned {
            assert!(
                owners.insert(tp.clone(), name.clone()).is_none(),
                "{tp:?} has two owners in {group}"
            );
        }
    }
    owners
}

/// `group`'s committed offsets and lag on `topic`, by partition.
fn offsets_of<'a>(state: &'a WorldState, group: &str, topic: &str) -> &'a [(String, OffsetView)] {
    &state
        .groups
        .get(group)
        .expect("the group")
        .offsets
        .get(topic)
        .expect("the topic")
        .0
}

pub(crate) fn one_topic(partitions: u32, actions: serde_json::Value) -> Script {
    script(json!({
        "version": 1, "seed": 3, "brokers": 3,
        "topics": [{"name": "orders", "partitions": partitions, "replication_factor": 3,
                    "config": {"min.insync.replicas": 2}}],
        "actions": actions
    }))
}

#[test]
fn keyed_records_go_where_murmur2_puts_them() {
    let keys = ["order-1", "order-2", "user-7", "", "ü"];
    let actions: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| json!({"at_ms": i, "do": "produce", "topic": "orders", "key": k}))
        .collect();
    let world = run(&one_topic(6, json!(actions)), 1_000);
    let partitions = std::num::NonZeroU32::new(6).expect("positive");
    for (record, key) in world.state().produced.iter().zip(keys) {
        assert_eq!(
            record.partition,
            partition_for_key(key.as_bytes(), partitions),
            "{key:?}"
        );
        assert_eq!(record.status, "acknowledged");
    }
}

#[test]
fn keyless_records_stick_to_one_partition_until_batch_size() {
    // KIP-794: 1,000-byte batches and 91-byte values (100-byte records): a batch holds nine (961 bytes).
    // The tenth record closes it with 961 bytes produced, under batch.size, so it opens a second batch on
    // the same partition; the 19th finds that one complete with 1,922 bytes produced and switches
    // (RecordAccumulator.partitionChanged): runs of 18 records share a partition.
    let s = script(json!({
        "version": 1, "brokers": 1, "seed": 11,
        "topics": [{"name": "clicks", "partitions": 8}],
        "producers": [{"name": "web", "config": {"batch.size": 1000, "linger.ms": 1000}}],
        "actions": [{"at_ms": 0, "do": "produce", "topic": "clicks", "key": null, "value_bytes": 91,
                     "count": 60, "producer": "web"}]
    }));
    let world = run(&s, 5_000);
    let partitions: Vec<u32> = world.state().produced.iter().map(|r| r.partition).collect();
    assert_eq!(partitions.len(), 60);
    let switches: Vec<usize> = partitions
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] != w[1])
        .map(|(i, _)| i + 1)
        .collect();
    assert!(!switches.is_empty(), "{partitions:?}");
    assert!(
        switches.iter().all(|i| i % 18 == 0),
        "switches only every second batch: {switches:?} in {partitions:?}"
    );
}

#[test]
fn acks_all_waits_for_a_stalled_follower_until_it_leaves_the_isr() {
    let s = one_topic(
        1,
        json!([
            {"at_ms": 0, "do": "stall-broker", "broker": 2},
            {"at_ms": 10, "do": "produce", "topic": "orders", "key": "a"},
        ]),
    );
    let world = run(&s, 29_000);
    assert_eq!(world.state().produced[0].status, "waiting");
    assert_eq!(
        world
            .state()
            .topics
            .get("orders")
            .expect("topic")
            .partitions[0]
            .high_watermark,
        0
    );
    // The follower last caught up at 0 ms; 30 s later (replica.lag.time.max.ms) it leaves the ISR.
    let world = run(&s, 30_001);
    let state = world.state();
    let p = &state.topics.get("orders").expect("topic").partitions[0];
    assert_eq!((p.isr.clone(), p.high_watermark), (vec![0, 1], 1));
    assert_eq!(state.produced[0].status, "acknowledged");
    assert_eq!(state.produced[0].offset, Some(0));
}

#[test]
fn not_enough_replicas_refuses_acks_all_but_not_acks_1() {
    let s = one_topic(
        1,
        json!([
            {"at_ms": 0, "do": "kill-broker", "broker": 1},
            {"at_ms": 0, "do": "kill-broker", "broker": 2},
            {"at_ms": 10, "do": "produce", "topic": "orders", "key": "a", "acks": "all"},
            {"at_ms": 10, "do": "produce", "topic": "orders", "key": "b", "acks": "1"},
            {"at_ms": 10, "do": "produce", "topic": "orders", "key": "c", "acks": "0"},
        ]),
    );
    let outcome = |at_ms| {
        run(&s, at_ms)
            .state()
            .produced
            .iter()
            .map(|r| {
                (
                    r.status.to_string(),
                    r.error.as_deref().map(String::from),
                    r.offset,
                )
            })
            .collect::<Vec<_>>()
    };
    let expect = |status: &str, error: Option<&str>, offset: Option<u64>| {
        (status.to_string(), error.map(String::from), offset)
    };
    // NOT_ENOUGH_REPLICAS is retriable: the producer retries until delivery.timeout.ms (120 s) has
    // passed since the batch was created, then fails it with a TimeoutException.
    assert_eq!(
        outcome(1_000),
        [
            expect("retrying", Some("NOT_ENOUGH_REPLICAS"), None),
            expect("acknowledged", None, Some(0)),
            expect("sent", None, None),
        ]
    );
    assert_eq!(outcome(120_010)[0], expect("failed", Some("TIMEOUT"), None));
    assert_eq!(outcome(120_009)[0].0, "retrying");
}

#[test]
fn an_unclean_election_loses_acknowledged_writes_and_says_so() {
    let s = script(json!({
        "version": 1, "brokers": 2,
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 2,
                    "config": {"unclean.leader.election.enable": true}}],
        "actions": [
            {"at_ms": 0, "do": "stall-broker", "broker": 1},
            {"at_ms": 0, "do": "produce", "topic": "t", "key": "k", "acks": "1"},
            {"at_ms": 40000, "do": "kill-broker", "broker": 0},
        ]
    }));
    // At 1 s broker 1 would still be in the ISR (30 s of lag allowed) and lead cleanly, losing the write
    // all the same; at 40 s it has left the ISR and only an unclean election can choose it.
    let mut world = run(&s, 41_000);
    let state = world.state();
    assert!(state.produced[0].lost, "acknowledged by the leader only");
    let p = &state.topics.get("t").expect("topic").partitions[0];
    assert_eq!(
        (p.leader, p.leader_epoch, p.log_end_offset),
        (Some(1), 1, 0)
    );
    let kinds = events(&mut world);
    assert!(kinds.iter().any(|k| matches!(
        k,
        EventKind::LeaderElected {
            unclean: true,
            leader: Some(1),
            ..
        }
    )));
    assert!(
        kinds
            .iter()
            .any(|k| matches!(k, EventKind::Lost { offset: 0, .. }))
    );
}

#[test]
fn a_crashed_consumer_keeps_its_partitions_until_its_session_expires() {
    let s = one_topic(
        4,
        json!([
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["orders"]},
            {"at_ms": 0, "do": "join", "group": "g", "member": "b", "topics": ["orders"]},
            {"at_ms": 10000, "do": "crash", "group": "g", "member": "a"},
        ]),
    );
    // Range: a owns 0-1, b owns 2-3 after the first rebalance (3 s).
    let before = owners(&run(&s, 54_999).state(), "g");
    assert_eq!(
        before.get(&("orders".into(), 0)).map(String::as_str),
        Some("a")
    );
    // 45 s of session timeout after the crash, then one heartbeat interval (3 s) of rebalance.
    let after = run(&s, 58_000).state();
    let after_owners = owners(&after, "g");
    assert!(after_owners.values().all(|m| m == "b"), "{after_owners:?}");
    assert_eq!(after_owners.len(), 4);
    assert!(after.groups.get("g").expect("g").members.get("a").is_none());
}

#[test]
fn a_static_member_that_comes_back_in_time_keeps_its_partitions_without_a_rebalance() {
    let s = one_topic(
        2,
        json!([
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "group_instance_id": "host-a", "topics": ["orders"]},
            {"at_ms": 0, "do": "join", "group": "g", "member": "b", "topics": ["orders"]},
            {"at_ms": 10000, "do": "leave", "group": "g", "member": "a"},
            {"at_ms": 20000, "do": "join", "group": "g", "member": "a", "group_instance_id": "host-a", "topics": ["orders"]},
        ]),
    );
    let state = run(&s, 80_000).state();
    let g = state.groups.get("g").expect("g");
    assert_eq!(g.generation, 1, "no rebalance after the first");
    assert_eq!(
        g.members.get("a").expect("a").assigned,
        [("orders".to_string(), 0)]
    );
}

#[test]
fn two_groups_each_read_every_record_at_their_own_pace() {
    let s = one_topic(
        3,
        json!([
            {"at_ms": 0, "do": "join", "group": "fast", "member": "f", "topics": ["orders"], "records_per_s": 1000, "auto_offset_reset": "earliest"},
            {"at_ms": 0, "do": "join", "group": "slow", "member": "s", "topics": ["orders"], "records_per_s": 2, "auto_offset_reset": "earliest"},
            {"at_ms": 100, "do": "produce", "topic": "orders", "key": "k-{i}", "count": 30},
        ]),
    );
    let state = run(&s, 10_000).state();
    let lag = |group: &str| -> u64 {
        state
            .groups
            .get(group)
            .expect("group")
            .offsets
            .get("orders")
            .expect("topic")
            .0
            .iter()
            .map(|(_, o)| o.lag.unwrap_or(u64::MAX))
            .sum()
    };
    assert_eq!(lag("fast"), 0);
    // The slow group started at 3 s (the initial rebalance delay): its first poll returned all 30
    // records, which it processes one every 0.5 s, from 3.0 s through 10.0 s: 15 so far. It commits at
    // its next poll, when the batch is done (18 s), so Kafka's tools show no committed offset yet.
    let slow = state.groups.get("slow").expect("group");
    assert_eq!((slow.delivered, slow.redelivered), (15, 0));
    assert_eq!(slow.members.get("s").expect("member").in_hand, 15);
    assert!(
        slow.offsets
            .get("orders")
            .expect("topic")
            .0
            .iter()
            .all(|(_, o)| o.committed.is_none())
    );
}

#[test]
fn reset_to_earliest_on_an_empty_group_makes_lag_the_whole_log() {
    let s = one_topic(
        2,
        json!([
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["orders"], "records_per_s": 1000, "auto_offset_reset": "earliest"},
            {"at_ms": 10, "do": "produce", "topic": "orders", "key": "k-{i}", "count": 20},
            {"at_ms": 5000, "do": "leave", "group": "g", "member": "a"},
            {"at_ms": 6000, "do": "reset-offsets", "group": "g", "topic": "orders", "to": "earliest"},
        ]),
    );
    let state = run(&s, 7_000).state();
    let offsets = offsets_of(&state, "g", "orders");
    let hw: Vec<u64> = state
        .topics
        .get("orders")
        .expect("t")
        .partitions
        .iter()
        .map(|p| p.high_watermark)
        .collect();
    for ((_, o), hw) in offsets.iter().zip(hw) {
        assert_eq!((o.committed, o.lag), (Some(0), Some(hw)));
    }
}

#[test]
fn a_consumer_that_caught_up_reads_what_a_single_replica_appends_next() {
    // With one replica the high watermark moves with each append; a consumer idle at the high watermark
    // must wake for it (it used to stay idle until the next action).
    let s = script(json!({
        "version": 1, "seed": 0, "brokers": 1,
        "topics": [{"name": "orders", "partitions": 2, "replication_factor": 1}],
        "actions": [
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["orders"], "records_per_s": 5, "auto_offset_reset": "earliest"},
            {"at_ms": 0, "do": "produce", "topic": "orders", "key": "key-{i}", "count": 120, "interval_ms": 500}
        ]
    }));
    let state = run(&s, 70_000).state();
    let offsets = offsets_of(&state, "g", "orders");
    assert!(offsets.iter().all(|(_, o)| o.lag == Some(0)), "{offsets:?}");
}

#[test]
fn delete_group_needs_every_member_gone_and_forgets_the_offsets() {
    // `kafka-consumer-groups.sh --delete`: GROUP_NOT_EMPTY while a member is in the group, a crashed one
    // included until its session expires (GroupCoordinator's deleteGroups checks the group is Empty).
    let s = one_topic(
        2,
        json!([
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["orders"], "auto_offset_reset": "earliest"},
            {"at_ms": 0, "do": "join", "group": "g", "member": "b", "topics": ["orders"], "auto_offset_reset": "earliest"},
            {"at_ms": 10, "do": "produce", "topic": "orders", "key": "k-{i}", "count": 4},
            {"at_ms": 5000, "do": "leave", "group": "g", "member": "a"},
            {"at_ms": 5000, "do": "crash", "group": "g", "member": "b"},
        ]),
    );
    let mut world = run(&s, 6_000);
    let refused = world
        .handle_action(
            Instant::from_millis(6_000),
            &Action::DeleteGroup { group: "g".into() },
        )
        .expect_err("b is still a member");
    assert!(
        refused.to_string().contains("GROUP_NOT_EMPTY")
            && refused.to_string().contains("b crashed"),
        "{refused}"
    );
    let state = world.state();
    let g = state.groups.get("g").expect("g");
    assert_eq!(
        g.members.get("b").expect("b").session_expires_ms,
        Some(50_000)
    );
    assert!(g.offsets.get("orders").is_some());
    // b's session expires at 50 s; then the group is empty and can go, offsets and all.
    world.handle_timeout(Instant::from_millis(60_000));
    world
        .handle_action(
            Instant::from_millis(60_000),
            &Action::DeleteGroup { group: "g".into() },
        )
        .expect("an empty group");
    assert!(world.state().groups.get("g").is_none());
    assert!(
        events(&mut world)
            .iter()
            .any(|e| matches!(e, EventKind::GroupDeleted { group } if group == "g"))
    );
    // A group of that name starts again from auto.offset.reset, with no committed offsets.
    world
        .handle_action(
            Instant::from_millis(60_000),
            &serde_json::from_value(
                json!({"do": "join", "group": "g", "member": "c", "topics": ["orders"]}),
            )
            .expect("an action"),
        )
        .expect("joins");
    let again = world.state();
    assert!(
        again
            .groups
            .get("g")
            .expect("g")
            .offsets
            .get("orders")
            .expect("t")
            .0
            .iter()
            .all(|(_, o)| o.committed.is_none())
    );
}

#[test]
fn a_rebalance_says_when_it_started() {
    let s = one_topic(
        2,
        json!([{"at_ms": 1000, "do": "join", "group": "g", "member": "a", "topics": ["orders"]}]),
    );
    // group.initial.rebalance.delay.ms (3 s) holds the first rebalance open.
    let during = run(&s, 2_000).state();
    assert_eq!(
        during.groups.get("g").expect("g").rebalance_since_ms,
        Some(1_000)
    );
    let after = run(&s, 5_000).state();
    assert_eq!(after.groups.get("g").expect("g").rebalance_since_ms, None);
}

#[test]
fn retention_deletes_whole_segments_and_moves_the_log_start_offset() {
    let s = script(json!({
        "version": 1, "brokers": 1,
        "topics": [{"name": "t", "partitions": 1,
                    "config": {"segment.bytes": 500, "retention.ms": 10000}}],
        "broker_config": {"log.retention.check.interval.ms": 1000},
        "actions": [
            {"at_ms": 0, "do": "produce", "topic": "t", "key": "k", "value_bytes": 100, "count": 12, "interval_ms": 100},
            {"at_ms": 20000, "do": "produce", "topic": "t", "key": "k", "value_bytes": 100},
        ]
    }));
    let mut world = run(&s, 22_000);
    let p = world.state().topics.get("t").expect("t").partitions[0].clone();
    // 171-byte records, two per 500-byte segment: six old segments expire, the new record's stays.
    assert_eq!((p.log_start_offset, p.log_end_offset), (12, 13));
    let deleted = events(&mut world)
        .into_iter()
        .filter(|k| matches!(k, EventKind::SegmentDeleted { .. }))
        .count();
    assert_eq!(deleted, 6);
}

#[test]
fn alter_config_turns_on_compaction_and_tombstones_delete_keys() {
    // 81-byte records (a 2-byte key, an 11-byte value, 9 bytes of record framing and a 61-byte batch
    // header, record_format), five per segment.
    let s = script(json!({
        "version": 1, "brokers": 1,
        "topics": [{"name": "log", "partitions": 1,
                    "config": {"segment.bytes": 405, "delete.retention.ms": 30000, "min.cleanable.dirty.ratio": 0.01}}],
        "broker_config": {"log.cleaner.backoff.ms": 1000},
        "producers": [{"name": "p", "config": {"linger.ms": 0}}],
        "actions": [
            {"at_ms": 0, "do": "produce", "topic": "log", "key": "k{i}", "value_bytes": 11, "count": 5, "producer": "p"},
            {"at_ms": 0, "do": "produce", "topic": "log", "key": "k{i}", "value_bytes": 11, "count": 5, "producer": "p"},
            {"at_ms": 100, "do": "produce", "topic": "log", "key": "k1", "tombstone": true, "producer": "p"},
            {"at_ms": 200, "do": "produce", "topic": "log", "key": null, "producer": "p"},
            {"at_ms": 300, "do": "alter-config", "topic": "log", "config": {"cleanup.policy": "compact"}},
            {"at_ms": 400, "do": "produce", "topic": "log", "key": null, "producer": "p"},
            {"at_ms": 500, "do": "produce", "topic": "log", "key": "k0", "value_bytes": 11, "producer": "p"},
        ]
    }));
    let before = World::replay(&s, Instant::from_millis(250)).expect("valid");
    let segments = before.segments("log", 0, 10, 10);
    assert_eq!(
        segments
            .iter()
            .map(|g| (g.base_offset, g.record_count, g.bytes))
            .collect::<Vec<_>>(),
        [(0, 5, 405), (5, 5, 405), (10, 2, 240)],
        "a tombstone has no value: 70 bytes; then a keyless record with a 100-byte value: 170"
    );
    assert!(segments[2].records[0].tombstone && segments[2].records[1].key.is_none());
    let mut world = run(&s, 2_000);
    let state = world.state();
    assert_eq!(
        state.produced[12].error.as_deref(),
        Some("INVALID_RECORD"),
        "keyless on a compacted topic"
    );
    // The cleaner ran over the closed segments (offsets 0..10): k0..k4 twice each, the first five superseded.
    let kept: Vec<(u64, Option<String>)> = world
        .segments("log", 0, 10, 10)
        .iter()
        .flat_map(|g| g.records.iter().map(|r| (r.offset, r.key.clone())))
        .collect();
    assert_eq!(kept.first(), Some(&(5, Some("k0".into()))), "{kept:?}");
    assert!(
        events(&mut world)
            .iter()
            .any(|k| matches!(k, EventKind::Compacted { superseded: 5, .. }))
    );
    assert_eq!(world.tally("log").failed, 1);
}

#[test]
fn alter_config_refuses_replication_settings_and_empty_changes() {
    let s = one_topic(1, json!([]));
    let mut world = World::from_script(&s).expect("valid");
    for (config, path) in [
        (
            json!({"min.insync.replicas": 2}),
            "config.min.insync.replicas",
        ),
        (json!({}), "config"),
        (json!({"retention.ms": -2}), "config.retention.ms"),
    ] {
        let action: Action = serde_json::from_value(
            json!({"do": "alter-config", "topic": "orders", "config": config}),
        )
        .expect("an action");
        let err = world
            .handle_action(Instant::ZERO, &action)
            .expect_err("refused");
        assert_eq!(err.field, path, "{err}");
    }
}

#[test]
fn brokers_show_each_replica_and_the_tally_counts_what_producers_were_told() {
    let s = script(json!({
        "version": 1, "brokers": 3,
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 3, "config": {"min.insync.replicas": 2}}],
        "producers": [{"name": "p", "config": {"linger.ms": 0}}],
        "actions": [
            {"at_ms": 0, "do": "produce", "topic": "t", "key": "a", "count": 3, "producer": "p"},
            {"at_ms": 1000, "do": "stall-broker", "broker": 2},
            {"at_ms": 1000, "do": "kill-broker", "broker": 1},
            {"at_ms": 40000, "do": "produce", "topic": "t", "key": "a", "count": 2, "producer": "p"},
            {"at_ms": 41000, "do": "produce", "topic": "t", "key": "a", "producer": "p"},
        ]
    }));
    // At 40 s the ISR is {0, 2}: the two writes are appended, then broker 2 (long stalled) leaves the ISR
    // and they wait for a high watermark that cannot move; at 41 s the ISR {0} refuses the next one,
    // which the producer retries.
    let world = run(&s, 42_000);
    let brokers = world.brokers("t", 0, 2);
    let shape: Vec<(bool, bool, Option<u64>)> = brokers
        .iter()
        .map(|b| {
            (
                b.alive,
                b.stalled,
                b.replica.as_ref().map(|r| r.log_end_offset),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (true, false, Some(5)),
            (false, false, Some(3)),
            (true, true, Some(3))
        ]
    );
    assert_eq!(
        brokers[0].replica.as_ref().expect("leader").records,
        [(3, 3, 0), (4, 4, 0)]
    );
    let tally = world.tally("t");
    assert_eq!(
        (tally.produced, tally.acknowledged, tally.failed, tally.lost),
        (6, 3, 0, 0)
    );
    let last = world.state().produced[5].clone();
    assert_eq!(
        (&*last.status, last.error.as_deref()),
        ("retrying", Some("NOT_ENOUGH_REPLICAS"))
    );
    // An idempotent producer's retried batch waits for the batches in flight before it (the two writes
    // still waiting for the high watermark) before it is sent again.
    assert_eq!(last.attempts, 1, "{last:?}");
    assert!(world.lost_writes("t").is_empty());
    assert_eq!(
        world.tally("nope"),
        kplay_core::world::detail::Tally::default()
    );
}

#[test]
fn bad_scripts_name_every_problem_with_its_path() {
    let s = script(json!({
        "version": 2, "brokers": 0,
        "topics": [{"name": "t", "partitions": 0}],
        "actions": [
            {"at_ms": 10, "do": "produce", "topic": "t", "count": 0},
            {"at_ms": 5, "do": "join", "group": "g", "member": "m", "topics": ["t"], "strategy": "fastest"},
        ]
    }));
    let problems: Vec<String> = World::new(&s)
        .expect_err("refused")
        .0
        .iter()
        .map(ToString::to_string)
        .collect();
    for expected in [
        "version: 2 is not supported (this build reads version 1)",
        "brokers: 0 is out of range (1..=32)",
        "topics[0].partitions: 0 is out of range (1..=1024)",
        "actions[0].count: 0 is out of range (1..=1000000)",
        "actions[1].at_ms: 5 is earlier than the action before (10); actions must be in time order",
    ] {
        assert!(
            problems.iter().any(|p| p == expected),
            "{expected} in {problems:#?}"
        );
    }
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("actions[1].strategy: ")),
        "{problems:#?}"
    );

    let s = one_topic(
        1,
        json!([
            {"at_ms": 0, "do": "produce", "topic": "ordrs"},
            {"at_ms": 0, "do": "leave", "group": "g", "member": "m"},
            {"at_ms": 0, "do": "kill-broker", "broker": 7},
            {"at_ms": 0, "do": "join", "group": "g", "member": "m", "topics": ["orders", "nope"]},
        ]),
    );
    let problems: Vec<String> = World::from_script(&s)
        .expect_err("refused")
        .0
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "actions[0].topic: unknown topic \"ordrs\"",
            "actions[1].group: unknown group \"g\"",
            "actions[2].broker: unknown broker 7; brokers are 0..=2",
            "actions[3].topics[1]: unknown topic \"nope\"",
        ]
    );
}

#[test]
fn a_world_stops_at_its_step_budget_and_refuses_to_go_on() {
    let s = one_topic(
        3,
        json!([
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["orders"], "records_per_s": 1000, "auto_offset_reset": "earliest"},
            {"at_ms": 10, "do": "produce", "topic": "orders", "key": "k-{i}", "count": 100},
            {"at_ms": 60000, "do": "produce", "topic": "orders", "key": "late"},
        ]),
    );
    let mut world = World::new(&s).expect("valid").with_step_budget(40);
    world
        .apply(&s, None)
        .expect("running out of budget is not the script's fault");
    assert!(world.is_capped());
    assert_eq!(world.steps(), 40);
    let stopped = world.now();
    assert!(stopped < Instant::from_millis(60_000));
    world.handle_timeout(Instant::from_millis(90_000));
    assert_eq!(
        world.now(),
        stopped,
        "a capped clock stays where it stopped"
    );
    assert!(
        world
            .handle_action(Instant::from_millis(90_000), &s.actions[2].action)
            .is_err()
    );
    // Unbounded, the same script runs to its end.
    assert!(!run(&s, 90_000).is_capped());
}

/// The event digest of `examples/consumer-groups.json`, run as `kplay world` runs it. kplay-web's
/// browser tests assert the same number from the wasm32 build. Update both when the model changes on
/// purpose, after reviewing the events.
const CONSUMER_GROUPS_DIGEST: u64 = 737_483_434_280_688_218;

#[test]
fn the_event_digest_is_pinned() {
    let s: Script = serde_json::from_str(include_str!("../../../../examples/consumer-groups.json"))
        .expect("the example parses");
    let mut world = World::from_script(&s).expect("valid");
    world.run_until_idle(
        Instant::from_millis(s.last_at_ms()) + kplay_core::config::RUN_AFTER_LAST_ACTION,
    );
    let all: Vec<_> = std::iter::from_fn(|| world.poll_event()).collect();
    assert_eq!(digest(&all), CONSUMER_GROUPS_DIGEST, "{} events", all.len());
}

// Random action logs ------------------------------------------------------------------------------------

fn base_script() -> Script {
    script(json!({
        "version": 1, "seed": 5, "brokers": 3,
        "topics": [
            {"name": "orders", "partitions": 3, "replication_factor": 3, "config": {"min.insync.replicas": 2}},
            {"name": "audit", "partitions": 2, "replication_factor": 2,
             "config": {"segment.bytes": 1000, "retention.ms": 20000}}
        ],
        "broker_config": {"log.retention.check.interval.ms": 5000},
        "producers": [
            {"name": "batchy", "config": {"batch.size": 600, "linger.ms": 50}},
            {"name": "tx", "config": {"transactional.id": "tid", "transaction.timeout.ms": 20000}},
            {"name": "tx-zombie", "config": {"transactional.id": "tid", "linger.ms": 100}},
            {"name": "tx2", "config": {"transactional.id": "tid2"}}
        ]
    }))
}

/// Producers of [`base_script`] by index: the default one, then its named ones.
const PRODUCERS: [Option<&str>; 5] = [
    None,
    Some("batchy"),
    Some("tx"),
    Some("tx-zombie"),
    Some("tx2"),
];

fn action() -> impl Strategy<Value = Action> {
    let topic = prop_oneof![Just("orders"), Just("audit")];
    let group = prop_oneof![Just("g1"), Just("g2")];
    let member = (0_u8..4).prop_map(|m| format!("m{m}"));
    prop_oneof![
        4 => (topic.clone(), proptest::option::of(0_u8..6), 1_u64..20, 0_u64..300, 0_usize..5, prop_oneof![Just("all"), Just("1")], 0_u8..5)
            .prop_map(|(topic, key, count, interval_ms, producer, acks, tombstone)| Action::Produce {
                topic: topic.into(),
                tombstone: key.is_some() && tombstone == 0,
                key: key.map(|k| format!("key-{k}")),
                value_bytes: 40,
                // A transactional producer sends with its own acks=all.
                acks: (producer < 2).then(|| serde_json::from_value(json!(acks)).expect("acks")),
                count,
                interval_ms,
                producer: PRODUCERS[producer].map(Into::into),
            }),
        2 => (2_usize..5, 0_u8..3).prop_map(|(producer, what)| {
            let producer = PRODUCERS[producer].unwrap_or_default().into();
            match what {
                0 => Action::BeginTransaction { producer },
                1 => Action::CommitTransaction { producer },
                _ => Action::AbortTransaction { producer },
            }
        }),
        3 => (group.clone(), member.clone(), any::<bool>(), 0_usize..6, prop_oneof![Just(1.0), Just(20.0), Just(0.0)], proptest::option::of(0_u8..2))
            .prop_map(|(group, member, both, strategy, rate, instance)| Action::Join {
                group: group.into(),
                member: member.clone(),
                topics: if both { vec!["orders".into(), "audit".into()] } else { vec!["orders".into()] },
                // Four classic strategies, then the consumer protocol with each of the broker's assignors.
                strategy: ["range", "roundrobin", "sticky", "cooperative-sticky"].get(strategy).map(|&s| s.into()),
                protocol: (strategy >= 4).then(|| "consumer".into()),
                group_remote_assignor: (strategy >= 4).then(|| ["uniform", "range"][strategy - 4].into()),
                group_instance_id: instance.map(|i| format!("{member}-host{i}")),
                records_per_s: Some(rate),
                auto_offset_reset: Some("earliest".into()),
                isolation_level: (group == "g2").then(|| "read_committed".into()),
                processing_ms: None,
                max_poll_records: None,
                max_poll_interval_ms: None,
                auto_commit_interval_ms: None,
                enable_auto_commit: None,
                forward_to: None,
                forward_producer: None,
                commit_interval_ms: None,
            group_type: None,
            acknowledge: None,
            }),
        1 => (group.clone(), member.clone()).prop_map(|(group, member)| Action::Leave { group: group.into(), member }),
        1 => (group.clone(), member).prop_map(|(group, member)| Action::Crash { group: group.into(), member }),
        1 => group.prop_map(|group| Action::DeleteGroup { group: group.into() }),
        1 => (0_u32..3, 0_u8..4).prop_map(|(broker, what)| match what {
            0 => Action::KillBroker { broker },
            1 => Action::RestartBroker { broker },
            2 => Action::StallBroker { broker },
            _ => Action::UnstallBroker { broker },
        }),
        1 => prop_oneof![Just("delete"), Just("compact"), Just("compact,delete")].prop_map(|policy| Action::AlterConfig {
            topic: "audit".into(),
            config: serde_json::from_value(json!({"cleanup.policy": policy, "min.cleanable.dirty.ratio": 0.1})).expect("config"),
        }),
        1 => (topic, 1_u32..3).prop_map(|(topic, more)| Action::AddPartitions {
            partitions: if topic == "orders" { 3 + more } else { 2 + more },
            topic: topic.into(),
        }),
    ]
}

/// A script of the actions a world accepts, in the order drawn, at increasing moments.
fn accepted_script(drawn: Vec<(u64, Action)>) -> Script {
    let mut s = base_script();
    let mut world = World::new(&s).expect("valid base");
    let mut at = 0;
    for (gap, action) in drawn {
        at += gap;
        if world
            .handle_action(Instant::from_millis(at), &action)
            .is_ok()
        {
            s.actions.push(ScriptAction { at_ms: at, action });
        }
    }
    s
}

fn world_config() -> ProptestConfig {
    ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(world_config())]

    /// Replaying to a moment equals running to it live however the clock was stepped, and landing on it
    /// through a timeline's checkpoints gives the same state.
    #[test]
    fn replay_equals_running_live(
        drawn in prop::collection::vec((0_u64..20_000, action()), 1..40),
        steps in prop::collection::vec(0_u64..1_000, 40),
        extra in 0_u64..90_000,
    ) {
        let s = accepted_script(drawn);
        let end = s.last_at_ms() + extra;
        let mut live = World::new(&s).expect("valid");
        let mut previous = 0;
        for (step, step_ms) in s.actions.iter().zip(&steps) {
            // Step the clock somewhere between the previous action and this one first.
            let between = previous + (step.at_ms - previous) * step_ms / 1_000;
            live.handle_timeout(Instant::from_millis(between));
            live.handle_action(Instant::from_millis(step.at_ms), &step.action).expect("accepted before");
            previous = step.at_ms;
        }
        live.handle_timeout(Instant::from_millis(end));
        let replayed = World::replay(&s, Instant::from_millis(end)).expect("valid");
        prop_assert!(live == replayed, "live and replayed worlds differ at {} ms", end);
        let landed = Timeline::new(s.clone()).expect("valid").land(Instant::from_millis(end));
        prop_assert_eq!(landed.state(), replayed.state());
    }

    /// At every action and every half second between: one owner per partition per group (under the
    /// consumer protocol too, while members reconcile on their own heartbeats), committed offsets never
    /// move back (the log has no explicit commits or resets; a deleted group starts afresh), no
    /// acknowledged `acks=all` write is ever lost (unclean election is off), and `read_committed`
    /// members (group g2) never read a marker or a record of an aborted or open transaction.
    #[test]
    fn groups_and_durability_hold_throughout(
        drawn in prop::collection::vec((0_u64..20_000, action()), 1..40),
    ) {
        let s = accepted_script(drawn);
        let mut world = World::new(&s).expect("valid");
        let mut committed: BTreeMap<(String, String, u32), u64> = BTreeMap::new();
        let mut fetched: Vec<(String, u32, u64)> = Vec::new();
        let mut check = |world: &mut World| -> Result<(), TestCaseError> {
            let state = world.state();
            for (group, _) in &state.groups.0 {
                let mut seen = BTreeSet::new();
                for (_, member) in &state.groups.get(group).expect("group").members.0 {
                    for tp in &member.assigned {
                        prop_assert!(seen.insert(tp.clone()), "{:?} owned twice in {}", tp, group);
                    }
                }
            }
            for record in &state.produced {
                let acks_all = matches!(
                    &s.actions[record.action as usize].action,
                    Action::Produce { acks: Some(a), .. } if serde_json::to_value(a).expect("acks") == json!("all")
                );
                prop_assert!(!(acks_all && record.lost), "an acknowledged acks=all write was lost");
            }
            while let Some(event) = world.poll_event() {
                match event.kind {
                    EventKind::Committed { group, topic, partition, offset, .. } => {
                        let last = committed.entry((group, topic, partition)).or_insert(0);
                        prop_assert!(offset >= *last, "committed went back from {} to {}", last, offset);
                        *last = offset;
                    }
                    // A deleted group's offsets go with it; a group of that name starts afresh.
                    EventKind::GroupDeleted { group } => committed.retain(|(g, _, _), _| *g != group),
                    EventKind::Fetched { group, topic, partition, offset, .. } if group == "g2" => {
                        fetched.push((topic, partition, offset));
                    }
                    _ => {}
                }
            }
            for (topic, partition, offset) in fetched.drain(..) {
                let records = world.records(&topic, partition).expect("partition");
                // Retention may have deleted it since.
                if let Some(r) = records.iter().find(|r| r.record.offset == offset) {
                    prop_assert!(r.record.control.is_none(), "read a marker at {}-{} {}", topic, partition, offset);
                    prop_assert!(
                        r.record.transaction.as_deref().is_none_or(|t| t == "committed"),
                        "read_committed read a record of a transaction {:?} at {}-{} {}",
                        r.record.transaction, topic, partition, offset
                    );
                }
            }
            Ok(())
        };
        let mut checked = 0;
        for step in &s.actions {
            for at in (checked..step.at_ms).step_by(500) {
                world.handle_timeout(Instant::from_millis(at));
                check(&mut world)?;
            }
            checked = step.at_ms;
            world.handle_action(Instant::from_millis(step.at_ms), &step.action).expect("accepted");
            check(&mut world)?;
        }
        world.handle_timeout(Instant::from_millis(s.last_at_ms() + 60_000));
        check(&mut world)?;
    }
}

#[test]
fn acting_in_the_past_forks_and_undoing_the_fork_restores_every_moment() {
    // 600 actions: checkpoints every 256, so the fork and the landings cross checkpoint boundaries.
    let original = kplay_core::world::workload::mixed(600, 3);
    let mut timeline = Timeline::new(original.clone()).expect("valid");
    let cut = Instant::from_millis(original.actions[300].at_ms);
    let later = original
        .actions
        .iter()
        .filter(|a| Instant::from_millis(a.at_ms) > cut)
        .count();
    let kill = Action::KillBroker { broker: 9 };
    assert!(
        timeline.act(cut, kill).is_err(),
        "an unknown broker is refused"
    );
    assert_eq!(
        timeline.script(),
        &original,
        "a refused action changes nothing"
    );

    let produce: Action = serde_json::from_value(
        json!({"do": "produce", "topic": "orders", "key": "forked", "count": 3}),
    )
    .expect("action");
    let fork = timeline
        .act(cut, produce)
        .expect("accepted")
        .expect("a fork");
    assert_eq!(fork.dropped.len(), later);
    assert_eq!(
        timeline.script().actions.len(),
        original.actions.len() - later + 1
    );
    let end = Instant::from_millis(original.last_at_ms() + 5_000);
    let forked = timeline.land(end).state();
    assert_eq!(
        forked,
        World::replay(timeline.script(), end)
            .expect("valid")
            .state()
    );
    assert!(
        forked
            .produced
            .iter()
            .rev()
            .take(3)
            .all(|r| r.action as usize == timeline.script().actions.len() - 1)
    );

    // Acting at the end appends without a fork.
    let at_end = Instant::from_millis(timeline.script().last_at_ms());
    let more: Action =
        serde_json::from_value(json!({"do": "produce", "topic": "orders", "key": "more"}))
            .expect("action");
    assert_eq!(timeline.act(at_end, more).expect("accepted"), None);

    timeline.undo_fork(fork);
    assert_eq!(timeline.script(), &original);
    let fresh = Timeline::new(original.clone()).expect("valid");
    for at in kplay_core::world::workload::moments(&original, 12)
        .into_iter()
        .chain([end])
    {
        assert_eq!(timeline.land(at).state(), fresh.land(at).state(), "at {at}");
    }
}

// Hostile scripts ---------------------------------------------------------------------------------------

fn extreme_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        0_u64..100,
        Just(u64::MAX),
        Just(u64::MAX / 1_000),
        Just(kplay_core::config::MAX_AT_MS),
        Just(kplay_core::config::MAX_AT_MS + 1),
        any::<u64>(),
    ]
}

fn extreme_i64() -> impl Strategy<Value = i64> {
    prop_oneof![-2_i64..3, Just(i64::MIN), Just(i64::MAX), 1_i64..100_000]
}

fn hostile_action() -> impl Strategy<Value = serde_json::Value> {
    // Mostly names that exist, so that actions get past the lookups and run.
    let name = prop_oneof![
        4 => Just("orders"),
        4 => Just("g"),
        4 => Just("m"),
        1 => Just(""),
        1 => Just("nope")
    ];
    prop_oneof![
        (
            name.clone(),
            proptest::option::of("[a-z{}i]{0,6}"),
            prop_oneof![9 => 0_u32..2_000, 1 => 0_u32..2_000_000],
            0_u64..300,
            prop_oneof![9 => 0_u64..100, 1 => extreme_u64()],
            prop_oneof![10 => prop_oneof![Just("0"), Just("1"), Just("all"), Just("-1")], 1 => Just("2")],
        )
            .prop_map(|(topic, key, value_bytes, count, interval_ms, acks)| json!({"do": "produce", "topic": topic, "key": key,
                "value_bytes": value_bytes, "count": count, "interval_ms": interval_ms, "acks": acks})),
        (
            name.clone(),
            name.clone(),
            prop_oneof![4 => prop_oneof![Just(0.0), Just(1e-300), Just(0.5), Just(50.0), Just(1e6)], 1 => prop_oneof![Just(1e7), Just(-1.0)]],
            proptest::option::of(name.clone()),
            prop_oneof![Just("range"), Just("cooperative-sticky"), Just("x")],
            prop_oneof![4 => prop_oneof![Just("earliest"), Just("latest"), Just("none")], 1 => Just("?")],
        )
            .prop_map(|(group, member, rate, instance, strategy, reset)| json!({"do": "join", "group": group, "member": member,
                "topics": ["orders"], "records_per_s": rate, "group_instance_id": instance, "strategy": strategy, "auto_offset_reset": reset})),
        (name.clone(), name.clone(), prop_oneof![Just("leave"), Just("crash")]).prop_map(|(g, m, what)| json!({"do": what, "group": g, "member": m})),
        name.clone().prop_map(|g| json!({"do": "delete-group", "group": g})),
        (name.clone(), extreme_u64(), 0_u32..5).prop_map(|(g, offset, partition)| json!({"do": "commit", "group": g, "member": "m", "topic": "orders", "partition": partition, "offset": offset})),
        (name.clone(), extreme_u64(), 0_u8..4).prop_map(|(g, n, to)| json!({"do": "reset-offsets", "group": g, "topic": "orders",
            "to": match to { 0 => json!("earliest"), 1 => json!("latest"), 2 => json!({"offset": n}), _ => json!({"timestamp_ms": n}) }})),
        (0_u32..5, prop_oneof![Just("kill-broker"), Just("restart-broker"), Just("stall-broker"), Just("unstall-broker")])
            .prop_map(|(broker, what)| json!({"do": what, "broker": broker})),
        (0_u32..2_000).prop_map(|partitions| json!({"do": "add-partitions", "topic": "orders", "partitions": partitions})),
        (
            name.clone(),
            prop_oneof![Just("compact"), Just("delete"), Just("compact,delete"), Just("zip")],
            prop_oneof![Just(-2_i64), Just(-1), Just(0), Just(i64::MAX)],
            prop_oneof![Just(0_u64), Just(14), Just(u64::MAX)],
        )
            .prop_map(|(topic, policy, limit, segment)| json!({"do": "alter-config", "topic": topic, "config": {
                "cleanup.policy": policy, "retention.ms": limit, "retention.bytes": limit, "segment.bytes": segment,
                "min.cleanable.dirty.ratio": 0.0, "delete.retention.ms": 0}})),
        proptest::option::of(name.clone()).prop_map(|key| json!({"do": "produce", "topic": "orders", "key": key, "tombstone": true})),
    ]
}

fn hostile_script() -> impl Strategy<Value = serde_json::Value> {
    // Half the envelopes are valid (with extreme values inside the limits), so the actions get to run.
    let envelope = prop_oneof![
        (
            1_u32..4,
            Just(1_u32),
            1_u32..5,
            (
                prop_oneof![Just(-1_i64), Just(0), Just(1), Just(i64::MAX)],
                prop_oneof![Just(-1_i64), Just(0), Just(500), Just(i64::MAX)],
                prop_oneof![Just(14_u64), Just(200), Just(1 << 30)]
            ),
            prop_oneof![Just("delete"), Just("compact"), Just("compact,delete")],
        ),
        (
            0_u32..6,
            0_u32..3,
            1_u32..5,
            (
                extreme_i64(),
                extreme_i64(),
                prop_oneof![
                    Just(0_u64),
                    Just(14),
                    Just(200),
                    Just(1 << 30),
                    Just(u64::MAX)
                ]
            ),
            prop_oneof![
                Just("delete"),
                Just("compact"),
                Just("compact,delete"),
                Just("wrong")
            ],
        ),
    ];
    (
        envelope,
        prop::collection::vec((extreme_u64(), hostile_action()), 0..12),
    )
        .prop_map(|((brokers, rf, partitions, (retention_ms, retention_bytes, segment_bytes), policy), actions)| {
            let mut at = 0_u64;
            let actions: Vec<_> = actions
                .into_iter()
                .map(|(gap, mut action)| {
                    at = at.saturating_add(gap % 100_000);
                    action["at_ms"] = json!(if gap == u64::MAX { gap } else { at });
                    action
                })
                .collect();
            json!({"version": 1, "seed": 1, "brokers": brokers,
                   "topics": [{"name": "orders", "partitions": partitions, "replication_factor": rf,
                               "config": {"retention.ms": retention_ms, "retention.bytes": retention_bytes,
                                          "segment.bytes": segment_bytes, "cleanup.policy": policy}}],
                   "broker_config": {"log.retention.check.interval.ms": 1000, "log.cleaner.backoff.ms": 1000},
                   "actions": actions})
        })
}

proptest! {
    #![proptest_config(world_config())]

    /// Whatever a script says, reading, checking, running and landing on it never panics: bad input is
    /// refused with problems, good input runs to its end.
    #[test]
    fn hostile_scripts_never_panic(document in hostile_script(), land_at in extreme_u64()) {
        let text = document.to_string();
        let Ok(mut script) = serde_json::from_str::<Script>(&text) else {
            return Ok(());
        };
        // As a view does: each action on its own, kept if the world accepts it.
        let actions = core::mem::take(&mut script.actions);
        let Ok(mut world) = World::new(&script) else {
            return Ok(());
        };
        for step in actions {
            if world.handle_action(Instant::from_millis(step.at_ms), &step.action).is_ok() {
                script.actions.push(step);
            }
        }
        let limit = Instant::from_millis(script.last_at_ms()) + kplay_core::config::RUN_AFTER_LAST_ACTION;
        world.run_until_idle(limit);
        let _ = world.state();
        let limit = Instant::from_millis(script.last_at_ms());
        let timeline = Timeline::new(script).expect("accepted actions make a valid timeline");
        // Within two minutes of the end: landing a month later steps through every periodic log check.
        let _ = timeline.land(limit + Duration::from_millis(land_at % 120_000));
    }
}

#[test]
fn playing_forward_from_a_landed_world_equals_landing_there() {
    let script = kplay_core::world::workload::mixed(700, 5);
    let timeline = Timeline::new(script.clone()).expect("valid");
    let moments = kplay_core::world::workload::moments(&script, 9);
    let mut playing = timeline.land(Instant::ZERO);
    for at in moments {
        timeline.advance(&mut playing, at);
        assert_eq!(playing.state(), timeline.land(at).state(), "at {at}");
    }
}

#[test]
fn several_actions_at_one_moment_join_together_or_not_at_all() {
    let original = kplay_core::world::workload::mixed(300, 2);
    let mut timeline = Timeline::new(original.clone()).expect("valid");
    let at = Instant::from_millis(original.actions[100].at_ms);
    let produce: Action =
        serde_json::from_value(json!({"do": "produce", "topic": "orders", "key": "k"}))
            .expect("action");
    let refused = timeline.act_all(at, vec![produce.clone(), Action::KillBroker { broker: 9 }]);
    assert_eq!(
        refused.map_err(|(i, e)| (i, e.field)),
        Err((1, "broker".into()))
    );
    assert_eq!(timeline.script(), &original, "nothing joined");

    let fork = timeline
        .act_all(at, vec![produce.clone(), produce])
        .expect("accepted")
        .expect("a fork");
    let kept = original.actions.len() - fork.dropped.len();
    assert_eq!(timeline.script().actions.len(), kept + 2);
    let end = Instant::from_millis(original.last_at_ms());
    assert_eq!(
        timeline.land(end).state(),
        World::replay(timeline.script(), end)
            .expect("valid")
            .state()
    );
}

/// Two batches in flight to a leader whose followers stall: their requests time out
/// (`request.timeout.ms`), the ISR shrinks below `min.insync.replicas` and the retries are refused until
/// the followers return. Without idempotence the retries write the records again, the later batch first
/// (each is put back at the front of its queue): the log holds a, b, b, a. With idempotence (Kafka's
/// default) the broker recognises the retries by sequence number: a, b, once each.
#[test]
fn a_retry_without_idempotence_duplicates_and_reorders_and_with_it_does_not() {
    let scenario = |idempotence: bool, max_in_flight: u32| {
        script(json!({
            "version": 1, "seed": 1, "brokers": 3,
            "topics": [{"name": "t", "partitions": 1, "replication_factor": 3, "config": {"min.insync.replicas": 2}}],
            "producers": [{"name": "p", "config": {"linger.ms": 0, "enable.idempotence": idempotence,
                           "max.in.flight.requests.per.connection": max_in_flight}}],
            "actions": [
                {"at_ms": 0, "do": "stall-broker", "broker": 1},
                {"at_ms": 0, "do": "stall-broker", "broker": 2},
                {"at_ms": 1000, "do": "produce", "topic": "t", "key": "a", "producer": "p"},
                {"at_ms": 1001, "do": "produce", "topic": "t", "key": "b", "producer": "p"},
                {"at_ms": 60000, "do": "unstall-broker", "broker": 1},
                {"at_ms": 60000, "do": "unstall-broker", "broker": 2},
            ]
        }))
    };
    let log = |s: &Script| {
        let world = run(s, 90_000);
        let keys: Vec<String> = world
            .records("t", 0)
            .expect("t-0")
            .into_iter()
            .map(|r| r.record.key.unwrap_or_default())
            .collect();
        let told: Vec<String> = world
            .state()
            .produced
            .iter()
            .map(|r| r.status.to_string())
            .collect();
        (keys.join(""), told)
    };
    let acknowledged = vec!["acknowledged".to_string(); 2];
    assert_eq!(
        log(&scenario(false, 5)),
        ("abba".into(), acknowledged.clone())
    );
    assert_eq!(log(&scenario(true, 5)), ("ab".into(), acknowledged.clone()));
    // One request in flight keeps the order even without idempotence (b waits for a), not the count.
    assert_eq!(log(&scenario(false, 1)), ("aab".into(), acknowledged));
    let mut world =
        World::replay(&scenario(false, 5), Instant::from_millis(31_000)).expect("valid");
    let retried: Vec<&str> = events(&mut world)
        .iter()
        .filter_map(|k| match k {
            EventKind::Retrying { error, .. } => Some(*error),
            _ => None,
        })
        .collect();
    assert_eq!(retried, ["REQUEST_TIMED_OUT", "REQUEST_TIMED_OUT"]);
}

/// `acks=all` that cannot reach `min.insync.replicas`: the producer is told `TIMEOUT` once
/// `delivery.timeout.ms` (120 s) has passed, yet the record stays in the leader's log and becomes
/// committed, and readable, when the followers return ("told failed, later visible").
#[test]
fn a_record_the_producer_was_told_failed_can_become_visible_later() {
    let s = script(json!({
        "version": 1, "brokers": 3,
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 3, "config": {"min.insync.replicas": 2}}],
        "actions": [
            {"at_ms": 0, "do": "stall-broker", "broker": 1},
            {"at_ms": 0, "do": "stall-broker", "broker": 2},
            {"at_ms": 1000, "do": "produce", "topic": "t", "key": "a"},
            {"at_ms": 1000, "do": "join", "group": "g", "member": "c", "topics": ["t"], "auto_offset_reset": "earliest"},
            {"at_ms": 150000, "do": "unstall-broker", "broker": 1},
            {"at_ms": 150000, "do": "unstall-broker", "broker": 2},
        ]
    }));
    let at = |ms| {
        let world = World::replay(&s, Instant::from_millis(ms)).expect("valid");
        let state = world.state();
        let p = state.topics.get("t").expect("t").partitions[0].clone();
        let r = state.produced[0].clone();
        (
            r.status.to_string(),
            r.error.map(|e| e.to_string()),
            p.high_watermark,
            p.log_end_offset,
        )
    };
    // Created at 1 s: retrying until 121 s, then told it failed; not committed.
    assert_eq!(at(120_999).0, "retrying");
    assert_eq!(at(121_000), ("failed".into(), Some("TIMEOUT".into()), 0, 1));
    let (status, error, high_watermark, log_end) = at(151_000);
    assert_eq!(
        (status.as_str(), error.as_deref()),
        ("failed", Some("TIMEOUT"))
    );
    assert_eq!(
        (high_watermark, log_end),
        (1, 1),
        "committed once, after all"
    );
    let mut world = run(&s, 152_000);
    let fetched = events(&mut world)
        .into_iter()
        .any(|k| matches!(k, EventKind::Fetched { offset: 0, .. }));
    assert!(
        fetched,
        "the consumer reads the record its producer was told had failed"
    );
}

#[test]
fn idempotence_conflicts_are_refused_only_when_idempotence_is_explicit() {
    let with = |config: serde_json::Value| {
        let s = script(json!({
            "version": 1, "brokers": 1, "topics": [{"name": "t", "partitions": 1}],
            "producers": [{"name": "p", "config": config}]
        }));
        s.check()
            .0
            .into_iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        with(json!({"acks": "1"})).is_empty(),
        "idempotence quietly off"
    );
    assert_eq!(
        with(json!({"acks": "1", "enable.idempotence": true})),
        [
            "producers[0].config.acks: must be all in order to use the idempotent producer; otherwise idempotence cannot be guaranteed"
        ]
    );
    assert_eq!(
        with(json!({"max.in.flight.requests.per.connection": 6, "enable.idempotence": true})),
        [
            "producers[0].config.max.in.flight.requests.per.connection: must be at most 5 to use the idempotent producer"
        ]
    );
    assert_eq!(
        with(json!({"delivery.timeout.ms": 1000})),
        [
            "producers[0].config.delivery.timeout.ms: should be equal to or larger than linger.ms + request.timeout.ms"
        ]
    );
    assert_eq!(
        with(json!({"max.in.flight.requests.per.connection": 0})),
        ["producers[0].config.max.in.flight.requests.per.connection: 0 is out of range (1..=100)"]
    );
}

/// `examples/rebalance-protocols.json`: one workload (a member joins at 31.7 s, one leaves at 60 s) under
/// classic eager, classic cooperative and the consumer protocol, as `kplay world --at-ms 85000` reports
/// it. Eager stops every member for every round; cooperative stops only the moved partitions but takes
/// two rounds for a join; under KIP-848 a member that keeps its partitions never stops, and a moved
/// partition waits only from its old owner's revocation to its new owner's next heartbeat.
#[test]
fn the_same_workload_under_eager_cooperative_and_the_consumer_protocol() {
    let s: Script = serde_json::from_str(include_str!(
        "../../../../examples/rebalance-protocols.json"
    ))
    .expect("the example parses");
    let world = World::replay(&s, Instant::from_millis(85_000)).expect("valid");
    let state = world.state();
    let group = |name: &str| state.groups.get(name).expect("group");
    let summary = |name: &str| {
        let g = group(name);
        (
            g.protocol.to_string(),
            g.rebalances,
            g.rebalancing_ms,
            g.unowned_partition_ms,
        )
    };
    assert_eq!(summary("eager"), ("classic".into(), 3, 12_000, 36_000));
    assert_eq!(
        summary("cooperative"),
        // A round waits for a member busy with its last record to poll: 5 ms more in all.
        ("classic".into(), 4, 15_005, 12_000)
    );
    assert_eq!(summary("kip848"), ("consumer".into(), 4, 11_700, 7_500));

    let paused =
        |name: &str, member: &str| group(name).members.get(member).expect("member").paused_ms;
    assert_eq!(
        paused("eager", "eager-1"),
        6_000,
        "3 s in each of two rounds"
    );
    assert_eq!(
        paused("cooperative", "cooperative-1"),
        3_000,
        "the leave's round only"
    );
    assert_eq!(
        paused("kip848", "kip848-1"),
        0,
        "it kept its partitions and never stopped"
    );
    let kip848 = group("kip848");
    assert_eq!((kip848.state.as_ref(), kip848.generation), ("Stable", 4));
    for member in kip848.members.0.iter().map(|(_, m)| m) {
        assert_eq!(member.epoch, Some(4));
        assert_eq!(member.target.as_ref(), Some(&member.assigned));
    }
}

/// A join names the protocol's own settings only (Kafka's client refuses `partition.assignment.strategy`
/// with `group.protocol=consumer`), a group keeps one protocol while it has members, and under the
/// consumer protocol a crashed member's commit fails on its member epoch.
#[test]
fn the_consumer_protocol_has_its_own_settings_and_commit_check() {
    let base = |join: serde_json::Value| {
        script(
            json!({"version": 1, "seed": 1, "brokers": 1, "topics": [{"name": "orders", "partitions": 2}],
            "actions": [join]}),
        )
    };
    // The settings each join adds to a plain one.
    let refused = [
        (
            json!({"protocol": "consumer", "strategy": "range"}),
            "actions[0].strategy: partition.assignment.strategy cannot be set when group.protocol=consumer",
        ),
        (
            json!({"group_remote_assignor": "uniform"}),
            "actions[0].group_remote_assignor: group.remote.assignor is for the consumer protocol",
        ),
        (
            json!({"protocol": "consumer", "group_remote_assignor": "sticky"}),
            "actions[0].group_remote_assignor: \"sticky\" is not one of",
        ),
        (
            json!({"protocol": "kip848"}),
            "actions[0].protocol: \"kip848\" is not one of \"classic\", \"consumer\"",
        ),
    ];
    for (settings, message) in refused {
        let mut join =
            json!({"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["orders"]});
        if let (Some(join), Some(settings)) = (join.as_object_mut(), settings.as_object()) {
            join.extend(settings.clone());
        }
        let problems = base(join).check();
        assert!(
            problems
                .0
                .iter()
                .any(|p| p.to_string().starts_with(message)),
            "{problems:?} should say {message}"
        );
    }

    let s = script(
        json!({"version": 1, "seed": 1, "brokers": 1, "topics": [{"name": "orders", "partitions": 2}],
        "actions": [
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["orders"], "protocol": "consumer", "records_per_s": 0},
            {"at_ms": 0, "do": "join", "group": "g", "member": "b", "topics": ["orders"], "records_per_s": 0},
            {"at_ms": 1000, "do": "crash", "group": "g", "member": "a"},
            {"at_ms": 2000, "do": "commit", "group": "g", "member": "a", "topic": "orders", "partition": 0, "offset": 1}
        ]}),
    );
    let mut world = World::new(&s).expect("valid");
    for step in &s.actions {
        let done = world.handle_action(Instant::from_millis(step.at_ms), &step.action);
        if matches!(&step.action, Action::Join { member, .. } if member == "b") {
            let err = done.expect_err("a classic member cannot join a consumer-protocol group");
            assert!(
                err.to_string().starts_with(
                    "protocol: classic differs from the consumer the group's members use"
                ),
                "{err}"
            );
        } else {
            done.expect("accepted");
        }
    }
    let failed: Vec<_> = events(&mut world)
        .into_iter()
        .filter_map(|e| match e {
            EventKind::CommitFailed { error, .. } => Some(error),
            _ => None,
        })
        .collect();
    assert_eq!(failed, ["STALE_MEMBER_EPOCH"]);
}
