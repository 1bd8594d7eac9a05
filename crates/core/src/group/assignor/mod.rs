//! # Assignors: which consumer of a group reads which partition
//!
//! When a consumer group rebalances, the group leader runs the assignor named by
//! `partition.assignment.strategy` over every member's subscription and hands each member a set of
//! partitions; within a group a partition has at most one owner, so a group with more members than
//! partitions leaves members idle. kplay implements Kafka's four client-side assignors and gives the same
//! assignments as Kafka's own tests (`RangeAssignorTest`, `RoundRobinAssignorTest`,
//! `AbstractStickyAssignorTest`, `CooperativeStickyAssignorTest`):
//!
//! - [`Strategy::Range`] (`RangeAssignor`, the default's first entry): per topic, contiguous ranges; the first
//!   `P % C` members get one extra partition, so several topics pile extras on the same members.
//! - [`Strategy::RoundRobin`] (`RoundRobinAssignor`): all partitions, topics by name, dealt in turn.
//! - [`Strategy::Sticky`] (`StickyAssignor`, KIP-54): balanced, and keeps as many owned partitions as it can.
//! - [`Strategy::CooperativeSticky`] (`CooperativeStickyAssignor`, KIP-429): the sticky assignment minus every
//!   partition that changes owner this round; those are handed out in the follow-up rebalance, after their
//!   old owner has revoked them.
//!
//! Members are ordered as `AbstractPartitionAssignor.MemberInfo` orders them: static members (with
//! `group.instance.id`) first by instance id, then the rest by `member.id`, both with Java's `String` order
//! ([`java::compare_strings`]). Where Kafka iterates a Java `HashMap` of members, kplay follows Java's
//! iteration order ([`java`]), so results agree with Kafka's, including the tests whose outcome hangs on it.
//!
//! Under the consumer group protocol (KIP-848, `group.protocol=consumer`) the broker assigns instead, with
//! an assignor from `group.consumer.assignors` ([`ServerAssignor`], chosen by the client's
//! `group.remote.assignor`): [`ServerAssignor::Uniform`] (the default) and [`ServerAssignor::Range`]. Its
//! input is the group's current target assignment, so no partition is owned twice and member generations
//! play no part ([`Assignor`] names either kind).

pub mod java;
mod range;
pub mod request;
mod roundrobin;
mod sticky;
mod uniform;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use core::str::FromStr;

/// The largest partition count kplay accepts for one topic.
pub const MAX_PARTITIONS_PER_TOPIC: u32 = 1_000_000;

/// A partition of a topic, ordered by topic (Java `String` order) then partition number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicPartition {
    /// The topic's name.
    pub topic: String,
    /// The partition number, from 0.
    pub partition: u32,
}

impl TopicPartition {
    /// `topic`-`partition`.
    #[must_use]
    pub fn new(topic: impl Into<String>, partition: u32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

impl Ord for TopicPartition {
    fn cmp(&self, other: &Self) -> Ordering {
        java::compare_strings(&self.topic, &other.topic).then(self.partition.cmp(&other.partition))
    }
}

impl PartialOrd for TopicPartition {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// A group member as the assignor sees it: its subscription and what it owned before this rebalance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Member {
    /// `member.id`, handed out by the coordinator; unique in the group.
    pub id: String,
    /// `group.instance.id` of a static member; unique in the group.
    pub instance_id: Option<String>,
    /// Topics it subscribes to.
    pub topics: Vec<String>,
    /// Partitions it owned in the previous generation (sticky assignors only).
    pub owned: Vec<TopicPartition>,
    /// Generation of `owned`; negative means unknown (Kafka's `DEFAULT_GENERATION`, -1).
    pub generation: i32,
}

impl Member {
    /// A dynamic member with no previous assignment.
    #[must_use]
    pub fn new(id: impl Into<String>, topics: &[&str]) -> Self {
        Self {
            id: id.into(),
            topics: topics.iter().map(|&t| t.into()).collect(),
            generation: DEFAULT_GENERATION,
            ..Self::default()
        }
    }
}

/// Kafka's `AbstractStickyAssignor.DEFAULT_GENERATION`: no known generation.
pub const DEFAULT_GENERATION: i32 = -1;

/// A `partition.assignment.strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    /// `range`: `org.apache.kafka.clients.consumer.RangeAssignor`.
    Range,
    /// `roundrobin`: `org.apache.kafka.clients.consumer.RoundRobinAssignor`.
    RoundRobin,
    /// `sticky`: `org.apache.kafka.clients.consumer.StickyAssignor` (eager protocol).
    Sticky,
    /// `cooperative-sticky`: `org.apache.kafka.clients.consumer.CooperativeStickyAssignor`.
    CooperativeSticky,
}

impl Strategy {
    /// Every strategy, in Kafka's documentation order.
    pub const ALL: [Self; 4] = [
        Self::Range,
        Self::RoundRobin,
        Self::Sticky,
        Self::CooperativeSticky,
    ];

    /// The assignor's protocol name, as members announce it (`ConsumerPartitionAssignor.name()`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Range => "range",
            Self::RoundRobin => "roundrobin",
            Self::Sticky => "sticky",
            Self::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// Whether the assignor supports the COOPERATIVE rebalance protocol (members keep their partitions
    /// through a rebalance); the others are EAGER only (everyone revokes everything first).
    #[must_use]
    pub const fn is_cooperative(self) -> bool {
        matches!(self, Self::CooperativeSticky)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An assignor name that is not one of those accepted where it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStrategy {
    /// The name given.
    pub name: String,
    /// The names accepted there.
    pub expected: Vec<&'static str>,
}

impl fmt::Display for UnknownStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown strategy {}; expected one of {}",
            crate::problem::quote(&self.name),
            self.expected.join(", ")
        )
    }
}

impl core::error::Error for UnknownStrategy {}

impl FromStr for Strategy {
    type Err = UnknownStrategy;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| UnknownStrategy {
                name: name.into(),
                expected: Self::ALL.iter().map(|s| s.name()).collect(),
            })
    }
}

/// An assignor of the broker's `group.consumer.assignors` (KIP-848), named by the client's
/// `group.remote.assignor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServerAssignor {
    /// `uniform` (`UniformAssignor`, the broker's default): balanced to within one partition, then sticky.
    Uniform,
    /// `range` (the group coordinator's `RangeAssignor`): the client range assignor's ranges, recomputed
    /// from scratch each time.
    Range,
}

impl ServerAssignor {
    /// The assignor's name in `group.remote.assignor` (`ConsumerGroupPartitionAssignor.name()`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Uniform => "uniform",
            Self::Range => "range",
        }
    }
}

/// Which assignor runs: a client's `partition.assignment.strategy` (classic protocol) or a broker's
/// assignor (consumer protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Assignor {
    /// A client-side assignor, run by the group leader.
    Client(Strategy),
    /// A server-side assignor, run by the group coordinator.
    Server(ServerAssignor),
}

impl Assignor {
    /// Every assignor with the name `kplay assign` knows it by: the client strategies under their own
    /// names, then `uniform` and `server-range` (the client `range` keeps its name).
    pub const NAMED: [(&'static str, Self); 6] = [
        ("range", Self::Client(Strategy::Range)),
        ("roundrobin", Self::Client(Strategy::RoundRobin)),
        ("sticky", Self::Client(Strategy::Sticky)),
        (
            "cooperative-sticky",
            Self::Client(Strategy::CooperativeSticky),
        ),
        ("uniform", Self::Server(ServerAssignor::Uniform)),
        ("server-range", Self::Server(ServerAssignor::Range)),
    ];
}

impl Assignor {
    /// The name [`Self::NAMED`] gives it (`kplay assign`'s `strategy`).
    #[must_use]
    pub fn name(self) -> &'static str {
        Self::NAMED
            .iter()
            .find(|&&(_, assignor)| assignor == self)
            .map_or("", |&(name, _)| name)
    }

    /// The assignor of a group that uses `protocol` (`classic` or `consumer`) and names its assignor
    /// `assignor` as Kafka does (`partition.assignment.strategy`, or `group.remote.assignor`: `uniform`,
    /// `range`); `None` for a combination Kafka does not have.
    #[must_use]
    pub fn of_group(protocol: &str, assignor: &str) -> Option<Self> {
        match (protocol, assignor) {
            ("consumer", "uniform") => Some(Self::Server(ServerAssignor::Uniform)),
            ("consumer", "range") => Some(Self::Server(ServerAssignor::Range)),
            ("classic", name) => name.parse().ok().map(Self::Client),
            _ => None,
        }
    }

    /// Whether every member stops for a rebalance (a classic EAGER assignor); otherwise only the
    /// partitions that move stop.
    #[must_use]
    pub const fn is_eager(self) -> bool {
        matches!(self, Self::Client(s) if !s.is_cooperative())
    }
}

impl From<Strategy> for Assignor {
    fn from(strategy: Strategy) -> Self {
        Self::Client(strategy)
    }
}

impl From<ServerAssignor> for Assignor {
    fn from(assignor: ServerAssignor) -> Self {
        Self::Server(assignor)
    }
}

impl FromStr for Assignor {
    type Err = UnknownStrategy;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::NAMED
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, assignor)| assignor)
            .ok_or_else(|| UnknownStrategy {
                name: name.into(),
                expected: Self::NAMED.iter().map(|&(known, _)| known).collect(),
            })
    }
}

/// Why an assignment could not be computed; `Display` names the offending field as a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignError {
    /// A topic's partition count is outside `1..=MAX_PARTITIONS_PER_TOPIC`.
    PartitionCount {
        /// The topic.
        topic: String,
        /// The count given.
        partitions: u64,
    },
    /// A member subscribes to no topic: a classic consumer without a subscription does not join a group
    /// (a server-side assignor accepts one, as a KIP-848 pattern subscription may match nothing).
    NoSubscription {
        /// Index of the member.
        member: usize,
    },
    /// A member id is empty.
    EmptyMemberId {
        /// Index of the member.
        member: usize,
    },
    /// Two members share a `member.id`.
    DuplicateMemberId {
        /// Index of the second member with the id.
        member: usize,
        /// The id.
        id: String,
    },
    /// Two members share a `group.instance.id`.
    DuplicateInstanceId {
        /// Index of the second member with the instance id.
        member: usize,
        /// The instance id.
        instance_id: String,
    },
    /// A member subscribes to a topic that does not exist.
    UnknownTopic {
        /// Index of the member.
        member: usize,
        /// Index in its topic list.
        index: usize,
        /// The topic name.
        topic: String,
    },
    /// A member claims to own a partition number its topic does not have.
    UnknownPartition {
        /// Index of the member.
        member: usize,
        /// Index in its owned list.
        index: usize,
        /// The partition claimed.
        partition: TopicPartition,
        /// How many partitions the topic has.
        partitions: u32,
    },
    /// Two members own the same partition, which a server-side assignor's input (the group's target
    /// assignment) never has.
    OwnedTwice {
        /// Index of the second member claiming it.
        member: usize,
        /// Index in its owned list.
        index: usize,
        /// The partition.
        partition: TopicPartition,
        /// Index of the member that claimed it first.
        first: usize,
    },
}

impl fmt::Display for AssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PartitionCount { topic, partitions } => write!(
                f,
                "topics.{}: {partitions} partitions is out of range (1..={MAX_PARTITIONS_PER_TOPIC})",
                crate::problem::cut(topic)
            ),
            Self::EmptyMemberId { member } => write!(f, "members[{member}].id: must not be empty"),
            Self::NoSubscription { member } => {
                write!(f, "members[{member}].topics: must name at least one topic")
            }
            Self::DuplicateMemberId { member, id } => {
                write!(f, "members[{member}].id: duplicate member id {id:?}")
            }
            Self::DuplicateInstanceId {
                member,
                instance_id,
            } => {
                write!(
                    f,
                    "members[{member}].instance_id: duplicate group.instance.id {instance_id:?}"
                )
            }
            Self::UnknownTopic {
                member,
                index,
                topic,
            } => {
                write!(
                    f,
                    "members[{member}].topics[{index}]: unknown topic {topic:?}"
                )
            }
            Self::UnknownPartition {
                member,
                index,
                partition,
                partitions,
            } => write!(
                f,
                "members[{member}].owned[{index}]: topic {:?} has no partition {} (it has {partitions})",
                partition.topic, partition.partition
            ),
            Self::OwnedTwice {
                member,
                index,
                partition,
                first,
            } => write!(
                f,
                "members[{member}].owned[{index}]: {partition} is already owned by members[{first}]; \
                 a server-side assignor takes the group's target assignment, where each partition has one owner"
            ),
        }
    }
}

impl core::error::Error for AssignError {}

/// The result of one assignor run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Each member's partitions, in the order the members were given, each sorted by topic then partition.
    pub partitions: Vec<Vec<TopicPartition>>,
}

/// A partition inside the assignors: (index of the topic in Java name order, partition number). Ordering
/// the pairs orders the partitions as Kafka's `TopicPartition` comparators do.
type Tp = (u32, u32);

/// A validated group, interned: topics by index in Java name order, members by index in input order.
struct Group<'a> {
    /// Topics subscribed by at least one member, in Java name order, with their partition counts.
    topics: Vec<(&'a str, u32)>,
    members: &'a [Member],
    /// Per member, the indices of its subscribed topics, ascending.
    subscriptions: Vec<Vec<u32>>,
    /// Per member, its owned partitions of subscribed-by-someone topics, as given, without repeats.
    owned: Vec<Vec<Tp>>,
}

impl<'a> Group<'a> {
    /// Validates the group for `assignor`: a client assignor needs every member to subscribe to something
    /// (a classic consumer without a subscription does not join); a server-side one accepts an empty
    /// subscription (a pattern that matches nothing) but no partition owned twice.
    fn new(
        topics: &'a BTreeMap<String, u32>,
        members: &'a [Member],
        assignor: Assignor,
    ) -> Result<Self, AssignError> {
        for (topic, &partitions) in topics {
            if !(1..=MAX_PARTITIONS_PER_TOPIC).contains(&partitions) {
                return Err(AssignError::PartitionCount {
                    topic: topic.clone(),
                    partitions: partitions.into(),
                });
            }
        }
        let mut ids = BTreeMap::new();
        let mut instance_ids = BTreeMap::new();
        for (member, m) in members.iter().enumerate() {
            if m.id.is_empty() {
                return Err(AssignError::EmptyMemberId { member });
            }
            if ids.insert(m.id.as_str(), member).is_some() {
                return Err(AssignError::DuplicateMemberId {
                    member,
                    id: m.id.clone(),
                });
            }
            if let Some(instance) = &m.instance_id
                && instance_ids.insert(instance.as_str(), member).is_some()
            {
                return Err(AssignError::DuplicateInstanceId {
                    member,
                    instance_id: instance.clone(),
                });
            }
            if m.topics.is_empty() && matches!(assignor, Assignor::Client(_)) {
                return Err(AssignError::NoSubscription { member });
            }
            for (index, topic) in m.topics.iter().enumerate() {
                if !topics.contains_key(topic) {
                    return Err(AssignError::UnknownTopic {
                        member,
                        index,
                        topic: topic.clone(),
                    });
                }
            }
            for (index, tp) in m.owned.iter().enumerate() {
                if let Some(&partitions) = topics.get(&tp.topic)
                    && tp.partition >= partitions
                {
                    return Err(AssignError::UnknownPartition {
                        member,
                        index,
                        partition: tp.clone(),
                        partitions,
                    });
                }
            }
        }

        let mut subscribed: Vec<(&str, u32)> = topics
            .iter()
            .filter(|(topic, _)| members.iter().any(|m| m.topics.contains(topic)))
            .map(|(topic, &partitions)| (topic.as_str(), partitions))
            .collect();
        subscribed.sort_by(|a, b| java::compare_strings(a.0, b.0));
        let index_of = |topic: &str| -> Option<u32> {
            subscribed
                .binary_search_by(|(t, _)| java::compare_strings(t, topic))
                .ok()
                .map(|i| i as u32)
        };
        let subscriptions = members
            .iter()
            .map(|m| {
                let mut indices: Vec<u32> = m.topics.iter().filter_map(|t| index_of(t)).collect();
                indices.sort_unstable();
                indices.dedup();
                indices
            })
            .collect();
        let owned = members
            .iter()
            .map(|m| {
                let mut seen = alloc::collections::BTreeSet::new();
                m.owned
                    .iter()
                    // Partitions of topics that no longer exist or nobody subscribes to are dropped, as Kafka does.
                    .filter_map(|tp| index_of(&tp.topic).map(|t| (t, tp.partition)))
                    .filter(|tp| seen.insert(*tp))
                    .collect()
            })
            .collect();
        let group = Self {
            topics: subscribed,
            members,
            subscriptions,
            owned,
        };
        if let Assignor::Server(_) = assignor {
            group.check_single_owners()?;
        }
        Ok(group)
    }

    /// [`AssignError::OwnedTwice`] for the first partition two members claim.
    fn check_single_owners(&self) -> Result<(), AssignError> {
        let mut owners: BTreeMap<(&str, u32), usize> = BTreeMap::new();
        for (member, m) in self.members.iter().enumerate() {
            for (index, tp) in m.owned.iter().enumerate() {
                match owners.insert((tp.topic.as_str(), tp.partition), member) {
                    Some(first) if first != member => {
                        return Err(AssignError::OwnedTwice {
                            member,
                            index,
                            partition: tp.clone(),
                            first,
                        });
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Whether every member subscribes to the same topics (Kafka's `HOMOGENEOUS` subscription type).
    fn all_subscriptions_equal(&self) -> bool {
        self.subscriptions.windows(2).all(|w| w[0] == w[1])
    }

    fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Whether member `m` subscribes to topic index `t`.
    fn subscribes(&self, m: usize, t: u32) -> bool {
        self.subscriptions[m].binary_search(&t).is_ok()
    }

    /// Member indices in `MemberInfo` order: static members by instance id, then the rest by member id.
    fn members_in_member_info_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.member_count()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.members[a], &self.members[b]);
            match (&a.instance_id, &b.instance_id) {
                (Some(x), Some(y)) => java::compare_strings(x, y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => java::compare_strings(&a.id, &b.id),
            }
        });
        order
    }

    fn to_assignment(&self, per_member: Vec<Vec<Tp>>) -> Assignment {
        let partitions = per_member
            .into_iter()
            .map(|mut tps| {
                tps.sort_unstable();
                tps.into_iter()
                    .map(|(t, p)| TopicPartition::new(self.topics[t as usize].0, p))
                    .collect()
            })
            .collect();
        Assignment { partitions }
    }
}

/// Index of a partition among all subscribed partitions: `first[topic] + partition`.
struct Dense {
    first: Vec<usize>,
    topics: Vec<u32>,
}

impl Dense {
    fn new(group: &Group<'_>) -> Self {
        let mut first = Vec::with_capacity(group.topics.len());
        let mut total = 0;
        for &(_, partitions) in &group.topics {
            first.push(total);
            total += partitions as usize;
        }
        Self {
            first,
            topics: group.topics.iter().map(|&(_, p)| p).collect(),
        }
    }

    fn index(&self, (t, p): Tp) -> usize {
        self.first[t as usize] + p as usize
    }

    fn total(&self) -> usize {
        self.first.last().map_or(0, |&f| f) + self.topics.last().map_or(0, |&p| p as usize)
    }
}

/// Runs `assignor` (a client [`Strategy`] or a [`ServerAssignor`]) over `members` subscribing to `topics`
/// (name → partition count).
///
/// # Errors
/// [`AssignError`] when the input is not a group Kafka could have: unknown topics, duplicate ids, owned
/// partitions that do not exist (or, for a server-side assignor, that two members own), partition counts
/// out of range.
pub fn assign(
    assignor: impl Into<Assignor>,
    topics: &BTreeMap<String, u32>,
    members: &[Member],
) -> Result<Assignment, AssignError> {
    let assignor = assignor.into();
    let group = Group::new(topics, members, assignor)?;
    let per_member = match assignor {
        Assignor::Client(Strategy::Range) | Assignor::Server(ServerAssignor::Range) => {
            range::assign(&group)
        }
        Assignor::Client(Strategy::RoundRobin) => roundrobin::assign(&group),
        Assignor::Client(Strategy::Sticky) => sticky::assign(&group, false),
        Assignor::Client(Strategy::CooperativeSticky) => sticky::assign(&group, true),
        Assignor::Server(ServerAssignor::Uniform) => {
            uniform::assign(&group, &uniform::TopicOrder::by_name(&group))
        }
    };
    Ok(group.to_assignment(per_member))
}
