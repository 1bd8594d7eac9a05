//! Share groups (KIP-932) in the world: members beyond the partition count all work, records are
//! acknowledged one by one, a lock that runs out or a release delivers a record again, never more than
//! `group.share.delivery.count.limit` times, and per-key order is lost.

use std::collections::BTreeMap;

use kplay_core::group::share::DELIVERY_COUNT_LIMIT;
use kplay_core::time::Instant;
use kplay_core::world::event::EventKind;
use kplay_core::world::{Action, Script, ScriptAction, World};
use proptest::prelude::*;
use serde_json::json;

use super::world::{events, one_topic, run};

/// `examples/share-group.json` at 120 s: a consumer group of four on two partitions leaves two members
/// idle and keeps each key in order; a share group of four keeps all four busy, loses per-key order,
/// archives the poison record after five deliveries and the corrupt one (rejected) at once, and hands the
/// crashed member's locked records to the others once their 30 s lock runs out.
#[test]
fn a_share_group_keeps_every_member_busy_and_loses_per_key_order() {
    let s: Script = serde_json::from_str(include_str!("../../../../examples/share-group.json"))
        .expect("the example parses");
    let mut world = World::replay(&s, Instant::from_millis(120_000)).expect("valid");
    let seen = events(&mut world);
    let state = world.state();

    let billing = state.groups.get("billing").expect("consumer group");
    let idle = billing
        .members
        .0
        .iter()
        .filter(|(_, m)| m.assigned.is_empty())
        .count();
    assert_eq!(idle, 2, "four consumers, two partitions");
    assert_eq!((billing.delivered, billing.out_of_order), (402, 0));

    let queue = state
        .share_groups
        .get("billing-queue")
        .expect("share group");
    assert_eq!(
        queue.members.0.len(),
        3,
        "the crashed member's session expired"
    );
    for (_, member) in &queue.members.0 {
        assert_eq!(
            member.assigned.len(),
            2,
            "every member reads every partition"
        );
    }
    assert!(queue.out_of_order > 0, "{queue:?}");
    let (acknowledged, archived): (u64, u64) = queue
        .partitions
        .get("orders")
        .expect("orders")
        .0
        .iter()
        .map(|(_, p)| (p.acknowledged, p.archived))
        .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
    assert_eq!(
        (acknowledged, archived),
        (400, 2),
        "402 records, the poison and the corrupt one archived"
    );
    for (_, p) in &queue.partitions.get("orders").expect("orders").0 {
        assert_eq!((p.available, p.acquired), (0, 0));
        assert_eq!(p.start_offset, p.end_offset, "nothing in flight");
    }

    let released = |reason: &str| -> Vec<(u64, &'static str)> {
        seen.iter()
            .filter_map(|e| match e {
                EventKind::Released {
                    offset,
                    state,
                    reason: r,
                    ..
                } if *r == reason => Some((*offset, *state)),
                _ => None,
            })
            .collect()
    };
    // The poison record: released four times, archived at the fifth delivery.
    let poison = released("released");
    assert_eq!(poison.len(), DELIVERY_COUNT_LIMIT as usize);
    assert_eq!(
        poison.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [
            "AVAILABLE",
            "AVAILABLE",
            "AVAILABLE",
            "AVAILABLE",
            "ARCHIVED"
        ]
    );
    assert_eq!(released("rejected").len(), 1, "the corrupt record, at once");
    // The crashed member held eight records; their locks ran out 30 s after its last poll.
    let expired = released("lock-expired");
    assert_eq!(expired.len(), 8);
    assert!(expired.iter().all(|(_, s)| *s == "AVAILABLE"));
    assert_eq!(queue.redelivered, 4 + 8);
}

/// A share consumer has its own settings; a group id is either a consumer group or a share group.
#[test]
fn share_groups_have_their_own_settings_and_group_ids() {
    let base = |extra: serde_json::Value| {
        let mut join = json!({"at_ms": 0, "do": "join", "group": "q", "member": "a",
            "topics": ["orders"], "type": "share"});
        if let (Some(join), Some(extra)) = (join.as_object_mut(), extra.as_object()) {
            join.extend(extra.clone());
        }
        one_topic(1, json!([join])).check()
    };
    for (extra, message) in [
        (
            json!({"strategy": "range"}),
            "actions[0].strategy: is not a setting of a share consumer",
        ),
        (
            json!({"enable_auto_commit": false}),
            "actions[0].enable_auto_commit: is not a setting of a share consumer",
        ),
        (
            json!({"auto_offset_reset": "none"}),
            "actions[0].auto_offset_reset: share.auto.offset.reset is",
        ),
        (
            json!({"records_per_s": 0.0}),
            "actions[0].records_per_s: a share consumer must process records",
        ),
    ] {
        let problems = base(extra);
        assert!(
            problems
                .0
                .iter()
                .any(|p| p.to_string().starts_with(message)),
            "{problems:?} should say {message}"
        );
    }
    let unknown = serde_json::from_value::<Script>(json!({"version": 1, "seed": 1, "brokers": 1,
        "topics": [{"name": "orders", "partitions": 1}],
        "actions": [{"at_ms": 0, "do": "join", "group": "q", "member": "a", "topics": ["orders"],
                     "type": "queue"}]}));
    assert!(
        unknown
            .expect_err("refused")
            .to_string()
            .starts_with("unknown variant `queue`, expected `consumer` or `share`")
    );
    let consumer = one_topic(
        1,
        json!([{"at_ms": 0, "do": "join", "group": "q", "member": "a", "topics": ["orders"],
                "acknowledge": {"release": ["x"]}}]),
    );
    assert!(consumer.check().0.iter().any(|p| p.to_string()
        == "actions[0].acknowledge: applies to a share consumer (\"type\": \"share\")"));

    // Run-time: one group id, one kind; a share group has no offsets to commit.
    let mixed = |second: serde_json::Value| {
        let s = one_topic(
            1,
            json!([{"at_ms": 0, "do": "join", "group": "q", "member": "a", "topics": ["orders"],
                    "type": "share"}, second]),
        );
        World::from_script(&s).expect_err("refused").0[0].to_string()
    };
    assert_eq!(
        mixed(json!({"at_ms": 1, "do": "join", "group": "q", "member": "b", "topics": ["orders"]})),
        "actions[1].group: \"q\" is a share group; join it with \"type\": \"share\""
    );
    assert_eq!(
        mixed(
            json!({"at_ms": 1, "do": "commit", "group": "q", "member": "a", "topic": "orders",
                     "partition": 0, "offset": 0})
        ),
        "actions[1].group: \"q\" is a share group, which has no committed offsets to act on"
    );
}

/// A batch that takes longer than the record lock: the member's later records are handed to another
/// member while it still works, and its acknowledgements of them fail with `INVALID_RECORD_STATE`.
#[test]
fn a_batch_that_outlasts_the_record_lock_is_processed_twice() {
    let s = one_topic(
        1,
        json!([
            {"at_ms": 0, "do": "produce", "topic": "orders", "key": "k-{i}", "count": 50},
            {"at_ms": 0, "do": "join", "group": "q", "member": "slow", "topics": ["orders"],
             "type": "share", "processing_ms": 1000, "auto_offset_reset": "earliest"},
            {"at_ms": 10_000, "do": "join", "group": "q", "member": "quick", "topics": ["orders"],
             "type": "share", "processing_ms": 10, "auto_offset_reset": "earliest"},
        ]),
    );
    let mut world = run(&s, 60_000);
    let seen = events(&mut world);
    let failed = seen
        .iter()
        .filter(|e| {
            matches!(
                e,
                EventKind::AcknowledgeFailed {
                    error: "INVALID_RECORD_STATE",
                    ..
                }
            )
        })
        .count();
    let queue = world
        .state()
        .share_groups
        .get("q")
        .expect("share group")
        .clone();
    // slow took all 50 at 0 s and processes one a second. Implicit acknowledgement sends what it
    // processed with its next poll (at 50 s), so at 30 s every lock of the batch runs out, the done ones
    // included: quick takes all 50 again, and slow's 50 acknowledgements fail.
    assert_eq!(
        (queue.redelivered, queue.failed_acks as usize),
        (50, failed)
    );
    assert_eq!(failed, 50);
}

fn share_action() -> impl Strategy<Value = Action> {
    let member = prop_oneof![Just("a"), Just("b"), Just("c")].prop_map(String::from);
    prop_oneof![
        3 => (0_u64..40, prop_oneof![Just(None), Just(Some("poison".to_string())), Just(Some("k".to_string()))])
            .prop_map(|(count, key)| Action::Produce {
                topic: "orders".into(),
                key,
                value_bytes: 100,
                tombstone: false,
                acks: None,
                count: count + 1,
                interval_ms: 50,
                producer: None,
            }),
        2 => (member.clone(), 1_u64..2_000, 1_u32..20).prop_map(|(member, ms, max)| {
            let join = json!({"do": "join", "group": "q", "member": member, "topics": ["orders"],
                "type": "share", "processing_ms": ms, "max_poll_records": max,
                "auto_offset_reset": "earliest", "acknowledge": {"release": ["poison"]}});
            serde_json::from_value(join).expect("a join")
        }),
        1 => member.clone().prop_map(|member| Action::Leave { group: "q".into(), member }),
        1 => member.prop_map(|member| Action::Crash { group: "q".into(), member }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever members join, leave, crash, release or outlast their locks, no record of a share group
    /// is delivered more than `group.share.delivery.count.limit` times.
    #[test]
    fn a_share_group_never_delivers_a_record_more_than_the_limit(
        steps in proptest::collection::vec((0_u64..20_000, share_action()), 1..30)
    ) {
        let mut at = 0;
        let actions: Vec<ScriptAction> = steps
            .into_iter()
            .map(|(gap, action)| {
                at += gap;
                ScriptAction { at_ms: at, action }
            })
            .collect();
        let mut s = one_topic(2, json!([]));
        s.actions = actions;
        let mut world = World::new(&s).expect("valid");
        // Actions the world refuses (a member that is not there) are skipped, as a user's typo would be.
        for step in &s.actions {
            let _ = world.handle_action(Instant::from_millis(step.at_ms), &step.action);
        }
        world.handle_timeout(Instant::from_millis(at + 200_000));
        let mut deliveries: BTreeMap<(u32, u64), u32> = BTreeMap::new();
        for event in events(&mut world) {
            if let EventKind::Fetched { partition, offset, .. } = event {
                *deliveries.entry((partition, offset)).or_default() += 1;
            }
        }
        for (record, n) in &deliveries {
            prop_assert!(*n <= DELIVERY_COUNT_LIMIT, "{record:?} delivered {n} times");
        }
    }
}
