//! Invariants over random sequences of group, log and cluster operations (1,000 sequences each).

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;

use kplay_core::cluster::{Acks, Cluster, ClusterConfig};
use kplay_core::group::assignor::{
    Member, ServerAssignor, Strategy as Assignor, TopicPartition, assign,
};
use kplay_core::group::coordinator::{ConsumerGroup, GroupConfig};
use kplay_core::time::{Duration, Instant};
use kplay_core::topic::Topic;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1_000,
        ..ProptestConfig::default()
    }
}

fn assignor() -> impl Strategy<Value = Assignor> {
    prop_oneof![
        Just(Assignor::Range),
        Just(Assignor::RoundRobin),
        Just(Assignor::Sticky),
        Just(Assignor::CooperativeSticky)
    ]
}

#[derive(Debug, Clone)]
enum GroupOp {
    Join { instance: Option<u8> },
    Leave(usize),
    Crash(usize),
    AddPartitions,
    Advance(u64),
    Consume { member: usize, records: u64 },
}

fn group_op() -> impl Strategy<Value = GroupOp> {
    prop_oneof![
        3 => proptest::option::of(0..4_u8).prop_map(|instance| GroupOp::Join { instance }),
        1 => any::<usize>().prop_map(GroupOp::Leave),
        1 => any::<usize>().prop_map(GroupOp::Crash),
        1 => Just(GroupOp::AddPartitions),
        3 => (0..60_000_u64).prop_map(GroupOp::Advance),
        3 => (any::<usize>(), 0..50_u64).prop_map(|(member, records)| GroupOp::Consume { member, records }),
    ]
}

/// Every partition has at most one owner among all members, alive or not.
fn assert_single_owners(group: &ConsumerGroup) -> Result<(), TestCaseError> {
    let mut seen = BTreeSet::new();
    for member in group.members() {
        for tp in &member.assigned {
            prop_assert!(
                seen.insert(tp.clone()),
                "{tp} owned twice: {:?}",
                group.members()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Joins, leaves, crashes, static restarts, partition additions and commits in any order: a partition
    /// never has two owners, committed offsets never go backwards, and once the group settles every
    /// partition is owned, with sticky assignors balanced.
    #[test]
    fn groups_keep_single_ownership_and_forward_commits(
        strategy in assignor(),
        initial in (1..6_u32, 1..4_u32),
        ops in proptest::collection::vec(group_op(), 1..40),
    ) {
        let topics: BTreeMap<String, u32> = [("orders".to_string(), initial.0), ("payments".to_string(), initial.1)].into();
        let mut group = ConsumerGroup::new("g", GroupConfig { strategy, ..GroupConfig::default() }, topics.clone());
        let mut now = Instant::ZERO;
        let mut committed: BTreeMap<TopicPartition, u64> = BTreeMap::new();
        // Each member's own idea of its position per partition, kept even after it loses the partition.
        let mut positions: BTreeMap<(String, TopicPartition), u64> = BTreeMap::new();
        let mut partitions = topics;

        for op in ops {
            let ids: Vec<String> = group.members().iter().map(|m| m.id.clone()).collect();
            let pick = |i: usize| (!ids.is_empty()).then(|| ids[i % ids.len()].clone());
            match op {
                GroupOp::Join { instance } => {
                    let instance = instance.map(|i| format!("host-{i}"));
                    group.join(now, "c", instance.as_deref(), &["orders", "payments"]).expect("known topics");
                }
                GroupOp::Leave(i) => if let Some(id) = pick(i) { group.leave(now, &id).expect("member") },
                GroupOp::Crash(i) => if let Some(id) = pick(i) { group.crash(now, &id).expect("member") },
                GroupOp::AddPartitions => {
                    let grown = partitions["orders"] + 1;
                    group.add_partitions(now, "orders", grown).expect("grows");
                    partitions.insert("orders".into(), grown);
                }
                GroupOp::Advance(ms) => now += Duration::from_millis(ms),
                GroupOp::Consume { member, records } => {
                    let Some(id) = pick(member) else { continue };
                    // A consumer commits the positions of what it is assigned (KafkaConsumer.commitSync):
                    // the coordinator checks the member and generation only, not ownership.
                    let assigned = group.member(&id).map(|m| m.assigned.clone()).unwrap_or_default();
                    let targets: Vec<TopicPartition> = positions.keys().filter(|(m, tp)| *m == id && assigned.contains(tp)).map(|(_, tp)| tp.clone()).collect();
                    for tp in targets {
                        let position = positions.get_mut(&(id.clone(), tp.clone())).expect("tracked");
                        *position += records;
                        if group.commit(&id, &tp, *position).is_ok() {
                            let previous = committed.insert(tp.clone(), *position).unwrap_or(0);
                            prop_assert!(*position >= previous, "{tp}: commit moved back from {previous} to {position}");
                        }
                    }
                }
            }
            group.handle_timeout(now).expect("valid group");
            assert_single_owners(&group)?;
            // Members that gained a partition start from the committed offset, as a consumer does.
            for m in group.members().iter().filter(|m| m.is_alive()) {
                for tp in &m.assigned {
                    let key = (m.id.clone(), tp.clone());
                    let start = committed.get(tp).copied().unwrap_or(0);
                    let position = positions.entry(key).or_insert(start);
                    *position = (*position).max(start);
                }
            }
        }

        while let Some(t) = group.poll_timeout() {
            now = now.max(t);
            group.handle_timeout(now).expect("valid group");
            assert_single_owners(&group)?;
        }
        if strategy.is_cooperative() {
            // Cooperative handover: a member only gains a partition that no other remaining member held
            // when the round began; the holder must first revoke it in an earlier round.
            for pair in group.rounds().windows(2) {
                let before: BTreeMap<&str, &Vec<TopicPartition>> =
                    pair[0].changes.iter().map(|c| (c.member.as_str(), &c.owned)).collect();
                for change in &pair[1].changes {
                    for other in pair[1].changes.iter().filter(|o| o.member != change.member) {
                        let held = before.get(other.member.as_str()).is_some_and(|owned| {
                            change.assigned.iter().any(|tp| owned.contains(tp))
                        });
                        prop_assert!(!held, "generation {}: {} got a partition {} still held", pair[1].generation, change.member, other.member);
                    }
                }
            }
        }
        let live: Vec<_> = group.members().iter().filter(|m| m.is_alive()).collect();
        if !live.is_empty() {
            let total: u32 = partitions.values().sum();
            let owned: usize = live.iter().map(|m| m.assigned.len()).sum();
            prop_assert_eq!(owned, total as usize, "settled groups own every partition");
            if matches!(strategy, Assignor::Sticky | Assignor::CooperativeSticky | Assignor::RoundRobin) {
                let sizes: Vec<usize> = live.iter().map(|m| m.assigned.len()).collect();
                prop_assert!(sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0) <= 1, "{strategy}: {sizes:?}");
            }
        }
    }

    /// After members come and go, the sticky assignors stay balanced and every surviving member keeps at
    /// least min(what it had, floor(P / N)) of its partitions; cooperative rounds never hand a partition to a
    /// new owner while its old owner still holds it.
    #[test]
    fn sticky_assignors_are_balanced_and_move_only_what_they_must(
        partitions in proptest::collection::vec(1..12_u32, 1..4),
        before in 1..8_usize,
        leaving in proptest::collection::vec(any::<bool>(), 8),
        joining in 0..4_usize,
    ) {
        let topics: BTreeMap<String, u32> = partitions.iter().enumerate().map(|(i, &p)| (format!("t{i}"), p)).collect();
        let names: Vec<&str> = topics.keys().map(String::as_str).collect();
        let first: Vec<Member> = (0..before).map(|i| Member::new(format!("m{i:02}"), &names)).collect();
        let initial = assign(Assignor::Sticky, &topics, &first).expect("valid");

        let mut next: Vec<Member> = first
            .iter()
            .zip(&initial.partitions)
            .enumerate()
            .filter(|(i, _)| !leaving[*i] || *i == 0)
            .map(|(_, (m, owned))| Member { owned: owned.clone(), generation: 1, ..m.clone() })
            .collect();
        next.extend((0..joining).map(|i| Member { generation: 1, ..Member::new(format!("n{i:02}"), &names) }));
        let total: usize = topics.values().map(|&p| p as usize).sum();
        let min_quota = total / next.len();

        let sticky = assign(Assignor::Sticky, &topics, &next).expect("valid");
        let sizes: Vec<usize> = sticky.partitions.iter().map(Vec::len).collect();
        prop_assert!(sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0) <= 1, "{sizes:?}");
        prop_assert_eq!(sizes.iter().sum::<usize>(), total);
        for (member, now_owned) in next.iter().zip(&sticky.partitions) {
            let kept = member.owned.iter().filter(|tp| now_owned.contains(tp)).count();
            prop_assert!(kept >= member.owned.len().min(min_quota), "{} kept {kept} of {:?}", member.id, member.owned);
        }

        let cooperative = assign(Assignor::CooperativeSticky, &topics, &next).expect("valid");
        for (i, (member, got)) in next.iter().zip(&cooperative.partitions).enumerate() {
            for tp in got {
                prop_assert!(sticky.partitions[i].contains(tp), "cooperative gives a subset of the sticky result");
                let held_elsewhere = next.iter().enumerate().any(|(j, other)| j != i && other.owned.contains(tp));
                prop_assert!(!held_elsewhere || member.owned.contains(tp), "{tp} handed over before being revoked");
            }
        }
    }

    /// The broker's `uniform` assignor, from any current assignment: every subscribed partition has exactly
    /// one owner, a member gets only topics it subscribes to, equal subscriptions give sizes within one,
    /// and (with equal subscriptions) each member keeps min(what it owned, floor(P / N)) of its partitions.
    #[test]
    fn uniform_is_valid_balanced_and_sticky(
        partitions in proptest::collection::vec(1..12_u32, 1..4),
        subscriptions in proptest::collection::vec(proptest::collection::vec(any::<bool>(), 4), 1..8),
        owners in proptest::collection::vec(0..10_usize, 40),
        equal in any::<bool>(),
    ) {
        let topics: BTreeMap<String, u32> = partitions.iter().enumerate().map(|(i, &p)| (format!("t{i}"), p)).collect();
        let names: Vec<&str> = topics.keys().map(String::as_str).collect();
        let mut members: Vec<Member> = subscriptions
            .iter()
            .enumerate()
            .map(|(i, picks)| {
                let mine: Vec<&str> = names
                    .iter()
                    .zip(picks)
                    .filter(|&(_, &pick)| equal || pick)
                    .map(|(&name, _)| name)
                    .collect();
                Member::new(format!("m{i}"), &mine)
            })
            .collect();
        // A current assignment with one owner per partition (or none), some of it no longer subscribed.
        let all: Vec<TopicPartition> = topics
            .iter()
            .flat_map(|(t, &p)| (0..p).map(move |p| TopicPartition::new(t.clone(), p)))
            .collect();
        for (tp, &owner) in all.iter().zip(&owners) {
            if let Some(member) = members.get_mut(owner) {
                member.owned.push(tp.clone());
            }
        }
        let result = assign(ServerAssignor::Uniform, &topics, &members).expect("valid");
        let mut seen = BTreeSet::new();
        for (member, got) in members.iter().zip(&result.partitions) {
            for tp in got {
                prop_assert!(member.topics.contains(&tp.topic), "{} got unsubscribed {tp}", member.id);
                prop_assert!(seen.insert(tp.clone()), "{tp} has two owners");
            }
        }
        let subscribed = all.iter().filter(|tp| members.iter().any(|m| m.topics.contains(&tp.topic))).count();
        prop_assert_eq!(seen.len(), subscribed);
        if members.iter().all(|m| m.topics == members[0].topics) {
            let sizes: Vec<usize> = result.partitions.iter().map(Vec::len).collect();
            prop_assert!(sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0) <= 1, "{sizes:?}");
            let floor = subscribed / members.len();
            for (member, got) in members.iter().zip(&result.partitions) {
                let valid = member.owned.iter().filter(|tp| member.topics.contains(&tp.topic)).count();
                let kept = member.owned.iter().filter(|tp| got.contains(tp)).count();
                prop_assert!(kept >= valid.min(floor), "{} kept {kept} of {:?}", member.id, member.owned);
            }
        }
    }

    /// Records of one key keep their order inside every partition, even as the topic grows.
    #[test]
    fn per_key_order_holds_within_a_partition(
        ops in proptest::collection::vec(prop_oneof![9 => (0..6_u8).prop_map(Some), 1 => Just(None)], 1..200),
    ) {
        let mut topic = Topic::new("t", NonZeroU32::new(3).expect("3 > 0"));
        let mut sequence: BTreeMap<u8, u32> = BTreeMap::new();
        let mut written: Vec<(u32, u8, u32)> = Vec::new(); // (partition, key, sequence number)
        for op in ops {
            match op {
                Some(key) => {
                    let seq = sequence.entry(key).or_insert(0);
                    *seq += 1;
                    let produced = topic.produce(Some(&[key]));
                    written.push((produced.partition, key, *seq));
                }
                None => {
                    let grown = NonZeroU32::new(topic.partition_count().get() + 1).expect("positive");
                    topic.add_partitions(grown).expect("grows");
                }
            }
        }
        for partition in 0..topic.partition_count().get() {
            let stored: Vec<u8> = topic.records(partition).iter().map(|r| r.key.as_ref().expect("keyed")[0]).collect();
            let expected: Vec<(u8, u32)> = written.iter().filter(|w| w.0 == partition).map(|w| (w.1, w.2)).collect();
            prop_assert_eq!(stored, expected.iter().map(|e| e.0).collect::<Vec<_>>());
            for key in 0..6_u8 {
                let seqs: Vec<u32> = expected.iter().filter(|e| e.0 == key).map(|e| e.1).collect();
                prop_assert!(seqs.windows(2).all(|w| w[0] < w[1]), "key {key} out of order in {partition}: {seqs:?}");
            }
        }
    }

    /// With acks=all, RF 3 and min.insync.replicas 2, no acknowledged write is lost while at most one broker
    /// is down at a time, whatever followers stall and however time passes.
    #[test]
    fn acks_all_loses_nothing_to_a_single_broker_failure(
        ops in proptest::collection::vec(0..9_u8, 1..80),
        brokers in proptest::collection::vec(0..3_u32, 80),
    ) {
        let config = ClusterConfig { partitions: 2, min_insync_replicas: 2, ..ClusterConfig::default() };
        let mut cluster = Cluster::new(Instant::ZERO, config).expect("valid");
        let mut now = Instant::ZERO;
        let mut down: Option<u32> = None;
        let mut acknowledged: BTreeSet<u64> = BTreeSet::new();
        for (i, op) in ops.into_iter().enumerate() {
            let broker = brokers[i];
            match op {
                // Refusals (no leader, NOT_ENOUGH_REPLICAS) are part of the game; only acknowledgements count.
                0..=2 => { let _ = cluster.produce(now, broker % 2, if op == 2 { Acks::Leader } else { Acks::All }); }
                3 => cluster.replicate(now),
                4 => now += Duration::from_millis(20_000),
                5 => cluster.set_stalled(broker, true),
                6 => cluster.set_stalled(broker, false),
                7 => if down.is_none() { cluster.fail_broker(broker); down = Some(broker); },
                _ => if let Some(b) = down.take() { cluster.restore_broker(now, b); },
            }
            cluster.handle_timeout(now);
            acknowledged.extend(cluster.poll_acknowledged());
            let lost: BTreeSet<u64> = cluster.lost_acknowledged().into_iter().collect();
            prop_assert!(lost.is_disjoint(&acknowledged), "acks=all writes lost: {:?}", lost.intersection(&acknowledged).collect::<Vec<_>>());
            for p in cluster.partitions() {
                prop_assert!(p.high_watermark <= p.log_end_offset() || p.leader.is_none());
            }
        }
    }

    /// An idempotent producer's retries never write a record twice, whatever its brokers do: every
    /// (producer id, epoch, sequence) appears at most once in a partition's log, and every record of a
    /// producer without idempotence carries no producer id.
    #[test]
    fn idempotent_retries_never_duplicate_in_the_log(
        ops in proptest::collection::vec((0..7_u8, 0..3_u32, 1..40_000_u64), 1..30),
        idempotent in any::<bool>(),
    ) {
        let mut actions = Vec::new();
        let mut at = 0_u64;
        let mut stalled = BTreeSet::new();
        let mut down = BTreeSet::new();
        for (op, broker, wait) in ops {
            at += wait;
            let action = match op {
                0..=2 => serde_json::json!({"do": "produce", "topic": "t", "key": "k{i}", "count": 3, "producer": "p"}),
                3 if !down.contains(&broker) && stalled.insert(broker) => serde_json::json!({"do": "stall-broker", "broker": broker}),
                4 if stalled.remove(&broker) => serde_json::json!({"do": "unstall-broker", "broker": broker}),
                5 if down.len() < 2 && !stalled.contains(&broker) && down.insert(broker) => serde_json::json!({"do": "kill-broker", "broker": broker}),
                6 if down.remove(&broker) => serde_json::json!({"do": "restart-broker", "broker": broker}),
                _ => continue,
            };
            let mut action = action;
            action["at_ms"] = at.into();
            actions.push(action);
        }
        let script: kplay_core::world::Script = serde_json::from_value(serde_json::json!({
            "version": 1, "seed": 5, "brokers": 3,
            "topics": [{"name": "t", "partitions": 2, "replication_factor": 3, "config": {"min.insync.replicas": 2}}],
            "producers": [{"name": "p", "config": {"linger.ms": 0, "enable.idempotence": idempotent}}],
            "actions": actions,
        })).expect("a valid script");
        let mut world = kplay_core::world::World::from_script(&script).expect("accepted");
        world.handle_timeout(Instant::from_millis(at + 200_000));
        for partition in 0..2 {
            let records = world.records("t", partition).expect("the partition");
            let mut seen = BTreeSet::new();
            for r in &records {
                if idempotent {
                    prop_assert!(seen.insert((r.producer_id, r.producer_epoch, r.sequence)), "written twice: {r:?} in {records:?}");
                } else {
                    prop_assert_eq!(r.producer_id, -1);
                }
            }
        }
    }
}
