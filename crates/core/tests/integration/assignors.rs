//! Every client-side assignor example of KAFKA_FACTS §3.1–3.3, taken from Kafka's own tests and Javadoc,
//! and the broker's `range` (§3.4); the broker's `uniform` vectors sit beside its code, where they can use
//! the Java order of Kafka's topic ids.

use std::collections::BTreeMap;

use kplay_core::group::assignor::{
    AssignError, Assignor, Member, ServerAssignor, Strategy, TopicPartition, assign,
};

/// (name, topics with partition counts, members, expected assignment).
type Case = (
    &'static str,
    Vec<(&'static str, u32)>,
    Vec<Member>,
    BTreeMap<String, Vec<String>>,
);

fn topics(list: &[(&str, u32)]) -> BTreeMap<String, u32> {
    list.iter().map(|&(t, p)| (t.to_owned(), p)).collect()
}

fn member(id: &str, subscribed: &[&str]) -> Member {
    Member::new(id, subscribed)
}

fn static_member(id: &str, instance: &str, subscribed: &[&str]) -> Member {
    Member {
        instance_id: Some(instance.into()),
        ..Member::new(id, subscribed)
    }
}

/// A member that owned `owned` (as "topic-p" strings) in `generation`.
fn owning(id: &str, subscribed: &[&str], owned: &[&str], generation: i32) -> Member {
    let owned = owned
        .iter()
        .map(|tp| {
            let (topic, p) = tp.rsplit_once('-').expect("topic-partition");
            TopicPartition::new(topic, p.parse().expect("partition number"))
        })
        .collect();
    Member {
        owned,
        generation,
        ..Member::new(id, subscribed)
    }
}

/// Runs the assignor and renders the result as member → sorted "topic-p" names.
fn run(
    strategy: impl Into<Assignor>,
    topic_list: &[(&str, u32)],
    members: &[Member],
) -> BTreeMap<String, Vec<String>> {
    let result = assign(strategy, &topics(topic_list), members).expect("valid group");
    members
        .iter()
        .zip(result.partitions)
        .map(|(m, tps)| (m.id.clone(), tps.iter().map(ToString::to_string).collect()))
        .collect()
}

fn expect(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|&(m, tps)| {
            let mut sorted: Vec<TopicPartition> = tps
                .iter()
                .map(|tp| {
                    let (topic, p) = tp.rsplit_once('-').expect("topic-partition");
                    TopicPartition::new(topic, p.parse().expect("partition number"))
                })
                .collect();
            sorted.sort();
            (
                m.to_owned(),
                sorted.iter().map(ToString::to_string).collect(),
            )
        })
        .collect()
}

// §3.1 RangeAssignor

#[test]
fn range_assignor_examples() {
    let both = ["topic1", "topic2"];
    let cases: Vec<Case> = vec![
        (
            "javadoc: C0, C1 with t0 and t1 of 3",
            vec![("t0", 3), ("t1", 3)],
            vec![member("C0", &["t0", "t1"]), member("C1", &["t0", "t1"])],
            expect(&[
                ("C0", &["t0-0", "t0-1", "t1-0", "t1-1"]),
                ("C1", &["t0-2", "t1-2"]),
            ]),
        ),
        (
            "testTwoConsumersTwoTopicsSixPartitions",
            vec![("topic1", 3), ("topic2", 3)],
            vec![member("consumer1", &both), member("consumer2", &both)],
            expect(&[
                (
                    "consumer1",
                    &["topic1-0", "topic1-1", "topic2-0", "topic2-1"],
                ),
                ("consumer2", &["topic1-2", "topic2-2"]),
            ]),
        ),
        (
            "testMultipleConsumersMixedTopics",
            vec![("topic1", 3), ("topic2", 2)],
            vec![
                member("consumer1", &["topic1"]),
                member("consumer2", &both),
                member("consumer3", &["topic1"]),
            ],
            expect(&[
                ("consumer1", &["topic1-0"]),
                ("consumer2", &["topic1-1", "topic2-0", "topic2-1"]),
                ("consumer3", &["topic1-2"]),
            ]),
        ),
        (
            "testTwoConsumersOneTopicOnePartition",
            vec![("topic", 1)],
            vec![
                member("consumer1", &["topic"]),
                member("consumer2", &["topic"]),
            ],
            expect(&[("consumer1", &["topic-0"]), ("consumer2", &[])]),
        ),
        (
            "testStaticMemberRangeAssignmentPersistent",
            vec![("topic1", 5), ("topic2", 4)],
            vec![
                static_member("consumer1", "instance1", &both),
                static_member("consumer2", "instance2", &both),
                static_member("consumer3", "instance3", &both),
                member("consumer4", &both),
            ],
            expect(&[
                ("consumer1", &["topic1-0", "topic1-1", "topic2-0"]),
                ("consumer2", &["topic1-2", "topic2-1"]),
                ("consumer3", &["topic1-3", "topic2-2"]),
                ("consumer4", &["topic1-4", "topic2-3"]),
            ]),
        ),
        (
            "testStaticMemberRangeAssignmentPersistent, consumer4 replaced by consumer5",
            vec![("topic1", 5), ("topic2", 4)],
            vec![
                static_member("consumer1", "instance1", &both),
                static_member("consumer2", "instance2", &both),
                static_member("consumer3", "instance3", &both),
                member("consumer5", &both),
            ],
            expect(&[
                ("consumer1", &["topic1-0", "topic1-1", "topic2-0"]),
                ("consumer2", &["topic1-2", "topic2-1"]),
                ("consumer3", &["topic1-3", "topic2-2"]),
                ("consumer5", &["topic1-4", "topic2-3"]),
            ]),
        ),
        (
            "testTwoStaticConsumersTwoTopicsSixPartitions: instance id decides, not member id",
            vec![("topic1", 3), ("topic2", 3)],
            vec![
                static_member("consumer-b", "instance1", &both),
                static_member("consumer-a", "instance2", &both),
            ],
            expect(&[
                (
                    "consumer-b",
                    &["topic1-0", "topic1-1", "topic2-0", "topic2-1"],
                ),
                ("consumer-a", &["topic1-2", "topic2-2"]),
            ]),
        ),
        (
            "testRackAwareAssignmentWithUniformSubscription (no racks)",
            vec![("t1", 6), ("t2", 7), ("t3", 2)],
            vec![
                member("consumer0", &["t1", "t2", "t3"]),
                member("consumer1", &["t1", "t2", "t3"]),
                member("consumer2", &["t1", "t2", "t3"]),
            ],
            expect(&[
                (
                    "consumer0",
                    &["t1-0", "t1-1", "t2-0", "t2-1", "t2-2", "t3-0"],
                ),
                ("consumer1", &["t1-2", "t1-3", "t2-3", "t2-4", "t3-1"]),
                ("consumer2", &["t1-4", "t1-5", "t2-5", "t2-6"]),
            ]),
        ),
        (
            "testRackAwareAssignmentWithNonEqualSubscription (no racks)",
            vec![("t1", 6), ("t2", 7), ("t3", 2)],
            vec![
                member("consumer0", &["t1", "t2", "t3"]),
                member("consumer1", &["t1", "t2", "t3"]),
                member("consumer2", &["t1", "t3"]),
            ],
            expect(&[
                (
                    "consumer0",
                    &["t1-0", "t1-1", "t2-0", "t2-1", "t2-2", "t2-3", "t3-0"],
                ),
                (
                    "consumer1",
                    &["t1-2", "t1-3", "t2-4", "t2-5", "t2-6", "t3-1"],
                ),
                ("consumer2", &["t1-4", "t1-5"]),
            ]),
        ),
    ];
    for (name, topic_list, members, expected) in cases {
        assert_eq!(
            run(Strategy::Range, &topic_list, &members),
            expected,
            "{name}"
        );
    }
}

// §3.2 RoundRobinAssignor

#[test]
fn round_robin_assignor_examples() {
    let both = ["topic1", "topic2"];
    let cases: Vec<Case> = vec![
        (
            "javadoc: C0, C1 with t0 and t1 of 3",
            vec![("t0", 3), ("t1", 3)],
            vec![member("C0", &["t0", "t1"]), member("C1", &["t0", "t1"])],
            expect(&[
                ("C0", &["t0-0", "t0-2", "t1-1"]),
                ("C1", &["t0-1", "t1-0", "t1-2"]),
            ]),
        ),
        (
            "javadoc: unequal subscriptions",
            vec![("t0", 1), ("t1", 2), ("t2", 3)],
            vec![
                member("C0", &["t0"]),
                member("C1", &["t0", "t1"]),
                member("C2", &["t0", "t1", "t2"]),
            ],
            expect(&[
                ("C0", &["t0-0"]),
                ("C1", &["t1-0"]),
                ("C2", &["t1-1", "t2-0", "t2-1", "t2-2"]),
            ]),
        ),
        (
            "testTwoDynamicConsumersTwoTopicsSixPartitions",
            vec![("topic1", 3), ("topic2", 3)],
            vec![member("consumer1", &both), member("consumer2", &both)],
            expect(&[
                ("consumer1", &["topic1-0", "topic1-2", "topic2-1"]),
                ("consumer2", &["topic1-1", "topic2-0", "topic2-2"]),
            ]),
        ),
        (
            "testMultipleConsumersMixedTopics",
            vec![("topic1", 3), ("topic2", 2)],
            vec![
                member("consumer1", &["topic1"]),
                member("consumer2", &both),
                member("consumer3", &["topic1"]),
            ],
            expect(&[
                ("consumer1", &["topic1-0"]),
                ("consumer2", &["topic1-1", "topic2-0", "topic2-1"]),
                ("consumer3", &["topic1-2"]),
            ]),
        ),
        (
            "testTwoConsumersOneTopicOnePartition",
            vec![("topic", 1)],
            vec![
                member("consumer1", &["topic"]),
                member("consumer2", &["topic"]),
            ],
            expect(&[("consumer1", &["topic-0"]), ("consumer2", &[])]),
        ),
        (
            "testStaticMemberRoundRobinAssignmentPersistent",
            vec![("topic1", 3), ("topic2", 3)],
            vec![
                static_member("consumer1", "instance1", &both),
                static_member("consumer2", "instance2", &both),
                static_member("consumer3", "instance3", &both),
                member("consumer4", &both),
            ],
            expect(&[
                ("consumer1", &["topic1-0", "topic2-1"]),
                ("consumer2", &["topic1-1", "topic2-2"]),
                ("consumer3", &["topic1-2"]),
                ("consumer4", &["topic2-0"]),
            ]),
        ),
        (
            "testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges",
            vec![("topic1", 5), ("topic2", 5)],
            vec![
                static_member("member-z", "instance1", &both),
                static_member("member-y", "instance2", &both),
                static_member("member-x", "instance3", &both),
            ],
            expect(&[
                (
                    "member-z",
                    &["topic1-0", "topic1-3", "topic2-1", "topic2-4"],
                ),
                ("member-y", &["topic1-1", "topic1-4", "topic2-2"]),
                ("member-x", &["topic1-2", "topic2-0", "topic2-3"]),
            ]),
        ),
    ];
    for (name, topic_list, members, expected) in cases {
        assert_eq!(
            run(Strategy::RoundRobin, &topic_list, &members),
            expected,
            "{name}"
        );
    }
}

// §3.3 StickyAssignor and CooperativeStickyAssignor

const STICKY: [Strategy; 2] = [Strategy::Sticky, Strategy::CooperativeSticky];

#[test]
fn sticky_fresh_assignment_deals_round_robin() {
    let both = ["topic1", "topic2"];
    for strategy in STICKY {
        let got = run(
            strategy,
            &[("topic1", 3), ("topic2", 3)],
            &[member("consumer1", &both), member("consumer2", &both)],
        );
        let want = expect(&[
            ("consumer1", &["topic1-0", "topic1-2", "topic2-1"]),
            ("consumer2", &["topic1-1", "topic2-0", "topic2-2"]),
        ]);
        assert_eq!(got, want, "{strategy}");
    }
}

#[test]
fn sticky_add_then_remove_two_consumers() {
    let both = ["topic1", "topic2"];
    let layout = [("topic1", 3), ("topic2", 4)];
    let fresh = run(
        Strategy::Sticky,
        &layout,
        &[member("consumer1", &both), member("consumer2", &both)],
    );
    assert_eq!(
        fresh,
        expect(&[
            (
                "consumer1",
                &["topic1-0", "topic1-2", "topic2-1", "topic2-3"]
            ),
            ("consumer2", &["topic1-1", "topic2-0", "topic2-2"])
        ])
    );

    let grown = [
        owning(
            "consumer1",
            &both,
            &["topic1-0", "topic1-2", "topic2-1", "topic2-3"],
            1,
        ),
        owning("consumer2", &both, &["topic1-1", "topic2-0", "topic2-2"], 1),
        owning("consumer3", &both, &[], 1),
        owning("consumer4", &both, &[], 1),
    ];
    let eager = run(Strategy::Sticky, &layout, &grown);
    assert_eq!(
        eager,
        expect(&[
            ("consumer1", &["topic1-0", "topic2-1"]),
            ("consumer2", &["topic2-0", "topic1-1"]),
            ("consumer3", &["topic1-2", "topic2-3"]),
            ("consumer4", &["topic2-2"]),
        ])
    );
    // Cooperative: topic1-2 → consumer3, topic2-3 → consumer3 and topic2-2 → consumer4 change owner, so
    // they are withheld this round.
    let cooperative = run(Strategy::CooperativeSticky, &layout, &grown);
    assert_eq!(
        cooperative,
        expect(&[
            ("consumer1", &["topic1-0", "topic2-1"]),
            ("consumer2", &["topic2-0", "topic1-1"]),
            ("consumer3", &[]),
            ("consumer4", &[]),
        ])
    );

    let shrunk = [
        owning("consumer3", &both, &["topic1-2", "topic2-3"], 2),
        owning("consumer4", &both, &["topic2-2"], 2),
    ];
    for strategy in STICKY {
        assert_eq!(
            run(strategy, &layout, &shrunk),
            expect(&[
                (
                    "consumer3",
                    &["topic1-2", "topic2-3", "topic1-0", "topic2-1"]
                ),
                ("consumer4", &["topic2-2", "topic1-1", "topic2-0"]),
            ]),
            "{strategy}: partitions of departed members move without revocations"
        );
    }
}

#[test]
fn sticky_mixed_subscriptions_use_the_general_builder() {
    let got = run(
        Strategy::Sticky,
        &[("topic1", 3), ("topic2", 2)],
        &[
            member("consumer1", &["topic1"]),
            member("consumer2", &["topic1", "topic2"]),
            member("consumer3", &["topic1"]),
        ],
    );
    assert_eq!(
        got,
        expect(&[
            ("consumer1", &["topic1-0", "topic1-2"]),
            ("consumer2", &["topic2-0", "topic2-1"]),
            ("consumer3", &["topic1-1"]),
        ])
    );
}

#[test]
fn sticky_all_consumers_under_min_quota() {
    let both = ["topic1", "topic2"];
    let members = [
        owning("consumer1", &both, &["topic1-0"], 1),
        owning("consumer2", &both, &["topic1-1"], 1),
        owning("consumer3", &both, &[], 1),
    ];
    for strategy in STICKY {
        assert_eq!(
            run(strategy, &[("topic1", 2), ("topic2", 3)], &members),
            expect(&[
                ("consumer1", &["topic1-0", "topic2-1"]),
                ("consumer2", &["topic1-1", "topic2-2"]),
                ("consumer3", &["topic2-0"]),
            ]),
            "{strategy}"
        );
    }
}

#[test]
fn sticky_max_quota_member_follows_java_hash_map_order() {
    // Kafka visits consumer3, consumer2, consumer1 (their HashMap buckets are 12, 11, 10), so consumer2 keeps
    // its two partitions and consumer1 gives up topic2-0.
    let both = ["topic1", "topic2"];
    let members = [
        owning("consumer1", &both, &["topic1-0", "topic2-0"], 1),
        owning("consumer2", &both, &["topic1-1", "topic2-1"], 1),
        owning("consumer3", &both, &[], 1),
    ];
    let layout = [("topic1", 2), ("topic2", 2)];
    assert_eq!(
        run(Strategy::Sticky, &layout, &members),
        expect(&[
            ("consumer1", &["topic1-0"]),
            ("consumer2", &["topic1-1", "topic2-1"]),
            ("consumer3", &["topic2-0"])
        ])
    );
    assert_eq!(
        run(Strategy::CooperativeSticky, &layout, &members),
        expect(&[
            ("consumer1", &["topic1-0"]),
            ("consumer2", &["topic1-1", "topic2-1"]),
            ("consumer3", &[])
        ])
    );
}

#[test]
fn sticky_add_consumer_to_one_topic() {
    let layout = [("topic", 3)];
    assert_eq!(
        run(
            Strategy::Sticky,
            &layout,
            &[member("consumer1", &["topic"])]
        ),
        expect(&[("consumer1", &["topic-0", "topic-1", "topic-2"])])
    );
    let members = [
        owning(
            "consumer1",
            &["topic"],
            &["topic-0", "topic-1", "topic-2"],
            1,
        ),
        owning("consumer2", &["topic"], &[], 1),
    ];
    assert_eq!(
        run(Strategy::Sticky, &layout, &members),
        expect(&[
            ("consumer1", &["topic-0", "topic-1"]),
            ("consumer2", &["topic-2"])
        ])
    );
    assert_eq!(
        run(Strategy::CooperativeSticky, &layout, &members),
        expect(&[("consumer1", &["topic-0", "topic-1"]), ("consumer2", &[])])
    );
    // Follow-up rebalance: consumer1 has revoked topic-2, which is now free.
    let follow_up = [
        owning("consumer1", &["topic"], &["topic-0", "topic-1"], 2),
        owning("consumer2", &["topic"], &[], 2),
    ];
    assert_eq!(
        run(Strategy::CooperativeSticky, &layout, &follow_up),
        expect(&[
            ("consumer1", &["topic-0", "topic-1"]),
            ("consumer2", &["topic-2"])
        ])
    );
}

#[test]
fn cooperative_same_generation_double_claims_are_withheld() {
    let t = ["topic"];
    let members = [
        owning("consumer1", &t, &["topic-0", "topic-1"], 1),
        owning("consumer2", &t, &["topic-0", "topic-2"], 1),
        owning("consumer3", &t, &[], -1),
    ];
    assert_eq!(
        run(Strategy::CooperativeSticky, &[("topic", 3)], &members),
        expect(&[
            ("consumer1", &["topic-1"]),
            ("consumer2", &["topic-2"]),
            ("consumer3", &[])
        ])
    );
    assert_eq!(
        run(Strategy::CooperativeSticky, &[("topic", 4)], &members),
        expect(&[
            ("consumer1", &["topic-1", "topic-3"]),
            ("consumer2", &["topic-2"]),
            ("consumer3", &[])
        ])
    );
}

#[test]
fn higher_generation_claims_win() {
    let t = ["topic"];
    let members = [
        owning("consumer1", &t, &["topic-0", "topic-1"], 1),
        owning("consumer2", &t, &["topic-0"], 2),
    ];
    let got = run(Strategy::CooperativeSticky, &[("topic", 2)], &members);
    assert_eq!(
        got,
        expect(&[("consumer1", &["topic-1"]), ("consumer2", &["topic-0"])])
    );
}

#[test]
fn invalid_groups_name_the_field() {
    let layout = topics(&[("orders", 3)]);
    let cases: [(Vec<Member>, &str); 5] = [
        (
            vec![
                member("a", &["orders"]),
                member("b", &["orders"]),
                member("c", &["ordrs"]),
            ],
            "members[2].topics[0]: unknown topic \"ordrs\"",
        ),
        (
            vec![member("a", &["orders"]), member("a", &["orders"])],
            "members[1].id: duplicate member id \"a\"",
        ),
        (
            vec![
                static_member("a", "i", &["orders"]),
                static_member("b", "i", &["orders"]),
            ],
            "members[1].instance_id: duplicate group.instance.id \"i\"",
        ),
        (
            vec![owning("a", &["orders"], &["orders-3"], 1)],
            "members[0].owned[0]: topic \"orders\" has no partition 3 (it has 3)",
        ),
        (
            vec![member("a", &[])],
            "members[0].topics: must name at least one topic",
        ),
    ];
    for (members, message) in cases {
        let err = assign(Strategy::Range, &layout, &members).expect_err(message);
        assert_eq!(err.to_string(), message);
    }
    let err = assign(Strategy::Range, &topics(&[("t", 0)]), &[]).expect_err("zero partitions");
    assert!(matches!(err, AssignError::PartitionCount { .. }));
}

// §3.4 KIP-848's server-side `range` (`RangeAssignorTest` of the group coordinator) gives the client
// RangeAssignor's ranges when racks are not used: static members first by instance id, then member ids,
// contiguous ranges per topic, recomputed from scratch whatever the members owned.

#[test]
fn server_side_range_examples() {
    let both = ["T1", "T2"];
    let cases: Vec<Case> = vec![
        (
            "testFirstAssignmentTwoMembersTwoTopicsSameSubscriptions",
            vec![("T1", 3), ("T3", 2)],
            vec![member("A", &["T1", "T3"]), member("B", &["T1", "T3"])],
            expect(&[("A", &["T1-0", "T1-1", "T3-0"]), ("B", &["T1-2", "T3-1"])]),
        ),
        (
            "testFirstAssignmentThreeMembersThreeTopicsDifferentSubscriptions",
            vec![("T1", 3), ("T2", 3), ("T3", 2)],
            vec![
                member("A", &["T1", "T2"]),
                member("B", &["T3"]),
                member("C", &["T2", "T3"]),
            ],
            expect(&[
                ("A", &["T1-0", "T1-1", "T1-2", "T2-0", "T2-1"]),
                ("B", &["T3-0"]),
                ("C", &["T2-2", "T3-1"]),
            ]),
        ),
        (
            "testFirstAssignmentNumMembersGreaterThanNumPartitions",
            vec![("T1", 3), ("T3", 2)],
            vec![
                member("A", &["T1", "T3"]),
                member("B", &["T1", "T3"]),
                member("C", &["T1", "T3"]),
            ],
            expect(&[
                ("A", &["T1-0", "T3-0"]),
                ("B", &["T1-1", "T3-1"]),
                ("C", &["T1-2"]),
            ]),
        ),
        (
            "testReassignmentNumMembersGreaterThanNumPartitionsWhenOneMemberAdded",
            vec![("T1", 2), ("T2", 2)],
            vec![
                owning("A", &both, &["T1-0", "T2-0"], 1),
                owning("B", &both, &["T1-1", "T2-1"], 1),
                member("C", &both),
            ],
            expect(&[
                ("A", &["T1-0", "T2-0"]),
                ("B", &["T1-1", "T2-1"]),
                ("C", &[]),
            ]),
        ),
        (
            "testReassignmentWhenOnePartitionAddedForTwoMembersTwoTopics",
            vec![("T1", 4), ("T2", 4)],
            vec![
                owning("A", &both, &["T1-0", "T1-1", "T2-0", "T2-1"], 1),
                owning("B", &both, &["T1-2", "T2-2"], 1),
            ],
            expect(&[
                ("A", &["T1-0", "T1-1", "T2-0", "T2-1"]),
                ("B", &["T1-2", "T1-3", "T2-2", "T2-3"]),
            ]),
        ),
        (
            "testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics",
            vec![("T1", 3), ("T2", 3)],
            vec![
                owning("A", &both, &["T1-0", "T1-1", "T2-0", "T2-1"], 1),
                owning("B", &both, &["T1-2", "T2-2"], 1),
                member("C", &both),
            ],
            expect(&[
                ("A", &["T1-0", "T2-0"]),
                ("B", &["T1-1", "T2-1"]),
                ("C", &["T1-2", "T2-2"]),
            ]),
        ),
        (
            "testReassignmentWhenOneMemberAddedAndOnePartitionAfterInitialAssignmentWithTwoMembersTwoTopics",
            vec![("T1", 4), ("T2", 3)],
            vec![
                owning("A", &both, &["T1-0", "T1-1", "T2-0", "T2-1"], 1),
                owning("B", &both, &["T1-2", "T2-2"], 1),
                member("C", &["T1"]),
            ],
            expect(&[
                ("A", &["T1-0", "T1-1", "T2-0", "T2-1"]),
                ("B", &["T1-2", "T2-2"]),
                ("C", &["T1-3"]),
            ]),
        ),
        (
            "testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithTwoMembersTwoTopics",
            vec![("T1", 3), ("T2", 3)],
            vec![owning("B", &both, &["T1-2", "T2-2"], 1)],
            expect(&[("B", &["T1-0", "T1-1", "T1-2", "T2-0", "T2-1", "T2-2"])]),
        ),
        (
            "testReassignmentWhenMultipleSubscriptionsRemovedAfterInitialAssignmentWithThreeMembersTwoTopics",
            vec![("T1", 3), ("T2", 3), ("T3", 2)],
            vec![
                owning("A", &["T1"], &["T1-0", "T1-1", "T1-2", "T2-0"], 1),
                owning("B", &["T1", "T2", "T3"], &["T2-1"], 1),
                owning("C", &["T2"], &["T2-2", "T3-0", "T3-1"], 1),
            ],
            expect(&[
                ("A", &["T1-0", "T1-1"]),
                ("B", &["T1-2", "T2-0", "T2-1", "T3-0", "T3-1"]),
                ("C", &["T2-2"]),
            ]),
        ),
    ];
    for (name, topic_list, members, expected) in cases {
        assert_eq!(
            run(ServerAssignor::Range, &topic_list, &members),
            expected,
            "{name}"
        );
    }
}

/// `testStaticMembership` and `testMixedStaticMembership`: a static member that comes back under a new
/// member id keeps its partitions, because static members are ordered by instance id.
#[test]
fn server_side_range_keeps_a_returning_static_members_partitions() {
    let t = ["T1"];
    let groups = [
        (
            3,
            vec![
                static_member("A", "instanceA", &t),
                static_member("B", "instanceB", &t),
            ],
        ),
        (
            5,
            vec![
                static_member("A", "instanceA", &t),
                static_member("C", "instanceC", &t),
                member("B", &t),
            ],
        ),
    ];
    for (partitions, mut members) in groups {
        let before = run(ServerAssignor::Range, &[("T1", partitions)], &members);
        members[0].id = "memberA1".into();
        let mut after = run(ServerAssignor::Range, &[("T1", partitions)], &members);
        let returned = after.remove("memberA1").expect("the returning member");
        assert_eq!(Some(&returned), before.get("A"));
        for (id, partitions) in after {
            assert_eq!(Some(&partitions), before.get(&id), "{id}");
        }
    }
}

/// `OptimizedUniformAssignmentBuilderTest.testValidityAndBalanceForLargeSampleSet`: 99 topics of 3
/// partitions over 49 members, every partition assigned once and sizes within one.
#[test]
fn uniform_is_valid_and_balanced_on_a_large_sample() {
    let topic_list: Vec<(String, u32)> = (1..100).map(|i| (format!("topic-{i}"), 3)).collect();
    let layout: BTreeMap<String, u32> = topic_list.iter().cloned().collect();
    let names: Vec<&str> = layout.keys().map(String::as_str).collect();
    let members: Vec<Member> = (1..50)
        .map(|i| member(&format!("member{i}"), &names))
        .collect();
    let result = assign(ServerAssignor::Uniform, &layout, &members).expect("valid group");
    let sizes: Vec<usize> = result.partitions.iter().map(Vec::len).collect();
    let (min, max) = (sizes.iter().min(), sizes.iter().max());
    assert_eq!((min, max), (Some(&6), Some(&7)), "{sizes:?}");
    let mut all: Vec<&TopicPartition> = result.partitions.iter().flatten().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 297);
}

#[test]
fn server_side_assignors_refuse_a_partition_owned_twice() {
    let members = [
        owning("a", &["orders"], &["orders-0"], 1),
        owning("b", &["orders"], &["orders-1", "orders-0"], 1),
    ];
    for assignor in [ServerAssignor::Uniform, ServerAssignor::Range] {
        let err = assign(assignor, &topics(&[("orders", 3)]), &members).expect_err("owned twice");
        assert_eq!(
            err.to_string(),
            "members[1].owned[1]: orders-0 is already owned by members[0]; a server-side assignor \
             takes the group's target assignment, where each partition has one owner"
        );
    }
    // A client assignor takes it: two members may claim one partition after a missed generation.
    assert!(assign(Strategy::Sticky, &topics(&[("orders", 3)]), &members).is_ok());
}
