//! The broker's `uniform` assignor (KIP-848's default, group coordinator `UniformAssignor`): balance first
//! (members' partition counts differ by at most one where subscriptions allow), then stickiness.
//!
//! When every member subscribes to the same topics it runs `UniformHomogeneousAssignmentBuilder`: with `P`
//! partitions and `N` members, the first `P % N` members get a quota of `P / N + 1` and the rest `P / N`;
//! each member keeps what it owns up to its quota (topic by topic, in the order it lists them) and gives
//! up the rest; the partitions nobody keeps — never-owned ones topic by topic, then the given-up ones — are
//! handed out in contiguous runs to the members below quota, in member order.
//!
//! Otherwise it runs `UniformHeterogeneousAssignmentBuilder`: members keep what they own of the topics
//! they still subscribe to; each unowned partition goes to the least-loaded subscriber of its topic
//! (topics ordered by partitions per subscriber, descending, then subscriber count, then topic id); then,
//! topic by topic, partitions move from the most- to the least-loaded subscribers until every topic's
//! subscribers differ by at most one, looping over the topics at most 16 times (`MAX_ITERATION_COUNT`).
//!
//! Where Kafka's result hangs on Java hash order kplay picks a documented order: members are taken in
//! member-id order (Java `String` order — what Kafka's own tests pin with a `TreeMap`; a broker iterates a
//! `HashMap` of random member ids), and topics in name order where Kafka iterates a `HashSet` of topic ids
//! or breaks ties by topic id. [`TopicOrder`] carries that choice, so the tests can replay Kafka's vectors
//! with the real ids' Java order and get Kafka's exact answers.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::{Dense, Group, Tp, java};

/// `UniformHeterogeneousAssignmentBuilder.MAX_ITERATION_COUNT`: passes over the topics when balancing.
const MAX_ITERATION_COUNT: usize = 16;

/// Where Kafka iterates or compares topic ids, the order kplay uses instead.
pub(super) struct TopicOrder {
    /// Topic indices in the order Kafka would iterate the set of subscribed topic ids.
    listing: Vec<u32>,
    /// By topic index, the topic's rank among the topic ids (`Uuid.compareTo`).
    rank: Vec<u32>,
}

impl TopicOrder {
    /// Both orders by topic name (the group's topic indices are in Java name order).
    pub(super) fn by_name(group: &Group<'_>) -> Self {
        let count = group.topics.len() as u32;
        Self {
            listing: (0..count).collect(),
            rank: (0..count).collect(),
        }
    }
}

/// The `uniform` assignment: each member's partitions, by member index.
pub(super) fn assign(group: &Group<'_>, topics: &TopicOrder) -> Vec<Vec<Tp>> {
    if group.member_count() == 0 {
        return Vec::new();
    }
    let order = members_by_id(group);
    if group.all_subscriptions_equal() {
        homogeneous(group, &order, topics)
    } else {
        Heterogeneous::new(group, &order, topics).build()
    }
}

/// Member indices in member-id order.
fn members_by_id(group: &Group<'_>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..group.member_count()).collect();
    order.sort_by(|&a, &b| java::compare_strings(&group.members[a].id, &group.members[b].id));
    order
}

/// A member's owned partitions of subscribed topics, grouped by topic in the order it first lists each
/// topic (Kafka iterates the member's assignment as a map of topic → partitions).
fn owned_by_topic(group: &Group<'_>, m: usize) -> Vec<Tp> {
    let mut first_seen: BTreeMap<u32, usize> = BTreeMap::new();
    for &(t, _) in &group.owned[m] {
        let next = first_seen.len();
        first_seen.entry(t).or_insert(next);
    }
    let mut owned: Vec<Tp> = group.owned[m]
        .iter()
        .copied()
        .filter(|&(t, _)| group.subscribes(m, t))
        .collect();
    // A stable sort keeps each topic's partitions in the order given.
    owned.sort_by_key(|(t, _)| first_seen[t]);
    owned
}

/// `UniformHomogeneousAssignmentBuilder.build`.
fn homogeneous(group: &Group<'_>, order: &[usize], topics: &TopicOrder) -> Vec<Vec<Tp>> {
    let dense = Dense::new(group);
    let mut owned = vec![false; dense.total()];
    for tps in &group.owned {
        for &tp in tps {
            owned[dense.index(tp)] = true;
        }
    }
    let mut unassigned: Vec<Tp> = Vec::new();
    for &t in &topics.listing {
        let partitions = group.topics[t as usize].1;
        unassigned.extend(
            (0..partitions)
                .map(|p| (t, p))
                .filter(|&tp| !owned[dense.index(tp)]),
        );
    }

    let members = order.len();
    let total = dense.total();
    let minimum = total / members;
    let mut extra = total % members;
    let mut assignment = vec![Vec::new(); group.member_count()];
    let mut unfilled: Vec<(usize, usize)> = Vec::new();
    for &m in order {
        let mut quota = minimum;
        if extra > 0 {
            quota += 1;
            extra -= 1;
        }
        for tp in owned_by_topic(group, m) {
            if quota > 0 {
                assignment[m].push(tp);
                quota -= 1;
            } else {
                unassigned.push(tp);
            }
        }
        if quota > 0 {
            unfilled.push((m, quota));
        }
    }
    let mut next = unassigned.into_iter();
    for (m, quota) in unfilled {
        assignment[m].extend(next.by_ref().take(quota));
    }
    assignment
}

/// The state of `UniformHeterogeneousAssignmentBuilder`; members are numbered by their position in
/// member-id order (Kafka's member index).
struct Heterogeneous<'g> {
    group: &'g Group<'g>,
    /// Kafka member index → kplay member index.
    members: &'g [usize],
    topics: &'g TopicOrder,
    /// Per topic, its subscribers' Kafka indices, ascending.
    subscribers: Vec<Vec<usize>>,
    /// Per Kafka member index, its partition count in the target assignment.
    sizes: Vec<i64>,
    /// Per topic, each partition's owner (Kafka index) in the target assignment.
    owners: Vec<Vec<Option<usize>>>,
}

impl<'g> Heterogeneous<'g> {
    fn new(group: &'g Group<'g>, members: &'g [usize], topics: &'g TopicOrder) -> Self {
        let mut subscribers = vec![Vec::new(); group.topics.len()];
        for (k, &m) in members.iter().enumerate() {
            for &t in &group.subscriptions[m] {
                subscribers[t as usize].push(k);
            }
        }
        let owners = group
            .topics
            .iter()
            .map(|&(_, partitions)| vec![None; partitions as usize])
            .collect();
        Self {
            group,
            members,
            topics,
            subscribers,
            sizes: vec![0; members.len()],
            owners,
        }
    }

    fn build(mut self) -> Vec<Vec<Tp>> {
        // maybeRevokePartitions: keep what each member owns of the topics it still subscribes to.
        for (k, &m) in self.members.iter().enumerate() {
            for &(t, p) in &self.group.owned[m] {
                if self.group.subscribes(m, t) {
                    self.owners[t as usize][p as usize] = Some(k);
                    self.sizes[k] += 1;
                }
            }
        }
        self.assign_remaining_partitions();
        self.balance();

        let mut assignment = vec![Vec::new(); self.group.member_count()];
        for (t, owners) in self.owners.iter().enumerate() {
            for (p, owner) in owners.iter().enumerate() {
                if let Some(k) = *owner {
                    assignment[self.members[k]].push((t as u32, p as u32));
                }
            }
        }
        assignment
    }

    /// `topicComparator`: partitions per subscriber descending, then subscriber count, then topic id.
    fn sorted_topics(&self, mut topics: Vec<u32>) -> Vec<u32> {
        topics.sort_by(|&a, &b| {
            let (pa, pb) = (self.partitions(a), self.partitions(b));
            let (sa, sb) = (self.subscribers(a).len(), self.subscribers(b).len());
            // Java's Double.compare of the two quotients; both are finite and positive.
            let per_a = f64::from(pa) / sa as f64;
            let per_b = f64::from(pb) / sb as f64;
            per_b
                .partial_cmp(&per_a)
                .unwrap_or(Ordering::Equal)
                .then(sa.cmp(&sb))
                .then(self.topics.rank[a as usize].cmp(&self.topics.rank[b as usize]))
        });
        topics
    }

    fn partitions(&self, t: u32) -> u32 {
        self.group.topics[t as usize].1
    }

    fn subscribers(&self, t: u32) -> &[usize] {
        &self.subscribers[t as usize]
    }

    /// `assignRemainingPartitions`: each unowned partition to the least-loaded subscriber of its topic.
    fn assign_remaining_partitions(&mut self) {
        let with_unowned: Vec<u32> = self
            .topics
            .listing
            .iter()
            .copied()
            .filter(|&t| self.owners[t as usize].iter().any(Option::is_none))
            .collect();
        let mut balancer = Balancer::default();
        for t in self.sorted_topics(with_unowned) {
            balancer.initialize(&self.subscribers[t as usize], &self.sizes);
            for p in 0..self.partitions(t) {
                if self.owners[t as usize][p as usize].is_none() {
                    let k = balancer.next_least_loaded(&self.sizes);
                    self.assign_partition(t, p, k);
                }
            }
        }
    }

    fn assign_partition(&mut self, t: u32, p: u32, k: usize) {
        let slot = &mut self.owners[t as usize][p as usize];
        if let Some(old) = slot.replace(k) {
            self.sizes[old] -= 1;
        }
        self.sizes[k] += 1;
    }

    /// `balance` and `balanceTopics`: rebalance the topics with two or more subscribers until a whole pass
    /// moves nothing, or `MAX_ITERATION_COUNT` passes.
    fn balance(&mut self) {
        let movable: Vec<u32> = self
            .topics
            .listing
            .iter()
            .copied()
            .filter(|&t| self.subscribers(t).len() >= 2)
            .collect();
        if movable.is_empty() {
            return;
        }
        let sorted = self.sorted_topics(movable);
        let mut last_rebalanced: Option<usize> = None;
        let mut balancer = Balancer::default();
        for _ in 0..MAX_ITERATION_COUNT {
            for (index, &t) in sorted.iter().enumerate() {
                if last_rebalanced == Some(index) {
                    return;
                }
                let moved = self.balance_topic(t, &mut balancer);
                if moved > 0 || last_rebalanced.is_none() {
                    last_rebalanced = Some(index);
                }
            }
        }
    }

    /// `balanceTopic`: move the topic's partitions from its most- to its least-loaded subscribers, taking
    /// each giver's highest partition first; returns how many moved.
    fn balance_topic(&mut self, t: u32, balancer: &mut Balancer) -> usize {
        let imbalance = balancer.initialize(&self.subscribers[t as usize], &self.sizes);
        if imbalance <= 1 {
            return 0;
        }
        let owners = &self.owners[t as usize];
        let mut partitions: Vec<u32> = (0..self.partitions(t)).collect();
        let key = |p: u32| (owners[p as usize].map_or(-1, |k| k as i64), p);
        partitions.sort_by_key(|&p| key(p));
        // Per owner, its run [start, end) in `partitions`.
        let mut runs: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
        for (i, &p) in partitions.iter().enumerate() {
            let run = runs.entry(key(p).0).or_insert((i, i));
            run.1 = i + 1;
        }

        let mut moved = 0;
        while !balancer.is_balanced() {
            let giver = loop {
                let Some(k) = balancer.next_most_loaded(&self.sizes) else {
                    break None;
                };
                match runs.get(&(k as i64)) {
                    Some(&(start, end)) if end > start => break Some(k),
                    _ => balancer.exclude_most_loaded(),
                }
            };
            let Some(giver) = giver else { break };
            let run = runs.get_mut(&(giver as i64)).expect("the giver has a run");
            run.1 -= 1;
            let partition = partitions[run.1];
            let taker = balancer.next_least_loaded(&self.sizes);
            if balancer.is_balanced() {
                break;
            }
            self.assign_partition(t, partition, taker);
            moved += 1;
        }
        moved
    }
}

/// `MemberAssignmentBalancer`: a topic's subscribers sorted by load, with a least-loaded range growing
/// from the left (takers) and a most-loaded range growing from the right (givers). Reads the builder's
/// live partition counts, which change as partitions move.
#[derive(Default)]
struct Balancer {
    sorted: Vec<usize>,
    least_end: usize,
    least_count: i64,
    next_least: usize,
    most_start: usize,
    most_end: usize,
    most_count: i64,
    /// Kafka's `nextMostLoadedMember`, which reaches -1 when every giver is excluded.
    next_most: isize,
}

impl Balancer {
    /// Resets for `members`; returns the difference between the most and least loaded member's counts.
    fn initialize(&mut self, members: &[usize], sizes: &[i64]) -> i64 {
        self.sorted.clear();
        self.sorted.extend_from_slice(members);
        self.sorted.sort_by_key(|&k| (sizes[k], k));
        let (first, last) = (
            sizes[self.sorted[0]],
            sizes[self.sorted[self.sorted.len() - 1]],
        );
        self.least_end = 0;
        self.least_count = first - 1;
        self.next_least = 0;
        self.most_start = self.sorted.len();
        self.most_end = self.sorted.len();
        self.most_count = last + 1;
        self.next_most = self.sorted.len() as isize - 1;
        last - first
    }

    /// `nextLeastLoadedMember`: the next member to take a partition.
    fn next_least_loaded(&mut self, sizes: &[i64]) -> usize {
        if self.next_least >= self.least_end {
            self.least_count += 1;
            while self.least_end < self.sorted.len()
                && sizes[self.sorted[self.least_end]] == self.least_count
            {
                self.least_end += 1;
            }
            self.next_least = 0;
        }
        let k = self.sorted[self.next_least];
        self.next_least += 1;
        k
    }

    /// `nextMostLoadedMember`: the next member to give a partition up, or `None` when none can.
    fn next_most_loaded(&mut self, sizes: &[i64]) -> Option<usize> {
        if self.next_most < self.most_start as isize {
            if self.most_end <= self.most_start && self.most_start > 0 {
                // The range emptied by exclusions: restart it from the next member down.
                self.most_count = sizes[self.sorted[self.most_start - 1]];
            } else {
                self.most_count -= 1;
            }
            while self.most_start > 0 && sizes[self.sorted[self.most_start - 1]] == self.most_count
            {
                self.most_start -= 1;
            }
            self.next_most = self.most_end as isize - 1;
        }
        let index = usize::try_from(self.next_most).ok()?;
        self.next_most -= 1;
        Some(self.sorted[index])
    }

    /// `excludeMostLoadedMember`: drop the member just returned by [`Self::next_most_loaded`] from the
    /// most-loaded range (it has nothing of this topic to give).
    fn exclude_most_loaded(&mut self) {
        let at = (self.next_most + 1) as usize;
        self.sorted.swap(at, self.most_end - 1);
        self.most_end -= 1;
    }

    /// `isBalanced`: the two ranges' counts differ by at most one.
    fn is_balanced(&self) -> bool {
        self.most_count - self.least_count <= 1
    }
}

#[cfg(test)]
mod tests {
    //! Kafka's vectors from `OptimizedUniformAssignmentBuilderTest` (the homogeneous builder) and
    //! `UniformHeterogeneousAssignmentBuilderTest`, replayed with the Java order of the tests' real topic
    //! ids, so every expected assignment is Kafka's to the partition.

    use alloc::borrow::ToOwned;
    use alloc::string::{String, ToString};

    use super::super::{Assignor, Member, ServerAssignor, TopicPartition};
    use super::*;

    /// The topic ids of Kafka's tests, by the topic names kplay gives them.
    const TOPIC_IDS: [(&str, &str); 4] = [
        ("topic1", "T1-A4s3VTwiI5CTbEp6POw"),
        ("topic2", "T2-B4s3VTwiI5YHbPp6YUe"),
        ("topic3", "T3-CU8fVTLCz5YMkLoDQsa"),
        ("topic4", "T4-Tw9fVTLCz5HbPp6YQsa"),
    ];

    /// `Uuid.fromString`: URL-safe base64 without padding (22 characters, 128 bits and 4 of padding) →
    /// (most, least) significant bits.
    fn uuid_bits(text: &str) -> (i64, i64) {
        let value = |c: u8| -> u128 {
            u128::from(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'-' => 62,
                b'_' => 63,
                _ => panic!("not base64url: {c}"),
            })
        };
        let (head, last) = text.as_bytes().split_at(21);
        let bits = head.iter().fold(0_u128, |acc, &c| (acc << 6) | value(c));
        let bits = (bits << 2) | (value(last[0]) >> 4);
        ((bits >> 64) as u64 as i64, bits as u64 as i64)
    }

    /// `Uuid.hashCode`.
    fn uuid_hash((most, least): (i64, i64)) -> i32 {
        let xor = most ^ least;
        ((xor >> 32) as i32) ^ (xor as i32)
    }

    /// Kafka's order for the group's topics: a `HashSet` of their ids (16 buckets for these few), and
    /// `Uuid.compareTo` (signed most, then least significant bits).
    fn kafka_order(group: &Group<'_>) -> TopicOrder {
        let bits: Vec<(i64, i64)> = group
            .topics
            .iter()
            .map(|(name, _)| {
                let id = TOPIC_IDS
                    .iter()
                    .find(|(n, _)| n == name)
                    .expect("a test topic")
                    .1;
                uuid_bits(id)
            })
            .collect();
        let hashes: Vec<i32> = bits.iter().map(|&b| uuid_hash(b)).collect();
        let listing = java::iteration_order(&hashes, java::hash_map_capacity(hashes.len()))
            .into_iter()
            .map(|t| t as u32)
            .collect();
        let mut by_id: Vec<usize> = (0..bits.len()).collect();
        by_id.sort_by_key(|&t| bits[t]);
        let mut rank = vec![0; bits.len()];
        for (r, t) in by_id.into_iter().enumerate() {
            rank[t] = r as u32;
        }
        TopicOrder { listing, rank }
    }

    /// A member with its subscription (topic numbers) and owned partitions as (topic number, partition).
    fn member(id: &str, topics: &[u32], owned: &[(u32, u32)]) -> Member {
        Member {
            id: id.into(),
            topics: topics.iter().map(|t| alloc::format!("topic{t}")).collect(),
            owned: owned
                .iter()
                .map(|&(t, p)| TopicPartition::new(alloc::format!("topic{t}"), p))
                .collect(),
            ..Member::default()
        }
    }

    /// Which builder a vector runs: the one `UniformAssignor` picks from the subscriptions, or the
    /// heterogeneous one, which Kafka's `UniformHeterogeneousAssignmentBuilderTest` always asks for.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Builder {
        Picked,
        Heterogeneous,
    }

    /// How the Kafka test built each member's current assignment: `mkOrderedAssignment` (a
    /// `LinkedHashMap`, iterated as written) or `mkAssignment` (a `HashMap`, iterated in topic-id hash
    /// order, partitions ascending).
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Owned {
        AsWritten,
        Hashed,
    }

    /// Runs a vector with Kafka's topic order; each member's partitions as "topic-p" joined by spaces.
    fn run(
        builder: Builder,
        topics: &[(u32, u32)],
        mut members: Vec<Member>,
        owned: Owned,
    ) -> Vec<(String, String)> {
        let topics: BTreeMap<String, u32> = topics
            .iter()
            .map(|&(t, p)| (alloc::format!("topic{t}"), p))
            .collect();
        let server = Assignor::Server(ServerAssignor::Uniform);
        if owned == Owned::Hashed {
            // The hash order of every topic id, whether or not the group still subscribes to it.
            let everything = [Member {
                topics: topics.keys().cloned().collect(),
                ..member("all", &[], &[])
            }];
            let all = Group::new(&topics, &everything, server).expect("valid topics");
            let order = kafka_order(&all);
            let position = |name: &str| {
                let t = all.topics.iter().position(|(n, _)| *n == name);
                order.listing.iter().position(|&x| Some(x as usize) == t)
            };
            for m in &mut members {
                m.owned
                    .sort_by_key(|tp| (position(&tp.topic), tp.partition));
            }
        }
        let group = Group::new(&topics, &members, server).expect("a valid group");
        let order = kafka_order(&group);
        let per_member = match builder {
            Builder::Picked => assign(&group, &order),
            Builder::Heterogeneous => {
                Heterogeneous::new(&group, &members_by_id(&group), &order).build()
            }
        };
        members
            .iter()
            .zip(group.to_assignment(per_member).partitions)
            .map(|(m, tps)| {
                let names: Vec<String> = tps.iter().map(ToString::to_string).collect();
                (m.id.clone(), names.join(" "))
            })
            .collect()
    }

    fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|&(m, tps)| (m.to_owned(), tps.to_owned()))
            .collect()
    }

    #[test]
    fn the_test_ids_hash_and_compare_as_in_java() {
        // Worked out by hand from `Uuid.hashCode` and `HashMap.hash`: buckets 10, 1 and 9 of 16.
        let buckets: Vec<usize> = TOPIC_IDS[..3]
            .iter()
            .map(|(_, id)| java::bucket(uuid_hash(uuid_bits(id)), 16))
            .collect();
        assert_eq!(buckets, [10, 1, 9]);
        assert_eq!(uuid_bits(TOPIC_IDS[0].1).0, 5_719_431_763_388_092_168);
        assert_eq!(uuid_bits(TOPIC_IDS[0].1).1, -8_582_694_466_532_503_749);
    }

    #[test]
    fn homogeneous_builder_matches_kafka() {
        let both_1_3 = [1, 3];
        let both_1_2 = [1, 2];
        let cases = [
            (
                "testFirstAssignmentTwoMembersTwoTopicsNoMemberRacks",
                run(
                    Builder::Picked,
                    &[(1, 3), (3, 2)],
                    vec![member("A", &both_1_3, &[]), member("B", &both_1_3, &[])],
                    Owned::AsWritten,
                ),
                expect(&[
                    ("A", "topic1-0 topic3-0 topic3-1"),
                    ("B", "topic1-1 topic1-2"),
                ]),
            ),
            (
                "testFirstAssignmentNumMembersGreaterThanTotalNumPartitions",
                run(
                    Builder::Picked,
                    &[(3, 2)],
                    vec![
                        member("A", &[3], &[]),
                        member("B", &[3], &[]),
                        member("C", &[3], &[]),
                    ],
                    Owned::AsWritten,
                ),
                expect(&[("A", "topic3-0"), ("B", "topic3-1"), ("C", "")]),
            ),
            (
                "testReassignmentForTwoMembersTwoTopicsGivenUnbalancedPrevAssignment",
                run(
                    Builder::Picked,
                    &[(1, 3), (2, 3)],
                    vec![
                        member("A", &both_1_2, &[(1, 0), (1, 1), (2, 0), (2, 1)]),
                        member("B", &both_1_2, &[(1, 2), (2, 2)]),
                    ],
                    Owned::AsWritten,
                ),
                expect(&[
                    ("A", "topic1-0 topic1-1 topic2-0"),
                    ("B", "topic1-2 topic2-1 topic2-2"),
                ]),
            ),
            (
                "testReassignmentWhenPartitionsAreAddedForTwoMembersTwoTopics",
                run(
                    Builder::Picked,
                    &[(1, 6), (2, 5)],
                    vec![
                        member("A", &both_1_2, &[(1, 0), (1, 2), (2, 0)]),
                        member("B", &both_1_2, &[(1, 1), (2, 1), (2, 2)]),
                    ],
                    Owned::AsWritten,
                ),
                expect(&[
                    ("A", "topic1-0 topic1-2 topic1-3 topic2-0 topic2-3 topic2-4"),
                    ("B", "topic1-1 topic1-4 topic1-5 topic2-1 topic2-2"),
                ]),
            ),
            (
                "testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics",
                run(
                    Builder::Picked,
                    &[(1, 3), (2, 3)],
                    vec![
                        member("A", &both_1_2, &[(1, 0), (1, 2), (2, 0)]),
                        member("B", &both_1_2, &[(1, 1), (2, 1), (2, 2)]),
                        member("C", &both_1_2, &[]),
                    ],
                    Owned::AsWritten,
                ),
                expect(&[
                    ("A", "topic1-0 topic1-2"),
                    ("B", "topic1-1 topic2-1"),
                    ("C", "topic2-0 topic2-2"),
                ]),
            ),
            (
                "testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersTwoTopics",
                run(
                    Builder::Picked,
                    &[(1, 3), (2, 3)],
                    vec![
                        member("A", &both_1_2, &[(1, 0), (2, 0)]),
                        member("B", &both_1_2, &[(1, 1), (2, 1)]),
                    ],
                    Owned::Hashed,
                ),
                expect(&[
                    ("A", "topic1-0 topic2-0 topic2-2"),
                    ("B", "topic1-1 topic1-2 topic2-1"),
                ]),
            ),
            (
                "testReassignmentWhenOneSubscriptionRemovedAfterInitialAssignmentWithTwoMembersTwoTopics",
                run(
                    Builder::Picked,
                    &[(1, 2), (2, 2)],
                    vec![
                        member("A", &[2], &[(1, 0), (2, 0)]),
                        member("B", &[2], &[(1, 1), (2, 1)]),
                    ],
                    Owned::Hashed,
                ),
                expect(&[("A", "topic2-0"), ("B", "topic2-1")]),
            ),
        ];
        for (name, got, want) in cases {
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn heterogeneous_builder_matches_kafka() {
        let cases = [
            (
                "testFirstAssignmentTwoMembersTwoTopics",
                run(
                    Builder::Heterogeneous,
                    &[(1, 3), (3, 6)],
                    vec![member("A", &[1, 3], &[]), member("B", &[3], &[])],
                    Owned::Hashed,
                ),
                expect(&[
                    ("A", "topic1-0 topic1-1 topic1-2 topic3-4"),
                    ("B", "topic3-0 topic3-1 topic3-2 topic3-3 topic3-5"),
                ]),
            ),
            (
                "testFirstAssignmentNumMembersGreaterThanTotalNumPartitions",
                run(
                    Builder::Heterogeneous,
                    &[(3, 1), (1, 2)],
                    vec![
                        member("A", &[3], &[]),
                        member("B", &[3], &[]),
                        member("C", &[1], &[]),
                    ],
                    Owned::Hashed,
                ),
                expect(&[("A", "topic3-0"), ("B", ""), ("C", "topic1-0 topic1-1")]),
            ),
            (
                "testReassignmentForTwoMembersThreeTopicsGivenUnbalancedPrevAssignment",
                run(
                    Builder::Heterogeneous,
                    &[(1, 6), (2, 4), (3, 4)],
                    vec![
                        member("A", &[1], &[(1, 0), (1, 1), (1, 2)]),
                        member("B", &[1, 2], &[(1, 3), (2, 0)]),
                        member(
                            "C",
                            &[1, 2, 3],
                            &[
                                (1, 4),
                                (1, 5),
                                (2, 1),
                                (2, 2),
                                (2, 3),
                                (3, 0),
                                (3, 1),
                                (3, 2),
                                (3, 3),
                            ],
                        ),
                    ],
                    Owned::Hashed,
                ),
                expect(&[
                    ("A", "topic1-0 topic1-1 topic1-2 topic1-5"),
                    ("B", "topic1-3 topic2-0 topic2-1 topic2-2 topic2-3"),
                    ("C", "topic1-4 topic3-0 topic3-1 topic3-2 topic3-3"),
                ]),
            ),
            (
                "testReassignmentWhenPartitionsAreAddedForTwoMembers",
                run(
                    Builder::Heterogeneous,
                    &[(1, 6), (2, 5), (3, 3), (4, 3)],
                    vec![
                        member(
                            "A",
                            &[1, 3],
                            &[(1, 0), (1, 1), (1, 2), (1, 3), (3, 0), (3, 1)],
                        ),
                        member(
                            "B",
                            &[1, 2, 3, 4],
                            &[(2, 0), (2, 1), (2, 2), (4, 0), (4, 1), (4, 2)],
                        ),
                    ],
                    Owned::Hashed,
                ),
                expect(&[
                    (
                        "A",
                        "topic1-0 topic1-1 topic1-2 topic1-3 topic1-4 topic1-5 topic3-0 topic3-1 topic3-2",
                    ),
                    (
                        "B",
                        "topic2-0 topic2-1 topic2-2 topic2-3 topic2-4 topic4-0 topic4-1 topic4-2",
                    ),
                ]),
            ),
            (
                "testReassignmentWhenOneMemberAddedAndPartitionsAddedTwoMembersTwoTopics",
                run(
                    Builder::Heterogeneous,
                    &[(1, 6), (2, 7)],
                    vec![
                        member("A", &[1], &[(1, 0), (1, 2), (2, 0)]),
                        member("B", &[1, 2], &[(1, 1), (2, 1), (2, 2)]),
                        member("C", &[1, 2], &[]),
                    ],
                    Owned::Hashed,
                ),
                expect(&[
                    ("A", "topic1-0 topic1-2 topic1-3 topic1-4 topic1-5"),
                    ("B", "topic1-1 topic2-1 topic2-2 topic2-6"),
                    ("C", "topic2-0 topic2-3 topic2-4 topic2-5"),
                ]),
            ),
            (
                "testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersThreeTopics",
                run(
                    Builder::Heterogeneous,
                    &[(1, 3), (2, 8), (3, 3)],
                    vec![
                        member("A", &[1, 3], &[(1, 0), (1, 1), (1, 2), (3, 0), (3, 1)]),
                        member("B", &[2], &[(2, 3), (2, 4), (2, 5), (2, 6)]),
                    ],
                    Owned::Hashed,
                ),
                expect(&[
                    ("A", "topic1-0 topic1-1 topic1-2 topic3-0 topic3-1 topic3-2"),
                    (
                        "B",
                        "topic2-0 topic2-1 topic2-2 topic2-3 topic2-4 topic2-5 topic2-6 topic2-7",
                    ),
                ]),
            ),
            (
                "testReassignmentWhenOneSubscriptionRemovedAfterInitialAssignmentWithTwoMembersTwoTopics",
                run(
                    Builder::Heterogeneous,
                    &[(1, 3), (2, 5)],
                    vec![
                        member("A", &[1], &[(1, 0), (1, 2), (2, 1), (2, 3)]),
                        member("B", &[1, 2], &[(1, 1), (2, 0), (2, 2), (2, 4)]),
                    ],
                    Owned::Hashed,
                ),
                expect(&[
                    ("A", "topic1-0 topic1-1 topic1-2"),
                    ("B", "topic2-0 topic2-1 topic2-2 topic2-3 topic2-4"),
                ]),
            ),
            (
                "testReassignmentWhenTopicPartitionsRunOutAndMembersHaveNoPartitions",
                run(
                    Builder::Heterogeneous,
                    &[(1, 2), (2, 2), (3, 2)],
                    vec![
                        member(
                            "A",
                            &[1, 2, 3],
                            &[(1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1)],
                        ),
                        member("B", &[1, 2, 3], &[]),
                    ],
                    Owned::Hashed,
                ),
                expect(&[
                    ("A", "topic2-0 topic3-0 topic3-1"),
                    ("B", "topic1-0 topic1-1 topic2-1"),
                ]),
            ),
            (
                "testFirstAssignmentWithTwoMembersIncludingOneWithoutSubscriptions",
                run(
                    Builder::Heterogeneous,
                    &[(1, 3)],
                    vec![member("A", &[1], &[]), member("B", &[], &[])],
                    Owned::Hashed,
                ),
                expect(&[("A", "topic1-0 topic1-1 topic1-2"), ("B", "")]),
            ),
        ];
        for (name, got, want) in cases {
            assert_eq!(got, want, "{name}");
        }
    }
}
