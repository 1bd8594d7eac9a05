//! Consumer liveness and commits: the poll loop, `enable.auto.commit`, `max.poll.interval.ms`, and the
//! rebalance storm they make when processing a batch outlasts the poll interval.

use kplay_core::time::Instant;
use kplay_core::world::event::EventKind;
use kplay_core::world::state::GroupView;
use kplay_core::world::{Script, World};
use serde_json::json;

use super::world::{events, one_topic, owners, run};

/// `max.poll.interval.ms`: a member whose batch (400 records at 1 s each) outlasts 300 s is taken for
/// stuck at 303 s and leaves; the round a new member started at 10 s waited for it until then (a classic
/// member rejoins only from `poll()`); the partition goes to the new member from the last committed
/// offset (none: it was never committed), so what the slow member processed is processed again; and
/// when the slow member polls at 403 s its commit fails with `CommitFailedException` and it joins again.
#[test]
fn a_batch_that_outlasts_max_poll_interval_ms_costs_the_member_its_partitions() {
    let s = one_topic(
        1,
        json!([
            {"at_ms": 0, "do": "produce", "topic": "orders", "key": "k-{i}", "count": 400},
            {"at_ms": 0, "do": "join", "group": "g", "member": "slow", "topics": ["orders"],
             "processing_ms": 1000, "auto_offset_reset": "earliest"},
            {"at_ms": 10_000, "do": "join", "group": "g", "member": "quick", "topics": ["orders"],
             "processing_ms": 10, "auto_offset_reset": "earliest"},
        ]),
    );
    let mut world = run(&s, 320_000);
    let seen = events(&mut world);
    assert!(seen.contains(&EventKind::PollTimeoutExpired {
        group: "g".into(),
        member: "slow".into()
    }));
    let state = world.state();
    let g = state.groups.get("g").expect("group");
    assert!(g.members.get("slow").expect("slow").poll_timed_out);
    assert_eq!(
        owners(&state, "g")
            .get(&("orders".to_string(), 0))
            .map(String::as_str),
        Some("quick")
    );
    // The join's round waited for the busy member until its poll interval ran out.
    let completed: Vec<u64> = world
        .state()
        .groups
        .get("g")
        .map(|g| vec![g.rebalancing_ms])
        .unwrap_or_default();
    assert_eq!(completed, [3_000 + 293_000]);
    // By 303 s slow had processed offsets 0..=300; quick reads all 400 from 303 s, the first 301 again,
    // while slow, not knowing it is out, goes on with its batch: 17 more by 320 s, all read already.
    assert_eq!((g.delivered, g.redelivered), (318 + 400, 301 + 17));

    world.handle_timeout(Instant::from_millis(410_000));
    let later = events(&mut world);
    assert!(later.contains(&EventKind::CommitFailed {
        group: "g".into(),
        member: "slow".into(),
        topic: "orders".into(),
        partition: 0,
        error: "CommitFailedException".into()
    }));
    assert!(later.contains(&EventKind::Joined {
        group: "g".into(),
        member: "slow".into()
    }));
}

/// `enable.auto.commit`: polls commit every 5 s what earlier polls returned, so a crash makes the next
/// owner process again what came after the last commit: at most one interval (and the batch in hand).
#[test]
fn a_crash_redelivers_what_came_after_the_last_auto_commit() {
    let s = one_topic(
        1,
        json!([
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["orders"],
             "records_per_s": 10, "max_poll_records": 10, "auto_offset_reset": "earliest"},
            {"at_ms": 0, "do": "join", "group": "g", "member": "b", "topics": ["orders"],
             "records_per_s": 10, "max_poll_records": 10, "auto_offset_reset": "earliest"},
            {"at_ms": 0, "do": "produce", "topic": "orders", "key": "k", "count": 1000},
            {"at_ms": 12_500, "do": "crash", "group": "g", "member": "a"},
        ]),
    );
    let mut world = run(&s, 12_500);
    let committed: Vec<u64> = events(&mut world)
        .into_iter()
        .filter_map(|e| match e {
            EventKind::Committed { offset, .. } => Some(offset),
            _ => None,
        })
        .collect();
    world.handle_timeout(Instant::from_millis(100_000));
    let g = world.state().groups.get("g").expect("group").clone();
    assert!(!committed.is_empty(), "auto-commits before the crash");
    // Processed again: what a processed after its last auto-commit, at most one 5 s interval and the
    // batch in hand at 10 records a second.
    assert!(g.redelivered > 0 && g.redelivered <= 60, "{g:?}");
}

/// `examples/rebalance-storm.json`: 1,500 orders wait on three partitions when five groups of three
/// consumers start, each taking 700 ms per record. A poll returns 500 of them, 350 s of work, past
/// `max.poll.interval.ms` (300 s). Each group tries one fix, and the model says which one works, at 900 s:
/// - as-is: every member is put out of the group, its commit fails, the group starts over from nothing
///   committed, again and again: a rebalance storm;
/// - `max.poll.records` 200 (140 s a batch): no poll times out, one rebalance, everything processed once;
/// - static membership: members are still put out (they only stop heartbeating, so the group notices
///   after `session.timeout.ms`), and their late commits still fail with `CommitFailedException`;
/// - cooperative-sticky and the consumer protocol: the storm goes on, but members whose partitions stay
///   put keep reading, so the others pause far less than under eager.
#[test]
fn a_rebalance_storm_is_ended_only_by_fewer_records_per_poll() {
    let s: Script = serde_json::from_str(include_str!("../../../../examples/rebalance-storm.json"))
        .expect("the example parses");
    let world = World::replay(&s, Instant::from_millis(900_000)).expect("valid");
    let state = world.state();
    let group = |name: &str| state.groups.get(name).expect("group").clone();
    let committed = |g: &GroupView| -> u64 {
        g.offsets
            .0
            .iter()
            .flat_map(|(_, partitions)| partitions.0.iter().filter_map(|(_, o)| o.committed))
            .sum()
    };
    let paused = |g: &GroupView| -> u64 { g.members.0.iter().map(|(_, m)| m.paused_ms).sum() };

    let fixed = group("fewer-records");
    assert_eq!(
        (fixed.poll_timeouts, fixed.failed_commits, fixed.rebalances),
        (0, 0, 1)
    );
    assert_eq!((fixed.delivered, fixed.redelivered), (1_560, 0));
    assert!(committed(&fixed) >= 1_550, "{fixed:?}");

    for name in ["as-is", "static", "cooperative", "consumer-protocol"] {
        let g = group(name);
        assert!(g.poll_timeouts >= 4, "{name}: {g:?}");
        assert_eq!(committed(&g), 0, "{name} never commits anything");
        assert!(
            g.redelivered > 1_000,
            "{name} processes the same records again and again"
        );
    }
    // Static members' late commits fail as dynamic ones' do; the consumer protocol's members drop their
    // positions with their partitions and do not try.
    for (name, failed) in [
        ("as-is", 4),
        ("static", 4),
        ("cooperative", 4),
        ("consumer-protocol", 0),
    ] {
        assert_eq!(group(name).failed_commits, failed, "{name}");
    }
    // What the other fixes change: who else stops while the group reshuffles.
    let pauses: Vec<u64> = ["as-is", "static", "cooperative", "consumer-protocol"]
        .map(|name| paused(&group(name)))
        .into();
    assert_eq!(pauses, [592_000, 690_000, 0, 45_800]);
}
