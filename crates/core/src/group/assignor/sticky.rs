//! `StickyAssignor` and `CooperativeStickyAssignor` (`AbstractStickyAssignor` in Kafka's clients).
//!
//! Both first decide which previously owned partitions still count: a member's claims are kept unless
//! another member of the *same* generation claims the same partition (then neither keeps it) or of a
//! *higher* generation (then the higher one keeps it). When every member has the same subscription, the
//! constrained builder runs: quotas `floor(P/N)` and `ceil(P/N)` with exactly `P % N` members at the larger
//! one; each member keeps owned partitions up to its quota (in `(partition, topic)` order) and the rest are
//! dealt round-robin, in `(topic, partition)` order, to the members still short (sorted by member id). When
//! subscriptions differ, the general builder keeps valid owned partitions, hands each unassigned partition
//! to the least-loaded eligible member, then moves partitions while that improves balance, preferring to
//! move a partition back to its owner of an earlier generation and never undoing a move within the round.
//!
//! The cooperative variant then withholds every partition that changes owner (`adjustAssignment`): the old
//! owner sees it missing, revokes it and rejoins, and the partition is assigned in the follow-up rebalance.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::java;
use super::{DEFAULT_GENERATION, Dense, Group, Tp};

/// What every sticky run starts from: the members in Kafka's iteration order and their valid claims.
struct Claims {
    /// Member indices in the iteration order of Kafka's `subscriptions` HashMap.
    order: Vec<usize>,
    /// Per member, the owned partitions that survived the generation checks (`consumerToOwnedPartitions`).
    owned: Vec<Vec<Tp>>,
    /// Partitions claimed by two members of the same generation (`partitionsWithMultiplePreviousOwners`).
    doubly_claimed: BTreeSet<Tp>,
    /// The highest generation any member reported.
    max_generation: i32,
    /// Whether all members subscribe to the same topics (`allSubscriptionsEqual`).
    all_equal: bool,
}

fn generation(group: &Group<'_>, m: usize) -> i32 {
    group.members[m].generation.max(DEFAULT_GENERATION)
}

fn claims(group: &Group<'_>, dense: &Dense) -> Claims {
    let hashes: Vec<i32> = group
        .members
        .iter()
        .map(|m| java::string_hash(&m.id))
        .collect();
    let order = java::iteration_order(&hashes, java::hash_map_capacity(hashes.len()));
    let all_equal = group.all_subscriptions_equal();

    let mut owned: Vec<Vec<Tp>> = vec![Vec::new(); group.member_count()];
    let mut previous_owner: Vec<Option<usize>> = vec![None; dense.total()];
    let mut doubly_claimed = BTreeSet::new();
    let mut max_generation = DEFAULT_GENERATION;
    for &m in &order {
        let my_generation = generation(group, m);
        max_generation = max_generation.max(my_generation);
        for &tp in &group.owned[m] {
            let slot = &mut previous_owner[dense.index(tp)];
            match *slot {
                None => {
                    owned[m].push(tp);
                    *slot = Some(m);
                }
                Some(other) => match my_generation.cmp(&generation(group, other)) {
                    Ordering::Equal => {
                        doubly_claimed.insert(tp);
                        owned[other].retain(|&x| x != tp);
                        *slot = Some(m);
                    }
                    Ordering::Greater => {
                        owned[m].push(tp);
                        owned[other].retain(|&x| x != tp);
                        *slot = Some(m);
                    }
                    Ordering::Less => {}
                },
            }
        }
    }
    Claims {
        order,
        owned,
        doubly_claimed,
        max_generation,
        all_equal,
    }
}

/// Ranks of members by Java's `String` order of their ids.
fn id_ranks(group: &Group<'_>) -> Vec<usize> {
    let mut by_id: Vec<usize> = (0..group.member_count()).collect();
    by_id.sort_by(|&a, &b| java::compare_strings(&group.members[a].id, &group.members[b].id));
    let mut rank = vec![0; by_id.len()];
    for (r, m) in by_id.into_iter().enumerate() {
        rank[m] = r;
    }
    rank
}

pub(super) fn assign(group: &Group<'_>, cooperative: bool) -> Vec<Vec<Tp>> {
    if group.member_count() == 0 {
        return Vec::new();
    }
    let dense = Dense::new(group);
    let claims = claims(group, &dense);
    let ranks = id_ranks(group);
    let (mut assignment, transferring) = if claims.all_equal {
        let (assignment, transferring) = constrained(group, &dense, &claims, &ranks);
        (assignment, Some(transferring))
    } else {
        (general(group, &dense, claims, &ranks), None)
    };
    if cooperative {
        let transferring =
            transferring.unwrap_or_else(|| changing_owner(group, &dense, &assignment));
        for (tp, new_owner) in transferring {
            assignment[new_owner].retain(|&x| x != tp);
        }
    }
    assignment
}

/// `computePartitionsTransferringOwnership`: partitions some member gains that another member gives up.
fn changing_owner(group: &Group<'_>, dense: &Dense, assignment: &[Vec<Tp>]) -> BTreeMap<Tp, usize> {
    // Owners before and after, indexed densely: a lookup per partition instead of a search through each
    // member's list, which is quadratic when one member owns many partitions.
    let mut before = vec![Vec::new(); dense.total()];
    for (m, owned) in group.owned.iter().enumerate() {
        for &tp in owned {
            before[dense.index(tp)].push(m);
        }
    }
    let mut after = vec![None; dense.total()];
    for (m, assigned) in assignment.iter().enumerate() {
        for &tp in assigned {
            after[dense.index(tp)] = Some(m);
        }
    }
    let mut added = BTreeMap::new();
    for (m, assigned) in assignment.iter().enumerate() {
        added.extend(
            assigned
                .iter()
                .filter(|&&tp| !before[dense.index(tp)].contains(&m))
                .map(|&tp| (tp, m)),
        );
    }
    added.retain(|&tp, _| {
        let i = dense.index(tp);
        before[i].iter().any(|&m| after[i] != Some(m))
    });
    added
}

/// `ConstrainedAssignmentBuilder` without racks. Returns the assignment and the partitions changing owner.
fn constrained(
    group: &Group<'_>,
    dense: &Dense,
    claims: &Claims,
    ranks: &[usize],
) -> (Vec<Vec<Tp>>, BTreeMap<Tp, usize>) {
    let total = dense.total();
    let members = group.member_count();
    let min_quota = total / members;
    let max_quota = total.div_ceil(members);
    let expected_over_min = total % members;
    let mut current_over_min = 0;

    let mut assignment: Vec<Vec<Tp>> = vec![Vec::new(); members];
    let mut assigned = vec![false; total];
    let mut maybe_revoked: Vec<Option<usize>> = vec![None; total];
    let mut under_min: Vec<usize> = Vec::new();
    let mut exactly_min: Vec<usize> = Vec::new();

    for &m in &claims.order {
        let mut owned = claims.owned[m].clone();
        owned.sort_by_key(|&(t, p)| (p, t));
        owned.retain(|tp| !claims.doubly_claimed.contains(tp));
        let keep = if owned.len() < min_quota {
            under_min.push(m);
            owned.len()
        } else if owned.len() >= max_quota && current_over_min < expected_over_min {
            current_over_min += 1;
            if current_over_min == expected_over_min {
                exactly_min.clear();
            }
            max_quota
        } else {
            if current_over_min < expected_over_min {
                exactly_min.push(m);
            }
            min_quota
        };
        for &tp in &owned[..keep] {
            assigned[dense.index(tp)] = true;
        }
        for &tp in &owned[keep..] {
            maybe_revoked[dense.index(tp)] = Some(m);
        }
        assignment[m].extend_from_slice(&owned[..keep]);
    }

    under_min.sort_by_key(|&m| ranks[m]);
    exactly_min.sort_by_key(|&m| ranks[m]);
    let mut transferring = BTreeMap::new();

    // Round-robin over the members under minQuota (a cursor that tolerates removal of the current member),
    // then over the members at exactly minQuota, one partition each.
    let mut cursor = 0;
    for t in 0..group.topics.len() as u32 {
        for p in 0..dense.topics[t as usize] {
            let tp = (t, p);
            let index = dense.index(tp);
            if assigned[index] {
                continue;
            }
            let from_under_min = if cursor < under_min.len() {
                cursor += 1;
                true
            } else if !under_min.is_empty() {
                cursor = 1;
                true
            } else {
                false
            };
            let member = if from_under_min {
                under_min[cursor - 1]
            } else if exactly_min.is_empty() {
                // Unreachable with correct quotas; Kafka throws here. Keep the partition with the least loaded.
                (0..members)
                    .min_by_key(|&m| (assignment[m].len(), ranks[m]))
                    .unwrap_or(0)
            } else {
                exactly_min.remove(0)
            };
            assignment[member].push(tp);
            let count = assignment[member].len();
            if maybe_revoked[index].is_some_and(|owner| owner != member)
                || claims.doubly_claimed.contains(&tp)
            {
                transferring.insert(tp, member);
            }
            // A member reaching minQuota may still take one more (Kafka counts those reaching maxQuota
            // here only to log an inconsistency).
            if count == min_quota {
                if from_under_min {
                    cursor -= 1;
                    under_min.remove(cursor);
                }
                exactly_min.push(member);
            }
        }
    }
    (assignment, transferring)
}

/// A Java `HashSet<TopicPartition>` reduced to what the general builder asks of it: membership and the
/// first element its iterator returns — the lowest bucket of a table sized for the most elements it ever
/// held (Java's table never shrinks), and within a bucket the earliest inserted. Every operation is
/// logarithmic: a round that moves tens of thousands of partitions between two members keeps them all
/// in one set.
#[derive(Default)]
struct JavaHashSet {
    /// Each element's Java hash code (as `u32`) and insertion number. (The key and value types, and
    /// `order`'s, are those the builder already uses elsewhere: no new code in the page's wasm.)
    members: BTreeMap<Tp, (usize, usize)>,
    /// The elements in the order Java's iterator would return them: (bucket, insertion number, 0).
    order: BTreeSet<(usize, usize, usize)>,
    /// Every element ever inserted, by insertion number.
    inserted: Vec<Tp>,
    /// The table's capacity, which decides the buckets.
    capacity: usize,
}

impl JavaHashSet {
    fn insert(&mut self, tp: Tp, hash: i32) {
        if self.members.contains_key(&tp) {
            return;
        }
        let hash = hash as u32 as usize;
        let n = self.inserted.len();
        self.inserted.push(tp);
        self.members.insert(tp, (hash, n));
        let capacity = java::hash_map_capacity(self.members.len()).max(self.capacity);
        if capacity == self.capacity {
            self.order.insert((bucket(hash, capacity), n, 0));
        } else {
            // The table grew: every element may sit in another bucket now.
            self.capacity = capacity;
            self.order.clear();
            for &(hash, n) in self.members.values() {
                self.order.insert((bucket(hash, capacity), n, 0));
            }
        }
    }

    fn remove(&mut self, tp: Tp) {
        if let Some((hash, n)) = self.members.remove(&tp) {
            self.order.remove(&(bucket(hash, self.capacity), n, 0));
        }
    }

    fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    fn first(&self) -> Option<Tp> {
        self.order.first().map(|&(_, n, _)| self.inserted[n])
    }
}

/// Counts one more partition owned by `m` in a topic's `owners`.
fn count_owner(owners: &mut Vec<(usize, usize)>, m: usize) {
    match owners.iter_mut().find(|(o, _)| *o == m) {
        Some((_, n)) => *n += 1,
        None => owners.push((m, 1)),
    }
}

fn bucket(hash: usize, capacity: usize) -> usize {
    java::bucket(hash as u32 as i32, capacity)
}

/// `PartitionMovements`: where each partition moved during this round, so that a later move can undo an
/// earlier one instead of shuffling partitions around a cycle of members.
struct Movements {
    /// Per moved partition: (original owner, current owner).
    moved: BTreeMap<Tp, (usize, usize)>,
    /// Per topic, per (from, to) pair, the partitions that made that move.
    by_topic: BTreeMap<u32, BTreeMap<(usize, usize), JavaHashSet>>,
    /// Java `TopicPartition.hashCode()` of every partition's topic name.
    topic_hashes: Vec<i32>,
}

impl Movements {
    fn hash(&self, (t, p): Tp) -> i32 {
        // TopicPartition.hashCode(): 31 * (31 * 1 + partition) + topic.hashCode().
        31_i32
            .wrapping_mul(31_i32.wrapping_add(p as i32))
            .wrapping_add(self.topic_hashes[t as usize])
    }

    fn remove_record(&mut self, tp: Tp) -> Option<(usize, usize)> {
        let pair = self.moved.remove(&tp)?;
        if let Some(pairs) = self.by_topic.get_mut(&tp.0) {
            if let Some(set) = pairs.get_mut(&pair) {
                set.remove(tp);
                if set.is_empty() {
                    pairs.remove(&pair);
                }
            }
            if pairs.is_empty() {
                self.by_topic.remove(&tp.0);
            }
        }
        Some(pair)
    }

    fn add_record(&mut self, tp: Tp, pair: (usize, usize)) {
        self.moved.insert(tp, pair);
        let hash = self.hash(tp);
        self.by_topic
            .entry(tp.0)
            .or_default()
            .entry(pair)
            .or_default()
            .insert(tp, hash);
    }

    fn record_move(&mut self, tp: Tp, from: usize, to: usize) {
        match self.remove_record(tp) {
            Some((original, _)) if original == to => {} // moved back home: no movement left
            Some((original, _)) => self.add_record(tp, (original, to)),
            None => self.add_record(tp, (from, to)),
        }
    }

    /// `getTheActualPartitionToBeMoved`: if some partition of the topic moved `to → from` earlier, move that
    /// one back instead of moving `tp`.
    fn partition_to_move(&self, tp: Tp, from: usize, to: usize) -> Tp {
        let Some(pairs) = self.by_topic.get(&tp.0) else {
            return tp;
        };
        let from = self.moved.get(&tp).map_or(from, |&(original, _)| original);
        pairs
            .get(&(to, from))
            .and_then(JavaHashSet::first)
            .unwrap_or(tp)
    }
}

/// The general builder's working state (`GeneralAssignmentBuilder`, without racks).
struct General<'g, 'a> {
    group: &'g Group<'a>,
    dense: &'g Dense,
    ranks: &'g [usize],
    /// Per member, its partitions; `None` while the member is set aside as unable to take part.
    current: Vec<Option<Vec<Tp>>>,
    /// Owner of each partition (by dense index).
    owner: Vec<Option<usize>>,
    /// Per topic, (member, how many of its partitions it owns) for each member owning some, in step
    /// with `owner`: what `isBalanced` asks, without visiting every partition.
    topic_owners: Vec<Vec<(usize, usize)>>,
    /// Members ordered by (partition count, member id): `sortedCurrentSubscriptions`.
    by_load: BTreeSet<(usize, usize, usize)>,
    /// Per topic, the members subscribed to it.
    topic_consumers: Vec<Vec<usize>>,
    movements: Movements,
}

impl General<'_, '_> {
    fn load(&self, m: usize) -> usize {
        self.current[m].as_ref().map_or(0, Vec::len)
    }

    fn key(&self, m: usize) -> (usize, usize, usize) {
        (self.load(m), self.ranks[m], m)
    }

    fn max_assignment_size(&self, m: usize) -> usize {
        self.group.subscriptions[m]
            .iter()
            .map(|&t| self.dense.topics[t as usize] as usize)
            .sum()
    }

    fn give(&mut self, m: usize, tp: Tp) {
        self.by_load.remove(&self.key(m));
        if let Some(list) = self.current[m].as_mut() {
            list.push(tp);
        }
        self.set_owner(tp, m);
        self.by_load.insert(self.key(m));
    }

    /// Records `m` as the owner of `tp`, in `owner` and `topic_owners`.
    fn set_owner(&mut self, tp: Tp, m: usize) {
        let slot = self.dense.index(tp);
        let owners = &mut self.topic_owners[tp.0 as usize];
        if let Some(before) = self.owner[slot]
            && let Some(i) = owners.iter().position(|&(o, _)| o == before)
        {
            owners[i].1 -= 1;
            if owners[i].1 == 0 {
                owners.swap_remove(i);
            }
        }
        count_owner(owners, m);
        self.owner[slot] = Some(m);
    }

    /// `maybeAssignPartition`: to the least-loaded member subscribed to the partition's topic.
    fn assign_to_least_loaded(&mut self, tp: Tp) {
        let candidate = self
            .by_load
            .iter()
            .map(|&(_, _, m)| m)
            .find(|&m| self.group.subscribes(m, tp.0));
        if let Some(m) = candidate {
            self.give(m, tp);
        }
    }

    /// `isBalanced`: loads differ by at most one, or no member could take a partition of its topics from
    /// a member holding two or more partitions more. Asked before every reassignment, so it looks at each
    /// topic's owners (the two heaviest), never at every partition.
    fn is_balanced(&self) -> bool {
        let (Some(&(min, _, _)), Some(&(max, _, _))) = (self.by_load.first(), self.by_load.last())
        else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        const NOBODY: (usize, usize) = (0, usize::MAX);
        let heaviest: Vec<[(usize, usize); 2]> = self
            .topic_owners
            .iter()
            .map(|owners| {
                let mut top = [NOBODY; 2];
                for &(o, _) in owners {
                    let entry = (self.load(o), o);
                    if entry.0 > top[0].0 {
                        top = [entry, top[0]];
                    } else if entry.0 > top[1].0 {
                        top[1] = entry;
                    }
                }
                top
            })
            .collect();
        for &(count, _, m) in &self.by_load {
            if count == self.max_assignment_size(m) {
                continue;
            }
            for &t in &self.group.subscriptions[m] {
                let [first, second] = heaviest[t as usize];
                let other = if first.1 == m { second } else { first };
                if count + 1 < other.0 {
                    return false;
                }
            }
        }
        true
    }

    fn move_partition(&mut self, tp: Tp, to: usize) {
        let Some(from) = self.owner[self.dense.index(tp)] else {
            return;
        };
        let tp = self.movements.partition_to_move(tp, from, to);
        let Some(from) = self.owner[self.dense.index(tp)] else {
            return;
        };
        self.by_load.remove(&self.key(from));
        self.by_load.remove(&self.key(to));
        self.movements.record_move(tp, from, to);
        if let Some(list) = self.current[from].as_mut()
            && let Some(i) = list.iter().position(|&x| x == tp)
        {
            list.swap_remove(i);
        }
        if let Some(list) = self.current[to].as_mut() {
            list.push(tp);
        }
        self.set_owner(tp, to);
        self.by_load.insert(self.key(to));
        self.by_load.insert(self.key(from));
    }

    fn perform_reassignments(
        &mut self,
        partitions: &[Tp],
        previous: &BTreeMap<Tp, (usize, i32)>,
    ) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for &tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(owner) = self.owner[self.dense.index(tp)] else {
                    continue;
                };
                // Back to its owner of an earlier generation, if that one is lighter by two or more. (kplay
                // only does this when that member still subscribes to the topic and takes part.)
                if let Some(&(earlier, _)) = previous.get(&tp)
                    && self.current[earlier].is_some()
                    && self.group.subscribes(earlier, tp.0)
                    && self.load(owner) > self.load(earlier) + 1
                {
                    self.move_partition(tp, earlier);
                    performed = true;
                    modified = true;
                    continue;
                }
                let lighter_exists = self.topic_consumers[tp.0 as usize]
                    .iter()
                    .any(|&other| self.load(owner) > self.load(other) + 1);
                if lighter_exists {
                    let to = self
                        .by_load
                        .iter()
                        .map(|&(_, _, m)| m)
                        .find(|&m| self.group.subscribes(m, tp.0));
                    if let Some(to) = to {
                        self.move_partition(tp, to);
                        performed = true;
                        modified = true;
                    }
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    fn balance_score(&self) -> usize {
        let loads: Vec<usize> = (0..self.current.len())
            .filter(|&m| self.current[m].is_some())
            .map(|m| self.load(m))
            .collect();
        let mut score = 0;
        for (i, &a) in loads.iter().enumerate() {
            score += loads[i + 1..].iter().map(|&b| a.abs_diff(b)).sum::<usize>();
        }
        score
    }
}

fn general(group: &Group<'_>, dense: &Dense, claims: Claims, ranks: &[usize]) -> Vec<Vec<Tp>> {
    let members = group.member_count();
    let mut topic_consumers = vec![Vec::new(); group.topics.len()];
    for &m in &claims.order {
        for &t in &group.subscriptions[m] {
            topic_consumers[t as usize].push(m);
        }
    }
    // Topics by (number of potential consumers, name), then their partitions in order.
    let mut topics_by_consumers: Vec<u32> = (0..group.topics.len() as u32).collect();
    topics_by_consumers.sort_by_key(|&t| (topic_consumers[t as usize].len(), t));
    let mut all_partitions: Vec<Tp> = topics_by_consumers
        .iter()
        .flat_map(|&t| (0..dense.topics[t as usize]).map(move |p| (t, p)))
        .collect();

    // Partitions owned in an earlier generation than the newest, for moving back where that helps balance.
    let mut previous: BTreeMap<Tp, (usize, i32)> = BTreeMap::new();
    for &m in &claims.order {
        let reported = group.members[m].generation;
        let generation = if reported >= 0 && reported < claims.max_generation {
            reported
        } else if reported < 0 && claims.max_generation > DEFAULT_GENERATION {
            DEFAULT_GENERATION
        } else {
            continue;
        };
        for &tp in &group.owned[m] {
            match previous.get(&tp) {
                Some(&(_, g)) if g >= generation => {}
                _ => {
                    previous.insert(tp, (m, generation));
                }
            }
        }
    }

    let mut owner = vec![None; dense.total()];
    for (m, list) in claims.owned.iter().enumerate() {
        for &tp in list {
            owner[dense.index(tp)] = Some(m);
        }
    }
    let mut topic_owners: Vec<Vec<(usize, usize)>> = vec![Vec::new(); dense.topics.len()];
    for (t, &partitions) in dense.topics.iter().enumerate() {
        for p in 0..partitions {
            if let Some(m) = owner[dense.index((t as u32, p))] {
                count_owner(&mut topic_owners[t], m);
            }
        }
    }
    let mut revocation_required = false;
    let mut current: Vec<Option<Vec<Tp>>> = Vec::with_capacity(members);
    let mut kept = vec![false; dense.total()];
    for (m, list) in claims.owned.into_iter().enumerate() {
        let (valid, unsubscribed): (Vec<Tp>, Vec<Tp>) =
            list.into_iter().partition(|&(t, _)| group.subscribes(m, t));
        revocation_required |= !unsubscribed.is_empty();
        for &tp in &valid {
            kept[dense.index(tp)] = true;
        }
        current.push(Some(valid));
    }
    let mut unassigned: Vec<Tp> = all_partitions
        .iter()
        .copied()
        .filter(|&tp| !kept[dense.index(tp)])
        .collect();

    let topic_names: Vec<i32> = group
        .topics
        .iter()
        .map(|&(name, _)| java::string_hash(name))
        .collect();
    let mut state = General {
        group,
        dense,
        ranks,
        current,
        owner,
        topic_owners,
        by_load: BTreeSet::new(),
        topic_consumers,
        movements: Movements {
            moved: BTreeMap::new(),
            by_topic: BTreeMap::new(),
            topic_hashes: topic_names,
        },
    };
    state.by_load = (0..members).map(|m| state.key(m)).collect();

    let initializing = state.by_load.last().is_some_and(|&(load, _, _)| load == 0);
    for &tp in &unassigned {
        state.assign_to_least_loaded(tp);
    }

    // Only topics with two or more potential consumers, and members that could gain or lose, take part.
    let fixed_topic = |t: u32| state.topic_consumers[t as usize].len() < 2;
    all_partitions.retain(|&(t, _)| !fixed_topic(t));
    unassigned.retain(|&(t, _)| !fixed_topic(t));
    let mut set_aside = Vec::new();
    for m in 0..members {
        let list = state.current[m].as_deref().unwrap_or_default();
        let can_change =
            list.len() < state.max_assignment_size(m) || list.iter().any(|&(t, _)| !fixed_topic(t));
        if !can_change {
            state.by_load.remove(&state.key(m));
            set_aside.push((m, state.current[m].take()));
        }
    }

    let before = (
        state.current.clone(),
        state.owner.clone(),
        state.by_load.clone(),
        state.balance_score(),
    );
    if !revocation_required {
        state.perform_reassignments(&unassigned, &previous);
    }
    let performed = state.perform_reassignments(&all_partitions, &previous);
    if !initializing && performed && state.balance_score() >= before.3 {
        (state.current, state.owner, state.by_load) = (before.0, before.1, before.2);
    }
    for (m, list) in set_aside {
        state.current[m] = list;
    }
    state
        .current
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}
