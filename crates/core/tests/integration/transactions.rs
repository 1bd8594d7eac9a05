//! Transactions in the world, through `examples/transactions.json`: markers take offsets, the last
//! stable offset holds `read_committed` readers back, aborted records reach only `read_uncommitted` ones,
//! a restarted producer fences the old one, and the coordinator aborts a transaction left open.

use std::collections::BTreeSet;

use kplay_core::time::Instant;
use kplay_core::world::event::EventKind;
use kplay_core::world::state::WorldState;
use kplay_core::world::{Script, World};

fn example() -> Script {
    serde_json::from_str(include_str!("../../../../examples/transactions.json"))
        .expect("the example parses")
}

/// The world at `ms` and the offsets each group fetched by then.
fn at(ms: u64) -> (WorldState, Vec<(String, u64)>, Vec<EventKind>) {
    let mut world = World::replay(&example(), Instant::from_millis(ms)).expect("accepted");
    let events: Vec<EventKind> = std::iter::from_fn(|| world.poll_event())
        .map(|e| e.kind)
        .collect();
    let fetched = events
        .iter()
        .filter_map(|e| match e {
            EventKind::Fetched { group, offset, .. } => Some((group.clone(), *offset)),
            _ => None,
        })
        .collect();
    (world.state(), fetched, events)
}

fn offsets(fetched: &[(String, u64)], group: &str) -> BTreeSet<u64> {
    fetched
        .iter()
        .filter(|(g, _)| g == group)
        .map(|&(_, o)| o)
        .collect()
}

#[test]
fn an_open_transaction_holds_read_committed_back_at_the_last_stable_offset() {
    let (state, fetched, _) = at(15_000);
    let p = &state.topics.get("payments").expect("topic").partitions[0];
    // 5 committed (0-4), COMMIT at 5, 3 aborted (6-8), ABORT at 9, 4 open from 10, 2 plain (14, 15).
    assert_eq!((p.high_watermark, p.last_stable_offset), (16, 10));
    assert_eq!(offsets(&fetched, "ledger"), (0..5).collect());
    let dashboard: BTreeSet<u64> = [0, 1, 2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 14, 15].into();
    assert_eq!(
        offsets(&fetched, "dashboard"),
        dashboard,
        "read_uncommitted reads aborted and open records, never a marker"
    );
}

#[test]
fn a_restarted_producer_fences_the_old_one_and_aborts_what_it_left_open() {
    let (state, fetched, events) = at(25_000);
    let ledger = offsets(&fetched, "ledger");
    assert!(
        ledger.is_superset(&[14, 15, 17, 18].into()),
        "the fence's abort marker (16) frees the plain records, then the new commit: {ledger:?}"
    );
    assert!(ledger.is_disjoint(&[6, 7, 8, 10, 11, 12, 13].into()));
    let zombie = &state.produced[14];
    assert_eq!(
        (zombie.status.as_ref(), zombie.error.as_deref()),
        ("failed", Some("INVALID_PRODUCER_EPOCH"))
    );
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::TransactionEnded { reason, control: "abort", .. } if reason == "fenced"
    )));
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::TransactionFailed { producer, call: "commit-transaction", .. } if producer == "checkout"
    )));
    let txn = state.transactions.get("checkout-1").expect("registered");
    assert_eq!((txn.epoch, txn.state.as_ref()), (2, "CompleteCommit"));
}

#[test]
fn the_coordinator_aborts_a_transaction_open_past_its_timeout() {
    // Begun at 30 s (its first partition added at 30.005 s): past 60 s at the 100 s check, not at 90 s.
    let (state, _, _) = at(99_999);
    let txn = state.transactions.get("checkout-1").expect("registered");
    assert_eq!(txn.state.as_ref(), "Ongoing");
    let (state, _, events) = at(100_500);
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::TransactionEnded { reason, .. } if reason == "timeout"
    )));
    let txn = state.transactions.get("checkout-1").expect("registered");
    assert_eq!((txn.epoch, txn.state.as_ref()), (3, "CompleteAbort"));
    let p = &state.topics.get("payments").expect("topic").partitions[0];
    assert_eq!(p.isr, [0, 1, 2], "an idle follower stays in sync");
    assert_eq!((p.log_end_offset, p.last_stable_offset), (22, 22));
}

/// Keys of the records `group` fetched from `topic` by `until_ms`, and how many fetches there were.
fn fetched_keys(script: &Script, until_ms: u64, group: &str) -> (BTreeSet<String>, usize) {
    let mut world = World::replay(script, Instant::from_millis(until_ms)).expect("accepted");
    let fetched: Vec<(String, u32, u64)> = std::iter::from_fn(|| world.poll_event())
        .filter_map(|e| match e.kind {
            EventKind::Fetched {
                group: g,
                topic,
                partition,
                offset,
                ..
            } if g == group => Some((topic, partition, offset)),
            _ => None,
        })
        .collect();
    let keys = fetched
        .iter()
        .map(|(topic, partition, offset)| {
            let records = world.records(topic, *partition).expect("partition");
            let r = records
                .iter()
                .find(|r| r.record.offset == *offset)
                .expect("still in the log");
            r.record.key.clone().expect("keyed")
        })
        .collect();
    (keys, fetched.len())
}

/// `examples/exactly-once.json`: 2,000 orders through two enrichers, one of which crashes at 7 s, once
/// with transactions and once without.
#[test]
fn a_transactional_stage_forwards_every_record_exactly_once_through_a_crash() {
    let s: Script = serde_json::from_str(include_str!("../../../../examples/exactly-once.json"))
        .expect("the example parses");
    let world = World::replay(&s, Instant::from_millis(90_000)).expect("accepted");
    let outcomes = |topic: &str| {
        let mut keys: Vec<String> = Vec::new();
        let mut aborted = 0;
        for p in 0..2 {
            for r in world.records(topic, p).expect("partition") {
                match (r.record.control.as_deref(), r.record.transaction.as_deref()) {
                    (Some(_), _) => {}
                    (None, Some("aborted")) => aborted += 1,
                    _ => keys.extend(r.record.key),
                }
            }
        }
        let distinct: BTreeSet<&String> = keys.iter().collect();
        (keys.len(), distinct.len(), aborted)
    };
    let (eos, eos_distinct, eos_aborted) = outcomes("enriched-eos");
    assert_eq!(
        (eos, eos_distinct),
        (2_000, 2_000),
        "each order committed once"
    );
    assert!(
        eos_aborted > 0,
        "the crashed enricher's open transaction was aborted"
    );
    let (alo, alo_distinct, _) = outcomes("enriched-alo");
    assert_eq!(alo_distinct, 2_000);
    assert!(
        alo > 2_100,
        "at-least-once wrote {alo}: what came after the last commit, twice"
    );
    let (keys, fetches) = fetched_keys(&s, 90_000, "audit-eos");
    assert_eq!(
        (keys.len(), fetches),
        (2_000, 2_000),
        "read_committed reads each once"
    );
    let (keys, fetches) = fetched_keys(&s, 90_000, "audit-alo");
    assert_eq!(keys.len(), 2_000);
    assert_eq!(fetches, alo, "read_uncommitted reads the duplicates too");
}

/// KIP-447's `require_stable`: a partition moves from a live exactly-once member whose transaction
/// (with that partition's offsets) commits only later; the new owner waits for it instead of reading
/// from the older committed offset, so nothing is forwarded twice.
#[test]
fn a_new_owner_waits_for_the_offsets_of_an_open_transaction() {
    let s: Script = serde_json::from_value(serde_json::json!({
        "version": 1, "seed": 1, "brokers": 1,
        "topics": [{"name": "in", "partitions": 2}, {"name": "out", "partitions": 1}],
        "producers": [
            {"name": "pa", "config": {"transactional.id": "a"}},
            {"name": "pb", "config": {"transactional.id": "b"}}
        ],
        "actions": [
            {"at_ms": 0, "do": "produce", "topic": "in", "key": "k-{i}", "count": 400},
            {"at_ms": 0, "do": "join", "group": "g", "member": "a", "topics": ["in"],
             "strategy": "cooperative-sticky", "auto_offset_reset": "earliest", "records_per_s": 50,
             "forward_to": "out", "forward_producer": "pa", "commit_interval_ms": 10000},
            {"at_ms": 5000, "do": "join", "group": "g", "member": "b", "topics": ["in"],
             "strategy": "cooperative-sticky", "auto_offset_reset": "earliest", "records_per_s": 50,
             "forward_to": "out", "forward_producer": "pb", "commit_interval_ms": 10000}
        ]
    }))
    .expect("a script");
    let world = World::replay(&s, Instant::from_millis(40_000)).expect("accepted");
    let committed: Vec<String> = world
        .records("out", 0)
        .expect("partition")
        .into_iter()
        .filter(|r| {
            r.record.control.is_none() && r.record.transaction.as_deref() == Some("committed")
        })
        .filter_map(|r| r.record.key)
        .collect();
    let distinct: BTreeSet<&String> = committed.iter().collect();
    assert!(committed.len() > 100, "{} forwarded", committed.len());
    assert_eq!(distinct.len(), committed.len(), "forwarded twice");
}

// Exactly-once under chaos ------------------------------------------------------------------------------

use kplay_core::world::{Action, ScriptAction};
use proptest::prelude::*;

/// 300 orders with distinct keys into `in`, three possible stage members (each with its own
/// transactional producer) forwarding to `out`, and nothing else yet.
fn pipeline() -> Script {
    serde_json::from_value(serde_json::json!({
        "version": 1, "seed": 3, "brokers": 3,
        "topics": [
            {"name": "in", "partitions": 3, "replication_factor": 3, "config": {"min.insync.replicas": 2}},
            {"name": "out", "partitions": 2, "replication_factor": 3, "config": {"min.insync.replicas": 2}}
        ],
        "producers": [
            {"name": "s0", "config": {"transactional.id": "t0", "transaction.timeout.ms": 10000}},
            {"name": "s1", "config": {"transactional.id": "t1", "transaction.timeout.ms": 10000}},
            {"name": "s2", "config": {"transactional.id": "t2", "transaction.timeout.ms": 10000}},
            {"name": "s3", "config": {"transactional.id": "t3", "transaction.timeout.ms": 10000}}
        ],
        "actions": [
            {"at_ms": 0, "do": "produce", "topic": "in", "key": "k-{i}", "count": 300, "interval_ms": 20},
            {"at_ms": 0, "do": "join", "group": "audit", "member": "a", "topics": ["out"],
             "auto_offset_reset": "earliest", "isolation_level": "read_committed", "records_per_s": 1000}
        ]
    }))
    .expect("a script")
}

fn chaos(cooperative: bool) -> impl Strategy<Value = Action> {
    let strategy = if cooperative {
        "cooperative-sticky"
    } else {
        "range"
    };
    prop_oneof![
        3 => (0_u8..3).prop_map(move |m| serde_json::from_value(serde_json::json!({
            "do": "join", "group": "enrich", "member": format!("m{m}"), "topics": ["in"],
            "strategy": strategy, "auto_offset_reset": "earliest", "records_per_s": 50,
            "forward_to": "out", "forward_producer": format!("s{m}")
        })).expect("a join")),
        1 => (0_u8..3).prop_map(|m| Action::Leave { group: "enrich".into(), member: format!("m{m}") }),
        1 => (0_u8..3).prop_map(|m| Action::Crash { group: "enrich".into(), member: format!("m{m}") }),
        1 => (0_u32..3).prop_map(|broker| Action::KillBroker { broker }),
        1 => (0_u32..3).prop_map(|broker| Action::RestartBroker { broker }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever members join, leave and crash and brokers fail, the stage's committed output holds
    /// each input record at most once, and a read_committed reader of it reads each at most once; once
    /// the brokers are back and a member runs, every input record is in it.
    #[test]
    fn a_transactional_stage_commits_each_record_once(
        cooperative in any::<bool>(),
        drawn in prop::collection::vec((0_u64..4_000, chaos(true)), 1..14),
    ) {
        let mut s = pipeline();
        let mut world = World::new(&s).expect("valid");
        let mut at = 0;
        for step in s.actions.clone() {
            world.handle_action(Instant::from_millis(step.at_ms), &step.action).expect("accepted");
        }
        for (gap, mut action) in drawn {
            if let Action::Join { strategy, .. } = &mut action && !cooperative {
                *strategy = Some("range".into());
            }
            at += gap;
            if world.handle_action(Instant::from_millis(at), &action).is_ok() {
                s.actions.push(ScriptAction { at_ms: at, action });
            }
        }
        // Then the brokers come back and a fresh member joins: every record gets through in the end.
        at += 1_000;
        for broker in 0..3 {
            let _ = world.handle_action(Instant::from_millis(at), &Action::RestartBroker { broker });
        }
        let fresh: Action = serde_json::from_value(serde_json::json!({
            "do": "join", "group": "enrich", "member": "m3", "topics": ["in"],
            "strategy": if cooperative { "cooperative-sticky" } else { "range" },
            "auto_offset_reset": "earliest", "records_per_s": 50,
            "forward_to": "out", "forward_producer": "s3"
        })).expect("a join");
        world.handle_action(Instant::from_millis(at), &fresh).expect("m3 joins");
        world.handle_timeout(Instant::from_millis(at + 180_000));
        let mut committed = BTreeSet::new();
        for p in 0..2 {
            for r in world.records("out", p).expect("partition") {
                if r.record.control.is_none() && r.record.transaction.as_deref() == Some("committed") {
                    let key = r.record.key.clone().expect("keyed");
                    prop_assert!(committed.insert(key.clone()), "{} committed twice", key);
                }
            }
        }
        prop_assert_eq!(committed.len(), 300, "every record committed once in the end");
        let mut read = BTreeSet::new();
        while let Some(event) = world.poll_event() {
            if let EventKind::Fetched { group, topic, partition, offset, .. } = event.kind
                && group == "audit"
            {
                let records = world.records(&topic, partition).expect("partition");
                let key = records.iter().find(|r| r.record.offset == offset).and_then(|r| r.record.key.clone());
                if let Some(key) = key {
                    prop_assert!(read.insert(key.clone()), "read_committed read {} twice", key);
                }
            }
        }
    }
}
